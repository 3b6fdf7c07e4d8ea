// kill -9 a process packing a data folder of the layout before packs (a folder of shard files per
// article, tags.sums, and a journal left by a crash) at random moments of its first start: the
// next start must open with every tag, whatever the kill left (a pack half written, a pack and its
// folder both there, a folder renamed aside and half removed).
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import type { Annotation } from '../../server/core/model.js';
import { addTag } from '../../server/core/spans.js';
import { FileSums } from '../../server/storage/file-sums.js';
import { Store, packedShards } from '../../server/storage/store.js';
import { tag } from '../helpers/journalled-store.js';

const UPGRADER = fileURLToPath(new URL('./fixtures/upgrader.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = Number(process.env.UPGRADE_CRASH_RUNS ?? 8);
const ARTICLES = 150;
const ANNOTATORS = 4;
const TEXT = 'Officials allegedly said the reforms were a coup. Critics called it a so-called reform.';

let work = '';
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** Starts the upgrader on `dir` and SIGKILLs it `delayMs` after it starts opening; whether it finished first. */
function runAndKill(dir: string, delayMs: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', UPGRADER, dir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const first = out === '';
      out += chunk;
      if (first && out.startsWith('opening\n')) setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL' && code !== 0) return reject(new Error(`upgrader failed (${code}): ${err}`));
      resolve(out.includes('done\n'));
    });
  });
}

/** Every annotation of the study, by article and annotator. */
function contents(store: Store, articleIds: string[]): Annotation[] {
  return articleIds.flatMap((a) => Array.from({ length: ANNOTATORS }, (_, k) => store.annotation(a, `u${k}`)));
}

test(
  `${RUNS} kill -9s while a start packs an older data folder: the next start has every tag`,
  async () => {
    work = await mkdtemp(join(tmpdir(), 'framelens-upgrade-crash-'));
    const original = join(work, 'original');
    // A study written by this version, then taken back to the layout before packs, with its sums
    // and saves left in the journal (the older version's crash).
    const store = await Store.open(original, []);
    const articleIds = Array.from({ length: ARTICLES }, (_, i) => `a${i}`);
    for (const id of articleIds) {
      await store.createArticle({
        id, projectId: 'p', title: id, source: '', url: '', publishedAt: '', text: TEXT,
        sentences: [{ start: 0, end: 49 }, { start: 50, end: TEXT.length }], createdAt: '2026-11-30T00:00:00.000Z', createdBy: 'u',
      });
    }
    await store.ready;
    const save = (a: string, k: number, i: number) =>
      store.updateAnnotation(a, `u${k}`, (x) => addTag(x, { ...tag(`${a}-${k}-${i}`, 4 * i, `u${k}`), articleId: a }));
    await Promise.all(articleIds.flatMap((a) => Array.from({ length: ANNOTATORS }, (_, k) => save(a, k, 0))));
    await store.checkpoint();
    const shards = packedShards(original);
    const sums = FileSums.empty(original);
    for (const [path, text] of shards) {
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, text);
      sums.record(path, text, 1);
    }
    await sums.save();
    // Saves in the journal only: the crash of the older version (its journal is the same format).
    const journal = join(original, 'journal');
    await Promise.all(articleIds.slice(0, 40).map((a) => save(a, 1, 1)));
    const kept = await readdir(journal);
    const expected = contents(store, articleIds);
    execFileSync('cp', ['-a', journal, join(work, 'journal-kept')]);
    await store.close();
    // The packs go (the older version had none), and the journal comes back as the crash left it.
    for (const name of await readdir(join(original, 'tags'))) if (name.endsWith('.pack')) await rm(join(original, 'tags', name));
    await rm(journal, { recursive: true });
    execFileSync('cp', ['-a', join(work, 'journal-kept'), journal]);
    expect(kept.length).toBeGreaterThan(0);
    expect((await readdir(join(original, 'tags'))).filter((n) => n.endsWith('.pack'))).toEqual([]);

    let cutShort = 0;
    /** Runs killed mid-way: some articles packed, others not yet. */
    let midway = 0;
    for (let run = 0; run < RUNS; run++) {
      const dir = join(work, `run${run}`);
      execFileSync('cp', ['-a', original, dir]);
      const delay = Math.floor(Math.random() * 1500);
      if (!(await runAndKill(dir, delay))) cutShort++;
      const listed = await readdir(join(dir, 'tags'));
      const packs = listed.filter((n) => n.endsWith('.pack')).length;
      if (packs > 0 && packs < ARTICLES) midway++;
      // Every second time, a start of the server; otherwise a read-only reader (export), which
      // reads what the kill left as it is.
      const again = await Store.open(dir, [], { readOnly: run % 2 === 0 });
      await again.ready;
      expect(contents(again, articleIds), `run ${run}, killed ${delay} ms after opening (tags/ held ${listed.length} entries)`).toEqual(expected);
      await again.close();
      if (run % 2 === 1) {
        const after = await readdir(join(dir, 'tags'));
        expect(after.filter((n) => !n.endsWith('.pack')), 'every folder packed').toEqual([]);
        const reopened = await Store.open(dir, []);
        await reopened.ready;
        expect(contents(reopened, articleIds)).toEqual(expected);
        await reopened.close();
      }
      await rm(dir, { recursive: true, force: true });
    }
    console.log(`upgrade crash test: ${cutShort} of ${RUNS} upgrades killed before they were done, ${midway} of them mid-way`);
    expect(midway).toBeGreaterThan(0);
  },
  240_000,
);
