// The annotation core: tag a span by its first and last word, see it listed and highlighted,
// edit it, delete it, mark sentences reviewed; every refused tag leaves the stored files as they were.
// Also blind annotation (who sees whose tags) and persistence across a restart.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { onJsonFolder, signIn, storedText, type Agent } from '../helpers/app.js';
import {
  PAYLOADS,
  addAnnotator,
  escapeHtml,
  expectCsp,
  expectError,
  expectEscaped,
  expectPage,
  importArticle,
  redirectId,
  refused,
  savedTagId,
  tag,
  tagForm,
  textOf,
  world,
  type Member,
  type World,
} from '../helpers/forms.js';
import type { Tag } from '../../server/core/model.js';

// Sentence 1 words: The(0) regime(1) allegedly(2) crushed(3) the(4) peaceful(5) protest(6).
const TEXT = [
  'The regime allegedly crushed the peaceful protest.',
  'Officials said the economy is booming.',
  'By Jane Doe',
  'Critics say the reform is a disaster.',
].join('\n');

let w: World;
let anna: Member;
let ben: Member;
beforeAll(async () => {
  w = await world();
  anna = await addAnnotator(w, 'anna');
  ben = await addAnnotator(w, 'ben');
});
afterAll(async () => {
  await w.t.cleanup();
});

/** A fresh article in the demo project (every annotator is assigned: mode "all"). */
const newArticle = (title = 'Protest report', projectId = w.projectId) =>
  importArticle(w.researcher, projectId, { title, text: TEXT, exclude: ['2'] });

const tagsOf = async (articleId: string, annotatorId: string): Promise<Tag[]> => (await w.t.store.readAnnotation(articleId, annotatorId)).tags;

/**
 * The annotation as stored, where a restart (or another server) reads it: the tag file, its
 * format version checked, or the database's rows.
 */
async function storedAnnotation(articleId: string, annotatorId: string): Promise<{ tags: Tag[]; reviewed: number[] }> {
  if (!onJsonFolder) return w.t.store.readAnnotation(articleId, annotatorId);
  const file = JSON.parse(await storedText(w.t.dataDir, join('tags', articleId, `${annotatorId}.json`))) as { schemaVersion: number; data: { tags: Tag[]; reviewed: number[] } };
  expect(file.schemaVersion).toBe(1);
  return file.data;
}

const sentenceUrl = (articleId: string, n: number) => `/articles/${articleId}/sentences/${n}`;

describe('tagging a sentence', () => {
  it('stores a tag from word indexes, lists it and highlights it', async () => {
    const id = await newArticle();
    const res = await tag(anna, id, 1, { first: 2, last: 2, category: 'hedge', intensity: '2', note: 'casts doubt' });
    const tagId = savedTagId(res);
    // Back to the sentence itself (its anchor), not the tag list, with the change to announce.
    expect(res.headers.location).toMatch(new RegExp(`^${sentenceUrl(id, 1)}\\?saved=${tagId}&done=[A-Za-z0-9_-]+#sentence$`));

    const [stored] = await tagsOf(id, anna.id);
    expect(stored).toMatchObject({ id: tagId, articleId: id, annotatorId: anna.id, sentence: 0, category: 'hedge', voice: 'author', intensity: 2, note: 'casts doubt' });
    expect(TEXT.slice(stored?.start, stored?.end)).toBe('allegedly');
    expect((await storedAnnotation(id, anna.id)).tags).toEqual([stored]);

    const page = expectPage(await anna.get(String(res.headers.location)));
    expect(page).toContain(`<li id="tag-${tagId}" class="saved">`);
    expect(textOf(page)).toContain('Hedge / doubt marker: “allegedly” Author · intensity 2 casts doubt');
    expect(page).toMatch(new RegExp(`<span class="tag c-hedge layer-0[^"]*" data-tag="${tagId}"><span class="word" data-word="2">allegedly</span></span>`));
    // Tagging a sentence counts it as reviewed.
    expect(textOf(page)).toContain('1 of 3 reviewed');
    expect(expectPage(await anna.get(`/articles/${id}`))).toMatch(new RegExp(`class="tag c-hedge layer-0" data-tag="${tagId}">allegedly</span>`));
  });

  it('takes the words in either order and spans several words', async () => {
    const id = await newArticle();
    const tagId = savedTagId(await tag(anna, id, 1, { first: 3, last: 1, category: 'loaded-language', voice: 'paraphrase' }));
    const [stored] = await tagsOf(id, anna.id);
    expect(stored?.id).toBe(tagId);
    expect(TEXT.slice(stored?.start, stored?.end)).toBe('regime allegedly crushed');
    expect(stored).toMatchObject({ voice: 'paraphrase', intensity: null, note: '' });
    expect(textOf(expectPage(await anna.get(sentenceUrl(id, 1))))).toContain('“regime allegedly crushed” Paraphrase');
  });

  it('edits a tag: span, category, voice, intensity and note', async () => {
    const id = await newArticle();
    const tagId = savedTagId(await tag(anna, id, 1, { first: 2, last: 2, category: 'hedge', note: 'first thought' }));
    const created = (await tagsOf(id, anna.id))[0];

    const form = expectPage(await anna.get(`${sentenceUrl(id, 1)}?edit=${tagId}`));
    expect(form).toContain('<h2>Edit tag</h2>');
    expect(form).toContain(`action="${sentenceUrl(id, 1)}/tags/${tagId}"`);
    expect(form).toContain('>first thought</textarea>');
    expect(form).toMatch(/id="cat-hedge" value="hedge" data-key="h" required checked/);

    const res = await anna.post(
      `${sentenceUrl(id, 1)}/tags/${tagId}`,
      tagForm({ first: 4, last: 5, category: 'loaded-language', voice: 'quoted', intensity: '3', note: 'second thought' }),
    );
    expect(savedTagId(res)).toBe(tagId);
    const edited = await tagsOf(id, anna.id);
    expect(edited).toHaveLength(1);
    expect(edited[0]).toMatchObject({ id: tagId, category: 'loaded-language', voice: 'quoted', intensity: 3, note: 'second thought', createdAt: created?.createdAt });
    expect(TEXT.slice(edited[0]?.start, edited[0]?.end)).toBe('the peaceful');
    expect((await storedAnnotation(id, anna.id)).tags).toEqual(edited);

    const page = textOf(expectPage(await anna.get(sentenceUrl(id, 1))));
    expect(page).toContain('Evaluative / intensifying wording: “the peaceful” Quoted source · intensity 3 second thought');
    expect(page).not.toContain('first thought');

    // Clearing the intensity stores null.
    await anna.post(`${sentenceUrl(id, 1)}/tags/${tagId}`, tagForm({ first: 4, last: 5, category: 'loaded-language', intensity: '' }));
    expect((await tagsOf(id, anna.id))[0]?.intensity).toBeNull();
  });

  it('deletes a tag', async () => {
    const id = await newArticle();
    const keep = savedTagId(await tag(anna, id, 1, { first: 1, last: 1, category: 'loaded-label' }));
    const drop = savedTagId(await tag(anna, id, 1, { first: 2, last: 2, category: 'hedge' }));
    const res = await anna.post(`${sentenceUrl(id, 1)}/tags/${drop}/delete`, {});
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(new RegExp(`^${sentenceUrl(id, 1)}\\?done=[A-Za-z0-9_-]+#sentence$`));
    expect((await tagsOf(id, anna.id)).map((t) => t.id)).toEqual([keep]);
    expect((await storedAnnotation(id, anna.id)).tags.map((t) => t.id)).toEqual([keep]);
    const page = expectPage(await anna.get(sentenceUrl(id, 1)));
    expect(page).not.toContain(`data-tag="${drop}"`);
    expect(page).toContain(`data-tag="${keep}"`);
    // Deleting it again (a stale page, another tab): the sentence page with a note, not a dead end.
    const again = await refused(w.t, () => anna.post(`${sentenceUrl(id, 1)}/tags/${drop}/delete`, {}));
    expectError(again, 404, 'That tag is no longer on this sentence: it was already deleted');
    expect(again.text).toContain('id="sentence"');
    expect(again.text).toContain(`data-tag="${keep}"`);
  });

  it('accepts overlapping spans and two categories on one span', async () => {
    const id = await newArticle();
    const a = savedTagId(await tag(anna, id, 1, { first: 1, last: 3, category: 'hedge' }));
    const b = savedTagId(await tag(anna, id, 1, { first: 2, last: 5, category: 'loaded-language' }));
    const c = savedTagId(await tag(anna, id, 1, { first: 1, last: 3, category: 'loaded-label' }));
    expect(new Set([a, b, c]).size).toBe(3);
    const tags = await tagsOf(id, anna.id);
    expect(tags.map((t) => [TEXT.slice(t.start, t.end), t.category])).toEqual([
      ['regime allegedly crushed', 'hedge'],
      ['allegedly crushed the peaceful', 'loaded-language'],
      ['regime allegedly crushed', 'loaded-label'],
    ]);
    const page = expectPage(await anna.get(sentenceUrl(id, 1)));
    for (const t of [a, b, c]) expect(page).toContain(`<li id="tag-${t}"`);
    // "allegedly" lies under all three: three nested highlight layers.
    expect(page).toMatch(/class="tag c-[a-z-]+ layer-2/);
    const article = expectPage(await anna.get(`/articles/${id}`));
    for (const category of ['hedge', 'loaded-language', 'loaded-label']) expect(article).toContain(`class="tag c-${category} `);
  });

  it('refuses an exact duplicate with 409 and a message, changing nothing', async () => {
    const id = await newArticle();
    const original = savedTagId(await tag(anna, id, 1, { first: 1, last: 3, category: 'hedge' }));
    const note = 'my second try';
    // Same span (words given the other way round) and same category; voice and note differ.
    const res = await refused(w.t, () => tag(anna, id, 1, { first: 3, last: 1, category: 'hedge', voice: 'quoted', note }));
    expect(res.status).toBe(409);
    const html = expectPage(res, 409);
    expect(textOf(html)).toContain('You already tagged exactly this span with this category.');
    // The form comes back with what the annotator typed.
    expect(html).toContain(`>${note}</textarea>`);
    expect((await tagsOf(id, anna.id)).map((t) => t.id)).toEqual([original]);

    // Editing another tag into a duplicate is refused the same way.
    const other = savedTagId(await tag(anna, id, 1, { first: 1, last: 3, category: 'loaded-label' }));
    const edit = await refused(w.t, () =>
      anna.post(`${sentenceUrl(id, 1)}/tags/${other}`, tagForm({ first: 1, last: 3, category: 'hedge' })),
    );
    expect(edit.status).toBe(409);
    // Another annotator may tag the very same span and category.
    expect((await tag(ben, id, 1, { first: 1, last: 3, category: 'hedge' })).status).toBe(303);
  });
});

describe('reviewed — nothing to tag', () => {
  it('marks and un-marks a sentence, and progress counts it', async () => {
    const id = await newArticle();
    const marked = await anna.post(`${sentenceUrl(id, 2)}/reviewed`, { reviewed: '1' });
    expect(marked.status).toBe(303);
    expect(marked.headers.location).toBe(`${sentenceUrl(id, 3)}#sentence`);
    expect((await w.t.store.readAnnotation(id, anna.id)).reviewed).toEqual([1]);
    expect((await storedAnnotation(id, anna.id)).reviewed).toEqual([1]);

    const page = textOf(expectPage(await anna.get(sentenceUrl(id, 2))));
    expect(page).toContain('1 of 3 reviewed · this one is reviewed');
    expect(page).toContain('Undo “reviewed”');
    expect(textOf(expectPage(await anna.get(`/articles/${id}`)))).toContain('1 of 3 reviewed');
    // Continue from the first sentence not yet reviewed.
    expect(expectPage(await anna.get(`/articles/${id}`))).toContain(`href="${sentenceUrl(id, 1)}">Continue tagging</a>`);

    // The last sentence stays put after marking.
    expect((await anna.post(`${sentenceUrl(id, 3)}/reviewed`, { reviewed: '1' })).headers.location).toBe(`${sentenceUrl(id, 3)}#sentence`);
    expect((await w.t.store.readAnnotation(id, anna.id)).reviewed).toEqual([1, 2]);

    const undone = await anna.post(`${sentenceUrl(id, 2)}/reviewed`, { reviewed: '0' });
    expect(undone.status).toBe(303);
    expect(undone.headers.location).toBe(`${sentenceUrl(id, 2)}#sentence`);
    expect((await w.t.store.readAnnotation(id, anna.id)).reviewed).toEqual([2]);
    expect(textOf(expectPage(await anna.get(sentenceUrl(id, 2))))).toContain('1 of 3 reviewed');
    expect(textOf((await anna.get(sentenceUrl(id, 2))).text)).toContain('Reviewed — nothing to tag here');
  });

  it('refuses to un-mark a sentence that has tags (409) and a bad value (400)', async () => {
    const id = await newArticle();
    await tag(anna, id, 1, { first: 2, last: 2, category: 'hedge' });
    const res = await refused(w.t, () => anna.post(`${sentenceUrl(id, 1)}/reviewed`, { reviewed: '0' }));
    expect(res.status).toBe(409);
    expect(textOf(expectPage(res, 409))).toContain('A sentence with tags counts as reviewed; delete its tags first.');
    expectError(await refused(w.t, () => anna.post(`${sentenceUrl(id, 1)}/reviewed`, { reviewed: 'yes' })), 400, 'reviewed');
    expectError(await refused(w.t, () => anna.post(`${sentenceUrl(id, 1)}/reviewed`, {})), 400, 'reviewed');
  });
});

describe('refused tags change nothing', () => {
  let id = '';
  let annasTag = '';
  beforeAll(async () => {
    id = await newArticle('Refusals');
    annasTag = savedTagId(await tag(anna, id, 1, { first: 2, last: 2, category: 'hedge' }));
  });

  const base = { first: '1', last: '2', category: 'hedge', voice: 'author', intensity: '', note: '' };
  it.each([
    ['a first word beyond the sentence', { first: '99' }, 400, 'Choose the first and last word of the span from the sentence.'],
    ['a last word just past the end', { last: '7' }, 400, 'Choose the first and last word of the span from the sentence.'],
    ['a negative word index', { first: '-1' }, 400, 'First word must be 0 or more.'],
    ['a non-numeric word index', { last: 'two' }, 400, 'Last word must be a whole number.'],
    ['an unknown category', { category: 'nope' }, 400, 'Choose a category from the codebook.'],
    ['a category from another codebook', { category: 'name-calling' }, 400, 'Choose a category from the codebook.'],
    ['no category', { category: undefined }, 400, 'Choose a category.'],
    ['a bad voice', { voice: 'narrator' }, 400, 'Voice must be one of the choices offered.'],
    ['an intensity of 4', { intensity: '4' }, 400, 'Intensity must be one of the choices offered.'],
    ['a note over 2000 characters', { note: 'n'.repeat(2001) }, 400, 'Note may be at most 2,000 characters long.'],
    ['an annotatorId field', { annotatorId: 'someone-else' }, 400, 'Unexpected field(s): annotatorId.'],
    ['a role field', { role: 'researcher' }, 400, 'Unexpected field(s): role.'],
  ])('refuses %s', async (_name, change, status, message) => {
    const form: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...base, ...change })) if (v !== undefined) form[k] = v;
    const res = await refused(w.t, () => anna.post(`${sentenceUrl(id, 1)}/tags`, form));
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expectCsp(res);
    expect(textOf(res.text)).toContain(message);
    // Editing with the same fields is refused the same way.
    const edit = await refused(w.t, () => anna.post(`${sentenceUrl(id, 1)}/tags/${annasTag}`, form));
    expect(edit.status).toBe(status);
    expect(textOf(edit.text)).toContain(message);
  });

  it.each([
    ['0', 400, 'Invalid sentence number.'],
    ['4', 404, 'Sentence not found.'],
    ['999999', 404, 'Sentence not found.'],
    ['abc', 400, 'Invalid sentence number.'],
    ['1.5', 400, 'Invalid sentence number.'],
    ['-1', 400, 'Invalid sentence number.'],
  ])('answers sentence number %s with %i', async (n, status, message) => {
    expectError(await anna.get(`/articles/${id}/sentences/${n}`), status, message);
    expectError(await refused(w.t, () => anna.post(`/articles/${id}/sentences/${n}/tags`, base)), status, message);
    expectError(await refused(w.t, () => anna.post(`/articles/${id}/sentences/${n}/reviewed`, { reviewed: '1' })), status, message);
  });

  it('answers 404 for an unknown article', async () => {
    expectError(await anna.get('/articles/unknownArticle/sentences/1'), 404, 'Article not found.');
    expectError(await refused(w.t, () => anna.post('/articles/unknownArticle/sentences/1/tags', base)), 404, 'Article not found.');
  });

  it("answers 404 when editing or deleting another annotator's tag, or a tag on another sentence", async () => {
    // Someone else's tag is answered exactly like one that is gone: not on this user's sentence.
    const gone = 'That tag is no longer on this sentence';
    const edit = () => ben.post(`${sentenceUrl(id, 1)}/tags/${annasTag}`, { ...base, note: 'hijacked' });
    const hijack = await refused(w.t, edit);
    expectError(hijack, 404, gone);
    // The refused edit keeps what was typed, in a form that would add it as Ben's own tag.
    expect(hijack.text).toContain('>hijacked</textarea>');
    expect(hijack.text).toContain(`action="${sentenceUrl(id, 1)}/tags"`);
    expectError(await refused(w.t, () => ben.post(`${sentenceUrl(id, 1)}/tags/${annasTag}/delete`, {})), 404, gone);
    // The researcher cannot change an annotator's tag either.
    expectError(await refused(w.t, () => w.researcher.post(`${sentenceUrl(id, 1)}/tags/${annasTag}/delete`, {})), 404, gone);
    // Anna's own tag, addressed through the wrong sentence.
    expectError(await refused(w.t, () => anna.post(`${sentenceUrl(id, 2)}/tags/${annasTag}/delete`, {})), 404, gone);
    expectError(await refused(w.t, () => anna.post(`${sentenceUrl(id, 1)}/tags/noSuchTag`, base)), 404, gone);
    expectError(await refused(w.t, () => anna.post(`${sentenceUrl(id, 1)}/tags/bad.id/delete`, {})), 400, 'Invalid tagId.');
    // Ben's edit page does not offer Anna's tag.
    expect(expectPage(await ben.get(`${sentenceUrl(id, 1)}?edit=${annasTag}`))).toContain('<h2>Add a tag</h2>');
    expect((await tagsOf(id, anna.id))[0]?.note).toBe('');
  });

  it('refuses an unknown field when deleting', async () => {
    expectError(await refused(w.t, () => anna.post(`${sentenceUrl(id, 1)}/tags/${annasTag}/delete`, { annotatorId: ben.id })), 400, 'Unexpected field(s): annotatorId.');
  });
});

describe('blind annotation', () => {
  it("hides other annotators' tags until the researcher opens the project", async () => {
    // A project of its own, so opening it does not affect the other tests.
    const created = await w.researcher.post('/projects', { name: 'Blind study', description: '', codebookId: 'framing' });
    const projectId = redirectId(created, '/projects');
    for (const name of ['anna', 'ben']) {
      expect((await w.researcher.post(`/projects/${projectId}/members`, { name, role: 'annotator' })).status).toBe(303);
    }
    const id = await newArticle('Blind article', projectId);
    const annasTag = savedTagId(await tag(anna, id, 1, { first: 2, last: 2, category: 'hedge', note: 'note by anna' }));
    const bensTag = savedTagId(await tag(ben, id, 1, { first: 1, last: 1, category: 'loaded-label', note: 'note by ben' }));

    const sees = async (agent: Agent, tagId: string, note: string) => {
      const sentence = await agent.get(sentenceUrl(id, 1));
      const article = await agent.get(`/articles/${id}`);
      const summary = await agent.get(`/projects/${projectId}/summary`);
      const html = [expectPage(sentence), expectPage(article), expectPage(summary)];
      return {
        sentence: html[0]?.includes(`data-tag="${tagId}"`) || textOf(html[0] ?? '').includes(note),
        article: html[1]?.includes(`data-tag="${tagId}"`),
        summary: html[2] ?? '',
      };
    };

    // Blind: each annotator sees only their own, everywhere.
    const annaSeesBen = await sees(anna, bensTag, 'note by ben');
    expect(annaSeesBen.sentence).toBe(false);
    expect(annaSeesBen.article).toBe(false);
    expect(annaSeesBen.summary).toContain('Blind annotation: this summary counts only your own tags.');
    expect(annaSeesBen.summary).not.toContain('“regime”');
    expect(annaSeesBen.summary).toContain('“allegedly”');
    expect(annaSeesBen.summary).not.toContain(`value="${ben.id}"`);
    expect(textOf(expectPage(await anna.get(sentenceUrl(id, 1))))).not.toContain('Other annotators’ tags');
    expect((await sees(ben, annasTag, 'note by anna')).sentence).toBe(false);
    // The summary CSV is blind too.
    const annaCsv = (await anna.get(`/projects/${projectId}/summary.csv`)).text;
    expect(annaCsv).toContain('allegedly');
    expect(annaCsv).not.toContain('regime');

    // The researcher sees both.
    const researcherSentence = textOf(expectPage(await w.researcher.get(sentenceUrl(id, 1))));
    expect(researcherSentence).toContain('Other annotators’ tags');
    expect(researcherSentence).toContain('Hedge / doubt marker: “allegedly” by anna note by anna');
    expect(researcherSentence).toContain('Loaded label / name: “regime” by ben note by ben');
    const researcherArticle = expectPage(await w.researcher.get(`/articles/${id}`));
    expect(researcherArticle).toContain(`data-tag="${annasTag}"`);
    expect(researcherArticle).toContain(`data-tag="${bensTag}"`);
    const researcherSummary = expectPage(await w.researcher.get(`/projects/${projectId}/summary`));
    expect(researcherSummary).toContain('“allegedly”');
    expect(researcherSummary).toContain('“regime”');

    // The researcher opens the project: now Anna sees Ben's tags (but still cannot change them).
    const opened = await w.researcher.post(`/projects/${projectId}/settings`, { description: '', codebookId: 'framing', mode: 'all', perArticle: '2', open: '1' });
    expect(opened.status).toBe(303);
    expect(w.t.store.projects.data.data.projects.find((p) => p.id === projectId)?.open).toBe(true);
    const annaSeesBenNow = await sees(anna, bensTag, 'note by ben');
    expect(annaSeesBenNow.sentence).toBe(true);
    expect(annaSeesBenNow.article).toBe(true);
    expect(annaSeesBenNow.summary).toContain('“regime”');
    expect(annaSeesBenNow.summary).not.toContain('Blind annotation');
    expect(textOf(expectPage(await anna.get(sentenceUrl(id, 1))))).toContain('Loaded label / name: “regime” by ben note by ben');
    expectError(await refused(w.t, () => anna.post(`${sentenceUrl(id, 1)}/tags/${bensTag}/delete`, {})), 404, 'That tag is no longer on this sentence');

    // Closing it again makes it blind again.
    await w.researcher.post(`/projects/${projectId}/settings`, { description: '', codebookId: 'framing', mode: 'all', perArticle: '2' });
    expect((await sees(anna, bensTag, 'note by ben')).sentence).toBe(false);
  });
});

describe('persistence', () => {
  it('keeps tags and reviewed sentences when the study is opened by a fresh app', async () => {
    const id = await newArticle('Persistent');
    const tagId = savedTagId(await tag(anna, id, 1, { first: 2, last: 3, category: 'hedge', voice: 'quoted', intensity: '1', note: 'kept' }));
    await anna.post(`${sentenceUrl(id, 2)}/reviewed`, { reviewed: '1' });
    const before = await w.t.store.readAnnotation(id, anna.id);

    const again = await w.t.reopen();
    onTestFinished(() => again.cleanup());
    expect(await again.store.readAnnotation(id, anna.id)).toEqual(before);
    const annaAgain = await signIn(again.app, 'anna');
    const page = expectPage(await annaAgain.get(sentenceUrl(id, 1)));
    expect(page).toContain(`data-tag="${tagId}"`);
    expect(textOf(page)).toContain('Hedge / doubt marker: “allegedly crushed” Quoted source · intensity 1 kept');
    expect(textOf(page)).toContain('2 of 3 reviewed');
    // And work continues on the reopened data.
    expect((await tag(annaAgain, id, 1, { first: 1, last: 1, category: 'loaded-label' })).status).toBe(303);
    expect((await again.store.readAnnotation(id, anna.id)).tags).toHaveLength(2);
  });
});

describe('notes are shown escaped', () => {
  it('escapes a tag note in the list, the edit form, other annotators’ view and a re-rendered form', async () => {
    const id = await newArticle('Notes');
    for (const payload of PAYLOADS) {
      const tagId = savedTagId(await tag(anna, id, 1, { first: 0, last: 6, category: 'emphasis', note: `note ${payload}`, voice: 'author' }));
      expectEscaped(expectPage(await anna.get(sentenceUrl(id, 1))), `note ${payload}`);
      expectEscaped(expectPage(await anna.get(`${sentenceUrl(id, 1)}?edit=${tagId}`)), `note ${payload}`);
      expectEscaped(expectPage(await w.researcher.get(sentenceUrl(id, 1))), `note ${payload}`);
      // A refused duplicate shows the typed note again, escaped.
      const again = await tag(anna, id, 1, { first: 0, last: 6, category: 'emphasis', note: `again ${payload}` });
      expect(again.status).toBe(409);
      expectEscaped(again.text, `again ${payload}`);
      await anna.post(`${sentenceUrl(id, 1)}/tags/${tagId}/delete`, {});
    }
    expect(escapeHtml(PAYLOADS[1])).toBe('&#34;&gt;&lt;svg onload=alert(1)&gt;');
  });
});
