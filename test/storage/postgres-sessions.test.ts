// Sessions and sign-in limits in PostgreSQL, shared by two app instances on one database: each
// instance is its own Express app with its own pool, built with the app's own session middleware
// (web/session.ts) and password guard (web/security.ts), as two `framelens serve` processes are.
import { join } from 'node:path';
import express, { type Express, type Request, type Response } from 'express';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT } from '../../server/paths.js';
import { PostgresDatabase } from '../../server/storage/postgres/index.js';
import { PostgresRateLimitStore } from '../../server/storage/postgres/rate-limits.js';
import { PostgresSessions } from '../../server/storage/postgres/sessions.js';
import { PasswordGuard, SIGN_IN_LIMITS } from '../../server/web/security.js';
import { SharedSessionStore, endSession, sessions, startSession } from '../../server/web/session.js';
import { createDatabase, postgresUrl, type TestDatabase } from '../helpers/postgres.js';

const SLOW = 120_000;
const SECRET = 'a-test-secret-of-at-least-thirty-two-characters';

interface Instance {
  app: Express;
  store: PostgresDatabase;
  sessions: PostgresSessions;
  sessionStore: SharedSessionStore;
  guard: PasswordGuard;
}

async function instance(url: string): Promise<Instance> {
  const store = await PostgresDatabase.open(url, [], { max: 4 });
  const data = new PostgresSessions(store.pool, { touchFlushMs: 60_000 });
  const sessionStore = new SharedSessionStore(data);
  const guard = new PasswordGuard((name) => name === 'ada', (prefix) => new PostgresRateLimitStore(store.pool, prefix));
  const app = express();
  // The limiters' refusal renders the error page: here its message is the whole page.
  app.engine('ejs', (_path, options: object, callback: (e: unknown, html?: string) => void) => callback(null, String(Reflect.get(options, 'message'))));
  app.set('view engine', 'ejs');
  app.set('views', join(ROOT, 'views'));
  app.use(express.urlencoded({ extended: false }));
  app.use(sessions({ secret: SECRET, secureCookies: false, store: sessionStore }));
  app.post('/signin', guard.limits, async (req: Request, res: Response) => {
    const body: unknown = req.body;
    const password = body && typeof body === 'object' && 'password' in body ? body.password : undefined;
    if (password !== 'right') {
      res.locals.failedGuess = true;
      res.status(401).send('wrong password');
      return;
    }
    await startSession(req, (session) => {
      session.userId = 'u-ada';
    });
    res.send('signed in');
  });
  app.get('/me', (req, res) => {
    res.send(req.session.userId ?? 'nobody');
  });
  app.post('/signout', async (req, res) => {
    await endSession(req);
    res.send('signed out');
  });
  return { app, store, sessions: data, sessionStore, guard };
}

const signIn = (app: Express, password: string) => request(app).post('/signin').type('form').send({ name: 'ada', password });

function cookieOf(response: request.Response): string {
  const header: unknown = response.headers['set-cookie'];
  const first = Array.isArray(header) && typeof header[0] === 'string' ? header[0] : '';
  const cookie = first.split(';')[0] ?? '';
  if (!cookie.startsWith('framelens.sid=')) throw new Error(`no session cookie in ${JSON.stringify(header)}`);
  return cookie;
}

/** The session id in a signed session cookie (`s:<sid>.<signature>`, URL-encoded). */
function sidOf(cookie: string): string {
  return decodeURIComponent(cookie.slice('framelens.sid='.length)).slice('s:'.length).split('.')[0] ?? '';
}

describe.skipIf(postgresUrl === null)('sessions and sign-in limits shared by two app instances', () => {
  let database: TestDatabase;
  let a: Instance;
  let b: Instance;
  beforeEach(async () => {
    database = await createDatabase('sessions');
    a = await instance(database.url);
    b = await instance(database.url);
  }, SLOW);
  afterEach(async () => {
    for (const i of [a, b]) {
      await i.sessions.close();
      await i.store.close();
    }
    await database.drop();
  }, SLOW);

  it('accepts on one instance a session started on the other, and ends it on both', async () => {
    const cookie = cookieOf(await signIn(a.app, 'right').expect(200));
    expect((await request(b.app).get('/me').set('Cookie', cookie).expect(200)).text).toBe('u-ada');
    expect((await request(a.app).get('/me').set('Cookie', cookie).expect(200)).text).toBe('u-ada');
    await request(b.app).post('/signout').set('Cookie', cookie).expect(200);
    expect((await request(a.app).get('/me').set('Cookie', cookie).expect(200)).text).toBe('nobody');

    // A password change on one instance ends the user's sessions everywhere but the one kept.
    const kept = cookieOf(await signIn(a.app, 'right').expect(200));
    const other = cookieOf(await signIn(b.app, 'right').expect(200));
    const keptSid = sidOf(kept);
    await b.sessionStore.endSessionsOf('u-ada', keptSid);
    expect((await request(a.app).get('/me').set('Cookie', other).expect(200)).text).toBe('nobody');
    expect((await request(b.app).get('/me').set('Cookie', kept).expect(200)).text).toBe('u-ada');
  }, SLOW);

  it('counts wrong passwords sent to either instance against one limit, and an unlock on one lifts it on both', async () => {
    const limit = SIGN_IN_LIMITS.perAccountAndAddress.failures;
    expect(await a.guard.lockedUntil('ada')).toBeNull();
    for (let i = 0; i < limit; i++) await signIn(i % 2 === 0 ? a.app : b.app, 'wrong').expect(401);
    // Either instance now refuses, even the right password, saying why.
    for (const i of [a, b]) {
      const refused = await signIn(i.app, 'right').expect(429);
      expect(refused.text).toContain('Too many failed sign-ins for this account.');
    }
    // Both list it as locked (a researcher's page on either server says so), for about 15 minutes.
    for (const i of [a, b]) {
      const until = await i.guard.lockedUntil(' ADA ');
      expect(until).not.toBeNull();
      const minutes = ((until?.getTime() ?? 0) - Date.now()) / 60_000;
      expect(minutes).toBeGreaterThan(10);
      expect(minutes).toBeLessThanOrEqual(15);
    }
    expect(await b.guard.lockedUntil('someone-else')).toBeNull();
    await a.guard.unlock('ada');
    expect(await a.guard.lockedUntil('ada')).toBeNull();
    expect(await b.guard.lockedUntil('ada')).toBeNull();
    await signIn(b.app, 'right').expect(200);
    await signIn(a.app, 'wrong').expect(401);
  }, SLOW);

  it('ends an idle session: expiry moves with use (in batches), and a session past it is refused on every instance', async () => {
    const cookie = cookieOf(await signIn(a.app, 'right').expect(200));
    const sid = sidOf(cookie);
    const { rows } = await a.store.pool.query<{ expires: string }>('SELECT expires::text FROM sessions WHERE sid = $1', [sid]);
    const first = Number(rows[0]?.expires);
    expect(first).toBeGreaterThan(Date.now());

    // Used on B a while later (simulated: its expiry is put back), the move reaches the database with B's batch.
    await a.store.pool.query('UPDATE sessions SET expires = $2 WHERE sid = $1', [sid, Date.now() + 1000]);
    await request(b.app).get('/me').set('Cookie', cookie).expect(200);
    await b.sessions.flushTouches();
    const moved = await a.store.pool.query<{ expires: string }>('SELECT expires::text FROM sessions WHERE sid = $1', [sid]);
    expect(Number(moved.rows[0]?.expires)).toBeGreaterThan(Date.now() + 60_000);

    await a.store.pool.query('UPDATE sessions SET expires = $2 WHERE sid = $1', [sid, Date.now() - 1]);
    expect((await request(a.app).get('/me').set('Cookie', cookie).expect(200)).text).toBe('nobody');
    expect(await a.sessions.prune()).toBe(1);
  }, SLOW);

  it('caps the sessions of one client address, ending the least recently used, and ends a lesson\'s student sessions', async () => {
    const record = (expires: number, extra: object) => ({
      expires,
      data: { cookie: { originalMaxAge: 1000, expires: null, httpOnly: true, path: '/' }, address: '10.0.0.1', ...extra },
    });
    const now = Date.now() + 60_000;
    await a.sessions.set('s1', record(now + 1, { userId: 'u1' }), 2);
    await b.sessions.set('s2', record(now + 2, { student: { activityId: 'lesson', studentId: 'st1' } }), 2);
    await a.sessions.set('s3', record(now + 3, { student: { activityId: 'lesson', studentId: 'st2' } }), 2);
    expect(await b.sessions.get('s1')).toBeUndefined();
    expect((await b.sessions.get('s2'))?.data.student?.studentId).toBe('st1');
    await b.sessionStore.endStudentSessions('lesson');
    expect(await a.sessions.get('s2')).toBeUndefined();
    expect(await a.sessions.get('s3')).toBeUndefined();
  }, SLOW);

  it('opens a new window for a key once the last has closed', async () => {
    const store = new PostgresRateLimitStore(a.store.pool, 'test:');
    store.init({ windowMs: 200 });
    expect((await store.increment('k')).totalHits).toBe(1);
    const second = await store.increment('k');
    expect(second.totalHits).toBe(2);
    await store.decrement('k');
    expect((await store.get('k'))?.totalHits).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await store.get('k')).toBeUndefined();
    const fresh = await store.increment('k');
    expect(fresh.totalHits).toBe(1);
    expect(fresh.resetTime && second.resetTime && fresh.resetTime > second.resetTime).toBe(true);
    store.shutdown();
  }, SLOW);
});
