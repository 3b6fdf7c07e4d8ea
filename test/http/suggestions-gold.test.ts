// The live quality of suggestions against curated gold, over HTTP: before curation the agreement
// page scores the rule suggestions against the tags the annotators agree on; once a curator
// settles a sentence, gold replaces the agreed tags there (a tag nobody agreed on becomes
// reference, an agreed one nobody kept in gold stops being one), the page says which reference
// it used, and every figure equals a plain overlap-credit computation written here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Range } from '../../server/core/model.js';
import { words } from '../../server/core/segmentation.js';
import { makeSuggesters, suggestArticle } from '../../server/core/suggest/index.js';
import { addAnnotator, expectPage, importArticle, redirectId, savedTagId, tag, textOf, world, type Member, type World } from '../helpers/forms.js';

const TEXT = ['The minister allegedly hid the reforms, critics claimed.', 'The weather was mild on Tuesday.', 'Officials reportedly met again.'].join('\n');

let w: World;
let anna: Member;
let ben: Member;
let projectId = '';
let id = '';

/** The 0-based index of `word` among sentence `n`'s (1-based) words. */
function wordAt(n: number, word: string): number {
  const article = w.t.store.article(id)!;
  const index = words(article.text, article.sentences[n - 1]!).findIndex((r) => article.text.slice(r.start, r.end) === word);
  if (index < 0) throw new Error(`no “${word}” in sentence ${n}`);
  return index;
}

beforeAll(async () => {
  w = await world();
  projectId = redirectId(await w.researcher.post('/projects', { name: 'Gold study', description: '', codebookId: 'framing' }), '/projects');
  anna = await addAnnotator(w, 'anna', projectId);
  ben = await addAnnotator(w, 'ben', projectId);
  id = await importArticle(w.researcher, projectId, { title: 'Reforms', text: TEXT });
  const settings = { description: '', codebookId: 'framing', mode: 'all', perArticle: '2', suggestions: 'rules' };
  expect((await w.researcher.post(`/projects/${projectId}/settings`, settings)).status).toBe(303);
  // Both annotators tag "allegedly" as a hedge (agreed); only anna tags "reportedly" (not agreed).
  for (const m of [anna, ben]) savedTagId(await tag(m, id, 1, { first: wordAt(1, 'allegedly'), last: wordAt(1, 'allegedly'), category: 'hedge' }));
  savedTagId(await tag(anna, id, 3, { first: wordAt(3, 'reportedly'), last: wordAt(3, 'reportedly'), category: 'hedge' }));
  for (const m of [anna, ben]) for (const n of [1, 2, 3]) expect((await m.post(`/articles/${id}/sentences/${n}/reviewed`, { reviewed: '1' })).status).toBe(303);
});

afterAll(async () => {
  await w.t.cleanup();
});

interface Row {
  precision: string;
  recall: string;
  f1: string;
  counts: string;
}

/** The agreement page's live quality rows of the rules suggester, by category id, and its reference line. */
async function quality(): Promise<{ rows: Map<string, Row>; reference: string }> {
  const html = expectPage(await w.researcher.get(`/projects/${projectId}/agreement`));
  const table = /<table class="agreement" id="suggestion-quality">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  const rows = new Map<string, Row>();
  for (const m of table.matchAll(/<tr><th scope="row">rules<\/th><td><span class="swatch c-([a-z-]+)"><\/span>[^<]*<\/td>(?:<td>[^<]*<\/td>){4}\s*<td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g)) {
    rows.set(m[1]!, { precision: m[2]!, recall: m[3]!, f1: m[4]!, counts: m[5]! });
  }
  return { rows, reference: textOf(/<p id="quality-reference">[\s\S]*?<\/p>/.exec(html)?.[0] ?? '').trim() };
}

/**
 * The expected rows, computed plainly: the rule suggestions above their threshold against the
 * reference spans, per category, with SemEval-2020 Task 11 overlap credit (spans on either side
 * do not overlap each other here, so each pair's credit is its shared characters over the span's).
 */
function expected(reference: (Range & { category: string })[]): Map<string, Row> {
  const article = w.t.store.article(id)!;
  const codebook = w.t.store.codebook('framing')!;
  const suggestions = suggestArticle(article, makeSuggesters(codebook, ['rules'], null));
  const shared = (a: Range, b: Range) => Math.max(0, Math.min(a.end, b.end) - Math.max(a.start, b.start));
  const fmt = (v: number | null) => (v === null ? '—' : v.toFixed(3));
  const rows = new Map<string, Row>();
  for (const category of new Set([...suggestions.map((s) => s.category), ...reference.map((r) => r.category)])) {
    const cand = suggestions.filter((s) => s.category === category);
    const ref = reference.filter((r) => r.category === category);
    const p = cand.length === 0 ? null : cand.reduce((n, s) => n + ref.reduce((k, r) => k + shared(s, r) / (s.end - s.start), 0), 0) / cand.length;
    const r = ref.length === 0 ? null : ref.reduce((n, t) => n + cand.reduce((k, s) => k + shared(s, t) / (t.end - t.start), 0), 0) / ref.length;
    const f1 = p !== null && r !== null && p + r > 0 ? (2 * p * r) / (p + r) : 0;
    rows.set(category, { precision: fmt(p), recall: fmt(r), f1: fmt(f1), counts: `${cand.length} / ${ref.length}` });
  }
  return rows;
}

function spanOf(n: number, word: string, category: string): Range & { category: string } {
  const article = w.t.store.article(id)!;
  const r = words(article.text, article.sentences[n - 1]!)[wordAt(n, word)]!;
  return { start: r.start, end: r.end, category };
}

describe('live suggestion quality against curated gold', () => {
  it('before curation: against the annotators’ agreed tags', async () => {
    const { rows, reference } = await quality();
    expect(reference).toBe('Reference: against annotators’ agreed tags on 1 article (3 sentences).');
    // "allegedly" is agreed; anna's lone "reportedly" is not: the hedge suggestion there counts against.
    expect(rows).toEqual(expected([spanOf(1, 'allegedly', 'hedge')]));
    expect(rows.get('hedge')).toMatchObject({ precision: '0.500', recall: '1.000', counts: '2 / 1' });
  });

  it('a curated sentence uses gold: the figures change and match the plain computation', async () => {
    const s = (n: number) => `/curation/articles/${id}/sentences/${n}`;
    // The curator puts "reportedly" in gold on sentence 3 and marks it curated.
    const at = wordAt(3, 'reportedly');
    expect((await w.researcher.post(`${s(3)}/tags`, { first: String(at), last: String(at), category: 'hedge', voice: 'author', intensity: '', note: '' })).status).toBe(303);
    expect((await w.researcher.post(`${s(3)}/curated`, { curated: '1' })).status).toBe(303);
    let { rows, reference } = await quality();
    expect(reference).toBe('Reference: against curated gold on 1 article (1 sentence), annotators’ agreed tags on 1 article (2 sentences).');
    expect(rows).toEqual(expected([spanOf(1, 'allegedly', 'hedge'), spanOf(3, 'reportedly', 'hedge')]));
    expect(rows.get('hedge')).toMatchObject({ precision: '1.000', recall: '1.000', counts: '2 / 2' });

    // Sentence 1 curated with nothing in gold: the agreed "allegedly" is no longer a reference span.
    expect((await w.researcher.post(`${s(1)}/curated`, { curated: '1' })).status).toBe(303);
    ({ rows, reference } = await quality());
    expect(reference).toBe('Reference: against curated gold on 1 article (2 sentences), annotators’ agreed tags on 1 article (1 sentence).');
    expect(rows).toEqual(expected([spanOf(3, 'reportedly', 'hedge')]));
    expect(rows.get('hedge')).toMatchObject({ precision: '0.500', recall: '1.000', counts: '2 / 1' });
  });
});
