// The sentence editor over HTTP: the script's JSON answers (what changed, drawn again), the plain
// form's redirect to the sentence, no-store, stale edits and deletes, undo and redo, spans with
// their quotation marks, and the same module behind the lesson and the reference.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type request from 'supertest';
import { addUser, csrfOf, signIn, type Agent } from '../helpers/app.js';
import { addAnnotator, expectError, expectFormError, expectPage, importArticle, refused, savedTagId, tag, tagForm, world, type Member, type World } from '../helpers/forms.js';
import type { Tag } from '../../server/core/model.js';

// Sentence 1 words: They(0) keep(1) their(2) core(3) principles(4) and(5) …
const TEXT = [`They keep their 'core principles' and (so they say) “open doors”.`, 'Officials said the economy is booming.'].join('\n');

let w: World;
let anna: Member;
let ben: Member;
let id = '';
beforeAll(async () => {
  w = await world();
  anna = await addAnnotator(w, 'anna');
  ben = await addAnnotator(w, 'ben');
  id = await importArticle(w.researcher, w.projectId, { title: 'Quotes', text: TEXT });
});
afterAll(async () => {
  await w.t.cleanup();
});

const url = (n: number) => `/articles/${id}/sentences/${n}`;
const tagsOf = async (annotatorId: string): Promise<Tag[]> => (await w.t.store.readAnnotation(id, annotatorId)).tags;
const spanText = (t: { start: number; end: number }) => TEXT.slice(t.start, t.end);

/** A POST as the script sends it: urlencoded with the session's token, asking for JSON. */
async function script(a: Agent, path: string, form: Record<string, string>): Promise<request.Response> {
  const token = await a.csrf();
  return a.agent.post(path).type('form').set('Accept', 'application/json').send({ _csrf: token, ...form });
}

interface Answer {
  url: string;
  title: string;
  /** The whole region (a sentence loaded, an edit saved, a stale action) … */
  html?: string;
  /** … or only the parts a save, delete or undo changed. */
  parts?: string;
  error: string | null;
  message: string | null;
  next?: string | null;
}
const answer = (res: request.Response): Answer => {
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  return res.body as Answer;
};
/** The HTML an answer carries, whole region or parts. */
const drawn = (a: Answer) => a.html ?? a.parts ?? '';
/** The change id of the Undo button in a region or page. */
const undoChange = (html: string) => /name="change" value="([A-Za-z0-9_-]+)"/.exec(html)?.[1] ?? '';

describe('the script’s answers', () => {
  it('a save answers with the region drawn again and what to announce, never a redirect', async () => {
    const res = await script(anna, `${url(1)}/tags`, tagForm({ first: 3, last: 4, category: 'hedge', note: 'a <b>note</b>' }));
    expect(res.status).toBe(200);
    const body = answer(res);
    const [stored] = await tagsOf(anna.id);
    expect(body.message).toBe('Saved: Hedge / doubt marker “core principles”.');
    expect(body.url).toBe(url(1));
    expect(body.title).toBe('Sentence 1 · Quotes');
    // Only what changed: the sentence, the progress, the tags, the announcement; not the form.
    const parts = body.parts ?? '';
    expect(body.html).toBeUndefined();
    expect(parts).toContain('<p class="current" id="sentence"');
    expect(parts).not.toContain('id="tag-form"');
    expect(parts).toContain(`data-tag="${stored?.id}"`);
    expect(parts).toContain(`<li id="tag-${stored?.id}" class="saved">`);
    expect(parts).toContain('a &lt;b&gt;note&lt;/b&gt;');
    expect(parts).toContain('1 of 2 reviewed · this one is reviewed');
    expect(undoChange(parts)).not.toBe('');
    // An edit sends the whole region back: the form returns to adding a tag.
    const edited = answer(await script(anna, `${url(1)}/tags/${stored?.id}`, tagForm({ first: 3, last: 4, category: 'hedge', note: 'a <b>note</b>' })));
    expect(edited.html).toMatch(/^<div id="editor"/);
    expect(edited.html).toContain('<h2>Add a tag</h2>');
    expect(res.headers.vary).toMatch(/Accept/);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('a refused save answers 409 or 400 with the message, and changes nothing', async () => {
    const duplicate = await refused(w.t, () => script(anna, `${url(1)}/tags`, tagForm({ first: 4, last: 3, category: 'hedge' })));
    expect(duplicate.status).toBe(409);
    expect(answer(duplicate).error).toBe('You already tagged exactly this span with this category.');
    const bad = await refused(w.t, () => script(anna, `${url(1)}/tags`, tagForm({ first: 3, last: 99, category: 'hedge' })));
    expect(bad.status).toBe(400);
    expect(answer(bad).error).toBe('Choose the first and last word of the span from the sentence.');
    const unknown = await refused(w.t, () => script(anna, `${url(1)}/tags`, { ...tagForm({ first: 1, last: 1, category: 'hedge' }), annotatorId: ben.id }));
    expect(unknown.status).toBe(400);
    expect(answer(unknown).error).toBe('Unexpected field(s): annotatorId.');
    // An expired token is refused as JSON too, so the script can show it.
    const forged = await anna.agent.post(`${url(1)}/tags`).type('form').set('Accept', 'application/json').send({ _csrf: 'nope', ...tagForm({ first: 1, last: 1, category: 'hedge' }) });
    expect(forged.status).toBe(403);
    expect((forged.body as { error: string }).error).toContain('expired');
  });

  it('a sentence asked for as JSON is its region, for moving between sentences in place', async () => {
    const res = await anna.agent.get(url(2)).set('Accept', 'application/json');
    expect(res.status).toBe(200);
    const body = answer(res);
    expect(body.url).toBe(url(2));
    expect(body.html).toContain('<h1>Sentence 2 of 2</h1>');
    expect(body.html).not.toContain('<html');
    // A browser's own request gets the page.
    const page = await anna.agent.get(url(2)).set('Accept', 'text/html,application/xhtml+xml,*/*;q=0.8');
    expect(expectPage(page)).toContain('<!doctype html>');
  });

  it('"nothing to tag here" answers with the next sentence to load', async () => {
    const res = await script(anna, `${url(2)}/reviewed`, { reviewed: '1' });
    expect(res.status).toBe(200);
    expect(answer(res).next).toBeNull(); // the last sentence: nowhere further
    expect(answer(res).message).toBe('Sentence 2: nothing to tag here.');
    const undo = await script(anna, `${url(2)}/reviewed`, { reviewed: '0' });
    expect(answer(undo).message).toBe('Sentence 2 is no longer marked “reviewed”.');
  });
});

describe('plain forms', () => {
  it('land on the sentence (its anchor), and the page offers Undo as a button', async () => {
    const res = await tag(ben, id, 1, { first: 0, last: 0, category: 'loaded-label' });
    const tagId = savedTagId(res);
    const location = String(res.headers.location);
    expect(location).toMatch(new RegExp(`^${url(1)}\\?saved=${tagId}&done=[A-Za-z0-9_-]+#sentence$`));
    const page = expectPage(await ben.get(location.replace(/#.*/, '')));
    expect(page).toContain('Saved: Loaded label / name “They”.');
    expect(page).toContain(`action="${url(1)}/undo"`);
    expect(undoChange(page)).toBe(/done=([A-Za-z0-9_-]+)/.exec(location)?.[1]);
  });

  it('every page is no-store, so Back and reload show the tags as they are', async () => {
    for (const path of [url(1), `/articles/${id}`, '/', `/projects/${w.projectId}`]) {
      const res = await anna.get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers['cache-control'], path).toBe('no-store');
    }
  });
});

describe('stale pages', () => {
  it('an edit page for a tag that is gone says so, and a stale edit keeps the input as a new tag', async () => {
    const gone = savedTagId(await tag(anna, id, 2, { first: 1, last: 1, category: 'reporting-verb' }));
    expect((await anna.post(`${url(2)}/tags/${gone}/delete`, {})).status).toBe(303);
    const page = expectPage(await anna.get(`${url(2)}?edit=${gone}`));
    expect(page).toContain('The tag you opened is no longer on this sentence');
    expect(page).toContain('<h2>Add a tag</h2>');
    const edit = await refused(w.t, () => anna.post(`${url(2)}/tags/${gone}`, tagForm({ first: 1, last: 1, category: 'reporting-verb', note: 'typed' })));
    expectError(edit, 404, 'Your changes are kept below: save them as a new tag.');
    expect(edit.text).toContain('>typed</textarea>');
    expect(edit.text).toContain(`action="${url(2)}/tags"`);
    // As JSON, with the region brought up to date.
    const json = await refused(w.t, () => script(anna, `${url(2)}/tags/${gone}/delete`, {}));
    expect(json.status).toBe(404);
    expect(answer(json).error).toContain('already deleted');
    expect(answer(json).html ?? '').not.toContain(`data-tag="${gone}"`);
    expect(answer(json).html).toContain('id="sentence"');
  });
});

describe('undo', () => {
  it('undoes a save, an edit and a delete, and redoes; only the last change, only one’s own', async () => {
    const created = await script(anna, `${url(2)}/tags`, tagForm({ first: 2, last: 3, category: 'loaded-language', note: 'first' }));
    const tagId = (await tagsOf(anna.id)).find((t) => t.note === 'first')?.id ?? '';
    const original = (await tagsOf(anna.id)).find((t) => t.id === tagId);
    // Another annotator cannot undo it (their last change on this sentence is another one).
    const change = undoChange(drawn(answer(created)));
    expect((await refused(w.t, () => ben.post(`${url(2)}/undo`, { change }))).status).toBe(409);

    // Edit, then undo the edit: the fields are back.
    const edited = await script(anna, `${url(2)}/tags/${tagId}`, tagForm({ first: 2, last: 2, category: 'hedge', note: 'second' }));
    expect(answer(edited).message).toBe('Changed: Hedge / doubt marker “the”.');
    // The save is no longer the last change: its undo is refused.
    expectError(await refused(w.t, () => anna.post(`${url(2)}/undo`, { change })), 409, 'Nothing to undo');
    const undoneEdit = await script(anna, `${url(2)}/undo`, { change: undoChange(drawn(answer(edited))) });
    expect(answer(undoneEdit).message).toBe('Undone: Evaluative / intensifying wording “the economy” is as it was.');
    expect((await tagsOf(anna.id)).find((t) => t.id === tagId)).toMatchObject({ category: 'loaded-language', note: 'first', start: original?.start, end: original?.end });

    // Delete, undo (the same tag is back, with its id and creation time), redo (gone again).
    const deleted = await anna.post(`${url(2)}/tags/${tagId}/delete`, {});
    const done = /done=([A-Za-z0-9_-]+)/.exec(String(deleted.headers.location))?.[1] ?? '';
    expect((await tagsOf(anna.id)).some((t) => t.id === tagId)).toBe(false);
    const restored = await anna.post(`${url(2)}/undo`, { change: done });
    expect(restored.status).toBe(303);
    expect((await tagsOf(anna.id)).find((t) => t.id === tagId)).toMatchObject({ createdAt: original?.createdAt, note: 'first' });
    const redo = expectPage(await anna.get(String(restored.headers.location).replace(/#.*/, '')));
    expect(redo).toContain('Undone: Evaluative / intensifying wording “the economy” is back.');
    expect(redo).toMatch(/data-undo>Redo</);
    expect((await anna.post(`${url(2)}/undo`, { change: undoChange(redo) })).status).toBe(303);
    expect((await tagsOf(anna.id)).some((t) => t.id === tagId)).toBe(false);
  });

  it('refuses an undo whose tag changed meanwhile (another tab), and a malformed one', async () => {
    const res = await script(anna, `${url(2)}/tags`, tagForm({ first: 4, last: 4, category: 'loaded-language' }));
    const change = undoChange(drawn(answer(res)));
    const tagId = (await tagsOf(anna.id)).find((t) => spanText(t) === 'is')?.id ?? '';
    // Another tab changes the tag directly in the store (as a second server process would not, but a race could).
    await w.t.store.updateAnnotation(id, anna.id, (a) => {
      const t = a.tags.find((x) => x.id === tagId);
      if (t) t.note = 'changed elsewhere';
    });
    expectError(await refused(w.t, () => anna.post(`${url(2)}/undo`, { change })), 409, 'changed since');
    expectError(await refused(w.t, () => anna.post(`${url(2)}/undo`, { change: '../x' })), 400, 'change');
  });
});

describe('quotation marks', () => {
  it('a span takes in the touching marks when asked, and the edit form shows it', async () => {
    const res = await anna.post(`${url(1)}/tags`, { ...tagForm({ first: 3, last: 4, category: 'scare-quotes' }), marks: '1' });
    const tagId = savedTagId(res);
    expect(spanText((await tagsOf(anna.id)).find((t) => t.id === tagId) ?? { start: 0, end: 0 })).toBe("'core principles'");
    const form = expectPage(await anna.get(`${url(1)}?edit=${tagId}`));
    expect(form).toContain('name="marks" value="1" checked');
    expect(form).toContain('<span class="mark" data-opens="3">&#39;</span>');
    // Brackets and curly quotes too; without the flag, only the words.
    const doors = savedTagId(await anna.post(`${url(1)}/tags`, { ...tagForm({ first: 9, last: 10, category: 'scare-quotes' }), marks: 'on' }));
    expect(spanText((await tagsOf(anna.id)).find((t) => t.id === doors) ?? { start: 0, end: 0 })).toBe('“open doors”');
    const plain = savedTagId(await anna.post(`${url(1)}/tags`, tagForm({ first: 6, last: 8, category: 'sourcing' })));
    expect(spanText((await tagsOf(anna.id)).find((t) => t.id === plain) ?? { start: 0, end: 0 })).toBe('so they say');
    // A value the checkbox never sends: the form again, with the message by the checkbox.
    expectFormError(await refused(w.t, () => anna.post(`${url(1)}/tags`, { ...tagForm({ first: 6, last: 8, category: 'sourcing' }), marks: 'yes' })), 400, 'marks', 'Quotation marks must be one of the choices offered.');
  });
});

describe('the same editor in a lesson and a reference', () => {
  let teacher: Agent;
  let student: Agent;
  beforeAll(async () => {
    await addUser(w.t, 'tess', 'teacher');
    teacher = await signIn(w.t.app, 'tess');
    expect((await teacher.post('/activities', { from: 'demo' })).status).toBe(303);
  });
  const activity = () => {
    const a = w.t.activities.activities()[0];
    if (!a) throw new Error('no activity');
    return a;
  };

  it('a student’s tag: the same form without intensity, a 1000-character note, JSON answers and undo', async () => {
    const agent = (await import('supertest')).default.agent(w.t.app);
    const token = csrfOf((await agent.get('/join')).text);
    expect((await agent.post('/join').type('form').send({ _csrf: token, code: activity().code, nickname: 'Kim' })).status).toBe(303);
    const fresh = csrfOf((await agent.get('/lesson')).text);
    student = { agent, csrf: async () => fresh, get: (p) => agent.get(p), post: (p, f) => agent.post(p).type('form').send({ _csrf: fresh, ...f }) };
    const form = { first: '1', last: '2', category: 'loaded-label', voice: 'author', note: '' };
    const refusedIntensity = await refused(w.t, () => student.post('/lesson/sentences/3/tags', { ...form, intensity: '2' }));
    expect(refusedIntensity.status).toBe(400);
    expect(refusedIntensity.text).toContain('Unexpected field(s): intensity.');
    expect((await refused(w.t, () => student.post('/lesson/sentences/3/tags', { ...form, note: 'n'.repeat(1001) }))).status).toBe(400);
    const saved = await script(student, '/lesson/sentences/3/tags', form);
    expect(answer(saved).message).toBe("Saved: Labels that take a side “Western bloc's”.");
    const undone = await script(student, '/lesson/sentences/3/undo', { change: undoChange(drawn(answer(saved))) });
    expect(answer(undone).message).toMatch(/^Undone:/);
    expect(w.t.activities.students(activity().id).find((s) => s.nickname === 'Kim')?.annotation.tags).toEqual([]);
    expect((await student.get('/lesson/sentences/3')).headers['cache-control']).toBe('no-store');
  });

  it('a reference tag needs a rationale (400, with the form) and can be undone', async () => {
    const path = `/activities/${activity().id}/reference/2`;
    const missing = await refused(w.t, () => teacher.post(`${path}/tags`, { first: '1', last: '1', category: 'hedge', voice: 'author', rationale: ' ' }));
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('Write a rationale');
    const before = activity().reference.length;
    const saved = await teacher.post(`${path}/tags`, { first: '1', last: '1', category: 'hedge', voice: 'author', rationale: 'Why.' });
    expect(saved.headers.location).toMatch(/#sentence$/);
    expect(activity().reference).toHaveLength(before + 1);
    const done = /done=([A-Za-z0-9_-]+)/.exec(String(saved.headers.location))?.[1] ?? '';
    expect((await teacher.post(`${path}/undo`, { change: done })).status).toBe(303);
    expect(activity().reference).toHaveLength(before);
    // The reference has no "nothing to tag here".
    expect((await refused(w.t, () => teacher.post(`${path}/reviewed`, { reviewed: '1' }))).status).toBe(404);
  });
});
