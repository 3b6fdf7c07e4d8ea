// Curation over HTTP, with plain forms: three annotators tag the demo article, the researcher
// runs the automatic merge, then accepts, rejects, edits, adds, marks contested and curated;
// settings, named curators, anonymised names, the dashboard, contested list, quality and feedback
// pages; annotators of a blind project get 404 on every curation URL.
import { parse } from 'csv-parse/sync';
import { strFromU8, unzipSync } from 'fflate';
import type request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../helpers/app.js';
import { addUser, signIn } from '../helpers/app.js';
import { addAnnotator, bodyOf, expectPage, savedTagId, tag, textOf, world, type Member, type World } from '../helpers/forms.js';

let w: World;
let anna: Member;
let ben: Member;
let cy: Member;
let d = '';
const s = (n: number) => `/curation/articles/${d}/sentences/${n}`;
const base = () => `/projects/${w.projectId}/curation`;
const gold = () => w.t.store.curation.gold(d);

beforeAll(async () => {
  w = await world();
  anna = await addAnnotator(w, 'anna');
  ben = await addAnnotator(w, 'ben');
  cy = await addAnnotator(w, 'cy');
  d = w.demoArticleId;
  // Sentence 1: all three tag "Western alliance" as a loaded label (a majority: the merge takes it).
  for (const m of [anna, ben, cy]) savedTagId(await tag(m, d, 1, { first: 32, last: 33, category: 'loaded-label' }));
  // Sentence 3: anna and ben scare quotes, cy a hedge on the same words (contested later).
  savedTagId(await tag(anna, d, 3, { first: 5, last: 8, category: 'scare-quotes' }));
  savedTagId(await tag(ben, d, 3, { first: 5, last: 8, category: 'scare-quotes' }));
  savedTagId(await tag(cy, d, 3, { first: 5, last: 8, category: 'hedge' }));
  // Sentence 4: anna alone tags "demands".
  savedTagId(await tag(anna, d, 4, { first: 18, last: 18, category: 'loaded-language' }));
  for (const m of [ben, cy]) expect((await m.post(`/articles/${d}/sentences/4/reviewed`, { reviewed: '1' })).status).toBe(303);
});

async function body(a: Agent, path: string): Promise<{ res: request.Response; text: string; bytes: Buffer }> {
  const { res, bytes } = await bodyOf(a, path);
  expect(res.status, bytes.toString('utf8').slice(0, 200)).toBe(200);
  return { res, text: bytes.toString('utf8'), bytes };
}

async function zip(a: Agent, path: string): Promise<Record<string, string>> {
  const { bytes } = await body(a, path);
  return Object.fromEntries(Object.entries(unzipSync(new Uint8Array(bytes))).map(([name, data]) => [name, strFromU8(data)]));
}

afterAll(async () => {
  await w.t.cleanup();
});

describe('curation', () => {
  it('annotators of a blind project get 404 on every curation URL and see no gold', async () => {
    const urls = [base(), `${base()}/contested`, `${base()}/quality`, `${base()}/feedback/${anna.id}`, s(1)];
    for (const url of urls) expect((await anna.get(url)).status, url).toBe(404);
    const posts = [`${base()}/merge`, `${base()}/settings`, `${s(1)}/candidates/accept`, `${s(1)}/tags`, `${s(1)}/curated`, `/curation/articles/${d}/finish`];
    for (const url of posts) expect((await anna.post(url, {})).status, url).toBe(404);
    const page = expectPage(await anna.get(`/projects/${w.projectId}`));
    expect(page).not.toContain('/curation');
  });

  it('the automatic merge pre-fills gold with majority spans, marked auto', async () => {
    const merged = await w.researcher.post(`${base()}/merge`, {});
    expect(merged.status).toBe(303);
    const spans = gold().spans;
    expect(spans.map((x) => [x.sentence, x.category, x.status]).sort()).toEqual([
      [0, 'loaded-label', 'auto'],
      [2, 'scare-quotes', 'auto'],
    ]);
    const dash = textOf(expectPage(await w.researcher.get(base())));
    expect(dash).toContain('2 auto spans not yet confirmed');
  });

  it('shows the sentence once, gold on top, a row per annotator, candidates with counts', async () => {
    const html = expectPage(await w.researcher.get(s(3)));
    const text = textOf(html);
    expect(text).toContain('Curation: sentence 3');
    expect(html).toMatch(/<tr class="gold-row"><th scope="row">Gold/);
    for (const name of ['anna', 'ben', 'cy']) expect(html).toContain(`<th scope="row">${name}`);
    expect(text).toMatch(/Distancing quotes: “will make every effort” 2 of 3 \(/);
    expect(text).toMatch(/Hedge \/ doubt marker: “will make every effort” 1 of 3 \(cy\)/);
  });

  it('accepts, rejects, edits, adds, contests and curates, keeping provenance and history', async () => {
    const [s1] = gold().spans.filter((x) => x.sentence === 0);
    // Accept the auto span of sentence 1.
    const accept = await w.researcher.post(`${s(1)}/candidates/accept`, { start: String(s1!.start), end: String(s1!.end), category: 'loaded-label' });
    expect(accept.status).toBe(303);
    expect(gold().spans.find((x) => x.id === s1!.id)?.status).toBe('accepted');
    // Edit it: a note and intensity, through the shared editor's form.
    const edited = await w.researcher.post(`${s(1)}/tags/${s1!.id}`, { first: '32', last: '33', category: 'loaded-label', voice: 'author', intensity: '2', note: 'clear case' });
    expect(edited.status).toBe(303);
    const after = gold().spans.find((x) => x.id === s1!.id)!;
    expect([after.status, after.note, after.intensity, after.sources.length]).toEqual(['edited', 'clear case', 2, 3]);
    expect(gold().history.filter((e) => e.span === s1!.id).map((e) => e.action)).toEqual(['merge-add', 'accept', 'edit']);
    // Reject anna's lone candidate on sentence 4, add a span nobody tagged.
    const lone = (await (await import('../../server/web/curation.js')).sentenceContext(w.t.store, w.t.store.project(w.projectId)!, w.t.store.article(d)!, 3)).candidates[0]!;
    expect((await w.researcher.post(`${s(4)}/candidates/reject`, { start: String(lone.start), end: String(lone.end), category: lone.category })).status).toBe(303);
    expect(gold().rejections.some((r) => r.sentence === 3 && r.category === 'loaded-language')).toBe(true);
    expect((await w.researcher.post(`${s(4)}/tags`, { first: '1', last: '2', category: 'emphasis', voice: 'author', intensity: '', note: 'nobody saw it' })).status).toBe(303);
    expect(gold().spans.find((x) => x.sentence === 3)?.status).toBe('added');
    // Contest sentence 3's candidate between scare quotes and hedge.
    const [s3] = gold().spans.filter((x) => x.sentence === 2);
    const contest = await w.researcher.post(`${s(3)}/candidates/contest`, { start: String(s3!.start), end: String(s3!.end), category: 'scare-quotes', competing: ['hedge'], reason: 'irony or doubt?' });
    expect(contest.status).toBe(303);
    const c = gold().spans.find((x) => x.id === s3!.id)!;
    expect([c.status, c.contest?.categories, c.contest?.reason]).toEqual(['contested', ['scare-quotes', 'hedge'], 'irony or doubt?']);
    // Mark sentence 1 curated: on to the next sentence needing attention (3; 2 nobody reviewed).
    const curated = await w.researcher.post(`${s(1)}/curated`, { curated: '1' });
    expect(curated.status).toBe(303);
    expect(curated.headers.location).toBe(`${s(3)}#sentence`);
    // Re-running the merge changes no decision.
    const before = JSON.stringify(gold().spans);
    expect((await w.researcher.post(`${base()}/merge`, {})).status).toBe(303);
    expect(JSON.stringify(gold().spans)).toBe(before);
    // The contested list and the dashboard count it.
    const list = textOf(expectPage(await w.researcher.get(`${base()}/contested`)));
    expect(list).toContain('irony or doubt?');
    expect(textOf(expectPage(await w.researcher.get(base())))).toContain('1 contested');
  });

  it('a refused change says why and changes nothing', async () => {
    const before = JSON.stringify(gold());
    const bad = await w.researcher.post(`${s(3)}/candidates/contest`, { start: '1', end: '2', category: 'hedge', competing: [], reason: '' });
    expect(bad.status).toBe(409);
    expect(JSON.stringify(gold())).toBe(before);
  });

  it('quality and feedback pages compare annotators with curated gold', async () => {
    for (const n of [3, 4]) expect((await w.researcher.post(`${s(n)}/curated`, { curated: '1' })).status).toBe(303);
    const q = textOf(expectPage(await w.researcher.get(`${base()}/quality`)));
    expect(q).toContain('anna');
    expect(q).toMatch(/All categories/);
    const f = textOf(expectPage(await w.researcher.get(`${base()}/feedback/${cy.id}`)));
    expect(f).toContain('cy beside gold');
  });

  it('settings: k, overlap, anonymised names, named curators (annotators only once the project is open)', async () => {
    await addUser(w.t, 'carla', 'researcher');
    const saved = await w.researcher.post(`${base()}/settings`, { agree: '2', overlap: '0.5', anonymise: '1', curators: 'carla, ben' });
    expect(saved.status).toBe(303);
    expect(w.t.store.project(w.projectId)?.curation).toMatchObject({ agree: 2, overlap: 0.5, anonymise: true });
    const carla = await signIn(w.t.app, 'carla');
    const page = expectPage(await carla.get(s(3)));
    expect(page).toContain('<th scope="row">Annotator 1');
    expect(page).not.toContain('<th scope="row">anna');
    expect((await ben.get(s(3))).status).toBe(404);
    const bad = await w.researcher.post(`${base()}/settings`, { agree: 'most', overlap: '', curators: '' });
    expect(bad.status).toBe(400);
    expect((await w.researcher.post(`${base()}/settings`, { agree: 'majority', overlap: '', curators: 'nobody-here' })).status).toBe(400);
    expect(w.t.store.project(w.projectId)?.curation?.agree).toBe(2);
  });

  it('gold appears in every export, with provenance; soft labels; gold JSONL round trip', async () => {
    const exp = (f: string) => `/projects/${w.projectId}/export/${f}`;
    const spans = gold().spans;
    const csv = parse((await body(w.researcher, exp('csv'))).text, { columns: true }) as Record<string, string>[];
    const goldRows = csv.filter((r) => r.annotator === 'gold');
    expect(goldRows).toHaveLength(spans.length);
    const contested = goldRows.find((r) => r.contested === 'true')!;
    expect(contested.competing_categories).toBe('scare-quotes|hedge');
    expect(contested.agreed_by?.split('|')).toHaveLength(2);
    expect(goldRows.find((r) => r.category === 'loaded-label')).toMatchObject({ auto: 'false', curator: 'rita', agreed_by: 'anna|ben|cy' });
    expect(csv.filter((r) => r.annotator !== 'gold').every((r) => r.auto === '')).toBe(true);
    const jsonl = (await body(w.researcher, exp('jsonl'))).text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(jsonl.filter((r) => r.annotator === 'gold' && r.contested === true)[0]?.competing_categories).toEqual(['scare-quotes', 'hedge']);
    const brat = await zip(w.researcher, exp('brat'));
    expect(Object.keys(brat).some((n) => n.endsWith('/gold.ann'))).toBe(true);
    const conll = await zip(w.researcher, exp('conll'));
    expect(Object.keys(conll).some((n) => n.endsWith('/gold.conll'))).toBe(true);
    const reliability = await zip(w.researcher, exp('reliability'));
    expect(reliability['reliability-loaded-label.csv']?.split('\n')[0]).toContain('gold');
    const soft = await zip(w.researcher, exp('soft-labels'));
    const items = Object.values(JSON.parse(soft['soft-labels-sentences.json']!) as Record<string, { soft_label: Record<string, number>; other_info: { sentence: number; category: string } }>);
    const s1 = items.find((i) => i.other_info.sentence === 1 && i.other_info.category === 'loaded-label')!;
    expect(s1.soft_label).toEqual({ '1': 1 });
    const s3 = items.find((i) => i.other_info.sentence === 3 && i.other_info.category === 'hedge')!;
    expect(s3.soft_label['1']).toBeCloseTo(1 / 3, 10);
    // Gold JSONL: clear gold, import it back, and it is the same.
    const exported = (await body(w.researcher, exp('gold'))).text;
    const before = JSON.stringify(gold());
    await w.t.store.curation.replace(d, { articleId: d, spans: [], rejections: [], curated: [], finished: null, history: [], updatedAt: '' });
    const page = await w.researcher.get(base());
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const imported = await w.researcher.agent.post(`${base()}/import`).field('_csrf', token).attach('file', Buffer.from(exported), 'gold.jsonl');
    expect(imported.status).toBe(303);
    expect(JSON.stringify(gold())).toBe(before);
    // The tag import leaves gold's rows alone (no annotator called "gold").
    const tagImport = await w.researcher.agent.post(`/projects/${w.projectId}/import`).field('_csrf', token).attach('file', Buffer.from(jsonl.map((r) => JSON.stringify(r)).join('\n')), 'tags.jsonl');
    expect(tagImport.status).toBe(200);
    expect(w.t.store.users.data.data.users.some((u) => u.name === 'gold')).toBe(false);
  });

  it('the agreement report can take gold as one more annotator (each annotator with gold)', async () => {
    const plain = (await w.researcher.get(`/projects/${w.projectId}/agreement.json`)).body as { annotators: number };
    const withGold = (await w.researcher.get(`/projects/${w.projectId}/agreement.json?gold=1`)).body as { annotators: number; rows: { scope: string }[] };
    expect(withGold.annotators).toBe(plain.annotators + 1);
    const page = expectPage(await w.researcher.get(`/projects/${w.projectId}/agreement?gold=1`));
    expect(page).toContain('<th scope="row">gold</th>');
  });
});
