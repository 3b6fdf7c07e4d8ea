// kill -9 a process saving tags through the Store (journal with group commit, checkpoints all
// through the run) at random moments; the next open must replay the journal, find every file
// valid and every tag whose save was acknowledged.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { Store } from '../../server/storage/store.js';
import { ANNOTATORS } from './fixtures/tagger.js';

const TAGGER = fileURLToPath(new URL('./fixtures/tagger.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = Number(process.env.JOURNAL_CRASH_RUNS ?? 12);
const ARTICLE = 'crash-article';
const TEXT = 'Officials allegedly said the so-called reforms were a Western-backed coup. '.repeat(6).trim();

let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs the tagger, SIGKILLs it `delayMs` after it is ready; returns the saves it acknowledged. */
function runAndKill(run: string, delayMs: number): Promise<{ annotator: string; id: string }[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', TAGGER, dir, ARTICLE, run], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (!killed && out.startsWith('ready\n')) {
        killed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`tagger exited early (${code}): ${err}`));
      // Only complete lines count: a line cut off by the kill was not fully reported.
      const lines = out.slice(0, out.lastIndexOf('\n') + 1).split('\n').filter((l) => l !== '' && l !== 'ready');
      resolve(lines.map((line) => {
        const [k, id] = line.split(' ');
        return { annotator: `${run}k${k}`, id: id ?? '' };
      }));
    });
  });
}

test(
  `${RUNS} kill -9s of a tagging process: the journal replays every acknowledged tag`,
  async () => {
    dir = await mkdtemp(join(tmpdir(), 'framelens-journal-crash-'));
    const setup = await Store.open(dir, []);
    await setup.createArticle({
      id: ARTICLE, projectId: 'p', title: 'Crash', source: '', url: '', publishedAt: '',
      text: TEXT, sentences: [{ start: 0, end: TEXT.length }], createdAt: '2026-11-30T00:00:00.000Z', createdBy: 'u',
    });
    await setup.close();

    const acknowledged: { annotator: string; id: string }[] = [];
    let replayedSegments = 0;
    for (let run = 0; run < RUNS; run++) {
      const delay = 50 + Math.floor(Math.random() * 550);
      acknowledged.push(...(await runAndKill(`r${run}`, delay)));
      replayedSegments += (await readdir(join(dir, 'journal'))).length;

      // Every second time the folder is opened as the server opens it (reading the journal over
      // the shards, validating every file, then checkpointing); otherwise read-only, which leaves
      // the journal for the next run: it then starts on a journal left by two crashes.
      const store = await Store.open(dir, [], { readOnly: run % 2 === 0 });
      await store.ready;
      const lost = acknowledged.filter(({ annotator, id }) => !store.annotation(ARTICLE, annotator).tags.some((t) => t.id === id));
      expect(lost, `run ${run}, killed ${delay} ms after ready`).toEqual([]);
      if (run % 2 === 1) {
        await store.afterReplay;
        expect(await readdir(join(dir, 'journal')), 'the checkpoint after the replay deleted the segments').toEqual([]);
        await store.close();
      }
    }
    console.log(`journal crash test: ${acknowledged.length} acknowledged tags over ${RUNS} kills, ${replayedSegments} journal segments replayed, ${ANNOTATORS} annotators per run`);
    expect(acknowledged.length).toBeGreaterThan(RUNS);
    expect(replayedSegments).toBeGreaterThan(0);
  },
  120_000,
);
