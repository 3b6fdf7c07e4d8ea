// Test helpers: the app on a temporary study (a data folder, or a database of its own when the
// run says PostgreSQL), signed-in agents that carry CSRF tokens, and a snapshot of everything
// stored to prove that a refused request changed nothing.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { createUser, hasAdmin } from '../../server/accounts/users.js';
import { createFirstAdmin } from '../../server/accounts/admin.js';
import { openData } from '../../server/commands/serve.js';
import type { Role } from '../../server/storage/schemas.js';
import type { ActivityCollection, AppStore, StudyReader } from '../../server/storage/app-store.js';
import { Store, journalledFiles, packedShards } from '../../server/storage/store.js';
import { ActivityStore } from '../../server/storage/activities.js';
import { serverFor } from '../../server/web/http-server.js';
import { FileSessionStore } from '../../server/web/session.js';
import { SessionLog } from '../../server/storage/session-log.js';

export const PASSWORD = 'correct horse battery staple';

export type Backend = 'json' | 'postgres';

/**
 * The backend this run's apps are built on: the JSON folder, or PostgreSQL when the vitest
 * project says so (FRAMELENS_TEST_BACKEND=postgres, the `http-postgres` project of vitest.config.ts).
 */
export const backend: Backend = process.env.FRAMELENS_TEST_BACKEND === 'postgres' ? 'postgres' : 'json';

/** Whether this run's apps keep their study in a data folder (the tests about the folder itself run only then). */
export const onJsonFolder = backend === 'json';

export interface StoredSession {
  sid: string;
  /** The signed-in account, if any. */
  userId: string | undefined;
}

export interface TestApp {
  app: Express;
  backend: Backend;
  store: AppStore;
  activities: ActivityCollection;
  /** The data folder; on PostgreSQL, the server's own folder (learned suggestion models). */
  dataDir: string;
  /**
   * Everything stored (files, or every table's rows), as text: equal before and after a refused
   * request. Sessions are left out unless asked for (a visit may start one).
   */
  snapshot: (options?: { sessions?: boolean }) => Promise<Map<string, string>>;
  /** The stored browser sessions, by id (the session log, or the sessions table): whose each is. */
  sessions: () => Promise<StoredSession[]>;
  /** A second app on the same study, as after a restart; its cleanup closes only it. */
  reopen: () => Promise<TestApp>;
  cleanup: () => Promise<void>;
}

/** The app on a data folder, with the folder's own classes (for the tests about the folder). */
export interface JsonTestApp extends TestApp {
  backend: 'json';
  store: Store;
  activities: ActivityStore;
  reopen: () => Promise<JsonTestApp>;
}

/** The app on this run's backend: a new data folder, or a new database copied from the run's template. */
export async function makeApp(): Promise<TestApp> {
  if (backend === 'postgres') {
    const { makePostgresApp } = await import('./postgres-app.js');
    return makePostgresApp();
  }
  return makeJsonApp();
}

/** The data folder's own store, for a test about the folder itself (jsonFolderOnly); throws on PostgreSQL. */
export function jsonStore(t: TestApp): Store {
  if (!(t.store instanceof Store)) throw new Error('this test is about the JSON folder: run it on the JSON folder only (jsonFolderOnly)');
  return t.store;
}

/** The app on a data folder (a new one, or `dataDir` as a restart would open it). */
export async function makeJsonApp(dataDir?: string): Promise<JsonTestApp> {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'framelens-test-')));
  const store = await openData(dir);
  const activities = await ActivityStore.open(dir);
  const config = { ...loadConfig({ NODE_ENV: 'test', DATA_DIR: dir }), log: false };
  const app = createApp({ config, store, activities, sessionStore: new FileSessionStore(store) });
  const cleanup = async () => {
    // Closing checkpoints the journal now, not later into a folder that is gone.
    await store.close().catch(() => {});
    // A reopened app leaves the folder to the app that made it.
    if (dataDir === undefined) await rm(dir, { recursive: true, force: true });
  };
  const sessions = async () => {
    const memory = [...store.sessions.entries()].map(([sid]) => sid).sort();
    const log = await SessionLog.open(dir, { readOnly: true });
    const disk = [...log.entries()].map(([sid, record]) => ({ sid, userId: record.data.userId })).sort((a, b) => (a.sid < b.sid ? -1 : 1));
    const logged = disk.map((s) => s.sid).join();
    if (memory.join() !== logged) throw new Error(`the sessions in memory (${memory.join()}) are not those in the log (${logged})`);
    return disk;
  };
  const stored = (options: { sessions?: boolean } = {}) => folderSnapshot(dir, options.sessions === true);
  return { app, backend: 'json', store, activities, dataDir: dir, snapshot: stored, sessions, reopen: () => makeJsonApp(dir), cleanup };
}

/** What a restart finds: `read` on a second app opened on the same study (closed again after). */
export async function afterRestart<T>(t: TestApp, read: (again: TestApp) => T | Promise<T>): Promise<T> {
  const again = await t.reopen();
  try {
    return await read(again);
  } finally {
    await again.cleanup();
  }
}

export interface Listening {
  server: Server;
  /** `http://127.0.0.1:<port>` */
  base: string;
  close: () => Promise<void>;
}

/** `app` on the server `framelens serve` listens with, on a free local port. */
export async function listen(app: Express): Promise<Listening> {
  const server = serverFor(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { server, base: `http://127.0.0.1:${port}`, close };
}

/** A new account; the first researcher becomes the administrator and leads the demo project, as at set-up. */
export async function addUser(t: TestApp, name: string, role: Role): Promise<string> {
  const first = role === 'researcher' && !hasAdmin(t.store);
  const user = first ? await createFirstAdmin(t.store, name, PASSWORD) : await createUser(t.store, name, role, PASSWORD);
  return user.id;
}

/** The CSRF token in a page's forms. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token on the page');
  return match[1];
}

export interface Agent {
  agent: ReturnType<typeof request.agent>;
  /** A fresh CSRF token for this session (read from a page). */
  csrf: () => Promise<string>;
  /** POST a urlencoded form with this session's CSRF token. */
  post: (path: string, form: Record<string, string | string[]>) => Promise<request.Response>;
  get: (path: string) => Promise<request.Response>;
}

/** What supertest can send requests to: the app itself, or a server made for it. */
export type Target = Parameters<typeof request>[0];

export function agentFor(app: Target): Agent {
  const agent = request.agent(app);
  let token: string | null = null;
  const csrf = async () => {
    if (token) return token;
    const page = await agent.get('/signin');
    token = csrfOf(page.text);
    return token;
  };
  return {
    agent,
    csrf,
    get: (path) => agent.get(path),
    // Fetch the token first: supertest's agent attaches its cookies when the request is created.
    post: async (path, form) => {
      const token = await csrf();
      return agent.post(path).type('form').send({ _csrf: token, ...form });
    },
  };
}

export async function signIn(app: Target, name: string, password = PASSWORD): Promise<Agent> {
  const a = agentFor(app);
  const response = await a.post('/signin', { name, password });
  if (response.status !== 303) throw new Error(`sign-in failed for ${name}: ${response.status}`);
  // The session id (and with it the CSRF token) changes at sign-in.
  const page = await a.agent.get('/account');
  const fresh = csrfOf(page.text);
  return { ...a, csrf: async () => fresh, post: async (path, form) => a.agent.post(path).type('form').send({ _csrf: fresh, ...form }) };
}

/**
 * Everything an app stores (`t.snapshot()`), or every stored file of a data folder and its
 * content: the content a restart would see, with saves still in the journal put over their files
 * (a checkpoint may run between two snapshots; it changes where a save is, not what is stored).
 */
export async function snapshot(target: TestApp | string): Promise<Map<string, string>> {
  return typeof target === 'string' ? folderSnapshot(target, false) : target.snapshot();
}

/**
 * tags.sums (and its temporary file while it is written) held checksums of the tag shards before
 * packs, no study data. A pack (tags/<articleId>.pack) is shown as the shard files it holds
 * (tags/<articleId>/<annotatorId>.json), as they were stored before packs.
 */
const SUMS = /^\.?tags\.sums(\..*\.tmp)?$/;
const PACK = /\.pack$/;

async function folderSnapshot(dir: string, withSessions: boolean): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) {
        if (path !== join(dir, 'journal')) await walk(path);
      } else if ((withSessions || entry.name !== 'sessions.log') && !SUMS.test(entry.name) && !PACK.test(entry.name)) {
        files.set(relative(dir, path), await readFile(path, 'utf8'));
      }
    }
  };
  await walk(dir);
  for (const [path, content] of packedShards(dir)) files.set(relative(dir, path), content);
  for (const [path, content] of journalledFiles(dir)) files.set(relative(dir, path), JSON.stringify(content));
  return files;
}

/** A stored file's content as a restart would see it (its journalled content, if newer). */
export async function storedText(dir: string, name: string): Promise<string> {
  const journalled = journalledFiles(dir).get(join(dir, name));
  return journalled === undefined ? (packedShards(dir).get(join(dir, name)) ?? readFile(join(dir, name), 'utf8')) : JSON.stringify(journalled);
}

export function demoArticleId(store: StudyReader): string {
  const article = store.articles()[0];
  if (!article) throw new Error('no demo article');
  return article.id;
}

export function demoProjectId(store: StudyReader): string {
  const project = store.projects.data.data.projects[0];
  if (!project) throw new Error('no demo project');
  return project.id;
}

/**
 * The one-time link a researcher or administrator was sent to after making one (POST → 303 to
 * /accounts/:userId/link, a page they can reload): its path, /link/<token>.
 */
export async function linkAfter(maker: Agent, res: request.Response): Promise<string> {
  if (res.status !== 303) throw new Error(`expected a 303 to the link page, got ${res.status}`);
  const page = await maker.get(String(res.headers.location ?? ''));
  const match = /value="https?:\/\/[^"/]+(\/link\/[A-Za-z0-9_-]+)"/.exec(page.text);
  if (page.status !== 200 || !match?.[1]) throw new Error('no one-time link on the link page');
  return match[1];
}
