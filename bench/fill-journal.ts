// Child process for the bench's journal section: opens the study as the server does and saves
// through the Store, never checkpointing, until the journal holds BYTES; the bench then kills it
// (SIGKILL: the crash) and times the restart.
//   1. tag adds only (what a tag save is), measured for the bytes they add to the journal;
//   2. then a mix of adds, edits, removals and reviewed marks, until the journal is full.
// Prints one JSON line of figures, then "full", and waits to be killed.
// Usage: node --import tsx bench/fill-journal.ts DATA_DIR BYTES
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Tag, Voice } from '../server/core/model.js';
import { VOICES } from '../server/core/model.js';
import { categories } from '../server/core/codebook.js';
import { words } from '../server/core/segmentation.js';
import { RuleError, addTag, markReviewed, removeTag, unmarkReviewed, updateTag } from '../server/core/spans.js';
import { Store, newId } from '../server/storage/store.js';
import { loadShippedCodebooks } from '../server/storage/shipped-codebooks.js';
import { int, pick, rng } from './news.js';

const ADDS = 10_000;
const IN_FLIGHT = 64;

async function journalBytes(dataDir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(join(dataDir, 'journal'))) total += (await stat(join(dataDir, 'journal', name))).size;
  return total;
}

async function main(dataDir: string, bytes: number): Promise<void> {
  const codebooks = await loadShippedCodebooks();
  // Never checkpoint: the crash finds the journal as large as the server lets it grow.
  const store = await Store.open(dataDir, codebooks, { journal: { segmentBytes: 4 * bytes, maxBytes: 8 * bytes, idleCheckpointMs: 1e9 } });
  await store.ready;
  const r = rng(17);
  const articles = store.articles();
  const annotators = store.users.data.data.users.filter((u) => u.role === 'annotator').map((u) => u.id);
  const framing = codebooks.find((c) => c.id === 'framing');
  if (!framing || articles.length === 0 || annotators.length === 0) throw new Error('not a bench study');
  const categoryIds = categories(framing).map((c) => c.id);
  let tagJson = 0;

  const add = async (): Promise<boolean> => {
    const article = pick(r, articles);
    const sentence = int(r, 0, article.sentences.length - 1);
    const range = article.sentences[sentence];
    if (!range) return false;
    const ws = words(article.text, range);
    const first = int(r, 0, ws.length - 1);
    const last = Math.min(ws.length - 1, first + int(r, 0, 3));
    const now = new Date().toISOString();
    const annotatorId = pick(r, annotators);
    const tag: Tag = {
      id: newId(), articleId: article.id, annotatorId, sentence,
      start: ws[first]?.start ?? 0, end: ws[last]?.end ?? 0, category: pick(r, categoryIds),
      voice: pick<Voice>(r, VOICES), intensity: r() < 0.3 ? null : (int(r, 1, 3) as 1 | 2 | 3),
      note: r() < 0.2 ? 'benchmark note' : '', createdAt: now, updatedAt: now,
    };
    try {
      await store.updateAnnotation(article.id, annotatorId, (a) => addTag(a, tag));
    } catch (error) {
      if (error instanceof RuleError) return false; // a duplicate span: refused, nothing recorded
      throw error;
    }
    tagJson += Buffer.byteLength(JSON.stringify(tag));
    return true;
  };

  const other = async (): Promise<void> => {
    const article = pick(r, articles);
    const annotatorId = pick(r, annotators);
    const { tags, reviewed } = store.annotation(article.id, annotatorId);
    const tag = tags.length > 0 ? pick(r, tags) : undefined;
    const choice = r();
    const change =
      tag && choice < 0.5
        ? (a: Parameters<typeof addTag>[0]) =>
            updateTag(a, tag.id, { ...tag, note: `edited ${int(r, 0, 1e6)}`, intensity: pick(r, [null, 1, 2, 3] as const) }, new Date().toISOString())
        : tag && choice < 0.8
          ? (a: Parameters<typeof addTag>[0]) => removeTag(a, tag.id)
          : (a: Parameters<typeof addTag>[0]) => {
              const sentence = int(r, 0, article.sentences.length - 1);
              if (reviewed.includes(sentence)) unmarkReviewed(a, sentence);
              else markReviewed(a, sentence);
            };
    await store.updateAnnotation(article.id, annotatorId, change).catch((error: unknown) => {
      if (!(error instanceof RuleError)) throw error;
    });
  };

  /** Runs `task` IN_FLIGHT at a time until `done()`. */
  const run = async (task: () => Promise<unknown>, done: () => boolean | Promise<boolean>) => {
    const worker = async () => {
      while (!(await done())) await task();
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  };

  const start = await journalBytes(dataDir);
  let adds = 0;
  await run(async () => (await add()) && adds++, () => adds >= ADDS);
  const addBytes = (await journalBytes(dataDir)) - start;
  const addJson = tagJson;
  let saves = 0;
  let checked = 0;
  let full = false;
  await run(
    async () => {
      saves++;
      if (r() < 0.6) await add();
      else await other();
    },
    async () => {
      // Checking the size is a few syscalls: every 500 saves is close enough.
      if (saves - checked >= 500) {
        checked = saves;
        full = (await journalBytes(dataDir)) >= bytes;
      }
      return full;
    },
  );
  const total = await journalBytes(dataDir);
  const figures = { adds, addBytes, tagJson: addJson, saves: adds + saves, bytes: total, segments: (await readdir(join(dataDir, 'journal'))).length };
  process.stdout.write(`${JSON.stringify(figures)}\nfull\n`);
  setInterval(() => {}, 60_000); // until the bench kills it
}

const [dataDir, bytes] = process.argv.slice(2);
if (dataDir === undefined || bytes === undefined) throw new Error('usage: fill-journal.ts DATA_DIR BYTES');
await main(dataDir, Number(bytes));
