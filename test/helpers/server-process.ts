// A server in a Node process of its own, as `framelens serve` or `npm start` runs it, and the lines
// it prints: tests wait for a line (the address it serves on, "All tags are loaded", a set-up link)
// instead of for a time, so that a slow start on a loaded machine only takes longer.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ServerProcess {
  child: ChildProcess;
  /** Every line printed so far, on standard output and standard error. */
  lines: string[];
  /** The first line printed that matches `pattern`; fails, with the output so far, if the process exits or the time runs out first. */
  line: (pattern: RegExp, timeoutMs?: number) => Promise<string>;
  /** The exit code (null after a signal), and when it came (`performance.now()`). */
  exited: Promise<{ code: number | null; at: number }>;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves once it has exited. */
  stop: (graceMs?: number) => Promise<void>;
}

/** Runs `node ARGS` with `env` added to this process's environment; `timeoutMs` is `line()`'s default wait. */
export function spawnServer(args: string[], env: Record<string, string>, { timeoutMs = 60_000 } = {}): ServerProcess {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) createInterface({ input: stream }).on('line', (l) => lines.push(l));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once('exit', (code) => resolve({ code, at: performance.now() })));
  const running = () => child.exitCode === null && child.signalCode === null;

  const line = async (pattern: RegExp, wait = timeoutMs): Promise<string> => {
    const deadline = Date.now() + wait;
    for (;;) {
      const found = lines.find((l) => pattern.test(l));
      if (found !== undefined) return found;
      if (!running() || Date.now() > deadline) {
        throw new Error(`no line matching ${pattern} (exit code ${child.exitCode}); output so far:\n${lines.join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  const stop = async (graceMs = 20_000): Promise<void> => {
    if (running()) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    }
    await exited;
  };

  return { child, lines, line, exited, stop };
}
