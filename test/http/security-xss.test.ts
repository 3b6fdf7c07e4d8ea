// Security: stored XSS. Script payloads go into every text field a user can fill; every page
// that shows them must escape them, and every page carries the strict CSP. Also: the
// security headers and cookie flags, and error pages without stack traces.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type request from 'supertest';
import {
  addUser,
  agentFor,
  demoProjectId,
  makeApp,
  signIn,
  snapshot,
  type Agent,
  type TestApp,
} from '../helpers/app.js';

// Many requests and password hashes per test, on a shared 2-core machine: generous timeouts.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const SCRIPT = '<script>alert(1)</script>';
const SVG = '"><svg onload=alert(1)>';
const JS_URL = 'javascript:alert(1)';
const PAYLOAD = `${SCRIPT} ${SVG}`;
/** What EJS's `<%=` makes of the payloads. */
const SCRIPT_ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';
const SVG_ESCAPED = '&#34;&gt;&lt;svg onload=alert(1)&gt;';

async function unchanged(t: TestApp, act: () => Promise<void>): Promise<void> {
  const before = await snapshot(t);
  await act();
  expect(await snapshot(t)).toEqual(before);
}

async function multipart(
  a: Agent,
  path: string,
  fields: Record<string, string>,
  file?: { name: string; content: string },
): Promise<request.Response> {
  const token = await a.csrf();
  let req = a.agent.post(path).field('_csrf', token);
  for (const [name, value] of Object.entries(fields)) req = req.field(name, value);
  if (file) req = req.attach('file', Buffer.from(file.content), file.name);
  return req;
}

/** No live payload anywhere in the page: every `<`, `"` of a payload came out escaped. */
function expectNoLivePayload(html: string, where: string): void {
  expect(html, where).not.toContain('<script>alert');
  expect(html, where).not.toMatch(/<svg[^>]*onload/i);
  expect(html, where).not.toMatch(/<img[^>]*onerror/i);
  // No real tag carries an event handler or a javascript: URL. Quoted attribute values are
  // dropped first: a payload inside one is harmless text, since its quotes came out escaped.
  const tags = html.replace(/"[^"]*"/g, '""');
  expect(tags, where).not.toMatch(/<[a-z][^<>]*\son\w+\s*=/i);
  expect(html, where).not.toMatch(/<[a-z][^<>]*\s(href|src|action|formaction)\s*=\s*["']?\s*javascript:/i);
  // The only scripts are our own files.
  for (const tag of html.match(/<script\b[^>]*>/gi) ?? []) expect(tag, where).toMatch(/src="\/public\/js\/[a-z-]+\.js"/);
}

function errorOn(html: string): string {
  return /<p class="error" role="alert">([^<]*)<\/p>/.exec(html)?.[1] ?? '';
}

function expectStrictCsp(res: request.Response, where: string): void {
  const csp = String(res.headers['content-security-policy']);
  expect(csp, where).toContain("script-src 'self'");
  expect(csp, where).toContain("script-src-attr 'none'");
  expect(csp, where).toContain("object-src 'none'");
  expect(csp, where).not.toContain('unsafe-inline');
  expect(csp, where).not.toContain('unsafe-eval');
}

const CODEBOOK = {
  schemaVersion: 1,
  id: 'xss-book',
  name: SCRIPT,
  description: PAYLOAD,
  groups: [
    {
      id: 'g',
      name: SVG,
      categories: [
        { id: 'xss', name: PAYLOAD, definition: PAYLOAD, span: SCRIPT, example: SVG, colour: '#123456', key: 'a' },
        { id: 'plain', name: 'Plain', definition: 'Plain definition.', span: '', example: '', colour: '#654321', key: 'b' },
      ],
    },
  ],
};

describe('stored XSS payloads come back escaped, under a strict CSP', () => {
  let t: TestApp;
  let researcher: Agent;
  let projectId: string;
  let articleId: string;
  let tagId: string;

  beforeAll(async () => {
    t = await makeApp();
    await addUser(t, 'rita', 'researcher');
    await addUser(t, 'anna', 'annotator');
    researcher = await signIn(t.app, 'rita');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('project name and description', async () => {
    const res = await researcher.post('/projects', { name: SCRIPT, description: PAYLOAD });
    expect(res.status).toBe(303);
    projectId = String(res.headers.location).split('/').pop() ?? '';
    const page = await researcher.get(`/projects/${projectId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<h1>${SCRIPT_ESCAPED}</h1>`);
    expect(page.text).toContain(SVG_ESCAPED);
    expectNoLivePayload(page.text, 'project page');
    expectStrictCsp(page, 'project page');
  });

  it('codebook names, definitions, spans and examples (uploaded JSON file)', async () => {
    const res = await multipart(researcher, '/codebooks', {}, { name: 'xss.json', content: JSON.stringify(CODEBOOK) });
    expect(res.status).toBe(303);
    const settings = { description: PAYLOAD, codebookId: 'xss-book', mode: 'all', perArticle: '2', open: '1' };
    expect((await researcher.post(`/projects/${projectId}/settings`, settings)).status).toBe(303);
    expect((await researcher.post(`/projects/${projectId}/members`, { name: 'anna', role: 'annotator' })).status).toBe(303);
    for (const path of ['/codebooks', '/codebooks/xss-book']) {
      const page = await researcher.get(path);
      expect(page.status).toBe(200);
      expect(page.text).toContain(SCRIPT_ESCAPED);
      expectNoLivePayload(page.text, path);
      expectStrictCsp(page, path);
    }
    expect((await researcher.get('/codebooks/xss-book')).text).toContain(SVG_ESCAPED);
    // The codebook's CSS carries only validated ids and colours.
    const css = await researcher.get('/codebooks/xss-book/style.css');
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.text).toBe('.c-xss{--c:#123456;--c-fill:#7f91a4;--c-line:#123456}\n.c-plain{--c:#654321;--c-fill:#a08a75;--c-line:#654321}');
  });

  it('a pasted codebook with payloads in its error is shown escaped', async () => {
    const broken = { ...CODEBOOK, id: SCRIPT };
    await unchanged(t, async () => {
      const res = await multipart(researcher, '/codebooks', { json: JSON.stringify(broken) });
      expect(res.status).toBe(400);
      expectNoLivePayload(res.text, 'codebook error');
      const notJson = await multipart(researcher, '/codebooks', { json: `{${SCRIPT}` });
      expect(notJson.status).toBe(400);
      expectNoLivePayload(notJson.text, 'codebook JSON error');
    });
  });

  it('a javascript: article URL is refused with 400 (import and preview), in any spelling', async () => {
    const urls = [JS_URL, 'JavaScript:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<script>alert(1)</script>', '//evil.example/x', 'vbscript:msgbox(1)'];
    await unchanged(t, async () => {
      for (const url of urls) {
        for (const path of [`/projects/${projectId}/articles`, `/projects/${projectId}/articles/preview`]) {
          const res = await multipart(researcher, path, { title: 'Safe', url, text: 'One sentence here.' });
          expect(res.status, `${path} ${url}`).toBe(400);
          expect(res.text).toContain('must start with http:// or https://');
          expectNoLivePayload(res.text, url);
        }
      }
    });
  });

  it('article title, source, URL and text (import and preview)', async () => {
    const fields = {
      title: PAYLOAD,
      source: SVG,
      url: `https://example.org/?q="><script>alert(1)</script>`,
      text: `The minister said ${SCRIPT} was fine. Critics replied ${SVG} at once.\nThe talks ended ${JS_URL} late.`,
    };
    const preview = await multipart(researcher, `/projects/${projectId}/articles/preview`, fields);
    expect(preview.status).toBe(200);
    expect(preview.text).toContain(SCRIPT_ESCAPED);
    expectNoLivePayload(preview.text, 'preview');
    expectStrictCsp(preview, 'preview');
    const res = await multipart(researcher, `/projects/${projectId}/articles`, fields);
    expect(res.status).toBe(303);
    articleId = String(res.headers.location).split('/').pop() ?? '';
    const page = await researcher.get(`/articles/${articleId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<h1>${SCRIPT_ESCAPED} ${SVG_ESCAPED}</h1>`);
    expect(page.text).toContain('href="https://example.org/?q=&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expectNoLivePayload(page.text, 'article page');
  });

  it('tag notes (and the form echoed back after a refused tag)', async () => {
    const res = await researcher.post(`/articles/${articleId}/sentences/1/tags`, {
      first: '0',
      last: '1',
      category: 'xss',
      voice: 'author',
      note: PAYLOAD,
    });
    expect(res.status).toBe(303);
    tagId = /saved=([A-Za-z0-9_-]+)/.exec(String(res.headers.location))?.[1] ?? '';
    expect(tagId).not.toBe('');
    for (const path of [`/articles/${articleId}/sentences/1`, `/articles/${articleId}/sentences/1?edit=${tagId}`]) {
      const page = await researcher.get(path);
      expect(page.status).toBe(200);
      expect(page.text).toContain(`<p class="note">${SCRIPT_ESCAPED} ${SVG_ESCAPED}</p>`);
      expectNoLivePayload(page.text, path);
      expectStrictCsp(page, path);
    }
    // A refused tag (unknown category) re-renders the user's input: escaped too, nothing stored.
    await unchanged(t, async () => {
      const refused = await researcher.post(`/articles/${articleId}/sentences/1/tags`, {
        first: '0',
        last: '0',
        category: 'nope',
        voice: 'author',
        note: PAYLOAD,
      });
      expect([400, 409]).toContain(refused.status);
      expect(refused.text).toContain(SCRIPT_ESCAPED);
      expectNoLivePayload(refused.text, 'refused tag');
    });
  });

  it('user names: a member named with a payload is refused (400), and the error page is escaped', async () => {
    await unchanged(t, async () => {
      for (const name of [SCRIPT, SVG, JS_URL, '<img src=x onerror=alert(1)>']) {
        const res = await researcher.post(`/projects/${projectId}/members`, { name, role: 'annotator' });
        expect(res.status, name).toBe(400);
        expect(res.text).toContain('A name has 1–40 letters');
        expectNoLivePayload(res.text, name);
        expectStrictCsp(res, name);
      }
    });
    // The sign-in form echoes the name it was given: escaped.
    const a = agentFor(t.app);
    const res = await a.post('/signin', { name: SVG, password: 'wrong password' });
    expect(res.status).toBe(401);
    expect(res.text).toContain(`value="${SVG_ESCAPED}"`);
    expectNoLivePayload(res.text, 'sign-in');
  });

  it('every page showing the payloads escapes them (researcher and annotator views)', async () => {
    const anna = await signIn(t.app, 'anna');
    const pages: [Agent, string][] = [
      [researcher, '/'],
      [researcher, '/projects'],
      [researcher, `/projects/${projectId}`],
      [researcher, `/projects/${projectId}/summary`],
      [researcher, `/projects/${projectId}/dashboard`],
      [researcher, `/projects/${projectId}/articles/new`],
      [researcher, `/articles/${articleId}`],
      [researcher, `/articles/${articleId}/delete`],
      [researcher, `/articles/${articleId}/sentences/1`],
      [researcher, `/articles/${articleId}/sentences/2`],
      [researcher, '/codebooks'],
      [researcher, '/codebooks/xss-book'],
      [anna, '/'],
      [anna, `/projects/${projectId}`],
      [anna, `/projects/${projectId}/summary`],
      [anna, `/articles/${articleId}`],
      // The project is open: anna sees the researcher's tag and note.
      [anna, `/articles/${articleId}/sentences/1`],
    ];
    for (const [agent, path] of pages) {
      const res = await agent.get(path);
      expect(res.status, path).toBe(200);
      expect(res.text, path).toContain(SCRIPT_ESCAPED);
      expectNoLivePayload(res.text, path);
      expectStrictCsp(res, path);
    }
    // The summary as CSV is a download, not a page.
    const csv = await researcher.get(`/projects/${projectId}/summary.csv`);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toMatch(/^attachment/);
    expect(csv.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('security headers and cookie flags', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp();
    await addUser(t, 'rita', 'researcher');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('pages, redirects, errors, static files and codebook CSS carry CSP, nosniff and frame-ancestors none', async () => {
    const researcher = await signIn(t.app, 'rita');
    const signedOut = agentFor(t.app);
    const responses: [string, request.Response][] = [
      ['sign-in page', await signedOut.get('/signin')],
      ['redirect to sign-in', await signedOut.get('/projects')],
      ['home', await researcher.get('/')],
      ['project', await researcher.get(`/projects/${demoProjectId(t.store)}`)],
      ['404', await researcher.get('/no/such/page')],
      ['400', await researcher.get('/articles/..%2fusers')],
      ['static css', await researcher.get('/public/css/app.css')],
      ['static js', await researcher.get('/public/js/annotate.js')],
      ['codebook css', await researcher.get('/codebooks/framing/style.css')],
    ];
    for (const [where, res] of responses) {
      expectStrictCsp(res, where);
      const csp = String(res.headers['content-security-policy']);
      expect(csp, where).toContain("frame-ancestors 'none'");
      expect(csp, where).toContain("default-src 'self'");
      expect(csp, where).toContain("base-uri 'self'");
      expect(csp, where).toContain("form-action 'self'");
      expect(res.headers['x-content-type-options'], where).toBe('nosniff');
      expect(res.headers['x-frame-options'], where).toBe('SAMEORIGIN');
      expect(res.headers['referrer-policy'], where).toBe('no-referrer');
      expect(res.headers['x-powered-by'], where).toBeUndefined();
    }
  });

  it('the session cookie is HttpOnly and SameSite=Lax, with no Secure flag only because tests run over HTTP', async () => {
    const a = agentFor(t.app);
    const page = await a.agent.get('/signin');
    const signedIn = await a.post('/signin', { name: 'rita', password: 'correct horse battery staple' });
    expect(signedIn.status).toBe(303);
    // The sign-in page sets no session cookie, only the double-submit CSRF cookie (HttpOnly, SameSite=Strict).
    const pageCookies = [page.headers['set-cookie'] ?? []].flat();
    expect(pageCookies.some((c: string) => c.startsWith('framelens.sid='))).toBe(false);
    const csrfCookie = pageCookies.find((c: string) => c.startsWith('framelens.csrf=')) ?? '';
    expect(csrfCookie).toMatch(/;\s*HttpOnly/i);
    expect(csrfCookie).toMatch(/;\s*SameSite=Strict/i);
    for (const res of [signedIn]) {
      const cookies = [res.headers['set-cookie'] ?? []].flat().filter((c: string) => c.startsWith('framelens.sid='));
      expect(cookies).toHaveLength(1);
      const cookie = cookies[0] ?? '';
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=Lax/i);
      expect(cookie).toMatch(/;\s*Path=\//);
      expect(cookie).not.toMatch(/;\s*Domain=/i);
    }
  });
});

describe('error pages show no stack traces', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp();
    await addUser(t, 'rita', 'researcher');
  });
  afterAll(async () => {
    await t.cleanup();
  });

  function expectNoInternals(res: request.Response, where: string): void {
    expect(res.text, where).not.toMatch(/^\s*at\s/m);
    expect(res.text, where).not.toMatch(/\bat [\w.<>]+ \(/);
    expect(res.text, where).not.toMatch(/\/(work|home|tmp|usr|node_modules)\//);
    expect(res.text, where).not.toMatch(/\.(ts|js):\d+/);
    expect(res.text, where).not.toMatch(/Error:|ZodError|HttpError|SyntaxError/);
    expect(res.text, where).not.toContain(t.dataDir);
  }

  it('404, 400, 403, 413 and malformed bodies answer with a plain message', async () => {
    const researcher = await signIn(t.app, 'rita');
    const token = await researcher.csrf();
    const cases: [string, number, Promise<request.Response>][] = [
      ['unknown page', 404, researcher.get('/no/such/page')],
      ['unknown article', 404, researcher.get('/articles/nosucharticle')],
      ['traversal id', 400, researcher.get('/articles/..%2f..%2fusers')],
      ['malformed escape', 400, researcher.get('/articles/%E0%A4%A')],
      ['bad form', 400, researcher.post('/projects', { name: '' })],
      ['unknown field', 400, researcher.post('/projects', { name: 'x', role: 'researcher' })],
      ['no token', 403, researcher.agent.post('/projects').type('form').send({ name: 'x' })],
      ['JSON (not a form)', 415, researcher.agent.post('/projects').set('Content-Type', 'application/json').send('{"_csrf": "x", ')],
      ['too large', 413, researcher.agent.post('/projects').type('form').send(`_csrf=${token}&name=${'a'.repeat(200_000)}`)],
      [
        'malformed multipart',
        400,
        researcher.agent
          .post('/codebooks')
          .set('Content-Type', 'multipart/form-data; boundary=xyz')
          .send('--xyz\r\nContent-Disposition: form-data; name="json"\r\n\r\n{"a":1'),
      ],
    ];
    for (const [where, status, pending] of cases) {
      const res = await pending;
      expect(res.status, where).toBe(status);
      expect(res.headers['content-type'], where).toMatch(/^text\/html/);
      // A form people fill in comes back with the message by its field; anything else is the error page.
      expect(res.text, where).toMatch(where === 'bad form' ? /<p class="field-error" id="project-name-error">[^<]+<\/p>/ : /<p class="error" role="alert">[^<]+<\/p>/);
      expectNoInternals(res, where);
    }
    // JSON clients get the same plain message.
    const json = await researcher.agent.get('/articles/..%2fx').set('Accept', 'application/json');
    expect(json.status).toBe(400);
    expect(json.body).toEqual({ error: 'Invalid articleId.' });
  });

  it('an unexpected failure (500) shows neither the error message nor its stack', async () => {
    const researcher = await signIn(t.app, 'rita');
    const failure = vi.spyOn(t.store, 'articles').mockImplementation(() => {
      throw new Error(`EACCES: permission denied, open '${t.dataDir}/articles/secret.json'`);
    });
    try {
      const res = await researcher.get(`/projects/${demoProjectId(t.store)}`);
      expect(res.status).toBe(500);
      expect(errorOn(res.text)).toBe('Something went wrong on our side. Nothing was saved by this request.');
      expectNoInternals(res, '500');
      expect(res.text).not.toContain('EACCES');
      const json = await researcher.agent.get(`/projects/${demoProjectId(t.store)}`).set('Accept', 'application/json');
      expect(json.status).toBe(500);
      expect(JSON.stringify(json.body)).not.toMatch(/EACCES|secret\.json|\bat /);
    } finally {
      failure.mockRestore();
    }
  });
});
