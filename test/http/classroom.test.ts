// A whole classroom lesson over HTTP: the teacher creates the ready-made lesson, 30 students
// join and tag at once, the dashboard counts them, the reveal scores a hand-checked student,
// results are exported, the activity ends and its student data is deleted.
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { words } from '../../server/core/segmentation.js';
import { compareTags } from '../../server/core/classroom/feedback.js';
import { sentenceWords } from '../../server/core/classroom/text.js';
import { ActivityStore } from '../../server/storage/activities.js';
import type { Activity } from '../../server/storage/activity-schemas.js';
import { addUser, afterRestart, csrfOf, makeApp, makeJsonApp, onJsonFolder, signIn, snapshot, type Agent, type TestApp } from '../helpers/app.js';
import { jsonFolderOnly, textOf } from '../helpers/forms.js';

interface StudentAgent {
  nickname: string;
  agent: ReturnType<typeof request.agent>;
  token: string;
  get: (path: string) => Promise<request.Response>;
  post: (path: string, form: Record<string, string>) => Promise<request.Response>;
}

/** A browser of a student: GET /join for a CSRF token, then POST /join. */
async function tryJoin(app: Express, code: string, nickname: string) {
  const agent = request.agent(app);
  const page = await agent.get('/join');
  const response = await agent.post('/join').type('form').send({ _csrf: csrfOf(page.text), code, nickname });
  return { agent, response };
}

async function joinAs(app: Express, code: string, nickname: string): Promise<StudentAgent> {
  const { agent, response } = await tryJoin(app, code, nickname);
  expect(response.status, response.text).toBe(303);
  expect(response.headers.location).toBe('/lesson');
  // The session (and its CSRF token) is new after joining.
  const token = csrfOf((await agent.get('/lesson')).text);
  return {
    nickname,
    agent,
    token,
    get: (path) => agent.get(path),
    post: (path, form) => agent.post(path).type('form').send({ _csrf: token, ...form }),
  };
}

function sentenceIndex(activity: Activity, prefix: string): number {
  const i = activity.article.sentences.findIndex((r) => activity.article.text.slice(r.start, r.end).startsWith(prefix));
  if (i < 0) throw new Error(`no sentence starts with ${prefix}`);
  return i;
}

/** The index of the `nth` (0-based) `word` within sentence `s` (0-based word indexes, as the tag form sends). */
function wordIndex(activity: Activity, s: number, word: string, nth = 0): number {
  const range = activity.article.sentences[s];
  if (!range) throw new Error('no sentence');
  const all = words(activity.article.text, range).flatMap((w, i) => (activity.article.text.slice(w.start, w.end) === word ? [i] : []));
  const i = all[nth];
  if (i === undefined) throw new Error(`no word ${word} (#${nth + 1}) in sentence ${s + 1}`);
  return i;
}

/** Tags words `from`–`to` of sentence `s` (0-based) as `category`; `toNth` picks a later occurrence of `to`. */
function tagForm(activity: Activity, s: number, from: string, to: string, category: string, toNth = 0) {
  return { first: String(wordIndex(activity, s, from)), last: String(wordIndex(activity, s, to, toNth)), category, voice: 'author' };
}

const CLASS_SIZE = 30;
const nickname = (i: number) => `Zebra${String(i).padStart(2, '0')}`;

let t: TestApp;
let teacher: Agent;
let other: Agent;
let activity: Activity;
let base: string;
let students: StudentAgent[] = [];
let hand: StudentAgent;
/** Sentence indexes (0-based) in the demo article. */
let bloc: number;
let indicated: number;

beforeAll(async () => {
  t = await makeApp();
  await addUser(t, 'tess', 'teacher');
  await addUser(t, 'tom', 'teacher');
  await addUser(t, 'ann', 'annotator');
  teacher = await signIn(t.app, 'tess');
  other = await signIn(t.app, 'tom');
}, 60_000);

afterAll(async () => {
  await t?.cleanup();
});

describe('before the lesson', () => {
  it('offers the ready-made lesson and a Lessons link to teachers', async () => {
    const page = await teacher.get('/activities/new');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Ready-made lesson');
    expect(page.text).toContain('name="from" value="demo"');
    expect((await teacher.get('/activities')).text).toContain('href="/activities">Lessons</a>');
  });

  it('refuses accounts that are not teachers or researchers', async () => {
    const ann = await signIn(t.app, 'ann');
    expect((await ann.get('/activities')).status).toBe(403);
    const before = await snapshot(t);
    expect((await ann.post('/activities', { from: 'demo' })).status).toBe(403);
    expect(await snapshot(t)).toEqual(before);
  });

  it('needs the CSRF token to create an activity', async () => {
    const response = await teacher.agent.post('/activities').type('form').send({ from: 'demo' });
    expect(response.status).toBe(403);
    expect(t.activities.activities()).toHaveLength(0);
  });

  it('creates the ready-made lesson: the demo article, the starter codebook, the shipped reference and a join code', async () => {
    const response = await teacher.post('/activities', { from: 'demo' });
    expect(response.status).toBe(303);
    const [created] = t.activities.activities();
    if (!created) throw new Error('no activity');
    activity = created;
    base = `/activities/${activity.id}`;
    expect(response.headers.location).toBe(base);
    expect(activity.codebookId).toBe('starter');
    expect(activity.status).toBe('open');
    expect(activity.reference).toHaveLength(16);
    expect(activity.reference.every((r) => r.rationale.length > 20)).toBe(true);
    expect(activity.code).toMatch(/^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{6}$/);
    const text = (r: { start: number; end: number }) => activity.article.text.slice(r.start, r.end);
    expect(activity.reference.map(text)).toContain('Western-backed coup');
    expect(activity.reference.map(text)).toContain('presumably');
    expect(await afterRestart(t, (again) => again.activities.activity(activity.id)?.code)).toBe(activity.code);
    // The data folder's file carries its format version.
    if (onJsonFolder) expect(JSON.parse(await readFile(join(t.dataDir, 'activities', activity.id, 'activity.json'), 'utf8')).schemaVersion).toBe(1);
    bloc = sentenceIndex(activity, "The Western bloc's member states");
    indicated = sentenceIndex(activity, 'Stoltenberg indicated');
  });

  it('shows the code for the projector, a short join link and a QR code', async () => {
    const page = await teacher.get(base);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`${activity.code.slice(0, 3)} ${activity.code.slice(3)}`);
    expect(page.text).toMatch(new RegExp(`http://127\\.0\\.0\\.1:\\d+/j/${activity.code}`));
    expect(page.text).toContain(`src="${base}/qr.svg"`);
    const qr = await teacher.get(`${base}/qr.svg`);
    expect(qr.status).toBe(200);
    expect(qr.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(String(qr.body)).toContain('<svg');
    const short = await request(t.app).get(`/j/${activity.code.toLowerCase()}`);
    expect(short.status).toBe(303);
    expect(short.headers.location).toBe(`/join?code=${activity.code}`);
  });
});

describe('during the lesson', () => {
  it('refuses a wrong code and a malformed one', async () => {
    const wrong = activity.code === 'ABCDEF' ? 'ABCDEG' : 'ABCDEF';
    const a = await tryJoin(t.app, wrong, 'Someone');
    expect(a.response.status).toBe(404);
    expect(a.response.text).toContain('No lesson has this code');
    const b = await tryJoin(t.app, 'ABC10O', 'Someone');
    expect(b.response.status).toBe(400);
    expect(t.activities.students(activity.id)).toHaveLength(0);
  });

  it('refuses nicknames that are empty (or only invisible characters), too long or with control characters', async () => {
    // Invisible characters are dropped (a bidi override in 'Bob\u202Eevil' leaves 'Bobevil'), so
    // a nickname of nothing else is empty.
    for (const bad of ['   ', 'x'.repeat(25), '🦓'.repeat(13), '\u202E\u200D', 'bell\u0007']) {
      const { response } = await tryJoin(t.app, activity.code, bad);
      expect(response.status, JSON.stringify(bad)).toBe(400);
      expect(response.text).toContain('Choose a nickname of 1 to 24 characters');
    }
    expect(t.activities.students(activity.id)).toHaveLength(0);
  });

  it('needs the CSRF token to join', async () => {
    const response = await request.agent(t.app).post('/join').type('form').send({ code: activity.code, nickname: 'NoToken' });
    expect(response.status).toBe(403);
    expect(t.activities.students(activity.id)).toHaveLength(0);
  });

  // 30 joins and 40 saves at once take seconds on a loaded two-core machine: more than the 5 s default.
  it('lets 30 students join at once and tag concurrently', async () => {
    // Codes typed as students do: lower case, with a space or a dash.
    const typed = [activity.code, activity.code.toLowerCase(), `${activity.code.slice(0, 3)} ${activity.code.slice(3)}`, `${activity.code.slice(0, 3)}-${activity.code.slice(3)}`];
    students = await Promise.all(Array.from({ length: CLASS_SIZE }, (_, i) => joinAs(t.app, typed[i % typed.length] ?? activity.code, nickname(i))));
    expect(t.activities.students(activity.id)).toHaveLength(CLASS_SIZE);
    const s = bloc + 1;
    const responses = await Promise.all(
      students.flatMap((student, i) => {
        // Everyone tags "Western bloc's": half as a label, half as loaded wording.
        const posts = [student.post(`/lesson/sentences/${s}/tags`, tagForm(activity, bloc, 'Western', "bloc's", i % 2 === 0 ? 'loaded-label' : 'loaded-wording'))];
        // A third also tags "presumably" as doubt words.
        if (i < 10) posts.push(student.post(`/lesson/sentences/${indicated + 1}/tags`, tagForm(activity, indicated, 'presumably', 'presumably', 'hedge')));
        return posts;
      }),
    );
    for (const r of responses) expect(r.status, r.text).toBe(303);
    const stored = t.activities.students(activity.id);
    expect(stored.reduce((n, st) => n + st.annotation.tags.length, 0)).toBe(40);
  }, 60_000);

  it('shows the right counts on the dashboard', async () => {
    const json = await teacher.agent.get(`${base}/dashboard.json`).set('accept', 'application/json');
    expect(json.status).toBe(200);
    const data = json.body;
    expect(data.joined).toBe(CLASS_SIZE);
    expect(data.tags).toBe(40);
    expect(data.students).toHaveLength(CLASS_SIZE);
    const byName = new Map<string, { tags: number; reviewed: number }>(data.students.map((s: { nickname: string; tags: number; reviewed: number }) => [s.nickname, s]));
    expect(byName.get(nickname(0))).toMatchObject({ tags: 2, reviewed: 2 });
    expect(byName.get(nickname(29))).toMatchObject({ tags: 1, reviewed: 1 });
    const western = wordIndex(activity, bloc, 'Western');
    const blocs = wordIndex(activity, bloc, "bloc's");
    expect(data.counts[bloc][western]).toBe(30);
    expect(data.counts[bloc][blocs]).toBe(30);
    expect(data.counts[bloc][blocs + 1]).toBe(0);
    expect(data.levels[bloc][western]).toBe(5);
    const presumably = wordIndex(activity, indicated, 'presumably');
    expect(data.counts[indicated][presumably]).toBe(10);
    expect(data.levels[indicated][presumably]).toBe(2);
    // Filtered by category: only the labels.
    const labels = (await teacher.agent.get(`${base}/dashboard.json?category=loaded-label`).set('accept', 'application/json')).body;
    expect(labels.counts[bloc][western]).toBe(15);
    expect(labels.counts[indicated][presumably]).toBe(0);
    // Most contested: the 15/15 split first, then "presumably" (10 of 30 tagged it).
    expect(data.contested[0]).toMatchObject({ sentence: bloc, text: "Western bloc's", tagged: 30, reason: 'split' });
    expect(data.contested[1]).toMatchObject({ sentence: indicated, text: 'presumably', tagged: 10, reason: 'half' });
    // The page itself (no script needed): the same numbers, every nickname, heat classes.
    const page = await teacher.get(`${base}?category=loaded-label`);
    expect(page.text).toContain(`<strong id="joined-count">${CLASS_SIZE}</strong>`);
    expect(page.text).toContain('<strong id="tag-count">40</strong>');
    for (let i = 0; i < CLASS_SIZE; i++) expect(page.text).toContain(`<span class="nick">${nickname(i)}</span>`);
    expect(page.text).toContain(`class="hw heat-3" data-s="${bloc}" data-w="${western}" title="15 students"`);
    expect(page.text).toContain('<button type="submit">Refresh</button>');
    expect(page.text).toContain(`data-poll="${base}/dashboard.json"`);
  });

  it('refuses a nickname already used in the activity, regardless of case and spacing', async () => {
    const { response } = await tryJoin(t.app, activity.code, ' zebra00 ');
    expect(response.status).toBe(409);
    expect(response.text).toContain('already uses that nickname');
    expect(t.activities.students(activity.id)).toHaveLength(CLASS_SIZE);
  });

  it('limits repeated joins by code and nickname while the rest of the class still joins', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await tryJoin(t.app, activity.code, nickname(1))).response.status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(409));
    expect(statuses[10]).toBe(429);
    // Same address, other nicknames: unaffected.
    hand = await joinAs(t.app, activity.code, 'Hand');
    expect(t.activities.students(activity.id)).toHaveLength(CLASS_SIZE + 1);
  });

  it('works without JavaScript: the sentence page has the word menus, category radios and definitions', async () => {
    const page = await hand.get(`/lesson/sentences/${indicated + 1}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="sentence"');
    expect(page.text).toContain('<select id="first" name="first">');
    expect(page.text).toContain('<select id="last" name="last">');
    expect(page.text).toContain('id="cat-hedge" value="hedge"');
    expect(page.text).toContain('Small words that make a statement sound less sure');
    expect(page.text).toContain('<link rel="stylesheet" href="/lesson/style.css">');
    const css = await hand.get('/lesson/style.css');
    expect(css.text).toContain('.c-hedge{--c:#b3c1ff;');
  });

  it('stores the hand-checked student’s tags: an exact match, a partial one, a confusion and an extra', async () => {
    const s = `/lesson/sentences/${indicated + 1}/tags`;
    for (const form of [
      tagForm(activity, indicated, 'indicated', 'indicated', 'reporting-verb'),
      // "forces" occurs twice: 'withdraw its forces' and 'Russian peacekeeping forces'.
      tagForm(activity, indicated, 'Russian', 'forces', 'loaded-wording', 1),
      tagForm(activity, indicated, 'presumably', 'presumably', 'loaded-wording'),
      tagForm(activity, indicated, 'Georgia', 'Ukraine', 'missing-context'),
    ]) {
      const r = await hand.post(s, form);
      expect(r.status, r.text).toBe(303);
    }
    const tags = t.activities.students(activity.id).find((x) => x.nickname === 'Hand')?.annotation.tags ?? [];
    expect(tags.map((x) => activity.article.text.slice(x.start, x.end))).toEqual([
      'indicated',
      'Russian peacekeeping forces',
      'presumably',
      'Georgia, Moldova and Ukraine',
    ]);
  });

  it('shows students only their own tags, never another nickname', async () => {
    const pages = [await hand.get('/lesson'), await hand.get(`/lesson/sentences/${bloc + 1}`), await hand.get(`/lesson/sentences/${indicated + 1}`), await hand.get('/lesson/feedback')];
    for (const page of pages) {
      expect(page.status).toBe(200);
      for (let i = 0; i < CLASS_SIZE; i++) expect(page.text).not.toContain(nickname(i));
    }
    // Hand has no tag in the "Western bloc" sentence, though all 30 others tagged it.
    expect(pages[1]?.text).toContain('None yet.');
    // Before the reveal, no reference and no rationale.
    expect(pages[3]?.text).toContain('has not revealed the reference yet');
    expect(pages[3]?.text).not.toContain('marks a guess');
    // Teacher pages are for accounts only.
    const dashboard = await hand.get(`${base}/dashboard.json`);
    expect(dashboard.status).toBe(303);
    expect(dashboard.headers.location).toMatch(/^\/signin/);
  });
});

describe('the reveal', () => {
  it('is refused to another teacher (404) and needs the CSRF token', async () => {
    expect((await other.post(`${base}/reveal`, {})).status).toBe(404);
    expect((await teacher.agent.post(`${base}/reveal`).type('form').send({})).status).toBe(403);
    expect(t.activities.activity(activity.id)?.revealedAt).toBeNull();
  });

  it('shows each student their tags beside the reference, with rationales and scores as checked by hand', async () => {
    const response = await teacher.post(`${base}/reveal`, {});
    expect(response.status).toBe(303);
    expect(t.activities.activity(activity.id)?.status).toBe('revealed');
    // The hand-checked example on the demo, all 16 reference tags counting:
    //   exact "indicated" (reporting-verb): credit 1
    //   "Russian peacekeeping forces" for "peacekeeping forces" (loaded-wording): 2 shared / 3 words = 2/3
    //   "presumably" tagged loaded-wording, reference hedge: a confusion, 0
    //   "Georgia, Moldova and Ukraine" (missing-context): extra, 0; the other 16 − 2 − 1 = 13 reference tags: missed.
    //   |S| = 4, |R| = 16, C = 1 + 2/3 = 5/3
    //   precision = (5/3)/4 = 5/12 ≈ 42%, recall = (5/3)/16 = 5/48 ≈ 10%, F1 = (10/3)/20 = 1/6 ≈ 17%
    //   reporting-verb: |S| 1, |R| 2, C 1 → P 100%, R 50%, F1 2/3 ≈ 67%
    //   loaded-wording: |S| 2, |R| 7, C 2/3 → P 33%, R 2/21 ≈ 10%, F1 (4/3)/9 = 4/27 ≈ 15%
    const stored = t.activities.students(activity.id).find((x) => x.nickname === 'Hand');
    const result = compareTags(sentenceWords(activity.article), activity.reference, stored?.annotation.tags ?? []);
    expect(result.counts).toEqual({ matched: 2, covered: 0, confusion: 1, missed: 13, extra: 1 });
    expect(result.overall.precision).toBeCloseTo(5 / 12, 10);
    expect(result.overall.recall).toBeCloseTo(5 / 48, 10);
    expect(result.overall.f1).toBeCloseTo(1 / 6, 10);
    expect(result.byCategory.get('loaded-wording')?.f1).toBeCloseTo(4 / 27, 10);

    const page = await hand.get('/lesson/feedback');
    expect(page.status).toBe(200);
    const html = page.text;
    // The student reads a summary in plain words first; precision, recall and F1 are for the teacher.
    const summary = textOf(/<div class="feedback-summary" data-summary>([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '').trim();
    expect(summary).toBe(
      'You found 2 of 16. 1 of them only in part. 1 of your tags was not in the reference. ' +
        '1 of your tags has the right words but another category. Tap any sentence to see why.',
    );
    expect(html.indexOf('data-summary')).toBeLessThan(html.indexOf('<details'));
    // In the text, not the markup: a random tag id in an attribute may hold "F1".
    expect(textOf(html)).not.toMatch(/precision|recall|\bF1\b/i);
    expect(html).not.toContain('data-scores');
    // Each sentence is one collapsed line with its tally until opened.
    expect(html).toMatch(new RegExp(`<details class="feedback-sentence" id="s${indicated + 1}">\\s*<summary><span class="sentence-no">Sentence ${indicated + 1}:</span> <span class="tally">2 found · 1 other category · 4 missed · 1 extra</span><span class="excerpt muted">Stoltenberg indicated that the bloc called on Russia during…</span></summary>`));
    expect(html).toMatch(/Partly matched<\/span>\s*You tagged “Russian peacekeeping forces”; the reference tags “peacekeeping forces” as <strong>Loaded wording<\/strong>: 67% credit/);
    expect(html).toContain('You tagged “presumably” as <strong>Loaded wording</strong>; the reference tags it as <strong>Doubt words</strong>.');
    expect(html).toMatch(/Missed<\/span>\s*The reference tags “alleged” as <strong>Doubt words<\/strong>/);
    expect(html).toMatch(/Extra<\/span>\s*You tagged “Georgia, Moldova and Ukraine” as <strong>Missing information<\/strong>/);
    // Rationales, and the class's anonymous distribution: of 31 students, 10 tagged "presumably" as doubt words, Hand as loaded wording.
    expect(html).toContain('marks a guess');
    expect(html).toContain('Class: 10 of 31 found it · 1 tagged it as Loaded wording · 20 missed it');
    for (let i = 0; i < CLASS_SIZE; i++) expect(html).not.toContain(nickname(i));
  });

  it('closes tagging after the reveal', async () => {
    const r = await hand.post(`/lesson/sentences/${bloc + 1}/tags`, tagForm(activity, bloc, 'Western', 'Western', 'loaded-label'));
    expect(r.status).toBe(403);
    expect(r.text).toContain('tagging is closed');
  });

  it('gives the teacher the same per student and for the class, and a full-screen sentence', async () => {
    const handId = t.activities.students(activity.id).find((x) => x.nickname === 'Hand')?.id;
    const one = await teacher.get(`${base}/students/${handId}`);
    expect(one.status).toBe(200);
    expect(one.text).toContain('<strong data-count="matched">2</strong>');
    expect(one.text).toContain('<strong data-count="covered">0</strong>');
    expect(one.text).toContain('<strong data-count="confusion">1</strong>');
    expect(one.text).toContain('<strong data-count="missed">13</strong>');
    expect(one.text).toContain('<strong data-count="extra">1</strong>');
    expect(one.text).toMatch(/<tr data-overall>.*<td data-precision>42%<\/td><td data-recall>10%<\/td><td data-f1>17%<\/td><\/tr>/);
    expect(one.text).toMatch(/<tr data-category="reporting-verb">.*<td>100%<\/td><td>50%<\/td><td data-f1>67%<\/td>/);
    expect(one.text).toMatch(/<tr data-category="loaded-wording">.*<td>33%<\/td><td>10%<\/td><td data-f1>15%<\/td>/);
    expect(one.text).toContain('They found 2 of 16.');
    expect(one.text).toContain(`<details class="feedback-sentence" id="s${indicated + 1}" open>`);
    expect(one.text).toContain('They tagged “presumably” as <strong>Loaded wording</strong>');
    const results = await teacher.get(`${base}/results`);
    expect(results.status).toBe(200);
    expect(results.text).toContain(`>${nickname(0)}</a>`);
    expect(results.text).toContain('Class: 10 of 31 found it · 1 tagged it as Loaded wording · 20 missed it');
    // Pooled over the class: 15 matched "Western bloc" labels + 10 "presumably" + Hand's 5/3 = 26 + 2/3 credit;
    // 30 + 10 + 4 = 44 tags; 31 × 16 = 496 reference tags → F1 = 2 × (80/3) / 540 ≈ 9.9% → 10%.
    expect(results.text).toMatch(/<tr data-overall>.*<td data-f1>10%<\/td><\/tr>/);
    const present = await teacher.get(`${base}/present/${indicated + 1}`);
    expect(present.status).toBe(200);
    expect(present.text).toContain('marks a guess');
    expect(present.text).toContain(`class="hw heat-2" data-s="${indicated}" data-w="${wordIndex(activity, indicated, 'presumably')}" title="11 students"`);
    const hidden = await teacher.get(`${base}/present/${indicated + 1}?reference=0`);
    expect(hidden.text).not.toContain('marks a guess');
  });

  it('exports the class results as CSV', async () => {
    const csv = await teacher.get(`${base}/results.csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.headers['content-disposition']).toBe('attachment; filename=Ready-made-lesson-NATO-Russia-talks-results.csv');
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('nickname,sentence,span,category,status,score,reference_span,reference_category,student_f1');
    const s = indicated + 1;
    expect(lines).toContain(`Hand,${s},indicated,reporting-verb,matched,1.000,indicated,reporting-verb,0.167`);
    expect(lines).toContain(`Hand,${s},Russian peacekeeping forces,loaded-wording,matched,0.667,peacekeeping forces,loaded-wording,0.167`);
    expect(lines).toContain(`Hand,${s},presumably,loaded-wording,confusion,0.000,presumably,hedge,0.167`);
    expect(lines).toContain(`Hand,${s},"Georgia, Moldova and Ukraine",missing-context,extra,0.000,,,0.167`);
    expect(lines).toContain(`Hand,${s},,,missed,0.000,Western-backed coup,loaded-label,0.167`);
    // 31 students × 16 reference rows each (matched, confused or missed) + the extra rows: 15 loaded-wording
    // "Western bloc's" tags (confusions, not extras) and Hand's one extra.
    expect(lines.length - 1).toBe(31 * 16 + 1);
  });
});

describe('isolation', () => {
  it('answers 404 to another teacher for everything about the activity', async () => {
    for (const path of ['', '/dashboard.json', '/qr.svg', '/reference', '/reference/1', '/results', '/results.csv', '/present/1', '/delete']) {
      expect((await other.get(`${base}${path}`)).status, path).toBe(404);
    }
    expect((await other.post(`${base}/end`, {})).status).toBe(404);
    expect((await other.post(`${base}/delete`, { confirm: 'yes', what: 'activity' })).status).toBe(404);
    expect((await other.get('/activities')).text).not.toContain(activity.id);
    expect(t.activities.activity(activity.id)?.status).toBe('revealed');
  });

  it('refuses ids that are not ids before they reach storage', async () => {
    expect((await teacher.get('/activities/..%2F..%2Fusers')).status).toBe(400);
    expect((await teacher.get(`${base}/students/..%2Fx`)).status).toBe(400);
  });

  it('keeps student data inside its activity folder', async () => {
    // Where students' records are kept: their activity's students/ folder, or the students table.
    const students = onJsonFolder ? join('activities', activity.id, 'students') : 'table students';
    const files = await snapshot(t);
    for (const [path, content] of files) {
      if (content.includes('Zebra') || content.includes('"Hand"')) expect(path.startsWith(students), path).toBe(true);
    }
  });
});

describe('the reference editor, on an activity from pasted text', () => {
  let pasted: Activity;
  it('creates an activity from pasted text with an empty reference', async () => {
    const r = await teacher.post('/activities', {
      from: 'text',
      title: 'Pasted',
      articleTitle: 'Talks',
      source: 'Daily',
      text: 'Officials allegedly held secret talks.\nThe regime crushed peaceful protests.',
      codebookId: 'starter',
    });
    expect(r.status).toBe(303);
    const found = t.activities.activities().find((a) => a.title === 'Pasted');
    if (!found) throw new Error('no activity');
    pasted = found;
    expect(pasted.article.sentences).toHaveLength(2);
    expect(pasted.reference).toEqual([]);
    // Nothing to reveal yet.
    expect((await teacher.post(`/activities/${pasted.id}/reveal`, {})).status).toBe(409);
  });

  it('adds, refuses without a rationale, edits and deletes reference tags', async () => {
    const url = `/activities/${pasted.id}/reference/1`;
    expect((await teacher.get(url)).text).toContain('id="tag-form"');
    const missing = await teacher.post(`${url}/tags`, { first: '1', last: '1', category: 'hedge', voice: 'author', rationale: '  ' });
    // A missing rationale is the teacher's input to fix (400), shown with the form, not a conflict.
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('Write a rationale');
    const added = await teacher.post(`${url}/tags`, { first: '1', last: '1', category: 'hedge', voice: 'author', rationale: 'A doubt word.' });
    expect(added.status).toBe(303);
    const tag = t.activities.activity(pasted.id)?.reference[0];
    expect(tag && pasted.article.text.slice(tag.start, tag.end)).toBe('allegedly');
    const edited = await teacher.post(`${url}/tags/${tag?.id}`, { first: '1', last: '2', category: 'hedge', voice: 'author', rationale: 'Changed.' });
    expect(edited.status).toBe(303);
    expect(t.activities.activity(pasted.id)?.reference[0]).toMatchObject({ id: tag?.id, rationale: 'Changed.' });
    expect((await other.post(`${url}/tags/${tag?.id}/delete`, {})).status).toBe(404);
    expect((await teacher.post(`${url}/tags/${tag?.id}/delete`, {})).status).toBe(303);
    expect(t.activities.activity(pasted.id)?.reference).toEqual([]);
  });

  it('deletes a whole activity after confirmation', async () => {
    expect((await teacher.post(`/activities/${pasted.id}/delete`, { what: 'activity' })).status).toBe(400);
    expect((await teacher.post(`/activities/${pasted.id}/delete`, { confirm: 'yes', what: 'activity' })).status).toBe(303);
    expect(t.activities.activity(pasted.id)).toBeUndefined();
    expect(await afterRestart(t, (again) => again.activities.activity(pasted.id))).toBeUndefined();
    // The data folder keeps no folder of it.
    if (onJsonFolder) await expect(stat(join(t.dataDir, 'activities', pasted.id))).rejects.toThrow(/ENOENT/);
    expect((await teacher.get(`/activities/${pasted.id}`)).status).toBe(404);
  });
});

describe('after the lesson', () => {
  it('ending the activity refuses the code, the short link and students’ edits', async () => {
    expect((await teacher.post(`${base}/end`, {})).status).toBe(303);
    expect(t.activities.activity(activity.id)?.status).toBe('ended');
    const { response } = await tryJoin(t.app, activity.code, 'Latecomer');
    expect(response.status).toBe(410);
    expect(response.text).toContain('This lesson has ended');
    expect((await request(t.app).get(`/j/${activity.code}`)).status).toBe(410);
    const edit = await students[0]?.post(`/lesson/sentences/${bloc + 1}/tags`, tagForm(activity, bloc, 'member', 'member', 'hedge'));
    expect(edit?.status).toBe(403);
    expect(edit?.text).toContain('This lesson has ended');
    const review = await students[0]?.post(`/lesson/sentences/1/reviewed`, { reviewed: '1' });
    expect(review?.status).toBe(403);
    expect((await teacher.post(`${base}/reference/1/tags`, { first: '0', last: '0', category: 'hedge', voice: 'author', rationale: 'x' })).status).toBe(403);
    // Feedback stays readable.
    expect((await hand.get('/lesson/feedback')).text).toContain('marks a guess');
    expect((await teacher.get(base)).text).not.toContain(`src="${base}/qr.svg"`);
  });

  it('deletes every student’s data in one confirmed action', async () => {
    const studentsDir = join(t.dataDir, 'activities', activity.id, 'students');
    // In the data folder, each student's tags are a file in the activity's students/ folder.
    if (onJsonFolder) expect((await stat(studentsDir)).isDirectory()).toBe(true);
    const confirmPage = await teacher.get(`${base}/delete`);
    expect(confirmPage.text).toContain('of <strong>31 students</strong>');
    // Without the confirmation box: refused, nothing changed.
    const before = await snapshot(t);
    expect((await teacher.post(`${base}/delete`, { what: 'students' })).status).toBe(400);
    expect(await snapshot(t)).toEqual(before);
    // Without the CSRF token: refused.
    expect((await teacher.agent.post(`${base}/delete`).type('form').send({ confirm: 'yes', what: 'students' })).status).toBe(403);
    expect(t.activities.students(activity.id)).toHaveLength(31);

    const ids = t.activities.students(activity.id).map((s) => s.id);
    const r = await teacher.post(`${base}/delete`, { confirm: 'yes', what: 'students' });
    expect(r.status).toBe(303);
    if (onJsonFolder) await expect(stat(studentsDir)).rejects.toThrow(/ENOENT/);
    expect(t.activities.students(activity.id)).toEqual([]);
    // Nothing about them remains anywhere in what is stored, sessions included.
    const after = await t.snapshot({ sessions: true });
    for (const content of after.values()) {
      expect(content).not.toMatch(/Zebra|"Hand"/);
      for (const id of ids) expect(content).not.toContain(id);
    }
    // The students' browsers are sent back to the join page.
    const home = await hand.get('/lesson');
    expect(home.status).toBe(303);
    expect(home.headers.location).toBe('/join');
    // The dashboard shows an empty, ended class; the activity and its reference remain.
    const json = (await teacher.agent.get(`${base}/dashboard.json`).set('accept', 'application/json')).body;
    expect(json).toMatchObject({ joined: 0, tags: 0, status: 'ended' });
    expect(t.activities.activity(activity.id)?.reference).toHaveLength(16);
  });

  it('reloads the same activities after a restart', async () => {
    const [reopened, students] = await afterRestart(t, (again) => [again.activities.activity(activity.id), again.activities.students(activity.id)]);
    expect(reopened).toEqual(t.activities.activity(activity.id));
    expect(students).toEqual([]);
  });
});

jsonFolderOnly('its files').describe('ActivityStore on disk', () => {
  it('stops with the path of a corrupt activity or student file', async () => {
    const copy = await makeJsonApp();
    try {
      await addUser(copy, 'tess', 'teacher');
      const tess = await signIn(copy.app, 'tess');
      expect((await tess.post('/activities', { from: 'demo' })).status).toBe(303);
      const [a] = copy.activities.activities();
      if (!a) throw new Error('no activity');
      await joinAs(copy.app, a.code, 'Kim');
      const [kim] = copy.activities.students(a.id);
      const studentFile = join(copy.dataDir, 'activities', a.id, 'students', `${kim?.id}.json`);
      const saved = await readFile(studentFile, 'utf8');
      await writeFile(studentFile, saved.replace('"Kim"', '""'));
      await expect(ActivityStore.open(copy.dataDir)).rejects.toThrow(studentFile);
      await writeFile(studentFile, '{"schemaVersion":1,');
      await expect(ActivityStore.open(copy.dataDir)).rejects.toThrow(`${studentFile} is corrupt`);
      await writeFile(studentFile, saved);
      const activityFile = join(copy.dataDir, 'activities', a.id, 'activity.json');
      await writeFile(activityFile, 'not json');
      await expect(ActivityStore.open(copy.dataDir)).rejects.toThrow(activityFile);
      await rm(activityFile);
      await expect(ActivityStore.open(copy.dataDir)).rejects.toThrow(/activity\.json is missing/);
    } finally {
      await copy.cleanup();
    }
  }, 60_000);
});
