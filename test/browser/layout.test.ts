// The four layout fixes of issue 15, held on a 1366 × 768 screen in Chromium: the Members table
// keeps its columns (its buttons sit in a flex box inside the cell, never a flex cell); the
// dashboard's tags-per-category table fits without scrolling sideways; the teacher's "Who joined"
// grid shows every student's tag count (rows wrap, never cut off with an ellipsis); the assignment
// radios and "Annotators per article" stand on lines of their own.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import request from 'supertest';
import type { Page } from 'playwright-core';
import { addUser, csrfOf, signIn } from '../helpers/app.js';
import { RESEARCHER, TIMEOUT, signedInPage, startHarness, type Harness } from './browser.js';

const SCREEN = { viewport: { width: 1366, height: 768 } };
const TEACHER = 'tilda';
/** As many as the class; long nicknames (the limit is 24) are the ones that were cut off. */
const STUDENTS = Array.from({ length: 31 }, (_, i) => (i % 3 === 0 ? `${'W'.repeat(20)}${String(i).padStart(2, '0')}` : `Student ${i + 1}`));

let h: Harness;
let researcher: Page;
let activityPath = '';
beforeAll(async () => {
  h = await startHarness();
  await addUser(h.t, TEACHER, 'teacher');
  const teacher = await signIn(h.t.app, TEACHER);
  const made = await teacher.post('/activities', { from: 'demo' });
  expect(made.status).toBe(303);
  activityPath = String(made.headers.location).replace(/[?#].*$/, '');
  const activity = h.t.activities.activities()[0];
  if (!activity) throw new Error('no activity');
  for (const nickname of STUDENTS) {
    const agent = request.agent(h.t.app);
    const token = csrfOf((await agent.get('/join')).text);
    const joined = await agent.post('/join').type('form').send({ _csrf: token, code: activity.code, nickname });
    expect(joined.status, joined.text.slice(0, 200)).toBe(303);
  }
  researcher = (await signedInPage(h, RESEARCHER, SCREEN)).page;
}, TIMEOUT * 2);
afterAll(async () => {
  await h?.close();
}, TIMEOUT);

// The checks run in the page (as source text: the tests are compiled without the DOM's types).

/** Elements that hold more than they show sideways: [what, scrollWidth, clientWidth]. */
function sidewaysOverflow(page: Page, selector: string): Promise<[string, number, number][]> {
  return page.evaluate<[string, number, number][]>(
    `[...document.querySelectorAll(${JSON.stringify(selector)})]
      .filter((e) => e.scrollWidth > e.clientWidth + 1)
      .map((e) => [(e.textContent ?? '').trim().slice(0, 60), e.scrollWidth, e.clientWidth])`,
  );
}

interface Cell {
  display: string;
  left: number;
  right: number;
  buttons: number;
}

describe('layout at 1366 × 768', () => {
  test('the Members table: every cell a table cell, each column lined up with its heading', { timeout: TIMEOUT }, async () => {
    await researcher.goto(`/projects/${h.projectId}`);
    // The table headed Name, Role, Actions under "Members".
    const layout = await researcher.evaluate<{ heads: { left: number; right: number }[]; rows: Cell[][] }>(`(() => {
      const t = [...document.querySelectorAll('table')].find((x) => [...x.querySelectorAll('thead th')].some((th) => th.textContent.trim() === 'Role'));
      const box = (e) => e.getBoundingClientRect();
      const heads = [...t.querySelectorAll('thead th')].map((th) => ({ left: box(th).left, right: box(th).right }));
      const rows = [...t.querySelectorAll('tbody tr')].map((tr) =>
        [...tr.children].map((cell) => ({ display: getComputedStyle(cell).display, left: box(cell).left, right: box(cell).right, buttons: cell.querySelectorAll('button').length })),
      );
      return { heads, rows };
    })()`);
    expect(layout.rows.length).toBeGreaterThanOrEqual(2);
    // Some row has its buttons (remove, new link …) in the last column.
    expect(layout.rows.some((cells) => (cells.at(-1)?.buttons ?? 0) > 0)).toBe(true);
    for (const cells of layout.rows) {
      expect(cells.map((c) => c.display)).toEqual(cells.map(() => 'table-cell'));
      expect(cells).toHaveLength(layout.heads.length);
      cells.forEach((cell, i) => {
        expect(Math.abs(cell.left - (layout.heads[i]?.left ?? NaN))).toBeLessThanOrEqual(1);
        expect(Math.abs(cell.right - (layout.heads[i]?.right ?? NaN))).toBeLessThanOrEqual(1);
      });
    }
  });

  test('the assignment choices and “Annotators per article” each on a line of its own', { timeout: TIMEOUT }, async () => {
    await researcher.goto(`/projects/${h.projectId}`);
    const box = (selector: string) => `document.querySelector(${JSON.stringify(selector)}).getBoundingClientRect()`;
    const top = (selector: string) => researcher.evaluate<number>(`${box(selector)}.top`);
    const bottom = (selector: string) => researcher.evaluate<number>(`${box(selector)}.bottom`);
    const all = 'label:has(input[name="mode"][value="all"])';
    const balanced = 'label:has(input[name="mode"][value="balanced"])';
    const perArticle = 'label[for="perArticle"]';
    expect(await top(balanced)).toBeGreaterThanOrEqual((await bottom(all)) - 1);
    expect(await top(perArticle)).toBeGreaterThanOrEqual((await bottom(balanced)) - 1);
    expect(await top('input#perArticle')).toBeGreaterThanOrEqual((await bottom(balanced)) - 1);
  });

  test('the dashboard, tags per category included, fits the screen: nothing scrolls sideways', { timeout: TIMEOUT }, async () => {
    await researcher.goto(`/projects/${h.projectId}/dashboard`);
    const perCategory = researcher.getByRole('heading', { name: 'Tags per category' });
    expect(await perCategory.count()).toBe(1);
    expect(await sidewaysOverflow(researcher, 'main, .scroll, table')).toEqual([]);
    expect(await researcher.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(1366);
    // Every category of the codebook is there (a row each).
    expect(await researcher.locator('table.per-category tbody tr').count()).toBeGreaterThanOrEqual(10);
  });

  test('“Who joined”: all 31 students with their tag counts in view, none cut off', { timeout: TIMEOUT }, async () => {
    const { page } = await signedInPage(h, TEACHER, SCREEN);
    await page.goto(activityPath);
    const rows = page.locator('#students li');
    expect(await rows.count()).toBe(STUDENTS.length);
    expect(await sidewaysOverflow(page, '#students li, #students li *')).toEqual([]);
    const hidden = await page.evaluate<string[]>(`[...document.querySelectorAll('#students li')]
        .map((li) => {
          const count = [...li.querySelectorAll('span')].find((s) => /tags?$/.test((s.textContent ?? '').trim()));
          if (!count) return 'no tag count: ' + li.textContent;
          const inner = count.getBoundingClientRect();
          const outer = li.getBoundingClientRect();
          const cut = getComputedStyle(li).textOverflow === 'ellipsis' || inner.right > outer.right + 1 || inner.left < outer.left - 1;
          return cut ? 'cut off: ' + li.textContent : null;
        })
        .filter((problem) => problem !== null)`);
    expect(hidden).toEqual([]);
  });
});
