// PostgreSQL's schema: numbered migrations applied once under an advisory lock (servers starting
// together do not race), a schema newer than the code stops it with a clear message, and so does
// a migration edited after it was applied.
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR, PostgresDatabase, SchemaError, loadMigrations, migrateSchema } from '../../server/storage/postgres/index.js';
import { createDatabase, postgresUrl, type TestDatabase } from '../helpers/postgres.js';

const SLOW = 120_000;

describe.skipIf(postgresUrl === null)('the PostgreSQL schema', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  beforeEach(async () => {
    database = await createDatabase('schema');
    pool = new pg.Pool({ connectionString: database.url, max: 8 });
  }, SLOW);
  afterEach(async () => {
    await pool.end();
    await database.drop();
  }, SLOW);

  const versions = async () => (await pool.query<{ version: number; name: string }>('SELECT version, name FROM framelens_migrations ORDER BY version')).rows;

  it('is migrated exactly once when four servers start together', async () => {
    const migrations = await loadMigrations();
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresDatabase.open(database.url, [], { max: 2 })));
    try {
      const applied = stores.map((s) => s.schema.applied);
      expect(applied.filter((a) => a.length > 0)).toEqual([migrations.map((m) => m.name)]);
      expect(stores.every((s) => s.schema.version === migrations.length)).toBe(true);
      expect(await versions()).toEqual(migrations.map((m) => ({ version: m.version, name: m.name })));
      // One instance secret, however many servers made theirs at once.
      const secrets = new Set(await Promise.all(stores.map(async (s) => (await s.pool.query<{ secret: string }>('SELECT session_secret AS secret FROM instance')).rows.map((r) => r.secret).join())));
      expect(secrets.size).toBe(1);
    } finally {
      for (const store of stores) await store.close();
    }
  }, SLOW);

  it('applies only the migrations a database lacks, each in its own transaction', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'framelens-migrations-'));
    try {
      // The first migration only: 002 stands for the next one a release adds.
      await cp(join(MIGRATIONS_DIR, '001-study.sql'), join(dir, '001-study.sql'));
      const first = await migrateSchema(pool, await loadMigrations(dir));
      expect(first.applied).toEqual(['001-study.sql']);
      await writeFile(join(dir, '002-broken.sql'), 'CREATE TABLE extra (id int);\nSELECT no_such_function();\n');
      await expect(migrateSchema(pool, await loadMigrations(dir))).rejects.toThrow(/migration 002-broken\.sql failed, nothing of it was applied/);
      expect((await pool.query(`SELECT to_regclass('extra') AS t`)).rows[0]).toEqual({ t: null });
      await writeFile(join(dir, '002-extra.sql'), 'CREATE TABLE extra (id int);\n');
      await rm(join(dir, '002-broken.sql'));
      expect((await migrateSchema(pool, await loadMigrations(dir))).applied).toEqual(['002-extra.sql']);
      expect((await migrateSchema(pool, await loadMigrations(dir))).applied).toEqual([]);
      expect((await versions()).map((v) => v.version)).toEqual([1, 2]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, SLOW);

  it('refuses a database migrated by a newer Framelens, naming both versions', async () => {
    await (await PostgresDatabase.open(database.url, [])).close();
    const known = (await loadMigrations()).length;
    const future = `${String(known + 1).padStart(3, '0')}-from-the-future.sql`;
    await pool.query('INSERT INTO framelens_migrations (version, name, checksum) VALUES ($1, $2, $3)', [known + 1, future, 'x']);
    const opening = PostgresDatabase.open(database.url, []);
    await expect(opening).rejects.toBeInstanceOf(SchemaError);
    await expect(opening).rejects.toThrow(`schema is at version ${known + 1} (${future}), newer than this Framelens knows (${known})`);
  }, SLOW);

  it('refuses a migration edited after it was applied', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'framelens-migrations-'));
    try {
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      await migrateSchema(pool, await loadMigrations(dir));
      await writeFile(join(dir, '001-study.sql'), '-- edited\n', { flag: 'a' });
      await expect(migrateSchema(pool, await loadMigrations(dir))).rejects.toThrow(/001-study\.sql was changed after it was applied/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, SLOW);

  it('refuses migration files numbered with a gap', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'framelens-migrations-'));
    try {
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      const known = (await loadMigrations()).length;
      await writeFile(join(dir, `${String(known + 2).padStart(3, '0')}-skipped.sql`), 'SELECT 1;\n');
      await expect(loadMigrations(dir)).rejects.toThrow(/numbered without gaps/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, SLOW);
});
