// One process of the PostgreSQL bench (bench/postgres.ts), run as
//   node --import tsx bench/pg-worker.ts saves json|postgres DIR|URL CLIENTS SECONDS NAME
//   node --import tsx bench/pg-worker.ts rss json|postgres DIR|URL
//   node --import tsx bench/pg-worker.ts report json|postgres DIR|URL PROJECT agreement|csv
// `saves`: opens the store, prints "ready", waits for a line on stdin, then CLIENTS loops each save
// one new tag at a time through the storage interface, AppStore (acknowledged after commit / on disk), for
// SECONDS, and prints {"saves":n,"seconds":s}. `rss`: opens the store as a server would, reads what
// a sentence page and the project page read, and prints its resident memory. `report`: opens the
// study as `framelens export` does (openStudy: the AppStore of either backend), then computes the project's agreement report or
// streams its CSV export to nowhere, and prints its time and CPU, a sha256 of the result (so the two
// backends can be compared), the process's peak resident memory and the heap it holds after a collection.
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import type { Tag } from '../server/core/model.js';
import { createHash } from 'node:crypto';
import { openStudy } from '../server/commands/open-study.js';
import { PostgresAppStore, PostgresDatabase } from '../server/storage/postgres/index.js';
import type { AppStore } from '../server/storage/app-store.js';
import { computeAgreement } from '../server/services/agreement.js';
import { reportRows } from '../server/core/export/agreement-report.js';
import { exportFiles, projectData } from '../server/exports/project.js';
import { loadShippedCodebooks } from '../server/storage/shipped-codebooks.js';
import { Store, newId } from '../server/storage/store.js';

const [mode, backend, target, clientsArg, secondsArg, name] = process.argv.slice(2);

/** The store as a server opens it (no demo made: the bench's folder and database hold only its own articles). */
async function open(): Promise<{ store: AppStore; close: () => Promise<void> }> {
  if (!target) throw new Error('no target');
  const shipped = await loadShippedCodebooks();
  if (backend === 'postgres') {
    // A connection per client, as a server sized for its load would have.
    const database = await PostgresDatabase.open(target, shipped, { max: Number(clientsArg ?? 10) });
    return { store: await PostgresAppStore.open(database, shipped, ''), close: () => database.close() };
  }
  const store = await Store.open(target, shipped);
  await store.ready;
  return { store, close: () => store.close() };
}

function rssMb(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function saves(store: AppStore): Promise<void> {
  const clients = Number(clientsArg);
  const seconds = Number(secondsArg);
  const articles = store.articles().map((a) => a.id);
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

async function rss(store: AppStore): Promise<void> {
  // What pages read: the accounts and the projects (held once the store is open), and each
  // article's annotations (20 of them).
  const articles = store.articles();
  const tags = await store.countTags();
  let read = 0;
  for (const article of articles.slice(0, 20)) for (const a of await store.readAnnotations(article.id)) read += a.tags.length;
  (globalThis as { gc?: () => void }).gc?.();
  process.stdout.write(`${JSON.stringify({ rssMb: rssMb(), tags, read })}\n`);
}

async function report(): Promise<void> {
  const projectId = clientsArg ?? '';
  const { store: reader, close } = await openStudy(backend === 'postgres' ? { url: target, dataDir: '' } : { dataDir: target ?? '', readOnly: true });
  const project = reader.project(projectId);
  if (!project) throw new Error(`no project ${projectId}`);
  const timed = async <T>(work: () => Promise<T>): Promise<{ value: T; ms: number; cpuMs: number }> => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    const value = await work();
    const used = process.cpuUsage(cpu);
    return { value, ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000 };
  };
  const agreement = async () => createHash('sha256').update(JSON.stringify(reportRows(await computeAgreement(reader, project)))).digest('hex');
  const csv = async () => {
    const [file] = await exportFiles(reader, projectData(reader, project, reader.codebookOf(project), { anonymise: false }), 'csv');
    if (!file) throw new Error('no CSV file');
    const hash = createHash('sha256');
    let bytes = 0;
    for await (const chunk of file.body()) {
      const buffer = Buffer.from(chunk);
      bytes += buffer.length;
      hash.update(buffer);
    }
    return `${hash.digest('hex')} ${bytes}`;
  };
  const result = await timed(secondsArg === 'agreement' ? agreement : csv);
  // Peak RSS counts garbage V8 had not collected yet; after a collection, what the process holds.
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  (globalThis as { gc?: () => void }).gc?.();
  const heldHeapMb = process.memoryUsage().heapUsed / 1024 / 1024;
  await close();
  process.stdout.write(`${JSON.stringify({ ms: result.ms, cpuMs: result.cpuMs, sha: result.value, peakRssMb, heldHeapMb })}\n`);
}

if (mode === 'report') {
  await report();
  process.exit(0);
}

const { store, close } = await open();
try {
  if (mode === 'saves') await saves(store);
  else if (mode === 'rss') await rss(store);
  else throw new Error(`unknown mode ${mode}`);
} finally {
  await close();
}
