// Suggestions in real Chromium, with the script and without: a researcher switches them on, an
// annotator accepts one (Shift+A, a tap on a phone, or the Accept button), adjusts the accepted
// tag, and rejects another (Shift+X or Reject); axe-core on the pages with suggestions.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { addUser, signIn } from '../helpers/app.js';
import { pendingSuggestions } from '../../server/core/suggest/design.js';
import { LiveSuggestions } from '../../server/suggest/live.js';
import { codebookOf } from '../../server/web/views.js';
import {
  ANNOTATOR,
  PHONE,
  RESEARCHER,
  TIMEOUT,
  pageWith,
  sentencePath,
  sessionOf,
  startHarness,
  type Harness,
  type SessionState,
} from './browser.js';
import { violations } from './editor-axe.js';


let h: Harness;
let sentence = 0; // 1-based: a demo sentence with at least three rule suggestions
const users: Record<string, { id: string; session: SessionState }> = {};

beforeAll(async () => {
  h = await startHarness();
  const researcher = await signIn(h.t.app, RESEARCHER);
  const project = h.t.store.project(h.projectId);
  if (!project) throw new Error('no demo project');
  const settings = { description: project.description, codebookId: project.codebookId, mode: 'all', perArticle: '2', suggestions: 'rules' };
  expect((await researcher.post(`/projects/${h.projectId}/settings`, settings)).status).toBe(303);
  const enabled = h.t.store.project(h.projectId);
  const article = h.t.store.article(h.articleId);
  if (!enabled || !article) throw new Error('no project');
  const live = LiveSuggestions.of(h.t.store);
  const index = article.sentences.findIndex((_, i) => pendingSuggestions(live.forSentence(enabled, codebookOf(h.t.store, enabled), article, i), [], []).length >= 3);
  expect(index).toBeGreaterThanOrEqual(0);
  sentence = index + 1;
  for (const name of ['nojs', 'phone']) {
    const id = await addUser(h.t, name, 'annotator');
    await h.t.store.updateProject(h.projectId, (p) => {
      p.members.push({ userId: id, role: 'annotator' });
    });
  }
  for (const name of [ANNOTATOR, 'nojs', 'phone']) {
    const user = h.t.store.users.data.data.users.find((u) => u.name === name);
    if (!user) throw new Error(`no user ${name}`);
    users[name] = { id: user.id, session: await sessionOf(h, name) };
  }
}, TIMEOUT * 2);
afterAll(async () => {
  await h?.close();
}, TIMEOUT);

const tagsOf = (name: string) => {
  const article = h.t.store.article(h.articleId);
  return h.t.store.annotation(h.articleId, users[name]?.id ?? '').tags.map((t) => ({ text: article?.text.slice(t.start, t.end), category: t.category, origin: t.origin }));
};
const rejectedOf = (name: string) => h.t.store.annotation(h.articleId, users[name]?.id ?? '').rejected ?? [];

async function ready(page: Page): Promise<void> {
  await expect.poll(() => page.locator('html').getAttribute('class')).toContain('js');
}

async function announced(page: Page, prefix: string): Promise<void> {
  await expect.poll(async () => ((await page.locator('#live').textContent()) ?? '').startsWith(prefix), { timeout: 15_000 }).toBe(true);
}

const check = async (page: Page, state: string) => expect(await violations(page), state).toEqual([]);

describe('with the script', () => {
  test('Shift+A accepts the first suggestion into the form, the annotator adjusts it; Shift+X rejects the next', { timeout: TIMEOUT * 2 }, async () => {
    const { page, problems } = await pageWith(h, users[ANNOTATOR]?.session ?? (() => { throw new Error('no session'); })());
    await page.goto(sentencePath(h, sentence));
    await ready(page);
    const ghosts = await page.locator('#sentence .ghost.ghost-end .ghost-label').evaluateAll((els) => els.map((e) => e.getAttribute('data-label')));
    expect(ghosts.length).toBeGreaterThanOrEqual(3);
    const offered = await page.locator('#suggestions li').count();
    await check(page, 'suggestions shown');
    // The ? help lists the keys.
    await page.keyboard.press('?');
    expect(await page.locator('#help').textContent()).toContain('accept the first suggestion');
    await page.keyboard.press('?');
    await page.evaluate('window.stayedOnPage = "yes"');

    const first = (await page.locator('#suggestions li strong').first().textContent()) ?? '';
    await page.keyboard.press('Shift+A');
    await announced(page, `Accepted: ${first}`);
    expect(await page.evaluate('window.stayedOnPage')).toBe('yes');
    const editing = await page.locator('#tag-form').getAttribute('data-editing');
    expect(editing).toBeTruthy();
    const [accepted] = tagsOf(ANNOTATOR);
    expect(accepted?.origin).toMatchObject({ kind: 'suggestion', suggester: 'rules', adjusted: false });
    // The form holds the accepted span and category, the words are selected, the list is one shorter.
    expect(await page.locator('#tag-form input[name="category"]:checked').getAttribute('value')).toBe(accepted?.category);
    expect(await page.locator('#selection').textContent()).toContain(`“${accepted?.text}”`);
    expect(await page.locator('#suggestions li').count()).toBe(offered - 1);
    await check(page, 'accepted, open to adjust');

    // Adjust: one word more, then save the change.
    const last = Number(await page.locator('#last').inputValue());
    const words = await page.locator('#last option').count();
    const wider = last + 1 < words ? last + 1 : last;
    const narrower = Number(await page.locator('#first').inputValue());
    if (wider !== last) await page.selectOption('#last', String(wider));
    else await page.selectOption('#first', String(narrower - 1));
    await page.getByRole('button', { name: 'Save changes' }).click();
    await announced(page, 'Changed:');
    const [adjusted] = tagsOf(ANNOTATOR);
    expect(adjusted?.origin).toMatchObject({ kind: 'suggestion', adjusted: true });
    expect(adjusted?.text?.length).toBeGreaterThan(accepted?.text?.length ?? 0);

    // Shift+X rejects the first suggestion still offered.
    const next = (await page.locator('#suggestions li strong').first().textContent()) ?? '';
    const before = await page.locator('#suggestions li').count();
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    await page.keyboard.press('Shift+X');
    await announced(page, `Rejected: ${next}`);
    await expect.poll(() => page.locator('#suggestions li').count()).toBe(before - 1);
    expect(rejectedOf(ANNOTATOR)).toHaveLength(1);
    expect(tagsOf(ANNOTATOR)).toHaveLength(1);
    await check(page, 'after a rejection');
    expect(problems).toEqual([]);
  });

  test('on a phone a tap on Accept does the same', { timeout: TIMEOUT * 2 }, async () => {
    const { page, problems } = await pageWith(h, users.phone?.session ?? (() => { throw new Error('no session'); })(), PHONE);
    await page.goto(sentencePath(h, sentence));
    await ready(page);
    await page.locator('#suggestions [data-accept]').first().tap();
    await announced(page, 'Accepted:');
    expect(await page.locator('#tag-form').getAttribute('data-editing')).toBeTruthy();
    expect(tagsOf('phone')[0]?.origin).toMatchObject({ kind: 'suggestion' });
    await page.locator('#suggestions [data-reject]').first().tap();
    await announced(page, 'Rejected:');
    expect(rejectedOf('phone')).toHaveLength(1);
    await check(page, 'phone');
    expect(problems).toEqual([]);
  });
});

describe('without the script', () => {
  test('Accept opens the new tag in the form, Save changes adjusts it, Reject removes another', { timeout: TIMEOUT * 2 }, async () => {
    const context = await h.context({ storageState: users.nojs?.session, javaScriptEnabled: true });
    // axe runs in the page's engine: "without JavaScript" is the app's scripts not loaded.
    await context.route('**/public/js/**', (route) => route.abort());
    const page = await context.newPage();
    await page.goto(sentencePath(h, sentence));
    expect(await page.locator('html').getAttribute('class')).toBeNull();
    await check(page, 'fresh, no script');
    const offered = await page.locator('#suggestions li').count();
    await Promise.all([page.waitForURL(/\?edit=/), page.locator('#suggestions [data-accept]').first().click()]);
    expect(await page.locator('#tag-form').getAttribute('data-editing')).toBeTruthy();
    const [accepted] = tagsOf('nojs');
    expect(accepted?.origin).toMatchObject({ kind: 'suggestion', adjusted: false });
    expect(await page.locator('#tag-form input[name="category"]:checked').getAttribute('value')).toBe(accepted?.category);
    expect(await page.locator('#suggestions li').count()).toBe(offered - 1);
    await check(page, 'accepted, no script');
    const first = Number(await page.locator('#first').inputValue());
    await page.selectOption('#first', String(Math.max(0, first - 1)));
    await Promise.all([page.waitForURL(/done=/), page.getByRole('button', { name: 'Save changes' }).click()]);
    expect(tagsOf('nojs')[0]?.origin).toMatchObject({ kind: 'suggestion', adjusted: first > 0 });
    await Promise.all([page.waitForLoadState(), page.locator('#suggestions [data-reject]').first().click()]);
    await expect.poll(() => page.locator('#suggestions li').count()).toBe(offered - 2);
    expect(rejectedOf('nojs')).toHaveLength(1);
    await check(page, 'rejected, no script');
  });
});
