// Browser sessions in PostgreSQL, for several servers on one database: what the JSON folder's
// session log (session-log.ts) is to one process. A session started through one server is
// accepted by every other; a sign-out, a password change or a lesson's deletion ends it on all.
// Expiry is idle expiry, as in the folder: each use moves it on, and those moves are written in
// batches (a minute apart at most), not on every request.
import type pg from 'pg';
import { z } from 'zod';
import { sessionRecord } from '../schemas.js';
import { requestReads, type RequestReads } from './request-reads.js';
import type { SessionRecord } from '../session-log.js';

/** A session row as read back: its record, validated as the session log validates its lines. */
const sessionRow = z.object({ expires: z.union([z.string(), z.number()]).transform(Number), data: z.unknown() });

/** Expired sessions are deleted this often (each server at a random point in the period). */
const PRUNE_MS = 15 * 60 * 1000;

export interface PostgresSessionsOptions {
  /** How long a batch of expiry moves may wait before it is written. */
  touchFlushMs: number;
}

export class PostgresSessions {
  readonly #pool: pg.Pool;
  readonly #touchFlushMs: number;
  /** Expiry moves not written yet: sid → the new expiry. */
  #touches = new Map<string, number>();
  #touchTimer: NodeJS.Timeout | null = null;
  #pruneTimer: NodeJS.Timeout | null = null;
  /**
   * Every request reads its session: those asked at once are read by one statement, the one that
   * reads the change counters for the same requests (request-reads.ts).
   */
  readonly #reads: RequestReads;

  constructor(pool: pg.Pool, options: PostgresSessionsOptions) {
    if (!(options.touchFlushMs > 0)) throw new RangeError('touchFlushMs must be positive');
    this.#pool = pool;
    this.#reads = requestReads(pool);
    this.#touchFlushMs = options.touchFlushMs;
    this.#schedulePrune();
  }

  /** The live session `sid`, or undefined (unknown, ended, or expired). */
  async get(sid: string, now = Date.now()): Promise<SessionRecord | undefined> {
    const found = await this.#reads.session(sid);
    if (found === undefined) return undefined;
    const row = sessionRow.parse(found);
    const expires = Math.max(row.expires, this.#touches.get(sid) ?? 0);
    if (expires <= now) return undefined;
    return sessionRecord.parse({ expires, data: row.data });
  }

  /**
   * Stores a session; when it is new and has a client address, the address's least recently used
   * sessions beyond `perAddress` end (a class shares one address, so the cap is generous).
   */
  async set(sid: string, record: SessionRecord, perAddress: number): Promise<void> {
    const checked = sessionRecord.parse(record);
    const { data } = checked;
    const { rows } = await this.#pool.query<{ inserted: boolean }>(
      `INSERT INTO sessions (sid, expires, data, user_id, activity_id, address) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (sid) DO UPDATE SET expires = excluded.expires, data = excluded.data, user_id = excluded.user_id,
         activity_id = excluded.activity_id, address = excluded.address
       RETURNING (xmax = 0) AS inserted`,
      [sid, checked.expires, JSON.stringify(data), data.userId ?? null, data.student?.activityId ?? null, data.address ?? null],
    );
    this.#touches.delete(sid);
    if (rows[0]?.inserted && data.address !== undefined) {
      await this.#pool.query(
        `DELETE FROM sessions WHERE sid IN (
           SELECT sid FROM sessions WHERE address = $1 ORDER BY expires DESC OFFSET $2)`,
        [data.address, perAddress],
      );
    }
  }

  /** Moves a session's expiry on; written with the next batch. */
  touch(sid: string, expires: number): void {
    this.#touches.set(sid, Math.max(expires, this.#touches.get(sid) ?? 0));
    this.#touchTimer ??= setTimeout(() => void this.flushTouches().catch(() => {}), this.#touchFlushMs).unref();
  }

  /** Writes the waiting expiry moves in one statement. */
  async flushTouches(): Promise<void> {
    if (this.#touchTimer) clearTimeout(this.#touchTimer);
    this.#touchTimer = null;
    if (this.#touches.size === 0) return;
    const touches = this.#touches;
    this.#touches = new Map();
    await this.#pool.query(
      `UPDATE sessions s SET expires = greatest(s.expires, t.expires)
       FROM unnest($1::text[], $2::bigint[]) AS t(sid, expires) WHERE s.sid = t.sid`,
      [[...touches.keys()], [...touches.values()]],
    );
  }

  async remove(sid: string): Promise<void> {
    this.#touches.delete(sid);
    await this.#pool.query('DELETE FROM sessions WHERE sid = $1', [sid]);
  }

  /** Ends every session of a user but `except` (after a password change or reset). */
  async removeOfUser(userId: string, except?: string): Promise<void> {
    await this.#pool.query('DELETE FROM sessions WHERE user_id = $1 AND sid IS DISTINCT FROM $2', [userId, except ?? null]);
  }

  /** Ends every student session of a lesson (its students were deleted). */
  async removeOfActivity(activityId: string): Promise<void> {
    await this.#pool.query('DELETE FROM sessions WHERE activity_id = $1', [activityId]);
  }

  /** Deletes the sessions that expired; returns how many. */
  async prune(now = Date.now()): Promise<number> {
    const { rowCount } = await this.#pool.query('DELETE FROM sessions WHERE expires <= $1', [now]);
    return rowCount ?? 0;
  }

  #schedulePrune(): void {
    // Servers started together prune at different moments.
    const delay = PRUNE_MS * (0.5 + Math.random());
    this.#pruneTimer = setTimeout(() => {
      void this.prune()
        .catch(() => {})
        .finally(() => {
          if (this.#pruneTimer) this.#schedulePrune();
        });
    }, delay).unref();
  }

  /** Writes the waiting expiry moves and stops the timers (the pool is the caller's to end). */
  async close(): Promise<void> {
    if (this.#pruneTimer) clearTimeout(this.#pruneTimer);
    this.#pruneTimer = null;
    await this.flushTouches();
  }
}
