// How V8 collects garbage on the machine Framelens runs on: set once, as a command starts.
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';

/**
 * With two cores or fewer, V8's parallel scavenges (the young-generation collections, every few
 * dozen milliseconds under load) wait for helper threads that compete for the same cores with
 * the request thread, the disk and everything else on the machine. On the 2-core machines
 * Framelens is measured on, a tag save under 50 clients cost the server 0.5–0.65 ms of CPU with
 * those helpers and 0.35–0.43 ms without (`npm run bench`, runs taking turns), so there
 * scavenges run on the main thread alone. Since the server stopped Express's prototype change
 * from filling scavenges (web/http-server.ts) they are smaller, and so is the gap: 0.40–0.52 ms
 * with helpers, 0.36–0.40 ms without. V8 reads this flag at every scavenge, so setting it
 * while running is safe (unlike --single-threaded-gc, which aborts V8 when set after start).
 */
export function tuneGarbageCollection(cpus = availableParallelism()): boolean {
  if (cpus > 2) return false;
  setFlagsFromString('--no-parallel-scavenge');
  return true;
}
