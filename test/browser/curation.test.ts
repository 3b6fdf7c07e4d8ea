// Curating the demo article in Chromium, with JavaScript on and off: three annotators' tags,
// the automatic merge, then accept, reject, edit, add, mark contested and mark curated; gold in
// the exports; axe-core on every curation page (no serious or critical violation).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { createUser } from '../../server/accounts/users.js';
import { emptyGold } from '../../server/core/curation/gold.js';
import type { Tag } from '../../server/core/model.js';
import { words } from '../../server/core/segmentation.js';
import { PASSWORD, RESEARCHER, TIMEOUT, signedInPage, startHarness, type Harness } from './browser.js';
import { audit, report } from './axe.js';

let h: Harness;
const ids: string[] = [];

/** A tag of `annotatorId` on words first..last (1-based) of sentence n (1-based). */
function tagOn(annotatorId: string, n: number, first: number, last: number, category: string): Tag {
  const article = h.t.store.article(h.articleId)!;
  const ws = words(article.text, article.sentences[n - 1]!);
  return {
    id: `${annotatorId.slice(0, 6)}${n}${first}${category.slice(0, 4)}`.replace(/[^A-Za-z0-9_-]/g, ''),
    articleId: h.articleId, annotatorId, sentence: n - 1, start: ws[first - 1]!.start, end: ws[last - 1]!.end, category,
    voice: 'author', intensity: null, note: '', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

beforeAll(async () => {
  h = await startHarness();
  ids.push(h.annotatorId);
  for (const name of ['bo', 'cleo']) ids.push((await createUser(h.t.store, name, 'annotator', PASSWORD)).id);
  await h.t.store.projects.update((file) => {
    const project = file.data.projects.find((p) => p.id === h.projectId)!;
    for (const id of ids.slice(1)) project.members.push({ userId: id, role: 'annotator' });
  });
  const [a, b, c] = ids as [string, string, string];
  const plan: Record<string, Tag[]> = {
    // Sentence 1: everyone "Western alliance"-style label on words 32–33; sentence 3: two say
    // distancing quotes, one says hedge on the same words; sentence 4: one alone.
    [a]: [tagOn(a, 1, 32, 33, 'loaded-label'), tagOn(a, 3, 5, 8, 'scare-quotes'), tagOn(a, 4, 18, 18, 'loaded-language')],
    [b]: [tagOn(b, 1, 32, 33, 'loaded-label'), tagOn(b, 3, 5, 8, 'scare-quotes')],
    [c]: [tagOn(c, 1, 32, 33, 'loaded-label'), tagOn(c, 3, 5, 8, 'hedge')],
  };
  for (const id of ids) {
    await h.t.store.updateAnnotation(h.articleId, id, (annotation) => {
      annotation.tags = plan[id]!;
      annotation.reviewed = [0, 2, 3];
    });
  }
}, TIMEOUT);

afterAll(async () => {
  await h?.close();
}, TIMEOUT);

const gold = () => h.t.store.curation.gold(h.articleId);
const s = (n: number) => `/curation/articles/${h.articleId}/sentences/${n}`;

let scriptOn = true;
async function expectAccessible(page: Page, what: string): Promise<void> {
  expect(report(await audit(page, scriptOn)), what).toBe('');
}

async function curate(page: Page, js: boolean): Promise<void> {
  scriptOn = js;
  // Start afresh: no gold on the article.
  await h.t.store.curation.replace(h.articleId, emptyGold(h.articleId));
  const settle = async (action: () => Promise<unknown>, check: () => boolean) => {
    await action();
    await expect.poll(check, { timeout: 20_000 }).toBe(true);
    await page.waitForLoadState();
  };

  await page.goto(`/projects/${h.projectId}/curation`);
  await expectAccessible(page, 'dashboard');
  await Promise.all([page.waitForURL(/merged=/), page.getByRole('button', { name: 'Run the automatic merge' }).click()]);
  expect(await page.getByRole('status').first().textContent()).toContain('2 spans added');
  expect(gold().spans.map((x) => x.status)).toEqual(['auto', 'auto']);

  // Sentence 1: the gold row on top, a row per annotator under the words; accept the auto span.
  await page.goto(s(1));
  expect(await page.locator('.align-grid tbody tr').count()).toBe(4);
  expect(await page.locator('.align-grid tbody tr').first().locator('th').textContent()).toContain('Gold');
  await expectAccessible(page, 'sentence view');
  const label = page.locator('.candidate[data-candidate$="-loaded-label"]');
  expect(await label.locator('.count').textContent()).toBe('3 of 3');
  await settle(() => label.getByRole('button', { name: /^Accept/ }).click(), () => gold().spans.some((x) => x.sentence === 0 && x.status === 'accepted'));

  // Edit it: intensity and a note through the gold editor.
  const goldItem = page.locator('#tag-list li').first();
  await goldItem.getByRole('link', { name: /^Edit/ }).click();
  await page.getByRole('heading', { name: 'Edit gold span' }).waitFor();
  await page.locator('#tag-form').getByLabel('Intensity').selectOption('2');
  await page.locator('#tag-form').getByLabel('Note').fill('Names one side as it names itself.');
  await settle(() => page.getByRole('button', { name: 'Save changes' }).click(), () => gold().spans.some((x) => x.sentence === 0 && x.status === 'edited' && x.intensity === 2));

  // Add a span nobody tagged: words 2–3, emphasis.
  await page.locator('#tag-form').getByLabel('First word').selectOption('2');
  await page.locator('#tag-form').getByLabel('Last word').selectOption('3');
  await page.locator('#tag-form').getByLabel('Salience by placement / repetition').check();
  await settle(() => page.getByRole('button', { name: 'Add to gold' }).click(), () => gold().spans.some((x) => x.status === 'added'));
  await expect.poll(() => page.locator('#tag-list li').count()).toBe(2);

  // Mark sentence 1 curated: on to sentence 3, the next that needs attention (2 nobody reviewed).
  const done = js ? page.getByRole('button', { name: 'Mark sentence curated', exact: true }) : page.getByRole('button', { name: 'Mark sentence curated → next needing attention' });
  await settle(() => done.click(), () => gold().curated.some((x) => x.sentence === 0));
  await page.waitForURL((url) => url.pathname === s(3));
  await expect.poll(() => page.locator('h1').textContent()).toContain('sentence 3');
  // The panel is the sentence's own, also when the script moved in place.
  await expect.poll(() => page.locator('.candidate').count()).toBe(2);

  // Sentence 3: contested between distancing quotes and hedge, with a reason.
  const quotes = page.locator('.candidate[data-candidate$="-scare-quotes"]');
  await quotes.locator('summary').click();
  await quotes.getByLabel('Hedge / doubt marker').check();
  await quotes.getByLabel('Reason').fill('Irony, or doubt about the promise?');
  await settle(() => quotes.getByRole('button', { name: 'Keep as contested' }).click(), () => gold().spans.some((x) => x.status === 'contested'));
  await expect.poll(() => page.locator('.gold-spans').textContent()).toContain('Irony, or doubt about the promise?');

  // Sentence 4: reject the lone candidate.
  await page.goto(s(4));
  const lone = page.locator('.candidate[data-candidate$="-loaded-language"]');
  await settle(() => lone.getByRole('button', { name: /^Reject/ }).click(), () => gold().rejections.some((r) => r.sentence === 3));
  await expect.poll(() => page.locator('.candidate .badge').textContent()).toBe('rejected');

  const contested = gold().spans.find((x) => x.status === 'contested')!;
  expect(contested.contest).toMatchObject({ categories: ['scare-quotes', 'hedge'], reason: 'Irony, or doubt about the promise?' });
  expect(gold().history.map((e) => e.action)).toEqual(['merge-add', 'merge-add', 'accept', 'edit', 'add', 'curate', 'contest', 'reject']);

  for (const path of ['contested', 'quality', `feedback/${ids[0]}`]) {
    await page.goto(`/projects/${h.projectId}/curation/${path}`);
    await expectAccessible(page, path);
  }
  expect(await page.locator('h1').textContent()).toContain('beside gold');

  // Gold is in the exports, with its provenance.
  const csv = await (await page.request.get(`/projects/${h.projectId}/export/csv`)).text();
  const goldLines = csv.split('\n').filter((l) => /,gold,/.test(l));
  expect(goldLines).toHaveLength(3);
  expect(goldLines.some((l) => l.includes('scare-quotes|hedge'))).toBe(true);
  const jsonl = await (await page.request.get(`/projects/${h.projectId}/export/gold`)).text();
  expect(jsonl).toContain('"record":"rejection"');
}

describe('curation in Chromium', () => {
  test('without JavaScript: plain forms do every step', { timeout: 4 * TIMEOUT }, async () => {
    const { page, problems } = await signedInPage(h, RESEARCHER, { javaScriptEnabled: false });
    await curate(page, false);
    expect(problems).toEqual([]);
  });

  test('with JavaScript: the same steps, saved in place by the sentence editor', { timeout: 4 * TIMEOUT }, async () => {
    const { page, problems } = await signedInPage(h, RESEARCHER);
    await curate(page, true);
    expect(problems).toEqual([]);
  });

  test('an annotator of the blind project gets 404 on curation pages', { timeout: TIMEOUT }, async () => {
    const { page } = await signedInPage(h, 'bo');
    for (const url of [`/projects/${h.projectId}/curation`, s(1), `/projects/${h.projectId}/curation/contested`]) {
      const response = await page.goto(url);
      expect(response?.status(), url).toBe(404);
    }
  });
});
