// One process of the PostgreSQL bench (bench/postgres.ts), run as
//   node --import tsx bench/pg-worker.ts saves json|postgres DIR|URL CLIENTS SECONDS NAME
//   node --import tsx bench/pg-worker.ts rss json|postgres DIR|URL
// `saves`: opens the store, prints "ready", waits for a line on stdin, then CLIENTS loops each save
// one new tag at a time through the storage contract (acknowledged after commit / on disk) for
// SECONDS, and prints {"saves":n,"seconds":s}. `rss`: opens the store as a server would, reads what
// a sentence page and the project page read, and prints its resident memory.
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import type { Tag } from '../server/core/model.js';
import type { StudyStore } from '../server/storage/contract.js';
import { JsonFolderStudyStore } from '../server/storage/json-folder.js';
import { PostgresStudyStore } from '../server/storage/postgres/index.js';
import { loadShippedCodebooks } from '../server/storage/shipped-codebooks.js';
import { Store, newId } from '../server/storage/store.js';

const [mode, backend, target, clientsArg, secondsArg, name] = process.argv.slice(2);

async function open(): Promise<StudyStore> {
  if (!target) throw new Error('no target');
  const shipped = await loadShippedCodebooks();
  // A connection per client, as a server sized for its load would have.
  if (backend === 'postgres') return PostgresStudyStore.open(target, shipped, { max: Number(clientsArg ?? 10) });
  const store = await Store.open(target, shipped);
  await store.ready;
  return new JsonFolderStudyStore(store);
}

function rssMb(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function saves(store: StudyStore): Promise<void> {
  const clients = Number(clientsArg);
  const seconds = Number(secondsArg);
  const articles = (await store.articles()).map((a) => a.id);
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));
  const end = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const articleId = articles[c % articles.length] ?? '';
      const annotatorId = `${name}-${c}`;
      for (let i = 0; performance.now() < end; i++) {
        const now = new Date().toISOString();
        const tag: Tag = {
          id: newId(), articleId, annotatorId, sentence: i % 20, start: i * 3, end: i * 3 + 2, category: 'hedge', voice: 'author',
          intensity: null, note: '', createdAt: now, updatedAt: now,
        };
        await store.updateAnnotation(articleId, annotatorId, (a) => {
          a.tags.push(tag);
        });
        done++;
      }
    }),
  );
  const elapsed = (performance.now() - end) / 1000 + seconds;
  process.stdout.write(`${JSON.stringify({ saves: done, seconds: elapsed })}\n`);
}

async function rss(store: StudyStore): Promise<void> {
  const articles = await store.articles();
  const tags = await store.tagCount();
  // What pages read: the accounts, the projects, and each article's annotations (20 of them).
  await store.accounts();
  await store.projects();
  let read = 0;
  for (const article of articles.slice(0, 20)) for (const a of await store.annotations(article.id)) read += a.tags.length;
  (globalThis as { gc?: () => void }).gc?.();
  process.stdout.write(`${JSON.stringify({ rssMb: rssMb(), tags, read })}\n`);
}

const store = await open();
try {
  if (mode === 'saves') await saves(store);
  else if (mode === 'rss') await rss(store);
  else throw new Error(`unknown mode ${mode}`);
} finally {
  await store.close();
}
