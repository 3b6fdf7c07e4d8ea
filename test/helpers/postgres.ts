// A database of its own for each test file, on the run's throw-away cluster (test/setup/postgres.ts).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

/** The cluster's URL, or null when PostgreSQL is not installed (the tests using it are skipped). */
export const postgresUrl: string | null = inject('postgresUrl');

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
