// Browser-test harness: the app on a temporary data folder, listening on a free local port,
// with a researcher and an annotator (assigned to the demo article), and Debian's Chromium.
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { PASSWORD, addUser, demoArticleId, demoProjectId, listen, makeJsonApp, signIn, type JsonTestApp, type TestApp } from '../helpers/app.js';
import type { Activity } from '../../server/storage/activity-schemas.js';

export { PASSWORD };

/** Generous: Chromium and argon2 share two cores with whatever else runs. */
export const TIMEOUT = 60_000;

export interface Harness {
  t: JsonTestApp;
  base: string;
  browser: Browser;
  articleId: string;
  projectId: string;
  researcherId: string;
  annotatorId: string;
  /** A fresh context (closed in close()); options as for browser.newContext. */
  context: (options?: BrowserContextOptions) => Promise<BrowserContext>;
  close: () => Promise<void>;
}

/** A phone-sized touch screen (an iPhone 12's), for the pages students and annotators use on phones. */
export const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 } as const satisfies BrowserContextOptions;

/** Browser contexts on one server, each with a default timeout, all closed by closeAll(). */
export class Contexts {
  readonly #open: BrowserContext[] = [];
  readonly #browser: Browser;
  readonly #base: string;
  readonly #timeout: number;

  constructor(browser: Browser, base: string, timeout = 20_000) {
    this.#browser = browser;
    this.#base = base;
    this.#timeout = timeout;
  }

  async open(options: BrowserContextOptions = {}): Promise<BrowserContext> {
    const context = await this.#browser.newContext({ baseURL: this.#base, ...options });
    context.setDefaultTimeout(this.#timeout);
    this.#open.push(context);
    return context;
  }

  async closeAll(): Promise<void> {
    for (const context of this.#open.splice(0)) await context.close().catch(() => undefined);
  }
}

export const RESEARCHER = 'rhea';
export const ANNOTATOR = 'ann';

/** Debian's Chromium, headless, with nothing that reaches the network on its own. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu', '--no-first-run'],
  });
}

/** The app of `t` listening on a free port, with Chromium and its contexts; close() ends them all and removes the data. */
export interface Served {
  base: string;
  browser: Browser;
  contexts: Contexts;
  close: () => Promise<void>;
}

export async function serveWithChromium(t: TestApp, timeout?: number): Promise<Served> {
  const server = await listen(t.app);
  const browser = await launchChromium();
  const contexts = new Contexts(browser, server.base, timeout);
  return {
    base: server.base,
    browser,
    contexts,
    close: async () => {
      await contexts.closeAll();
      await browser.close().catch(() => undefined);
      await server.close();
      await t.cleanup();
    },
  };
}

export async function startHarness(): Promise<Harness> {
  const t = await makeJsonApp();
  const researcherId = await addUser(t, RESEARCHER, 'researcher');
  const annotatorId = await addUser(t, ANNOTATOR, 'annotator');
  const projectId = demoProjectId(t.store);
  const articleId = demoArticleId(t.store);
  await t.store.projects.update((file) => {
    const project = file.data.projects.find((p) => p.id === projectId);
    project?.members.push({ userId: annotatorId, role: 'annotator' });
  });
  const served = await serveWithChromium(t, 15_000);
  return {
    t,
    base: served.base,
    browser: served.browser,
    articleId,
    projectId,
    researcherId,
    annotatorId,
    context: (options) => served.contexts.open(options),
    close: served.close,
  };
}

/** Collects console errors, uncaught exceptions and CSP reports of a page. */
export function watchErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    // Chromium asks for /favicon.ico on its own; the app has none (not a page problem).
    if (message.location().url.endsWith('/favicon.ico')) return;
    if (message.type() === 'error' || /Content Security Policy/i.test(message.text())) {
      problems.push(`console ${message.type()}: ${message.text()} @ ${page.url()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message} @ ${page.url()}`));
  return problems;
}

/** Console errors, failed requests (but the browser's own favicon guess), uncaught exceptions and CSP violations. */
export function watchRequests(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (/^Failed to load resource/.test(m.text())) return; // reported with its URL below
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console: ${m.text()} @ ${page.url()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`${r.status()} ${r.url()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message} @ ${page.url()}`));
  return problems;
}

/** Signs in through the form and waits for the home page. */
export async function signInWithForm(page: Page, name: string, password = PASSWORD): Promise<void> {
  await page.goto('/signin');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/** Joins a lesson through its join page's form and waits for the lesson. */
export async function joinWithForm(page: Page, code: string, nickname: string): Promise<void> {
  await page.goto(`/j/${code}`);
  await expect.poll(() => page.inputValue('#code')).toBe(code);
  await page.fill('#nickname', nickname);
  await Promise.all([page.waitForURL((url) => url.pathname === '/lesson'), page.getByRole('button', { name: 'Join' }).click()]);
}

/** A signed-in page in a new context. */
export async function signedInPage(h: Harness, name: string, options?: BrowserContextOptions): Promise<{ page: Page; problems: string[] }> {
  const context = await h.context(options);
  const page = await context.newPage();
  const problems = watchErrors(page);
  await signInWithForm(page, name);
  return { page, problems };
}

export function sentencePath(h: Harness, n: number): string {
  return `/articles/${h.articleId}/sentences/${n}`;
}

/** The annotator's tags on the demo article, as stored. */
export function storedTags(h: Harness, annotatorId = h.annotatorId) {
  return h.t.store.annotation(h.articleId, annotatorId).tags;
}

/** A lesson on the demo article, started over HTTP by `teacher` (an existing teacher or researcher), as from the Lessons page. */
export async function demoLesson(t: TestApp, teacher: string): Promise<Activity> {
  const agent = await signIn(t.app, teacher);
  const before = new Set(t.activities.activities().map((a) => a.id));
  const created = await agent.post('/activities', { from: 'demo' });
  expect(created.status).toBe(303);
  const activity = t.activities.activities().find((a) => !before.has(a.id));
  if (!activity) throw new Error('no lesson was started');
  return activity;
}

export type SessionState = Awaited<ReturnType<BrowserContext['storageState']>>;

/** Signs in once through the form and keeps the cookies, so later contexts start signed in. */
export async function sessionOf(h: Harness, name: string): Promise<SessionState> {
  const context = await h.context();
  const page = await context.newPage();
  await signInWithForm(page, name);
  const state = await context.storageState();
  await context.close();
  return state;
}

/** The harness, with a lesson on the demo article started by a teacher (`tess`), and her signed-in session. */
export async function lessonHarness(): Promise<{ h: Harness; activity: Activity; teacher: SessionState }> {
  const h = await startHarness();
  try {
    await addUser(h.t, 'tess', 'teacher');
    const activity = await demoLesson(h.t, 'tess');
    return { h, activity, teacher: await sessionOf(h, 'tess') };
  } catch (error) {
    await h.close();
    throw error;
  }
}

/** A page in a new context that starts with `session`; `scripts: false` blocks the app's scripts (the forms alone). */
export async function sessionPage(h: Harness, session: SessionState, { scripts = true } = {}): Promise<Page> {
  const context = await h.context({ storageState: session });
  if (!scripts) await context.route('**/public/js/**', (route) => route.abort());
  return context.newPage();
}

/** A page in a new context that starts with a signed-in session. */
export async function pageWith(
  h: Harness,
  session: SessionState,
  options?: BrowserContextOptions,
): Promise<{ page: Page; problems: string[] }> {
  const context = await h.context({ ...options, storageState: session });
  const page = await context.newPage();
  return { page, problems: watchErrors(page) };
}
