// Running Framelens for real, in Chromium: the first-run sign-in page; an administrator makes a
// teacher from the Accounts page; an import form error keeps the input; Back + Save makes no
// duplicate; the page after adding a member reloads; Reveal asks first. axe-core on each new page.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { RESEARCHER, TIMEOUT, signInWithForm, startHarness, watchErrors, type Harness } from './browser.js';
import { violations } from './editor-axe.js';
import { listen, makeApp } from '../helpers/app.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, TIMEOUT);
afterAll(async () => {
  await h?.close();
}, TIMEOUT);

const GOOD = 'a long and unusual passphrase';

/**
 * Without JavaScript: the app's scripts are refused, so every step is plain HTML forms and links,
 * while axe-core (evaluated through the DevTools protocol) can still audit the page.
 */
async function withoutScripts(context: BrowserContext, javaScript: boolean): Promise<BrowserContext> {
  if (!javaScript) await context.route('**/public/js/**', (route) => route.abort());
  return context;
}

async function signedInPage(h: Harness, name: string, javaScript = true): Promise<{ page: Page; problems: string[] }> {
  const context = await withoutScripts(await h.context(), javaScript);
  const page = await context.newPage();
  const problems = watchErrors(page);
  await signInWithForm(page, name);
  return { page, problems };
}

async function expectAccessible(page: Page, where: string): Promise<void> {
  expect(await violations(page), where).toEqual([]);
}

describe.each([
  ['with JavaScript', true],
  ['without JavaScript', false],
])('%s', (_name, javaScriptEnabled) => {
  test('the first screen says where the set-up link is and how to print a new one', { timeout: TIMEOUT }, async () => {
    const fresh = await makeApp();
    const server = await listen(fresh.app);
    try {
      const context = await withoutScripts(await h.browser.newContext({ baseURL: server.base }), javaScriptEnabled);
      const page = await context.newPage();
      await page.goto('/');
      expect(new URL(page.url()).pathname).toBe('/signin');
      const notice = page.getByRole('region', { name: 'Framelens is not set up yet' });
      expect(await notice.textContent()).toContain('one-time set-up link in the console');
      expect(await notice.textContent()).toContain('npx framelens setup-link');
      await expectAccessible(page, 'first-run sign-in page');
      await context.close();
    } finally {
      await server.close();
      await fresh.cleanup();
    }
  });

  test('an import form error keeps what was typed, with the message by the field', { timeout: TIMEOUT }, async () => {
    const { page } = await signedInPage(h, RESEARCHER, javaScriptEnabled);
    await page.goto(`/projects/${h.projectId}/articles/new`);
    await page.getByLabel('Title').fill('Talks <b>resume</b>');
    await page.getByLabel('Source (outlet)').fill('Sputnik');
    await page.getByLabel('Address (URL)').fill('https://example.org/talks');
    await Promise.all([page.waitForURL('**/articles/preview'), page.getByRole('button', { name: 'Show the sentences' }).click()]);
    expect(await page.getByRole('heading', { name: 'There is a problem' }).count()).toBe(1);
    expect(await page.locator('#text-error').textContent()).toContain('The article is empty: paste its text or choose a file.');
    expect(await page.getByLabel('Text').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Title').inputValue()).toBe('Talks <b>resume</b>');
    expect(await page.getByLabel('Source (outlet)').inputValue()).toBe('Sputnik');
    expect(await page.getByLabel('Address (URL)').inputValue()).toBe('https://example.org/talks');
    await expectAccessible(page, 'import form sent back');
    await page.context().close();
  });
});

describe('with JavaScript', () => {
  test('an administrator makes a teacher on the Accounts page; the link page reloads; the teacher signs in', { timeout: TIMEOUT * 2 }, async () => {
    const { page, problems } = await signedInPage(h, RESEARCHER);
    await page.getByRole('link', { name: 'Accounts' }).click();
    await page.waitForURL('**/accounts');
    await expectAccessible(page, 'Accounts page');
    await page.getByLabel(/^Name/).fill('Tina Teacher');
    await page.getByRole('radio', { name: /^Teacher/ }).check();
    await Promise.all([page.waitForURL(/\/accounts\/[A-Za-z0-9_-]+\/link$/), page.getByRole('button', { name: 'Create account and show its link' }).click()]);
    expect(await page.getByRole('status').textContent()).toContain('Account Tina Teacher (teacher) created.');
    const link = await page.getByLabel('One-time link').inputValue();
    expect(link).toMatch(/\/link\/[A-Za-z0-9_-]{20,}$/);
    await expectAccessible(page, 'one-time link page');
    await page.reload();
    expect(await page.getByLabel('One-time link').inputValue()).toBe(link);
    expect(h.t.store.users.data.data.users.filter((u) => u.name === 'Tina Teacher')).toHaveLength(1);

    const teacher = await (await h.context()).newPage();
    await teacher.goto(link);
    await teacher.getByLabel('New password', { exact: false }).first().fill(GOOD);
    await teacher.getByLabel('New password again').fill(GOOD);
    await Promise.all([teacher.waitForURL((url) => url.pathname === '/'), teacher.getByRole('button', { name: 'Save password and sign in' }).click()]);
    await teacher.getByRole('link', { name: 'Lessons' }).click();
    await teacher.waitForURL('**/activities');
    expect(await teacher.getByRole('heading', { level: 1 }).textContent()).toBeTruthy();

    await page.reload();
    expect(await page.locator('main').textContent()).toContain('Tina Teacher has used the link and chosen a password.');
    expect(problems).toEqual([]);
  });

  test('Back, then Save again on the import preview shows the article already saved: no duplicate', { timeout: TIMEOUT }, async () => {
    const { page } = await signedInPage(h, RESEARCHER);
    const before = h.t.store.articles(h.projectId).length;
    await page.goto(`/projects/${h.projectId}/articles/new`);
    await page.getByLabel('Title').fill('Saved once');
    await page.getByLabel('Text').fill('The talks resumed on Monday. Officials called them useful.');
    await Promise.all([page.waitForURL('**/articles/preview'), page.getByRole('button', { name: 'Show the sentences' }).click()]);
    await Promise.all([page.waitForURL(/\/articles\/[A-Za-z0-9_-]+$/), page.getByRole('button', { name: 'Save the article' }).click()]);
    const saved = page.url();
    // Back shows the preview from the browser's cache (no "Confirm form resubmission"); Save again.
    // Chromium may swap the page's renderer after the POST's redirect; DevTools then answers
    // "Not attached to an active page" for a moment: try again.
    for (let attempt = 1; ; attempt++) {
      try {
        await page.goBack();
        break;
      } catch (error) {
        if (attempt >= 5 || !String(error).includes('Not attached to an active page')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    expect(new URL(page.url()).pathname).toBe(`/projects/${h.projectId}/articles/preview`);
    await page.getByRole('button', { name: 'Save the article' }).click();
    await page.waitForURL(saved);
    expect(await page.getByRole('status').textContent()).toContain('“Saved once” was already saved: here it is. Nothing was saved twice.');
    expect(h.t.store.articles(h.projectId).length).toBe(before + 1);
  });

  test('reloading the page after adding a member shows the one-time link again, never a 409', { timeout: TIMEOUT }, async () => {
    const { page } = await signedInPage(h, RESEARCHER);
    await page.goto(`/projects/${h.projectId}`);
    await page.getByLabel(/^Name/).fill('newcomer');
    await Promise.all([page.waitForURL(/\/accounts\/[A-Za-z0-9_-]+\/link$/), page.getByRole('button', { name: 'Add', exact: true }).click()]);
    const link = await page.getByLabel('One-time link').inputValue();
    const response = await page.reload();
    expect(response?.status()).toBe(200);
    expect(await page.getByLabel('One-time link').inputValue()).toBe(link);
    await page.getByRole('link', { name: 'Back to the project’s members' }).click();
    expect(await page.getByRole('link', { name: 'Show the one-time link' }).count()).toBe(1);
  });
});

describe('without JavaScript', () => {
  test('Reveal the reference asks first, on a page of its own; Cancel changes nothing', { timeout: TIMEOUT }, async () => {
    const { page } = await signedInPage(h, RESEARCHER, false);
    await page.goto('/activities/new');
    await Promise.all([page.waitForURL(/\/activities\/[A-Za-z0-9_-]+$/), page.getByRole('button', { name: /ready-made/i }).first().click()]);
    const lesson = new URL(page.url()).pathname;
    const id = lesson.split('/').pop() ?? '';
    await page.getByRole('link', { name: 'Reveal the reference…' }).click();
    await page.waitForURL(`**${lesson}/reveal`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Reveal the reference?');
    expect(await page.locator('main').textContent()).toContain('This cannot be undone.');
    await expectAccessible(page, 'reveal confirm page');
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.waitForURL(`**${lesson}`);
    expect(h.t.activities.activity(id)?.revealedAt ?? null).toBeNull();
    await page.getByRole('link', { name: 'Reveal the reference…' }).click();
    await Promise.all([page.waitForURL(`**${lesson}/results`), page.getByRole('button', { name: 'Reveal the reference' }).click()]);
    expect(await page.getByRole('status').first().textContent()).toContain('The reference is revealed');
    expect(h.t.activities.activity(id)?.revealedAt).toBeTruthy();
  });
});
