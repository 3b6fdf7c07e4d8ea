// express-rate-limit's counters in PostgreSQL, so that a limit holds across every server on the
// database: a fixed window per key, counted by one statement that opens a new window when the
// last one has closed. (@acpr/rate-limit-postgresql does the same job but brings a pinned pg
// 8.11, a pool and a migration tool of its own; this is one table in our migrations over our pool.)
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type pg from 'pg';

/** Closed windows are deleted this often. */
const PRUNE_MS = 10 * 60 * 1000;

/** $1 the key, $2 now and $3 the window (epoch milliseconds). */
const INCREMENT = `INSERT INTO rate_limits (key, hits, reset_at) VALUES ($1, 1, $2::bigint + $3::bigint)
  ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN rate_limits.reset_at <= $2::bigint THEN 1 ELSE rate_limits.hits + 1 END,
    reset_at = CASE WHEN rate_limits.reset_at <= $2::bigint THEN $2::bigint + $3::bigint ELSE rate_limits.reset_at END
  RETURNING hits, reset_at::text AS reset_at`;

function info(row: { hits: number; reset_at: string } | undefined): ClientRateLimitInfo | undefined {
  return row ? { totalHits: row.hits, resetTime: new Date(Number(row.reset_at)) } : undefined;
}

/** One limiter's counters (express-rate-limit wants a store per limiter); `prefix` keeps its keys apart. */
export class PostgresRateLimitStore implements Store {
  readonly localKeys = false;
  readonly prefix: string;
  readonly #pool: pg.Pool;
  #windowMs = 60_000;
  #pruneTimer: NodeJS.Timeout | null = null;

  constructor(pool: pg.Pool, prefix: string) {
    this.#pool = pool;
    this.prefix = prefix;
  }

  init(options: Pick<Options, 'windowMs'>): void {
    this.#windowMs = options.windowMs;
    this.#pruneTimer ??= setInterval(() => void this.#prune().catch(() => {}), PRUNE_MS).unref();
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const { rows } = await this.#pool.query<{ hits: number; reset_at: string }>(
      'SELECT hits, reset_at::text AS reset_at FROM rate_limits WHERE key = $1 AND reset_at > $2',
      [this.prefix + key, Date.now()],
    );
    return info(rows[0]);
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const { rows } = await this.#pool.query<{ hits: number; reset_at: string }>(INCREMENT, [this.prefix + key, Date.now(), this.#windowMs]);
    const counted = info(rows[0]);
    if (!counted) throw new Error('the rate-limit counter was not returned');
    return counted;
  }

  async decrement(key: string): Promise<void> {
    await this.#pool.query('UPDATE rate_limits SET hits = hits - 1 WHERE key = $1 AND hits > 0 AND reset_at > $2', [this.prefix + key, Date.now()]);
  }

  async resetKey(key: string): Promise<void> {
    await this.#pool.query('DELETE FROM rate_limits WHERE key = $1', [this.prefix + key]);
  }

  /** Forgets every key of this limiter that starts with `start` (an account's counts from every address). */
  async resetKeysStartingWith(start: string): Promise<void> {
    const pattern = `${(this.prefix + start).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    await this.#pool.query('DELETE FROM rate_limits WHERE key LIKE $1', [pattern]);
  }

  async reachedUntil(start: string, limit: number): Promise<Date | null> {
    const pattern = `${(this.prefix + start).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const { rows } = await this.#pool.query<{ until: string | null }>(
      'SELECT max(reset_at)::text AS until FROM rate_limits WHERE key LIKE $1 AND hits >= $2 AND reset_at > $3',
      [pattern, limit, Date.now()],
    );
    const until = rows[0]?.until;
    return until ? new Date(Number(until)) : null;
  }

  async resetAll(): Promise<void> {
    const pattern = `${this.prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    await this.#pool.query('DELETE FROM rate_limits WHERE key LIKE $1', [pattern]);
  }

  shutdown(): void {
    if (this.#pruneTimer) clearInterval(this.#pruneTimer);
    this.#pruneTimer = null;
  }

  async #prune(): Promise<void> {
    await this.#pool.query('DELETE FROM rate_limits WHERE reset_at <= $1 AND key LIKE $2', [Date.now(), `${this.prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`]);
  }
}
