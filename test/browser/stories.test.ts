// Comparing outlets in Chromium, with JavaScript on and off: import a three-article story from
// JSON files, see the alignment side by side, unlink and relink a pair, read the outlet
// profile; every page passes axe-core (no serious or critical violation).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { RESEARCHER, TIMEOUT, signedInPage, startHarness, type Harness } from './browser.js';
import { audit, report } from './axe.js';
import { addSpan, markSentenceCurated } from '../../server/core/curation/operations.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, TIMEOUT);
afterAll(async () => {
  await h?.close();
}, TIMEOUT);

const article = (title: string, source: string, paragraphs: string[]) => ({ title, source, date: '2024-03-01', url: 'https://example.org/' + source.replace(/\W+/g, '-'), paragraphs });
const FILES = [
  ['1-wire.json', article('Flood waters rise in Riverton', 'Wire Desk', [
    'Flood waters rose to 4.2 metres in Riverton on Friday, forcing 1,200 residents from their homes.',
    'Mayor Ellen Park said the city had opened three shelters.',
    'Forecasters expect more rain over the weekend.',
  ])],
  ['2-daily.json', article('Riverton drowns as officials dither', 'Daily Clarion', [
    'Riverton was swamped on Friday as flood waters hit 4.2 metres and 1,200 desperate residents fled their homes.',
    'Mayor Ellen Park, under fire for months, claimed the city had opened three shelters.',
    'Critics blamed years of neglect of the levees.',
  ])],
  ['3-gazette.json', article('Riverton residents flee floods', 'Gazette', [
    'About 1,200 residents left their homes in Riverton on Friday as flood waters reached 4.2 metres.',
    'Three shelters were opened, Mayor Ellen Park said.',
  ])],
] as const;

const scriptOff = new WeakSet<Page>();
async function expectAccessible(page: Page) {
  const findings = await audit(page, !scriptOff.has(page));
  expect(findings, report(findings)).toEqual([]);
}

async function importStory(page: Page, title: string) {
  await page.goto(`/projects/${h.projectId}`);
  await Promise.all([page.waitForURL(/\/stories$/), page.getByRole('link', { name: 'Stories: compare outlets' }).click()]);
  await expectAccessible(page);
  await Promise.all([page.waitForURL(/\/stories\/import$/), page.getByRole('link', { name: /Import a story/ }).click()]);
  await expectAccessible(page);
  await page.getByLabel('Article files (.json) or a zip').setInputFiles(
    FILES.map(([name, content]) => ({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(content)) })),
  );
  await page.getByLabel(/Story title/).fill(title);
  await Promise.all([page.waitForURL((url) => /\/stories\/[A-Za-z0-9_-]+$/.test(url.pathname) && !url.pathname.endsWith('/import')), page.getByRole('button', { name: 'Import story' }).click()]);
  await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(title);
}

/** The row (aligned group) of the side-by-side table holding the given sentence. */
const rowWith = (page: Page, text: string) => page.locator('#alignment tr[id^="g"]').filter({ hasText: text });

for (const javaScript of [true, false]) {
  describe(`comparing outlets with JavaScript ${javaScript ? 'on' : 'off'}`, () => {
    test('import a three-article story, see the alignment, unlink and relink a pair, read the profile', { timeout: 2 * TIMEOUT }, async () => {
      const { page, problems } = await signedInPage(h, RESEARCHER, { javaScriptEnabled: javaScript });
      if (!javaScript) scriptOff.add(page);
      const title = `Riverton floods (${javaScript ? 'script' : 'no script'})`;
      await importStory(page, title);
      await expectAccessible(page);
      const storyUrl = page.url();

      // Three columns; the mayor's sentence is one group across all three outlets; the levees only in the Daily Clarion.
      for (const outlet of ['Wire Desk', 'Daily Clarion', 'Gazette']) await expect.poll(() => page.getByRole('columnheader', { name: outlet }).count()).toBe(1);
      const mayor = rowWith(page, 'Mayor Ellen Park said the city');
      await expect.poll(() => mayor.textContent()).toContain('under fire for months');
      await expect.poll(() => mayor.textContent()).toContain('Three shelters were opened');
      await expect.poll(() => rowWith(page, 'Critics blamed').textContent()).toContain('only in Daily Clarion');

      // Unlink the Wire's and the Clarion's mayor sentences.
      await page.locator('#alignment summary').filter({ hasText: /in group/ }).nth(1).click();
      const unlink = page.getByRole('button', { name: 'Unlink Wire Desk sentence 2 from Daily Clarion sentence 2' });
      if (javaScript) {
        await unlink.click();
        await expect.poll(() => page.locator('#story-status').textContent()).toContain('Unlinked');
        expect(page.url()).toBe(storyUrl);
      } else {
        await Promise.all([page.waitForURL(/#s-/), unlink.click()]);
      }
      await expect.poll(() => page.getByRole('heading', { name: 'Links removed by hand (1)' }).count()).toBe(1);
      const story = h.t.store.stories.list(h.projectId).find((s) => s.title === title)!;
      expect(story.edits.map((e) => e.action)).toEqual(['remove']);
      await expectAccessible(page);

      // Relink it.
      const relink = page.getByRole('button', { name: 'Relink Wire Desk sentence 2 and Daily Clarion sentence 2' });
      if (javaScript) await relink.click();
      else await Promise.all([page.waitForNavigation(), relink.click()]);
      if (javaScript) await expect.poll(() => page.locator('#story-status').textContent()).toContain('Linked');
      await expect.poll(() => page.getByRole('heading', { name: /Links removed by hand/ }).count()).toBe(0);
      expect(h.t.store.stories.list(h.projectId).find((s) => s.title === title)!.edits.map((e) => e.action)).toEqual(['remove', 'add']);
      await expect.poll(() => rowWith(page, 'Mayor Ellen Park said the city').textContent()).toContain('under fire for months');

      // The candidates page for a sentence, ranked by score.
      await page.goto(storyUrl);
      await Promise.all([page.waitForURL(/\/link\?/), page.locator(`a[href*="/link?article="]`).first().click()]);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toMatch(/^Link Wire Desk’s sentence 1/);
      await expectAccessible(page);

      // The profile of the story.
      await page.goto(storyUrl);
      await Promise.all([page.waitForURL(/\/profile\?/), page.getByRole('link', { name: 'Outlet profile of this story' }).click()]);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(`Outlet profile: ${title}`);
      expect(await page.locator('svg.chart title').first().textContent()).toContain('Tags per 1,000 words');
      await expectAccessible(page);
      expect(problems).toEqual([]);
    });
  });
}

test('the demo story on first start: three outlets, constructed examples marked, reference tags; passes axe', { timeout: TIMEOUT }, async () => {
  const { page, problems } = await signedInPage(h, RESEARCHER);
  const demo = h.t.store.stories.list(h.projectId).find((s) => s.createdBy === 'system')!;
  await page.goto(`/projects/${h.projectId}/stories/${demo.id}`);
  await expect.poll(() => page.locator('.story-note').textContent()).toContain('Constructed examples');
  expect(await page.locator('#alignment .tag').count()).toBeGreaterThan(10);
  expect(await page.locator('#alignment .only').filter({ hasText: 'only in Sputnik' }).count()).toBeGreaterThan(0);
  await expectAccessible(page);
  await page.goto(`/projects/${h.projectId}/profile?story=${demo.id}`);
  await expectAccessible(page);
  expect(problems).toEqual([]);
});

test('curated gold in the story view: the curated sentence marked, its gold tag shown; passes axe', { timeout: TIMEOUT }, async () => {
  const { page, problems } = await signedInPage(h, RESEARCHER);
  const demo = h.t.store.stories.list(h.projectId).find((s) => s.createdBy === 'system')!;
  const article = h.t.store.article(demo.articles[0]!)!;
  const first = article.sentences[0]!;
  const word = /\p{L}+/u.exec(article.text.slice(first.start, first.end))!;
  const actor = { by: 'system', at: new Date().toISOString() };
  await h.t.store.curation.update(article.id, (gold) => {
    addSpan(gold, 0, { start: first.start + word.index, end: first.start + word.index + word[0].length, category: 'emphasis', voice: 'author', intensity: null, note: '' }, first, actor, 'gold-browser-test');
    markSentenceCurated(gold, 0, article.sentences.length, actor);
  });
  await page.goto(`/projects/${h.projectId}/stories/${demo.id}`);
  const sentence = page.locator(`#s-${article.id}-1`);
  await expect.poll(() => sentence.locator('.gold-mark').textContent()).toBe('curated gold');
  expect(await sentence.locator('.tag.c-emphasis').count()).toBe(1);
  // The article's other sentences, and the other articles, keep the story's reference.
  expect(await page.locator('#alignment .tag').count()).toBeGreaterThan(10);
  await expect.poll(() => page.locator('.story-articles').textContent()).toMatch(/curated gold: 1 tag in 1 of \d+ sentences; elsewhere \d+ reference tags/);
  await expectAccessible(page);
  expect(problems).toEqual([]);
});

test('every story page passes axe-core with JavaScript off', { timeout: TIMEOUT }, async () => {
  const { page } = await signedInPage(h, RESEARCHER, { javaScriptEnabled: false });
  scriptOff.add(page);
  const story = h.t.store.stories.list(h.projectId).find((s) => s.createdBy !== 'system') ?? h.t.store.stories.list(h.projectId)[0]!;
  const base = `/projects/${h.projectId}/stories`;
  for (const path of [base, `${base}/import`, `${base}/new`, `${base}/${story.id}`, `${base}/${story.id}/link?article=${story.articles[0]}&sentence=1`, `/projects/${h.projectId}/profile`, `/articles/${story.articles[0]}/details`]) {
    await page.goto(path);
    await expectAccessible(page);
  }
});
