// Suggestions in the sentence editor over HTTP: off by default, switched on per project (and for
// half the annotators in a split design), accepted as tags that record their origin, rejected
// and stored, gone from reviewed sentences, and carried by the exports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type request from 'supertest';
import { addAnnotator, expectPage, importArticle, tag, world, type Member, type World } from '../helpers/forms.js';
import type { Agent } from '../helpers/app.js';
import { parse } from '../../server/storage/schemas.js';

const TEXT = ['The minister allegedly hid the so-called reforms, critics claimed.', 'The weather was mild on Tuesday.', 'Officials reportedly met again.'].join('\n');

let w: World;
let anna: Member;
let id = '';
beforeAll(async () => {
  w = await world();
  anna = await addAnnotator(w, 'anna');
  id = await importArticle(w.researcher, w.projectId, { title: 'Reforms', text: TEXT });
});
afterAll(async () => {
  await w.t.cleanup();
});

const url = (n: number) => `/articles/${id}/sentences/${n}`;
const annotation = (userId: string) => w.t.store.readAnnotation(id, userId);
const keyOf = (html: string, text: string): string => {
  const li = [...html.matchAll(/<li data-suggestion="s\d+">([\s\S]*?)<\/li>/g)].find((m) => (m[1] ?? '').includes(`“${text}”`));
  const key = /name="suggestion" value="([^"]+)"/.exec(li?.[1] ?? '')?.[1];
  if (!key) throw new Error(`no suggestion “${text}” on the page`);
  return key;
};

function settings(mode: string, split = false): Record<string, string> {
  const project = w.t.store.project(w.projectId);
  return {
    description: project?.description ?? '',
    codebookId: project?.codebookId ?? 'framing',
    mode: 'all',
    perArticle: '2',
    suggestions: mode,
    ...(split ? { split: '1' } : {}),
  };
}

async function script(a: Agent, path: string, form: Record<string, string>): Promise<request.Response> {
  const token = await a.csrf();
  return a.agent.post(path).type('form').set('Accept', 'application/json').send({ _csrf: token, ...form });
}

describe('suggestions in the sentence editor', () => {
  it('are off by default: no outlines, no list, and the project page says nothing about them', async () => {
    expect(w.t.store.project(w.projectId)?.suggestions).toBeUndefined();
    const html = expectPage(await anna.get(url(1)));
    expect(html).not.toContain('class="ghost');
    expect(html).not.toContain('id="suggestions"');
    expect(expectPage(await anna.get(`/projects/${w.projectId}`))).not.toContain('Framing suggestions are on');
  });

  it('a researcher switches them on; a blind project’s page then says so to its annotators', async () => {
    expect((await anna.post(`/projects/${w.projectId}/settings`, settings('rules'))).status).toBe(403);
    expect((await w.researcher.post(`/projects/${w.projectId}/settings`, settings('rules'))).status).toBe(303);
    expect(w.t.store.project(w.projectId)?.suggestions).toMatchObject({ mode: 'rules', split: false });
    const page = expectPage(await anna.get(`/projects/${w.projectId}`));
    expect(page).toContain('Framing suggestions are on');
    expect(page).toContain('blind study');
    expect(page).toContain('You see suggestions');
    expect((await w.researcher.post(`/projects/${w.projectId}/settings`, { ...settings('sometimes') })).status).toBe(400);
  });

  it('shows them as dashed outlines with their category, and as a list with Accept and Reject', async () => {
    const html = expectPage(await anna.get(url(1)));
    expect(html).toMatch(/<span class="ghost c-hedge[^"]*" data-suggestion="s\d+">/);
    expect(html).toContain('data-label="Hedge / doubt marker"');
    expect(html).toContain('<form method="post" action="' + url(1) + '/suggestions/accept" id="suggestion-accept"');
    for (const text of ['allegedly', 'so-called', 'claimed']) expect(keyOf(html, text)).toMatch(/^\d+-\d+-rules-/);
    // A sentence with nothing to suggest has no list.
    expect(expectPage(await anna.get(url(2)))).not.toContain('suggestion-list');
  });

  it('Accept (plain form) stores a tag with its origin and opens it in the form to adjust', async () => {
    const key = keyOf(expectPage(await anna.get(url(1))), 'allegedly');
    const res = await anna.post(`${url(1)}/suggestions/accept`, { suggestion: key });
    expect(res.status).toBe(303);
    const stored = (await annotation(anna.id)).tags.find((t) => TEXT.slice(t.start, t.end) === 'allegedly');
    expect(stored).toMatchObject({ category: 'hedge', voice: 'author', intensity: null, origin: { kind: 'suggestion', suggester: 'rules', adjusted: false } });
    expect(stored?.origin?.kind === 'suggestion' && stored.origin.score).toBeGreaterThanOrEqual(0.5);
    expect(res.headers.location).toBe(`${url(1)}?edit=${stored?.id}&saved=${stored?.id}&done=${/done=([^#]+)/.exec(res.headers.location ?? '')?.[1]}#sentence`);
    const page = expectPage(await anna.get(res.headers.location?.replace('#sentence', '') ?? ''));
    expect(page).toContain(`data-editing="${stored?.id}"`);
    expect(page).toContain('Save changes');
    // The accepted one is no longer offered; the others still are.
    expect(() => keyOf(page, 'allegedly')).toThrow();
    expect(keyOf(page, 'claimed')).toBeTruthy();
  });

  it('adjusting an accepted tag’s span keeps its origin and marks it adjusted', async () => {
    const stored = (await annotation(anna.id)).tags.find((t) => TEXT.slice(t.start, t.end) === 'allegedly');
    // Words: The(0) minister(1) allegedly(2) hid(3)
    const res = await anna.post(`${url(1)}/tags/${stored?.id}`, { first: '2', last: '3', category: 'hedge', voice: 'author', intensity: '', note: '' });
    expect(res.status).toBe(303);
    const after = (await annotation(anna.id)).tags.find((t) => t.id === stored?.id);
    expect(TEXT.slice(after?.start ?? 0, after?.end ?? 0)).toBe('allegedly hid');
    expect(after?.origin).toMatchObject({ kind: 'suggestion', suggester: 'rules', adjusted: true });
  });

  it('Reject stores the rejection (annotator, article, sentence, span, category, suggester) and hides it', async () => {
    const key = keyOf(expectPage(await anna.get(url(1))), 'claimed');
    const res = await anna.post(`${url(1)}/suggestions/reject`, { suggestion: key });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${url(1)}#sentence`);
    const [rejection] = (await annotation(anna.id)).rejected ?? [];
    expect(rejection).toMatchObject({ sentence: 0, category: 'reporting-verb', suggester: 'rules' });
    expect(TEXT.slice(rejection?.start ?? 0, rejection?.end ?? 0)).toBe('claimed');
    const page = expectPage(await anna.get(url(1)));
    expect(() => keyOf(page, 'claimed')).toThrow();
    // A second reject of the same one (another tab) is refused and stores nothing more.
    const again = await anna.post(`${url(1)}/suggestions/reject`, { suggestion: key });
    expect(again.status).toBe(409);
    expect(again.text).toContain('no longer offered');
    expect((await annotation(anna.id)).rejected).toHaveLength(1);
  });

  it('the script’s Accept answers with the region, the new tag open in the form; Reject with the parts', async () => {
    const key = keyOf(expectPage(await anna.get(url(1))), 'so-called');
    const res = await script(anna, `${url(1)}/suggestions/accept`, { suggestion: key });
    expect(res.status).toBe(200);
    const body = res.body as { html: string; message: string };
    const stored = (await annotation(anna.id)).tags.find((t) => TEXT.slice(t.start, t.end) === 'so-called');
    expect(body.html).toContain(`data-editing="${stored?.id}"`);
    expect(body.message).toMatch(/^Accepted: Hedge \/ doubt marker “so-called”/);
    const rejected = await script(anna, `${url(3)}/suggestions/reject`, { suggestion: keyOf(expectPage(await anna.get(url(3))), 'reportedly') });
    expect(rejected.status).toBe(200);
    expect((rejected.body as { parts: string }).parts).toContain('id="suggestions"');
    expect((rejected.body as { message: string }).message).toMatch(/^Rejected: /);
  });

  it('a manual tag records its origin as manual; a forged suggestion key is refused and changes nothing', async () => {
    expect((await tag(anna, id, 2, { first: 1, last: 1, category: 'emphasis' })).status).toBe(303);
    expect((await annotation(anna.id)).tags.find((t) => t.sentence === 1)?.origin).toEqual({ kind: 'manual' });
    const before = (await annotation(anna.id)).tags.length;
    const res = await anna.post(`${url(1)}/suggestions/accept`, { suggestion: '0-3-rules-hedge' });
    expect(res.status).toBe(409);
    expect((await annotation(anna.id)).tags).toHaveLength(before);
    expect((await anna.post(`${url(1)}/suggestions/accept`, { suggestion: 'x', extra: '1' })).status).toBe(400);
  });

  it('a sentence marked reviewed is offered no suggestions', async () => {
    const text = 'Critics allegedly doubted it.';
    const other = await importArticle(w.researcher, w.projectId, { title: 'Reviewed', text });
    expect(expectPage(await anna.get(`/articles/${other}/sentences/1`))).toContain('suggestion-list');
    expect((await anna.post(`/articles/${other}/sentences/1/reviewed`, { reviewed: '1' })).status).toBe(303);
    expect(expectPage(await anna.get(`/articles/${other}/sentences/1`))).not.toContain('suggestion-list');
  });

  it('exports carry each tag’s origin (CSV and JSONL)', async () => {
    const csv = await w.researcher.get(`/projects/${w.projectId}/export/csv`);
    expect(csv.status).toBe(200);
    const lines = csv.text.trim().split('\n');
    // The gold layer's five provenance columns close every row, empty on annotators' rows.
    expect(lines[0]).toMatch(/,origin,suggester,suggestion_score,adjusted,agreed_by,auto,curator,contested,competing_categories$/);
    expect(lines.some((l) => /"?allegedly hid"?,hedge,.*,suggestion,rules,0\.\d+,1,,,,,$/.test(l))).toBe(true);
    expect(lines.some((l) => /,manual,,,,,,,,$/.test(l))).toBe(true);
    const jsonl = await w.researcher.get(`/projects/${w.projectId}/export/jsonl`);
    const records = jsonl.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.find((r) => r.text === 'so-called')).toMatchObject({ origin: 'suggestion', suggester: 'rules', adjusted: false });
  });
});

describe('split design', () => {
  it('half of the annotators see suggestions, each keeping their group', async () => {
    const ben = await addAnnotator(w, 'ben');
    const cleo = await addAnnotator(w, 'cleo');
    expect((await w.researcher.post(`/projects/${w.projectId}/settings`, settings('rules', true))).status).toBe(303);
    const groups = w.t.store.project(w.projectId)?.suggestions?.groups ?? {};
    const members = [anna, ben, cleo];
    const shown = members.filter((m) => groups[m.id] === 'shown');
    const hidden = members.filter((m) => groups[m.id] === 'hidden');
    expect(shown.length + hidden.length).toBe(3);
    expect(Math.abs(shown.length - hidden.length)).toBe(1);
    for (const m of shown) expect(expectPage(await m.get(url(3)))).toContain('id="suggestions"');
    for (const m of hidden) {
      expect(expectPage(await m.get(url(3)))).not.toContain('id="suggestions"');
      expect(expectPage(await m.get(`/projects/${w.projectId}`))).toContain('You do not see suggestions');
      // Accepting is refused to them too: nothing is offered.
      expect((await m.post(`${url(3)}/suggestions/accept`, { suggestion: '0-9-rules-hedge' })).status).toBe(409);
    }
    // A fourth annotator joins the smaller group; nobody else moves.
    const dana = await addAnnotator(w, 'dana');
    const after = w.t.store.project(w.projectId)?.suggestions?.groups ?? {};
    for (const m of members) expect(after[m.id]).toBe(groups[m.id]);
    expect(after[dana.id]).toBe(shown.length < hidden.length ? 'shown' : 'hidden');
  });
});

describe('stored data', () => {
  it('a tag stored before origins existed reads as manual; a bad origin is refused', () => {
    const file = (tag: Record<string, unknown>) => ({
      schemaVersion: 1,
      data: { articleId: 'a1', annotatorId: 'u1', reviewed: [], updatedAt: '', tags: [{ id: 't1', articleId: 'a1', annotatorId: 'u1', sentence: 0, start: 0, end: 3, category: 'hedge', voice: 'author', intensity: null, note: '', createdAt: '', updatedAt: '', ...tag }] },
    });
    expect(parse.annotation(file({})).data.tags[0]?.origin).toBeUndefined();
    expect(() => parse.annotation(file({ origin: { kind: 'suggestion', suggester: 'oracle', score: 1, adjusted: false } }))).toThrow();
    expect(() => parse.annotation(file({ origin: { kind: 'suggestion', suggester: 'rules', score: 2, adjusted: false } }))).toThrow();
  });
});

describe('the agreement page', () => {
  it('compares suggested and manual tags, the split groups, and the suggestions’ live quality', async () => {
    const html = expectPage(await w.researcher.get(`/projects/${w.projectId}/agreement`));
    expect(html).toContain('Suggestions and their influence');
    expect(html).toContain('id="origin-agreement"');
    expect(html).toContain('id="split-design"');
    const quality = /<table class="agreement" id="suggestion-quality">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
    // anna accepted two hedges (one adjusted) and rejected one reporting verb and one hedge.
    expect(quality).toMatch(/<th scope="row">rules<\/th><td><span class="swatch c-hedge"><\/span> Hedge \/ doubt marker<\/td><td>2<\/td><td>1<\/td><td>1<\/td><td>0\.667<\/td>/);
    expect(quality).toMatch(/<th scope="row">rules<\/th><td><span class="swatch c-reporting-verb"><\/span> [^<]+<\/td><td>0<\/td><td>0<\/td><td>1<\/td><td>0\.000<\/td>/);
    expect(expectPage(await w.researcher.get(`/projects/${w.projectId}/agreement`))).toContain('id="suggestion-quality"');
  });
});
