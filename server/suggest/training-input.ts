// Training articles crossing a thread boundary arrive as `unknown`: checked here once.
import { z } from 'zod';
import type { LabelledArticle } from '../core/suggest/types.js';

const range = { start: z.number().int().min(0), end: z.number().int().min(0) };
const labelledArticle = z.object({
  id: z.string(),
  text: z.string(),
  sentences: z.array(z.object(range)),
  annotated: z.array(z.number().int().min(0)),
  spans: z.array(z.object({ ...range, sentence: z.number().int().min(0), category: z.string() })),
}) satisfies z.ZodType<LabelledArticle>;

export function parseTrainingArticles(input: unknown): LabelledArticle[] {
  return z.array(labelledArticle).parse(input);
}
