// The garbage-collector flags `framelens serve` runs with (server/runtime.ts): given to Node at
// start, by starting again with them when they are missing, which must keep signals, the exit
// code and V8 itself working. The children here get explicit, generous timeouts: a busy machine
// makes them slow, never wrong.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { garbageCollectionFlags, missingFlags } from '../../server/runtime.js';

vi.setConfig({ testTimeout: 90_000 });

const FIXTURE = fileURLToPath(new URL('./fixtures/relaunched.ts', import.meta.url));

interface Run {
  child: ChildProcess;
  lines: string[];
  /** The first line matching `pattern`, waiting for it (fails if the process ends first). */
  line: (pattern: RegExp) => Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(cpus: number, mode: string, nodeFlags: string[] = []): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', ...nodeFlags, FIXTURE, String(cpus), mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  let ended = false;
  void exited.then(() => (ended = true));
  const waiting: (() => void)[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (l) => {
      lines.push(l);
      for (const w of waiting.splice(0)) w();
    });
  }
  const line = async (pattern: RegExp) => {
    for (;;) {
      const found = lines.find((l) => pattern.test(l));
      if (found !== undefined) return found;
      if (ended) throw new Error(`no line matching ${pattern}; output:\n${lines.join('\n')}`);
      await Promise.race([new Promise<void>((r) => waiting.push(r)), exited]);
    }
  };
  return { child, lines, line, exited };
}

/** The helper threads' milliseconds in each scavenge of process `pid` (from --trace-gc-nvp). */
function helperMs(lines: string[], pid: string): number[] {
  return lines
    .filter((l) => l.startsWith(`[${pid}:`) && l.includes('gc=s '))
    .map((l) => Number(/background\.scavenge\.parallel=([0-9.]+)/.exec(l)?.[1] ?? NaN));
}

/** Whether process `pid` has ended (gone, or a zombie its new parent has not reaped yet), waiting up to 30 s. */
async function endedOrZombie(pid: number): Promise<boolean> {
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => 'State:\tgone');
    if (/^State:\s+(Z|X|gone)/m.test(status)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('garbageCollectionFlags', () => {
  it('asks for scavenges without helper threads on two cores or fewer only', () => {
    expect(garbageCollectionFlags(1)).toEqual(['--no-parallel-scavenge']);
    expect(garbageCollectionFlags(2)).toEqual(['--no-parallel-scavenge']);
    expect(garbageCollectionFlags(4)).toEqual([]);
    expect(missingFlags(['--no-parallel-scavenge'], ['--import', 'tsx'])).toEqual(['--no-parallel-scavenge']);
    expect(missingFlags(['--no-parallel-scavenge'], ['--no-parallel-scavenge'])).toEqual([]);
  });
});

describe('starting again with the flags', () => {
  it('on two cores, the command runs again with the flag, its scavenges without helper threads', async () => {
    const r = run(2, 'allocate', ['--trace-gc-nvp']);
    const [, pid, argv] = /^child (\d+) (.*)$/.exec(await r.line(/^child /)) ?? [];
    expect(Number(pid)).not.toBe(r.child.pid);
    expect(JSON.parse(argv ?? '[]')).toEqual(['--import', 'tsx', '--trace-gc-nvp', '--no-parallel-scavenge']);
    expect(await r.exited).toEqual({ code: 0, signal: null });
    const helpers = helperMs(r.lines, pid ?? '');
    expect(helpers.length).toBeGreaterThan(5);
    expect(helpers.every((ms) => ms === 0)).toBe(true);
  });

  it('on more cores, it runs as it was started, and V8 keeps its parallel scavenges', async () => {
    const r = run(8, 'allocate', ['--trace-gc-nvp']);
    const [, pid] = /^child (\d+) /.exec(await r.line(/^child /)) ?? [];
    expect(Number(pid)).toBe(r.child.pid);
    expect(await r.exited).toEqual({ code: 0, signal: null });
    const helpers = helperMs(r.lines, pid ?? '');
    expect(helpers.length).toBeGreaterThan(5);
    // Helpers take part in some scavenges at least (V8 decides how many per scavenge).
    expect(helpers.some((ms) => ms > 0)).toBe(true);
  });

  it('passes SIGTERM on and ends with the exit code of the process it started', async () => {
    const r = run(2, 'wait');
    await r.line(/^ready$/);
    r.child.kill('SIGTERM');
    expect(await r.exited).toEqual({ code: 3, signal: null });
    expect(r.lines).toContain('stopping');
  });

  it('ends by the same signal as the process it started', async () => {
    const r = run(2, 'die');
    expect(await r.exited).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it.runIf(process.platform === 'linux')('a started process whose parent is killed stops by itself', async () => {
    const r = run(2, 'wait');
    const [, pid] = /^child (\d+) /.exec(await r.line(/^child /)) ?? [];
    await r.line(/^ready$/);
    r.child.kill('SIGKILL');
    // The child still holds the output pipe: its line arrives, then the pipe closes.
    await r.line(/^parent gone$/);
    await r.exited;
    expect(await endedOrZombie(Number(pid))).toBe(true);
  });
});
