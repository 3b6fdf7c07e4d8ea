// The Accounts page (administrators: the first researcher and whom they name), one-time links on
// a page that reloads, and accounts made before the set-up link is used.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { PASSWORD, addUser, agentFor, demoProjectId, linkAfter, makeApp, signIn, type Agent, type TestApp } from '../helpers/app.js';
import { expectError, expectFormError, expectPage, refused, textOf } from '../helpers/forms.js';
import { addAccount } from '../../server/accounts/admin.js';
import { findUserByName, issueSetupToken } from '../../server/accounts/users.js';
import { SIGN_IN_LIMITS } from '../../server/web/security.js';

const GOOD = 'a long and unusual passphrase';
let t: TestApp;
let rita: Agent;

beforeEach(async () => {
  t = await makeApp();
  await addUser(t, 'rita', 'researcher');
  rita = await signIn(t.app, 'rita');
});
afterEach(async () => {
  await t.cleanup();
});

/** Uses a one-time link in a fresh browser to choose GOOD as the password; returns `name` signed in with it. */
async function useLink(link: string, name: string): Promise<Agent> {
  const browser = agentFor(t.app);
  expect((await browser.get(link)).status).toBe(200);
  expect((await browser.post(link, { password: GOOD, confirm: GOOD })).status).toBe(303);
  return signIn(t.app, name, GOOD);
}

describe('the Accounts page', () => {
  it('is the first researcher’s: the menu shows it; other researchers, teachers and annotators get 403', async () => {
    expect(expectPage(await rita.get('/accounts'))).toContain('<h1>Accounts</h1>');
    expect(expectPage(await rita.get('/'))).toContain('<a href="/accounts">Accounts</a>');
    for (const [name, role] of [['rob', 'researcher'], ['tess', 'teacher'], ['anna', 'annotator']] as const) {
      await addUser(t, name, role);
      const other = await signIn(t.app, name);
      expectError(await other.get('/accounts'), 403, 'Only administrators can manage accounts.');
      expect(expectPage(await other.get('/'))).not.toContain('href="/accounts"');
      expectError(await refused(t, () => other.post('/accounts', { name: 'sneaky', role: 'researcher' })), 403, 'administrators');
    }
  });

  it('creates a teacher with a one-time link on a page that reloads; the teacher signs in and runs lessons', async () => {
    const made = await rita.post('/accounts', { name: 'Tina Teacher', role: 'teacher' });
    expect(made.status).toBe(303);
    expect(textOf(expectPage(await rita.get(String(made.headers.location))))).toContain('Account Tina Teacher (teacher) created.');
    const link = await linkAfter(rita, made);
    // Reloading the page shows the same link again, never a 409 or a second account.
    expect(await linkAfter(rita, made)).toBe(link);
    expect(t.store.users.data.data.users.filter((u) => u.name === 'Tina Teacher')).toHaveLength(1);
    // Nobody else sees it.
    await addUser(t, 'rob', 'researcher');
    expectError(await (await signIn(t.app, 'rob')).get(String(made.headers.location)), 404, 'not found');
    const list = textOf(expectPage(await rita.get('/accounts')));
    expect(list).toContain('Tina Teacher teacher Not signed in yet one-time link open');
    const tina = await useLink(link, 'Tina Teacher');
    expect(expectPage(await tina.get('/activities'))).toContain('Lessons');
    // Once used, the page says so and no longer shows the link.
    const used = expectPage(await rita.get(String(made.headers.location)));
    expect(used).not.toContain('/link/');
    expect(textOf(used)).toContain('Tina Teacher has used the link and chosen a password.');
    expect(textOf(expectPage(await rita.get('/accounts')))).toMatch(/Tina Teacher teacher Active \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
  });

  it('makes researchers and annotators, and administrators who may manage accounts', async () => {
    const link = await linkAfter(rita, await rita.post('/accounts', { name: 'Rob', role: 'researcher', admin: '1' }));
    const rob = await useLink(link, 'Rob');
    expect(expectPage(await rob.get('/accounts'))).toContain('<h1>Accounts</h1>');
    const annaLink = await linkAfter(rob, await rob.post('/accounts', { name: 'anna', role: 'annotator' }));
    await useLink(annaLink, 'anna');
    expect(findUserByName(t.store, 'anna')).toMatchObject({ role: 'annotator' });
    expect(findUserByName(t.store, 'anna')?.admin).toBeUndefined();
  });

  it('sends a refused form back with the input kept and a plain message by the field', async () => {
    await addUser(t, 'anna', 'annotator');
    const taken = expectFormError(await refused(t, () => rita.post('/accounts', { name: 'anna', role: 'teacher' })), 400, 'account-name', 'The name "anna" is taken.');
    expect(taken).toContain('value="anna"');
    expect(taken).toMatch(/value="teacher" checked/);
    expectFormError(await refused(t, () => rita.post('/accounts', { name: 'a<b>', role: 'teacher' })), 400, 'account-name', 'A name has 1–40 letters');
    expectFormError(await refused(t, () => rita.post('/accounts', { name: 'x', role: 'root' })), 400, 'account-role', 'Choose a role: annotator, researcher or teacher.');
  });

  it('deactivates an account (its sessions end, it cannot sign in or use a link) and reactivates it', async () => {
    const annaId = await addUser(t, 'anna', 'annotator');
    const anna = await signIn(t.app, 'anna');
    expect((await rita.post(`/accounts/${annaId}/deactivate`, {})).status).toBe(303);
    expect(textOf(expectPage(await rita.get('/accounts')))).toContain('anna is deactivated and signed out everywhere.');
    expect((await anna.get('/account')).status).toBe(303);
    const again = await agentFor(t.app).post('/signin', { name: 'anna', password: PASSWORD });
    expect(again.status).toBe(403);
    expect(textOf(again.text)).toContain('This account has been deactivated.');
    expectError(await refused(t, () => rita.post(`/accounts/${annaId}/reset`, {})), 409, 'reactivate it first');
    expect((await rita.post(`/accounts/${annaId}/reactivate`, {})).status).toBe(303);
    await signIn(t.app, 'anna');
    // Nobody deactivates or demotes themselves, so an administrator always remains.
    const ritaId = findUserByName(t.store, 'rita')?.id ?? '';
    expectError(await refused(t, () => rita.post(`/accounts/${ritaId}/deactivate`, {})), 409, 'your own account');
    expectError(await refused(t, () => rita.post(`/accounts/${ritaId}/admin`, { admin: '0' })), 409, 'yourself');
  });

  it('gives a new link that replaces the old one', async () => {
    const annaId = await addUser(t, 'anna', 'annotator');
    const first = await linkAfter(rita, await rita.post(`/accounts/${annaId}/reset`, {}));
    const second = await linkAfter(rita, await rita.post(`/accounts/${annaId}/reset`, {}));
    expect(second).not.toBe(first);
    expect((await request(t.app).get(first)).status).toBe(404);
    await useLink(second, 'anna');
  });

  it('shows an account locked by wrong passwords, and unlocks it', async () => {
    await addUser(t, 'anna', 'annotator');
    const guesser = agentFor(t.app);
    for (let i = 0; i < SIGN_IN_LIMITS.perAccountAndAddress.failures; i++) {
      expect((await guesser.post('/signin', { name: 'anna', password: `wrong ${i}` })).status).toBe(401);
    }
    expect((await guesser.post('/signin', { name: 'anna', password: PASSWORD })).status).toBe(429);
    const page = expectPage(await rita.get('/accounts'));
    expect(textOf(page)).toMatch(/anna annotator Active Sign-in locked \(too many wrong passwords, \d+ min left\)/);
    const action = /action="(\/accounts\/[A-Za-z0-9_-]+\/unlock)"/.exec(page)?.[1] ?? '';
    expect((await rita.post(action, { next: '/accounts' })).headers.location).toBe('/accounts');
    expect(textOf(expectPage(await rita.get('/accounts')))).not.toContain('Sign-in locked');
    expect((await guesser.post('/signin', { name: 'anna', password: PASSWORD })).status).toBe(303);
  });
});

describe('adding a project member (PRG)', () => {
  it('reloading after adding a new member shows the link again, for the researcher only, until used', async () => {
    const projectId = demoProjectId(t.store);
    const added = await rita.post(`/projects/${projectId}/members`, { name: 'newbie', role: 'annotator' });
    const link = await linkAfter(rita, added);
    for (let i = 0; i < 3; i++) expect(await linkAfter(rita, added)).toBe(link);
    const project = expectPage(await rita.get(`/projects/${projectId}`));
    expect(project).toContain(`<a href="${String(added.headers.location)}">Show the one-time link</a>`);
    // Sending the form again is a plain "already a member", by the field, with nothing changed.
    expectFormError(await refused(t, () => rita.post(`/projects/${projectId}/members`, { name: 'newbie', role: 'annotator' })), 409, 'member-name', 'newbie is already a member of this project.');
    await useLink(link, 'newbie');
    expect(expectPage(await rita.get(`/projects/${projectId}`))).not.toContain('Show the one-time link');
  });

  it('adds a teacher, who reads the project’s articles', async () => {
    const projectId = demoProjectId(t.store);
    await addUser(t, 'tess', 'teacher');
    expect((await rita.post(`/projects/${projectId}/members`, { name: 'tess', role: 'teacher' })).status).toBe(303);
    const tess = await signIn(t.app, 'tess');
    const page = expectPage(await tess.get(`/projects/${projectId}`));
    expect(page).toContain('As a teacher in this project');
    expect(page).toMatch(/href="\/articles\/[A-Za-z0-9_-]+"/);
    // An annotator's account is not made a teacher by the members form.
    await addUser(t, 'anna', 'annotator');
    expectFormError(await refused(t, () => rita.post(`/projects/${projectId}/members`, { name: 'anna', role: 'teacher' })), 400, 'member-role', 'anna’s account is not a teacher’s');
  });
});

describe('accounts made before the set-up link is used', () => {
  it('a teacher made first (command line) leaves the set-up link working, and the set-up account still leads the demo', async () => {
    const fresh = await makeApp();
    try {
      await addAccount(fresh.store, { name: 'tess', role: 'teacher', admin: false, password: PASSWORD });
      const token = await issueSetupToken(fresh.store);
      expect(token).not.toBeNull();
      const browser = agentFor(fresh.app);
      expect((await browser.get(`/setup/${token ?? ''}`)).status).toBe(200);
      expect((await browser.post(`/setup/${token ?? ''}`, { name: 'rita', password: GOOD, confirm: GOOD })).status).toBe(303);
      const ritaUser = findUserByName(fresh.store, 'rita');
      expect(ritaUser?.admin).toBe(true);
      const demo = fresh.store.projects.data.data.projects.find((p) => p.id === demoProjectId(fresh.store));
      expect(demo?.members).toContainEqual({ userId: ritaUser?.id, role: 'researcher' });
      expect(await issueSetupToken(fresh.store)).toBeNull();
    } finally {
      await fresh.cleanup();
    }
  });
});

describe('flash messages and confirm pages', () => {
  it('says "Settings saved." once after saving the settings', async () => {
    const projectId = demoProjectId(t.store);
    const saved = await rita.post(`/projects/${projectId}/settings`, { description: 'd', codebookId: 'framing', mode: 'all', perArticle: '2' });
    expect(saved.status).toBe(303);
    expect(expectPage(await rita.get(`/projects/${projectId}`))).toContain('<p class="notice flash" role="status">Settings saved.</p>');
    expect(expectPage(await rita.get(`/projects/${projectId}`))).not.toContain('Settings saved.');
  });

  it('asks before revealing the reference and ending the activity; numbers ready-made lessons made again', async () => {
    const first = await rita.post('/activities', { from: 'demo' });
    const second = await rita.post('/activities', { from: 'demo' });
    const base = String(first.headers.location);
    const titles = t.activities.activities(findUserByName(t.store, 'rita')?.id ?? '').map((a) => a.title);
    expect(new Set(titles).size).toBe(2);
    expect(titles.some((title) => title.endsWith(' (2)'))).toBe(true);
    expect(String(second.headers.location)).not.toBe(base);
    const show = expectPage(await rita.get(base));
    // The lesson page links to the confirm pages; it holds no form that reveals or ends at once.
    expect(show).toContain(`<a href="${base}/reveal">Reveal the reference…</a>`);
    expect(show).not.toContain(`action="${base}/reveal"`);
    expect(show).not.toContain(`action="${base}/end"`);
    const confirm = expectPage(await rita.get(`${base}/reveal`));
    expect(textOf(confirm)).toContain('Reveal the reference? The 0 students who joined will see their tags beside the reference');
    expect(confirm).toContain(`action="${base}/reveal"`);
    expect((await rita.post(`${base}/reveal`, {})).status).toBe(303);
    expect(textOf(expectPage(await rita.get(`${base}/reveal`)))).toContain('The reference is already revealed.');
    expect(textOf(expectPage(await rita.get(`${base}/end`)))).toContain('The join code stops working');
    expect((await rita.post(`${base}/end`, {})).status).toBe(303);
    expect(textOf(expectPage(await rita.get(base)))).toContain('The activity has ended: its code no longer works');
  });
});
