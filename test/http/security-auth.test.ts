// Security: sessions, sign-in, passwords and request limits. Session fixation and sign-out,
// sessions across a restart, brute-force limits, oversized bodies, every route signed out,
// and the password policy on every form that sets a password.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import request from 'supertest';
import type { Express, RequestHandler } from 'express';
import { issueSetupToken } from '../../server/accounts/users.js';
import { requireUser } from '../../server/web/auth.js';
import {
  PASSWORD,
  addUser,
  agentFor,
  csrfOf,
  demoArticleId,
  demoProjectId,
  linkAfter,
  makeApp,
  signIn,
  snapshot,
  type Agent,
  type TestApp,
} from '../helpers/app.js';

// Many requests and password hashes per test, on a shared 2-core machine: generous timeouts.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const TAG = { first: '0', last: '0', category: 'hedge', voice: 'author' };
const GOOD = 'a long and unusual passphrase';

async function unchanged(t: TestApp, act: () => Promise<void>): Promise<void> {
  const before = await snapshot(t);
  await act();
  expect(await snapshot(t)).toEqual(before);
}

/** The value of the session cookie a response sets, if any. */
function sidOf(res: request.Response): string | undefined {
  const cookies = [res.headers['set-cookie'] ?? []].flat();
  const cookie = cookies.find((c: string) => c.startsWith('framelens.sid='));
  return cookie?.split(';')[0]?.slice('framelens.sid='.length);
}

const withCookie = (app: Express, sid: string) => ({
  get: (path: string) => request(app).get(path).set('Cookie', `framelens.sid=${sid}`),
});

/** The one-time link shown on the project page after an invitation or a reset. */
function errorOn(html: string): string {
  // The error page's message, or else the first message next to a field of a form sent back.
  return /<p class="(?:error" role="alert|field-error" id="[^"]*)">([^<]*)<\/p>/.exec(html)?.[1] ?? '';
}

describe('sessions: fixation, sign-out and restarts', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeApp();
    await addUser(t, 'rita', 'researcher');
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('the session id changes at sign-in: a session id from before (another account’s) is dead afterwards', async () => {
    await addUser(t, 'mallory', 'annotator');
    const a = agentFor(t.app);
    // A visitor looking at the form has no session id at all: nothing to plant.
    expect(sidOf(await a.agent.get('/signin'))).toBeUndefined();
    const planted = sidOf(await a.post('/signin', { name: 'mallory', password: PASSWORD }));
    expect(planted).toBeDefined();
    // The same browser signs in as someone else (a shared computer).
    const token = csrfOf((await a.get('/account')).text);
    const res = await a.agent.post('/signin').type('form').send({ _csrf: token, name: 'rita', password: PASSWORD });
    expect(res.status).toBe(303);
    const fresh = sidOf(res);
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(planted);
    const viaPlanted = await withCookie(t.app, planted ?? '').get('/account');
    expect(viaPlanted.status).toBe(303);
    expect(viaPlanted.headers.location).toMatch(/^\/signin/);
    const page = await withCookie(t.app, fresh ?? '').get('/account');
    expect(page.status).toBe(200);
    expect(page.text).toContain('rita');
    // The old id is gone from the session store.
    const stored = (await t.sessions()).map((session) => session.sid);
    expect(stored.some((sid) => planted?.includes(sid))).toBe(false);
  });

  it('after sign-out the old cookie no longer works, for pages or forms', async () => {
    const a = agentFor(t.app);
    const sid = sidOf(await a.post('/signin', { name: 'rita', password: PASSWORD }));
    expect(sid).toBeDefined();
    const page = await withCookie(t.app, sid ?? '').get('/account');
    expect(page.status).toBe(200);
    const token = csrfOf(page.text);
    const out = await a.agent.post('/signout').type('form').send({ _csrf: token });
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe('/signin');
    expect(String(out.headers['set-cookie'])).toMatch(/framelens\.sid=;/);
    const again = await withCookie(t.app, sid ?? '').get('/account');
    expect(again.status).toBe(303);
    expect(again.headers.location).toMatch(/^\/signin/);
    const post = await request(t.app)
      .post('/projects')
      .set('Cookie', `framelens.sid=${sid ?? ''}`)
      .type('form')
      .send({ _csrf: token, name: 'After sign-out' });
    expect([401, 403]).toContain(post.status);
    expect(t.store.projects.data.data.projects.some((p) => p.name === 'After sign-out')).toBe(false);
  });

  it('sessions survive an app restart on the same study', async () => {
    const a = agentFor(t.app);
    const res = await a.post('/signin', { name: 'rita', password: PASSWORD });
    const sid = sidOf(res);
    expect(sid).toBeDefined();
    const restarted = await t.reopen();
    onTestFinished(() => restarted.cleanup());
    const page = await withCookie(restarted.app, sid ?? '').get('/account');
    expect(page.status).toBe(200);
    expect(page.text).toContain('rita');
    // A made-up cookie is not a session after the restart either.
    expect((await withCookie(restarted.app, 's%3Anonsense.signature').get('/account')).status).toBe(303);
  });
});

describe('brute force', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp();
    await addUser(t, 'victim', 'annotator');
    await addUser(t, 'classmate', 'annotator');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('5 failed sign-ins for one account, then the 6th → 429 even with the right password; a classmate on the same address still signs in', async () => {
    const a = agentFor(t.app);
    for (let i = 1; i <= 5; i++) {
      const res = await a.post('/signin', { name: 'victim', password: `wrong guess ${i}` });
      expect(res.status, `attempt ${i}`).toBe(401);
      expect(errorOn(res.text)).toBe('Wrong name or password.');
    }
    for (const name of ['victim', ' Victim ', 'VICTIM']) {
      const res = await a.post('/signin', { name, password: PASSWORD });
      expect(res.status, name).toBe(429);
      expect(errorOn(res.text)).toMatch(/Too many failed sign-ins for this account\. Wait 15 minutes/);
      expect(res.headers['ratelimit-policy'] ?? res.headers.ratelimit).toBeDefined();
      expect(sidOf(res) === undefined || res.status !== 303).toBe(true);
    }
    // Same address (the test client), another account: unaffected.
    const classmate = agentFor(t.app);
    expect((await classmate.post('/signin', { name: 'classmate', password: PASSWORD })).status).toBe(303);
    expect((await classmate.get('/account')).status).toBe(200);
  });
});

describe('oversized bodies', () => {
  let t: TestApp;
  let rita: Agent;
  beforeAll(async () => {
    t = await makeApp();
    await addUser(t, 'rita', 'researcher');
    rita = await signIn(t.app, 'rita');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  const TEN_MB = 10 * 1024 * 1024;

  it('a 10 MB urlencoded body → 413, a JSON body → 415 unread, and the app still answers afterwards', async () => {
    const token = await rita.csrf();
    const projectId = demoProjectId(t.store);
    await unchanged(t, async () => {
      const form = await rita.agent
        .post(`/projects/${projectId}/settings`)
        .type('form')
        .send(`_csrf=${token}&codebookId=framing&mode=all&description=${'a'.repeat(TEN_MB)}`);
      expect(form.status).toBe(413);
      expect(errorOn(form.text)).toMatch(/too large/);
      const json = await rita.agent
        .post('/projects')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ _csrf: token, name: 'x', description: 'a'.repeat(TEN_MB) }));
      expect(json.status).toBe(415);
    });
    expect((await rita.get('/account')).status).toBe(200);
    expect((await rita.post('/projects', { name: 'Still working' })).status).toBe(303);
  });

  it('a 10 MB multipart article or codebook → 413, and the app still answers afterwards', async () => {
    const token = await rita.csrf();
    const projectId = demoProjectId(t.store);
    const big = Buffer.alloc(TEN_MB, 'a');
    await unchanged(t, async () => {
      for (const [path, field] of [
        [`/projects/${projectId}/articles`, 'text'],
        [`/projects/${projectId}/articles/preview`, 'text'],
        ['/codebooks', 'json'],
      ] as const) {
        const asField = await rita.agent.post(path).field('_csrf', token).field('title', 'Big').field(field, big.toString());
        expect(asField.status, path).toBe(413);
        const asFile = await rita.agent.post(path).field('_csrf', token).field('title', 'Big').attach('file', big, 'big.txt');
        expect(asFile.status, path).toBe(413);
      }
    });
    expect((await rita.get('/account')).status).toBe(200);
  });

  it('a tag note over the limit → 400, nothing stored', async () => {
    const articleId = demoArticleId(t.store);
    await unchanged(t, async () => {
      const res = await rita.post(`/articles/${articleId}/sentences/1/tags`, { ...TAG, note: 'n'.repeat(2001) });
      expect(res.status).toBe(400);
      // The tag form comes back with the message by the note, in plain words.
      expect(errorOn(res.text)).toBe('Note may be at most 2,000 characters long.');
    });
    expect((await rita.post(`/articles/${articleId}/sentences/1/tags`, { ...TAG, note: 'n'.repeat(2000) })).status).toBe(303);
  });
});

interface RouteInfo {
  method: string;
  path: string;
  /** Reachable signed out (sign-in, set-up and one-time links, classroom joins). */
  public: boolean;
}

interface Layer {
  handle: RequestHandler & { stack?: Layer[] };
  route?: { path: unknown; methods: Record<string, boolean>; stack: Layer[] };
}

/** Every GET and POST route in the app's routers; those behind requireUser (app-wide or in their router) need a user. */
function routesOf(app: Express): RouteInfo[] {
  const top = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  const routes: RouteInfo[] = [];
  let gated = false;
  for (const layer of top) {
    if (layer.handle === requireUser) gated = true;
    // A router may ask for a user itself, for its own paths (the sentence view, mounted first).
    let routerGated = false;
    for (const l of layer.handle.stack ?? []) {
      if (!l.route) {
        if (l.handle === requireUser) routerGated = true;
        continue;
      }
      // One route may serve several paths (Express 5 path arrays): each is a route of its own here.
      const paths: unknown[] = Array.isArray(l.route.path) ? l.route.path : [l.route.path];
      const inline = l.route.stack.some((s) => s.handle === requireUser);
      for (const path of paths) {
        if (typeof path !== 'string') throw new Error(`route path is not a string: ${String(path)}`);
        for (const method of Object.keys(l.route.methods)) {
          if (method === 'get' || method === 'post') routes.push({ method, path, public: !gated && !inline && !routerGated });
        }
      }
    }
  }
  return routes;
}

describe('signed-out requests to every route', () => {
  let t: TestApp;
  let params: Record<string, string>;
  beforeAll(async () => {
    t = await makeApp();
    const userId = await addUser(t, 'rita', 'researcher');
    const rita = await signIn(t.app, 'rita');
    const articleId = demoArticleId(t.store);
    const tagged = await rita.post(`/articles/${articleId}/sentences/1/tags`, TAG);
    const tagId = /saved=([A-Za-z0-9_-]+)/.exec(String(tagged.headers.location))?.[1] ?? '';
    params = {
      projectId: demoProjectId(t.store),
      articleId,
      n: '1',
      tagId,
      userId,
      codebookId: 'framing',
      token: 'A'.repeat(32),
    };
  });
  afterAll(async () => {
    await t.cleanup();
  });

  function fill(path: string): string {
    return path.replace(/:(\w+)/g, (_, name: string) => params[name] ?? 'abcdefgh12').replace(/[{}]/g, '');
  }

  it('private GET routes redirect to /signin (303); private POST routes answer 401 or 403; nothing changes', async () => {
    const routes = routesOf(t.app);
    const privateRoutes = routes.filter((r) => !r.public);
    // The enumeration found the app's routes, including the ones that matter most.
    expect(privateRoutes.length).toBeGreaterThan(25);
    for (const known of ['/projects/:projectId/settings', '/articles/:articleId/sentences/:n/tags', '/account/password', '/codebooks']) {
      expect(privateRoutes.some((r) => r.path === known && r.method === 'post'), known).toBe(true);
    }
    const a = agentFor(t.app);
    const token = await a.csrf();
    await unchanged(t, async () => {
      for (const route of privateRoutes) {
        const path = fill(route.path);
        if (route.method === 'get') {
          const res = await a.agent.get(path);
          expect(res.status, path).toBe(303);
          expect(res.headers.location, path).toBe(`/signin?next=${encodeURIComponent(path)}`);
        } else {
          const withToken = await a.agent.post(path).type('form').send({ _csrf: token, name: 'x', confirm: 'yes' });
          expect(withToken.status, `${path} (token)`).toBe(401);
          const without = await a.agent.post(path).type('form').send({ name: 'x', confirm: 'yes' });
          expect(without.status, `${path} (no token)`).toBe(403);
          const multipart = await a.agent.post(path).field('_csrf', token).field('title', 'x').field('text', 'Some text.');
          expect([401, 403], `${path} (multipart)`).toContain(multipart.status);
        }
      }
    });
  });

  it('public routes never answer a signed-out POST with 2xx or 5xx, and forged ones change nothing', async () => {
    const routes = routesOf(t.app).filter((r) => r.public);
    expect(routes.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining(['get /signin', 'post /signin', 'post /signout']));
    await unchanged(t, async () => {
      for (const route of routes) {
        const path = fill(route.path);
        if (route.method === 'get') {
          const res = await agentFor(t.app).agent.get(path);
          expect(res.status, path).toBeLessThan(500);
        } else {
          // A fresh browser each time (POST /signout ends the session and with it the token).
          const a = agentFor(t.app);
          const token = await a.csrf();
          for (const body of [{ _csrf: token }, {}]) {
            const res = await a.agent.post(path).type('form').send(body);
            expect(res.status, path).toBeLessThan(500);
            expect(res.status >= 200 && res.status < 300, `${path} answered ${res.status}`).toBe(false);
          }
        }
      }
    });
  });
});

describe('password policy', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeApp();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const weak: [string, RegExp][] = [
    ['short', /at least 10 characters/],
    ['qwertyuiop', /most common/],
    ['Qwertyuiop', /most common/],
    ['password123456', /most common/],
  ];

  it('/setup/:token refuses weak passwords (400 with a message); the set-up token works once', async () => {
    const token = await issueSetupToken(t.store);
    expect(token).not.toBeNull();
    const path = `/setup/${token ?? ''}`;
    const a = agentFor(t.app);
    expect((await a.get(path)).status).toBe(200);
    await unchanged(t, async () => {
      for (const [password, message] of [...weak, ['setup-rita-password', /must not contain your name/] as [string, RegExp]]) {
        const res = await a.post(path, { name: 'rita', password, confirm: password });
        expect(res.status, password).toBe(400);
        expect(errorOn(res.text), password).toMatch(message);
      }
      const differ = await a.post(path, { name: 'rita', password: GOOD, confirm: `${GOOD}!` });
      expect(differ.status).toBe(400);
      expect(errorOn(differ.text)).toMatch(/differ/);
    });
    const ok = await a.post(path, { name: 'rita', password: GOOD, confirm: GOOD });
    expect(ok.status).toBe(303);
    expect((await a.get('/account')).status).toBe(200);
    // Used: the link is dead for everyone, including a second researcher trying it.
    const b = agentFor(t.app);
    expect((await b.get(path)).status).toBe(404);
    await unchanged(t, async () => {
      expect((await b.post(path, { name: 'mallory', password: GOOD, confirm: GOOD })).status).toBe(404);
    });
    expect(await issueSetupToken(t.store)).toBeNull();
  });

  it('/link/:token (new account) refuses weak passwords, then works once', async () => {
    await addUser(t, 'rita', 'researcher');
    const rita = await signIn(t.app, 'rita');
    const invited = await rita.post(`/projects/${demoProjectId(t.store)}/members`, { name: 'newbie', role: 'annotator' });
    const link = await linkAfter(rita, invited);
    const a = agentFor(t.app);
    expect((await a.get(link)).status).toBe(200);
    await unchanged(t, async () => {
      for (const [password, message] of [...weak, ['newbie-and-more', /must not contain your name/] as [string, RegExp]]) {
        const res = await a.post(link, { password, confirm: password });
        expect(res.status, password).toBe(400);
        expect(errorOn(res.text), password).toMatch(message);
      }
    });
    expect((await a.post(link, { password: GOOD, confirm: GOOD })).status).toBe(303);
    const b = agentFor(t.app);
    expect((await b.get(link)).status).toBe(404);
    expect((await b.post(link, { password: `${GOOD} 2`, confirm: `${GOOD} 2` })).status).toBe(404);
    expect((await agentFor(t.app).post('/signin', { name: 'newbie', password: GOOD })).status).toBe(303);
  });

  it('/account/password refuses weak passwords and a wrong current password (400 with a message)', async () => {
    await addUser(t, 'rita', 'researcher');
    const rita = await signIn(t.app, 'rita');
    await unchanged(t, async () => {
      for (const [password, message] of weak) {
        const res = await rita.post('/account/password', { current: PASSWORD, password, confirm: password });
        expect(res.status, password).toBe(400);
        expect(errorOn(res.text), password).toMatch(message);
      }
      const wrong = await rita.post('/account/password', { current: 'not my password', password: GOOD, confirm: GOOD });
      expect(wrong.status).toBe(400);
      expect(errorOn(wrong.text)).toMatch(/current password is wrong/);
    });
    expect((await rita.post('/account/password', { current: PASSWORD, password: GOOD, confirm: GOOD })).status).toBe(303);
  });

  it("a researcher's reset link works once and ends the user's other sessions", async () => {
    await addUser(t, 'rita', 'researcher');
    const annaId = await addUser(t, 'anna', 'annotator');
    const rita = await signIn(t.app, 'rita');
    const projectId = demoProjectId(t.store);
    expect((await rita.post(`/projects/${projectId}/members`, { name: 'anna', role: 'annotator' })).status).toBe(303);
    const laptop = await signIn(t.app, 'anna');
    const phone = await signIn(t.app, 'anna');
    const reset = await rita.post(`/projects/${projectId}/members/${annaId}/reset`, {});
    const link = await linkAfter(rita, reset);
    // Until the link is used, anna's sessions and password still work.
    expect((await laptop.get('/account')).status).toBe(200);
    const a = agentFor(t.app);
    await unchanged(t, async () => {
      const res = await a.post(link, { password: 'qwertyuiop', confirm: 'qwertyuiop' });
      expect(res.status).toBe(400);
    });
    expect((await a.post(link, { password: GOOD, confirm: GOOD })).status).toBe(303);
    expect((await a.get('/account')).status).toBe(200);
    for (const old of [laptop, phone]) {
      const res = await old.get('/account');
      expect(res.status).toBe(303);
      expect(res.headers.location).toMatch(/^\/signin/);
    }
    expect((await agentFor(t.app).get(link)).status).toBe(404);
    expect((await agentFor(t.app).post(link, { password: `${GOOD} 2`, confirm: `${GOOD} 2` })).status).toBe(404);
    expect((await agentFor(t.app).post('/signin', { name: 'anna', password: PASSWORD })).status).toBe(401);
    expect((await agentFor(t.app).post('/signin', { name: 'anna', password: GOOD })).status).toBe(303);
    // The researcher's own session is untouched.
    expect((await rita.get('/account')).status).toBe(200);
  });
});
