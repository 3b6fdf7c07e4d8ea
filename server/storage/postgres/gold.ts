// Curated gold in PostgreSQL (GoldCollection), one row per article, kept in memory per server and
// brought up to date by refresh() (migration 005's counters). A change locks the article's row
// (made empty first when the article has none), so changes from every server apply one by one.
import type pg from 'pg';
import { GOLD_SCHEMA_VERSION, emptyGold, replacementBy, type Gold } from '../../core/curation/gold.js';
import { parseGoldFile } from '../../core/curation/schema.js';
import type { GoldCollection } from '../app-store.js';
import { ID } from '../schemas.js';
import { NotFoundError } from '../store.js';
import { NOT_SEEN, Refresh, moved, readCounters, type Seen } from './changes.js';

const TABLES = ['gold'] as const;
const FOREIGN_KEY_VIOLATION = '23503';

type Transaction = <T>(work: (client: pg.PoolClient) => Promise<T>, mode?: string) => Promise<T>;

const goldOf = (doc: unknown): Gold => parseGoldFile({ schemaVersion: GOLD_SCHEMA_VERSION, data: doc });

export class PostgresGold implements GoldCollection {
  readonly #pool: pg.Pool;
  readonly #transaction: Transaction;
  readonly #gold = new Map<string, Gold>();
  #seen: Seen = NOT_SEEN;
  readonly #refresh = new Refresh(() => this.#read());

  private constructor(pool: pg.Pool, transaction: Transaction) {
    this.#pool = pool;
    this.#transaction = transaction;
  }

  static async open(store: { pool: pg.Pool; transaction: Transaction }): Promise<PostgresGold> {
    const gold = new PostgresGold(store.pool, (work, mode) => store.transaction(work, mode));
    await gold.refresh();
    return gold;
  }

  /** The gold counter: it follows every change, from any server, as of the last refresh. */
  get version(): number {
    return this.#seen.version;
  }

  /** Brings gold up to date with every change committed before this call (see changes.ts). */
  refresh(): Promise<void> {
    return this.#refresh.run();
  }

  /** As refresh(), given the counters just read by the caller: nothing to do when they did not move. */
  async refreshIfMoved(now: Partial<Record<string, Seen>>): Promise<void> {
    if (moved(TABLES, { gold: this.#seen }, now)) await this.refresh();
  }

  async #read(): Promise<void> {
    const now = await readCounters(this.#pool, TABLES);
    if (now.gold.version === this.#seen.version) return;
    await this.#transaction(async (client) => {
      const { gold: counters } = await readCounters(client, TABLES);
      if (counters.deletions !== this.#seen.deletions) {
        const { rows } = await client.query<{ article_id: string }>('SELECT article_id FROM gold');
        const kept = new Set(rows.map((r) => r.article_id));
        for (const id of [...this.#gold.keys()]) if (!kept.has(id)) this.#gold.delete(id);
      }
      const { rows } = await client.query<{ doc: unknown }>('SELECT doc FROM gold WHERE changed > $1', [this.#seen.version]);
      for (const row of rows) {
        const gold = goldOf(row.doc);
        this.#gold.set(gold.articleId, gold);
      }
      this.#seen = counters;
    }, 'ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  gold(articleId: string): Gold {
    return this.#gold.get(articleId) ?? emptyGold(articleId);
  }

  has(articleId: string): boolean {
    return this.#gold.has(articleId);
  }

  async update(articleId: string, change: (gold: Gold) => void): Promise<void> {
    if (!ID.test(articleId)) throw new Error('invalid article id');
    const written = await this.#transaction(async (client) => {
      try {
        await client.query('INSERT INTO gold (article_id, doc) VALUES ($1, $2) ON CONFLICT (article_id) DO NOTHING', [articleId, JSON.stringify(emptyGold(articleId))]);
      } catch (error) {
        if (error instanceof Error && 'code' in error && error.code === FOREIGN_KEY_VIOLATION) throw new NotFoundError('That article no longer exists.');
        throw error;
      }
      const { rows } = await client.query<{ doc: unknown }>('SELECT doc FROM gold WHERE article_id = $1 FOR UPDATE', [articleId]);
      const gold = goldOf(rows[0]?.doc);
      change(gold);
      const checked = goldOf(gold);
      await client.query('UPDATE gold SET doc = $2 WHERE article_id = $1', [articleId, JSON.stringify(checked)]);
      return checked;
    });
    this.#gold.set(articleId, written);
  }

  async replace(articleId: string, gold: Gold): Promise<void> {
    await this.update(articleId, replacementBy(articleId, gold));
  }

  async remove(articleId: string): Promise<void> {
    if (!ID.test(articleId)) throw new Error('invalid article id');
    await this.#pool.query('DELETE FROM gold WHERE article_id = $1', [articleId]);
    this.#gold.delete(articleId);
  }
}
