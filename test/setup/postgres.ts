// Vitest global setup: one throw-away PostgreSQL cluster for the whole run when PostgreSQL is
// installed (or FRAMELENS_TEST_DATABASE_URL names a server to use instead), stopped at the end.
// Tests get its URL through inject('postgresUrl') (null: PostgreSQL tests are skipped) and make
// a database of their own on it (test/helpers/postgres.ts).
import type { TestProject } from 'vitest/node';
import { postgresBin, startCluster } from '../helpers/postgres-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | null;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env.FRAMELENS_TEST_DATABASE_URL;
  if (given) {
    project.provide('postgresUrl', given);
    return undefined;
  }
  if (process.env.FRAMELENS_TEST_POSTGRES === '0' || !postgresBin()) {
    project.provide('postgresUrl', null);
    return undefined;
  }
  const cluster = await startCluster();
  project.provide('postgresUrl', cluster.url);
  return () => cluster.stop();
}
