// Vitest finds test/**/*.test.ts on its own; this file only sets what must not depend on an idle
// machine, and runs the HTTP suite a second time on PostgreSQL.
// expect.poll() waits for a page or a server to reach a state: its default of 1 s is shorter
// than one scheduling hiccup of Chromium on two busy cores, so polls wait up to 20 s (they return
// as soon as the state is reached, so a quiet machine is no slower).
import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { postgresBin } from './test/helpers/postgres-cluster.js';

const shared = { expect: { poll: { timeout: 20_000, interval: 50 } } };

/** Whether this run has a PostgreSQL: a server named for it, or Debian's binaries for a throw-away cluster. */
const postgres = Boolean(process.env.FRAMELENS_TEST_DATABASE_URL) || (process.env.FRAMELENS_TEST_POSTGRES !== '0' && postgresBin() !== null);

const projects: TestProjectInlineConfiguration[] = [{ test: { ...shared, name: 'json' } }];
if (postgres) {
  // test/helpers/app.ts builds every app of these files on a database of its own. The files that
  // build their own PostgreSQL servers already run in the json project.
  projects.push({
    test: {
      ...shared,
      name: 'http-postgres',
      include: ['test/http/**/*.test.ts'],
      exclude: [...configDefaults.exclude, 'test/http/postgres-app.test.ts', 'test/http/postgres-accounts-cli.test.ts'],
      env: { FRAMELENS_TEST_BACKEND: 'postgres' },
    },
  });
} else {
  console.log('PostgreSQL is not installed (apt-get install postgresql): the HTTP tests run on the JSON folder only.');
}

export default defineConfig({
  test: {
    // Declared here, not in the projects, so that one throw-away PostgreSQL cluster serves the
    // whole run: the storage contract tests and the HTTP tests on PostgreSQL (skipped without it).
    globalSetup: ['test/setup/postgres.ts'],
    projects,
  },
});
