// The agreement page and its downloads: three annotators tag the demo article (agreeing on some
// sentences, not on others, some sentences reviewed with nothing to tag), the researcher reads
// per-category α with intervals, the pair matrix and the sentences to discuss.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_COLUMNS, type ReportRow } from '../../server/core/export/agreement-report.js';
import { addUser, agentFor, signIn } from '../helpers/app.js';
import {
  addAnnotator,
  expectError,
  expectPage,
  importArticle,
  redirectId,
  savedTagId,
  tag,
  textOf,
  world,
  type Member,
  type World,
} from '../helpers/forms.js';
import { capturedIo } from '../helpers/io.js';

let w: World;
let anna: Member;
let ben: Member;
let cy: Member;
let second = '';

const review = (m: Member, articleId: string, n: number) => m.post(`/articles/${articleId}/sentences/${n}/reviewed`, { reviewed: '1' });

beforeAll(async () => {
  w = await world();
  anna = await addAnnotator(w, 'anna');
  ben = await addAnnotator(w, 'ben');
  cy = await addAnnotator(w, 'cy');
  const d = w.demoArticleId;
  // Sentence 1: anna and ben agree on "Western alliance" (loaded label); cy found nothing.
  savedTagId(await tag(anna, d, 1, { first: 32, last: 33, category: 'loaded-label' }));
  savedTagId(await tag(ben, d, 1, { first: 32, last: 33, category: 'loaded-label' }));
  expect((await review(cy, d, 1)).status).toBe(303);
  // Sentence 2: everyone reviewed it and found nothing.
  for (const m of [anna, ben, cy]) expect((await review(m, d, 2)).status).toBe(303);
  // Sentence 3: scare quotes by all three (cy's span shorter); ben also a hedge.
  savedTagId(await tag(anna, d, 3, { first: 5, last: 8, category: 'scare-quotes' }));
  savedTagId(await tag(ben, d, 3, { first: 5, last: 8, category: 'scare-quotes' }));
  savedTagId(await tag(ben, d, 3, { first: 38, last: 39, category: 'hedge' }));
  savedTagId(await tag(cy, d, 3, { first: 6, last: 8, category: 'scare-quotes' }));
  // Sentence 4: anna tags "demands"; ben reviewed it and found nothing; cy never looked.
  savedTagId(await tag(anna, d, 4, { first: 18, last: 18, category: 'loaded-language', note: 'pejorative' }));
  expect((await review(ben, d, 4)).status).toBe(303);
  // Sentence 5: ben alone tags an emphasis; anna and cy found nothing.
  expect((await review(anna, d, 5)).status).toBe(303);
  savedTagId(await tag(ben, d, 5, { first: 5, last: 8, category: 'emphasis' }));
  expect((await review(cy, d, 5)).status).toBe(303);
  // A second article, tagged by anna and ben only.
  second = await importArticle(w.researcher, w.projectId, { title: 'Second article', text: 'The regime allegedly crushed the protest.\nOfficials said the economy is booming.' });
  savedTagId(await tag(anna, second, 1, { first: 2, last: 2, category: 'hedge' }));
  savedTagId(await tag(ben, second, 1, { first: 2, last: 2, category: 'hedge' }));
  expect((await review(anna, second, 2)).status).toBe(303);
  savedTagId(await tag(ben, second, 2, { first: 1, last: 1, category: 'reporting-verb' }));
}, 60_000);
afterAll(async () => {
  await w.t.cleanup();
});

const url = (suffix = '', query = '') => `/projects/${w.projectId}/agreement${suffix}${query}`;

interface JsonReport {
  annotators: number;
  rows: ReportRow[];
}
const row = (report: JsonReport, category: string, level: string, statistic: string) =>
  report.rows.find((r) => r.category === category && r.level === level && r.statistic === statistic);

describe('the agreement page', () => {
  it('shows per-category rows, the α chart, the pair matrix and the sentences to discuss', async () => {
    const html = expectPage(await w.researcher.get(url()));
    expect(html).toContain('<h1>Inter-annotator agreement</h1>');
    expect(textOf(html)).toContain('3 annotators.');
    // One row per category of the framing codebook, plus "All categories".
    const table = /<table class="agreement">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
    expect(table.match(/<th scope="row">/g)).toHaveLength(13);
    for (const name of ['Hedge / doubt marker', 'Loaded label / name', 'Distancing quotes', 'Salience by placement / repetition', 'All categories']) {
      expect(textOf(table)).toContain(name);
    }
    // The SVG chart, with a point per category whose α is defined.
    const svg = /<svg class="chart"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
    expect(svg).toContain('<title id="alpha-chart-title">');
    expect((svg.match(/<circle /g) ?? []).length).toBeGreaterThanOrEqual(5);
    expect(svg).toContain('undefined'); // categories nobody used
    // The pair matrix: annotators on both axes.
    const matrix = /<table class="matrix">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
    for (const name of ['anna', 'ben', 'cy']) {
      expect(matrix).toContain(`<th scope="col">${name}</th>`);
      expect(matrix).toContain(`<th scope="row">${name}</th>`);
    }
    expect(matrix.match(/<td class="q/g)).toHaveLength(9);
  });

  it('lists a split sentence with every annotator’s tags side by side', async () => {
    const html = expectPage(await w.researcher.get(url()));
    const list = /<ol class="disagreements">[\s\S]*?<\/ol>/.exec(html)?.[0] ?? '';
    const items = list.split('<li>').slice(1);
    const four = items.find((li) => li.includes(`/articles/${w.demoArticleId}/sentences/4"`));
    if (!four) throw new Error('sentence 4 is not among the sentences to discuss');
    const text = textOf(four);
    expect(text).toContain('Today Russia raised the proposal');
    expect(text).toMatch(/anna Evaluative \/ intensifying wording: “demands”/);
    expect(text).toContain('ben reviewed, no tags');
    expect(text).toContain('cy not reviewed');
    const three = items.find((li) => li.includes(`/articles/${w.demoArticleId}/sentences/3"`));
    expect(textOf(three ?? '')).toContain('ben Distancing quotes: “will make every effort” Hedge / doubt marker: “has said”');
    // Sentence 2, where everyone found nothing, is no disagreement.
    expect(list).not.toContain(`/articles/${w.demoArticleId}/sentences/2"`);
  });

  it('shows the same α as the downloads', async () => {
    const html = expectPage(await w.researcher.get(url()));
    const json = (await w.researcher.get(url('.json'))).body as JsonReport;
    const alpha = row(json, 'overall', 'sentence', 'krippendorff_alpha');
    expect(alpha?.value).not.toBeNull();
    const allRow = /<th scope="row">All categories<\/th>\s*<td[^>]*>([^<\s]+)/.exec(html);
    expect(allRow?.[1]).toBe(alpha?.value?.toFixed(3));
    expect(html).toContain(`[${alpha?.ci_low?.toFixed(3)}, ${alpha?.ci_high?.toFixed(3)}]`);
  });
});

/** The sentences of the demo project's other articles: the demo story's two constructed counterparts. */
const counterpartSentences = () =>
  w.t.store.articles(w.projectId).filter((a) => a.id !== w.demoArticleId && a.id !== second).reduce((n, a) => n + a.sentences.length, 0);

describe('undefined is undefined everywhere', () => {
  // Nobody used "missing-context": everyone said "no" wherever they looked.
  const UNUSED = 'missing-context';
  const NOBODY = 'no annotator tagged this category on an article another annotator reviewed too';
  const ONE_CATEGORY = 'only one category occurs, so chance agreement is undefined';

  it('span F1 and AC1 of a category nobody used: undefined with the reason on the page, in every download and in the CLI', { timeout: 30_000 }, async () => {
    const html = expectPage(await w.researcher.get(url()));
    const table = /<table class="agreement">[\s\S]*?<\/table>/.exec(html)?.[0] ?? '';
    const rowHtml = table.split('<tr>').find((r) => r.includes('Anchored omission')) ?? '';
    expect(rowHtml).not.toBe('');
    // Observed agreement is 1 (everyone said no): the only 1.000 in the row.
    expect(rowHtml.match(/1\.000/g)).toHaveLength(1);
    expect(textOf(rowHtml)).toContain(`— ${NOBODY}`);
    expect(textOf(rowHtml)).toContain(`— ${ONE_CATEGORY}`);

    const json = (await w.researcher.get(url('.json'))).body as JsonReport;
    for (const statistic of ['span_f1_exact', 'span_f1_overlap']) expect(row(json, UNUSED, 'span', statistic)).toMatchObject({ value: null, note: NOBODY });
    expect(row(json, UNUSED, 'sentence', 'gwet_ac1')).toMatchObject({ value: null, note: ONE_CATEGORY });
    const csv = parse((await w.researcher.get(url('.csv'))).text, { columns: true }) as Record<string, string>[];
    expect(csv.find((r) => r.category === UNUSED && r.statistic === 'span_f1_overlap')).toMatchObject({ value: '', note: NOBODY });
    const md = (await w.researcher.get(url('.md'))).text;
    expect(md).toMatch(/^\| Anchored omission \| — \| — \| 1\.000 \| — \| — \| — \| \d+ \|$/m);
    expect(md).toContain(`- Anchored omission, AC1: ${ONE_CATEGORY}`);
    expect(md).toContain(`- Anchored omission, Span F1: ${NOBODY}`);
    const tex = (await w.researcher.get(url('.tex'))).text;
    expect(tex).toMatch(/^Anchored omission & -- & -- & 1\.000 & -- & -- & -- & \d+ \\\\$/m);
    expect(tex).toContain(`Anchored omission, AC1: ${ONE_CATEGORY}`);

    // The CLI on the same data (the reliability matrix the export writes) says the same.
    const { exportFiles, projectData } = await import('../../server/exports/project.js');
    const { agreementCommand } = await import('../../server/commands/agreement.js');
    const project = w.t.store.project(w.projectId);
    if (!project) throw new Error('no project');
    const file = (await exportFiles(w.t.store, projectData(w.t.store, project, w.t.store.codebookOf(project), { anonymise: false }), 'reliability')).find((f) => f.name === `reliability-${UNUSED}.csv`);
    let matrix = '';
    for await (const chunk of file?.body() ?? []) matrix += String(chunk);
    const io = capturedIo(matrix);
    expect(await agreementCommand(['-', '--json'], io)).toBe(0);
    const cli = JSON.parse(io.out()) as { statistics: Record<string, unknown> };
    expect(cli.statistics.gwet_ac1).toEqual({ value: null, reason: ONE_CATEGORY });
    expect(cli.statistics.krippendorff_alpha).toEqual({ value: null, reason: row(json, UNUSED, 'sentence', 'krippendorff_alpha')?.note.split(' Only')[0] });
  });

  it('the All categories span F1 says labels are matched, and span identification F1 (labels ignored) stands beside it', async () => {
    const html = expectPage(await w.researcher.get(url()));
    const text = textOf(html);
    expect(text).toMatch(/Span identification F1 \(labels ignored: every category’s spans together, the score the SemEval-2020 Task 11 SI scorer computes\): \d\.\d{3} \(mean over \d pairs?\)/);
    expect(text).toMatch(/All categories .*labels matched\)/);
    expect(text).not.toMatch(/Span F1 is the mean over annotator pairs of the SemEval-2020 Task 11 score/);
    const json = (await w.researcher.get(url('.json'))).body as JsonReport;
    const si = row(json, 'overall', 'span', 'span_f1_identification');
    expect(si?.value).not.toBeNull();
    expect(text).toContain(si?.value?.toFixed(3) ?? 'missing');
    expect(row(json, 'overall', 'span', 'span_f1_overlap')?.note).toMatch(/labels matched/);
  });
});

describe('the report downloads', () => {
  it('CSV: the report columns, ten rows per category and eleven overall', async () => {
    const res = await w.researcher.get(url('.csv'));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="?.*-agreement\.csv"?$/);
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual(REPORT_COLUMNS);
    expect(rows).toHaveLength(13 * 10 + 1);
    const hedge = rows.find((r) => r.category === 'hedge' && r.level === 'sentence' && r.statistic === 'krippendorff_alpha');
    // 13 + 2 sentences, and those of the demo story's two constructed counterparts, which nobody annotated.
    expect(Number(hedge?.units)).toBe(15 + counterpartSentences());
    for (const r of rows) {
      if (r.value === '') expect(r.note, `${r.category} ${r.statistic}`).not.toBe('');
      else expect(Number.isFinite(Number(r.value))).toBe(true);
    }
  });

  it('JSON: the annotator count and the same rows', async () => {
    const res = await w.researcher.get(url('.json'));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const json = res.body as JsonReport;
    expect(json.annotators).toBe(3);
    expect(json.rows).toHaveLength(131);
    for (const r of json.rows) expect(Object.keys(r).sort()).toEqual([...REPORT_COLUMNS].sort());
    const overall = row(json, 'overall', 'sentence', 'krippendorff_alpha');
    expect(overall?.units).toBe((15 + counterpartSentences()) * 12);
    expect(overall?.ci_low).toBeLessThanOrEqual(overall?.ci_high ?? -Infinity);
    expect(row(json, 'overall', 'sentence', 'cohen_kappa')?.note).toMatch(/two coders/);
  });

  it('Markdown and LaTeX tables', async () => {
    const md = await w.researcher.get(url('.md'));
    expect(md.status).toBe(200);
    expect(md.headers['content-type']).toMatch(/^text\/markdown/);
    expect(md.headers['content-disposition']).toMatch(/\.md"?$/);
    const lines = md.text.split('\n').filter((l) => l.startsWith('|'));
    expect(lines).toHaveLength(2 + 13);
    expect(lines[2]).toMatch(/^\| All categories \| -?\d\.\d{3} \| \[/);
    const tex = await w.researcher.get(url('.tex'));
    expect(tex.status).toBe(200);
    expect(tex.headers['content-disposition']).toMatch(/\.tex"?$/);
    expect(tex.text).toContain('\\begin{tabular}{lrrrrrrr}');
    expect(tex.text).toContain('Hedge / doubt marker &');
    expect(tex.text.split('\n').filter((l) => l.endsWith('\\\\'))).toHaveLength(14);
    expect(tex.text.trimEnd().endsWith('\\end{table}\n\\end{document}')).toBe(true);
  });

  it('an unknown format is 404', async () => {
    expectError(await w.researcher.get(url('.xml')), 404, 'Unknown report format');
  });
});

describe('one article', () => {
  it('scopes the page and the downloads to the article', async () => {
    const html = expectPage(await w.researcher.get(url('', `?article=${second}`)));
    expect(html).toContain(`<option value="${second}" selected>`);
    expect(html).toContain(`/agreement.csv?article=${second}`);
    expect(textOf(html)).toContain('2 annotators.');
    const json = (await w.researcher.get(url('.json', `?article=${second}`))).body as JsonReport;
    expect(json.annotators).toBe(2);
    expect(row(json, 'hedge', 'sentence', 'krippendorff_alpha')?.units).toBe(2);
    const csv = await w.researcher.get(url('.csv', `?article=${second}`));
    expect(csv.headers['content-disposition']).toContain(`-agreement-${second}.csv`);
    const demo = (await w.researcher.get(url('.json', `?article=${w.demoArticleId}`))).body as JsonReport;
    expect(demo.annotators).toBe(3);
    expect(row(demo, 'hedge', 'sentence', 'krippendorff_alpha')?.units).toBe(13);
  });

  it('an article of another project, or none, is 404; a malformed id 400', async () => {
    const other = redirectId(await w.researcher.post('/projects', { name: 'Other', description: '', codebookId: 'framing' }), '/projects');
    const foreign = await importArticle(w.researcher, other, { title: 'Elsewhere', text: 'One sentence here.' });
    expectError(await w.researcher.get(url('', `?article=${foreign}`)), 404, 'not found');
    expect((await w.researcher.get(url('.csv', '?article=nope'))).status).toBe(404);
    expect((await w.researcher.get(url('', '?article=..%2Fx'))).status).toBe(400);
  });

  it('a project without annotators says so and still downloads', async () => {
    const empty = redirectId(await w.researcher.post('/projects', { name: 'Empty', description: '', codebookId: 'starter' }), '/projects');
    const html = expectPage(await w.researcher.get(`/projects/${empty}/agreement`));
    expect(textOf(html)).toContain('Agreement needs at least two annotators');
    expect(html).toContain('No sentence was reviewed by two annotators who disagreed.');
    const json = (await w.researcher.get(`/projects/${empty}/agreement.json`)).body as JsonReport;
    expect(json.annotators).toBe(0);
    expect(json.rows.every((r) => r.value === null && r.note !== '')).toBe(true);
    expect((await w.researcher.get(`/projects/${empty}/agreement.tex`)).status).toBe(200);
  });
});

describe('who may see it', () => {
  it('an annotator of the project is refused (403), page and downloads', async () => {
    expectError(await anna.get(url()), 403, 'researchers');
    for (const f of ['.csv', '.json', '.md', '.tex']) expect((await ben.get(url(f))).status).toBe(403);
  });

  it('someone outside the project gets 404; signed out goes to sign-in', async () => {
    await addUser(w.t, 'rex', 'researcher');
    const rex = await signIn(w.t.app, 'rex');
    expectError(await rex.get(url()), 404, 'not found');
    expect((await rex.get(url('.csv'))).status).toBe(404);
    const anon = await agentFor(w.t.app).get(url('.json'));
    expect(anon.status).toBe(303);
    expect(anon.headers.location).toMatch(/^\/signin/);
  });

  it('a removed annotator drops out of the report at once (no stale cache)', async () => {
    expect(((await w.researcher.get(url('.json'))).body as JsonReport).annotators).toBe(3);
    expect((await w.researcher.post(`/projects/${w.projectId}/members/${cy.id}/delete`, {})).status).toBe(303);
    expect(((await w.researcher.get(url('.json'))).body as JsonReport).annotators).toBe(2);
    const html = expectPage(await w.researcher.get(url()));
    expect(/<table class="matrix">[\s\S]*?<\/table>/.exec(html)?.[0]).not.toContain('cy');
  });
});
