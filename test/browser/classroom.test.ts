// The classroom lesson in a real browser: a student on a phone-sized screen joins and tags
// with taps (JavaScript on) and with the word menus (JavaScript off); the teacher's dashboard
// updates by itself when a student tags; the teacher's reference editor, results, feedback and
// presenter pages work with JavaScript off and on.
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { words } from '../../server/core/segmentation.js';
import type { Activity } from '../../server/storage/activity-schemas.js';
import { addUser, csrfOf, makeApp, type TestApp } from '../helpers/app.js';
import { PHONE, joinWithForm, serveWithChromium, signInWithForm, watchRequests, type Served } from './browser.js';

/** Generous: Chromium shares two cores with whatever else runs. */
const TIMEOUT = 90_000;
const SHOTS = process.env.CLASSROOM_SCREENSHOTS;

let t: TestApp;
let served: Served;
let activity: Activity;

const context = (options?: BrowserContextOptions): Promise<BrowserContext> => served.contexts.open(options);

async function shot(page: Page, name: string) {
  if (!SHOTS) return;
  await page.screenshot({ path: `${SHOTS}/${name}.png` });
  await page.screenshot({ path: `${SHOTS}/${name}-full.png`, fullPage: true });
}

function sentenceIndex(prefix: string): number {
  return activity.article.sentences.findIndex((r) => activity.article.text.slice(r.start, r.end).startsWith(prefix));
}

function wordIndex(s: number, word: string): number {
  const range = activity.article.sentences[s];
  if (!range) throw new Error('no sentence');
  return words(activity.article.text, range).findIndex((w) => activity.article.text.slice(w.start, w.end) === word);
}

function tagsOf(nickname: string) {
  const student = t.activities.students(activity.id).find((s) => s.nickname === nickname);
  return (student?.annotation.tags ?? []).map((tag) => ({ text: activity.article.text.slice(tag.start, tag.end), category: tag.category, sentence: tag.sentence }));
}

beforeAll(async () => {
  t = await makeApp();
  await addUser(t, 'tess', 'teacher');
  served = await serveWithChromium(t);
}, TIMEOUT);

afterAll(() => served?.close());

describe('classroom lesson in the browser', () => {
  let teacherPage: Page;
  let teacherProblems: string[];

  it('the teacher signs in and creates the ready-made lesson in one click', async () => {
    const c = await context({ viewport: { width: 1280, height: 800 } });
    teacherPage = await c.newPage();
    teacherProblems = watchRequests(teacherPage);
    await signInWithForm(teacherPage, 'tess');
    await teacherPage.getByRole('link', { name: 'Lessons' }).click();
    await teacherPage.getByRole('link', { name: 'New activity' }).click();
    await Promise.all([
      teacherPage.waitForURL((url) => /^\/activities\/[A-Za-z0-9_-]+$/.test(url.pathname)),
      teacherPage.getByRole('button', { name: 'Create the ready-made lesson' }).click(),
    ]);
    const [created] = t.activities.activities();
    if (!created) throw new Error('no activity');
    activity = created;
    await expect.poll(() => teacherPage.textContent('#join-code')).toBe(`${activity.code.slice(0, 3)} ${activity.code.slice(3)}`);
    // The QR code loads as an image (served as SVG).
    await expect.poll(() => teacherPage.$eval('img.join-qr', (img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    await shot(teacherPage, 'dashboard-empty');
  }, TIMEOUT);

  it('on a phone with JavaScript: join, tap the first and last word, pick a category, save', async () => {
    const c = await context(PHONE);
    const page = await c.newPage();
    const problems = watchRequests(page);
    await joinWithForm(page, activity.code, 'Tapper');
    await shot(page, 'phone-lesson');
    await page.getByRole('link', { name: 'Start tagging' }).click();
    await page.waitForURL((url) => url.pathname === '/lesson/sentences/1');
    const s = sentenceIndex("The Western bloc's member states");
    await page.goto(`/lesson/sentences/${s + 1}`);
    const western = wordIndex(s, 'Western');
    const bloc = wordIndex(s, "bloc's");
    await page.locator(`#sentence .word[data-word="${western}"]`).tap();
    await page.locator(`#sentence .word[data-word="${bloc}"]`).tap();
    await expect.poll(() => page.textContent('#selection')).toBe("Selected: “Western bloc's”");
    expect(await page.inputValue('#first')).toBe(String(western));
    expect(await page.inputValue('#last')).toBe(String(bloc));
    await page.locator('label[for="cat-loaded-label"]').tap();
    expect(await page.isChecked('#cat-loaded-label')).toBe(true);
    await shot(page, 'phone-sentence');
    // Saved in place: the page does not reload, the live region says what was saved.
    await page.evaluate('window.stayedOnPage = "yes"');
    await page.getByRole('button', { name: 'Save tag' }).tap();
    await expect.poll(() => page.textContent('#live')).toContain('Saved: Labels that take a side');
    expect(await page.evaluate('window.stayedOnPage')).toBe('yes');
    expect(tagsOf('Tapper')).toEqual([{ text: "Western bloc's", category: 'loaded-label', sentence: s }]);
    await expect.poll(() => page.locator('.tags li').first().textContent()).toContain('Labels that take a side');
    // Fits the phone: nothing wider than the screen.
    expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(390);
    expect(problems).toEqual([]);
  }, TIMEOUT);

  it('on a phone without JavaScript: the same through the word menus', async () => {
    const c = await context({ ...PHONE, javaScriptEnabled: false });
    const page = await c.newPage();
    await joinWithForm(page, activity.code, 'NoScript');
    const s = sentenceIndex('Stoltenberg indicated');
    await page.goto(`/lesson/sentences/${s + 1}`);
    const presumably = wordIndex(s, 'presumably');
    await page.selectOption('#first', String(presumably));
    await page.selectOption('#last', String(presumably));
    await page.check('#cat-hedge');
    await Promise.all([page.waitForURL((url) => url.searchParams.has('saved')), page.getByRole('button', { name: 'Save tag' }).click()]);
    expect(tagsOf('NoScript')).toEqual([{ text: 'presumably', category: 'hedge', sentence: s }]);
    expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(390);
    await shot(page, 'phone-nojs');
  }, TIMEOUT);

  it('the dashboard updates by itself when a student tags', async () => {
    await teacherPage.reload();
    const root = teacherPage.locator('[data-dashboard]');
    // Polls at most every 1.5 s (so a tag shows within 2 s when the machine keeps up).
    expect(Number(await root.getAttribute('data-poll-ms'))).toBeLessThanOrEqual(1500);
    await expect.poll(() => teacherPage.textContent('#joined-count')).toBe('2');
    await expect.poll(() => root.getAttribute('data-updated')).not.toBeNull();
    await teacherPage.evaluate('window.notReloaded = true');
    const s = sentenceIndex('Stoltenberg indicated');
    const word = wordIndex(s, 'rejoined');
    const heat = teacherPage.locator(`.hw[data-s="${s}"][data-w="${word}"]`);
    expect(await heat.getAttribute('class')).toBe('hw heat-0');

    // A third student joins and tags "rejoined" (over HTTP, as another phone would).
    const student = request.agent(t.app);
    const token = csrfOf((await student.get('/join')).text);
    expect((await student.post('/join').type('form').send({ _csrf: token, code: activity.code, nickname: 'Late' })).status).toBe(303);
    const fresh = csrfOf((await student.get('/lesson')).text);
    const tagged = await student
      .post(`/lesson/sentences/${s + 1}/tags`)
      .type('form')
      .send({ _csrf: fresh, first: String(word), last: String(word), category: 'loaded-wording', voice: 'author' });
    expect(tagged.status).toBe(303);

    await expect.poll(() => teacherPage.textContent('#joined-count'), { timeout: 15_000 }).toBe('3');
    await expect.poll(() => heat.getAttribute('class'), { timeout: 15_000 }).toBe('hw heat-2');
    expect(await heat.getAttribute('title')).toBe('1 student');
    await expect.poll(() => teacherPage.textContent('#students')).toContain('Late');
    expect(await teacherPage.evaluate('window.notReloaded')).toBe(true);
    await shot(teacherPage, 'dashboard-live');
    expect(teacherProblems).toEqual([]);
  }, TIMEOUT);

  it('without JavaScript the teacher adds a reference tag through the word menus', async () => {
    const c = await context({ javaScriptEnabled: false });
    const page = await c.newPage();
    const problems = watchRequests(page);
    await signInWithForm(page, 'tess');
    const s = sentenceIndex('Stoltenberg indicated');
    const word = wordIndex(s, 'Stoltenberg');
    await page.goto(`/activities/${activity.id}/reference/${s + 1}`);
    await page.selectOption('#first', String(word));
    await page.selectOption('#last', String(word));
    await page.check('#cat-hedge');
    await page.fill('#rationale', 'Planted by the test: not a hedge at all.');
    await Promise.all([page.waitForURL((url) => url.searchParams.has('saved')), page.getByRole('button', { name: 'Add to the reference' }).click()]);
    const [stored] = t.activities.activities();
    expect(stored?.reference.some((r) => r.category === 'hedge' && r.rationale.startsWith('Planted') && r.sentence === s)).toBe(true);
    expect(await page.textContent('main')).toContain('Planted by the test');
    expect(problems).toEqual([]);
  }, TIMEOUT);

  it('the reference list, results, a student’s feedback and the presenter view load with JavaScript off and on', async () => {
    const student = t.activities.students(activity.id).find((x) => x.nickname === 'NoScript');
    if (!student) throw new Error('no student');
    const paths = [
      `/activities/${activity.id}/reference`,
      `/activities/${activity.id}/results`,
      `/activities/${activity.id}/students/${student.id}`,
      `/activities/${activity.id}/present/${sentenceIndex('Stoltenberg indicated') + 1}`,
    ];
    const noScript = await (await context({ javaScriptEnabled: false })).newPage();
    const noScriptProblems = watchRequests(noScript);
    await signInWithForm(noScript, 'tess');
    for (const page of [noScript, teacherPage]) {
      for (const path of paths) {
        const response = await page.goto(path);
        expect(response?.status(), path).toBe(200);
        expect(await page.textContent('main'), path).toMatch(/\S/);
      }
    }
    expect(await teacherPage.textContent('main')).toContain('presumably');
    expect(noScriptProblems).toEqual([]);
    expect(teacherProblems).toEqual([]);
  }, TIMEOUT);
});
