// The whole app on PostgreSQL (PostgresAppStore, PostgresActivities, shared sessions and sign-in
// limits), as two servers on one database: two app instances in this process, each with its own
// pool, built by createApp as `framelens serve` builds it. What one is told, the other shows on
// its next page: accounts, projects, tags, exports, summaries and agreement.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { categories } from '../../server/core/codebook.js';
import { createFirstAdmin } from '../../server/accounts/admin.js';
import { createUser } from '../../server/accounts/users.js';
import { ensureDemo } from '../../server/demo/seed.js';
import { PASSWORD, signIn } from '../helpers/app.js';
import { savedTagId, tag } from '../helpers/forms.js';
import { createDatabase, postgresUrl, type TestDatabase } from '../helpers/postgres.js';
import { postgresServer } from '../helpers/postgres-app.js';

const SLOW = 180_000;

type Server = Awaited<ReturnType<typeof postgresServer>>;

describe.skipIf(postgresUrl === null)('the app on PostgreSQL, two servers on one database', () => {
  let database: TestDatabase;
  let dir = '';
  const servers: Server[] = [];
  let a: Server;
  let b: Server;
  let articleId = '';
  let projectId = '';

  async function server(): Promise<Server> {
    const made = await postgresServer(database.url, dir, { max: 8 });
    servers.push(made);
    return made;
  }

  beforeAll(async () => {
    database = await createDatabase('app');
    dir = await mkdtemp(join(tmpdir(), 'framelens-pg-app-'));
    a = await server();
    await ensureDemo(a.store);
    await createFirstAdmin(a.store, 'Rita', PASSWORD);
    const anna = await createUser(a.store, 'anna', 'annotator', PASSWORD);
    const demo = a.store.projects.data.data.projects[0];
    if (!demo) throw new Error('no demo project');
    projectId = demo.id;
    await a.store.updateProject(projectId, (p) => {
      p.members.push({ userId: anna.id, role: 'annotator' });
    });
    articleId = a.store.articles(projectId)[0]?.id ?? '';
    // B starts after A made the demo and the accounts: it reads them from the database.
    b = await server();
  }, SLOW);

  afterAll(async () => {
    for (const s of servers) await s.study.close();
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  }, SLOW);

  it('serves on B the demo, accounts and membership made through A; a tag saved through A is on B’s next page', async () => {
    expect(b.store.articles(projectId).map((x) => x.id)).toContain(articleId);
    const onA = await signIn(a.app, 'anna');
    const onB = await signIn(b.app, 'anna');
    const home = await onB.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain('Demo: NATO–Russia talks');
    const saved = savedTagId(await tag(onA, articleId, 1, { first: 1, last: 2, category: 'loaded-label' }));
    const page = await onB.get(`/articles/${articleId}/sentences/1`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`id="tag-${saved}"`);
    // A project change through B (a new member) is on A's next page.
    const tom = await createUser(b.store, 'tom', 'annotator', PASSWORD);
    await b.store.updateProject(projectId, (p) => {
      p.members.push({ userId: tom.id, role: 'annotator' });
    });
    const tomOnA = await signIn(a.app, 'tom');
    expect((await tomOnA.get(`/articles/${articleId}/sentences/1`)).status).toBe(200);
  }, SLOW);

  it('keeps all of 200 concurrent saves spread over both, and B’s export, summary and agreement count them', async () => {
    const agents = [await signIn(a.app, 'anna'), await signIn(b.app, 'anna')];
    const before = await a.store.countTags();
    // 200 different tags (a duplicate would be refused): 8 sentences × 5 words × 5 categories.
    const kinds = categories(a.store.codebookOf({ codebookId: 'framing' })).map((c) => c.id).slice(0, 5);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const word = 1 + (Math.floor(i / 8) % 5);
        return tag(agents[i % 2]!, articleId, 2 + (i % 8), { first: word, last: word, category: kinds[Math.floor(i / 40)] ?? '', note: `save ${i}` });
      }),
    );
    expect(results.map((r) => r.status)).toEqual(Array.from({ length: 200 }, () => 303));
    expect(await b.store.countTags()).toBe(before + 200);
    const rita = await signIn(b.app, 'Rita');
    const csv = await rita.get(`/projects/${projectId}/export/csv`);
    expect(csv.status).toBe(200);
    for (let i = 0; i < 200; i++) expect(csv.text).toContain(`save ${i}`);
    const summary = await rita.get(`/projects/${projectId}/summary.csv`);
    expect(summary.status).toBe(200);
    const counted = summary.text
      .split('\n')
      .slice(1)
      .filter((line) => line.length > 0)
      .map((line) => line.split(','))
      .filter((cells, i, all) => all.findIndex((c) => c[0] === cells[0]) === i)
      .reduce((n, cells) => n + Number(cells[2] ?? 0), 0);
    expect(counted).toBe(before + 200);
    expect((await rita.get(`/projects/${projectId}/agreement`)).status).toBe(200);
    expect((await rita.get(`/projects/${projectId}/dashboard`)).status).toBe(200);
  }, SLOW);
});
