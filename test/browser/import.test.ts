// Importing in a real browser, JavaScript on and off: an article file uploaded, previewed and saved
// comes back byte for byte (a browser sends text fields' line breaks as CRLF; the preview must not
// go through one), and spans from other tools come in through the check-and-map step.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { RESEARCHER, TIMEOUT, pageWith, sessionOf, startHarness, type Harness, type SessionState } from './browser.js';

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

async function importFile(page: Page, title: string): Promise<string> {
  await page.goto(`/projects/${h.projectId}/articles/new`);
  await page.getByLabel('Title').fill(title);
  await page.getByLabel('…or a file').setInputFiles({ name: 'article.txt', mimeType: 'text/plain', buffer: Buffer.from(ARTICLE, 'utf8') });
  await Promise.all([page.waitForURL('**/articles/preview'), page.getByRole('button', { name: 'Show the sentences' }).click()]);
  expect(await page.getByRole('heading', { name: 'Check the sentences' }).count()).toBe(1);
  await Promise.all([page.waitForURL(/\/articles\/[A-Za-z0-9_-]+$/), page.getByRole('button', { name: 'Save the article' }).click()]);
  return new URL(page.url()).pathname.split('/').at(-1) ?? '';
}

describe('an article file uploaded, previewed and saved', () => {
  for (const javaScriptEnabled of [true, false]) {
    test(`comes back byte for byte (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, { timeout: TIMEOUT }, async () => {
      const { page, problems } = await pageWith(h, researcher, { javaScriptEnabled });
      const id = await importFile(page, `LF file, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`);
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
