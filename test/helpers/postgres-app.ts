// The app on PostgreSQL for the HTTP tests, built as `DATABASE_URL=… framelens serve` builds it
// (server/commands/serve.ts): PostgresAppStore and PostgresActivities over one pool, sessions and
// sign-in limits in the database. Each app gets a database of its own, copied from a template
// that holds what a first start makes (the schema and the demo), as a new data folder does.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../server/app.js';
import { ensureAdmin } from '../../server/accounts/admin.js';
import { loadConfig } from '../../server/config.js';
import { ensureDemo } from '../../server/demo/seed.js';
import { PostgresActivities } from '../../server/storage/postgres/activities.js';
import { PostgresAppStore } from '../../server/storage/postgres/app-store.js';
import { PostgresDatabase, loadMigrations } from '../../server/storage/postgres/index.js';
import { PostgresRateLimitStore } from '../../server/storage/postgres/rate-limits.js';
import { PostgresSessions } from '../../server/storage/postgres/sessions.js';
import { loadShippedCodebooks } from '../../server/storage/shipped-codebooks.js';
import { SharedSessionStore, TOUCH_FLUSH_MS } from '../../server/web/session.js';
import { snapshot, type TestApp } from './app.js';
import { createDatabaseFrom, databaseRows, postgresRun, templateDatabase } from './postgres.js';

/**
 * Tables a refused request may change, as their JSON-folder counterparts are left out of its
 * snapshot: sessions (sessions.log there) and the sign-in counters (the process's memory there).
 */
const NOT_SNAPSHOTTED = ['sessions', 'rate_limits'];

/** The run's template: the schema, and the demo a first start makes on an empty database. */
async function studyTemplate(): Promise<string> {
  const migrations = await loadMigrations();
  const key = createHash('sha256')
    .update(migrations.map((m) => m.checksum).join(','))
    .digest('hex')
    .slice(0, 12);
  return templateDatabase(`${postgresRun}_${key}`, async (url) => {
    const shipped = await loadShippedCodebooks();
    const study = await PostgresDatabase.open(url, shipped, { max: 2 });
    const dir = await mkdtemp(join(tmpdir(), 'framelens-pg-template-'));
    try {
      const store = await PostgresAppStore.open(study, shipped, dir);
      await ensureDemo(store);
      await ensureAdmin(store);
    } finally {
      await study.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
}

/** One app server on the database at `url`, as `DATABASE_URL=url framelens serve` builds it (`dir`: its DATA_DIR). */
export async function postgresServer(url: string, dir: string, options: { max?: number } = {}) {
  const shipped = await loadShippedCodebooks();
  const study = await PostgresDatabase.open(url, shipped, { max: options.max ?? 8 });
  const store = await PostgresAppStore.open(study, shipped, dir);
  const activities = await PostgresActivities.open(study);
  const sessions = new PostgresSessions(study.pool, { touchFlushMs: TOUCH_FLUSH_MS });
  const config = { ...loadConfig({ NODE_ENV: 'test', DATA_DIR: dir }), log: false };
  const app = createApp({
    config,
    store,
    activities,
    sessionStore: new SharedSessionStore(sessions),
    sharedLimits: (prefix) => new PostgresRateLimitStore(study.pool, prefix),
  });
  return { app, study, store, activities, sessions };
}

export async function makePostgresApp(): Promise<TestApp> {
  const database = await createDatabaseFrom(await studyTemplate(), 'http');
  const dir = await mkdtemp(join(tmpdir(), 'framelens-pg-test-'));
  const open = async (first: boolean): Promise<TestApp> => {
    const { app, study, store, activities, sessions } = await postgresServer(database.url, dir);
    const cleanup = async () => {
      await sessions.close().catch(() => {});
      await study.close().catch(() => {});
      // A reopened app leaves the database to the app that made it.
      if (!first) return;
      await database.drop();
      await rm(dir, { recursive: true, force: true });
    };
    const stored = async (options: { sessions?: boolean } = {}) =>
      new Map([...(await databaseRows(study.pool, options.sessions ? ['rate_limits'] : NOT_SNAPSHOTTED)), ...(await snapshot(dir))]);
    const storedSessions = async () =>
      (await study.pool.query<{ sid: string; user_id: string | null }>('SELECT sid, user_id FROM sessions ORDER BY sid COLLATE "C"')).rows.map((r) => ({
        sid: r.sid,
        userId: r.user_id ?? undefined,
      }));
    return { app, backend: 'postgres', store, activities, dataDir: dir, snapshot: stored, sessions: storedSessions, reopen: () => open(false), cleanup };
  };
  return open(true);
}
