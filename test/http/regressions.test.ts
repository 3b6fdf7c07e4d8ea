// Regression tests for the fixes of a code review, each at the HTTP level: the refusal itself and,
// where it applies, that nothing stored changed.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import express from 'express';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { AccountError, issueSetupToken } from '../../server/accounts/users.js';
import { userCommand } from '../../server/commands/user.js';
import { RuleError } from '../../server/core/spans.js';
import { ImportError } from '../../server/exports/import.js';
import { VIEWS_DIR } from '../../server/paths.js';
import { ActivityError } from '../../server/storage/activities.js';
import { NotFoundError } from '../../server/storage/store.js';
import { errorHandler } from '../../server/web/errors.js';
import { PASSWORD, addUser, afterRestart, agentFor, csrfOf, linkAfter, makeApp, onJsonFolder, signIn, snapshot, type Agent, type TestApp } from '../helpers/app.js';
import {
  addAnnotator,
  escapeHtml,
  expectPage,
  importArticle,
  jsonFolderOnly,
  multipart,
  redirectId,
  savedTagId,
  tag,
  world,
  type Member,
  type World,
} from '../helpers/forms.js';
import { capturedIo } from '../helpers/io.js';

// Password hashes and many requests on a shared 2-core machine: generous timeouts.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const TEXT = ['The regime allegedly crushed the peaceful protest.', 'Officials said the economy is booming.'].join('\n');

function codebookJson(id: string, name: string, categoryName = 'Category'): string {
  return JSON.stringify({
    schemaVersion: 1,
    id,
    name,
    description: '',
    groups: [
      {
        id: 'g',
        name: 'Group',
        categories: [{ id: 'c', name: categoryName, definition: 'A definition.', span: '', example: '', colour: '#123456', key: 'a' }],
      },
    ],
  });
}

/** The stored sessions (on the JSON folder, those in memory, checked to be those in the log). */
const sessionIds = async (t: TestApp): Promise<string[]> => (await t.sessions()).map((s) => s.sid);

describe('1. multipart POSTs to non-upload routes go through the CSRF check', () => {
  let w: World;
  let anna: Member;
  let tagId = '';
  beforeAll(async () => {
    w = await world();
    anna = await addAnnotator(w, 'anna');
    tagId = savedTagId(await tag(w.researcher, w.demoArticleId, 1, { first: 0, last: 0, category: 'hedge' }));
  });
  afterAll(async () => {
    await w.t.cleanup();
  });

  const routes: { name: string; path: () => string; fields: Record<string, string> }[] = [
    { name: 'member delete', path: () => `/projects/${w.projectId}/members/${anna.id}/delete`, fields: {} },
    { name: 'sign-out', path: () => '/signout', fields: {} },
    { name: 'tag delete', path: () => `/articles/${w.demoArticleId}/sentences/1/tags/${tagId}/delete`, fields: {} },
    {
      name: 'project settings',
      path: () => `/projects/${w.projectId}/settings`,
      fields: { codebookId: 'starter', mode: 'balanced', perArticle: '1', open: '1' },
    },
    { name: 'article delete', path: () => `/articles/${w.demoArticleId}/delete`, fields: { confirm: 'yes' } },
  ];

  it.each(routes)('$name: multipart without a token, or with the token as a part → 403, nothing changed, still signed in', async (r) => {
    const before = await snapshot(w.t);
    const token = await w.researcher.csrf();
    for (const withToken of [false, true]) {
      let req = w.researcher.agent.post(r.path());
      if (withToken) req = req.field('_csrf', token);
      // At least one part, so the body is really multipart.
      req = req.field('x', '1');
      for (const [key, value] of Object.entries(r.fields)) req = req.field(key, value);
      const res = await req;
      expect(res.status, `token as a part: ${withToken}`).toBe(403);
      expect(res.text).toContain('did not come from Framelens');
    }
    expect(await snapshot(w.t)).toEqual(before);
    expect((await w.researcher.get('/account')).status).toBe(200);
  });

  it('the same forms urlencoded with the token still work (the 403 was the multipart body’s doing)', async () => {
    const res = await w.researcher.post(`/articles/${w.demoArticleId}/sentences/1/tags/${tagId}/delete`, {});
    expect(res.status).toBe(303);
  });
});

describe('2. JSON (and other non-form) bodies are refused with 415', () => {
  let w: World;
  let anna: Member;
  beforeAll(async () => {
    w = await world();
    anna = await addAnnotator(w, 'anna');
  });
  afterAll(async () => {
    await w.t.cleanup();
  });

  it('every kind of POST answers 415 to JSON, even with the right token in it, and nothing changes', async () => {
    const token = await w.researcher.csrf();
    const posts: [string, Record<string, unknown>][] = [
      ['/projects', { name: 'Planted' }],
      [`/projects/${w.projectId}/settings`, { codebookId: 'starter', mode: 'balanced', perArticle: '1' }],
      [`/projects/${w.projectId}/members`, { name: 'mallory', role: 'researcher' }],
      [`/projects/${w.projectId}/members/${anna.id}/reset`, {}],
      [`/projects/${w.projectId}/members/${anna.id}/delete`, {}],
      [`/articles/${w.demoArticleId}/sentences/1/tags`, { first: '0', last: '0', category: 'hedge', voice: 'author' }],
      [`/articles/${w.demoArticleId}/sentences/1/reviewed`, { reviewed: '1' }],
      [`/articles/${w.demoArticleId}/delete`, { confirm: 'yes' }],
      [`/projects/${w.projectId}/articles`, { title: 'Planted', text: TEXT }],
      [`/projects/${w.projectId}/articles/preview`, { title: 'Planted', text: TEXT }],
      [`/projects/${w.projectId}/import`, {}],
      ['/codebooks', { json: codebookJson('planted', 'Planted') }],
      ['/account/password', { current: PASSWORD, password: 'planted passphrase 1', confirm: 'planted passphrase 1' }],
      ['/signout', {}],
      ['/signin', { name: 'rita', password: PASSWORD }],
      ['/nope', {}],
    ];
    const before = await snapshot(w.t);
    for (const [path, body] of posts) {
      const res = await w.researcher.agent.post(path).set('Content-Type', 'application/json').send(JSON.stringify({ _csrf: token, ...body }));
      expect(res.status, `${path}: ${res.text.slice(0, 200)}`).toBe(415);
      const plain = await w.researcher.agent.post(path).set('Content-Type', 'text/plain').send(`_csrf=${token}`);
      expect(plain.status, `${path} (text/plain)`).toBe(415);
    }
    // Signed out as well: set-up and one-time links are refused before anything else.
    const stranger = request(w.t.app);
    for (const path of ['/signin', '/setup/aaaaaaaaaaaaaaaaaaaaaaaa', '/link/aaaaaaaaaaaaaaaaaaaaaaaa', '/join']) {
      const res = await stranger.post(path).set('Content-Type', 'application/json').send('{"name":"x"}');
      expect(res.status, path).toBe(415);
    }
    expect(await snapshot(w.t)).toEqual(before);
    expect((await w.researcher.get('/account')).status).toBe(200);
  });
});

describe('3. requests without a cookie create no session', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp();
    await addUser(t, 'rita', 'researcher');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('40 cookie-less GETs store no session; GET /signin neither (its form carries a double-submit token)', async () => {
    const before = await sessionIds(t);
    // Including public form pages whose link is not valid: a 404 shows no form.
    const paths = [
      '/',
      '/nope',
      '/public/css/app.css',
      '/articles/x',
      '/projects',
      '/account',
      '/codebooks',
      '/setup/not-a-valid-set-up-token-at-all',
      '/link/not-a-valid-one-time-link-token',
      '/projects/x/summary.csv',
    ];
    for (let i = 0; i < 40; i++) {
      const path = paths[i % paths.length] ?? '/';
      const res = await request(t.app).get(path);
      expect(res.status, path).toBeLessThan(500);
      expect(res.headers['set-cookie'], path).toBeUndefined();
    }
    expect(await sessionIds(t)).toEqual(before);
    // Refused sign-in forms (no token; JSON) show no form either.
    for (let i = 0; i < 5; i++) {
      const noToken = await request(t.app).post('/signin').type('form').send({ name: 'rita', password: PASSWORD });
      expect(noToken.status).toBe(403);
      expect(noToken.headers['set-cookie']).toBeUndefined();
      const json = await request(t.app).post('/signin').set('Content-Type', 'application/json').send('{}');
      expect(json.status).toBe(415);
      expect(json.headers['set-cookie']).toBeUndefined();
    }
    expect(await sessionIds(t)).toEqual(before);

    const signin = await request(t.app).get('/signin');
    expect(signin.status).toBe(200);
    expect(csrfOf(signin.text)).not.toBe('');
    expect(String(signin.headers['set-cookie'] ?? '')).not.toContain('framelens.sid=');
    expect(String(signin.headers['set-cookie'] ?? '')).toMatch(/^framelens\.csrf=.*HttpOnly.*SameSite=Strict/);
    expect(await sessionIds(t)).toEqual(before);
  });
});

describe('4. CSV exports neutralise spreadsheet formulas', () => {
  let w: World;
  let projectId = '';
  const PROJECT = '@SUM(A1:A9)';
  const TITLE = '=HYPERLINK("http://evil.example","click")';
  const NOTE = '-2+3+cmd|" /C calc"!A0';
  const CATEGORY = '+cmd|" /C calc"!A0';
  beforeAll(async () => {
    w = await world();
    expect((await multipart(w.researcher, '/codebooks', { json: codebookJson('formulas', 'Formulas', CATEGORY) })).status).toBe(303);
    projectId = redirectId(await w.researcher.post('/projects', { name: PROJECT, codebookId: 'formulas' }), '/projects');
    const articleId = await importArticle(w.researcher, projectId, { title: TITLE, text: TEXT });
    savedTagId(await tag(w.researcher, articleId, 1, { first: 2, last: 2, category: 'c', note: NOTE }));
  });
  afterAll(async () => {
    await w.t.cleanup();
  });

  it('tags.csv: project name, article title and note get a leading apostrophe', async () => {
    const res = await w.researcher.get(`/projects/${projectId}/export/csv`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(1);
    const row = rows[0];
    expect(row?.project).toBe(`'${PROJECT}`);
    expect(row?.article_title).toBe(`'${TITLE}`);
    expect(row?.note).toBe(`'${NOTE}`);
    expect(row?.text).toBe('allegedly');
    // No cell anywhere starts with a formula character.
    for (const cell of rows.flatMap((r) => Object.values(r))) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('the summary CSV: a category name starting with + gets a leading apostrophe', async () => {
    const res = await w.researcher.get(`/projects/${projectId}/summary.csv`);
    expect(res.status).toBe(200);
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.category_name)).toEqual([`'${CATEGORY}`]);
    expect(rows[0]?.phrase).toBe('allegedly');
    for (const cell of rows.flatMap((r) => Object.values(r))) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });
});

describe('5. a researcher cannot take over an annotator shared with another researcher', () => {
  let w: World;
  let anna: Member;
  let rob: Agent;
  let robProject = '';
  beforeAll(async () => {
    w = await world();
    anna = await addAnnotator(w, 'anna'); // in rita's demo project
    await addUser(w.t, 'rob', 'researcher');
    rob = await signIn(w.t.app, 'rob');
    robProject = redirectId(await rob.post('/projects', { name: 'Rob’s study' }), '/projects');
  });
  afterAll(async () => {
    await w.t.cleanup();
  });

  it('refuses the reset link to both researchers while anna is in both projects; rita gets it once rob removes her', async () => {
    expect((await rob.post(`/projects/${robProject}/members`, { name: 'anna', role: 'annotator' })).status).toBe(303);

    const before = await snapshot(w.t);
    const byRob = await rob.post(`/projects/${robProject}/members/${anna.id}/reset`, {});
    expect(byRob.status).toBe(403);
    expect(byRob.text).not.toMatch(/\/link\/[A-Za-z0-9_-]{20,}/);
    // Rita is no longer anna's only researcher either.
    const byRita = await w.researcher.post(`/projects/${w.projectId}/members/${anna.id}/reset`, {});
    expect(byRita.status).toBe(403);
    expect(byRita.text).not.toMatch(/\/link\/[A-Za-z0-9_-]{20,}/);
    expect(await snapshot(w.t)).toEqual(before);
    // Anna's password still works, and her session too.
    expect((await anna.get('/account')).status).toBe(200);
    await signIn(w.t.app, 'anna');

    expect((await rob.post(`/projects/${robProject}/members/${anna.id}/delete`, {})).status).toBe(303);
    const again = await w.researcher.post(`/projects/${w.projectId}/members/${anna.id}/reset`, {});
    const link = await linkAfter(w.researcher, again);
    expect((await request(w.t.app).get(link ?? '/none')).status).toBe(200);
    // Rob, no longer sharing her, cannot reach her through his project at all.
    expect((await rob.post(`/projects/${robProject}/members/${anna.id}/reset`, {})).status).toBe(404);
  });

  it('a researcher account is never reset by another researcher', async () => {
    expect((await rob.post(`/projects/${robProject}/members`, { name: 'rita', role: 'annotator' })).status).toBe(303);
    const after = await snapshot(w.t);
    const res = await rob.post(`/projects/${robProject}/members/${w.researcherId}/reset`, {});
    expect(res.status).toBe(403);
    expect(await snapshot(w.t)).toEqual(after);
    await signIn(w.t.app, 'rita');
  });
});

describe('6. the summary in balanced mode shows an annotator only the articles assigned to them', () => {
  let w: World;
  let anna: Member;
  let ben: Member;
  let projectId = '';
  let mine = '';
  let other = '';
  const TITLES = ['Zebra chronicle', 'Penguin gazette'];
  const TEXTS = ['Zebras allegedly stampeded through town.', 'Penguins reportedly marched across ice.'];
  const PHRASES = ['allegedly', 'reportedly'];
  beforeAll(async () => {
    w = await world();
    projectId = redirectId(await w.researcher.post('/projects', { name: 'Balanced study' }), '/projects');
    anna = await addAnnotator(w, 'anna', projectId);
    ben = await addAnnotator(w, 'ben', projectId);
    const ids = [
      await importArticle(w.researcher, projectId, { title: TITLES[0] ?? '', text: TEXTS[0] ?? '' }),
      await importArticle(w.researcher, projectId, { title: TITLES[1] ?? '', text: TEXTS[1] ?? '' }),
    ];
    // Open, so that only the assignment (not blindness) can hide the other article's tags.
    const settings = await w.researcher.post(`/projects/${projectId}/settings`, { codebookId: 'framing', mode: 'balanced', perArticle: '1', open: '1' });
    expect(settings.status).toBe(303);
    const assigned = w.t.store.project(projectId)?.assignment.assigned ?? {};
    mine = ids.find((id) => assigned[id]?.includes(anna.id)) ?? '';
    other = ids.find((id) => id !== mine) ?? '';
    expect(mine).not.toBe('');
    expect(assigned[other]).toEqual([ben.id]);
    savedTagId(await tag(anna, mine, 1, { first: 1, last: 1, category: 'hedge' }));
    savedTagId(await tag(ben, other, 1, { first: 1, last: 1, category: 'hedge' }));
    // The researcher sees both, so the checks below are about anna's view.
    const all = expectPage(await w.researcher.get(`/projects/${projectId}/summary`));
    for (const s of [...TITLES, ...PHRASES]) expect(all).toContain(s);
  });
  afterAll(async () => {
    await w.t.cleanup();
  });

  const titleOf = (id: string) => (w.t.store.article(id)?.title ?? '');
  const phraseOf = (id: string) => PHRASES[TITLES.indexOf(titleOf(id))] ?? '';

  it('the page and the CSV leave out the other article’s title and phrases', async () => {
    const page = expectPage(await anna.get(`/projects/${projectId}/summary`));
    expect(page).toContain(titleOf(mine));
    expect(page).toContain(phraseOf(mine));
    expect(page).not.toContain(titleOf(other));
    expect(page).not.toContain(other);
    expect(page).not.toContain(phraseOf(other));
    const csv = await anna.get(`/projects/${projectId}/summary.csv`);
    expect(csv.status).toBe(200);
    expect(csv.text).toContain(phraseOf(mine));
    expect(csv.text).not.toContain(phraseOf(other));
    // Filtering by the annotator who has the other article shows nothing of it either.
    const byBen = expectPage(await anna.get(`/projects/${projectId}/summary?annotator=${ben.id}`));
    expect(byBen).not.toContain(phraseOf(other));
  });

  it('?article=<the other article> → 404 for the page and the CSV; the own article is fine', async () => {
    expect((await anna.get(`/projects/${projectId}/summary?article=${other}`)).status).toBe(404);
    const csv = await anna.get(`/projects/${projectId}/summary.csv?article=${other}`);
    expect(csv.status).toBe(404);
    expect(csv.text).not.toContain(phraseOf(other));
    expect((await anna.get(`/projects/${projectId}/summary?article=${mine}`)).status).toBe(200);
    expect((await ben.get(`/projects/${projectId}/summary?article=${mine}`)).status).toBe(404);
  });
});

describe('7. deleting an article while tag saves are in flight', () => {
  let w: World;
  let members: Member[];
  beforeAll(async () => {
    w = await world();
    members = [];
    for (const name of ['anna', 'ben', 'carl', 'dora']) members.push(await addAnnotator(w, name));
  });
  afterAll(async () => {
    await w.t.cleanup();
  });

  it('every save answers 303 or 404, no tags folder is left, and the study opens again', async () => {
    const tagsDir = join(w.t.dataDir, 'tags');
    const deleted: string[] = [];
    for (let round = 0; round < 3; round++) {
      const articleId = await importArticle(w.researcher, w.projectId, { title: `Doomed ${round}`, text: TEXT });
      deleted.push(articleId);
      const taggers = [w.researcher, ...members];
      // Each tagger's first tag on the article: each save creates its own entry in tags/<articleId>.pack.
      const saves = taggers.flatMap((a) =>
        [1, 2].map((n) => tag(a, articleId, n, { first: 0, last: 0, category: 'hedge' })),
      );
      const removal = w.researcher.post(`/articles/${articleId}/delete`, { confirm: 'yes' });
      const [removed, ...answers] = await Promise.all([removal, ...saves]);
      expect(removed?.status).toBe(303);
      for (const res of answers) expect([303, 404], res.text.slice(0, 200)).toContain(res.status);
      expect(existsSync(join(tagsDir, articleId))).toBe(false);
      expect(existsSync(join(tagsDir, `${articleId}.pack`))).toBe(false);
      expect(w.t.store.article(articleId)).toBeUndefined();
      expect(await w.t.store.readAnnotations(articleId)).toEqual([]);
      // Later saves are refused as not found.
      expect((await tag(members[0] ?? w.researcher, articleId, 1, { first: 1, last: 1, category: 'hedge' })).status).toBe(404);
      expect(existsSync(join(tagsDir, articleId))).toBe(false);
    }
    // The data folder's own leftovers: no file of a deleted article (on PostgreSQL, its rows go
    // with it in one transaction: the readAnnotations above and after the restart below).
    if (onJsonFolder) {
      const left = await readdir(tagsDir).catch(() => []);
      for (const id of deleted) expect(left.filter((name) => name.includes(id))).toEqual([]);
      expect((await readdir(join(w.t.dataDir, 'articles'))).filter((n) => deleted.some((id) => n.includes(id)))).toEqual([]);
    }

    const again = await w.t.reopen();
    onTestFinished(() => again.cleanup());
    for (const id of deleted) {
      expect(again.store.article(id)).toBeUndefined();
      expect(await again.store.readAnnotations(id)).toEqual([]);
    }
    expect(again.store.article(w.demoArticleId)).toBeDefined();
    const rita = await signIn(again.app, 'rita');
    expect((await rita.get(`/projects/${w.projectId}`)).status).toBe(200);
  });
});

describe('9. two set-up forms sent at once make one account', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp();
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('one 303, the other 400 (or 404: the link is used); never two researchers', async () => {
    const token = await issueSetupToken(t.store);
    expect(token).not.toBeNull();
    const path = `/setup/${token ?? ''}`;
    const agents = [agentFor(t.app), agentFor(t.app)];
    const tokens: string[] = [];
    for (const a of agents) {
      const page = await a.agent.get(path);
      expect(page.status).toBe(200);
      tokens.push(csrfOf(page.text));
    }
    const names = ['rita', 'rob'];
    const answers = await Promise.all(
      agents.map((a, i) => a.agent.post(path).type('form').send({ _csrf: tokens[i] ?? '', name: names[i] ?? '', password: PASSWORD, confirm: PASSWORD })),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses[0]).toBe(303);
    expect([400, 404]).toContain(statuses[1]);
    const users = t.store.users.data.data.users;
    expect(users).toHaveLength(1);
    const stored = await afterRestart(t, (again) => again.store.users.data.data);
    expect(stored.users).toHaveLength(1);
    expect(stored.setupTokenHash).toBeNull();
    // The winner is signed in; the other is not.
    const winner = answers.findIndex((r) => r.status === 303);
    expect(users[0]?.name).toBe(names[winner]);
    expect((await agents[winner]?.get('/account'))?.status).toBe(200);
    expect((await agents[1 - winner]?.get('/account'))?.status).toBe(303);
    // The link is used up.
    expect((await request(t.app).get(path)).status).toBe(404);
  });
});

describe('10. two codebook uploads with the same id at once', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(async () => {
    await w.t.cleanup();
  });

  it('one 303, one 409, and the stored file is the accepted one', async () => {
    const names = ['First upload', 'Second upload'];
    const answers = await Promise.all(names.map((name) => multipart(w.researcher, '/codebooks', { json: codebookJson('twin', name) })));
    expect(answers.map((r) => r.status).sort()).toEqual([303, 409]);
    const accepted = names[answers.findIndex((r) => r.status === 303)];
    expect(await afterRestart(w.t, (again) => again.store.codebook('twin')?.name)).toBe(accepted);
    expect(w.t.store.codebook('twin')?.name).toBe(accepted);
    // The data folder holds one file for it, and no temporary file of the refused upload.
    if (onJsonFolder) expect((await readdir(join(w.t.dataDir, 'codebooks'))).filter((n) => !n.startsWith('.'))).toEqual(['twin.json']);
    // A later upload with the id is refused too and changes nothing.
    const before = await snapshot(w.t);
    expect((await multipart(w.researcher, '/codebooks', { json: codebookJson('twin', 'Third upload') })).status).toBe(409);
    expect(await snapshot(w.t)).toEqual(before);
  });
});

jsonFolderOnly('the data folder’s lock').describe('11. `framelens user add` refuses while another live process holds the data folder', () => {
  let t: TestApp;
  let child: ChildProcess | null = null;
  const saved = { DATA_DIR: process.env.DATA_DIR, FRAMELENS_PASSWORD: process.env.FRAMELENS_PASSWORD };
  beforeEach(async () => {
    t = await makeApp();
    process.env.DATA_DIR = t.dataDir;
    process.env.FRAMELENS_PASSWORD = PASSWORD;
  });
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child = null;
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await t.cleanup();
  });

  async function run(args: string[]) {
    const io = capturedIo();
    const code = await userCommand(args, io);
    return { code, out: io.out(), err: io.err() };
  }

  function startChild(): Promise<ChildProcess> {
    return new Promise((resolve, reject) => {
      const c = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
      c.once('spawn', () => resolve(c));
      c.once('error', reject);
    });
  }

  it('a live process’s lock → exit 1 and no account; a dead process’s lock → the account is made', async () => {
    child = await startChild();
    const lock = join(t.dataDir, '.lock');
    await writeFile(lock, `${child.pid ?? ''}\n`);
    const before = await snapshot(t);
    const refused = await run(['add', 'rita', '--role', 'researcher']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`pid ${child.pid ?? ''}`);
    expect(await snapshot(t)).toEqual(before);
    expect(await readFile(lock, 'utf8')).toBe(`${child.pid ?? ''}\n`);

    // The same process, now dead: its lock is stale and taken over.
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const made = await run(['add', 'rita', '--role', 'researcher']);
    expect(made.err).toBe('');
    expect(made.code).toBe(0);
    const users = JSON.parse(await readFile(join(t.dataDir, 'users.json'), 'utf8')) as { data: { users: { name: string; role: string }[] } };
    expect(users.data.users.map((u) => [u.name, u.role])).toEqual([['rita', 'researcher']]);
    await rm(lock, { force: true });
  });
});

describe('12. refusals raised below the web layer keep their status (never 500)', () => {
  it.each([
    ['NotFoundError', () => new NotFoundError('That article no longer exists.'), 404],
    ['RuleError', () => new RuleError('That tag exists already.'), 409],
    ['AccountError', () => new AccountError('The name "x" is taken.'), 400],
    ['ImportError', () => new ImportError('Line 1 is not JSON.'), 400],
    ['ActivityError', () => new ActivityError('This lesson has ended.'), 409],
  ] as const)('%s → %i with its message', async (_name, make, status) => {
    const error = make();
    const app = express();
    app.set('views', VIEWS_DIR);
    app.set('view engine', 'ejs');
    app.get('/boom', () => {
      throw error;
    });
    app.get('/later', async () => {
      await Promise.resolve();
      throw error;
    });
    app.use(errorHandler({ log: false }));
    for (const path of ['/boom', '/later']) {
      const json = await request(app).get(path).set('Accept', 'application/json');
      expect(json.status).toBe(status);
      expect(json.body).toEqual({ error: error.message });
      const html = await request(app).get(path).set('Accept', 'text/html');
      expect(html.status).toBe(status);
      expect(html.text).toContain(escapeHtml(error.message));
    }
  });
});
