// Signing in with the real form, the annotator's home page and the researcher's dashboard.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { markReviewed } from '../../server/core/spans.js';
import {
  ANNOTATOR,
  RESEARCHER,
  TIMEOUT,
  pageWith,
  signedInPage,
  startHarness,
  type Harness,
  type SessionState,
} from './browser.js';

let h: Harness;
let researcher: SessionState | undefined;
beforeAll(async () => {
  h = await startHarness();
  // The annotator already reviewed the first sentence, so "Continue" must lead to the second.
  await h.t.store.updateAnnotation(h.articleId, h.annotatorId, (a) => markReviewed(a, 0));
}, TIMEOUT);
afterAll(async () => {
  await h?.close();
}, TIMEOUT);

describe('signed in through the browser', () => {
  test('a wrong password stays on the sign-in page with a message', { timeout: TIMEOUT }, async () => {
    const context = await h.context();
    const page = await context.newPage();
    await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/signin');
    await page.getByLabel('Name').fill(ANNOTATOR);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong name or password');
    expect(new URL(page.url()).pathname).toBe('/signin');
  });

  test('the annotator lands on the home page with the assigned article, progress and Continue, then signs out', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await signedInPage(h, ANNOTATOR);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Hello, ${ANNOTATOR}`);
    const row = page.getByRole('row').filter({ hasText: 'Russian and NATO officials hold talks in Brussels' });
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain('1 of 13 sentences');
    expect(await row.locator('progress').getAttribute('value')).toBe('1');
    await row.getByRole('link', { name: 'Continue' }).click();
    await page.waitForURL(`**/articles/${h.articleId}/sentences/2`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sentence 2 of 13');
    // The call to action on the home page goes to the same sentence.
    await page.goto('/');
    const cta = page.getByRole('link', { name: /Continue where you stopped/ });
    expect(await cta.getAttribute('href')).toBe(`/articles/${h.articleId}/sentences/2`);
    // Signing out ends the session: the home page asks to sign in again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/signin');
    await page.goto('/');
    expect(new URL(page.url()).pathname).toBe('/signin');
    expect(problems).toEqual([]);
  });

  test("the researcher's dashboard shows each annotator's progress", { timeout: TIMEOUT }, async () => {
    const { page, problems } = await signedInPage(h, RESEARCHER);
    researcher = await page.context().storageState();
    await page.getByRole('link', { name: 'Demo: NATO–Russia talks' }).click();
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.waitForURL(`**/projects/${h.projectId}/dashboard`);
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: ANNOTATOR }) }).first();
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('1/13');
    expect(text).not.toContain('—'); // the annotator has activity, so a time is shown
    // One progress bar per article of the demo (the Sputnik article first, then its story's counterparts).
    expect(await row.locator('progress').first().getAttribute('value')).toBe('1');
    expect(await row.locator('progress').first().getAttribute('max')).toBe('13');
    expect(problems).toEqual([]);
  });

  test('no console errors and no CSP violations on the pages a researcher visits', { timeout: TIMEOUT }, async () => {
    const { page, problems } = researcher ? await pageWith(h, researcher) : await signedInPage(h, RESEARCHER);
    const pages = [
      '/',
      '/projects',
      `/projects/${h.projectId}`,
      `/projects/${h.projectId}/dashboard`,
      `/projects/${h.projectId}/summary`,
      `/projects/${h.projectId}/articles/new`,
      `/articles/${h.articleId}`,
      `/articles/${h.articleId}/sentences/1`,
      `/articles/${h.articleId}/sentences/13`,
      '/codebooks',
      '/codebooks/framing',
      '/account',
    ];
    for (const path of pages) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(200);
      // The stylesheets arrived: the page is laid out with them, not unstyled.
      expect(await page.evaluate('getComputedStyle(document.querySelector("header.bar")).display'), path).toBe('flex');
    }
    expect(problems).toEqual([]);
  });
});
