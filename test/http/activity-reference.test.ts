// The teacher's reference forms without JavaScript: a refused form comes back on the sentence
// with what was chosen and typed kept, a plain message by each field at fault (never a zod path)
// and a status that says why; nothing stored changes. Add, edit, delete and undo; an ended
// activity's sentence comes back read only with the reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type request from 'supertest';
import { addUser, signIn, type Agent } from '../helpers/app.js';
import { PAYLOADS, expectEscaped, expectFormError, expectPage, refused, textOf, world, type World } from '../helpers/forms.js';
import type { Activity } from '../../server/storage/activity-schemas.js';
import { LIMITS } from '../../server/storage/activity-schemas.js';

let w: World;
let teacher: Agent;
let activityId = '';
beforeAll(async () => {
  w = await world();
  await addUser(w.t, 'tess', 'teacher');
  teacher = await signIn(w.t.app, 'tess');
  const made = await teacher.post('/activities', {
    from: 'text',
    title: 'Forms',
    articleTitle: 'Talks',
    source: 'Daily',
    text: 'Officials allegedly held secret talks.\nThe regime crushed peaceful protests.',
    codebookId: 'starter',
  });
  expect(made.status).toBe(303);
  activityId = w.t.activities.activities().find((a) => a.title === 'Forms')?.id ?? '';
  expect(activityId).not.toBe('');
});
afterAll(async () => {
  await w.t.cleanup();
});

const activity = (): Activity => {
  const a = w.t.activities.activity(activityId);
  if (!a) throw new Error('no activity');
  return a;
};
const url = () => `/activities/${activityId}/reference/1`;
// Sentence 1's words: Officials(0) allegedly(1) held(2) secret(3) talks(4).
const good = { first: '1', last: '1', category: 'hedge', voice: 'author', rationale: 'A doubt word: the writer keeps a distance.' };

/** The option chosen in a select, the radio ticked, the textarea's text, on a page sent back. */
const chosen = (html: string, name: string) => /<option value="([^"]*)" selected>/.exec(html.split(`name="${name}"`)[1] ?? '')?.[1];
const ticked = (html: string, name: string) => new RegExp(`name="${name}"[^>]*value="([^"]*)"[^>]*checked`).exec(html)?.[1];
const typed = (html: string, name: string) => textOf(new RegExp(`<textarea[^>]*name="${name}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html)?.[1] ?? '');

describe('adding a reference tag', () => {
  it('without a category: 400, “Choose a category.” by the categories, the span, voice and rationale kept', async () => {
    const { category: _none, ...rest } = good;
    const res = await refused(w.t, () => teacher.post(`${url()}/tags`, { ...rest, last: '2', voice: 'quoted' }));
    const html = expectFormError(res, 400, 'categories', 'Choose a category.');
    expect(html).toContain('aria-describedby="categories-error"');
    expect(chosen(html, 'first')).toBe('1');
    expect(chosen(html, 'last')).toBe('2');
    expect(ticked(html, 'voice')).toBe('quoted');
    expect(typed(html, 'rationale')).toBe(good.rationale);
    // Plain words, not the schema's: no field names, no "Invalid input".
    expect(textOf(html)).not.toMatch(/category:|Invalid input|expected string/);
    expect(activity().reference).toEqual([]);
  });

  it('with a category not in the codebook: 400, by the categories', async () => {
    const res = await refused(w.t, () => teacher.post(`${url()}/tags`, { ...good, category: 'no-such-category' }));
    expectFormError(res, 400, 'categories', 'Choose a category from the codebook.');
  });

  it('without a rationale: 400, “Write a rationale” by the rationale, the category kept', async () => {
    const res = await refused(w.t, () => teacher.post(`${url()}/tags`, { ...good, rationale: '   ' }));
    const html = expectFormError(res, 400, 'rationale', 'Write a rationale: one or two sentences students read after the reveal.');
    expect(html).toMatch(/<textarea id="rationale"[^>]* aria-invalid="true" aria-describedby="rationale-error"/);
    expect(html).toMatch(/id="cat-hedge" value="hedge"[^>]* checked/);
  });

  it('with a rationale over the limit: 400, the limit in plain words', async () => {
    const res = await refused(w.t, () => teacher.post(`${url()}/tags`, { ...good, rationale: 'x'.repeat(LIMITS.rationale + 1) }));
    expectFormError(res, 400, 'rationale', `Rationale may be at most ${LIMITS.rationale.toLocaleString('en')} characters long.`);
  });

  it('with words outside the sentence: 400, by the span', async () => {
    const res = await refused(w.t, () => teacher.post(`${url()}/tags`, { ...good, last: '40' }));
    expectFormError(res, 400, 'first', 'Choose the first and last word of the span from the sentence.');
  });

  it('with several problems: one message by each field, all in the summary', async () => {
    const res = await refused(w.t, () => teacher.post(`${url()}/tags`, { first: '1', last: '1', voice: 'author', rationale: '' }));
    const html = expectFormError(res, 400, 'categories', 'Choose a category.');
    expectFormError(res, 400, 'rationale', 'Write a rationale');
    const summary = /<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0] ?? '';
    expect(summary).toContain('href="#categories"');
    expect(summary).toContain('href="#rationale"');
  });

  it('keeps what was typed escaped', async () => {
    for (const payload of PAYLOADS) {
      const res = await refused(w.t, () => teacher.post(`${url()}/tags`, { ...good, category: '', rationale: payload }));
      expectEscaped(expectFormError(res, 400, 'categories', 'Choose a category.'), payload);
    }
  });

  it('a form no page of ours sends (an unexpected field) stays a plain 400', async () => {
    const res = await refused(w.t, () => teacher.post(`${url()}/tags`, { ...good, intensity: '2' }));
    expect(res.status).toBe(400);
    expect(res.text).toContain('Unexpected field(s): intensity.');
  });

  it('a duplicate: 409 with the message beside Save, the input kept', async () => {
    expect((await teacher.post(`${url()}/tags`, good)).status).toBe(303);
    const res = await refused(w.t, () => teacher.post(`${url()}/tags`, { ...good, rationale: 'Said twice.' }));
    const html = expectPage(res, 409);
    expect(textOf(html)).toContain('The reference already has exactly this span with this category.');
    expect(typed(html, 'rationale')).toBe('Said twice.');
  });
});

describe('editing, deleting and undoing', () => {
  const stored = () => {
    const tag = activity().reference[0];
    if (!tag) throw new Error('no reference tag');
    return tag;
  };

  it('an edit without a rationale: 400, the edit form again (same tag), the stored tag unchanged', async () => {
    const before = stored();
    const res = await refused(w.t, () => teacher.post(`${url()}/tags/${before.id}`, { ...good, last: '2', rationale: '' }));
    const html = expectFormError(res, 400, 'rationale', 'Write a rationale');
    expect(html).toContain(`action="${url()}/tags/${before.id}"`);
    expect(chosen(html, 'last')).toBe('2');
    expect(stored()).toEqual(before);
  });

  it('an edit without a category: 400 by the categories', async () => {
    const before = stored();
    const { category: _none, ...rest } = good;
    expectFormError(await refused(w.t, () => teacher.post(`${url()}/tags/${before.id}`, rest)), 400, 'categories', 'Choose a category.');
    expect(stored()).toEqual(before);
  });

  it('deleting a tag that is gone: 404 on the sentence, saying nothing changed', async () => {
    const res = await refused(w.t, () => teacher.post(`${url()}/tags/AAAAAAAAAAAA/delete`, {}));
    const html = expectPage(res, 404);
    expect(html).toContain('id="tag-form"');
    expect(textOf(html)).toContain('it was already deleted, perhaps in another tab. Nothing was changed.');
  });

  it('an undo that is no longer the last change: 409 on the sentence', async () => {
    const res = await refused(w.t, () => teacher.post(`${url()}/undo`, { change: 'not-the-last' }));
    expect(textOf(expectPage(res, 409))).toContain('Nothing to undo: that change is no longer the last one on this sentence.');
  });
});

describe('after the activity ends', () => {
  let ended: request.Response;
  beforeAll(async () => {
    expect((await teacher.post(`/activities/${activityId}/end`, {})).status).toBe(303);
    ended = await refused(w.t, () => teacher.post(`${url()}/tags`, { ...good, first: '3', last: '3' }));
  });

  it('a tag sent is refused with 403 on the sentence, read only, saying why, with the way back', () => {
    const html = expectPage(ended, 403);
    expect(textOf(html)).toContain('This activity has ended: its reference can no longer be changed.');
    expect(html).not.toContain('id="tag-form"');
    expect(html).toContain(`href="/activities/${activityId}/reference"`);
  });

  it('edits and deletes too', async () => {
    const id = activity().reference[0]?.id ?? '';
    expect((await refused(w.t, () => teacher.post(`${url()}/tags/${id}`, good))).status).toBe(403);
    expect((await refused(w.t, () => teacher.post(`${url()}/tags/${id}/delete`, {}))).status).toBe(403);
  });
});
