// Security: who may reach what. Cross-user and cross-project access by direct URL, forged
// form fields (mass assignment) and traversal ids. Every refused request must leave every
// stored file as it was.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type request from 'supertest';
import {
  addUser,
  demoArticleId,
  demoProjectId,
  signIn,
  snapshot,
  type Agent,
  type TestApp,
  makeApp,
} from '../helpers/app.js';

// Many requests and password hashes per test, on a shared 2-core machine: generous timeouts.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

async function unchanged(t: TestApp, act: () => Promise<void>): Promise<void> {
  const before = await snapshot(t);
  await act();
  expect(await snapshot(t)).toEqual(before);
}

/** A multipart POST (article import, codebook upload) carrying the session's CSRF token. */
async function multipart(a: Agent, path: string, fields: Record<string, string | string[]>): Promise<request.Response> {
  const token = await a.csrf();
  let req = a.agent.post(path).field('_csrf', token);
  for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) req = req.field(name, v);
  return req;
}

function lastSegment(location: string | undefined): string {
  const id = location?.split(/[/?#]/).filter(Boolean).pop();
  if (!id) throw new Error(`no id in ${String(location)}`);
  return id;
}

/** The tag id a successful tag POST redirects to (`…?saved=<id>#tag-<id>`). */
function savedTag(res: request.Response): string {
  expect(res.status).toBe(303);
  const match = /saved=([A-Za-z0-9_-]+)/.exec(String(res.headers.location));
  if (!match?.[1]) throw new Error(`no saved tag in ${String(res.headers.location)}`);
  return match[1];
}

const TAG = { first: '0', last: '0', category: 'hedge', voice: 'author' };
const ARTICLE_TEXT = 'The minister claimed victory. Critics allegedly disagree with him.\nThe talks ended late.';

interface World {
  t: TestApp;
  researcher: Agent;
  anna: Agent;
  bert: Agent;
  annaId: string;
  bertId: string;
  researcherId: string;
  projectA: string;
  articleA: string;
  projectB: string;
  articleB: string;
  bertTag: string;
  annaTag: string;
}

/**
 * Project A (the demo) has annotators anna and bert; project B, created by the same researcher,
 * has its own article and no annotators. bert and anna each hold one tag in project A.
 */
async function world(): Promise<World> {
  const t = await makeApp();
  const researcherId = await addUser(t, 'rita', 'researcher');
  const annaId = await addUser(t, 'anna', 'annotator');
  const bertId = await addUser(t, 'bert', 'annotator');
  const researcher = await signIn(t.app, 'rita');
  const projectA = demoProjectId(t.store);
  const articleA = demoArticleId(t.store);
  for (const name of ['anna', 'bert']) {
    expect((await researcher.post(`/projects/${projectA}/members`, { name, role: 'annotator' })).status).toBe(303);
  }
  const created = await researcher.post('/projects', { name: 'Project B', description: 'private' });
  expect(created.status).toBe(303);
  const projectB = lastSegment(created.headers.location);
  const imported = await multipart(researcher, `/projects/${projectB}/articles`, { title: 'Article B', text: ARTICLE_TEXT });
  expect(imported.status).toBe(303);
  const articleB = lastSegment(imported.headers.location);
  const anna = await signIn(t.app, 'anna');
  const bert = await signIn(t.app, 'bert');
  const bertTag = savedTag(await bert.post(`/articles/${articleA}/sentences/1/tags`, { ...TAG, note: 'bert-secret-note' }));
  const annaTag = savedTag(await anna.post(`/articles/${articleA}/sentences/1/tags`, TAG));
  return { t, researcher, anna, bert, annaId, bertId, researcherId, projectA, articleA, projectB, articleB, bertTag, annaTag };
}

describe('cross-user and cross-project access', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(async () => {
    await w.t.cleanup();
  });

  it("an annotator of project A gets 404 for every page of project B, as if it did not exist", async () => {
    const pages = [
      `/projects/${w.projectB}`,
      `/projects/${w.projectB}/summary`,
      `/projects/${w.projectB}/summary.csv`,
      `/projects/${w.projectB}/dashboard`,
      `/projects/${w.projectB}/articles/new`,
      `/articles/${w.articleB}`,
      `/articles/${w.articleB}/sentences/1`,
      `/articles/${w.articleB}/delete`,
    ];
    const missing = [`/projects/nosuchproject`, `/articles/nosucharticle`];
    await unchanged(w.t, async () => {
      for (const path of [...pages, ...missing]) {
        const res = await w.anna.get(path);
        expect(res.status, path).toBe(404);
        expect(res.text).not.toContain('Article B');
        expect(res.text).not.toContain('Project B');
      }
    });
    // Project B is not listed for anna either.
    expect((await w.anna.get('/projects')).text).not.toContain('Project B');
    expect((await w.anna.get('/')).text).not.toContain('Project B');
  });

  it("an annotator of project A gets 404 for every form of project B, and nothing is stored", async () => {
    await unchanged(w.t, async () => {
      const forms: [string, Record<string, string>][] = [
        [`/articles/${w.articleB}/sentences/1/tags`, TAG],
        [`/articles/${w.articleB}/sentences/1/reviewed`, { reviewed: '1' }],
        [`/articles/${w.articleB}/delete`, { confirm: 'yes' }],
        [`/projects/${w.projectB}/settings`, { codebookId: 'framing', mode: 'all', perArticle: '2', open: '1' }],
        [`/projects/${w.projectB}/members`, { name: 'anna', role: 'researcher' }],
        [`/projects/${w.projectB}/members/${w.researcherId}/reset`, {}],
        [`/projects/${w.projectB}/members/${w.researcherId}/delete`, {}],
      ];
      for (const [path, form] of forms) expect((await w.anna.post(path, form)).status, path).toBe(404);
      for (const path of [`/projects/${w.projectB}/articles`, `/projects/${w.projectB}/articles/preview`]) {
        expect((await multipart(w.anna, path, { title: 'Planted', text: ARTICLE_TEXT })).status, path).toBe(404);
      }
    });
  });

  it("editing or deleting another annotator's tag by its id answers 404, and the tag stays", async () => {
    const tagBase = `/articles/${w.articleA}/sentences/1/tags/${w.bertTag}`;
    await unchanged(w.t, async () => {
      expect((await w.anna.post(tagBase, { ...TAG, note: 'overwritten' })).status).toBe(404);
      expect((await w.anna.post(`${tagBase}/delete`, {})).status).toBe(404);
      // The researcher may annotate too, but edits only their own tags.
      expect((await w.researcher.post(`${tagBase}/delete`, {})).status).toBe(404);
      // anna's own tag id under another sentence number is no way around the check either.
      expect((await w.anna.post(`/articles/${w.articleA}/sentences/2/tags/${w.annaTag}/delete`, {})).status).toBe(404);
    });
    // The edit form does not load someone else's tag.
    const page = await w.anna.get(`/articles/${w.articleA}/sentences/1?edit=${w.bertTag}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('bert-secret-note');
    expect(page.text).not.toContain(`/tags/${w.bertTag}`);
  });

  it("blind annotation: an annotator sees neither another annotator's tags nor their notes", async () => {
    for (const path of [
      `/articles/${w.articleA}/sentences/1`,
      `/articles/${w.articleA}`,
      `/projects/${w.projectA}/summary`,
      `/projects/${w.projectA}/summary?annotator=${w.bertId}`,
      `/projects/${w.projectA}/summary.csv?annotator=${w.bertId}`,
    ]) {
      const res = await w.anna.get(path);
      expect(res.status, path).toBe(200);
      expect(res.text, path).not.toContain('bert-secret-note');
      expect(res.text, path).not.toContain(w.bertTag);
    }
    // A filter on bert's tags shows anna nothing of his.
    const csv = await w.anna.get(`/projects/${w.projectA}/summary.csv?annotator=${w.bertId}`);
    expect(csv.text.split('\n').filter((l) => /^hedge,/.test(l)).every((l) => /^hedge,[^,]*,0,/.test(l))).toBe(true);
  });

  it('an annotator posting to researcher-only routes of their own project gets 403, and nothing changes', async () => {
    await unchanged(w.t, async () => {
      const forms: [string, Record<string, string>][] = [
        [`/projects/${w.projectA}/settings`, { codebookId: 'framing', mode: 'all', perArticle: '2', open: '1' }],
        [`/projects/${w.projectA}/members`, { name: 'anna', role: 'researcher' }],
        [`/projects/${w.projectA}/members`, { name: 'newcomer', role: 'annotator' }],
        [`/projects/${w.projectA}/members/${w.bertId}/reset`, {}],
        [`/projects/${w.projectA}/members/${w.bertId}/delete`, {}],
        [`/projects/${w.projectA}/members/${w.researcherId}/delete`, {}],
        [`/articles/${w.articleA}/delete`, { confirm: 'yes' }],
        ['/projects', { name: 'My own project' }],
      ];
      for (const [path, form] of forms) expect((await w.anna.post(path, form)).status, path).toBe(403);
      for (const path of [`/projects/${w.projectA}/articles`, `/projects/${w.projectA}/articles/preview`]) {
        expect((await multipart(w.anna, path, { title: 'Planted', text: ARTICLE_TEXT })).status, path).toBe(403);
      }
      const codebook = JSON.stringify({ schemaVersion: 1, id: 'planted', name: 'x', description: '', groups: [] });
      expect((await multipart(w.anna, '/codebooks', { json: codebook })).status).toBe(403);
      for (const path of [`/projects/${w.projectA}/dashboard`, `/projects/${w.projectA}/articles/new`, `/articles/${w.articleA}/delete`]) {
        expect((await w.anna.get(path)).status, path).toBe(403);
      }
    });
  });

  it('balanced assignment: an annotator not assigned to an article gets 404 for it', async () => {
    // One annotator per article: of anna and bert only one keeps the demo article.
    const settings = { codebookId: 'framing', mode: 'balanced', perArticle: '1' };
    expect((await w.researcher.post(`/projects/${w.projectA}/settings`, settings)).status).toBe(303);
    const project = w.t.store.projects.data.data.projects.find((p) => p.id === w.projectA);
    const assigned = project?.assignment.assigned[w.articleA] ?? [];
    expect(assigned).toHaveLength(1);
    const outsider = assigned[0] === w.annaId ? w.bert : w.anna;
    await unchanged(w.t, async () => {
      expect((await outsider.get(`/articles/${w.articleA}`)).status).toBe(404);
      expect((await outsider.get(`/articles/${w.articleA}/sentences/1`)).status).toBe(404);
      expect((await outsider.post(`/articles/${w.articleA}/sentences/1/tags`, TAG)).status).toBe(404);
    });
    expect((await w.researcher.post(`/projects/${w.projectA}/settings`, { ...settings, mode: 'all' })).status).toBe(303);
  });
});

describe('mass assignment: forged fields are refused', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(async () => {
    await w.t.cleanup();
  });

  it('forged annotatorId, userId, role, projectId and id fields answer 400 and change nothing', async () => {
    const tags = `/articles/${w.articleA}/sentences/1/tags`;
    const cases: [Agent, string, Record<string, string>][] = [
      [w.anna, tags, { ...TAG, annotatorId: w.bertId }],
      [w.anna, tags, { ...TAG, articleId: w.articleB }],
      [w.anna, tags, { ...TAG, id: 'chosen-id' }],
      [w.anna, `${tags}/${w.annaTag}`, { ...TAG, annotatorId: w.bertId }],
      [w.anna, `${tags}/${w.annaTag}/delete`, { annotatorId: w.bertId }],
      [w.anna, `/articles/${w.articleA}/sentences/1/reviewed`, { reviewed: '1', userId: w.bertId }],
      [w.anna, '/account/password', { current: 'correct horse battery staple', password: 'a fine new passphrase', confirm: 'a fine new passphrase', userId: w.bertId }],
      [w.anna, '/account/password', { current: 'correct horse battery staple', password: 'a fine new passphrase', confirm: 'a fine new passphrase', role: 'researcher' }],
      [w.researcher, '/projects', { name: 'Forged', projectId: w.projectA }],
      [w.researcher, '/projects', { name: 'Forged', members: w.annaId }],
      [w.researcher, '/projects', { name: 'Forged', createdBy: w.annaId }],
      [w.researcher, `/projects/${w.projectA}/settings`, { codebookId: 'framing', mode: 'all', projectId: w.projectB }],
      [w.researcher, `/projects/${w.projectA}/settings`, { codebookId: 'framing', mode: 'all', userId: w.annaId, role: 'researcher' }],
      [w.researcher, `/projects/${w.projectA}/members`, { name: 'newcomer', role: 'annotator', userId: w.annaId }],
      [w.researcher, `/projects/${w.projectA}/members`, { name: 'newcomer', role: 'owner' }],
      [w.researcher, `/projects/${w.projectA}/members`, { name: 'newcomer', role: 'annotator', projectId: w.projectB }],
      [w.researcher, `/articles/${w.articleA}/delete`, { confirm: 'yes', projectId: w.projectB }],
    ];
    await unchanged(w.t, async () => {
      for (const [agent, path, form] of cases) {
        const res = await agent.post(path, form);
        expect(res.status, `${path} ${Object.keys(form).join(',')}`).toBe(400);
        expect(res.text).toMatch(/Unexpected field|role|Invalid/);
      }
    });
  });

  it('forged __proto__ and constructor fields answer 400 (urlencoded, multipart), JSON 415, and pollute nothing', async () => {
    const token = await w.anna.csrf();
    const tags = `/articles/${w.articleA}/sentences/1/tags`;
    const tagBody = new URLSearchParams({ _csrf: token, ...TAG }).toString();
    await unchanged(w.t, async () => {
      for (const forged of ['__proto__[role]=researcher', '__proto__[annotatorId]=x', 'constructor[prototype][role]=researcher']) {
        const res = await w.anna.agent.post(tags).type('form').send(`${tagBody}&${forged}`);
        expect(res.status, forged).toBe(400);
      }
      // JSON bodies are not forms: refused unread.
      const json = `{"_csrf":${JSON.stringify(token)},"first":"0","last":"0","category":"hedge","voice":"author","__proto__":{"annotatorId":"${w.bertId}"}}`;
      const res = await w.anna.agent.post(tags).set('Content-Type', 'application/json').send(json);
      expect(res.status).toBe(415);
      const researcherToken = await w.researcher.csrf();
      const project = await w.researcher.agent
        .post('/projects')
        .set('Content-Type', 'application/json')
        .send(`{"_csrf":${JSON.stringify(researcherToken)},"name":"Forged","__proto__":{"members":[]}}`);
      expect(project.status).toBe(415);
      // Multipart: the article import.
      const imported = await w.researcher.agent
        .post(`/projects/${w.projectA}/articles`)
        .field('_csrf', researcherToken)
        .field('title', 'Forged')
        .field('text', ARTICLE_TEXT)
        .field('__proto__', 'x')
        .field('projectId', w.projectB);
      expect(imported.status).toBe(400);
    });
    expect(Reflect.get({}, 'role')).toBeUndefined();
    expect(Reflect.get({}, 'annotatorId')).toBeUndefined();
  });

  it('a bare urlencoded __proto__ key is dropped by the body parser: the request does only what its real fields say', async () => {
    const token = await w.anna.csrf();
    const body = new URLSearchParams({ _csrf: token, ...TAG, first: '2', last: '2', note: 'proto-probe' }).toString();
    const res = await w.anna.agent.post(`/articles/${w.articleA}/sentences/1/tags`).type('form').send(`${body}&__proto__=x`);
    // Either refused, or stored exactly as anna's own tag with no extra fields.
    expect([303, 400]).toContain(res.status);
    const mine = (await w.t.store.readAnnotation(w.articleA, w.annaId)).tags.filter((t) => t.note === 'proto-probe');
    expect((await w.t.store.readAnnotation(w.articleA, w.bertId)).tags.some((t) => t.note === 'proto-probe')).toBe(false);
    for (const tag of mine) {
      expect(tag.annotatorId).toBe(w.annaId);
      expect(Object.keys(tag).sort()).toEqual(
        ['annotatorId', 'articleId', 'category', 'createdAt', 'end', 'id', 'intensity', 'note', 'sentence', 'start', 'updatedAt', 'voice'].sort(),
      );
    }
    expect(Reflect.get({}, 'x')).toBeUndefined();
  });
});

describe('traversal and malformed ids', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await w.t.cleanup();
  });

  const bad = [
    '..%2f..%2fusers',
    '%2e%2e',
    '%2e%2e%2f%2e%2e%2fsessions',
    '..',
    'users.json',
    '..%5c..%5cusers',
    'a%2fb',
    'abc%00',
    'x'.repeat(65),
    '%zz',
  ];

  it('traversal ids in every id position answer 400 or 404, never 500, and change nothing', async () => {
    const a = w.articleA;
    const p = w.projectA;
    await unchanged(w.t, async () => {
      for (const id of bad) {
        const gets = [
          `/articles/${id}`,
          `/articles/${id}/sentences/1`,
          `/articles/${id}/delete`,
          `/articles/${a}/sentences/${id}`,
          `/projects/${id}`,
          `/projects/${id}/summary`,
          `/projects/${id}/dashboard`,
          `/projects/${p}/summary?article=${id}`,
          `/projects/${p}/summary.csv?annotator=${id}`,
          `/articles/${a}/sentences/1?edit=${id}`,
          `/codebooks/${id}`,
          `/codebooks/${id}/style.css`,
          `/link/${id}`,
          `/setup/${id}`,
        ];
        for (const path of gets) {
          const res = await w.researcher.get(path);
          expect([400, 404], path).toContain(res.status);
        }
        const posts: [string, Record<string, string>][] = [
          [`/articles/${id}/delete`, { confirm: 'yes' }],
          [`/articles/${id}/sentences/1/tags`, TAG],
          [`/articles/${a}/sentences/1/tags/${id}`, TAG],
          [`/articles/${a}/sentences/1/tags/${id}/delete`, {}],
          [`/projects/${id}/settings`, { codebookId: 'framing', mode: 'all' }],
          [`/projects/${p}/members/${id}/reset`, {}],
          [`/projects/${p}/members/${id}/delete`, {}],
          [`/projects/${p}/settings`, { codebookId: id, mode: 'all' }],
        ];
        for (const [path, form] of posts) {
          const res = await w.researcher.post(path, form);
          expect([400, 404], path).toContain(res.status);
        }
      }
    });
  });

  it('an id containing "/" never reaches a route: 404', async () => {
    await unchanged(w.t, async () => {
      for (const path of [`/articles/a/b/delete`, `/articles/../users.json`, `/projects/x/y/settings`]) {
        expect((await w.researcher.get(path)).status, path).toBe(404);
        expect((await w.researcher.post(path, {})).status, path).toBe(404);
      }
    });
  });

  it('ids with a "." (or any character outside [A-Za-z0-9_-], or over 64 characters) are refused before the store is asked', async () => {
    const store = w.t.store;
    const spies = [
      vi.spyOn(store, 'article'),
      vi.spyOn(store, 'readAnnotation'),
      vi.spyOn(store, 'readAnnotations'),
      vi.spyOn(store, 'updateAnnotation'),
      vi.spyOn(store, 'removeArticle'),
    ];
    try {
      const ids = ['users.json', '..', '.', 'a.b', '%2e%2e%2fusers', 'a%00', 'x'.repeat(65)];
      for (const id of ids) {
        const page = await w.researcher.get(`/articles/${id}`);
        expect(page.status, id).toBe(400);
        expect(page.text).toContain('Invalid articleId');
        expect((await w.researcher.post(`/articles/${id}/delete`, { confirm: 'yes' })).status, id).toBe(400);
        expect((await w.researcher.post(`/articles/${id}/sentences/1/tags`, TAG)).status, id).toBe(400);
      }
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
      // The pattern itself allows 64 characters and no more.
      const longest = await w.researcher.get(`/articles/${'x'.repeat(64)}`);
      expect(longest.status).toBe(404);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('a tag id with a "." is refused before any annotation is read or written', async () => {
    const update = vi.spyOn(w.t.store, 'updateAnnotation');
    try {
      for (const id of ['..', 'a.b', '..%2f..%2fusers']) {
        const res = await w.researcher.post(`/articles/${w.articleA}/sentences/1/tags/${id}/delete`, {});
        expect(res.status, id).toBe(400);
      }
      expect(update).not.toHaveBeenCalled();
    } finally {
      update.mockRestore();
    }
  });
});
