// A tool for working on the journal's restart row without the whole bench: `prepare` generates the
// bench study in DIR, fills the journal to its limit with bench/fill-journal.ts and kills it (the
// crash), then keeps a copy of the crashed folder; `start` copies that folder afresh and times the
// real server's start on it (server CPU at "All tags are loaded"), then the same start again with
// the journal checkpointed away. Figures print with the load average beside them.
// Usage: node --import tsx bench/journal-restart.ts prepare DIR
//        node --import tsx bench/journal-restart.ts start DIR [RUNS] [-- node flags]
import { spawn, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { garbageCollectionFlags } from '../server/runtime.js';
import { JOURNAL_LIMITS } from '../server/storage/journal.js';
import { spawnServer, stopServer, waitForLine } from './http.js';
import { generateStudy } from './study.js';

const ROOT = resolve(import.meta.dirname, '..');
const STUDY = { articles: 1000, sentences: 30, annotators: 20, tags: 200_000, seed: 20251129 };
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');

async function prepare(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await generateStudy(join(dir, 'data'), STUDY);
  const child = spawn(process.execPath, [...garbageCollectionFlags(), '--import', 'tsx', join(ROOT, 'bench/fill-journal.ts'), join(dir, 'data'), String(JOURNAL_LIMITS.maxBytes)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  await new Promise<void>((done) => child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c).includes('\nfull\n') && done()));
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  console.log(out.split('\n')[0]);
  execFileSync('cp', ['-a', join(dir, 'data'), join(dir, 'crashed')]);
  execFileSync('sync');
}

async function timed(dataDir: string, flags: string[]): Promise<{ cpu: number; wall: number; line: string }> {
  const env = { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production' };
  const server = await spawnServer([...garbageCollectionFlags(), ...flags, join(process.env.DIST ?? join(ROOT, 'dist'), 'server/cli.js'), 'serve'], env, /on http:\/\/127\.0\.0\.1:(\d+)/, '/signin');
  const wall = await waitForLine(server, /^All tags are loaded/, 300_000);
  const line = server.output.find((l) => l.startsWith('All tags are loaded')) ?? '';
  const cpu = 1000 * Number(/([\d.]+) s of CPU\.$/.exec(line)?.[1]);
  const deadline = performance.now() + 300_000;
  while ((await readdir(join(dataDir, 'journal')).catch(() => [])).length > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const t = performance.now();
  await stopServer(server);
  if (performance.now() - t > 5000) console.log(`(stopping took ${(performance.now() - t).toFixed(0)} ms)`);
  return { cpu, wall, line };
}

async function start(dir: string, runs: number, flags: string[]): Promise<void> {
  const run = join(dir, 'run');
  for (let i = 0; i < runs; i++) {
    await rm(run, { recursive: true, force: true });
    execFileSync('cp', ['-a', join(dir, 'crashed'), run]);
    execFileSync('sync');
    const before = load();
    const crashed = await timed(run, flags);
    const clean = process.env.CRASH_ONLY ? null : await timed(run, flags);
    const baseline = clean ? ` · no journal ${clean.cpu.toFixed(0)} ms CPU (${clean.wall.toFixed(0)} wall)` : '';
    console.log(`crash start ${crashed.cpu.toFixed(0)} ms CPU (${crashed.wall.toFixed(0)} wall)${baseline} · load ${before} → ${load()}`);
  }
}

const [mode, dir, ...rest] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: journal-restart.ts prepare|start DIR [RUNS] [-- flags]');
if (mode === 'prepare') await prepare(resolve(dir));
else if (mode === 'start') {
  const dash = rest.indexOf('--');
  const runs = Number(rest[0] ?? 3) || 3;
  if (!existsSync(join(dir, 'crashed'))) throw new Error(`${dir}: run prepare first`);
  await start(resolve(dir), runs, dash >= 0 ? rest.slice(dash + 1) : []);
} else throw new Error(`unknown mode ${mode}`);
