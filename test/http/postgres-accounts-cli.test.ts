// Accounts from the shell and the set-up link when the study lives in PostgreSQL, with two servers
// on one database (two app instances in this process, each with its own pool, built as
// `framelens serve` builds them):
//   - every server started before the first account exists prints the same set-up link, and it
//     works on either, once: of two set-ups sent at once through both servers, exactly one makes
//     the administrator;
//   - `framelens setup-link` with DATABASE_URL replaces it (the old link stops working everywhere);
//   - `framelens user add|reset` with DATABASE_URL change the accounts in the database, and a
//     server already running signs the account in on its next request.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupLinkCommand, userCommand } from '../../server/commands/user.js';
import { ensureDemo } from '../../server/demo/seed.js';
import { PASSWORD, agentFor, signIn } from '../helpers/app.js';
import { capturedIo } from '../helpers/io.js';
import { createDatabase, postgresUrl, type TestDatabase } from '../helpers/postgres.js';
import { postgresServer } from '../helpers/postgres-app.js';

const SLOW = 180_000;

type Server = Awaited<ReturnType<typeof postgresServer>>;

describe.skipIf(postgresUrl === null)('framelens user and the set-up link on PostgreSQL, two servers on one database', () => {
  let database: TestDatabase;
  let dir = '';
  const servers: Server[] = [];
  let a: Server;
  let b: Server;

  async function server(): Promise<Server> {
    const made = await postgresServer(database.url, dir, { max: 4 });
    servers.push(made);
    return made;
  }

  /** The command line as a user runs it, with DATABASE_URL set. */
  async function cli(command: 'user' | 'setup-link', args: string[], env: Record<string, string> = {}) {
    const io = capturedIo();
    const fullEnv = { DATABASE_URL: database.url, DATA_DIR: dir, PUBLIC_URL: 'http://framelens.test', ...env };
    const code = command === 'user' ? await userCommand(args, io, fullEnv) : await setupLinkCommand(args, io, fullEnv);
    return { code, out: io.out(), err: io.err() };
  }

  const tokenIn = (text: string, kind: 'setup' | 'link') => new RegExp(`http://framelens\\.test/${kind}/([A-Za-z0-9_-]+)`).exec(text)?.[1] ?? '';

  beforeAll(async () => {
    database = await createDatabase('accounts_cli');
    dir = await mkdtemp(join(tmpdir(), 'framelens-pg-accounts-'));
    a = await server();
    await ensureDemo(a.store);
    b = await server();
  }, SLOW);

  afterAll(async () => {
    for (const s of servers) await s.study.close();
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  }, SLOW);

  it('gives every server the same set-up link; setup-link replaces it everywhere; of two set-ups through both servers at once, exactly one succeeds', async () => {
    // What each server prints as it starts (serve.ts), servers started together or one after the other.
    const [fromA, fromB] = await Promise.all([a.study.setupToken(false), b.study.setupToken(false)]);
    expect(fromA).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(fromB).toBe(fromA);
    for (const s of [a, b]) expect((await agentFor(s.app).get(`/setup/${fromA}`)).status).toBe(200);

    // The link was lost: the command makes a new one, and the old one works nowhere.
    const made = await cli('setup-link', []);
    expect(made.err).toBe('');
    expect(made.code).toBe(0);
    const fresh = tokenIn(made.out, 'setup');
    expect(fresh).not.toBe('');
    expect(fresh).not.toBe(fromA);
    for (const s of [a, b]) {
      expect((await agentFor(s.app).get(`/setup/${fromA}`)).status).toBe(404);
      expect((await agentFor(s.app).get(`/setup/${fresh}`)).status).toBe(200);
    }
    // A server started now prints that one.
    const c = await server();
    expect(await c.study.setupToken(false)).toBe(fresh);

    // Both servers are sent the link at once: one administrator is made.
    const [viaA, viaB] = [agentFor(a.app), agentFor(b.app)];
    const answers = await Promise.all([
      viaA.post(`/setup/${fresh}`, { name: 'Rita', password: PASSWORD, confirm: PASSWORD }),
      viaB.post(`/setup/${fresh}`, { name: 'Rob', password: PASSWORD, confirm: PASSWORD }),
    ]);
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 303)).toHaveLength(1);
    expect(statuses.find((s) => s !== 303)).toBeGreaterThanOrEqual(400);
    await c.store.refresh();
    const admins = c.store.users.data.data.users.filter((u) => u.admin === true);
    expect(admins.map((u) => u.name)).toEqual([statuses[0] === 303 ? 'Rita' : 'Rob']);
    for (const s of [a, b, c]) expect((await agentFor(s.app).get(`/setup/${fresh}`)).status).toBe(404);
    // Nothing is left to print, and the command says why.
    expect(await c.study.setupToken(false)).toBeNull();
    const again = await cli('setup-link', []);
    expect(again.code).toBe(1);
    expect(again.err).toContain('set up already');
  }, SLOW);

  it('adds and resets accounts in the database with framelens user; the running servers sign them in on their next request', async () => {
    const added = await cli('user', ['add', 'Tina Teacher', '--role', 'teacher'], { FRAMELENS_PASSWORD: PASSWORD });
    expect(added.err).toBe('');
    expect(added.code).toBe(0);
    expect(added.out).toContain('Created teacher "Tina Teacher".');
    // B was running all along: the account is there on its next request.
    await signIn(b.app, 'Tina Teacher');

    const invited = await cli('user', ['add', 'anna', '--role', 'annotator', '--link']);
    expect(invited.code).toBe(0);
    const link = tokenIn(invited.out, 'link');
    expect(link).not.toBe('');
    const chosen = 'purple otters juggle quietly at dawn';
    const visitor = agentFor(a.app);
    expect((await visitor.get(`/link/${link}`)).status).toBe(200);
    expect((await visitor.post(`/link/${link}`, { password: chosen, confirm: chosen })).status).toBe(303);
    await signIn(b.app, 'anna', chosen);

    const reset = await cli('user', ['reset', 'Tina Teacher']);
    expect(reset.code).toBe(0);
    const resetLink = tokenIn(reset.out, 'link');
    const other = 'Tina chose another password here';
    const resetter = agentFor(b.app);
    expect((await resetter.post(`/link/${resetLink}`, { password: other, confirm: other })).status).toBe(303);
    await signIn(a.app, 'Tina Teacher', other);
    // Used once, the link is spent on every server.
    expect((await agentFor(a.app).get(`/link/${resetLink}`)).status).toBe(404);

    // A name taken, an unknown account: refused with the reason, nothing changed.
    const users = async () => {
      await a.store.refresh();
      return a.store.users.data.data.users;
    };
    const count = (await users()).length;
    const taken = await cli('user', ['add', 'anna', '--role', 'annotator'], { FRAMELENS_PASSWORD: PASSWORD });
    expect(taken.code).toBe(1);
    expect(taken.err).toContain('taken');
    const unknown = await cli('user', ['reset', 'nobody']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('No account is called "nobody"');
    expect(await users()).toHaveLength(count);
  }, SLOW);

  it('says so when DATABASE_URL is no PostgreSQL URL', async () => {
    const refused = await cli('user', ['reset', 'anna'], { DATABASE_URL: 'mysql://framelens@127.0.0.1/none' });
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('DATABASE_URL must be a postgres:// URL');
  });
});
