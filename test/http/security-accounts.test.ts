// Security, issue 14 items 10–12: a one-time link works once even when used four times at once;
// wrong passwords are limited per (account, address) and, more slowly, per account, so that a
// stranger cannot lock a user out; a researcher can unlock; the current-password check of a
// password change is limited like sign-in.
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SIGN_IN_LIMITS } from '../../server/web/security.js';
import { PASSWORD, addUser, agentFor, csrfOf, demoProjectId, linkAfter, makeApp, signIn, type TestApp } from '../helpers/app.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

const GOOD = 'a long and unusual passphrase';

function errorOn(html: string): string {
  // The error page's message, or else the first message next to a field of a form sent back.
  return /<p class="(?:error" role="alert|field-error" id="[^"]*)">([^<]*)<\/p>/.exec(html)?.[1] ?? '';
}

/** A browser at `address` (the app trusts one proxy hop, which sets X-Forwarded-For). */
function browserAt(t: TestApp, address: string) {
  const agent = request.agent(t.app);
  let token: string | null = null;
  const post = async (path: string, form: Record<string, string>) => {
    token ??= csrfOf((await agent.get('/signin').set('X-Forwarded-For', address)).text);
    return agent.post(path).set('X-Forwarded-For', address).type('form').send({ _csrf: token, ...form });
  };
  return { agent, post };
}

describe('one-time password links', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeApp();
    await addUser(t, 'rita', 'researcher');
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('4 concurrent uses of one link with different passwords: exactly one 303, the others 404; one session signed in', async () => {
    const rita = await signIn(t.app, 'rita');
    const invited = await rita.post(`/projects/${demoProjectId(t.store)}/members`, { name: 'newbie', role: 'annotator' });
    const link = await linkAfter(rita, invited);
    expect(link).not.toBe('');
    const browsers = [agentFor(t.app), agentFor(t.app), agentFor(t.app), agentFor(t.app)];
    const tokens = await Promise.all(browsers.map(async (b) => csrfOf((await b.agent.get(link)).text)));
    const passwords = browsers.map((_, i) => `${GOOD} number ${i}`);
    const answers = await Promise.all(
      browsers.map((b, i) => b.agent.post(link).type('form').send({ _csrf: tokens[i], password: passwords[i], confirm: passwords[i] })),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 303)).toHaveLength(1);
    expect(statuses.filter((s) => s === 404)).toHaveLength(3);
    const winner = statuses.indexOf(303);
    const user = t.store.users.data.data.users.find((u) => u.name === 'newbie');
    const signedIn = (await t.sessions()).filter((session) => session.userId === user?.id);
    expect(signedIn).toHaveLength(1);
    // The winner's password is the one stored; the link is used up.
    expect((await agentFor(t.app).post('/signin', { name: 'newbie', password: passwords[winner] ?? '' })).status).toBe(303);
    for (const [i, password] of passwords.entries()) {
      if (i !== winner) expect((await agentFor(t.app).post('/signin', { name: 'newbie', password })).status).toBe(401);
    }
    expect(user?.resetToken).toBeNull();
    expect((await agentFor(t.app).get(link)).status).toBe(404);
  });
});

describe('wrong passwords: per account and address, then per account', () => {
  let t: TestApp;
  let researcher: Awaited<ReturnType<typeof signIn>>;
  let victimId = '';
  beforeEach(async () => {
    t = await makeApp();
    t.app.set('trust proxy', 1);
    await addUser(t, 'rita', 'researcher');
    victimId = await addUser(t, 'victim', 'annotator');
    await addUser(t, 'classmate', 'annotator');
    researcher = await signIn(t.app, 'rita');
    expect((await researcher.post(`/projects/${demoProjectId(t.store)}/members`, { name: 'victim', role: 'annotator' })).status).toBe(303);
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it('5 wrong passwords from one address lock the account there only: the real user elsewhere, and a classmate there, still sign in', async () => {
    const attacker = browserAt(t, '203.0.113.66');
    for (let i = 1; i <= SIGN_IN_LIMITS.perAccountAndAddress.failures; i++) {
      const res = await attacker.post('/signin', { name: 'victim', password: `wrong guess ${i}` });
      expect(res.status, `attempt ${i}`).toBe(401);
    }
    for (const name of ['victim', ' Victim ', 'VICTIM']) {
      const res = await attacker.post('/signin', { name, password: PASSWORD });
      expect(res.status, name).toBe(429);
      expect(errorOn(res.text)).toMatch(/Too many failed sign-ins for this account\. Wait 15 minutes, or ask a researcher to unlock it\./);
      expect(res.headers['ratelimit-policy'] ?? res.headers.ratelimit).toBeDefined();
    }
    // The real user, at school: unaffected.
    expect((await browserAt(t, '198.51.100.7').post('/signin', { name: 'victim', password: PASSWORD })).status).toBe(303);
    // A classmate behind the attacker's address: unaffected.
    expect((await browserAt(t, '203.0.113.66').post('/signin', { name: 'classmate', password: PASSWORD })).status).toBe(303);
  });

  it(`wrong passwords spread over many addresses meet the per-account limit (${SIGN_IN_LIMITS.perAccount.failures}/hour); a researcher sees it and unlocks`, async () => {
    const { failures } = SIGN_IN_LIMITS.perAccount;
    const perAddress = SIGN_IN_LIMITS.perAccountAndAddress.failures;
    for (let i = 0; i < failures; i++) {
      const at = browserAt(t, `203.0.113.${Math.floor(i / perAddress) + 1}`);
      expect((await at.post('/signin', { name: 'victim', password: `guess ${i}` })).status, `guess ${i}`).toBe(401);
    }
    const real = browserAt(t, '198.51.100.7');
    const refused = await real.post('/signin', { name: 'victim', password: PASSWORD });
    expect(refused.status).toBe(429);
    expect(errorOn(refused.text)).toMatch(/many places: wait an hour, or ask a researcher to unlock it/);

    // The project's Members table shows the lock and an Unlock button (a CSRF-protected form).
    const page = await researcher.get(`/projects/${demoProjectId(t.store)}`);
    expect(page.text).toMatch(/victim <span class="muted">\(sign-in locked: too many wrong passwords, \d+ min left\)/);
    expect(page.text).toContain(`action="/accounts/${victimId}/unlock"`);
    const form = /<form method="post" action="\/accounts\/[^"]+\/unlock"[^>]*>([\s\S]*?)<\/form>/.exec(page.text)?.[1] ?? '';
    expect(form).toContain('name="_csrf"');

    // Unlocking needs the token, a researcher, and a project in common.
    expect((await researcher.agent.post(`/accounts/${victimId}/unlock`).type('form').send({ next: '/' })).status).toBe(403);
    const classmate = await signIn(t.app, 'classmate');
    expect((await classmate.post(`/accounts/${victimId}/unlock`, {})).status).toBe(403);
    await addUser(t, 'rob', 'researcher');
    const rob = await signIn(t.app, 'rob');
    expect((await rob.post(`/accounts/${victimId}/unlock`, {})).status).toBe(404);
    expect((await real.post('/signin', { name: 'victim', password: PASSWORD })).status).toBe(429);

    const unlocked = await researcher.post(`/accounts/${victimId}/unlock`, { next: `/projects/${demoProjectId(t.store)}#members` });
    expect(unlocked.status).toBe(303);
    expect(unlocked.headers.location).toBe(`/projects/${demoProjectId(t.store)}#members`);
    expect((await researcher.get(`/projects/${demoProjectId(t.store)}`)).text).not.toContain('/unlock"');
    expect((await real.post('/signin', { name: 'victim', password: PASSWORD })).status).toBe(303);
    // Unlocking does not open a redirect elsewhere.
    expect((await researcher.post(`/accounts/${victimId}/unlock`, { next: '//evil.example/' })).headers.location).toBe('/');
  });

  it('the current-password check of a password change is limited like sign-in; weak new passwords do not count', async () => {
    const victim = await signIn(t.app, 'victim');
    for (let i = 0; i < 8; i++) {
      const weak = await victim.post('/account/password', { current: PASSWORD, password: 'short', confirm: 'short' });
      expect(weak.status).toBe(400);
    }
    for (let i = 1; i <= SIGN_IN_LIMITS.perAccountAndAddress.failures; i++) {
      const res = await victim.post('/account/password', { current: `wrong ${i}`, password: GOOD, confirm: GOOD });
      expect(res.status, `guess ${i}`).toBe(400);
      expect(errorOn(res.text)).toMatch(/current password is wrong/);
    }
    const blocked = await victim.post('/account/password', { current: PASSWORD, password: GOOD, confirm: GOOD });
    expect(blocked.status).toBe(429);
    expect(errorOn(blocked.text)).toMatch(/Too many wrong passwords for this account/);
    // The same count guards sign-in from this address.
    expect((await agentFor(t.app).post('/signin', { name: 'victim', password: PASSWORD })).status).toBe(429);
    expect((await researcher.post(`/accounts/${victimId}/unlock`, {})).status).toBe(303);
    expect((await victim.post('/account/password', { current: PASSWORD, password: GOOD, confirm: GOOD })).status).toBe(303);
  });
});
