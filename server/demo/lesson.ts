// The ready-made lesson: the demo article (as the demo project imports it), the `starter`
// codebook and the shipped reference annotation with its rationales (reference.json).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { VOICES } from '../core/model.js';
import { demoArticle } from './article.js';
import { resolvePhrases, type ResolvedEntry } from '../core/classroom/reference.js';
import type { LessonText } from '../core/classroom/text.js';
import { DEMO_DIR } from '../paths.js';

const REFERENCE_FILE = join(DEMO_DIR, 'reference.json');

/** A demo reference file (reference.json here, the demo story's references in story/). */
export const referenceFile = z.strictObject({
  schemaVersion: z.literal(1),
  codebook: z.string().max(64),
  tags: z
    .array(
      z.strictObject({
        sentenceText: z.string().min(1).max(200),
        phrase: z.string().min(1).max(300),
        category: z.string().max(64),
        voice: z.enum(VOICES),
        rationale: z.string().min(1).max(1000),
      }),
    )
    .max(500),
});

export interface DemoLesson {
  title: string;
  article: LessonText & { title: string; source: string };
  codebookId: string;
  reference: ResolvedEntry[];
}

export const DEMO_LESSON_TITLE = 'Ready-made lesson: NATO–Russia talks';

/** Reads the demo article and its reference; throws naming the file or entry that does not fit. */
export async function loadDemoLesson(): Promise<DemoLesson> {
  const article = await demoArticle();
  let parsed: z.infer<typeof referenceFile>;
  try {
    parsed = referenceFile.parse(JSON.parse(await readFile(REFERENCE_FILE, 'utf8')));
  } catch (error) {
    throw new Error(`${REFERENCE_FILE} is invalid: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return { title: DEMO_LESSON_TITLE, article, codebookId: parsed.codebook, reference: resolvePhrases(article, parsed.tags) };
}
