// The teacher's reference form without the app's script, in Chromium: a rationale of spaces
// passes the browser's own `required` check but not the server's, so the sentence comes back
// with the words, the category and the voice as chosen, a "There is a problem" summary linking
// to the rationale and the message by it; axe-core finds nothing serious on that page.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { TIMEOUT, lessonHarness, sessionPage, type Harness, type SessionState } from './browser.js';
import { violations } from './editor-axe.js';

let h: Harness;
let activityId = '';
let teacher: SessionState;
beforeAll(async () => {
  const lesson = await lessonHarness();
  ({ h, teacher } = lesson);
  activityId = lesson.activity.id;
}, TIMEOUT);
afterAll(async () => {
  await h?.close();
}, TIMEOUT);

describe('the reference form, refused, without the script', () => {
  test('comes back with the input kept and the message by the rationale; axe-core passes', { timeout: TIMEOUT * 2 }, async () => {
    const page = await sessionPage(h, teacher, { scripts: false });
    await page.goto(`/activities/${activityId}/reference/2`);
    const before = h.t.activities.activity(activityId)?.reference.length;
    await page.selectOption('#first', '3');
    await page.selectOption('#last', '4');
    await page.check('#cat-hedge');
    await page.check('input[name="voice"][value="quoted"]');
    await page.fill('#rationale', '   ');
    const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Add to the reference' }).click()]);
    expect(response.status()).toBe(400);
    await page.waitForLoadState();
    const summary = page.locator('.error-summary');
    expect(await summary.getByRole('heading').textContent()).toBe('There is a problem');
    expect(await summary.getByRole('link').getAttribute('href')).toBe('#rationale');
    expect(await page.locator('#rationale-error').textContent()).toContain('Write a rationale: one or two sentences students read after the reveal.');
    expect(await page.locator('#rationale').getAttribute('aria-describedby')).toBe('rationale-error');
    expect(await page.inputValue('#first')).toBe('3');
    expect(await page.inputValue('#last')).toBe('4');
    expect(await page.isChecked('#cat-hedge')).toBe(true);
    expect(await page.isChecked('input[name="voice"][value="quoted"]')).toBe(true);
    expect(h.t.activities.activity(activityId)?.reference.length).toBe(before);
    expect(await violations(page)).toEqual([]);
    // The summary's link leads to the field.
    await summary.getByRole('link').click();
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('rationale');
  });
});
