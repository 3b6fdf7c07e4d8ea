// The two reads every request makes before its route runs, the change counters (changes.ts) and
// its session (sessions.ts), sent as one statement for all the requests asking at once: one round
// trip (one socket write, one wake-up of the database's process) where there were two. As with
// every Batched read, a call is answered only by a statement sent after it was made, so each sees
// every commit made before it asked: read-your-writes across servers holds for both.
//
// One per pool: the store's counters and the session store share it without knowing each other.
import type pg from 'pg';
import { Batched } from './batch.js';

/** A table's change counters. */
export interface Seen {
  version: number;
  deletions: number;
}

/** The counters of every table, and the sessions asked for (a sid left out has no row). */
const READ = `SELECT true AS counter, name AS key, version::float8 AS version, deletions::float8 AS deletions, NULL::bigint AS expires, NULL::json AS data
    FROM framelens_changes
  UNION ALL
  SELECT false, sid, NULL, NULL, expires, data FROM sessions WHERE sid = ANY($1::text[])`;

interface Row {
  counter: boolean;
  key: string;
  version: number | null;
  deletions: number | null;
  expires: string | null;
  data: unknown;
}

/** A key of the batch: the counters, or one session. */
const COUNTERS = 'counters';
const sessionKey = (sid: string) => `session:${sid}`;

type Answer = { counters: Partial<Record<string, Seen>> } | { session: { expires: string | null; data: unknown } };

export class RequestReads {
  readonly #batch: Batched<string, Answer>;

  constructor(pool: pg.Pool) {
    this.#batch = new Batched(async (keys) => {
      const sids = keys.filter((k) => k !== COUNTERS).map((k) => k.slice(sessionKey('').length));
      const { rows } = await pool.query<Row>({ name: 'framelens-request-reads', text: READ, values: [sids] });
      const counters: Partial<Record<string, Seen>> = {};
      const answers = new Map<string, Answer>([[COUNTERS, { counters }]]);
      for (const row of rows) {
        if (row.counter) counters[row.key] = { version: Number(row.version), deletions: Number(row.deletions) };
        else answers.set(sessionKey(row.key), { session: { expires: row.expires, data: row.data } });
      }
      return answers;
    });
  }

  /** Every table's counters (a table the schema lacks is missing, and counts as moved). */
  async counters(): Promise<Partial<Record<string, Seen>>> {
    const answer = await this.#batch.get(COUNTERS);
    return answer && 'counters' in answer ? answer.counters : {};
  }

  /** The session row `sid` ({ expires, data } as stored), or undefined when there is none. */
  async session(sid: string): Promise<{ expires: string | null; data: unknown } | undefined> {
    const answer = await this.#batch.get(sessionKey(sid));
    return answer && 'session' in answer ? answer.session : undefined;
  }
}

const byPool = new WeakMap<pg.Pool, RequestReads>();

/** The pool's one RequestReads. */
export function requestReads(pool: pg.Pool): RequestReads {
  let reads = byPool.get(pool);
  if (!reads) {
    reads = new RequestReads(pool);
    byPool.set(pool, reads);
  }
  return reads;
}
