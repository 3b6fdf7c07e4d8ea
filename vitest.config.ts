import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // A throw-away PostgreSQL cluster for the storage contract tests (skipped without PostgreSQL).
    globalSetup: ['test/setup/postgres.ts'],
  },
});
