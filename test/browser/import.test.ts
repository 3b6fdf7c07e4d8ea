// Importing in a real browser, JavaScript on and off: an article file uploaded, previewed and saved
// comes back byte for byte (a browser sends text fields' line breaks as CRLF; the preview must not
// go through one), and spans from other tools come in through the check-and-map step.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { RESEARCHER, TIMEOUT, pageWith, sessionOf, startHarness, type Harness, type SessionState } from './browser.js';
import { violations } from './editor-axe.js';

let h: Harness;
let researcher: SessionState;
beforeAll(async () => {
  h = await startHarness();
  researcher = await sessionOf(h, RESEARCHER);
}, TIMEOUT);
afterAll(async () => {
  await h?.close();
}, TIMEOUT);

/** LF line ends, a blank line, emoji (two UTF-16 units), a tab, non-ASCII punctuation. */
const ARTICLE = [
  'Talks end without a deal 🚨',
  '',
  'Officials called the plan “purely defensive”\tafter the meeting.',
  'Critics say the reform is a disaster 👍🏽.',
  '',
  'The vote ended late. Turnout was low.',
  '',
].join('\n');

/**
 * axe-core's serious and critical violations: none. axe runs in the page's JavaScript, so with
 * JavaScript off there is nothing to run it in; these pages load no script of their own, so what
 * axe sees with JavaScript on is the page as it is without.
 */
async function noSeriousViolations(page: Page, javaScriptEnabled: boolean): Promise<void> {
  if (javaScriptEnabled) expect(await violations(page), page.url()).toEqual([]);
}

async function importFile(page: Page, title: string, javaScriptEnabled: boolean): Promise<string> {
  await page.goto(`/projects/${h.projectId}/articles/new`);
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('…or a file').setInputFiles({ name: 'article.txt', mimeType: 'text/plain', buffer: Buffer.from(ARTICLE, 'utf8') });
  await Promise.all([page.waitForURL('**/articles/preview'), page.getByRole('button', { name: 'Show the sentences' }).click()]);
  expect(await page.getByRole('heading', { name: 'Check the sentences' }).count()).toBe(1);
  await noSeriousViolations(page, javaScriptEnabled);
  await Promise.all([page.waitForURL(/\/articles\/[A-Za-z0-9_-]+$/), page.getByRole('button', { name: 'Save the article' }).click()]);
  return new URL(page.url()).pathname.split('/').at(-1) ?? '';
}

describe('an article file uploaded, previewed and saved', () => {
  for (const javaScriptEnabled of [true, false]) {
    test(`comes back byte for byte (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, { timeout: TIMEOUT }, async () => {
      const { page, problems } = await pageWith(h, researcher, { javaScriptEnabled });
      const id = await importFile(page, `LF file, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, javaScriptEnabled);
      const stored = h.t.store.article(id);
      expect(stored?.text).toBe(ARTICLE);
      expect(Buffer.from(stored?.text ?? '', 'utf8').equals(Buffer.from(ARTICLE, 'utf8'))).toBe(true);
      expect(stored?.sentences.map((r) => ARTICLE.slice(r.start, r.end))).toContain('Turnout was low.');
      expect(problems).toEqual([]);
    });
  }

  test('pasted text is stored with LF line ends, as the preview showed it', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, researcher);
    await page.goto(`/projects/${h.projectId}/articles/new`);
    await page.getByLabel('Title').fill('Pasted');
    await page.getByLabel('Text').fill(ARTICLE);
    await Promise.all([page.waitForURL('**/articles/preview'), page.getByRole('button', { name: 'Show the sentences' }).click()]);
    await Promise.all([page.waitForURL(/\/articles\/[A-Za-z0-9_-]+$/), page.getByRole('button', { name: 'Save the article' }).click()]);
    const id = new URL(page.url()).pathname.split('/').at(-1) ?? '';
    expect(h.t.store.article(id)?.text).toBe(ARTICLE);
    expect(problems).toEqual([]);
  });
});

describe('spans from another tool, through the check page', () => {
  const A = 'Putin 😀 slams NATO\n\nThe “aggressive” alliance keeps expanding.\nThis must stop now.\n';
  const cp = (needle: string) => Array.from(A.slice(0, A.indexOf(needle))).length;
  const labels = [
    `9\tLoaded_Language\t${cp('aggressive')}\t${cp('aggressive') + 10}`,
    `9\tDoubt\t${cp('expanding')}\t${cp('This must') + 9}`,
  ].join('\n');

  for (const javaScriptEnabled of [true, false]) {
    test(`SemEval files: labels mapped, the span across sentences split (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, { timeout: TIMEOUT }, async () => {
      const { page, problems } = await pageWith(h, researcher, { javaScriptEnabled });
      const annotator = javaScriptEnabled ? 'gold-js' : 'gold-nojs';
      await page.goto(`/projects/${h.projectId}/export`);
      await noSeriousViolations(page, javaScriptEnabled);
      await page.getByLabel('SemEval-2020 Task 11').check();
      await page.getByLabel('Files (several, or a .zip)').setInputFiles([
        { name: 'article9.txt', mimeType: 'text/plain', buffer: Buffer.from(A, 'utf8') },
        { name: 'article9.labels', mimeType: 'text/plain', buffer: Buffer.from(labels, 'utf8') },
      ]);
      await page.getByLabel('Annotator').fill(annotator);
      await Promise.all([page.waitForURL('**/import/spans'), page.getByRole('button', { name: 'Check the files' }).click()]);
      expect(await page.getByRole('heading', { name: 'Check the import' }).count()).toBe(1);
      await noSeriousViolations(page, javaScriptEnabled);
      // Loaded_Language is suggested; Doubt needs a choice.
      expect(await page.getByLabel('Loaded_Language').inputValue()).toBe('loaded-language');
      await page.getByLabel('Doubt').selectOption('hedge');
      await page.getByLabel('Split them at the sentence boundaries').check();
      await Promise.all([page.waitForURL(/\/import\/spans\/[A-Za-z0-9_-]+$/), page.getByRole('button', { name: 'Import' }).click()]);
      expect(await page.getByRole('status').textContent()).toMatch(/Imported 3 tags on 1 article.*split 1 span crossing sentences into 2 tags/);
      await noSeriousViolations(page, javaScriptEnabled);
      // The agreement page with undefined figures and their reasons.
      await page.goto(`/projects/${h.projectId}/agreement`);
      expect(await page.locator('#span-identification').count()).toBe(1);
      await noSeriousViolations(page, javaScriptEnabled);
      const user = h.t.store.users.data.data.users.find((u) => u.name === annotator);
      const article = h.t.store.articles(h.projectId).find((a) => a.text === A);
      const tags = h.t.store.annotation(article?.id ?? '', user?.id ?? '').tags;
      expect(tags.map((t) => [A.slice(t.start, t.end), t.category]).sort()).toEqual([
        ['This must', 'hedge'],
        ['aggressive', 'loaded-language'],
        ['expanding.', 'hedge'],
      ]);
      expect(problems).toEqual([]);
    });
  }
});
