// How V8 collects garbage on the machine Framelens serves from: flags given to Node as the
// process starts (`framelens serve` starts itself again with them when they are missing).
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

/**
 * With two cores or fewer, V8's parallel scavenges (the young-generation collections, every few
 * dozen milliseconds under load) wait for helper threads that compete for the same cores with
 * the request thread, the disk and everything else on the machine. On the 2-core machines
 * Framelens is measured on, a tag save under 50 clients cost the server 0.5–0.65 ms of CPU with
 * those helpers and 0.35–0.43 ms without (`npm run bench`, runs taking turns), so there
 * scavenges run on the main thread alone. Since the server stopped Express's prototype change
 * from filling scavenges (web/http-server.ts) they are smaller, and so is the gap: 0.40–0.52 ms
 * with helpers, 0.36–0.40 ms without. The flag is given on Node's command line: Node's
 * documentation warns that changing V8 flags after start (v8.setFlagsFromString) may crash.
 *
 * The young generation's size is left to V8 (semi-spaces of 1 MB growing to 16 MB in Node 20).
 * On a crash start of the bench's 200,000-tag study (issue 14) what the scavenges copy is the
 * tags being loaded, which live on, so a larger or smaller young generation changes how often
 * they are copied, not how much: `--trace-gc-nvp` up to "All tags are loaded" gave 17 scavenges
 * copying 58–60 MB by default, 23 copying 61–63 MB with `--max-semi-space-size=8`, 14–15 copying
 * 53–59 MB with 32 or 64, 8 copying 55 MB with `--min-semi-space-size=16` (one mark-compact
 * fewer), and the CPU at that line did not move beyond the machine's noise (medians of 6
 * alternating starts at load 5–10: 2,090 ms default, 2,090 with min 16, 2,300 with max 64, 2,315
 * with max 8). So no such flag is given: it would only cost memory.
 */
export function garbageCollectionFlags(cpus = availableParallelism()): string[] {
  return cpus > 2 ? [] : ['--no-parallel-scavenge'];
}

/** `flags` that Node was not started with. */
export function missingFlags(flags: string[], execArgv = process.execArgv): string[] {
  return flags.filter((flag) => !execArgv.includes(flag));
}

/**
 * Runs this same command again in a child Node started with `flags` added, and resolves with the
 * exit code to end with. The child gets this process's signals (SIGINT, SIGTERM, SIGHUP) and its
 * own process group, so that a Ctrl-C reaches it once, through here; it watches this process
 * through an IPC channel and stops by itself if this one dies (see `stopWithParent`). A child
 * killed by a signal makes this process end by the same signal.
 */
export function relaunch(flags: string[]): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...flags, ...process.argv.slice(1)], {
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of signals) process.on(signal, forward);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      for (const s of signals) process.off(s, forward);
      if (signal) {
        process.kill(process.pid, signal);
        return;
      }
      resolve(code ?? 1);
    });
  });
}

/**
 * In a child started by `relaunch`: calls `stop` when the parent dies (its IPC channel closes),
 * so that no server is left running on its own. The channel keeps no one waiting.
 */
export function stopWithParent(stop: () => void): void {
  if (!process.channel) return;
  process.channel.unref();
  process.once('disconnect', stop);
}
