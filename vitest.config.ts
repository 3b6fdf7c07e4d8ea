// Vitest finds test/**/*.test.ts on its own; this file only sets what must not depend on an idle
// machine. expect.poll() waits for a page or a server to reach a state: its default of 1 s is
// shorter than one scheduling hiccup of Chromium on two busy cores, so polls wait up to 20 s
// (they return as soon as the state is reached, so a quiet machine is no slower).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    expect: { poll: { timeout: 20_000, interval: 50 } },
    // A throw-away PostgreSQL cluster for the storage contract tests (skipped without PostgreSQL).
    globalSetup: ['test/setup/postgres.ts'],
  },
});
