// First start (issue 15): `npm start` on a built tree, as a newcomer runs it, until the sign-in
// page answers 200 (polled every 100 ms, as a person reloading would see it), on an empty data
// folder (the demo is created) and again on that folder (a restart), each a median of 3, beside
// the start of a bare `node -e ''` measured in the same run. The target (< 3 s) is on wall time,
// the time a person waits, so the load average is printed with it; beside it, the CPU time the
// whole process tree (npm, the start script, the server) had used by then, which a busy machine
// stretches far less.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { median } from './timing.js';

export interface Start {
  /** Milliseconds from spawning `npm start` to the first 200 on /signin. */
  ms: number;
  /** CPU milliseconds (user + system) npm, the start script and the server had used by then. */
  cpuMs: number;
}

export interface FirstStartFigures {
  /** Medians: on an empty folder, and restarted on it. */
  first: Start;
  restart: Start;
  /** Milliseconds from spawning `node -e ''` to its exit. */
  bareNodeMs: number;
  load: string;
}

const RUNS = 3;
const POLL_MS = 100;
const TIMEOUT_MS = 120_000;

/**
 * CPU milliseconds used so far by process `root` and its live descendants (Linux /proc), with
 * what their waited-for children used. Followed by parent, not by process group: npm and
 * `framelens serve` each start their child in a group of its own.
 */
function treeCpuMs(root: number): number {
  const processes: { pid: number; ppid: number; ticks: number }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone since the listing
    }
    // Fields after the command name (which may hold spaces): state ppid … utime(11) stime(12) cutime(13) cstime(14).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    processes.push({ pid: Number(name), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]) });
  }
  const inTree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of processes) {
      if (!inTree.has(p.pid) && inTree.has(p.ppid)) {
        inTree.add(p.pid);
        grew = true;
      }
    }
  }
  return processes.filter((p) => inTree.has(p.pid)).reduce((sum, p) => sum + p.ticks, 0) * 10; // USER_HZ is 100 on Linux
}

function bareNode(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve(performance.now() - started));
  });
}

/** `npm start` in `root` on `dataDir` until /signin answers 200; the server is stopped after. */
async function npmStart(root: string, dataDir: string): Promise<Start> {
  const started = performance.now();
  const child = spawn('npm', ['start'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: npm and the start script are stopped together (the server follows its parent)
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
        if (status === 200) return { ms: performance.now() - started, cpuMs: child.pid === undefined ? NaN : treeCpuMs(child.pid) };
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
}

export async function firstStartBench(root: string, log: (...args: unknown[]) => void): Promise<FirstStartFigures> {
  const first: Start[] = [];
  const restart: Start[] = [];
  const bare: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dataDir = await mkdtemp(join(tmpdir(), 'framelens-first-start-'));
    try {
      bare.push(await bareNode());
      first.push(await npmStart(root, dataDir));
      restart.push(await npmStart(root, dataDir));
      const shown = (x: Start | undefined) => `${x?.ms.toFixed(0)} ms (CPU ${x?.cpuMs.toFixed(0)} ms)`;
      log(`  start ${i + 1}: empty folder ${shown(first.at(-1))}, restart ${shown(restart.at(-1))}; node -e '' ${bare.at(-1)?.toFixed(0)} ms · load ${loadavg()[0]?.toFixed(1)}`);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  const middle = (xs: Start[]): Start => ({ ms: median(xs.map((x) => x.ms)), cpuMs: median(xs.map((x) => x.cpuMs)) });
  return { first: middle(first), restart: middle(restart), bareNodeMs: median(bare), load: loadavg().map((x) => x.toFixed(1)).join(' ') };
}
