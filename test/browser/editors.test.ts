// The same sentence editor in its two classroom places: a student's lesson (on a phone) and the
// teacher's reference. Both tag in place with the script, keep the word menus' First as chosen,
// work with forms alone, and pass axe-core with the script on and off.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import type { Activity } from '../../server/storage/activity-schemas.js';
import { PHONE, TIMEOUT, lessonHarness, sessionPage, type Harness, type SessionState } from './browser.js';
import { violations } from './editor-axe.js';

let h: Harness;
let activity: Activity;
let teacher: SessionState;

beforeAll(async () => {
  ({ h, activity, teacher } = await lessonHarness());
}, TIMEOUT);
afterAll(async () => {
  await h?.close();
}, TIMEOUT);

/** A page signed in as the teacher, optionally with the app's scripts blocked. */
const teacherPage = (options: { scripts?: boolean } = {}): Promise<Page> => sessionPage(h, teacher, options);

/** A student who joined through the form, on a phone. */
async function studentPage(nickname: string, options: { scripts?: boolean; javaScriptEnabled?: boolean } = {}): Promise<Page> {
  const context = await h.context({ ...PHONE, javaScriptEnabled: options.javaScriptEnabled ?? true });
  if (options.scripts === false) await context.route('**/public/js/**', (route) => route.abort());
  const page = await context.newPage();
  await page.goto(`/join?code=${activity.code}`);
  await page.fill('#nickname', nickname);
  await Promise.all([page.waitForURL((url) => url.pathname === '/lesson'), page.getByRole('button', { name: 'Join' }).click()]);
  return page;
}

const studentTags = (nickname: string) =>
  (h.t.activities.students(activity.id).find((s) => s.nickname === nickname)?.annotation.tags ?? []).map((t) => ({
    text: activity.article.text.slice(t.start, t.end),
    category: t.category,
    sentence: t.sentence,
  }));

async function ready(page: Page): Promise<void> {
  await expect.poll(() => page.locator('html').getAttribute('class')).toContain('js');
}

async function announced(page: Page, prefix: string): Promise<void> {
  await expect.poll(async () => ((await page.locator('#live').textContent()) ?? '').startsWith(prefix), { timeout: 15_000 }).toBe(true);
}

describe('a student’s lesson', () => {
  test('tap, tap, category, Save: saved in place; the menus keep First as chosen', { timeout: TIMEOUT }, async () => {
    const page = await studentPage('Tapper');
    await page.goto('/lesson/sentences/3');
    await ready(page);
    await page.evaluate('window.stayedOnPage = "yes"');
    await page.locator('#sentence .word[data-word="1"]').tap();
    await page.locator('#sentence .word[data-word="2"]').tap();
    await page.locator('label[for="cat-loaded-label"]').tap();
    await page.locator('#panel button[type="submit"]').tap();
    await announced(page, 'Saved: Labels that take a side');
    expect(studentTags('Tapper')).toEqual([{ text: "Western bloc's", category: 'loaded-label', sentence: 2 }]);
    expect(await page.evaluate('window.stayedOnPage')).toBe('yes');
    // The menus: First = word 4 while Last is word 1 keeps First at 4 and pushes Last to 4.
    await page.selectOption('#first', '1');
    await page.selectOption('#last', '1');
    await page.selectOption('#first', '4');
    expect([await page.inputValue('#first'), await page.inputValue('#last')]).toEqual(['4', '4']);
    // "Nothing to tag here" on the next sentence moves on, in place.
    await page.goto('/lesson/sentences/4');
    await ready(page);
    await page.evaluate('window.stayedOnPage = "yes"');
    await page.getByRole('button', { name: 'Nothing to tag here — next sentence' }).tap();
    await expect.poll(() => new URL(page.url()).pathname).toBe('/lesson/sentences/5');
    expect(await page.evaluate('window.stayedOnPage')).toBe('yes');
    expect(h.t.activities.students(activity.id).find((s) => s.nickname === 'Tapper')?.annotation.reviewed).toContain(3);
  });

  test('axe-core: no serious or critical violation, with the script on and off', { timeout: TIMEOUT * 2 }, async () => {
    const page = await studentPage('Checker');
    await page.goto('/lesson/sentences/5');
    await ready(page);
    expect(await violations(page), 'fresh').toEqual([]);
    await page.locator('#sentence .word[data-word="0"]').tap();
    await page.locator('#sentence .word[data-word="1"]').tap();
    expect(await violations(page), 'selection').toEqual([]);
    await page.locator('label[for="cat-hedge"]').tap();
    await page.locator('#panel button[type="submit"]').tap();
    await announced(page, 'Saved:');
    expect(await violations(page), 'announcement').toEqual([]);
    const off = await studentPage('Plain', { scripts: false });
    await off.goto('/lesson/sentences/5');
    expect(await off.locator('html').getAttribute('class')).toBeNull();
    expect(await violations(off), 'script off').toEqual([]);
  });

  test('without JavaScript: the menus, a category, Save; the redirect lands on the sentence', { timeout: TIMEOUT }, async () => {
    const page = await studentPage('NoScript', { javaScriptEnabled: false });
    await page.goto('/lesson/sentences/6');
    await page.selectOption('#first', '0');
    await page.selectOption('#last', '0');
    await page.check('#cat-loaded-label');
    await Promise.all([page.waitForURL((url) => url.searchParams.has('saved')), page.getByRole('button', { name: 'Save tag' }).click()]);
    expect(new URL(page.url()).hash).toBe('#sentence');
    expect(await page.locator('#announce').textContent()).toContain('Saved: Labels that take a side');
    expect(studentTags('NoScript')).toHaveLength(1);
  });
});

describe('the teacher’s reference', () => {
  test('keyboard tagging in place, with a rationale; axe-core with the script on and off', { timeout: TIMEOUT * 2 }, async () => {
    const page = await teacherPage();
    await page.goto(`/activities/${activity.id}/reference/2`);
    await ready(page);
    await page.evaluate('window.stayedOnPage = "yes"');
    expect(await violations(page), 'fresh').toEqual([]);
    await page.keyboard.press('/');
    const label = (await page.locator('#sentence .word[data-word="5"]').first().getAttribute('data-hint')) ?? '';
    for (const letter of label) await page.keyboard.press(letter);
    await page.keyboard.press('r');
    await page.keyboard.press('Enter');
    // A reference tag needs a rationale: the browser asks for it, nothing is sent.
    await page.getByLabel('Rationale').fill('Planted by the test.');
    await page.locator('#sentence .word[data-word="5"]').first().focus();
    await page.keyboard.press('Enter');
    await announced(page, 'Saved:');
    const reference = h.t.activities.activity(activity.id)?.reference.filter((t) => t.rationale === 'Planted by the test.') ?? [];
    expect(reference).toHaveLength(1);
    expect(await page.evaluate('window.stayedOnPage')).toBe('yes');
    expect(await violations(page), 'announcement').toEqual([]);
    await page.keyboard.press('Control+z');
    await announced(page, 'Undone:');
    expect(h.t.activities.activity(activity.id)?.reference.filter((t) => t.rationale === 'Planted by the test.')).toEqual([]);

    const off = await teacherPage({ scripts: false });
    await off.goto(`/activities/${activity.id}/reference/2`);
    expect(await violations(off), 'script off').toEqual([]);
    // The form alone: the redirect lands on the sentence, with the announcement and its Undo.
    await off.selectOption('#first', '1');
    await off.selectOption('#last', '1');
    await off.check('#cat-hedge');
    await off.fill('#rationale', 'Without the script.');
    await Promise.all([off.waitForURL((url) => url.searchParams.has('saved')), off.getByRole('button', { name: 'Add to the reference' }).click()]);
    expect(new URL(off.url()).hash).toBe('#sentence');
    expect(await off.locator('#announce').getByRole('button', { name: 'Undo' }).count()).toBe(1);
    expect(await violations(off), 'announcement, script off').toEqual([]);
  });
});
