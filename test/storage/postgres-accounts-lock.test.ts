// A change to the accounts on PostgreSQL takes the instance row's lock, then reads the accounts:
// when it had to wait for another server's change, it must see that change. (Read in the locking
// statement, the users were those of the moment the statement began, before the wait: two
// set-ups sent at once through two servers both made an administrator.)
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresDatabase } from '../../server/storage/postgres/index.js';
import { loadShippedCodebooks } from '../../server/storage/shipped-codebooks.js';
import { createDatabase, postgresUrl, type TestDatabase } from '../helpers/postgres.js';

const SLOW = 120_000;

describe.skipIf(postgresUrl === null)('account changes on PostgreSQL, one server waiting for another', () => {
  let database: TestDatabase;
  let store: PostgresDatabase;

  beforeAll(async () => {
    database = await createDatabase('accounts_lock');
    store = await PostgresDatabase.open(database.url, await loadShippedCodebooks(), { max: 2 });
  }, SLOW);

  afterAll(async () => {
    await store?.close();
    await database?.drop();
  }, SLOW);

  it('sees the account another server committed while it waited for the lock', async () => {
    // The other server: holds the accounts' lock, adds an administrator, commits.
    const other = new pg.Client({ connectionString: database.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT 1 FROM instance FOR UPDATE');
      let seen: string[] | null = null;
      const waiting = store.updateAccounts((accounts) => {
        seen = accounts.users.map((u) => u.name);
      });
      // The change is now waiting for the lock (it cannot have read anything yet).
      await new Promise((r) => setTimeout(r, 500));
      expect(seen).toBeNull();
      await other.query(
        `INSERT INTO users (id, position, name, role, password_hash, created_at, admin) VALUES ('u-first', 0, 'Rita', 'researcher', 'x', '2026-01-01T00:00:00.000Z', true)`,
      );
      await other.query('COMMIT');
      await waiting;
      expect(seen).toEqual(['Rita']);
    } finally {
      await other.end();
    }
  }, SLOW);
});
