// The constructed stories of test/fixtures/stories (see its README): each article as the
// aligner sees it, and the gold links, parsed from the JSON files. Used by the tests and by
// the bench (`BENCH_ONLY=stories`).
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Range } from '../../server/core/model.js';
import { segment } from '../../server/core/segmentation.js';
import type { LinkPair } from '../../server/core/stories/evaluate.js';

export const STORIES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/stories');

/**
 * `held-out-2` was written after the method's first version, `held-out-3` after its second (the pair
 * model) was frozen, `held-out-4` before its third was built and scored once, when it was final:
 * sets nothing was ever tuned on.
 */
export type Split = 'tuning' | 'held-out' | 'held-out-2' | 'held-out-3' | 'held-out-4';

/** The import format of issue 18, plus the note that marks a constructed example. */
export const articleFile = z.strictObject({
  title: z.string().min(1),
  source: z.string().min(1),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  url: z.string().url(),
  note: z.string().min(1),
  paragraphs: z.array(z.string().min(1)).min(1),
});

const goldFile = z.strictObject({
  story: z.string(),
  split: z.enum(['tuning', 'held-out', 'held-out-2', 'held-out-3', 'held-out-4']),
  note: z.string(),
  articles: z.array(z.string()).min(2),
  sentences: z.record(z.string(), z.number().int().positive()),
  links: z.array(z.strictObject({ a: z.string(), b: z.string(), pairs: z.array(z.tuple([z.number().int().min(0), z.number().int().min(0)])) })),
});

export interface FixtureArticle {
  /** The file name, e.g. `wire.json`: the article's id in the story. */
  id: string;
  title: string;
  source: string;
  date: string;
  url: string;
  note: string;
  text: string;
  sentences: Range[];
}

export interface FixtureStory {
  name: string;
  split: Split;
  articles: FixtureArticle[];
  gold: LinkPair[];
  /** Sentence counts recorded in gold.json when the links were written. */
  expectedSentences: Record<string, number>;
}

/** The article's text: its paragraphs, a blank line between them. */
export function textOf(paragraphs: readonly string[]): string {
  return paragraphs.join('\n\n');
}

export function loadArticle(path: string, id: string): FixtureArticle {
  const file = articleFile.parse(JSON.parse(readFileSync(path, 'utf8')));
  const text = textOf(file.paragraphs);
  return { id, title: file.title, source: file.source, date: file.date, url: file.url, note: file.note, text, sentences: segment(text) };
}

export function loadStory(split: Split, name: string): FixtureStory {
  const dir = join(STORIES_DIR, split, name);
  const gold = goldFile.parse(JSON.parse(readFileSync(join(dir, 'gold.json'), 'utf8')));
  const articles = gold.articles.map((id) => loadArticle(join(dir, id), id));
  const links = gold.links.flatMap(({ a, b, pairs }) =>
    pairs.map(([i, j]) => ({ a: { article: a, sentence: i }, b: { article: b, sentence: j } })),
  );
  return { name, split: gold.split, articles, gold: links, expectedSentences: gold.sentences };
}

/** Every story of a split, in name order. */
export function loadStories(split: Split): FixtureStory[] {
  return readdirSync(join(STORIES_DIR, split), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => loadStory(split, name));
}
