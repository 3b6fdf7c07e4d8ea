// Security: every state-changing form needs this session's CSRF token. A missing token, a
// made-up one and a real token from another session all answer 403 and change nothing;
// the same request with the right token then succeeds, so the 403 is the token's doing.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type request from 'supertest';
import {
  addUser,
  agentFor,
  demoArticleId,
  demoProjectId,
  makeApp,
  signIn,
  snapshot,
  type Agent,
  type TestApp,
} from '../helpers/app.js';

// Many requests and password hashes per test, on a shared 2-core machine: generous timeouts.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const TAG = { first: '0', last: '0', category: 'hedge', voice: 'author' };
const ARTICLE_TEXT = 'The minister claimed victory. Critics allegedly disagree with him.';
const CODEBOOK = JSON.stringify({
  schemaVersion: 1,
  id: 'csrf-probe',
  name: 'Probe',
  description: '',
  groups: [
    {
      id: 'g',
      name: 'Group',
      categories: [{ id: 'c', name: 'Category', definition: 'A definition.', span: '', example: '', colour: '#123456', key: 'a' }],
    },
  ],
});

interface Ctx {
  t: TestApp;
  researcher: Agent;
  other: Agent;
  projectId: string;
  articleId: string;
  annaId: string;
  tagId: string;
}

/** No token: `null`. Otherwise the given token goes in the `_csrf` field. */
type Token = string | null;

interface FormCase {
  name: string;
  /** Sends the request with the given token (or none). */
  send: (c: Ctx, token: Token) => Promise<request.Response>;
  /** Status with the right token. */
  ok: number;
}

function form(path: (c: Ctx) => string, fields: Record<string, string>, ok = 303): Omit<FormCase, 'name'> {
  return {
    ok,
    send: (c, token) =>
      c.researcher.agent
        .post(path(c))
        .type('form')
        .send(token === null ? fields : { _csrf: token, ...fields }),
  };
}

function multipart(path: (c: Ctx) => string, fields: Record<string, string>, ok = 303): Omit<FormCase, 'name'> {
  return {
    ok,
    send: (c, token) => {
      let req = c.researcher.agent.post(path(c));
      if (token !== null) req = req.field('_csrf', token);
      for (const [name, value] of Object.entries(fields)) req = req.field(name, value);
      return req;
    },
  };
}

const cases: FormCase[] = [
  { name: 'tag create', ...form((c) => `/articles/${c.articleId}/sentences/2/tags`, TAG) },
  { name: 'tag edit', ...form((c) => `/articles/${c.articleId}/sentences/1/tags/${c.tagId}`, { ...TAG, note: 'edited' }) },
  { name: 'tag delete', ...form((c) => `/articles/${c.articleId}/sentences/1/tags/${c.tagId}/delete`, {}) },
  { name: 'sentence reviewed', ...form((c) => `/articles/${c.articleId}/sentences/2/reviewed`, { reviewed: '1' }) },
  { name: 'project create', ...form(() => '/projects', { name: 'Planted project' }) },
  { name: 'project settings', ...form((c) => `/projects/${c.projectId}/settings`, { codebookId: 'starter', mode: 'balanced', perArticle: '1', open: '1' }) },
  { name: 'member add', ...form((c) => `/projects/${c.projectId}/members`, { name: 'newcomer', role: 'researcher' }, 303) },
  { name: 'member reset link', ...form((c) => `/projects/${c.projectId}/members/${c.annaId}/reset`, {}, 303) },
  { name: 'member remove', ...form((c) => `/projects/${c.projectId}/members/${c.annaId}/delete`, {}) },
  { name: 'article delete', ...form((c) => `/articles/${c.articleId}/delete`, { confirm: 'yes' }) },
  {
    name: 'password change',
    ...form(() => '/account/password', { current: 'correct horse battery staple', password: 'planted passphrase 1', confirm: 'planted passphrase 1' }),
  },
  { name: 'article import (multipart)', ...multipart((c) => `/projects/${c.projectId}/articles`, { title: 'Planted', text: ARTICLE_TEXT }) },
  { name: 'article preview (multipart)', ...multipart((c) => `/projects/${c.projectId}/articles/preview`, { title: 'Planted', text: ARTICLE_TEXT }, 200) },
  { name: 'codebook upload (multipart)', ...multipart(() => '/codebooks', { json: CODEBOOK }) },
];

describe('CSRF: state-changing forms refuse a missing or wrong token', () => {
  let c: Ctx;
  beforeEach(async () => {
    const t = await makeApp();
    await addUser(t, 'rita', 'researcher');
    const annaId = await addUser(t, 'anna', 'annotator');
    const researcher = await signIn(t.app, 'rita');
    const projectId = demoProjectId(t.store);
    const articleId = demoArticleId(t.store);
    expect((await researcher.post(`/projects/${projectId}/members`, { name: 'anna', role: 'annotator' })).status).toBe(303);
    const tagged = await researcher.post(`/articles/${articleId}/sentences/1/tags`, TAG);
    const tagId = /saved=([A-Za-z0-9_-]+)/.exec(String(tagged.headers.location))?.[1];
    if (!tagId) throw new Error('no tag');
    // Another browser's session: its token is real, but not this session's.
    c = { t, researcher, other: agentFor(t.app), projectId, articleId, annaId, tagId };
  });
  afterEach(async () => {
    await c.t.cleanup();
  });

  it.each(cases)('$name: missing, made-up and foreign tokens → 403, nothing changed', async (k) => {
    const before = await snapshot(c.t);
    const foreign = await c.other.csrf();
    const own = await c.researcher.csrf();
    expect(foreign).not.toBe(own);
    for (const token of [null, '', 'x', 'a'.repeat(64), foreign, `${own}x`, own.toUpperCase()]) {
      const res = await k.send(c, token);
      expect(res.status, `token ${String(token)}`).toBe(403);
      expect(res.text).toContain('did not come from Framelens');
    }
    expect(await snapshot(c.t)).toEqual(before);
    // The right token: the same request goes through.
    const res = await k.send(c, own);
    expect(res.status).toBe(k.ok);
  });

  it('a token in the X-CSRF-Token header must also be the session’s own', async () => {
    const before = await snapshot(c.t);
    const res = await c.researcher.agent.post('/projects').set('X-CSRF-Token', await c.other.csrf()).type('form').send({ name: 'Planted' });
    expect(res.status).toBe(403);
    expect(await snapshot(c.t)).toEqual(before);
  });

  it('sign-out without the right token → 403, and the session stays signed in', async () => {
    for (const token of [null, 'x', await c.other.csrf()]) {
      const res = await c.researcher.agent
        .post('/signout')
        .type('form')
        .send(token === null ? {} : { _csrf: token });
      expect(res.status).toBe(403);
      expect((await c.researcher.get('/account')).status).toBe(200);
    }
    const res = await c.researcher.post('/signout', {});
    expect(res.status).toBe(303);
    expect((await c.researcher.get('/account')).status).toBe(303);
  });

  it('sign-in without a token → 403 (login CSRF), and no session is signed in', async () => {
    const a = agentFor(c.t.app);
    const res = await a.agent.post('/signin').type('form').send({ name: 'rita', password: 'correct horse battery staple' });
    expect(res.status).toBe(403);
    expect((await a.get('/account')).status).toBe(303);
  });
});
