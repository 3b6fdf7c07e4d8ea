// First start (issue 15): `npm start` on a built tree, as a newcomer runs it, until the sign-in
// page answers 200 (polled every 100 ms, as a person reloading would see it), on an empty data
// folder (the demo is created) and again on that folder (a restart), each a median of 3, beside
// the start of a bare `node -e ''` measured in the same run. The target (< 3 s) is on wall time,
// the time a person waits, so the load average is printed with it.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './timing.js';

export interface FirstStartFigures {
  /** Milliseconds from spawning `npm start` to the first 200 on /signin, empty folder and restart. */
  firstMs: number;
  restartMs: number;
  /** Milliseconds from spawning `node -e ''` to its exit. */
  bareNodeMs: number;
  load: string;
}

const RUNS = 3;
const POLL_MS = 100;
const TIMEOUT_MS = 120_000;

function bareNode(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve(performance.now() - started));
  });
}

/** `npm start` in `root` on `dataDir`: milliseconds until /signin answers 200; the server is stopped after. */
async function npmStart(root: string, dataDir: string): Promise<number> {
  const started = performance.now();
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: npm, and the server it starts, are stopped together
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  try {
    for (;;) {
      if (performance.now() - started > TIMEOUT_MS) throw new Error(`npm start: no 200 on /signin within ${TIMEOUT_MS} ms:\n${output}`);
      if (child.exitCode !== null) throw new Error(`npm start exited (${child.exitCode}):\n${output}`);
      const port = /starting on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
      if (port) {
        const status = await fetch(`http://127.0.0.1:${port}/signin`, { redirect: 'manual' }).then(
          (r) => r.arrayBuffer().then(() => r.status),
          () => 0,
        );
        if (status === 200) return performance.now() - started;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
}

export async function firstStartBench(root: string, log: (...args: unknown[]) => void): Promise<FirstStartFigures> {
  const first: number[] = [];
  const restart: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dataDir = await mkdtemp(join(tmpdir(), 'framelens-first-start-'));
    try {
      bare.push(await bareNode());
      first.push(await npmStart(root, dataDir));
      restart.push(await npmStart(root, dataDir));
      log(`  start ${i + 1}: empty folder ${first.at(-1)?.toFixed(0)} ms, restart ${restart.at(-1)?.toFixed(0)} ms; node -e '' ${bare.at(-1)?.toFixed(0)} ms · load ${loadavg()[0]?.toFixed(1)}`);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  return { firstMs: median(first), restartMs: median(restart), bareNodeMs: median(bare), load: loadavg().map((x) => x.toFixed(1)).join(' ') };
}
