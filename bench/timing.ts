// The benches' CPU-timing loop, in one place: a task run once to warm up, then `runs` times after
// a garbage collection each (when node runs with --expose-gc, as `npm run bench` does), timed on
// CPU (the machines are shared: CPU time moves less with the load than wall time) and wall clock.

export interface Timing {
  wallMs: number;
  cpuMs: number;
}

/** The median of `xs` (NaN for none); an even count gives the mean of the middle two. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

/** Median wall and CPU milliseconds of `runs` runs of `task` after one warm-up. */
export function time(runs: number, task: () => unknown): Timing {
  task();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    globalThis.gc?.();
    const c = process.cpuUsage();
    const t = performance.now();
    task();
    wall.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wallMs: median(wall), cpuMs: median(cpu) };
}
