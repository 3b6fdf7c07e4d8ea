// The demo story a newcomer meets on first start: the Sputnik demo article and two counterpart
// articles about the same meeting, written for Framelens (constructed examples, not real
// outlets' texts; their metadata and the story's note say so), each with a reference
// annotation and its rationales.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Range } from '../core/model.js';
import { VOICES } from '../core/model.js';
import { resolvePhrases } from '../core/classroom/reference.js';
import { segment } from '../core/segmentation.js';
import { parseArticleFile } from '../stories/import.js';
import { DEMO_DIR } from '../paths.js';
import { demoArticle } from './article.js';
import { referenceFile } from './lesson.js';

const STORY_DIR = join(DEMO_DIR, 'story');

export const DEMO_STORY_TITLE = 'NATO–Russia talks in Brussels, told three ways';
export const DEMO_STORY_NOTE =
  'Constructed examples: the wire-service-style and Western-style articles were written for Framelens as counterparts to the demo article (Sputnik) about the same meeting. They are not real outlets’ texts. The reference tags are Framelens’s own.';

/**
 * The references are written with the classroom's `starter` codebook; the demo project uses
 * `framing`, which names one of its categories differently. Every other starter id is a framing id.
 */
const STARTER_TO_FRAMING: Record<string, string> = { 'loaded-wording': 'loaded-language' };

export interface DemoStoryArticle {
  title: string;
  source: string;
  url: string;
  publishedAt: string;
  text: string;
  sentences: Range[];
  reference: { sentence: number; start: number; end: number; category: string; rationale: string }[];
  /** The reference in the `starter` codebook's ids, as the classroom lesson uses it. */
  starterReference: { sentence: number; start: number; end: number; category: string; voice: (typeof VOICES)[number]; rationale: string }[];
}

async function reference(file: string, text: string, sentences: Range[]) {
  const path = join(DEMO_DIR, file);
  try {
    const parsed = referenceFile.parse(JSON.parse(await readFile(path, 'utf8')));
    return resolvePhrases({ text, sentences }, parsed.tags);
  } catch (error) {
    throw new Error(`${path} is invalid: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** The three articles in column order (Sputnik first), with their references resolved to offsets. */
export async function demoStoryArticles(): Promise<DemoStoryArticle[]> {
  const sputnik = await demoArticle();
  const out: DemoStoryArticle[] = [];
  const add = async (a: Omit<DemoStoryArticle, 'reference' | 'starterReference'>, referencePath: string) => {
    const starter = await reference(referencePath, a.text, a.sentences);
    out.push({
      ...a,
      starterReference: starter,
      reference: starter.map((t) => ({ sentence: t.sentence, start: t.start, end: t.end, category: STARTER_TO_FRAMING[t.category] ?? t.category, rationale: t.rationale })),
    });
  };
  await add({ ...sputnik, url: '', publishedAt: '' }, 'reference.json');
  for (const [file, referencePath] of [
    ['wire-nato-talks.json', 'story/reference-wire.json'],
    ['western-nato-talks.json', 'story/reference-western.json'],
  ] as const) {
    const parsed = parseArticleFile(file, await readFile(join(STORY_DIR, file)));
    await add({ title: parsed.title, source: parsed.source, url: parsed.url, publishedAt: parsed.publishedAt, text: parsed.text, sentences: segment(parsed.text) }, referencePath);
  }
  return out;
}
