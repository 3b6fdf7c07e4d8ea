// kill -9 a writer at random moments; every file must stay valid and keep every
// item the writer was told had been saved.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { DurableJSONFile } from '../../server/storage/durable-file.js';
import { PADS, parseItems } from './fixtures/writer.js';

const WRITER = fileURLToPath(new URL('./fixtures/writer.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = 20;

let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs the writer, SIGKILLs it `delayMs` after it is ready, returns the ids it acknowledged. */
function runAndKill(run: number, delayMs: number): Promise<{ acked: string[]; staleRemoved: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, `r${run}`], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let staleRemoved = 0;
    let killed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const ready = /^ready (\d+)\n/.exec(out);
      if (ready && !killed) {
        killed = true;
        staleRemoved = Number(ready[1]);
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited early (${code}): ${err}`));
      // Only complete lines count: a line cut off by the kill was not fully reported.
      const lines = out.slice(0, out.lastIndexOf('\n') + 1).split('\n');
      resolve({ acked: lines.filter((l) => l !== '' && !l.startsWith('ready')), staleRemoved });
    });
  });
}

test(
  `${RUNS} kill -9s in a row leave valid files holding every acknowledged item`,
  async () => {
    dir = await mkdtemp(join(tmpdir(), 'framelens-crash-'));
    const acknowledged = new Set<string>();
    let staleTemps = 0;
    for (let run = 0; run < RUNS; run++) {
      const delay = 50 + Math.floor(Math.random() * 550);
      const { acked, staleRemoved } = await runAndKill(run, delay);
      staleTemps += staleRemoved;
      for (const id of acked) acknowledged.add(id);

      const onDisk = new Set<string>();
      for (let s = 0; s < PADS.length; s++) {
        const file = await new DurableJSONFile(join(dir, `s${s}.json`), parseItems).read();
        for (const item of file?.items ?? []) onDisk.add(item.id);
      }
      const lost = [...acknowledged].filter((id) => !onDisk.has(id));
      expect(lost, `run ${run}, killed ${delay} ms after ready`).toEqual([]);
    }
    const names = await readdir(dir);
    const sizes = await Promise.all(
      PADS.map(async (_, s) => (await new DurableJSONFile(join(dir, `s${s}.json`), (d) => JSON.stringify(d)).read())?.length ?? 0),
    );
    console.log(
      `crash test: ${acknowledged.size} acknowledged items over ${RUNS} kills; shard sizes ${sizes.map((b) => `${Math.round(b / 1024)} KB`).join(', ')}; ` +
        `stale temp files cleaned at start-up: ${staleTemps}; left after last kill: ${names.filter((n) => n.endsWith('.tmp')).length}`,
    );
    expect(acknowledged.size).toBeGreaterThan(RUNS);
  },
  120_000,
);
