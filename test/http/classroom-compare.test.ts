// The "compare outlets" lesson over HTTP: a teacher makes the ready-made comparison lesson (the
// demo story's three versions) or one from a story in their projects, students tag each version
// in turn, the dashboard counts the class's tags per outlet, and after the reveal the versions
// stand side by side with the reference and the class's tags. Activity files written before
// comparison lessons still load and run as one-article lessons.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { words } from '../../server/core/segmentation.js';
import { DEMO_COMPARISON_TITLE } from '../../server/demo/comparison.js';
import { demoStoryArticles } from '../../server/demo/story.js';
import type { Activity } from '../../server/storage/activity-schemas.js';
import { addUser, csrfOf, makeJsonApp, signIn, type Agent } from '../helpers/app.js';
import { PAYLOADS, escapeHtml, expectEscaped, expectFormError, expectPage, jsonFolderOnly, refused, textOf, world, type World } from '../helpers/forms.js';

interface StudentAgent {
  get: (path: string) => Promise<request.Response>;
  post: (path: string, form: Record<string, string>) => Promise<request.Response>;
}

async function joinAs(app: Express, code: string, nickname: string): Promise<StudentAgent> {
  const agent = request.agent(app);
  const page = await agent.get('/join');
  const response = await agent.post('/join').type('form').send({ _csrf: csrfOf(page.text), code, nickname });
  expect(response.status, response.text).toBe(303);
  const token = csrfOf((await agent.get('/lesson')).text);
  return { get: (path) => agent.get(path), post: (path, form) => agent.post(path).type('form').send({ _csrf: token, ...form }) };
}

type Text = Activity['article'];

/** The tag form for the words `from`…`to` of sentence `s` (0-based) of a version's text. */
function tagForm(text: Text, s: number, from: string, to: string, category: string) {
  const range = text.sentences[s]!;
  const list = words(text.text, range).map((w) => text.text.slice(w.start, w.end));
  const first = list.indexOf(from);
  const last = list.indexOf(to, first);
  if (first < 0 || last < 0) throw new Error(`no “${from} … ${to}” in sentence ${s + 1}: ${list.join(' ')}`);
  return { first: String(first), last: String(last), category, voice: 'author' };
}

function sentenceOf(text: Text, prefix: string): number {
  const i = text.sentences.findIndex((r) => text.text.slice(r.start, r.end).startsWith(prefix));
  if (i < 0) throw new Error(`no sentence starts with ${prefix}`);
  return i;
}

let w: World;
let teacher: Agent;
let lesson: Activity;
let base: string;

beforeAll(async () => {
  w = await world();
  await addUser(w.t, 'tess', 'teacher');
  teacher = await signIn(w.t.app, 'tess');
}, 60_000);

afterAll(async () => {
  await w?.t.cleanup();
});

describe('creating a comparison lesson', () => {
  it('offers the ready-made comparison lesson beside the other ready-made lesson', async () => {
    const html = expectPage(await teacher.get('/activities/new'));
    expect(html).toContain('name="from" value="demo"');
    expect(html).toContain('name="from" value="demo-compare"');
    expect(textOf(html)).toContain('constructed examples, not real outlets’ texts');
  });

  it('makes the ready-made lesson from the demo story: three versions, each with its reference, aligned', async () => {
    const response = await teacher.post('/activities', { from: 'demo-compare' });
    expect(response.status, response.text).toBe(303);
    const [made] = w.t.activities.activities();
    lesson = made!;
    base = `/activities/${lesson.id}`;
    expect(response.headers.location).toBe(base);
    expect(lesson.title).toBe(DEMO_COMPARISON_TITLE);
    expect(lesson.codebookId).toBe('starter');
    const story = await demoStoryArticles();
    const versions = [{ article: lesson.article, reference: lesson.reference }, ...(lesson.comparison?.versions ?? [])];
    expect(versions.map((v) => v.article.source)).toEqual(story.map((a) => a.source));
    expect(versions.map((v) => v.article.text)).toEqual(story.map((a) => a.text));
    // The story's references, reused (not a copy of their files): same spans, categories, reasons.
    expect(versions.map((v) => v.reference.map(({ id: _id, ...r }) => r))).toEqual(story.map((a) => a.starterReference));
    for (const v of versions) expect(v.reference.length).toBeGreaterThan(0);
    // Every sentence of every version is in exactly one aligned group, and some group is shared.
    const groups = lesson.comparison!.groups;
    versions.forEach((v, i) => {
      const seen = groups.flatMap((g) => g[i] ?? []).sort((a, b) => a - b);
      expect(seen).toEqual(v.article.sentences.map((_, s) => s));
    });
    expect(groups.some((g) => g.filter((s) => s.length > 0).length === 3)).toBe(true);
    expect(groups.some((g) => g.filter((s) => s.length > 0).length === 1)).toBe(true);
  });

  it('numbers the ready-made comparison lesson when it is made again, like the other ready-made lessons', async () => {
    expect((await teacher.post('/activities', { from: 'demo-compare' })).status).toBe(303);
    expect(w.t.activities.activities().map((a) => a.title)).toContain(`${DEMO_COMPARISON_TITLE} (2)`);
  });

  it('makes a lesson from two articles of a story in the user’s project, with the story’s reference', async () => {
    const [story] = w.t.store.stories.list(w.projectId);
    const html = expectPage(await w.researcher.get('/activities/new'));
    expect(html).toContain(`name="storyId" value="${story!.id}"`);
    const [a, , c] = story!.articles;
    const response = await w.researcher.post('/activities', { from: 'story', storyId: story!.id, title: 'Two outlets', articleIds: [a!, c!] });
    expect(response.status, response.text.slice(0, 300)).toBe(303);
    const made = w.t.activities.activities().find((x) => x.title === 'Two outlets')!;
    expect(made.codebookId).toBe('framing');
    expect(made.article.text).toBe(w.t.store.article(a!)!.text);
    expect(made.comparison?.versions.map((v) => v.article.text)).toEqual([w.t.store.article(c!)!.text]);
    expect(made.comparison?.story).toBe(story!.title);
    expect(made.reference.length).toBe(story!.reference.filter((t) => t.article === a).length);
    expect(made.comparison?.versions[0]?.reference.length).toBe(story!.reference.filter((t) => t.article === c).length);
    expect(made.comparison?.groups.every((g) => g.length === 2)).toBe(true);
  });

  it('takes curated gold in the sentences a curator settled, the story’s reference in the others', async () => {
    const [story] = w.t.store.stories.list(w.projectId);
    const [, b, c] = story!.articles;
    const article = w.t.store.article(c!)!;
    const storyTags = (s: number) => story!.reference.filter((t) => t.article === c && t.sentence === s);
    // A sentence the story's reference tags, settled by a curator with a tag of their own on its first two words.
    const settled = article.sentences.findIndex((_, s) => storyTags(s).length > 0);
    expect(settled).toBeGreaterThanOrEqual(0);
    const curation = `/curation/articles/${c}/sentences/${settled + 1}`;
    const note = 'settled <b>by</b> the curator';
    expect((await w.researcher.post(`${curation}/tags`, { first: '0', last: '1', category: 'emphasis', voice: 'quoted', intensity: '', note })).status).toBe(303);
    expect((await w.researcher.post(`${curation}/curated`, { curated: '1' })).status).toBe(303);
    const response = await w.researcher.post('/activities', { from: 'story', storyId: story!.id, title: 'With gold', articleIds: [b!, c!] });
    expect(response.status, response.text.slice(0, 300)).toBe(303);
    const made = w.t.activities.activities().find((x) => x.title === 'With gold')!;
    const reference = made.comparison!.versions[0]!.reference;
    const [first] = words(article.text, article.sentences[settled]!);
    const second = words(article.text, article.sentences[settled]!)[1]!;
    // The settled sentence: gold's one tag, with its voice and note; none of the story's tags there.
    expect(reference.filter((t) => t.sentence === settled).map(({ id: _id, ...t }) => t)).toEqual([
      { sentence: settled, start: first!.start, end: second.end, category: 'emphasis', voice: 'quoted', rationale: note },
    ]);
    // Every other sentence: the story's reference, as before.
    const elsewhere = story!.reference.filter((t) => t.article === c && t.sentence !== settled);
    expect(reference.filter((t) => t.sentence !== settled).map((t) => [t.sentence, t.start, t.end, t.category, t.rationale])).toEqual(
      elsewhere.map((t) => [t.sentence, t.start, t.end, t.category, t.rationale]),
    );
    // Version 1 has no settled sentence: the story's reference whole.
    expect(made.reference.length).toBe(story!.reference.filter((t) => t.article === b).length);
    // After the reveal, the side-by-side page shows the curator's reason, escaped.
    expect((await w.researcher.post(`/activities/${made.id}/reveal`, {})).status).toBe(303);
    const html = expectPage(await w.researcher.get(`/activities/${made.id}/compare`));
    expect(html).toContain(escapeHtml(note));
    expect(html).not.toContain(note);
  });

  it('sends the story form back with a message for one article, and refuses a story the user cannot see', async () => {
    const [story] = w.t.store.stories.list(w.projectId);
    const one = await refused(w.t, () => w.researcher.post('/activities', { from: 'story', storyId: story!.id, title: 'One', articleIds: story!.articles[0]! }));
    const html = expectFormError(one, 400, `s-${story!.id}-articleIds`, 'Tick two or three');
    expect(html).toContain('value="One"');
    // The teacher is no member of the demo project: its story is not theirs to use.
    expect(expectPage(await teacher.get('/activities/new'))).not.toContain(`name="storyId" value="${story!.id}"`);
    await refused(w.t, () => teacher.post('/activities', { from: 'story', storyId: story!.id, title: 'Theirs', articleIds: story!.articles.slice(0, 2) }));
  });
});

describe('students tag each version in turn', () => {
  let ana: StudentAgent;
  let ben: StudentAgent;
  let wire: Text;
  let western: Text;

  beforeAll(async () => {
    ana = await joinAs(w.t.app, lesson.code, 'Ana');
    ben = await joinAs(w.t.app, lesson.code, 'Ben');
    wire = lesson.comparison!.versions[0]!.article;
    western = lesson.comparison!.versions[1]!.article;
  });

  it('shows every version on the overview, each with its own sentences and progress', async () => {
    const html = expectPage(await ana.get('/lesson'));
    const text = textOf(html);
    expect(text).toContain('Version 1 of 3: Sputnik');
    expect(text).toContain('Version 2 of 3: Constructed Example: wire-service style');
    expect(text).toContain('Version 3 of 3: Constructed Example: Western outlet style');
    expect(html).toContain('href="/lesson/versions/1/sentences/1"');
    expect(html).toContain('href="/lesson/versions/3/sentences/1"');
  });

  it('tags a sentence of version 2 in that version only, with the navigation between versions', async () => {
    const page = expectPage(await ana.get('/lesson/versions/2/sentences/1'));
    expect(page).toContain('<strong aria-current="page">Version 2 of 3: Constructed Example: wire-service style</strong>');
    expect(page).toContain('href="/lesson/versions/3/sentences/1"');
    const s = 0;
    const saved = await ana.post(`/lesson/versions/2/sentences/${s + 1}/tags`, tagForm(wire, s, wire.text.slice(wire.sentences[s]!.start).split(/\s/)[0]!, wire.text.slice(wire.sentences[s]!.start).split(/\s/)[0]!, 'loaded-wording'));
    expect(saved.status, saved.text.slice(0, 300)).toBe(303);
    const stored = w.t.activities.students(lesson.id).find((x) => x.nickname === 'Ana')!;
    expect(stored.annotation.tags).toHaveLength(0);
    expect(stored.versions[0]?.tags).toHaveLength(1);
    expect(stored.versions[0]?.tags[0]).toMatchObject({ sentence: 0, category: 'loaded-wording' });
    expect(stored.versions[1]?.tags).toHaveLength(0);
  });

  it('leads from the last sentence of a version to the next version, and answers 404 for a version the lesson lacks', async () => {
    const last = lesson.article.sentences.length;
    expect(expectPage(await ana.get(`/lesson/versions/1/sentences/${last}`))).toContain('href="/lesson/versions/2/sentences/1"');
    expect((await ana.get('/lesson/versions/4/sentences/1')).status).toBe(404);
    expect((await ana.get('/lesson/versions/0/sentences/1')).status).toBe(404);
    expect((await ana.post('/lesson/versions/4/sentences/1/reviewed', { reviewed: '1' })).status).toBe(404);
  });

  it('edits a tag of a version, undoes the edit and deletes it, each at the version’s own URL', async () => {
    const s = 1;
    const url = `/lesson/versions/2/sentences/${s + 1}`;
    const first = wire.text.slice(wire.sentences[s]!.start).split(/\s/)[0]!;
    const version2 = () => w.t.activities.students(lesson.id).find((x) => x.nickname === 'Ana')!.versions[0]!.tags.filter((t) => t.sentence === s);
    const done = (res: request.Response) => /done=([^&#]+)/.exec(String(res.headers.location))?.[1] ?? '';
    expect((await ana.post(`${url}/tags`, tagForm(wire, s, first, first, 'hedge'))).status).toBe(303);
    const [tag] = version2();
    expect(tag).toMatchObject({ category: 'hedge' });
    const edited = await ana.post(`${url}/tags/${tag!.id}`, tagForm(wire, s, first, first, 'loaded-wording'));
    expect(edited.status).toBe(303);
    expect(version2()).toMatchObject([{ id: tag!.id, category: 'loaded-wording' }]);
    expect((await ana.post(`${url}/undo`, { change: done(edited) })).status).toBe(303);
    expect(version2()).toMatchObject([{ id: tag!.id, category: 'hedge' }]);
    expect((await ana.post(`${url}/tags/${tag!.id}/delete`, {})).status).toBe(303);
    expect(version2()).toEqual([]);
  });

  it('lets the teacher edit a version’s reference at its own URLs', async () => {
    const url = `${base}/versions/2/reference`;
    const reference = () => w.t.activities.activity(lesson.id)!.comparison!.versions[0]!.reference;
    const before = reference();
    expect(textOf(expectPage(await teacher.get(url)))).toContain('Reference');
    expectPage(await teacher.get(`${url}/1`));
    const first = wire.text.slice(wire.sentences[0]!.start).split(/\s/)[0]!;
    const form = { ...tagForm(wire, 0, first, first, 'hedge'), rationale: 'A version’s own reference tag.' };
    const added = await teacher.post(`${url}/1/tags`, form);
    expect(added.status, added.text.slice(0, 300)).toBe(303);
    const tag = reference().find((t) => t.rationale === form.rationale);
    expect(tag).toBeDefined();
    expect((await teacher.post(`${url}/1/tags/${tag!.id}`, { ...form, rationale: 'Edited.' })).status).toBe(303);
    expect(reference().find((t) => t.id === tag!.id)?.rationale).toBe('Edited.');
    const removed = await teacher.post(`${url}/1/tags/${tag!.id}/delete`, {});
    expect(removed.status).toBe(303);
    expect(reference().find((t) => t.id === tag!.id)).toBeUndefined();
    const change = /done=([^&#]+)/.exec(String(removed.headers.location))?.[1] ?? '';
    expect((await teacher.post(`${url}/1/undo`, { change })).status).toBe(303);
    expect(reference().find((t) => t.id === tag!.id)?.rationale).toBe('Edited.');
    expect((await teacher.post(`${url}/1/tags/${tag!.id}/delete`, {})).status).toBe(303);
    expect(reference()).toEqual(before);
  });

  it('counts the class’s tags per outlet and the students done with each version on the dashboard', async () => {
    // Both tag the same words in Western's version; Ben marks every sentence of it done.
    const s = sentenceOf(western, western.text.slice(western.sentences[0]!.start, western.sentences[0]!.start + 12));
    const first = western.text.slice(western.sentences[s]!.start).split(/\s/)[0]!;
    for (const student of [ana, ben]) expect((await student.post(`/lesson/versions/3/sentences/${s + 1}/tags`, tagForm(western, s, first, first, 'hedge'))).status).toBe(303);
    for (let i = 0; i < western.sentences.length; i++) expect((await ben.post(`/lesson/versions/3/sentences/${i + 1}/reviewed`, { reviewed: '1' })).status).toBe(303);
    const data = (await teacher.get(`${base}/dashboard.json`)).body as { tags: number; versions: { number: number; outlet: string; done: number; tags: number; categories: { category: string; count: number }[] }[] };
    expect(data.tags).toBe(3);
    expect(data.versions.map((v) => [v.number, v.outlet, v.done, v.tags])).toEqual([
      [1, 'Sputnik', 0, 0],
      [2, 'Constructed Example: wire-service style', 0, 1],
      [3, 'Constructed Example: Western outlet style', 1, 2],
    ]);
    expect(data.versions[2]?.categories.find((c) => c.category === 'hedge')?.count).toBe(2);
    // Each version's heatmap: two students on Western's first word of that sentence, none on the next.
    const heat = data.versions[2] as unknown as { counts: number[][] };
    expect(heat.counts[s]?.[0]).toBe(2);
    expect(heat.counts[s]?.[1]).toBe(0);
    expect(data.versions[1]?.categories.find((c) => c.category === 'loaded-wording')?.count).toBe(1);
    const html = expectPage(await teacher.get(base));
    expect(html).toContain('id="outlet-tally"');
    expect(textOf(html)).toContain('3. Constructed Example: Western outlet style 1 2');
    expect(html).toContain(`href="${base}/compare"`);
    expect(html).toContain(`data-s="${s}" data-w="0" data-v="3" title="2 students"`);
    // The full-screen sentence of version 3: its heatmap, its reference, its own navigation.
    const present = expectPage(await teacher.get(`${base}/present/${s + 1}?version=3&reference=1`));
    expect(present).toContain(`data-s="${s}" data-w="0" data-v="3" title="2 students"`);
    expect(textOf(present)).toContain(`Version 3 of 3: Constructed Example: Western outlet style, sentence ${s + 1} of ${western.sentences.length}`);
    expect(present).toContain(`present/${s + 2}?reference=1&amp;version=3`);
    for (const r of lesson.comparison!.versions[1]!.reference.filter((t) => t.sentence === s)) expect(textOf(present)).toContain(r.rationale);
    expect((await teacher.get(`${base}/present/1?version=4`)).status).toBe(404);
    expect((await teacher.get(`${base}/present/${western.sentences.length + 1}?version=3`)).status).toBe(404);
  });

  it('keeps the side-by-side page from students until the reveal', async () => {
    const before = expectPage(await ana.get('/lesson/compare'));
    expect(textOf(before)).toContain('has not revealed the reference yet');
    expect(before).not.toContain('story-grid');
    expect((await ana.post('/lesson/versions/2/sentences/2/reviewed', { reviewed: '1' })).status).toBe(303);
  });

  it('reveals: the versions side by side with the reference, the class’s counts and the “only in” marks', async () => {
    expect((await teacher.post(`${base}/reveal`, {})).status).toBe(303);
    // Tagging is closed for every version.
    expect((await ana.post('/lesson/versions/2/sentences/3/reviewed', { reviewed: '1' })).status).toBe(403);
    for (const page of [await ana.get('/lesson/compare'), await teacher.get(`${base}/compare`)]) {
      const html = expectPage(page);
      const text = textOf(html);
      expect(html).toContain('class="story-grid compare-grid"');
      for (const outlet of ['Sputnik', 'Constructed Example: wire-service style', 'Constructed Example: Western outlet style']) expect(html).toContain(`<th scope="col">${escapeHtml(outlet)}</th>`);
      expect(text).toMatch(/only in Sputnik/);
      expect(text).toContain('Class · Doubt words:');
      expect(text).toContain('2 students');
      const ref = lesson.comparison!.versions[0]!.reference[0]!;
      expect(text).toContain(ref.rationale);
      expect(html.match(/<tr id="g\d+"/g)?.length).toBe(lesson.comparison!.groups.length);
    }
  });

  it('gives the teacher results, CSV and each student’s feedback per version', async () => {
    const results = expectPage(await teacher.get(`${base}/results`));
    for (const n of [1, 2, 3]) expect(results).toContain(`id="version-${n}"`);
    expect(results).toContain('aria-label="Scores of the class · Version 3 of 3: Constructed Example: Western outlet style"');
    const csv = await teacher.get(`${base}/results.csv`);
    expect(csv.status).toBe(200);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('version,outlet,nickname,sentence,span,category,status,score,reference_span,reference_category,student_f1');
    // Ana's and Ben's tag on Western's version, and Ana's on the wire's, each with its version.
    expect(lines.filter((l) => /^3,Constructed Example: Western outlet style,(Ana|Ben),\d+,[^,]+,hedge,/.test(l))).toHaveLength(2);
    expect(lines.filter((l) => /^2,Constructed Example: wire-service style,Ana,1,NATO,loaded-wording,/.test(l))).toHaveLength(1);
    // Every reference tag of every version shows up for each student (found or missed).
    const references = [lesson.reference, ...lesson.comparison!.versions.map((v) => v.reference)];
    references.forEach((reference, i) => expect(lines.filter((l) => l.startsWith(`${i + 1},`) && l.includes(',Ben,') && !l.includes(',extra,')).length).toBeGreaterThanOrEqual(reference.length));
    const ben = w.t.activities.students(lesson.id).find((x) => x.nickname === 'Ben')!;
    const page = expectPage(await teacher.get(`${base}/students/${ben.id}`));
    expect(page).toContain('id="version-3"');
    expect(page).toContain('id="v3-s1"');
  });

  it('gives each student their feedback on each version', async () => {
    const html = expectPage(await ana.get('/lesson/feedback'));
    expect(html).toContain('id="version-1"');
    expect(html).toContain('id="version-3"');
    expect(html).toContain('id="v3-s1"');
    expect(html).toContain('href="/lesson/compare"');
  });
});

// Files as an older version wrote them: the database's schema has had these columns from the start.
jsonFolderOnly('files an older version wrote').describe('one-article activities written before comparison lessons', () => {
  it('still load, take tags and reveal as before', async () => {
    const t = await makeJsonApp();
    try {
      await addUser(t, 'tess', 'teacher');
      const tess = await signIn(t.app, 'tess');
      expect((await tess.post('/activities', { from: 'demo' })).status).toBe(303);
      const [made] = t.activities.activities();
      await joinAs(t.app, made!.code, 'Old');
      const folder = join(t.dataDir, 'activities', made!.id);
      // Rewrite both files as the older version wrote them: no comparison, no versions.
      const activityFile = JSON.parse(await readFile(join(folder, 'activity.json'), 'utf8'));
      expect(activityFile.data.comparison).toBeNull();
      delete activityFile.data.comparison;
      await writeFile(join(folder, 'activity.json'), JSON.stringify(activityFile));
      const [studentName] = await readdir(join(folder, 'students'));
      const studentFile = JSON.parse(await readFile(join(folder, 'students', studentName!), 'utf8'));
      expect(studentFile.data.versions).toEqual([]);
      delete studentFile.data.versions;
      await writeFile(join(folder, 'students', studentName!), JSON.stringify(studentFile));
      await t.store.close();

      const again = await t.reopen();
      const reopened = again.activities.activity(made!.id)!;
      expect(reopened.comparison).toBeNull();
      expect(again.activities.students(made!.id)[0]?.versions).toEqual([]);
      const tess2 = await signIn(again.app, 'tess');
      const back = await joinAs(again.app, made!.code, 'New');
      const home = expectPage(await back.get('/lesson'));
      expect(home).toContain('href="/lesson/sentences/1"');
      expect(home).not.toContain('Version 1 of');
      const s = sentenceOf(reopened.article, 'NATO');
      expect((await back.post(`/lesson/sentences/${s + 1}/tags`, tagForm(reopened.article, s, 'NATO', 'NATO', 'loaded-label'))).status).toBe(303);
      expect((await back.get('/lesson/versions/1/sentences/1')).status).toBe(404);
      expect((await back.get('/lesson/compare')).status).toBe(404);
      const data = (await tess2.get(`/activities/${made!.id}/dashboard.json`)).body as { tags: number; versions: unknown[] };
      expect(data.tags).toBe(1);
      expect(data.versions).toEqual([]);
      expect(expectPage(await tess2.get(`/activities/${made!.id}`))).not.toContain('outlet-tally');
      expect((await tess2.post(`/activities/${made!.id}/reveal`, {})).status).toBe(303);
      expect(textOf(expectPage(await back.get('/lesson/feedback')))).toContain('found');
      expect((await tess2.get(`/activities/${made!.id}/compare`)).status).toBe(404);
      await again.store.close();
    } finally {
      await t.cleanup();
    }
  });
});

describe('escaping', () => {
  it('escapes the activity title and nicknames on the comparison pages', async () => {
    const [story] = w.t.store.stories.list(w.projectId);
    const payload = PAYLOADS[0];
    const response = await w.researcher.post('/activities', { from: 'story', storyId: story!.id, title: payload, articleIds: story!.articles.slice(0, 3) });
    expect(response.status).toBe(303);
    const made = w.t.activities.activities().find((a) => a.title === payload)!;
    const student = await joinAs(w.t.app, made.code, PAYLOADS[1]);
    expectEscaped(expectPage(await student.get('/lesson/versions/2/sentences/1')), payload);
    expectEscaped(expectPage(await student.get('/lesson')), PAYLOADS[1]);
    expectEscaped(expectPage(await w.researcher.get(`/activities/${made.id}`)), PAYLOADS[1]);
    expectEscaped(expectPage(await w.researcher.get(`/activities/${made.id}/compare`)), payload);
  });
});

describe('revealing a comparison lesson', () => {
  it('counts the reference over every version: version 1 without tags does not stop it, no tags at all does', async () => {
    const created = await teacher.post('/activities', { from: 'demo-compare' });
    expect(created.status).toBe(303);
    const made = w.t.activities.activity(String(created.headers.location).split('/').pop()!)!;
    const others = made.comparison!.versions.reduce((n, v) => n + v.reference.length, 0);
    await w.t.activities.update(made.id, (a) => {
      a.reference = [];
    });
    const page = textOf(expectPage(await teacher.get(`/activities/${made.id}/reveal`)));
    expect(page).toContain(`(${others} tags, with the reasons, over 3 versions)`);
    const empty = await teacher.post('/activities', { from: 'demo-compare' });
    expect(empty.status).toBe(303);
    const bare = w.t.activities.activity(String(empty.headers.location).split('/').pop()!)!;
    await w.t.activities.update(bare.id, (a) => {
      a.reference = [];
      for (const v of a.comparison!.versions) v.reference = [];
    });
    expect(textOf(expectPage(await teacher.get(`/activities/${bare.id}/reveal`)))).toContain('The reference has no tags yet');
    expect((await teacher.post(`/activities/${bare.id}/reveal`, {})).status).toBe(409);
    expect((await teacher.post(`/activities/${made.id}/reveal`, {})).status).toBe(303);
    expect(w.t.activities.activity(made.id)?.revealedAt).not.toBeNull();
  });
});

describe('the reference of every version', () => {
  /** A category of the demo lesson's codebook (`starter`) that no reference tag of the lesson's first sentences uses on their first word. */
  const CATEGORY = 'missing-context';

  it('is written for versions 2 and 3 with the same editor, without JavaScript, and stored on that version only', async () => {
    const created = await teacher.post('/activities', { from: 'demo-compare' });
    expect(created.status).toBe(303);
    const id = String(created.headers.location).split('/').pop()!;
    const made = w.t.activities.activity(id)!;
    const version2 = made.comparison!.versions[0]!;
    const before = { first: made.reference.length, second: version2.reference.length, third: made.comparison!.versions[1]!.reference.length };
    // The lesson page links each version's reference.
    const show = expectPage(await teacher.get(`/activities/${id}`));
    expect(show).toContain(`href="/activities/${id}/reference"`);
    expect(show).toContain(`href="/activities/${id}/versions/2/reference"`);
    expect(show).toContain(`href="/activities/${id}/versions/3/reference"`);
    // Version 2's list and sentence pages name the version and link within it.
    const list = expectPage(await teacher.get(`/activities/${id}/versions/2/reference`));
    expect(textOf(list)).toContain('Reference annotation: Version 2 of 3');
    expect(list).toContain(`href="/activities/${id}/versions/2/reference/1"`);
    const sentence = expectPage(await teacher.get(`/activities/${id}/versions/2/reference/1`));
    expect(sentence).toContain(`action="/activities/${id}/versions/2/reference/1/tags"`);
    // A tag on version 2's first sentence: stored there, versions 1 and 3 unchanged.
    const firstWord = (() => {
      const w0 = words(version2.article.text, version2.article.sentences[0]!)[0]!;
      return version2.article.text.slice(w0.start, w0.end);
    })();
    const form = { ...tagForm(version2.article, 0, firstWord, firstWord, CATEGORY), rationale: 'The <b>opening</b> word sets the frame.' };
    const added = await teacher.post(`/activities/${id}/versions/2/reference/1/tags`, form);
    expect(added.status, added.text.slice(0, 300)).toBe(303);
    const after = w.t.activities.activity(id)!;
    const tag = after.comparison!.versions[0]!.reference.find((t) => t.rationale === 'The <b>opening</b> word sets the frame.');
    expect(tag).toMatchObject({ sentence: 0, category: CATEGORY });
    expect(after.reference.length).toBe(before.first);
    expect(after.comparison!.versions[0]!.reference.length).toBe(before.second + 1);
    expect(after.comparison!.versions[1]!.reference.length).toBe(before.third);
    expectEscaped(expectPage(await teacher.get(`/activities/${id}/versions/2/reference/1`)), 'The <b>opening</b> word sets the frame.');
    // The same span and category again is refused with a message, nothing changed.
    const again = await refused(w.t, () => teacher.post(`/activities/${id}/versions/2/reference/1/tags`, form));
    expect(again.text).toContain('exactly this span with this category');
    // Edited, then deleted, on version 2.
    expect((await teacher.post(`/activities/${id}/versions/2/reference/1/tags/${tag!.id}`, { ...form, rationale: 'Reworded.' })).status).toBe(303);
    expect(w.t.activities.activity(id)!.comparison!.versions[0]!.reference.find((t) => t.id === tag!.id)?.rationale).toBe('Reworded.');
    expect((await teacher.post(`/activities/${id}/versions/2/reference/1/tags/${tag!.id}/delete`, {})).status).toBe(303);
    expect(w.t.activities.activity(id)!.comparison!.versions[0]!.reference.length).toBe(before.second);
    // A version the lesson lacks, version "1" spelt as a version, and a one-article lesson: 404.
    for (const path of [`/activities/${id}/versions/4/reference`, `/activities/${id}/versions/1/reference`, `/activities/${id}/versions/x/reference/1`]) {
      expect((await teacher.get(path)).status, path).toBe(404);
    }
    const single = await teacher.post('/activities', { from: 'demo' });
    expect(single.status).toBe(303);
    expect((await teacher.get(`${String(single.headers.location)}/versions/2/reference`)).status).toBe(404);
    // Nobody else writes it.
    expect((await w.researcher.get(`/activities/${id}/versions/2/reference`)).status).toBe(404);
  });
});

describe('a lesson made from a story of a blind project', () => {
  it('takes no reference and no gold when the teacher annotates that project: they are its answers', async () => {
    const [story] = w.t.store.stories.list(w.projectId);
    expect(story!.reference.length).toBeGreaterThan(0);
    expect((await w.researcher.post(`/projects/${w.projectId}/members`, { name: 'tess', role: 'annotator' })).status).toBe(303);
    expect(expectPage(await teacher.get('/activities/new'))).toContain(`name="storyId" value="${story!.id}"`);
    const response = await teacher.post('/activities', { from: 'story', storyId: story!.id, title: 'Blind', articleIds: story!.articles.slice(1, 3) });
    expect(response.status, response.text.slice(0, 300)).toBe(303);
    const made = w.t.activities.activities().find((x) => x.title === 'Blind')!;
    expect(made.reference).toEqual([]);
    expect(made.comparison!.versions[0]!.reference).toEqual([]);
  });
});
