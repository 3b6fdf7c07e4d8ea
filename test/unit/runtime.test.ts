// The garbage-collector setting every command applies as it starts (server/runtime.ts): on two
// cores or fewer scavenges run on the main thread alone, and setting that while V8 runs must
// neither crash it nor be silently ignored.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const RUNTIME = fileURLToPath(new URL('../../server/runtime.ts', import.meta.url));

/** Runs a child Node that tunes for `cpus`, then allocates enough to scavenge many times; returns its GC trace. */
function scavengeTrace(cpus: number): { status: number | null; tuned: string; helperMs: number[] } {
  const script = `
    import { tuneGarbageCollection } from ${JSON.stringify(RUNTIME)};
    console.log('tuned=' + tuneGarbageCollection(${cpus}));
    const live = [];
    for (let i = 0; i < 2e6; i++) { live.push({ i, s: 'x' + i }); if (live.length > 2e5) live.length = 0; }
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--trace-gc-nvp', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const lines = child.stdout.split('\n');
  const tunedAt = lines.findIndex((l) => l.startsWith('tuned='));
  // Only the scavenges after the call (loading tsx and the module scavenges too).
  const helperMs = lines
    .slice(tunedAt + 1)
    .filter((line) => line.includes('gc=s '))
    .map((line) => Number(/background\.scavenge\.parallel=([0-9.]+)/.exec(line)?.[1] ?? NaN));
  return { status: child.status, tuned: lines[tunedAt]?.slice(6) ?? '', helperMs };
}

// Each test runs a child node (tsx and 2e6 allocations): on a loaded machine that takes far more
// than vitest's default 5 s, so the tests wait as long as the child may run.
describe('tuneGarbageCollection', { timeout: 70_000 }, () => {
  it('on two cores, scavenges run without helper threads, and V8 goes on running', () => {
    const { status, tuned, helperMs } = scavengeTrace(2);
    expect(status).toBe(0);
    expect(tuned).toBe('true');
    expect(helperMs.length).toBeGreaterThan(5);
    expect(helperMs.every((ms) => ms === 0)).toBe(true);
  });

  it('on more cores, V8 keeps its parallel scavenges', () => {
    const { status, tuned, helperMs } = scavengeTrace(8);
    expect(status).toBe(0);
    expect(tuned).toBe('false');
    expect(helperMs.length).toBeGreaterThan(5);
    // Helpers take part in some scavenges at least (V8 decides how many per scavenge).
    expect(helperMs.some((ms) => ms > 0)).toBe(true);
  });
});
