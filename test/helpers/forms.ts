// Helpers for the HTTP suites: a world with a researcher and the demo project, multipart
// imports, tagging by word indexes, "nothing stored changed" checks and HTML assertions.
import { describe, expect, it, type TestFunction } from 'vitest';
import type request from 'supertest';
import { addUser, demoArticleId, demoProjectId, makeApp, makeJsonApp, onJsonFolder, signIn, type Agent, type JsonTestApp, type TestApp } from './app.js';

/**
 * `describe` and `it` for tests about the JSON folder itself (its files, journal, session log,
 * control socket): they run on the JSON folder and are skipped on PostgreSQL, where the skipped
 * test's name gives `why`.
 */
export function jsonFolderOnly(why: string) {
  return skippedOnPostgres(`JSON folder only: ${why}`);
}

/**
 * `describe` and `it` skipped on PostgreSQL for a reason other than being about the folder (a
 * known difference written down in `why`, which the skipped test's name gives).
 */
export function skippedOnPostgres(why: string) {
  const named = (name: string) => (onJsonFolder ? name : `${name} (${why})`);
  return {
    describe: (name: string, body: () => void) => describe.skipIf(!onJsonFolder)(named(name), body),
    it: (name: string, body: TestFunction, timeout?: number) => it.skipIf(!onJsonFolder)(named(name), body, timeout),
  };
}

export interface World<T extends TestApp = TestApp> {
  t: T;
  /** The first researcher (owns the demo project), signed in. */
  researcher: Agent;
  researcherId: string;
  projectId: string;
  demoArticleId: string;
}

/** The demo project and a researcher, on this run's backend. */
export async function world(): Promise<World> {
  return worldOn(await makeApp());
}

/** The same on a data folder (a new one, or `dataDir`), for the tests about the folder itself. */
export async function jsonWorld(dataDir?: string): Promise<World<JsonTestApp>> {
  return worldOn(await makeJsonApp(dataDir));
}

async function worldOn<T extends TestApp>(t: T): Promise<World<T>> {
  const researcherId = await addUser(t, 'rita', 'researcher');
  const researcher = await signIn(t.app, 'rita');
  return { t, researcher, researcherId, projectId: demoProjectId(t.store), demoArticleId: demoArticleId(t.store) };
}

/** A new annotator account added to a project by the researcher, signed in. */
export type Member = Agent & { id: string };

export async function addAnnotator(w: World, name: string, projectId = w.projectId): Promise<Member> {
  const id = await addUser(w.t, name, 'annotator');
  const added = await w.researcher.post(`/projects/${projectId}/members`, { name, role: 'annotator' });
  expect(added.status).toBe(303);
  return { ...(await signIn(w.t.app, name)), id };
}

export interface Upload {
  name: string;
  content: Buffer | string;
}

/** A multipart POST (the import and codebook forms), with this agent's CSRF token as `_csrf`. */
export async function multipart(
  a: Agent,
  path: string,
  fields: Record<string, string | string[]>,
  file?: Upload,
): Promise<request.Response> {
  const token = await a.csrf(); // before the request exists: it takes the cookie jar as it is then
  let req = a.agent.post(path).field('_csrf', token);
  for (const [key, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) req = req.field(key, v);
  }
  if (file) req = req.attach('file', typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content, file.name);
  return req;
}

/** The id at the end of a redirect such as `/articles/<id>` or `/projects/<id>`. */
export function redirectId(res: request.Response, prefix: string): string {
  expect(res.status).toBe(303);
  const location = String(res.headers.location ?? '');
  const match = new RegExp(`^${prefix}/([A-Za-z0-9_-]+)`).exec(location);
  if (!match?.[1]) throw new Error(`expected a redirect to ${prefix}/…, got "${location}"`);
  return match[1];
}

/** Imports an article by pasting its text (optionally excluding sentence indexes); returns its id. */
export async function importArticle(
  a: Agent,
  projectId: string,
  fields: { title: string; text: string; exclude?: string[]; source?: string },
): Promise<string> {
  const { exclude, ...rest } = fields;
  const res = await multipart(a, `/projects/${projectId}/articles`, { ...rest, ...(exclude ? { exclude } : {}) });
  return redirectId(res, '/articles');
}

export interface TagInput {
  first: number;
  last: number;
  category: string;
  voice?: string;
  intensity?: string;
  note?: string;
}

export function tagForm(input: TagInput): Record<string, string> {
  return {
    first: String(input.first),
    last: String(input.last),
    category: input.category,
    voice: input.voice ?? 'author',
    intensity: input.intensity ?? '',
    note: input.note ?? '',
  };
}

/** POSTs a new tag on sentence `n` (1-based). */
export function tag(a: Agent, articleId: string, n: number, input: TagInput): Promise<request.Response> {
  return a.post(`/articles/${articleId}/sentences/${n}/tags`, tagForm(input));
}

/** The id of the tag a successful create/edit redirected to (`?saved=<id>#tag-<id>`). */
export function savedTagId(res: request.Response): string {
  expect(res.status).toBe(303);
  const match = /\?saved=([A-Za-z0-9_-]+)&done=[A-Za-z0-9_-]+#sentence$/.exec(String(res.headers.location ?? ''));
  if (!match?.[1]) throw new Error(`no saved tag in redirect "${String(res.headers.location)}"`);
  return match[1];
}

/** Runs a request that must be refused and asserts that nothing stored changed. */
export async function refused(t: TestApp, action: () => Promise<request.Response>): Promise<request.Response> {
  const before = await t.snapshot();
  const res = await action();
  expect(res.status, res.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(await t.snapshot()).toEqual(before);
  return res;
}

/** EJS's escaping of `<%= %>` output. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c] ?? c);
}

/** The HTML text with entity-encoded characters as the browser shows them, whitespace collapsed. */
export function textOf(html: string): string {
  return html
    .replace(/<\/?(?:span|a|strong|em|kbd|code)\b[^>]*>/g, '')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&#34;|&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/** A page: HTML, the strict CSP header. Returns the body for further checks. */
export function expectPage(res: request.Response, status = 200): string {
  expect(res.status, res.text.slice(0, 500)).toBe(status);
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  expectCsp(res);
  return res.text;
}

export function expectCsp(res: request.Response): void {
  const csp = String(res.headers['content-security-policy'] ?? '');
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain('unsafe-inline');
}

/** An error page with this status whose message contains `message`. */
export function expectError(res: request.Response, status: number, message: string | RegExp): void {
  const html = expectPage(res, status);
  const shown = textOf(/<p class="error" role="alert">([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '');
  if (typeof message === 'string') expect(shown).toContain(message);
  else expect(shown).toMatch(message);
}

/**
 * A form sent back with a problem: the form's own page again (not the error page), with `status`,
 * the "There is a problem" summary, and `message` next to the field whose input has id `fieldId`.
 * Returns the page.
 */
export function expectFormError(res: request.Response, status: number, fieldId: string, message: string | RegExp): string {
  const html = expectPage(res, status);
  expect(html).toContain('<h2 id="error-summary-title">There is a problem</h2>');
  const escaped = fieldId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const shown = textOf(new RegExp(`<p class="field-error" id="${escaped}-error">([\\s\\S]*?)</p>`).exec(html)?.[1] ?? '');
  if (typeof message === 'string') expect(shown, fieldId).toContain(message);
  else expect(shown, fieldId).toMatch(message);
  // The summary's link lands on the field (an input, or the fieldset of a group of radio buttons).
  expect(html).toContain(`id="${fieldId}"`);
  return html;
}

export const PAYLOADS = ['<script>alert(1)</script>', '"><svg onload=alert(1)>'] as const;

/** The raw payload never appears; its escaped form does. */
export function expectEscaped(html: string, payload: string): void {
  expect(html).not.toContain(payload);
  expect(html).toContain(escapeHtml(payload));
}

/** A GET's whole response body as bytes, whatever its type (supertest parses only some types). */
export async function bodyOf(a: Agent, path: string): Promise<{ res: request.Response; bytes: Buffer }> {
  const res = await a.agent
    .get(path)
    .buffer(true)
    .parse((r, done) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => done(null, Buffer.concat(chunks)));
    });
  const bytes: unknown = res.body;
  if (!Buffer.isBuffer(bytes)) throw new Error(`${path}: no body`);
  return { res, bytes };
}
