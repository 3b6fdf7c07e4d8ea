// Versioned SQL migrations: numbered files in migrations/ (`001-study.sql`, …), each applied once,
// in order, in its own transaction, and recorded in `framelens_migrations` with its checksum.
// Servers starting together take a session advisory lock first, so exactly one applies them and
// the others find them done. A database migrated by newer code stops an older server.
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import { ROOT } from '../../paths.js';

export const MIGRATIONS_DIR = join(ROOT, 'server', 'storage', 'postgres', 'migrations');

/** Any fixed number: the key of the advisory lock starting servers queue on. */
const MIGRATION_LOCK = 4_019_190_001;

/** The database cannot be used by this code: a newer schema, or a migration changed since it was applied. */
export class SchemaError extends Error {}

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const [i, name] of names.entries()) {
    const match = /^(\d{3})-[a-z0-9-]+\.sql$/.exec(name);
    if (!match?.[1] || Number(match[1]) !== i + 1) throw new Error(`${join(dir, name)}: migrations are named 001-name.sql, 002-…, numbered without gaps`);
    const sql = await readFile(join(dir, name), 'utf8');
    migrations.push({ version: i + 1, name, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return migrations;
}

export interface MigrationResult {
  /** The schema version the database is at now. */
  version: number;
  /** Migrations this call applied (none when another server had applied them). */
  applied: string[];
}

/** Brings the database up to the newest migration this code knows, or throws SchemaError. */
export async function migrateSchema(pool: pg.Pool, migrations: Migration[]): Promise<MigrationResult> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS framelens_migrations (
        version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
        'SELECT version, name, checksum FROM framelens_migrations ORDER BY version',
      );
      const known = migrations.length;
      const newest = rows.at(-1);
      if (newest && newest.version > known) {
        throw new SchemaError(
          `the database's schema is at version ${newest.version} (${newest.name}), newer than this Framelens knows (${known}). ` +
            'It was migrated by a newer version: run that version (or a newer one), or restore a backup made before the upgrade.',
        );
      }
      for (const row of rows) {
        const migration = migrations[row.version - 1];
        if (migration && migration.checksum !== row.checksum) {
          throw new SchemaError(`migration ${migration.name} was changed after it was applied to this database; restore the file as it was.`);
        }
      }
      const applied: string[] = [];
      for (const migration of migrations.slice(rows.length)) {
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO framelens_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
            migration.version,
            migration.name,
            migration.checksum,
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${migration.name} failed, nothing of it was applied: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        }
        applied.push(migration.name);
      }
      return { version: known, applied };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } catch (error) {
    // A connection that failed mid-way is not given back to the pool (it may hold the lock).
    if (!(error instanceof SchemaError)) broken = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.release(broken);
  }
}
