// Security, issue 14 item 9: signed-out visitors store no session (their forms carry a signed
// double-submit token), sessions per address are capped, and sessions live in an append-only
// log that a sign-in appends to instead of rewriting every session.
import { appendFile, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import type { SessionData } from 'express-session';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SessionLog } from '../../server/storage/session-log.js';
import { FileSessionStore, SESSIONS_PER_ADDRESS } from '../../server/web/session.js';
import { PASSWORD, addUser, agentFor, csrfOf, makeApp, makeJsonApp, onJsonFolder, signIn, type JsonTestApp, type TestApp } from '../helpers/app.js';
import { jsonFolderOnly } from '../helpers/forms.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

const LOG = 'sessions.log';

/**
 * The session log's bytes on the JSON folder: not one line appended, not even a touch (the
 * sessions table's rows, in t.sessions(), are what PostgreSQL stores).
 */
async function logBytes(t: TestApp): Promise<Buffer | null> {
  return onJsonFolder ? readFile(join(t.dataDir, LOG)) : null;
}

function cookiesOf(res: request.Response): string[] {
  return [res.headers['set-cookie'] ?? []].flat().map((c: string) => c.split(';')[0] ?? '');
}

describe('visitors who only look at a form', () => {
  let t: TestApp;
  let code = '';
  beforeAll(async () => {
    t = await makeApp();
    await addUser(t, 'rita', 'researcher');
    await addUser(t, 'tess', 'teacher');
    const tess = await signIn(t.app, 'tess');
    expect((await tess.post('/activities', { from: 'demo' })).status).toBe(303);
    code = t.activities.activities()[0]?.code ?? '';
    expect(code).toMatch(/^[A-Z0-9]{6}$/);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('1,000 anonymous GETs of /signin, /join and /j/CODE leave the session store unchanged (memory and disk)', async () => {
    const before = { sessions: await t.sessions(), log: await logBytes(t) };
    const paths = ['/signin', '/join', `/j/${code}`, '/j/NOCODE', `/join?code=${code}`, '/signin?next=/projects'];
    for (let i = 0; i < 1000; i++) {
      const path = paths[i % paths.length] ?? '/signin';
      const res = await request(t.app).get(path);
      expect(res.status, path).toBeLessThan(500);
      expect(cookiesOf(res).some((c) => c.startsWith('framelens.sid=')), path).toBe(false);
    }
    expect(await t.sessions()).toEqual(before.sessions);
    expect(await logBytes(t)).toEqual(before.log);
  });

  it('the sign-in form works with its double-submit token and stores one session, for the signed-in user', async () => {
    const count = (await t.sessions()).length;
    const a = agentFor(t.app);
    expect((await a.post('/signin', { name: 'rita', password: PASSWORD })).status).toBe(303);
    expect((await t.sessions()).length).toBe(count + 1);
    expect((await a.get('/account')).status).toBe(200);
  });

  it('a join works the same way: one session, the student’s', async () => {
    const count = (await t.sessions()).length;
    const agent = request.agent(t.app);
    const page = await agent.get(`/join?code=${code}`);
    const joined = await agent.post('/join').type('form').send({ _csrf: csrfOf(page.text), code, nickname: 'Visitor' });
    expect(joined.status).toBe(303);
    expect((await t.sessions()).length).toBe(count + 1);
    expect((await agent.get('/lesson')).status).toBe(200);
  });

  it('refuses a forged sign-in: no cookie, another browser’s cookie, or a token that is not the cookie’s → 403', async () => {
    const mine = await request(t.app).get('/signin');
    const theirs = await request(t.app).get('/signin');
    const [myCookie] = cookiesOf(mine);
    const [theirCookie] = cookiesOf(theirs);
    const myToken = csrfOf(mine.text);
    const theirToken = csrfOf(theirs.text);
    expect(myToken).not.toBe(theirToken);
    const count = (await t.sessions()).length;
    const tries: [string | undefined, string][] = [
      [undefined, myToken],
      [theirCookie, myToken],
      [myCookie, theirToken],
      [myCookie, `${myToken}x`],
      [myCookie, ''],
    ];
    for (const [cookie, token] of tries) {
      let req = request(t.app).post('/signin');
      if (cookie) req = req.set('Cookie', cookie);
      const res = await req.type('form').send({ _csrf: token, name: 'rita', password: PASSWORD });
      expect(res.status, `${cookie} / ${token}`).toBe(403);
    }
    expect((await t.sessions()).length).toBe(count);
    // The cookie is HttpOnly and SameSite=Strict: a cross-site form does not carry it.
    expect(String(mine.headers['set-cookie'])).toMatch(/HttpOnly/);
    expect(String(mine.headers['set-cookie'])).toMatch(/SameSite=Strict/);
    const ok = await request(t.app).post('/signin').set('Cookie', myCookie ?? '').type('form').send({ _csrf: myToken, name: 'rita', password: PASSWORD });
    expect(ok.status).toBe(303);
  });

  it('leaving the lesson ends the student’s session (the join page is a visitor’s again)', async () => {
    const agent = request.agent(t.app);
    const page = await agent.get(`/join?code=${code}`);
    await agent.post('/join').type('form').send({ _csrf: csrfOf(page.text), code, nickname: 'Leaver' });
    const count = (await t.sessions()).length;
    const token = csrfOf((await agent.get('/lesson')).text);
    const left = await agent.post('/lesson/leave').type('form').send({ _csrf: token });
    expect(left.status).toBe(303);
    expect((await t.sessions()).length).toBe(count - 1);
    expect((await agent.get('/lesson')).headers.location).toBe('/join');
  });
});

jsonFolderOnly('drives the session log’s store directly').describe('sessions per address', () => {
  let t: JsonTestApp;
  beforeEach(async () => {
    t = await makeJsonApp();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const data = (address: string): SessionData => ({
    cookie: { originalMaxAge: 1000, expires: null, httpOnly: true, path: '/' } as SessionData['cookie'],
    userId: 'user0000001',
    address,
  });
  const set = (store: FileSessionStore, sid: string, address: string) =>
    new Promise<void>((resolve, reject) => store.set(sid, data(address), (e) => (e ? reject(e) : resolve())));

  it(`an address holds at most ${SESSIONS_PER_ADDRESS}: its least recently used one ends for a new one; other addresses are untouched`, async () => {
    const store = new FileSessionStore(t.store);
    await set(store, 'elsewhere', '192.0.2.99');
    for (let i = 0; i < SESSIONS_PER_ADDRESS; i++) await set(store, `s${i}`, '192.0.2.1');
    expect(t.store.sessions.size).toBe(SESSIONS_PER_ADDRESS + 1);
    // s0 is used again, so s1 is now the least recently used.
    store.touch('s0', data('192.0.2.1'));
    await set(store, 'newest', '192.0.2.1');
    expect(t.store.sessions.size).toBe(SESSIONS_PER_ADDRESS + 1);
    expect(t.store.sessions.get('s1')).toBeUndefined();
    for (const sid of ['s0', 's2', 'newest', 'elsewhere']) expect(t.store.sessions.get(sid), sid).toBeDefined();
    // A session that changes (it exists already) does not count as new.
    await set(store, 's2', '192.0.2.1');
    expect(t.store.sessions.size).toBe(SESSIONS_PER_ADDRESS + 1);
    // And after a restart the same sessions are there.
    const reopened = await SessionLog.open(t.dataDir, { readOnly: true });
    expect(reopened.size).toBe(SESSIONS_PER_ADDRESS + 1);
    expect(reopened.get('s1')).toBeUndefined();
  });
});

jsonFolderOnly('the data folder’s session log').describe('the session log', () => {
  let t: JsonTestApp;
  beforeEach(async () => {
    t = await makeJsonApp();
    await addUser(t, 'rita', 'researcher');
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('a sign-in appends one line; sign-out another; nothing before them is rewritten', async () => {
    const path = join(t.dataDir, LOG);
    const before = await readFile(path);
    const a = agentFor(t.app);
    expect((await a.post('/signin', { name: 'rita', password: PASSWORD })).status).toBe(303);
    const afterSignIn = await readFile(path);
    expect(afterSignIn.subarray(0, before.length)).toEqual(before);
    const added = afterSignIn.subarray(before.length).toString('utf8');
    expect(added.split('\n').filter(Boolean)).toHaveLength(1);
    expect(added).toMatch(/^[0-9a-f]{8} \{"set":/);
    const inode = (await stat(path)).ino;
    const token = csrfOf((await a.get('/account')).text);
    expect((await a.agent.post('/signout').type('form').send({ _csrf: token })).status).toBe(303);
    const afterSignOut = await readFile(path);
    expect(afterSignOut.subarray(0, afterSignIn.length)).toEqual(afterSignIn);
    expect(afterSignOut.subarray(afterSignIn.length).toString('utf8')).toMatch(/^[0-9a-f]{8} \{"del":"[^"]+"\}\n$/);
    expect((await stat(path)).ino).toBe(inode);
  });

  it('a line cut short by a crash is dropped and cut off; the sessions before it survive', async () => {
    const a = agentFor(t.app);
    await a.post('/signin', { name: 'rita', password: PASSWORD });
    await t.store.close();
    const path = join(t.dataDir, LOG);
    const good = await readFile(path);
    await appendFile(path, '0badc0de {"set":"torn","rec');
    const log = await SessionLog.open(t.dataDir);
    expect(log.size).toBe(1);
    expect(await readFile(path)).toEqual(good);
    await log.close();
    const again = await makeJsonApp(t.dataDir);
    expect(again.store.sessions.size).toBe(1);
    await again.store.close();
  });

  it('a damaged complete line ends every session (none may come back), keeps the log aside and warns', async () => {
    const a = agentFor(t.app);
    await a.post('/signin', { name: 'rita', password: PASSWORD });
    const sid = [...t.store.sessions.entries()][0]?.[0] ?? '';
    await t.store.close();
    const path = join(t.dataDir, LOG);
    const text = await readFile(path, 'utf8');
    // One changed byte in a complete line: the checksum no longer matches.
    await writeFile(path, text.replace(sid, `${sid.slice(0, -1)}${sid.endsWith('a') ? 'b' : 'a'}`));
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const log = await SessionLog.open(t.dataDir);
      await new Promise((resolve) => setImmediate(resolve));
      expect(log.size).toBe(0);
      await log.close();
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.join('\n')).toMatch(/sessions\.log, byte 0: .*Every session was ended.*sessions\.log\.damaged-/);
    expect((await readdir(t.dataDir)).some((n) => n.startsWith('sessions.log.damaged-'))).toBe(true);
  });

  it('compacts: after many sign-ins and sign-outs the log holds about one line per live session', async () => {
    const log = t.store.sessions;
    const record = { expires: Date.now() + 60_000, data: { cookie: { originalMaxAge: 1000, expires: null }, userId: 'user0000001' } };
    for (let i = 0; i < 1100; i++) {
      await log.set(`s${i}`, record);
      await log.remove([`s${i}`]);
    }
    await log.set('kept', record);
    const lines = (await readFile(join(t.dataDir, LOG), 'utf8')).split('\n').filter(Boolean);
    expect(lines.length).toBeLessThan(300);
    const reopened = await SessionLog.open(t.dataDir, { readOnly: true });
    expect([...reopened.entries()].map(([sid]) => sid)).toEqual(['kept']);
  });

  it('a sessions.json from before the log is read once: its signed-in sessions carry over, it is removed', async () => {
    const a = agentFor(t.app);
    const res = await a.post('/signin', { name: 'rita', password: PASSWORD });
    expect(res.status).toBe(303);
    const [sid, record] = [...t.store.sessions.entries()][0] ?? [];
    await t.store.close();
    await rm(join(t.dataDir, LOG));
    const anonymous = { expires: Date.now() + 60_000, data: { cookie: { originalMaxAge: 1 }, csrfToken: 'x' } };
    await writeFile(join(t.dataDir, 'sessions.json'), JSON.stringify({ schemaVersion: 1, data: { sessions: { [sid ?? '']: record, visitor: anonymous } } }));
    const again = await makeJsonApp(t.dataDir);
    expect([...again.store.sessions.entries()].map(([s]) => s)).toEqual([sid]);
    await expect(stat(join(t.dataDir, 'sessions.json'))).rejects.toThrow(/ENOENT/);
    const cookie = cookiesOf(res).find((c) => c.startsWith('framelens.sid=')) ?? '';
    expect((await request(again.app).get('/account').set('Cookie', cookie)).status).toBe(200);
    await again.store.close();
  });
});
