// The sentence editor with its script, in Chromium: tagging by mouse, keyboard and touch never
// navigates (a marker set on `window` survives) and keeps the sentence on screen; the word menus;
// drafts across sentences; undo; quotation marks; Back after a delete; the help; focus; axe-core.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { violations } from './editor-axe.js';
import {
  ANNOTATOR,
  PHONE,
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


const word = (page: Page, i: number) => page.locator(`#sentence .word[data-word="${i}"]`).first();
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
const text = (h: Harness, t: { start: number; end: number }) => (h.t.store.article(h.articleId)?.text ?? '').slice(t.start, t.end);
const tagsOn = (n: number) => storedTags(h).filter((t) => t.sentence === n - 1);

/** Opens sentence `n` and waits for the script (a key pressed before it runs would go nowhere). */
async function open(page: Page, n: number): Promise<void> {
  await page.goto(sentencePath(h, n));
  await ready(page);
}
async function ready(page: Page): Promise<void> {
  await expect.poll(() => page.locator('html').getAttribute('class')).toContain('js');
}

/** Sets a marker on the document: it survives only if the page never navigates. */
async function mark(page: Page): Promise<void> {
  await page.evaluate('window.stayedOnPage = "yes"');
}
async function stayed(page: Page): Promise<boolean> {
  return (await page.evaluate('window.stayedOnPage')) === 'yes';
}
/** Whether the sentence is (at least partly) inside the viewport. */
async function sentenceOnScreen(page: Page): Promise<boolean> {
  return Boolean(
    await page.evaluate(`(() => { const r = document.getElementById('sentence').getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight && r.height > 0; })()`),
  );
}
/** The whole sentence is on screen and no part of it lies under the sticky tagging panel. */
async function sentenceClearOfPanel(page: Page): Promise<boolean> {
  return Boolean(
    await page.evaluate(`(() => {
      const s = document.getElementById('sentence').getBoundingClientRect();
      const p = document.getElementById('panel').getBoundingClientRect();
      const overlaps = s.left < p.right && p.left < s.right && s.top < p.bottom && p.top < s.bottom;
      return s.height > 0 && s.top >= 0 && s.bottom <= innerHeight && !overlaps;
    })()`),
  );
}
/** Waits for the live region to announce a message starting with `prefix`, and returns it. */
async function announced(page: Page, prefix: string): Promise<string> {
  await expect.poll(async () => ((await page.locator('#live').textContent()) ?? '').startsWith(prefix), { timeout: 15_000 }).toBe(true);
  return (await page.locator('#live').textContent()) ?? '';
}

/** Keys pressed, counted: the keyboard-only tests hold the editor to its keystroke budget. */
function keyboard(page: Page) {
  let count = 0;
  return {
    press: async (key: string) => {
      count++;
      await page.keyboard.press(key);
    },
    /** `/` then the letters the word shows (its jump label). */
    jumpTo: async (i: number, extend = false) => {
      count++;
      await page.keyboard.press('/');
      const label = (await word(page, i).getAttribute('data-hint')) ?? '';
      expect(label).toMatch(/^[a-z]{1,2}$/);
      for (const letter of label) {
        count++;
        await page.keyboard.press(extend ? `Shift+${letter.toUpperCase()}` : letter);
      }
    },
    get count() {
      return count;
    },
  };
}

describe('tagging with the mouse', () => {
  test('a drag snaps to whole words; Save stores the tag without leaving the page, and says so', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session);
    await open(page, 2);
    await mark(page);
    expect(await page.locator('html').getAttribute('class')).toContain('js');
    const from = await word(page, 3).boundingBox();
    const to = await word(page, 6).boundingBox();
    if (!from || !to) throw new Error('words not laid out');
    // Start a third of the way into word 3 and stop a third of the way into word 6.
    await page.mouse.move(from.x + from.width / 3, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 3, to.y + to.height / 2, { steps: 8 });
    await page.mouse.up();
    expect([await fieldValue(page, '#first'), await fieldValue(page, '#last')]).toEqual(['3', '6']);
    const expected = await wordText(page, 3, 6);
    expect(await selectedWords(page)).toEqual(expected);
    expect(await page.locator('#selection').textContent()).toBe(`Selected: “${expected.join(' ')}”`);
    // The native text selection is replaced by the word highlight.
    expect(await page.evaluate('String(window.getSelection())')).toBe('');

    await page.locator('label[for="cat-loaded-label"]').click();
    expect(await page.locator('#cat-loaded-label').isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Save tag' }).click();
    expect(await announced(page, 'Saved:')).toBe(`Saved: Loaded label / name “${expected.join(' ')}”.`);
    expect(await stayed(page)).toBe(true);
    expect(await sentenceOnScreen(page)).toBe(true);
    expect(new URL(page.url()).pathname).toBe(sentencePath(h, 2));

    expect(await drawnTags(page, 'loaded-label')).toBe(1);
    expect(await taggedWords(page, 'loaded-label')).toEqual(expected);
    const listed = page.locator('ul.tags li').filter({ hasText: 'Loaded label' });
    expect(await listed.count()).toBe(1);
    expect(await listed.textContent()).toContain(`“${expected.join(' ')}”`);
    expect(tagsOn(2).filter((t) => t.category === 'loaded-label')).toHaveLength(1);
    // Ready for the next tag: nothing selected, no category, the progress counted it.
    expect(await selectedWords(page)).toEqual([]);
    expect(await page.locator('input[name="category"]:checked').count()).toBe(0);
    expect(await page.locator('#progress').textContent()).toContain('this one is reviewed');
    expect(problems).toEqual([]);
  });

  test('tap one word, then another: the span between them is selected and saved', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session);
    await open(page, 2);
    await mark(page);
    await word(page, 0).click();
    expect(await selectedWords(page)).toEqual(await wordText(page, 0, 0));
    await word(page, 2).click();
    expect([await fieldValue(page, '#first'), await fieldValue(page, '#last')]).toEqual(['0', '2']);
    // Backwards works too: a third tap starts over, a fourth extends leftwards.
    await word(page, 5).click();
    await word(page, 1).click();
    expect([await fieldValue(page, '#first'), await fieldValue(page, '#last')]).toEqual(['1', '5']);
    await word(page, 0).click();
    await word(page, 2).click();
    await page.locator('label[for="cat-hedge"]').click();
    await page.getByRole('button', { name: 'Save tag' }).click();
    await announced(page, 'Saved: Hedge');
    expect(await drawnTags(page, 'hedge')).toBe(1);
    expect(await taggedWords(page, 'hedge')).toEqual(await wordText(page, 0, 2));
    expect(await stayed(page)).toBe(true);
    expect(problems).toEqual([]);
  });

  test('a drag that ends beyond the sentence or starts before it still snaps, and the next tap is not lost', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session);
    await open(page, 6);
    const total = await page.locator('#sentence .word').count();
    const box = await page.locator('#sentence').boundingBox();
    const w4 = await word(page, 4).boundingBox();
    if (!box || !w4) throw new Error('not laid out');
    await page.mouse.move(w4.x + w4.width / 2, w4.y + w4.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height + 30, { steps: 10 });
    await page.mouse.up();
    expect([await fieldValue(page, '#first'), await fieldValue(page, '#last')]).toEqual(['4', String(total - 1)]);
    expect(await page.evaluate('String(window.getSelection())')).toBe('');
    const context = await page.locator('p.context').first().boundingBox();
    const w2 = await word(page, 2).boundingBox();
    if (!context || !w2) throw new Error('not laid out');
    await page.mouse.move(context.x + context.width - 20, context.y + context.height - 8);
    await page.mouse.down();
    await page.mouse.move(w2.x + w2.width / 2, w2.y + w2.height / 2, { steps: 10 });
    await page.mouse.up();
    expect([await fieldValue(page, '#first'), await fieldValue(page, '#last')]).toEqual(['0', '2']);
    await word(page, 5).click();
    await word(page, 7).click();
    expect(await selectedWords(page)).toEqual(await wordText(page, 5, 7));
    expect(problems).toEqual([]);
  });

  test('a refused save (an exact duplicate) shows its message beside the form and keeps the input', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session);
    await open(page, 12);
    await mark(page);
    const tagIt = async (note: string) => {
      await word(page, 1).click();
      await word(page, 2).click();
      await page.locator('label[for="cat-sourcing"]').click();
      await page.getByLabel('Note').fill(note);
      await page.getByRole('button', { name: 'Save tag' }).click();
    };
    await tagIt('first');
    await announced(page, 'Saved:');
    await tagIt('kept');
    await expect.poll(() => page.locator('#form-error').textContent()).toContain('You already tagged exactly this span with this category.');
    expect(await page.getByLabel('Note').inputValue()).toBe('kept');
    expect(await page.locator('#cat-sourcing').isChecked()).toBe(true);
    expect(await selectedWords(page)).toEqual(await wordText(page, 1, 2));
    expect(tagsOn(12)).toHaveLength(1);
    expect(await stayed(page)).toBe(true);
    expect(problems.filter((p) => !p.includes('409'))).toEqual([]);
  });
});

describe('tagging with the keyboard only', () => {
  test('a span in at most 6 keystrokes: / and its letters, Shift+→, the category key, Enter', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session);
    await open(page, 4);
    await mark(page);
    const keys = keyboard(page);
    // "Today Russia raised": word 2 ("raised") and 3 ("the proposal" starts at 3 …): tag "raised the".
    await keys.jumpTo(2);
    await keys.press('Shift+ArrowRight');
    expect(await selectedWords(page)).toEqual(await wordText(page, 2, 3));
    await keys.press('w');
    await keys.press('Enter');
    await announced(page, 'Saved: Evaluative / intensifying wording');
    expect(keys.count).toBeLessThanOrEqual(6);
    expect(tagsOn(4).map((t) => text(h, t))).toEqual(['raised the']);
    expect(await stayed(page)).toBe(true);
    expect(await sentenceOnScreen(page)).toBe(true);
    // The focus stays in the sentence, on the word it was on.
    expect(await page.evaluate('document.activeElement.closest("#sentence") !== null')).toBe(true);
    // A far span: jump to its start, jump with Shift to its end.
    const second = keyboard(page);
    await second.jumpTo(12);
    await second.jumpTo(20, true);
    await second.press('m');
    await second.press('Enter');
    await announced(page, 'Saved: Anchored omission');
    expect(second.count).toBeLessThanOrEqual(6);
    expect(tagsOn(4).map((t) => text(h, t)).filter((t) => t.startsWith('addressing') && t.endsWith('to stop'))).toHaveLength(1);
    expect(problems).toEqual([]);
  });

  test('the words are one tab stop: arrows move a caret, Shift+arrows select from it, Home/End, Esc clears', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session);
    await open(page, 3);
    await mark(page);
    expect(await page.locator('#sentence').getAttribute('role')).toBe('listbox');
    expect(await page.locator('#sentence [tabindex="0"]').count()).toBe(1);
    await word(page, 0).focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate('document.activeElement.dataset.word')).toBe('3');
    // Shift+→ starts at the caret (word 3), not at the first word.
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Shift+ArrowRight');
    expect(await selectedWords(page)).toEqual(await wordText(page, 3, 4));
    expect(await word(page, 4).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Shift+ArrowLeft');
    expect(await selectedWords(page)).toEqual(await wordText(page, 3, 3));
    await page.keyboard.press('Escape');
    expect(await selectedWords(page)).toEqual([]);
    expect(await page.locator('#selection').textContent()).toBe('');
    await page.keyboard.press('End');
    const total = await page.locator('#sentence .word').count();
    expect(await page.evaluate('document.activeElement.dataset.word')).toBe(String(total - 1));
    await page.keyboard.press('Home');
    await page.keyboard.press('Space');
    expect(await selectedWords(page)).toEqual(await wordText(page, 0, 0));
    expect(await stayed(page)).toBe(true);
    expect(new URL(page.url()).pathname).toBe(sentencePath(h, 3));
    expect(problems).toEqual([]);
  });

  test('Enter without a selection saves nothing and says why; a category radio keeps Enter for saving', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session);
    await open(page, 7);
    await mark(page);
    await page.keyboard.press('l');
    await page.keyboard.press('Enter');
    expect(await page.locator('#selection').textContent()).toContain('Select words first');
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    expect(await page.locator('#selection').textContent()).toContain('Select words first');
    await page.locator('#cat-loaded-label').focus();
    await page.keyboard.press('Shift+ArrowRight');
    expect(await selectedWords(page)).toEqual(await wordText(page, 0, 0));
    expect(tagsOn(7)).toHaveLength(0);
    await page.locator('#cat-loaded-label').focus();
    await page.keyboard.press('Enter');
    await announced(page, 'Saved: Loaded label');
    expect(tagsOn(7).filter((t) => t.category === 'loaded-label')).toHaveLength(1);
    expect(await stayed(page)).toBe(true);
    expect(problems).toEqual([]);
  });

  test('j/k and the arrows move between sentences in place, but never from a form control', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session);
    await open(page, 3);
    await mark(page);
    const at = async (n: number) => {
      await expect.poll(() => new URL(page.url()).pathname).toBe(sentencePath(h, n));
      await expect.poll(() => page.locator('h1').textContent()).toBe(`Sentence ${n} of 13`);
    };
    await page.keyboard.press('j');
    await at(4);
    await page.keyboard.press('k');
    await at(3);
    await page.keyboard.press('ArrowRight');
    await at(4);
    await page.keyboard.press('ArrowLeft');
    await at(3);
    // In the words, j/k still move between sentences (arrows move the caret).
    await word(page, 0).focus();
    await page.keyboard.press('j');
    await at(4);
    expect(await page.evaluate('document.activeElement.closest("#sentence") !== null')).toBe(true);
    // On a radio, a button, a link, in a menu or a text field: the keys are theirs.
    await page.locator('#cat-hedge').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('j');
    await page.getByRole('button', { name: 'Save tag' }).focus();
    await page.keyboard.press('j');
    await page.keyboard.press('ArrowLeft');
    await page.locator('a[rel="next"]').focus();
    await page.keyboard.press('k');
    await page.getByLabel('Note').focus();
    await page.keyboard.type('jk');
    expect(await page.getByLabel('Note').inputValue()).toBe('jk');
    await page.getByLabel('First word').focus();
    await page.keyboard.press('k');
    await at(4);
    // Back and Forward walk the sentences visited.
    await page.goBack();
    await at(3);
    await page.goForward();
    await at(4);
    expect(await stayed(page)).toBe(true);
    expect(problems).toEqual([]);
  });

  test('a half-done tag stays as a draft when moving to another sentence and is back on return', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session);
    await open(page, 8);
    await mark(page);
    await word(page, 2).click();
    await word(page, 3).click();
    await page.keyboard.press('e');
    await page.getByLabel('Note').fill('draft note');
    await page.getByLabel('Quoted source').check();
    await word(page, 3).focus();
    await page.keyboard.press('j');
    await expect.poll(() => new URL(page.url()).pathname).toBe(sentencePath(h, 9));
    expect(await selectedWords(page)).toEqual([]);
    expect(await page.getByLabel('Note').inputValue()).toBe('');
    expect(await page.locator('#live').textContent()).toContain('draft');
    await page.keyboard.press('k');
    await expect.poll(() => new URL(page.url()).pathname).toBe(sentencePath(h, 8));
    await expect.poll(() => selectedWords(page)).toEqual(await wordText(page, 2, 3));
    expect(await page.locator('#cat-emphasis').isChecked()).toBe(true);
    expect(await page.getByLabel('Note').inputValue()).toBe('draft note');
    expect(await page.getByLabel('Quoted source').isChecked()).toBe(true);
    expect(await page.locator('#selection').textContent()).toContain('draft');
    // A reload keeps it too (same tab); saving it clears it.
    await page.reload();
    await ready(page);
    await expect.poll(() => selectedWords(page)).toEqual(await wordText(page, 2, 3));
    await page.getByRole('button', { name: 'Save tag' }).click();
    await announced(page, 'Saved: Salience');
    expect(tagsOn(8)).toMatchObject([{ category: 'emphasis', voice: 'quoted', note: 'draft note' }]);
    await page.reload();
    await ready(page);
    expect(await selectedWords(page)).toEqual([]);
    expect(await page.getByLabel('Note').inputValue()).toBe('');
    expect(problems).toEqual([]);
  });

  test('? opens the help with every key and the codebook; Esc closes it', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session);
    await open(page, 4);
    const help = page.locator('#help');
    expect(await help.isVisible()).toBe(false);
    await page.keyboard.press('?');
    expect(await help.isVisible()).toBe(true);
    const content = (await help.textContent()) ?? '';
    for (const key of ['/', 'Shift', 'Home', 'End', 'Space', 'Enter', 'Esc', 'Ctrl', 'j', 'k', '?']) expect(content).toContain(key);
    expect(content).toContain('Hedge / doubt marker');
    expect(content).toContain('Only the hedge word or words, not the claim they weaken.');
    expect(content).not.toMatch(/\.\. /);
    await page.keyboard.press('Escape');
    expect(await help.isVisible()).toBe(false);
    await page.keyboard.press('?');
    expect(await help.isVisible()).toBe(true);
    await page.keyboard.press('?');
    expect(await help.isVisible()).toBe(false);
    expect(problems).toEqual([]);
  });
});

describe('the word menus', () => {
  test('First stays as chosen; Last moves only when it would be before First (regression)', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session);
    await open(page, 5);
    await mark(page);
    await page.getByLabel('First word').selectOption('1');
    await page.getByLabel('Last word').selectOption('1');
    // First = word 4 while Last is still word 1: First stays 4, Last is pushed to 4.
    await page.getByLabel('First word').selectOption('4');
    expect([await fieldValue(page, '#first'), await fieldValue(page, '#last')]).toEqual(['4', '4']);
    await page.getByLabel('Last word').selectOption('7');
    // ArrowDown on First moves First only.
    await page.getByLabel('First word').focus();
    await page.keyboard.press('ArrowDown');
    expect([await fieldValue(page, '#first'), await fieldValue(page, '#last')]).toEqual(['5', '7']);
    expect(await selectedWords(page)).toEqual(await wordText(page, 5, 7));
    await page.locator('label[for="cat-causal-framing"]').click();
    await page.getByRole('button', { name: 'Save tag' }).click();
    await announced(page, 'Saved:');
    expect(tagsOn(5).map((t) => text(h, t))).toEqual([(await wordText(page, 5, 7)).join(' ')]);
    expect(await stayed(page)).toBe(true);
    expect(problems).toEqual([]);
  });
});

describe('quotation marks', () => {
  test('Shift+→ past a quoted word steps onto its quotation mark: the span takes in both marks', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session);
    await open(page, 3);
    await mark(page);
    const core = await page.locator('#sentence .word').evaluateAll((els) => els.findIndex((e) => e.textContent === 'core'));
    expect(await word(page, core + 1).textContent()).toBe('principles');
    const keys = keyboard(page);
    await keys.jumpTo(core);
    await keys.press('Shift+ArrowRight');
    await keys.press('Shift+ArrowRight');
    expect(await page.locator('#marks').isChecked()).toBe(true);
    expect(await page.locator('#selection').textContent()).toContain("Selected: “'core principles'”");
    expect(await page.locator('#sentence .mark.selected').allTextContents()).toEqual(["'", "'"]);
    await keys.press('q');
    await keys.press('Enter');
    await announced(page, "Saved: Distancing quotes “'core principles'”");
    expect(keys.count).toBeLessThanOrEqual(6);
    expect(tagsOn(3).map((t) => text(h, t))).toEqual(["'core principles'"]);
    // The toggle, with the mouse: "will make every effort" with its marks.
    await word(page, 5).click();
    await word(page, 8).click();
    await page.getByLabel('Include the quotation marks').check();
    await page.locator('label[for="cat-scare-quotes"]').click();
    await page.getByRole('button', { name: 'Save tag' }).click();
    await announced(page, "Saved: Distancing quotes “'will make every effort'”");
    expect(tagsOn(3).map((t) => text(h, t)).sort()).toEqual(["'core principles'", "'will make every effort'"]);
    // Editing it shows the toggle on.
    await page.locator('ul.tags li').filter({ hasText: 'will make' }).getByRole('link', { name: 'Edit' }).click();
    await expect.poll(() => page.locator('h2', { hasText: 'Edit tag' }).count()).toBe(1);
    expect(await page.locator('#marks').isChecked()).toBe(true);
    expect(await selectedWords(page)).toEqual(await wordText(page, 5, 8));
    expect(await stayed(page)).toBe(true);
    expect(problems).toEqual([]);
  });
});

describe('undo, delete and Back', () => {
  test('Ctrl+Z undoes a save and redoes it; the announcement’s Undo brings a deleted tag back', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session);
    await open(page, 9);
    await mark(page);
    await word(page, 20).click();
    await page.keyboard.press('h');
    await page.keyboard.press('Enter');
    await announced(page, 'Saved: Hedge / doubt marker “presumably”');
    expect(tagsOn(9)).toHaveLength(1);
    await page.keyboard.press('Control+z');
    await announced(page, 'Undone:');
    expect(tagsOn(9)).toHaveLength(0);
    expect(await drawnTags(page, 'hedge')).toBe(0);
    await page.keyboard.press('Control+z');
    await announced(page, 'Saved:');
    expect(tagsOn(9)).toHaveLength(1);
    const id = tagsOn(9)[0]?.id;
    // Delete with its button, then Undo in the announcement: the same tag (id, time) is back.
    const created = tagsOn(9)[0]?.createdAt;
    await page.locator(`#tag-${id}`).getByRole('button', { name: 'Delete' }).click();
    await announced(page, 'Deleted: Hedge');
    expect(tagsOn(9)).toHaveLength(0);
    await page.locator('#announce').getByRole('button', { name: 'Undo' }).click();
    await announced(page, 'Undone:');
    expect(tagsOn(9)).toMatchObject([{ id, createdAt: created, category: 'hedge' }]);
    expect(await page.locator(`#tag-${id}`).count()).toBe(1);
    expect(await stayed(page)).toBe(true);
    expect(problems).toEqual([]);
  });

  test('Back after a delete does not show the deleted tag; a stale Delete ends on the sentence with a note', { timeout: TIMEOUT }, async () => {
    await h.t.store.updateAnnotation(h.articleId, h.annotatorId, (a) => {
      const now = new Date().toISOString();
      a.tags.push({ id: 'backAfterDelete', articleId: h.articleId, annotatorId: h.annotatorId, sentence: 10, start: 0, end: 4, category: 'hedge', voice: 'author', intensity: null, note: '', createdAt: now, updatedAt: now });
    });
    const { page, problems } = await pageWith(h, session);
    await open(page, 11);
    const other = await (await h.context({ storageState: session })).newPage();
    await other.goto(sentencePath(h, 11)); // a second tab, still showing the tag
    await page.locator('#tag-backAfterDelete').getByRole('button', { name: 'Delete' }).click();
    await announced(page, 'Deleted:');
    // A real navigation away, then Back: the page is fetched again, without the tag.
    await page.locator('.crumbs a').first().click();
    await page.waitForURL(`**/projects/${h.projectId}`);
    await page.goBack();
    await expect.poll(() => new URL(page.url()).pathname).toBe(sentencePath(h, 11));
    expect(await page.locator('#tag-backAfterDelete').count()).toBe(0);
    expect(await page.locator('[data-tag="backAfterDelete"]').count()).toBe(0);
    // The other tab deletes it again: the sentence, up to date, with a note.
    await other.evaluate('window.stayedOnPage = "yes"');
    await other.locator('#tag-backAfterDelete').getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => other.locator('#form-error').textContent()).toContain('already deleted');
    expect(await other.locator('#tag-backAfterDelete').count()).toBe(0);
    expect(await stayed(other)).toBe(true);
    expect(problems.filter((p) => !p.includes('404'))).toEqual([]);
  });
});

describe('on a phone', () => {
  test('tap the first word, tap the last: the span, the categories and Save are right there', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session, PHONE);
    await open(page, 3);
    await mark(page);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    // The sticky panel never covers the sentence (it once hid it entirely at 390 × 844).
    expect(await sentenceClearOfPanel(page)).toBe(true);
    // Key hints are for keyboards: not on a touch screen.
    expect(await page.locator('.key-hint').first().isVisible()).toBe(false);
    await word(page, 1).tap();
    await word(page, 2).tap();
    expect([await fieldValue(page, '#first'), await fieldValue(page, '#last')]).toEqual(['1', '2']);
    // Without scrolling: the selection line, a category and Save are on screen.
    const onScreen = (selector: string) =>
      page.evaluate(`(() => { const r = document.querySelector(${JSON.stringify(selector)})?.getBoundingClientRect(); return r !== undefined && r.top >= 0 && r.bottom <= innerHeight; })()`);
    expect(await onScreen('#selection')).toBe(true);
    expect(await onScreen('label[for="cat-loaded-label"]')).toBe(true);
    expect(await onScreen('#panel button[type="submit"]')).toBe(true);
    await page.locator('label[for="cat-loaded-label"]').tap();
    await page.locator('#panel button[type="submit"]').tap();
    await announced(page, "Saved: Loaded label / name “Western bloc's”");
    expect(await stayed(page)).toBe(true);
    expect(await sentenceClearOfPanel(page)).toBe(true);
    expect(await drawnTags(page, 'loaded-label')).toBe(1);
    expect(problems).toEqual([]);
  });
});

describe('focus and accessibility', () => {
  /** WCAG contrast ratio of two `rgb(…)` colours. */
  function contrast(a: string, b: string): number {
    const lum = (c: string) => {
      const [r, g, bl] = (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number).map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (bl ?? 0);
    };
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return ((x ?? 0) + 0.05) / ((y ?? 0) + 0.05);
  }

  test('every stop shows a focus ring of at least 3:1, and every control has a label', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await pageWith(h, session);
    await open(page, 2);
    const seen: string[] = [];
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate('document.activeElement === document.body')) break;
      const focused = (await page.evaluate(
        `(() => { const e = document.activeElement; const s = getComputedStyle(e.closest('.chip') ?? e);
          return { what: e.tagName + (e.id ? '#' + e.id : '') + ' ' + (e.textContent || '').trim().slice(0, 30), outline: s.outlineStyle, width: s.outlineWidth, colour: s.outlineColor }; })()`,
      )) as { what: string; outline: string; width: string; colour: string };
      seen.push(focused.what);
      expect(focused.outline, `outline of ${focused.what}`).not.toBe('none');
      expect(parseFloat(focused.width), `outline of ${focused.what}`).toBeGreaterThanOrEqual(2);
      expect(contrast(focused.colour, 'rgb(255, 255, 255)'), `focus contrast of ${focused.what}`).toBeGreaterThanOrEqual(3);
    }
    for (const stop of ['A Skip to content', 'SPAN ', 'INPUT#cat-', 'BUTTON Save tag', 'SELECT#first', 'INPUT#marks', 'TEXTAREA#note']) {
      expect(seen.some((w) => w.startsWith(stop)), `${stop} in ${seen.join(' | ')}`).toBe(true);
    }
    // The words are one tab stop.
    expect(seen.filter((w) => w.startsWith('SPAN '))).toHaveLength(1);
    const unlabelled = (await page.evaluate(
      `[...document.querySelectorAll('input, select, textarea')]
        .filter((e) => e.type !== 'hidden' && !e.hidden && !e.closest('dialog'))
        .filter((e) => !(e.labels && e.labels.length > 0) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
        .map((e) => e.outerHTML)`,
    )) as string[];
    expect(unlabelled).toEqual([]);
    for (const label of ['First word', 'Last word', 'Intensity', 'Note', 'Hedge / doubt marker', 'Author', 'Quoted source', 'Paraphrase']) {
      expect(await page.getByLabel(label).count(), label).toBe(1);
    }
    // Definitions on demand, without the double period.
    const definitions = page.locator('details.definitions');
    expect(await definitions.locator('dd').first().isVisible()).toBe(false);
    await definitions.locator('summary').click();
    expect(await definitions.locator('#def-hedge').innerText()).toMatch(/not the claim they weaken\.\s+Example:/);
    expect(await definitions.innerText()).not.toMatch(/\.\.\s/);
    // Key hints where keys work.
    expect(await page.locator('.key-hint').first().isVisible()).toBe(true);
    expect(problems).toEqual([]);
  });

  test('axe-core finds no serious or critical violation in any state of the editor', { timeout: TIMEOUT * 2 }, async () => {
    const { page, problems } = await pageWith(h, session);
    const check = async (state: string) => expect(await violations(page), state).toEqual([]);
    await open(page, 13);
    await check('fresh');
    await word(page, 1).click();
    await word(page, 2).click();
    await page.keyboard.press('l');
    await check('selection');
    await page.keyboard.press('Enter');
    await announced(page, 'Saved:');
    await check('announcement');
    await word(page, 1).click();
    await word(page, 2).click();
    await page.keyboard.press('l');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#form-error').textContent()).toContain('already tagged');
    await check('error');
    await page.locator('ul.tags li').first().getByRole('link', { name: 'Edit' }).click();
    await expect.poll(() => page.locator('h2', { hasText: 'Edit tag' }).count()).toBe(1);
    await check('editing');
    await page.keyboard.press('Escape');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('/');
    await check('jump labels');
    await page.keyboard.press('Escape');
    await page.keyboard.press('?');
    await check('help open');
    expect(problems.filter((p) => !p.includes('409'))).toEqual([]);
  });
});

