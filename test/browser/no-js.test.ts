// The whole flow with JavaScript turned off: plain forms and links do everything.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  ANNOTATOR,
  RESEARCHER,
  TIMEOUT,
  pageWith,
  sentencePath,
  signedInPage,
  startHarness,
  storedTags,
  type Harness,
  type SessionState,
} from './browser.js';
import { violations } from './editor-axe.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
}, TIMEOUT);
afterAll(async () => {
  await h?.close();
}, TIMEOUT);

const noScript = { javaScriptEnabled: false };
let annotator: SessionState | undefined;

describe('without JavaScript', () => {
  test('an annotator signs in, then tags, edits and deletes a tag', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await signedInPage(h, ANNOTATOR, noScript);
    annotator = await page.context().storageState();
    // The demo article's Continue (the demo project also lists its story's two counterparts).
    await page.getByRole('link', { name: 'Continue', exact: true }).and(page.locator(`[href="${sentencePath(h, 1)}"]`)).click();
    await page.waitForURL(`**${sentencePath(h, 1)}`);
    expect(await page.locator('html').getAttribute('class')).toBeNull();
    // The hint about selecting in the sentence is for script users only.
    expect(await page.getByText('select words in the sentence').isVisible()).toBe(false);

    // Add: the words from the two menus, a category, voice, intensity and a note.
    await page.getByLabel('First word').selectOption('2');
    await page.getByLabel('Last word').selectOption('3');
    await page.getByLabel('Loaded label / name').check();
    await page.getByLabel('Quoted source').check();
    await page.getByLabel('Intensity').selectOption('2');
    await page.getByLabel('Note').fill('Calls the two sides by name.');
    await Promise.all([page.waitForURL(/saved=/), page.getByRole('button', { name: 'Save tag' }).click()]);
    // Back on the sentence itself (its anchor), with the change announced and an Undo button.
    expect(new URL(page.url()).hash).toBe('#sentence');
    expect(await page.locator('#announce').textContent()).toContain('Saved: Loaded label / name “NATO officials”.');
    expect(await page.locator('#announce').getByRole('button', { name: 'Undo' }).count()).toBe(1);
    const item = page.locator('ul.tags li');
    expect(await item.count()).toBe(1);
    const text = (await item.textContent()) ?? '';
    expect(text).toContain('Loaded label / name');
    expect(text).toContain('“NATO officials”');
    expect(text).toContain('Quoted source · intensity 2');
    expect(text).toContain('Calls the two sides by name.');
    const [tag] = storedTags(h);
    expect(tag).toMatchObject({ sentence: 0, category: 'loaded-label', voice: 'quoted', intensity: 2, note: 'Calls the two sides by name.' });
    expect(await page.locator('#sentence .tag.c-loaded-label .word').allTextContents()).toEqual(['NATO', 'officials']);

    // Edit: the form comes back filled in; change the category.
    await item.getByRole('link', { name: 'Edit' }).click();
    await page.waitForURL(/edit=/);
    expect(await page.getByRole('heading', { name: 'Edit tag' }).count()).toBe(1);
    expect(await page.getByLabel('First word').inputValue()).toBe('2');
    expect(await page.getByLabel('Last word').inputValue()).toBe('3');
    expect(await page.getByLabel('Loaded label / name').isChecked()).toBe(true);
    expect(await page.getByLabel('Quoted source').isChecked()).toBe(true);
    expect(await page.getByLabel('Intensity').inputValue()).toBe('2');
    expect(await page.getByLabel('Note').inputValue()).toBe('Calls the two sides by name.');
    await page.getByLabel('Hedge / doubt marker').check();
    await Promise.all([page.waitForURL(/saved=/), page.getByRole('button', { name: 'Save changes' }).click()]);
    expect(await page.locator('ul.tags li').count()).toBe(1);
    expect(await page.locator('ul.tags li').textContent()).toContain('Hedge / doubt marker');
    expect(storedTags(h)).toMatchObject([{ id: tag?.id, category: 'hedge', voice: 'quoted', intensity: 2 }]);
    expect(await page.locator('#sentence .tag.c-hedge .word').allTextContents()).toEqual(['NATO', 'officials']);

    // Delete.
    await Promise.all([
      page.waitForURL((url) => url.pathname === sentencePath(h, 1) && url.searchParams.has('done') && !url.searchParams.has('saved')),
      page.locator('ul.tags li').getByRole('button', { name: 'Delete' }).click(),
    ]);
    expect(await page.locator('ul.tags').count()).toBe(0);
    expect(await page.getByText('None yet.').count()).toBe(1);
    expect(storedTags(h)).toEqual([]);

    // Deleting its last tag leaves the sentence reviewed (it was looked at); that can be undone.
    expect(await page.locator('.sentence-head').textContent()).toContain('1 of 13 reviewed · this one is reviewed');
    expect(await page.getByRole('button', { name: 'Undo “reviewed”' }).count()).toBe(1);

    expect(problems).toEqual([]);
  });

  test('an annotator marks a sentence reviewed, and a refused tag keeps the input', { timeout: TIMEOUT }, async () => {
    if (!annotator) throw new Error('the sign-in test did not run');
    const { page, problems } = await pageWith(h, annotator, noScript);
    await page.goto(sentencePath(h, 2));
    // Nothing to tag here: on to the next sentence, and progress goes up.
    await Promise.all([
      page.waitForURL(`**${sentencePath(h, 3)}#sentence`),
      page.getByRole('button', { name: 'Reviewed — nothing to tag here' }).click(),
    ]);
    expect(await page.locator('.sentence-head').textContent()).toContain('2 of 13 reviewed');
    expect(await page.locator('.sentence-head progress').getAttribute('value')).toBe('2');
    expect(h.t.store.annotation(h.articleId, h.annotatorId).reviewed).toEqual([0, 1]);

    // A refused tag (an exact duplicate) comes back with a message, and what was typed stays.
    const tagWords = async (note: string) => {
      await page.getByLabel('First word').selectOption('0');
      await page.getByLabel('Last word').selectOption('1');
      await page.getByLabel('Salience by placement / repetition').check();
      await page.getByLabel('Note').fill(note);
      await page.getByRole('button', { name: 'Save tag' }).click();
      await page.waitForLoadState();
    };
    await tagWords('first');
    expect(storedTags(h)).toHaveLength(1);
    await tagWords('kept');
    expect(await page.getByRole('alert').textContent()).toContain('already tagged exactly this span');
    expect(await page.getByLabel('Note').inputValue()).toBe('kept');
    expect(await page.getByLabel('Salience by placement / repetition').isChecked()).toBe(true);
    expect(storedTags(h)).toHaveLength(1);
    expect(problems.filter((p) => !p.includes('status of 409'))).toEqual([]);
  });

  test('undo as a button, quotation marks by the toggle, Back after a delete, a stale delete', { timeout: TIMEOUT }, async () => {
    if (!annotator) throw new Error('the sign-in test did not run');
    const { page, problems } = await pageWith(h, annotator, noScript);
    await page.goto(sentencePath(h, 3));
    // Key hints are only where keys work: not without the script.
    expect(await page.locator('.key-hint').first().isVisible()).toBe(false);
    // 'core principles' with its quotation marks.
    const core = await page.locator('#sentence .word').evaluateAll((els) => els.findIndex((e) => e.textContent === 'core'));
    await page.getByLabel('First word').selectOption(String(core));
    await page.getByLabel('Last word').selectOption(String(core + 1));
    await page.getByLabel('Include the quotation marks').check();
    await page.getByLabel('Distancing quotes').check();
    await Promise.all([page.waitForURL(/saved=/), page.getByRole('button', { name: 'Save tag' }).click()]);
    const text = h.t.store.article(h.articleId)?.text ?? '';
    const onThree = () => storedTags(h).filter((t) => t.sentence === 2 && t.category === 'scare-quotes');
    expect(onThree().map((t) => text.slice(t.start, t.end))).toEqual(["'core principles'"]);
    expect(await page.locator('#sentence .tag.c-scare-quotes').allTextContents()).toEqual(["'", 'core', ' ', 'principles', "'"]);
    // Undo, a form button: the tag is gone; Redo brings it back.
    await Promise.all([page.waitForURL(/done=/), page.locator('#announce').getByRole('button', { name: 'Undo' }).click()]);
    expect(onThree()).toEqual([]);
    expect(await page.locator('#announce').textContent()).toContain('Undone:');
    await Promise.all([page.waitForURL(/saved=/), page.locator('#announce').getByRole('button', { name: 'Redo' }).click()]);
    expect(onThree()).toHaveLength(1);
    const id = onThree()[0]?.id ?? '';

    // Delete, then Back: the page is fetched again (no-store) and the tag is not there.
    await Promise.all([page.waitForURL((url) => !url.searchParams.has('saved')), page.locator(`#tag-${id}`).getByRole('button', { name: 'Delete' }).click()]);
    expect(onThree()).toEqual([]);
    await page.goBack();
    await page.waitForLoadState();
    expect(await page.locator(`#tag-${id}`).count()).toBe(0);
    expect(await page.locator(`[data-tag="${id}"]`).count()).toBe(0);

    // The page before the delete no longer offers to undo an older change; the one after it does.
    expect(await page.locator('#announce').getByRole('button').count()).toBe(0);
    await page.goForward();
    expect(await page.locator('#announce').textContent()).toContain('Deleted: Distancing quotes');
    // A page from before the delete (another tab): its Delete ends on the sentence, with a note.
    await Promise.all([page.waitForURL(/saved=/), page.locator('#announce').getByRole('button', { name: 'Undo' }).click()]);
    expect(onThree().map((t) => t.id)).toEqual([id]);
    const tab = await page.context().newPage();
    await tab.goto(sentencePath(h, 3));
    await Promise.all([page.waitForURL((url) => !url.searchParams.has('saved')), page.locator(`#tag-${id}`).getByRole('button', { name: 'Delete' }).click()]);
    await Promise.all([tab.waitForURL(/delete$/), tab.locator(`#tag-${id}`).getByRole('button', { name: 'Delete' }).click()]);
    expect(await tab.getByRole('alert').textContent()).toContain('already deleted');
    expect(await tab.locator('h1').textContent()).toBe('Sentence 3 of 13');
    expect(await tab.locator(`#tag-${id}`).count()).toBe(0);
    expect(problems.filter((p) => !p.includes('404'))).toEqual([]);
  });

  test('axe-core finds no serious or critical violation on the sentence page without the script', { timeout: TIMEOUT * 2 }, async () => {
    if (!annotator) throw new Error('the sign-in test did not run');
    // axe itself runs in the page's JavaScript engine, so here "without JavaScript" means the app's
    // scripts are not loaded: the page is exactly what a browser without them shows.
    const context = await h.context({ storageState: annotator });
    await context.route('**/public/js/**', (route) => route.abort());
    const page = await context.newPage();
    const check = async (state: string) => expect(await violations(page), state).toEqual([]);
    await page.goto(sentencePath(h, 9));
    expect(await page.locator('html').getAttribute('class')).toBeNull();
    await check('fresh');
    const tagIt = async () => {
      await page.getByLabel('First word').selectOption('0');
      await page.getByLabel('Last word').selectOption('0');
      await page.getByLabel('Hedge / doubt marker').check();
      await page.getByRole('button', { name: 'Save tag' }).click();
      await page.waitForLoadState();
    };
    await tagIt();
    await check('announcement');
    await tagIt();
    expect(await page.getByRole('alert').textContent()).toContain('already tagged');
    await check('error');
    await page.goto(sentencePath(h, 9));
    await page.locator('ul.tags li').first().getByRole('link', { name: 'Edit' }).click();
    await page.waitForURL(/edit=/);
    await check('editing');
  });

  test('a researcher imports an article and reads the article and summary pages', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await signedInPage(h, RESEARCHER, noScript);
    await page.getByRole('link', { name: 'Demo: NATO–Russia talks' }).click();
    await page.getByRole('link', { name: 'Import an article' }).click();
    await page.getByLabel('Title').fill('Talks end without a deal');
    await page.getByLabel('Source (outlet)').fill('Example News');
    await page.getByLabel('Text', { exact: true }).fill(
      'Example News\nThe talks ended on Friday without a deal. Officials said more meetings would follow.\nPost a Comment',
    );
    await page.getByRole('button', { name: 'Show the sentences' }).click();
    await page.waitForURL(`**/projects/${h.projectId}/articles/preview`);
    expect(await page.getByRole('heading', { name: 'Check the sentences' }).count()).toBe(1);
    const lines = page.locator('ol.preview li');
    expect(await lines.count()).toBeGreaterThanOrEqual(3);
    const texts = await page.locator('ol.preview .sentence-text').allTextContents();
    expect(texts).toContain('The talks ended on Friday without a deal.');
    // Leave out the outlet's name and the blog furniture, keep the two real sentences.
    for (const [i, t] of texts.entries()) {
      const box = lines.nth(i).getByRole('checkbox');
      if (t === 'Example News' || t === 'Post a Comment') await box.check();
      else await box.uncheck();
    }
    await page.getByRole('button', { name: 'Save the article' }).click();
    await page.waitForURL(/\/articles\/[A-Za-z0-9_-]+$/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Talks end without a deal');
    expect(await page.locator('.meta').textContent()).toContain('2 sentences');
    const imported = h.t.store.articles(h.projectId).find((a) => a.title === 'Talks end without a deal');
    expect(imported?.sentences).toHaveLength(2);
    // Its first sentence opens for tagging.
    await page.getByRole('link', { name: 'Start tagging' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Sentence 1 of 2');

    // The demo article's page and the project's summary.
    await page.goto(`/articles/${h.articleId}`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Russian and NATO officials hold talks in Brussels');
    expect(await page.locator('.article-text a.sentence').count()).toBe(13);
    await page.goto(`/projects/${h.projectId}`);
    await page.getByRole('link', { name: 'Summary per category' }).click();
    await page.waitForURL(`**/projects/${h.projectId}/summary`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Summary per category');
    // The filter form works without script too.
    await page.getByLabel('Article').selectOption({ label: 'Talks end without a deal' });
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/article=/);
    expect(await page.getByLabel('Article').inputValue()).toBe(imported?.id);
    expect(problems).toEqual([]);
  });
});
