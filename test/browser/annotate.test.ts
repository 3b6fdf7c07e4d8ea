// The sentence view with its enhancement: mouse drags and taps snapped to whole words, the
// keyboard, the help overlay, visible focus and labels, and a phone-sized screen.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import {
  ANNOTATOR,
  TIMEOUT,
  pageWith,
  sentencePath,
  sessionOf,
  startHarness,
  storedTags,
  type Harness,
  type SessionState,
} from './browser.js';

let h: Harness;
let session: SessionState;
beforeAll(async () => {
  h = await startHarness();
  session = await sessionOf(h, ANNOTATOR);
}, TIMEOUT);
afterAll(async () => {
  await h?.close();
}, TIMEOUT);

const word = (page: Page, i: number) => page.locator(`#sentence .word[data-word="${i}"]`);
const wordText = async (page: Page, from: number, to: number) => {
  const texts: string[] = [];
  for (let i = from; i <= to; i++) texts.push((await word(page, i).textContent()) ?? '');
  return texts;
};
const selectedWords = (page: Page) => page.locator('#sentence .word.selected').allTextContents();
/** The distinct tags drawn in the sentence (a tag may be drawn as several pieces). */
const drawnTags = async (page: Page, category: string) =>
  new Set(await page.locator(`#sentence .tag.c-${category}`).evaluateAll((els) => els.map((e) => e.getAttribute('data-tag')))).size;
const taggedWords = (page: Page, category: string) => page.locator(`#sentence .tag.c-${category} .word`).allTextContents();
const fieldValue = (page: Page, selector: string) => page.locator(selector).inputValue();

/** Waits for the page the form posts to: the same sentence with ?saved=<tag id>. */
async function saved(page: Page, n: number, action: () => Promise<void>) {
  await Promise.all([page.waitForURL((url) => url.pathname === sentencePath(h, n) && url.searchParams.has('saved')), action()]);
}

describe('tagging with the mouse', () => {
  test('a drag from the middle of one word to another snaps to whole words, and the tag is saved', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session);
    await page.goto(sentencePath(h, 2));
    expect(await page.locator('html').getAttribute('class')).toContain('js');
    const from = await word(page, 3).boundingBox();
    const to = await word(page, 6).boundingBox();
    if (!from || !to) throw new Error('words not laid out');
    // Start a third of the way into word 3 and stop a third of the way into word 6.
    await page.mouse.move(from.x + from.width / 3, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 3, to.y + to.height / 2, { steps: 8 });
    await page.mouse.up();
    expect(await fieldValue(page, '#first')).toBe('3');
    expect(await fieldValue(page, '#last')).toBe('6');
    const expected = await wordText(page, 3, 6);
    expect(await selectedWords(page)).toEqual(expected);
    expect(await page.locator('#selection').textContent()).toBe(`Selected: “${expected.join(' ')}”`);
    // The native text selection is replaced by the word highlight.
    expect(await page.evaluate('String(window.getSelection())')).toBe('');

    await page.locator('label[for="cat-loaded-label"]').click();
    expect(await page.locator('#cat-loaded-label').isChecked()).toBe(true);
    await saved(page, 2, () => page.getByRole('button', { name: 'Save tag' }).click());

    expect(await drawnTags(page, 'loaded-label')).toBe(1);
    expect(await taggedWords(page, 'loaded-label')).toEqual(expected);
    const listed = page.locator('ul.tags li').filter({ hasText: 'Loaded label' });
    expect(await listed.count()).toBe(1);
    expect(await listed.textContent()).toContain(`“${expected.join(' ')}”`);
    expect(storedTags(h).filter((t) => t.sentence === 1 && t.category === 'loaded-label')).toHaveLength(1);
    expect(problems).toEqual([]);
  });

  test('tap one word, then another: the span between them is selected and saved', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session);
    await page.goto(sentencePath(h, 2));
    await word(page, 0).click();
    expect(await selectedWords(page)).toEqual(await wordText(page, 0, 0));
    await word(page, 2).click();
    expect(await fieldValue(page, '#first')).toBe('0');
    expect(await fieldValue(page, '#last')).toBe('2');
    expect(await selectedWords(page)).toEqual(await wordText(page, 0, 2));
    // Backwards works too: a third tap starts over, a fourth extends leftwards.
    await word(page, 5).click();
    await word(page, 1).click();
    expect([await fieldValue(page, '#first'), await fieldValue(page, '#last')]).toEqual(['1', '5']);
    await word(page, 0).click();
    await word(page, 2).click();

    await page.locator('label[for="cat-hedge"]').click();
    await saved(page, 2, () => page.getByRole('button', { name: 'Save tag' }).click());
    expect(await drawnTags(page, 'hedge')).toBe(1);
    expect(await taggedWords(page, 'hedge')).toEqual(await wordText(page, 0, 2));
    expect(await page.locator('ul.tags li').count()).toBe(2);
    // A picture of the sentence view with two tags, to look at by eye: SENTENCE_SCREENSHOT=/tmp/sentence-view.png
    const shot = process.env.SENTENCE_SCREENSHOT;
    if (shot) await page.screenshot({ path: shot, fullPage: true });
    expect(problems).toEqual([]);
  });
  test('a drag that ends beyond the sentence or starts before it still snaps, and the next tap is not lost', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session);
    await page.goto(sentencePath(h, 6));
    const total = await page.locator('#sentence .word').count();
    const box = await page.locator('#sentence').boundingBox();
    const w4 = await word(page, 4).boundingBox();
    if (!box || !w4) throw new Error('not laid out');
    // From the middle of word 4 to below the sentence box: every word from 4 to the end.
    await page.mouse.move(w4.x + w4.width / 2, w4.y + w4.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height + 30, { steps: 10 });
    await page.mouse.up();
    expect([await fieldValue(page, '#first'), await fieldValue(page, '#last')]).toEqual(['4', String(total - 1)]);
    expect(await page.evaluate('String(window.getSelection())')).toBe('');

    // From inside the previous sentence (shown for context) to the middle of word 2.
    const context = await page.locator('p.context').first().boundingBox();
    const w2 = await word(page, 2).boundingBox();
    if (!context || !w2) throw new Error('not laid out');
    await page.mouse.move(context.x + context.width - 20, context.y + context.height - 8);
    await page.mouse.down();
    await page.mouse.move(w2.x + w2.width / 2, w2.y + w2.height / 2, { steps: 10 });
    await page.mouse.up();
    expect([await fieldValue(page, '#first'), await fieldValue(page, '#last')]).toEqual(['0', '2']);

    // The click that ended that drag went elsewhere; the next taps still select.
    await word(page, 5).click();
    await word(page, 7).click();
    expect(await selectedWords(page)).toEqual(await wordText(page, 5, 7));
    expect([await fieldValue(page, '#first'), await fieldValue(page, '#last')]).toEqual(['5', '7']);
    expect(problems).toEqual([]);
  });
});

describe('tagging with the keyboard only', () => {
  test('Shift+arrows select, Esc clears, a category letter chooses, Enter saves', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session);
    await page.goto(sentencePath(h, 3));
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    expect(await selectedWords(page)).toEqual(await wordText(page, 0, 2));
    expect([await fieldValue(page, '#first'), await fieldValue(page, '#last')]).toEqual(['0', '2']);
    await page.keyboard.press('Shift+ArrowLeft');
    expect(await selectedWords(page)).toEqual(await wordText(page, 0, 1));

    await page.keyboard.press('Escape');
    expect(await selectedWords(page)).toEqual([]);
    expect(await page.locator('#selection').textContent()).toBe('');
    expect(new URL(page.url()).pathname).toBe(sentencePath(h, 3));

    for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+ArrowRight');
    expect(await selectedWords(page)).toEqual(await wordText(page, 0, 3));
    await page.keyboard.press('h');
    expect(await page.locator('#cat-hedge').isChecked()).toBe(true);
    expect(await page.locator('#selection').textContent()).toContain('Category: Hedge / doubt marker');
    // Choosing a category does not capture Shift+arrows: they still change the words.
    await page.keyboard.press('Shift+ArrowRight');
    expect(await selectedWords(page)).toEqual(await wordText(page, 0, 4));
    expect(await page.locator('#cat-hedge').isChecked()).toBe(true);
    await page.keyboard.press('Shift+ArrowLeft');
    expect(await selectedWords(page)).toEqual(await wordText(page, 0, 3));
    await page.keyboard.press('l');
    expect(await page.locator('#cat-loaded-label').isChecked()).toBe(true);
    await page.keyboard.press('h');
    expect(await page.locator('#cat-hedge').isChecked()).toBe(true);
    await saved(page, 3, () => page.keyboard.press('Enter'));
    expect(await drawnTags(page, 'hedge')).toBe(1);
    expect(await taggedWords(page, 'hedge')).toEqual(await wordText(page, 0, 3));
    expect(storedTags(h).filter((t) => t.sentence === 2)).toHaveLength(1);
    expect(problems).toEqual([]);
  });

  test('Enter without a selection saves nothing and says why', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session);
    await page.goto(sentencePath(h, 7));
    await page.keyboard.press('l');
    await page.keyboard.press('Enter');
    expect(await page.locator('#selection').textContent()).toContain('Select words first');
    // A cleared selection is no selection either.
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    expect(await page.locator('#selection').textContent()).toContain('Select words first');
    // A category radio with focus: Enter saves there too, once words are selected.
    await page.locator('#cat-loaded-label').focus();
    await page.keyboard.press('Shift+ArrowRight');
    expect(await page.locator('#cat-loaded-label').isChecked()).toBe(true);
    expect(await selectedWords(page)).toEqual(await wordText(page, 0, 0));
    expect(new URL(page.url()).pathname).toBe(sentencePath(h, 7));
    expect(storedTags(h).filter((t) => t.sentence === 6)).toHaveLength(0);
    await saved(page, 7, () => page.keyboard.press('Enter'));
    expect(storedTags(h).filter((t) => t.sentence === 6 && t.category === 'loaded-label')).toHaveLength(1);
    expect(problems).toEqual([]);
  });

  test('j/k and the arrow keys move between sentences', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session);
    await page.goto(sentencePath(h, 3));
    const go = async (key: string, n: number) => {
      await Promise.all([page.waitForURL((url) => url.pathname === sentencePath(h, n)), page.keyboard.press(key)]);
    };
    await go('j', 4);
    await go('k', 3);
    await go('ArrowRight', 4);
    await go('ArrowLeft', 3);
    await go('k', 2);
    await go('k', 1);
    // No sentence before the first: the key does nothing.
    await page.keyboard.press('k');
    await page.keyboard.press('ArrowLeft');
    expect(new URL(page.url()).pathname).toBe(sentencePath(h, 1));
    expect(problems).toEqual([]);
  });

  test('? opens the help overlay and Esc closes it', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session);
    await page.goto(sentencePath(h, 4));
    const help = page.locator('#help');
    expect(await help.locator('dl').isVisible()).toBe(false);
    await page.keyboard.press('?');
    expect(await help.getAttribute('open')).not.toBeNull();
    expect(await help.getAttribute('class')).toContain('help-overlay');
    expect(await help.locator('dl').isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    expect(await help.getAttribute('open')).toBeNull();
    expect(await help.locator('dl').isVisible()).toBe(false);
    // Opened with ?, closed with ? again.
    await page.keyboard.press('?');
    expect(await help.locator('dl').isVisible()).toBe(true);
    await page.keyboard.press('?');
    expect(await help.locator('dl').isVisible()).toBe(false);
    // Closed with a click on its summary, it stops being an overlay.
    await page.keyboard.press('?');
    await help.locator('summary').click();
    expect(await help.getAttribute('open')).toBeNull();
    expect(await help.getAttribute('class')).not.toContain('help-overlay');
    // Enter on the focused summary opens the help (and saves nothing).
    await help.locator('summary').focus();
    await page.keyboard.press('Enter');
    expect(await help.locator('dl').isVisible()).toBe(true);
    expect(new URL(page.url()).pathname).toBe(sentencePath(h, 4));
    expect(problems).toEqual([]);
  });

  test('focus is visible and every form control has a label', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session);
    await page.goto(sentencePath(h, 2));
    // Tab through the whole page: each focused element shows an outline.
    const seen: string[] = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate('document.activeElement === document.body')) break;
      const focused = (await page.evaluate(
        `(() => { const e = document.activeElement; const s = getComputedStyle(e);
          return { what: e.tagName + (e.id ? '#' + e.id : '') + ' ' + (e.textContent || '').trim().slice(0, 30), outline: s.outlineStyle, width: s.outlineWidth }; })()`,
      )) as { what: string; outline: string; width: string };
      seen.push(focused.what);
      expect(focused.outline, `outline of ${focused.what}`).not.toBe('none');
      expect(focused.width, `outline of ${focused.what}`).not.toBe('0px');
    }
    for (const stop of ['A Skip to content', 'SELECT#first', 'INPUT#cat-', 'TEXTAREA#note', 'BUTTON Save tag', 'SUMMARY Keyboard shortcuts']) {
      expect(seen.some((w) => w.startsWith(stop)), `${stop} in ${seen.join(' | ')}`).toBe(true);
    }

    const unlabelled = (await page.evaluate(
      `[...document.querySelectorAll('input, select, textarea')]
        .filter((e) => e.type !== 'hidden' && !e.hidden)
        .filter((e) => !(e.labels && e.labels.length > 0) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
        .map((e) => e.outerHTML)`,
    )) as string[];
    expect(unlabelled).toEqual([]);
    for (const label of ['First word', 'Last word', 'Intensity', 'Note', 'Hedge / doubt marker', 'Loaded label / name', 'Author', 'Quoted source', 'Paraphrase']) {
      expect(await page.getByLabel(label).count(), label).toBe(1);
    }
    expect(problems).toEqual([]);
  });
});

describe('on a phone', () => {
  test('tapping two words selects the span between them, and the tag is saved', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await page.goto(sentencePath(h, 5));
    // Nothing sticks out sideways.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await word(page, 1).tap();
    await word(page, 3).tap();
    expect([await fieldValue(page, '#first'), await fieldValue(page, '#last')]).toEqual(['1', '3']);
    expect(await selectedWords(page)).toEqual(await wordText(page, 1, 3));
    await page.locator('label[for="cat-reporting-verb"]').tap();
    expect(await page.locator('#cat-reporting-verb').isChecked()).toBe(true);
    await saved(page, 5, () => page.getByRole('button', { name: 'Save tag' }).tap());
    expect(await drawnTags(page, 'reporting-verb')).toBe(1);
    expect(await taggedWords(page, 'reporting-verb')).toEqual(await wordText(page, 1, 3));
    expect(problems).toEqual([]);
  });
});
