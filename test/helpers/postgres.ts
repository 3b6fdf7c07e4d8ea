// A database of its own for each test file, on the run's throw-away cluster (test/setup/postgres.ts).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** The cluster's URL, or null when PostgreSQL is not installed (the tests using it are skipped). */
export const postgresUrl: string | null = inject('postgresUrl');

/** This run's id (lower-case hex): the templates it makes carry it, and are dropped at its end. */
export const postgresRun: string = inject('postgresRun');

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function admin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A new, empty database; `drop()` removes it (closing whatever still uses it). */
export async function createDatabase(prefix = 'test'): Promise<TestDatabase> {
  if (!postgresUrl) throw new Error('no PostgreSQL for this run');
  const cluster = postgresUrl;
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin(cluster, (c) => c.query(`CREATE DATABASE ${name}`));
  return {
    url: withDatabase(cluster, name),
    drop: () => admin(cluster, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}

/** CREATE DATABASE fails while another session is still connected to the template (one just closed may linger a moment). */
const TEMPLATE_IN_USE = '55006';
/** Runs `statement`, again while the database it copies or renames still has a session (for up to 5 s). */
async function whileInUse<T>(statement: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await statement();
    } catch (error) {
      const code = error instanceof Error && 'code' in error ? error.code : undefined;
      if (code !== TEMPLATE_IN_USE || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Any fixed number: the lock under which the first test file of a run builds the template. */
const TEMPLATE_LOCK = 4_019_190_019;

/**
 * A new database copied from `template` (CREATE DATABASE … TEMPLATE: a file copy, far faster
 * than running the migrations and seeding again); `drop()` removes it.
 */
export async function createDatabaseFrom(template: string, prefix = 'test'): Promise<TestDatabase> {
  if (!postgresUrl) throw new Error('no PostgreSQL for this run');
  const cluster = postgresUrl;
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await admin(cluster, (c) => whileInUse(() => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`)));
  return {
    url: withDatabase(cluster, name),
    drop: () => admin(cluster, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}

/**
 * The name of a template database made once per run (per schema): `build` fills it, given its
 * URL, the first time any test file asks; later files (in any worker) find it made. Named after
 * `key` (e.g. the migrations' checksum), so a server kept between runs never serves an old one.
 */
export async function templateDatabase(key: string, build: (url: string) => Promise<void>): Promise<string> {
  if (!postgresUrl) throw new Error('no PostgreSQL for this run');
  const cluster = postgresUrl;
  const name = `template_${key}`;
  return admin(cluster, async (c) => {
    await c.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    try {
      const { rowCount } = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (rowCount) return name;
      // Built under another name and renamed when complete: a run stopped half-way leaves no half-made template.
      const building = `building_${key}`;
      await c.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
      await c.query(`CREATE DATABASE ${building}`);
      await build(withDatabase(cluster, building));
      await whileInUse(() => c.query(`ALTER DATABASE ${building} RENAME TO ${name}`));
      return name;
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
    }
  });
}

/**
 * Every row of every table but `except`, each table's rows ordered, as JSON text: what a refused
 * request must leave as it was.
 */
export async function databaseRows(pool: pg.Pool, except: readonly string[]): Promise<Map<string, string>> {
  const { rows: tables } = await pool.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
  );
  // One statement, so that every table is read at the same moment.
  const each = tables
    .filter((t) => !except.includes(t.table_name))
    .map(({ table_name: table }) => `SELECT ${pg.escapeLiteral(table)} AS name, (SELECT coalesce(json_agg(r ORDER BY r::text), '[]')::text FROM ${pg.escapeIdentifier(table)} r) AS rows`);
  const { rows } = await pool.query<{ name: string; rows: string }>(each.join(' UNION ALL '));
  return new Map(rows.map((r) => [`table ${r.name}`, r.rows]));
}
