// A student's feedback on a phone (390×844), JavaScript on and off: a plain summary leads the
// page, every sentence is one collapsed line that a tap opens, and the page stays short.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tag } from '../../server/core/model.js';
import type { Activity } from '../../server/storage/activity-schemas.js';
import { addUser, makeApp, type TestApp } from '../helpers/app.js';
import { PHONE, demoLesson, serveWithChromium, type Served } from './browser.js';

/** Generous: Chromium shares two cores with whatever else runs. */
const TIMEOUT = 90_000;
/** The page was 10,000–19,000 CSS px tall with every sentence open; collapsed, it must be far shorter. */
const MAX_HEIGHT = 3000;

let t: TestApp;
let served: Served;
let activity: Activity;

beforeAll(async () => {
  t = await makeApp();
  await addUser(t, 'tess', 'teacher');
  activity = await demoLesson(t, 'tess');
  served = await serveWithChromium(t);
}, TIMEOUT);

afterAll(() => served?.close());

/** Joins on a phone through the join form, then gives the student 9 of the reference's tags and 3 of their own. */
async function studentOnPhone(nickname: string, javaScriptEnabled: boolean): Promise<Page> {
  const c = await served.contexts.open({ ...PHONE, javaScriptEnabled });
  const page = await c.newPage();
  await page.goto(`/j/${activity.code}`);
  await page.fill('#nickname', nickname);
  await Promise.all([page.waitForURL((url) => url.pathname === '/lesson'), page.getByRole('button', { name: 'Join' }).click()]);
  const student = t.activities.students(activity.id).find((s) => s.nickname === nickname);
  if (!student) throw new Error('not joined');
  const now = new Date().toISOString();
  const tagOn = (sentence: number, start: number, end: number, category: string, i: number): Tag => ({
    id: `${nickname}-${i}`,
    articleId: activity.id,
    annotatorId: student.id,
    sentence,
    start,
    end,
    category,
    voice: 'author',
    intensity: null,
    note: '',
    createdAt: now,
    updatedAt: now,
  });
  await t.activities.updateStudent(activity.id, student.id, (annotation) => {
    activity.reference.slice(0, 9).forEach((r, i) => annotation.tags.push(tagOn(r.sentence, r.start, r.end, r.category, i)));
    // Three tags the reference does not have: the first word of three sentences without a reference tag there.
    const free = activity.article.sentences.map((_, i) => i).filter((i) => !activity.reference.some((r) => r.sentence === i));
    free.slice(0, 3).forEach((s, i) => {
      const range = activity.article.sentences[s];
      if (range) annotation.tags.push(tagOn(s, range.start, range.start + activity.article.text.slice(range.start).search(/\s/), 'loaded-wording', 9 + i));
    });
  });
  return page;
}

describe('student feedback on a phone', () => {
  it('leads with a plain summary and stays short, with JavaScript on and off', async () => {
    const pages = [await studentOnPhone('Phone', true), await studentOnPhone('NoScriptPhone', false)];
    await t.activities.update(activity.id, (a) => {
      a.revealedAt = new Date().toISOString();
      a.status = 'revealed';
    });
    expect(activity.reference).toHaveLength(16);
    for (const page of pages) {
      const response = await page.goto('/lesson/feedback');
      expect(response?.status()).toBe(200);
      const summary = page.locator('[data-summary]');
      await expect.poll(() => summary.textContent()).toMatch(
        /You found 9 of 16\.\s+3 of your tags were not in the reference\.\s+Tap any sentence to see why\./,
      );
      // On the first screen, near the top, above every sentence.
      const box = await summary.boundingBox();
      expect(box).not.toBeNull();
      expect((box?.y ?? 1e9) + (box?.height ?? 0)).toBeLessThan(PHONE.viewport.height);
      expect(await page.locator('details.feedback-sentence').count()).toBeGreaterThan(5);
      expect(await page.locator('details.feedback-sentence[open]').count()).toBe(0);
      expect(await page.textContent('main')).not.toMatch(/precision|recall|F1/i);
      const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
      expect(height).toBeLessThan(MAX_HEIGHT);
      if (process.env.FEEDBACK_SHOTS) {
        console.log(`feedback page height at 390 px: ${height} CSS px`);
        await page.screenshot({ path: `${process.env.FEEDBACK_SHOTS}/feedback-${pages.indexOf(page)}.png`, fullPage: true });
      }
      expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(PHONE.viewport.width);
      // A tap opens one sentence: the reasons are there.
      const first = page.locator('details.feedback-sentence').first();
      await first.locator('summary').tap();
      await expect.poll(() => first.evaluate((d) => (d as unknown as { open: boolean }).open)).toBe(true);
      await expect.poll(() => first.locator('.rationale').first().isVisible()).toBe(true);
    }
  }, TIMEOUT);
});
