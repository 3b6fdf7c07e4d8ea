// Vitest global setup: one throw-away PostgreSQL cluster for the whole run when PostgreSQL is
// installed (or FRAMELENS_TEST_DATABASE_URL names a server to use instead), stopped at the end.
// Tests get its URL through inject('postgresUrl') (null: PostgreSQL tests are skipped) and make
// a database of their own on it (test/helpers/postgres.ts).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { postgresBin, startCluster } from '../helpers/postgres-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | null;
    postgresRun: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const run = `run_${randomBytes(4).toString('hex')}`;
  project.provide('postgresRun', run);
  const given = process.env.FRAMELENS_TEST_DATABASE_URL;
  if (given) {
    project.provide('postgresUrl', given);
    return () => dropTemplates(given, run);
  }
  if (process.env.FRAMELENS_TEST_POSTGRES === '0' || !postgresBin()) {
    project.provide('postgresUrl', null);
    return undefined;
  }
  const cluster = await startCluster();
  project.provide('postgresUrl', cluster.url);
  return () => cluster.stop();
}

/** On a server kept between runs: the template databases this run made (test/helpers/postgres.ts). */
async function dropTemplates(url: string, run: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`template\\_${run}\\_%`]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
