// `framelens serve` with DATABASE_URL: two real server processes on one database (as behind a
// reverse proxy). They start together on an empty database and make the demo once; a tag saved
// through one is on the other's next page; sign-in limits hold across both; a classroom
// dashboard served by one shows a student's tag saved through the other; SIGKILL of one during
// saves loses no acknowledged tag. Generous timeouts: the processes load TypeScript through tsx,
// and no assertion depends on how fast anything is.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFirstAdmin } from '../../server/accounts/admin.js';
import { createUser } from '../../server/accounts/users.js';
import { categories } from '../../server/core/codebook.js';
import { serveCommand } from '../../server/commands/serve.js';
import { PostgresActivities } from '../../server/storage/postgres/activities.js';
import { PostgresAppStore } from '../../server/storage/postgres/app-store.js';
import { PostgresDatabase } from '../../server/storage/postgres/index.js';
import { loadShippedCodebooks } from '../../server/storage/shipped-codebooks.js';
import { PASSWORD, csrfOf, signIn } from '../helpers/app.js';
import { savedTagId, tag } from '../helpers/forms.js';
import { createDatabase, postgresUrl, type TestDatabase } from '../helpers/postgres.js';
import { spawnServer, type ServerProcess } from '../helpers/server-process.js';

const SLOW = 240_000;
const CLI = fileURLToPath(new URL('../../server/cli.ts', import.meta.url));

describe('framelens serve with a DATABASE_URL that is no PostgreSQL URL', () => {
  const saved = process.env.DATABASE_URL;
  it('refuses to start, and says why', async () => {
    process.env.DATABASE_URL = 'mysql://framelens@127.0.0.1/none';
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((line: unknown) => {
      errors.push(String(line));
    });
    vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await serveCommand([])).toBe(1);
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
      spy.mockRestore();
      vi.restoreAllMocks();
    }
    expect(errors.join('\n')).toContain('DATABASE_URL must be a postgres:// URL');
  }, SLOW);
});

type Running = ServerProcess & { base: string };

async function start(url: string, dataDir: string): Promise<Running> {
  const server = spawnServer(['--import', 'tsx', CLI, 'serve'], { DATABASE_URL: url, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'test' }, { timeoutMs: 180_000 });
  const base = /on (http:\/\/127\.0\.0\.1:\d+)$/.exec(await server.line(/^Framelens is serving PostgreSQL/))?.[1] ?? '';
  return { ...server, base };
}

describe.skipIf(postgresUrl === null)('two framelens serve processes on one database', () => {
  let database: TestDatabase;
  let dirs: string[] = [];
  let a: Running;
  let b: Running;
  let study: PostgresDatabase;
  let store: PostgresAppStore;
  let articleId = '';
  let projectId = '';
  let setupLinks: string[] = [];

  beforeAll(async () => {
    database = await createDatabase('serve');
    dirs = [await mkdtemp(join(tmpdir(), 'framelens-serve-a-')), await mkdtemp(join(tmpdir(), 'framelens-serve-b-'))];
    // Both start on the empty database at once.
    [a, b] = await Promise.all([start(database.url, dirs[0] ?? ''), start(database.url, dirs[1] ?? '')]);
    // Before any account exists, each prints a set-up link.
    setupLinks = await Promise.all([a, b].map((server) => server.line(/\/setup\/[A-Za-z0-9_-]+$/)));
    // The accounts are made as an administrator would, through the storage (a third instance).
    const shipped = await loadShippedCodebooks();
    study = await PostgresDatabase.open(database.url, shipped, { max: 4 });
    store = await PostgresAppStore.open(study, shipped, dirs[0] ?? '');
    await createFirstAdmin(store, 'Rita', PASSWORD);
    const anna = await createUser(store, 'anna', 'annotator', PASSWORD);
    await createUser(store, 'tess', 'teacher', PASSWORD);
    projectId = store.projects.data.data.projects[0]?.id ?? '';
    await store.updateProject(projectId, (p) => {
      p.members.push({ userId: anna.id, role: 'annotator' });
    });
    articleId = store.articles(projectId)[0]?.id ?? '';
  }, SLOW);

  afterAll(async () => {
    for (const server of [a, b]) {
      if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
      await server?.exited;
    }
    await study?.close();
    await database?.drop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  }, SLOW);

  it('makes the demo once when two servers start together on an empty database', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ projects: number; articles: number; stories: number }>(
        'SELECT (SELECT count(*)::int FROM projects) AS projects, (SELECT count(*)::int FROM articles) AS articles, (SELECT count(*)::int FROM stories) AS stories',
      );
      expect(rows[0]).toEqual({ projects: 1, articles: 3, stories: 1 });
    } finally {
      await client.end();
    }
  }, SLOW);

  it('prints the same set-up link on both servers started together, so that either one works', () => {
    const tokens = setupLinks.map((l) => /\/setup\/([A-Za-z0-9_-]+)$/.exec(l)?.[1]);
    expect(tokens[0]).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(tokens[1]).toBe(tokens[0]);
  });

  it('shows a tag saved through A on B’s next page', async () => {
    const onA = await signIn(a.base, 'anna');
    const onB = await signIn(b.base, 'anna');
    const saved = savedTagId(await tag(onA, articleId, 1, { first: 1, last: 2, category: 'loaded-label' }));
    const page = await onB.get(`/articles/${articleId}/sentences/1`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`id="tag-${saved}"`);
  }, SLOW);

  it('holds the sign-in limit across both servers', async () => {
    const wrong = async (base: string) => {
      const agent = request.agent(base);
      const token = csrfOf((await agent.get('/signin')).text);
      return agent.post('/signin').type('form').send({ _csrf: token, name: 'Rita', password: 'not her password' });
    };
    for (let i = 0; i < 5; i++) expect((await wrong(i % 2 === 0 ? a.base : b.base)).status).toBe(401);
    for (const base of [a.base, b.base]) expect((await wrong(base)).status).toBe(429);
  }, SLOW);

  it('shows on a dashboard served by B a student’s tag saved through A', async () => {
    const teacher = await signIn(b.base, 'tess');
    const created = await teacher.post('/activities', { from: 'demo' });
    expect(created.status).toBe(303);
    const path = String(created.headers.location);
    const activities = await PostgresActivities.open(study);
    const lesson = activities.activities()[0];
    if (!lesson) throw new Error('no lesson');
    const student = request.agent(a.base);
    // The page first: supertest's agent attaches its cookies when a request is created.
    const joinToken = csrfOf((await student.get('/join')).text);
    const joined = await student.post('/join').type('form').send({ _csrf: joinToken, code: lesson.code, nickname: 'Fox' });
    expect(joined.status).toBe(303);
    const token = csrfOf((await student.get('/lesson')).text);
    const saved = await student.post('/lesson/sentences/1/tags').type('form').send({ _csrf: token, first: '1', last: '2', category: categories(store.codebookOf(lesson))[0]?.id ?? '', voice: 'author' });
    expect(saved.status).toBe(303);
    const dashboard = await teacher.agent.get(`${path}/dashboard.json`).set('accept', 'application/json');
    expect(dashboard.status).toBe(200);
    expect(dashboard.body.joined).toBe(1);
    expect(dashboard.body.tags).toBe(1);
  }, SLOW);

  it('loses no acknowledged tag when one server is killed during saves, and the other serves on', async () => {
    const onA = await signIn(a.base, 'anna');
    const onB = await signIn(b.base, 'anna');
    const kinds = categories(store.codebookOf({ codebookId: 'framing' })).map((c) => c.id).slice(0, 5);
    const acked: string[] = [];
    let n = 0;
    const saveLoop = async (agent: typeof onA) => {
      for (;;) {
        const i = n++;
        if (i >= 200) return;
        const word = 1 + (Math.floor(i / 8) % 5);
        try {
          const res = await tag(agent, articleId, 2 + (i % 8), { first: word, last: word, category: kinds[Math.floor(i / 40)] ?? '', note: `kill ${i}` });
          if (res.status === 303) acked.push(`kill ${i}`);
        } catch {
          // The connection died with the process: not acknowledged.
        }
      }
    };
    const loops = [saveLoop(onA), saveLoop(onA), saveLoop(onA), saveLoop(onB)];
    // Once some saves through A are acknowledged, A is killed mid-stream.
    while (acked.length < 10) await new Promise((r) => setTimeout(r, 5));
    a.child.kill('SIGKILL');
    await a.exited;
    await Promise.all(loops);
    const notes = new Set((await store.readAnnotation(articleId, store.users.data.data.users.find((u) => u.name === 'anna')?.id ?? '')).tags.map((t) => t.note));
    for (const note of acked) expect(notes.has(note), note).toBe(true);
    expect(acked.length).toBeGreaterThan(10);
    // B serves on.
    expect((await onB.get(`/articles/${articleId}/sentences/2`)).status).toBe(200);
  }, SLOW);
});
