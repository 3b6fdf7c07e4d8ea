// The demo on PostgreSQL is made once, on a database that never had a project, as the JSON folder
// makes it once, in a folder that never had a projects file: a study whose projects were all
// deleted does not get the demo back at its next start.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PROJECT_NAME, ensureDemo } from '../../server/demo/seed.js';
import { PostgresAppStore } from '../../server/storage/postgres/app-store.js';
import { PostgresDatabase } from '../../server/storage/postgres/index.js';
import { loadShippedCodebooks } from '../../server/storage/shipped-codebooks.js';
import { createDatabase, postgresUrl, type TestDatabase } from '../helpers/postgres.js';

const SLOW = 120_000;

describe.skipIf(postgresUrl === null)('the demo on PostgreSQL', () => {
  let database: TestDatabase;
  let dir = '';
  const opened: PostgresDatabase[] = [];

  /** A server's start: the store opened afresh on the database. */
  async function start(): Promise<PostgresAppStore> {
    const shipped = await loadShippedCodebooks();
    const study = await PostgresDatabase.open(database.url, shipped, { max: 2 });
    opened.push(study);
    const store = await PostgresAppStore.open(study, shipped, dir);
    await store.refresh();
    return store;
  }

  beforeAll(async () => {
    database = await createDatabase('demo');
    dir = await mkdtemp(join(tmpdir(), 'framelens-pg-demo-'));
  }, SLOW);

  afterAll(async () => {
    for (const study of opened) await study.close();
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  }, SLOW);

  it('is made on an empty database, once; after every project is deleted, a restart does not make it again', async () => {
    const first = await start();
    expect(first.projects.exists).toBe(false);
    await ensureDemo(first);
    expect(first.projects.data.data.projects.map((p) => p.name)).toEqual([DEMO_PROJECT_NAME]);
    await ensureDemo(first);
    expect(first.projects.data.data.projects).toHaveLength(1);

    await first.projects.update((file) => {
      file.data.projects = [];
    });
    const again = await start();
    expect(again.projects.exists).toBe(true);
    await ensureDemo(again);
    expect(again.projects.data.data.projects).toEqual([]);
  }, SLOW);
});
