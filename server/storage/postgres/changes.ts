// What a server holding documents in memory needs to see other servers' changes (migration 005):
// the change counters of some tables, read with one statement, and a refresh that concurrent
// requests share without ever settling for a read that began before they asked.
import type pg from 'pg';
import { requestReads, type RequestReads, type Seen } from './request-reads.js';

/** A table's counters as a server last read them. */
export type { Seen };

/** Whether `now` shows a change to any of `tables` since `seen`. */
export function moved<T extends string>(tables: readonly T[], seen: Record<T, Seen>, now: Partial<Record<string, Seen>>): boolean {
  return tables.some((t) => now[t]?.version !== seen[t].version);
}

/** Before the first read: every row counts as changed. */
export const NOT_SEEN: Seen = { version: -1, deletions: -1 };

/** The counters of `tables`, as the connection (or the transaction it is in) sees them. */
export async function readCounters<T extends string>(client: pg.Pool | pg.PoolClient, tables: readonly T[]): Promise<Record<T, Seen>> {
  const { rows } = await client.query<{ name: string; version: number; deletions: number }>(
    'SELECT name, version::float8 AS version, deletions::float8 AS deletions FROM framelens_changes WHERE name = ANY($1::text[])',
    [tables],
  );
  const out: Partial<Record<T, Seen>> = {};
  for (const table of tables) {
    const row = rows.find((r) => r.name === table);
    if (!row) throw new Error(`framelens_changes has no row for ${table}: the schema is older than this code`);
    out[table] = { version: row.version, deletions: row.deletions };
  }
  return out as Record<T, Seen>;
}

/**
 * Every table's counters as of a statement sent after the call, shared by the calls made while the
 * last such statement was in flight: a request's check (its store's and its lessons') and those of
 * the requests running beside it cost one statement, not one each, and that statement reads their
 * sessions too (request-reads.ts).
 */
export class Counters {
  readonly #reads: RequestReads;

  constructor(pool: pg.Pool) {
    this.#reads = requestReads(pool);
  }

  /** The counters of every table (a table the schema lacks is missing, and counts as moved). */
  read(): Promise<Partial<Record<string, Seen>>> {
    return this.#reads.counters();
  }
}

/**
 * Runs `read` for whoever asks; a call made while a read runs waits for the next one (which
 * starts once that read ends, shared by every call made meanwhile), since the running read may
 * have begun before a change the caller must see.
 */
export class Refresh {
  readonly #read: () => Promise<void>;
  #running: Promise<void> | null = null;
  #next: Promise<void> | null = null;

  constructor(read: () => Promise<void>) {
    this.#read = read;
  }

  run(): Promise<void> {
    if (!this.#running) {
      this.#running = this.#read().finally(() => (this.#running = null));
      return this.#running;
    }
    this.#next ??= this.#running
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        this.#next = null;
        return this.run();
      });
    return this.#next;
  }
}
