// The "compare outlets" lesson in Chromium: the teacher makes the ready-made comparison lesson,
// one student tags versions in turn on a phone with JavaScript (taps, saved in place), another
// on a phone without it (word menus), the dashboard's table of tags per outlet updates by itself,
// the teacher reveals, and both students and the teacher see the versions side by side. Every
// page on the way passes axe-core (no serious or critical violation), JavaScript on and off.
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { words } from '../../server/core/segmentation.js';
import type { Activity } from '../../server/storage/activity-schemas.js';
import { addUser, makeApp, type TestApp } from '../helpers/app.js';
import { PHONE, joinWithForm, serveWithChromium, signInWithForm, watchRequests, type Served } from './browser.js';
import { audit, report, type Finding } from './axe.js';

/** Generous: Chromium shares two cores with whatever else runs. */
const TIMEOUT = 120_000;

let t: TestApp;
let served: Served;
let lesson: Activity;
const findings: Finding[] = [];

const context = (options?: BrowserContextOptions): Promise<BrowserContext> => served.contexts.open(options);

async function check(page: Page, js: boolean) {
  findings.push(...(await audit(page, js)));
}

function version(n: number): Activity['article'] {
  return n === 1 ? lesson.article : lesson.comparison!.versions[n - 2]!.article;
}

function wordIndex(text: Activity['article'], s: number, word: string): number {
  const range = text.sentences[s]!;
  const i = words(text.text, range).findIndex((w) => text.text.slice(w.start, w.end) === word);
  if (i < 0) throw new Error(`no ${word} in sentence ${s + 1}`);
  return i;
}

function sentenceOf(text: Activity['article'], prefix: string): number {
  const i = text.sentences.findIndex((r) => text.text.slice(r.start, r.end).startsWith(prefix));
  if (i < 0) throw new Error(`no sentence starts with ${prefix}`);
  return i;
}

function tagsOf(nickname: string, n: number) {
  const student = t.activities.students(lesson.id).find((s) => s.nickname === nickname);
  const annotation = n === 1 ? student?.annotation : student?.versions[n - 2];
  const text = version(n).text;
  return (annotation?.tags ?? []).map((tag) => ({ text: text.slice(tag.start, tag.end), category: tag.category, sentence: tag.sentence }));
}

beforeAll(async () => {
  t = await makeApp();
  await addUser(t, 'tess', 'teacher');
  // The first researcher leads the demo project, so the story form shows for them.
  await addUser(t, 'rita', 'researcher');
  served = await serveWithChromium(t);
}, TIMEOUT);

afterAll(() => served?.close());

describe('the compare-outlets lesson in the browser', () => {
  let teacherPage: Page;
  let teacherProblems: string[];
  let phonePage: Page;

  it('the teacher creates the ready-made comparison lesson and sees the table of tags per outlet', async () => {
    const c = await context({ viewport: { width: 1280, height: 800 } });
    teacherPage = await c.newPage();
    teacherProblems = watchRequests(teacherPage);
    await signInWithForm(teacherPage, 'tess');
    await teacherPage.goto('/activities/new');
    await check(teacherPage, true);
    await Promise.all([
      teacherPage.waitForURL((url) => /^\/activities\/[A-Za-z0-9_-]+$/.test(url.pathname)),
      teacherPage.getByRole('button', { name: 'Create the comparison lesson' }).click(),
    ]);
    lesson = t.activities.activities()[0]!;
    expect(lesson.comparison?.versions).toHaveLength(2);
    await expect.poll(() => teacherPage.textContent('#outlet-tally')).toContain('Sputnik');
    await check(teacherPage, true);
  }, TIMEOUT);

  it('on a phone with JavaScript: version by version, tapping words, saved in place', async () => {
    const c = await context(PHONE);
    phonePage = await c.newPage();
    const problems = watchRequests(phonePage);
    await joinWithForm(phonePage, lesson.code, 'Tapper');
    expect(await phonePage.textContent('main, body')).toContain('Version 2 of 3: Constructed Example: wire-service style');
    await check(phonePage, true);
    await phonePage.getByRole('link', { name: 'Start tagging' }).click();
    await phonePage.waitForURL((url) => url.pathname === '/lesson/versions/1/sentences/1');
    // The navigation names each version; the current one is marked.
    await expect.poll(() => phonePage.textContent('.version-nav [aria-current="page"]')).toBe('Version 1 of 3: Sputnik');
    await phonePage.getByRole('link', { name: 'Version 2 of 3: Constructed Example: wire-service style' }).tap();
    await phonePage.waitForURL((url) => url.pathname === '/lesson/versions/2/sentences/1');
    const wire = version(2);
    const s = sentenceOf(wire, 'NATO and Russia failed');
    const first = wordIndex(wire, s, 'failed');
    const last = wordIndex(wire, s, 'narrow');
    await phonePage.locator(`#sentence .word[data-word="${first}"]`).tap();
    await phonePage.locator(`#sentence .word[data-word="${last}"]`).tap();
    await expect.poll(() => phonePage.textContent('#selection')).toBe('Selected: “failed to narrow”');
    await phonePage.locator('label[for="cat-loaded-wording"]').tap();
    await phonePage.evaluate('window.stayedOnPage = "yes"');
    await phonePage.getByRole('button', { name: 'Save tag' }).tap();
    await expect.poll(() => phonePage.textContent('#live')).toContain('Saved: Loaded wording');
    expect(await phonePage.evaluate('window.stayedOnPage')).toBe('yes');
    expect(tagsOf('Tapper', 2)).toEqual([{ text: 'failed to narrow', category: 'loaded-wording', sentence: s }]);
    expect(tagsOf('Tapper', 1)).toEqual([]);
    expect(Number(await phonePage.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(390);
    await check(phonePage, true);
    // The last sentence of version 2 leads on to version 3.
    await phonePage.goto(`/lesson/versions/2/sentences/${wire.sentences.length}`);
    expect(await phonePage.locator('a[href="/lesson/versions/3/sentences/1"]').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  }, TIMEOUT);

  it('the dashboard’s table of tags per outlet updates by itself', async () => {
    const cell = teacherPage.locator('#outlet-tally tr[data-version="2"] [data-category="loaded-wording"]');
    await expect.poll(() => cell.textContent(), { timeout: 20_000 }).toBe('1');
    await expect.poll(() => teacherPage.textContent('#outlet-tally tr[data-version="2"] [data-cell="tags"]')).toBe('1');
    // Version 2's heatmap too: "failed" is tagged by the one student who joined (1 of 1).
    const wire = version(2);
    const s = sentenceOf(wire, 'NATO and Russia failed');
    const word = teacherPage.locator(`.hw[data-v="2"][data-s="${s}"][data-w="${wordIndex(wire, s, 'failed')}"]`);
    await expect.poll(() => word.getAttribute('title'), { timeout: 20_000 }).toBe('1 student');
    expect(await word.getAttribute('class')).not.toBe('hw heat-0');
  }, TIMEOUT);

  it('on a phone without JavaScript: the word menus, version 3', async () => {
    const c = await context({ ...PHONE, javaScriptEnabled: false });
    const page = await c.newPage();
    await joinWithForm(page, lesson.code, 'NoScript');
    await check(page, false);
    const western = version(3);
    const s = sentenceOf(western, 'Russia has massed');
    await page.goto(`/lesson/versions/3/sentences/${s + 1}`);
    expect(await page.textContent('.version-nav [aria-current="page"]')).toBe('Version 3 of 3: Constructed Example: Western outlet style');
    const massed = wordIndex(western, s, 'massed');
    await page.selectOption('#first', String(massed));
    await page.selectOption('#last', String(massed));
    await page.check('#cat-loaded-wording');
    await Promise.all([page.waitForURL((url) => url.searchParams.has('saved')), page.getByRole('button', { name: 'Save tag' }).click()]);
    expect(tagsOf('NoScript', 3)).toEqual([{ text: 'massed', category: 'loaded-wording', sentence: s }]);
    expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(390);
    await check(page, false);
    // "Nothing to tag here" on version 3's first sentence, by the plain form.
    await page.goto('/lesson/versions/3/sentences/1');
    await Promise.all([page.waitForURL((url) => url.pathname === '/lesson/versions/3/sentences/2'), page.getByRole('button', { name: 'Nothing to tag here — next sentence' }).click()]);
    expect(t.activities.students(lesson.id).find((x) => x.nickname === 'NoScript')?.versions[1]?.reviewed).toContain(0);
  }, TIMEOUT);

  it('the teacher reveals; everyone sees the versions side by side with the reference and the class’s tags', async () => {
    await teacherPage.goto(`/activities/${lesson.id}/reveal`);
    await Promise.all([teacherPage.waitForURL((url) => url.pathname.endsWith('/results')), teacherPage.getByRole('button', { name: 'Reveal the reference' }).click()]);
    await teacherPage.goto(`/activities/${lesson.id}`);
    await check(teacherPage, true);
    await teacherPage.getByRole('link', { name: 'Versions side by side' }).click();
    await teacherPage.waitForURL((url) => url.pathname.endsWith('/compare'));
    const grid = teacherPage.locator('table.compare-grid');
    expect(await grid.locator('thead th').allTextContents()).toEqual(['Group', 'Sputnik', 'Constructed Example: wire-service style', 'Constructed Example: Western outlet style']);
    expect(await grid.locator('.only').count()).toBeGreaterThan(0);
    expect(await grid.textContent()).toContain('Class · Loaded wording: “failed to narrow” 1 student');
    await check(teacherPage, true);
    await teacherPage.goto(`/activities/${lesson.id}/results`);
    await check(teacherPage, true);
    await teacherPage.goto(`/activities/${lesson.id}/present/1?version=2`);
    await check(teacherPage, true);
    const tapper = t.activities.students(lesson.id).find((x) => x.nickname === 'Tapper')!;
    await teacherPage.goto(`/activities/${lesson.id}/students/${tapper.id}`);
    await check(teacherPage, true);
    expect(teacherProblems).toEqual([]);

    await phonePage.goto('/lesson');
    await phonePage.getByRole('link', { name: 'See the versions side by side' }).tap();
    await phonePage.waitForURL((url) => url.pathname === '/lesson/compare');
    expect(await phonePage.locator('table.compare-grid').textContent()).toContain('only in Sputnik');
    expect(await phonePage.locator('table.compare-grid').textContent()).toContain('Class · Loaded wording: “massed” 1 student');
    await check(phonePage, true);
    await phonePage.goto('/lesson/feedback');
    await check(phonePage, true);

    const c = await context({ javaScriptEnabled: false });
    const noJs = await c.newPage();
    await joinWithForm(noJs, lesson.code, 'Viewer');
    await noJs.goto('/lesson/compare');
    expect(await noJs.locator('table.compare-grid tbody tr').count()).toBe(lesson.comparison!.groups.length);
    await check(noJs, false);
    await noJs.goto('/lesson/feedback');
    await check(noJs, false);

    // The teacher's pages without JavaScript.
    const off = await (await context({ javaScriptEnabled: false })).newPage();
    await signInWithForm(off, 'tess');
    for (const path of ['/activities', '/activities/new', `/activities/${lesson.id}`, `/activities/${lesson.id}/compare`, `/activities/${lesson.id}/results`, `/activities/${lesson.id}/present/2?version=3`]) {
      await off.goto(path);
      await check(off, false);
    }
    await off.goto(`/activities/${lesson.id}`);
    expect(await off.locator('#outlet-tally tr[data-version="3"] [data-category="loaded-wording"]').textContent()).toBe('1');

    // The researcher's new-activity page holds the form for a lesson from the demo story; sent
    // back with one article ticked, it says what to do next to the versions, JS on and off.
    for (const js of [true, false]) {
      const page = await (await context({ javaScriptEnabled: js })).newPage();
      await signInWithForm(page, 'rita');
      await page.goto('/activities/new');
      await check(page, js);
      const form = page.locator('form:has(input[name="from"][value="story"])').first();
      const boxes = form.locator('input[name="articleIds"]');
      expect(await boxes.count()).toBe(3);
      await boxes.nth(1).uncheck();
      await boxes.nth(2).uncheck();
      await Promise.all([page.waitForLoadState('load'), form.getByRole('button', { name: 'Create comparison lesson' }).click()]);
      await expect.poll(() => page.locator('.field-error').first().textContent()).toContain('Tick two or three');
      await check(page, js);
      await boxes.nth(2).check();
      await Promise.all([page.waitForURL((url) => /^\/activities\/[A-Za-z0-9_-]+$/.test(url.pathname)), form.getByRole('button', { name: 'Create comparison lesson' }).click()]);
      expect(await page.locator('#outlet-tally tbody tr').count()).toBe(2);
    }

    expect(report(findings)).toBe('');
  }, TIMEOUT);
});
