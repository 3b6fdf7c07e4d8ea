// The summary per category: counts, top phrases (case-folded) with links to their sentences,
// filters by article and annotator, the CSV download, and blind counting for annotators.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAnnotator, expectError, expectPage, importArticle, savedTagId, tag, textOf, world, type Member, type World } from '../helpers/forms.js';

// Sentence 1: The(0) regime(1) allegedly(2) crushed(3) …   Sentence 3: Critics(0) say(1) the(2) reform(3) is(4) Allegedly(5) …
const TEXT = [
  'The regime allegedly crushed the peaceful protest.',
  'Officials said the economy is booming.',
  'Critics say the reform is Allegedly a disaster.',
].join('\n');

let w: World;
let anna: Member;
let ben: Member;
let x = '';
let y = '';
beforeAll(async () => {
  w = await world();
  anna = await addAnnotator(w, 'anna');
  ben = await addAnnotator(w, 'ben');
  x = await importArticle(w.researcher, w.projectId, { title: 'Article X', text: TEXT });
  y = await importArticle(w.researcher, w.projectId, { title: 'Article Y', text: TEXT });
  savedTagId(await tag(anna, x, 1, { first: 2, last: 2, category: 'hedge' }));
  savedTagId(await tag(anna, x, 1, { first: 1, last: 1, category: 'loaded-label' }));
  savedTagId(await tag(ben, x, 3, { first: 5, last: 5, category: 'hedge' }));
  savedTagId(await tag(anna, y, 1, { first: 2, last: 2, category: 'hedge' }));
});
afterAll(async () => {
  await w.t.cleanup();
});

const summaryUrl = (query = '') => `/projects/${w.projectId}/summary${query}`;
const csvUrl = (query = '') => `/projects/${w.projectId}/summary.csv${query}`;

/** The table row of one category: its counts and the phrase list. */
function row(html: string, category: string): string {
  const match = new RegExp(`<tr>\\s*<th scope="row"><span class="swatch c-${category}"></span>[\\s\\S]*?</tr>`).exec(html);
  if (!match) throw new Error(`no row for ${category}`);
  return match[0];
}

/** Tags, articles, annotators, sentences of a category row. */
function counts(html: string, category: string): number[] {
  return [...row(html, category).matchAll(/<td>(\d+)<\/td>/g)].map((m) => Number(m[1]));
}

interface CsvRow {
  category: string;
  category_name: string;
  tags: string;
  articles: string;
  annotators: string;
  sentences: string;
  phrase: string;
  phrase_count: string;
}
const csvRows = (text: string) => parse(text, { columns: true }) as CsvRow[];

describe('the summary page', () => {
  it('counts tags, articles, annotators and sentences per category', async () => {
    const html = expectPage(await w.researcher.get(summaryUrl()));
    expect(counts(html, 'hedge')).toEqual([3, 2, 2, 3]);
    expect(counts(html, 'loaded-label')).toEqual([1, 1, 1, 1]);
    expect(counts(html, 'emphasis')).toEqual([0, 0, 0, 0]);
    // The bar chart carries the same numbers.
    expect(html).toContain('<title>Hedge / doubt marker: 3</title>');
  });

  it('lists the top phrases case-folded, each with links to its sentences', async () => {
    const hedge = row(expectPage(await w.researcher.get(summaryUrl())), 'hedge');
    expect(textOf(hedge)).toContain('“allegedly” × 3');
    expect(hedge).not.toContain('“Allegedly”');
    for (const [article, n] of [[x, 1], [x, 3], [y, 1]] as const) {
      expect(hedge).toContain(`<a href="/articles/${article}/sentences/${n}">${n}</a>`);
    }
    expect(textOf(row(expectPage(await w.researcher.get(summaryUrl())), 'loaded-label'))).toContain('“regime” × 1');
  });

  it('filters by article, by annotator and by both', async () => {
    let html = expectPage(await w.researcher.get(summaryUrl(`?article=${y}`)));
    expect(counts(html, 'hedge')).toEqual([1, 1, 1, 1]);
    expect(counts(html, 'loaded-label')).toEqual([0, 0, 0, 0]);
    expect(html).toContain(`<option value="${y}" selected>Article Y</option>`);
    expect(html).toContain(`href="/projects/${w.projectId}/summary.csv?article=${y}"`);

    html = expectPage(await w.researcher.get(summaryUrl(`?annotator=${ben.id}`)));
    expect(counts(html, 'hedge')).toEqual([1, 1, 1, 1]);
    const hedge = row(html, 'hedge');
    expect(hedge).toContain(`/articles/${x}/sentences/3`);
    expect(hedge).not.toContain(`/articles/${x}/sentences/1`);
    expect(html).toContain(`<option value="${ben.id}" selected>ben</option>`);

    html = expectPage(await w.researcher.get(summaryUrl(`?article=${x}&annotator=${anna.id}`)));
    expect(counts(html, 'hedge')).toEqual([1, 1, 1, 1]);
    expect(counts(html, 'loaded-label')).toEqual([1, 1, 1, 1]);

    html = expectPage(await w.researcher.get(summaryUrl(`?article=${y}&annotator=${ben.id}`)));
    expect(counts(html, 'hedge')).toEqual([0, 0, 0, 0]);
    // An empty filter means "all".
    expect(counts(expectPage(await w.researcher.get(summaryUrl('?article=&annotator='))), 'hedge')).toEqual([3, 2, 2, 3]);
  });

  it('refuses a malformed filter with 400', async () => {
    expectError(await w.researcher.get(summaryUrl('?article=../etc')), 400, 'Invalid article.');
    expectError(await w.researcher.get(csvUrl('?annotator=a%20b')), 400, 'Invalid annotator.');
  });

  it('shows the article’s own summary on its page', async () => {
    const html = expectPage(await w.researcher.get(`/articles/${x}`));
    expect(counts(html, 'hedge')).toEqual([2, 1, 2, 2]);
    expect(textOf(row(html, 'hedge'))).toContain('“allegedly” × 2');
  });
});

describe('the CSV download', () => {
  it('has one row per category and top phrase, with the counts', async () => {
    const res = await w.researcher.get(csvUrl());
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="?Demo-NATO-Russia-talks-summary\.csv"?$/);
    const rows = csvRows(res.text);
    expect(Object.keys(rows[0] ?? {})).toEqual(['category', 'category_name', 'tags', 'articles', 'annotators', 'sentences', 'phrase', 'phrase_count']);
    expect(rows.filter((r) => r.category === 'hedge')).toEqual([
      { category: 'hedge', category_name: 'Hedge / doubt marker', tags: '3', articles: '2', annotators: '2', sentences: '3', phrase: 'allegedly', phrase_count: '3' },
    ]);
    expect(rows.find((r) => r.category === 'loaded-label')).toMatchObject({ tags: '1', phrase: 'regime', phrase_count: '1' });
    // Untagged categories still get a row, with no phrase.
    expect(rows.find((r) => r.category === 'emphasis')).toMatchObject({ tags: '0', phrase: '', phrase_count: '' });
    expect(rows.map((r) => r.category).filter((c, i, all) => all.indexOf(c) === i)).toHaveLength(12);
  });

  it('applies the same filters', async () => {
    const byBen = csvRows((await w.researcher.get(csvUrl(`?annotator=${ben.id}`))).text);
    expect(byBen.find((r) => r.category === 'hedge')).toMatchObject({ tags: '1', phrase: 'allegedly', phrase_count: '1' });
    expect(byBen.find((r) => r.category === 'loaded-label')).toMatchObject({ tags: '0', phrase: '' });
    const onY = csvRows((await w.researcher.get(csvUrl(`?article=${y}`))).text);
    expect(onY.find((r) => r.category === 'hedge')).toMatchObject({ tags: '1', articles: '1' });
  });
});

describe('blind counting', () => {
  it('counts only an annotator’s own tags while the project is blind', async () => {
    const html = expectPage(await anna.get(summaryUrl()));
    expect(html).toContain('Blind annotation: this summary counts only your own tags.');
    expect(counts(html, 'hedge')).toEqual([2, 2, 1, 2]);
    expect(row(html, 'hedge')).not.toContain(`/articles/${x}/sentences/3`);
    // Ben is not even offered as a filter, and filtering by him shows nothing.
    expect(html).not.toContain(`value="${ben.id}"`);
    expect(counts(expectPage(await anna.get(summaryUrl(`?annotator=${ben.id}`))), 'hedge')).toEqual([0, 0, 0, 0]);
    const csv = csvRows((await anna.get(csvUrl())).text);
    expect(csv.find((r) => r.category === 'hedge')).toMatchObject({ tags: '2', annotators: '1' });
    // Ben's own view.
    expect(counts(expectPage(await ben.get(summaryUrl())), 'hedge')).toEqual([1, 1, 1, 1]);
  });
});
