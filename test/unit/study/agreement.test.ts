// The study-level agreement report on small hand-built studies: the sentence matrix ("found
// nothing" is 0, "never looked" is missing), α per category and overall, the clustered bootstrap
// interval, the pair matrix, span F1, the token level and the disagreement list.
import { describe, expect, it } from 'vitest';
import type { Annotation, Article, Category, Tag } from '../../../server/core/model.js';
import { segment, words } from '../../../server/core/segmentation.js';
import {
  agreementReport,
  cohenKappa,
  krippendorffAlpha,
  mergeOverlappingSpans,
  mulberry32,
  unitizingAlpha,
  type CoderSpan,
} from '../../../server/core/agreement/index.js';
import { makeStudy, sentenceMatrix, sharedArticles, spansOf, tokenMatrix } from '../../../server/core/study/units.js';
import { studyAgreement, type AgreementOptions, type StudyAgreement } from '../../../server/core/study/agreement.js';

const TEXT = [
  'The regime allegedly crushed the peaceful protest.',
  'Officials said the economy is booming.',
  'Critics say the reform is a disaster.',
  'Thugs stormed the building at dawn.',
].join('\n');

function article(id: string, text = TEXT): Article {
  return { id, projectId: 'p', title: `Article ${id}`, source: '', url: '', publishedAt: '', text, sentences: segment(text), createdAt: `2024-01-01T00:00:0${id.length}Z`, createdBy: 'r' };
}

function category(id: string, name = id): Category {
  return { id, name, definition: '', span: '', example: '', colour: '#336699', key: id[0] ?? 'x' };
}

const CATS = [category('hedge', 'Hedge'), category('loaded', 'Loaded label'), category('emphasis', 'Emphasis')];

let serial = 0;
/** A tag on sentence `s` (0-based) from word `first` to word `last` (0-based, inclusive). */
function tagOf(a: Article, annotatorId: string, s: number, first: number, last: number, cat: string): Tag {
  const range = a.sentences[s];
  if (!range) throw new Error(`no sentence ${s}`);
  const ws = words(a.text, range);
  const from = ws[first];
  const to = ws[last];
  if (!from || !to) throw new Error(`no words ${first}..${last} in sentence ${s}`);
  return {
    id: `t${++serial}`, articleId: a.id, annotatorId, sentence: s, start: from.start, end: to.end, category: cat,
    voice: 'author', intensity: null, note: '', createdAt: '2024-01-01T00:00:00Z', updatedAt: '2024-01-01T00:00:00Z',
  };
}

type TagSpec = [sentence: number, first: number, last: number, category: string];

function ann(a: Article, annotatorId: string, reviewed: number[], tags: TagSpec[] = []): Annotation {
  return { articleId: a.id, annotatorId, reviewed, tags: tags.map(([s, f, l, c]) => tagOf(a, annotatorId, s, f, l, c)), updatedAt: '' };
}

const OPTIONS: AgreementOptions = { words: (a, r) => words(a.text, r), resamples: 200, seed: 7 };

/** Every number in the report is finite and every undefined statistic says why. */
function expectWellFormed(report: StudyAgreement): void {
  const walk = (x: unknown, path: string): void => {
    if (typeof x === 'number') {
      expect(Number.isNaN(x), `${path} is NaN`).toBe(false);
      return;
    }
    if (x instanceof Map) {
      for (const [k, v] of x) walk(v, `${path}.${String(k)}`);
      return;
    }
    if (Array.isArray(x)) {
      x.forEach((v, i) => walk(v, `${path}[${i}]`));
      return;
    }
    if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      if ('value' in o && o.value === null) {
        expect(typeof o.reason, `${path} is undefined without a reason`).toBe('string');
        expect(String(o.reason).length).toBeGreaterThan(0);
      }
      if ('low' in o && 'high' in o && o.low === null) expect(typeof o.reason, `${path}: interval without a reason`).toBe('string');
      for (const [k, v] of Object.entries(o)) walk(v, `${path}.${k}`);
    }
  };
  walk(report, 'report');
}

describe('sentenceMatrix', () => {
  it('is 1 where the category was tagged, 0 where the sentence was reviewed without it, null where never reviewed', () => {
    const a = article('a');
    const study = makeStudy(
      [a],
      [
        ann(a, 'ann', [1], [[0, 2, 2, 'hedge']]), // s0 tagged, s1 reviewed with nothing, s2/s3 never looked
        ann(a, 'ben', [0, 1, 2, 3], [[2, 3, 3, 'loaded']]),
      ],
    );
    expect(study.annotators).toEqual(['ann', 'ben']);
    const hedge = sentenceMatrix(study, 'hedge');
    expect(hedge.units).toEqual([0, 1, 2, 3].map((sentence) => ({ articleId: 'a', sentence })));
    expect(hedge.values).toEqual([
      [1, 0],
      [0, 0],
      [null, 0],
      [null, 0],
    ]);
    expect(sentenceMatrix(study, 'loaded').values).toEqual([
      [0, 0],
      [0, 0],
      [null, 1],
      [null, 0],
    ]);
    // null category: any tag at all.
    expect(sentenceMatrix(study, null).values).toEqual([
      [1, 0],
      [0, 0],
      [null, 1],
      [null, 0],
    ]);
  });

  it('has a missing column for an annotator without any annotation of an article', () => {
    const a = article('a');
    const b = article('b');
    const study = makeStudy([a, b], [ann(a, 'ann', [0, 1, 2, 3]), ann(a, 'ben', [0]), ann(b, 'ben', [0, 1])]);
    const { units, values } = sentenceMatrix(study, 'hedge');
    expect(units).toHaveLength(8);
    expect(values.slice(4)).toEqual([
      [null, 0],
      [null, 0],
      [null, null],
      [null, null],
    ]);
  });

  it('helpers: spans of a category, articles every annotator reviewed, token units per word', () => {
    const a = article('a');
    const b = article('b');
    const study = makeStudy([a, b], [ann(a, 'ann', [], [[0, 1, 2, 'hedge'], [0, 0, 0, 'loaded']]), ann(a, 'ben', [3]), ann(b, 'ann', [1])]);
    expect(spansOf(study, 'a', 'ann', 'hedge').map((t) => a.text.slice(t.start, t.end))).toEqual(['regime allegedly']);
    expect(spansOf(study, 'a', 'ann', null)).toHaveLength(2);
    expect(spansOf(study, 'b', 'ben', null)).toEqual([]);
    expect(sharedArticles(study, ['ann', 'ben']).map((x) => x.id)).toEqual(['a']);
    const rows = tokenMatrix(study, 'hedge', (x, r) => words(x.text, r));
    // 7 + 6 + 7 + 6 words per article.
    expect(rows).toHaveLength(52);
    expect(rows.slice(0, 4)).toEqual([
      [0, null],
      [1, null],
      [1, null],
      [0, null],
    ]);
    expect(rows[20]).toEqual([null, 0]); // ben reviewed sentence 4 of article a
  });
});

/** Three annotators, three articles, agreeing on most sentences but not all. */
function mixedStudy() {
  const arts = [article('a'), article('bb'), article('ccc')];
  const [a, b, c] = arts as [Article, Article, Article];
  const anns: Annotation[] = [
    ann(a, 'ann', [0, 1, 2, 3], [[0, 2, 2, 'hedge'], [0, 1, 1, 'loaded'], [3, 0, 0, 'loaded']]),
    ann(a, 'ben', [0, 1, 2, 3], [[0, 2, 2, 'hedge'], [2, 5, 6, 'loaded'], [3, 0, 0, 'loaded']]),
    ann(a, 'cy', [0, 1], [[0, 2, 3, 'hedge'], [0, 1, 1, 'loaded']]),
    ann(b, 'ann', [0, 1, 2, 3], [[1, 4, 5, 'emphasis'], [2, 5, 6, 'loaded']]),
    ann(b, 'ben', [0, 1, 2, 3], [[1, 4, 5, 'emphasis'], [2, 5, 6, 'loaded'], [0, 2, 2, 'hedge']]),
    ann(b, 'cy', [0, 1, 2, 3], [[1, 5, 5, 'emphasis'], [2, 6, 6, 'loaded']]),
    ann(c, 'ann', [0, 1, 2, 3], [[0, 2, 2, 'hedge'], [3, 0, 0, 'loaded']]),
    ann(c, 'ben', [0, 1, 2, 3], [[0, 2, 2, 'hedge'], [3, 0, 0, 'loaded'], [1, 0, 0, 'emphasis']]),
    ann(c, 'cy', [2, 3], [[3, 0, 0, 'loaded']]),
  ];
  return { arts, anns, study: makeStudy(arts, anns) };
}

describe('studyAgreement: sentence level', () => {
  it('α per category and overall equal krippendorffAlpha on the same matrices', () => {
    const { study } = mixedStudy();
    const report = studyAgreement(study, CATS, OPTIONS);
    expect(report.annotators).toEqual(['ann', 'ben', 'cy']);
    const matrices = CATS.map((c) => sentenceMatrix(study, c.id).values);
    CATS.forEach((c, i) => {
      const got = report.categories[i];
      expect(got?.category?.id).toBe(c.id);
      const expected = krippendorffAlpha({ coders: study.annotators, units: matrices[i] ?? [] });
      expect(expected.value).not.toBeNull();
      expect(got?.sentence.report.statistics.krippendorff_alpha.value).toBeCloseTo(expected.value ?? NaN, 12);
      expect(got?.sentence.report.units).toBe(12);
    });
    const overall = krippendorffAlpha({ coders: study.annotators, units: matrices.flat() });
    expect(report.overall.category).toBeNull();
    expect(report.overall.sentence.report.statistics.krippendorff_alpha.value).toBeCloseTo(overall.value ?? NaN, 12);
    expect(report.overall.sentence.report.units).toBe(36);
    expectWellFormed(report);
  });

  it('the clustered bootstrap interval contains α and is reproducible with the same seed', () => {
    const { study } = mixedStudy();
    const one = studyAgreement(study, CATS, OPTIONS);
    const again = studyAgreement(study, CATS, OPTIONS);
    for (const [x, y] of [one.overall, ...one.categories].map((c, i) => [c, [again.overall, ...again.categories][i]] as const)) {
      const ci = x.sentence.report.statistics.krippendorff_alpha_ci95;
      const alpha = x.sentence.report.statistics.krippendorff_alpha.value;
      expect(ci).toEqual(y?.sentence.report.statistics.krippendorff_alpha_ci95);
      expect(ci.resamples).toBe(200);
      expect(ci.seed).toBe(7);
      if (alpha === null || ci.low === null || ci.high === null) throw new Error('expected α and an interval');
      expect(ci.low).toBeLessThanOrEqual(alpha);
      expect(ci.high).toBeGreaterThanOrEqual(alpha);
      expect(ci.low).toBeLessThan(ci.high);
    }
    const other = studyAgreement(study, CATS, { ...OPTIONS, seed: 8 });
    expect(other.overall.sentence.report.statistics.krippendorff_alpha_ci95).not.toEqual(one.overall.sentence.report.statistics.krippendorff_alpha_ci95);
  });

  it('resamples whole articles: identical articles give a zero-width interval', () => {
    // Each article holds the same decisions, so every resample of articles has the same α —
    // a bootstrap over sentences would spread.
    const arts = [article('a'), article('bb')];
    const anns = arts.flatMap((x) => [
      ann(x, 'ann', [0, 1, 2, 3], [[0, 2, 2, 'hedge'], [2, 3, 3, 'hedge']]),
      ann(x, 'ben', [0, 1, 2, 3], [[0, 2, 2, 'hedge'], [1, 3, 3, 'hedge']]),
    ]);
    const report = studyAgreement(makeStudy(arts, anns), CATS.slice(0, 1), OPTIONS);
    const st = report.categories[0]?.sentence.report.statistics;
    const alpha = st?.krippendorff_alpha.value ?? NaN;
    expect(st?.krippendorff_alpha_ci95.low).toBeCloseTo(alpha, 12);
    expect(st?.krippendorff_alpha_ci95.high).toBeCloseTo(alpha, 12);
    // One article: sentences are resampled, and the interval has width.
    const single = studyAgreement(makeStudy(arts.slice(0, 1), anns.slice(0, 2)), CATS.slice(0, 1), OPTIONS);
    const ci = single.categories[0]?.sentence.report.statistics.krippendorff_alpha_ci95;
    expect(ci?.low).not.toBeNull();
    expect((ci?.high ?? 0) - (ci?.low ?? 0)).toBeGreaterThan(0);
  });

  it('the interval is undefined, with a reason, for a single sentence — also overall, across categories', () => {
    const a = article('one', 'The regime allegedly crushed the peaceful protest.');
    const study = makeStudy([a], [ann(a, 'ann', [0], [[0, 2, 2, 'hedge']]), ann(a, 'ben', [0], [[0, 1, 1, 'loaded']])]);
    const report = studyAgreement(study, CATS, OPTIONS);
    for (const c of [report.overall, ...report.categories]) {
      const ci = c.sentence.report.statistics.krippendorff_alpha_ci95;
      expect(ci.low).toBeNull();
      expect(ci.high).toBeNull();
      expect('reason' in ci && ci.reason).toMatch(/at least two/);
    }
    expectWellFormed(report);
  });

  it('perfect agreement gives α = 1 at every level, κ = 1 and span F1 = 1', () => {
    const arts = [article('a'), article('bb')];
    const specs: TagSpec[][] = [
      [[0, 2, 2, 'hedge'], [0, 1, 1, 'loaded'], [3, 0, 0, 'loaded']],
      [[1, 4, 5, 'emphasis'], [2, 5, 6, 'loaded']],
    ];
    const anns = arts.flatMap((x, i) => ['ann', 'ben', 'cy'].map((id) => ann(x, id, [0, 1, 2, 3], specs[i])));
    const report = studyAgreement(makeStudy(arts, anns), CATS, OPTIONS);
    for (const c of [report.overall, ...report.categories]) {
      expect(c.sentence.report.statistics.krippendorff_alpha.value).toBe(1);
      expect(c.sentence.report.statistics.observed_agreement.value).toBe(1);
      expect(c.token.alpha.value).toBe(1);
      expect(c.span.exactF1.value).toBe(1);
      expect(c.span.overlapF1.value).toBe(1);
      expect(c.span.pairs).toBe(3);
      expect(c.span.unitizingAlpha.value).toBeCloseTo(1, 12);
    }
    expect(report.pairs.map((p) => [p.a, p.b, p.kappa.value, p.f1.value])).toEqual([
      ['ann', 'ben', 1, 1],
      ['ann', 'cy', 1, 1],
      ['ben', 'cy', 1, 1],
    ]);
    expect(report.disagreements).toEqual([]);
    expectWellFormed(report);
  });

  it('a category nobody used is undefined with a reason (no variation), never NaN, and warns about prevalence', () => {
    const { study } = mixedStudy();
    const report = studyAgreement(study, [...CATS, category('unused', 'Unused')], OPTIONS);
    const unused = report.categories[3];
    expect(unused?.sentence.report.statistics.krippendorff_alpha).toEqual({ value: null, reason: expect.stringMatching(/variation/) });
    expect(unused?.sentence.prevalence).toBe(0);
    expect(unused?.sentence.warning).toMatch(/0\.0%/);
    expect(unused?.token.alpha).toEqual({ value: null, reason: expect.stringMatching(/variation/) });
    // Nobody tagged it: F1 is 0/0 for every pair — undefined, not the SemEval scorer's 1.
    for (const f of [unused?.span.overlapF1, unused?.span.exactF1]) {
      expect(f).toEqual({ value: null, reason: 'no annotator tagged this category on an article another annotator reviewed too' });
    }
    expect(unused?.span.pairs).toBe(0);
    // One category occurs (everyone said "no"): AC1 is undefined, as agreementReport (the CLI) says
    // for the same matrix — not the 1 a 0/1 tabulation with an unused "1" would give.
    const cli = agreementReport({ coders: study.annotators, units: sentenceMatrix(study, 'unused').values });
    expect(cli.statistics.gwet_ac1).toEqual({ value: null, reason: 'only one category occurs, so chance agreement is undefined' });
    expect(unused?.sentence.report.statistics.gwet_ac1).toEqual(cli.statistics.gwet_ac1);
    expectWellFormed(report);
  });

  it('with fewer than two annotators everything is undefined with a reason', () => {
    const a = article('a');
    for (const anns of [[], [ann(a, 'ann', [0, 1], [[0, 2, 2, 'hedge']])]]) {
      const report = studyAgreement(makeStudy([a], anns), CATS, OPTIONS);
      expect(report.pairs).toEqual([]);
      expect(report.disagreements).toEqual([]);
      for (const c of [report.overall, ...report.categories]) {
        expect(c.sentence.report.statistics.krippendorff_alpha.value).toBeNull();
        expect(c.span.exactF1.value).toBeNull();
        expect(c.span.unitizingAlpha.value).toBeNull();
        expect(c.token.alpha.value).toBeNull();
      }
      expectWellFormed(report);
    }
  });
});

describe('studyAgreement: pairs, spans and tokens', () => {
  it('pair κ equals cohenKappa on the two annotators’ sentence × category decisions', () => {
    const { study } = mixedStudy();
    const report = studyAgreement(study, CATS, OPTIONS);
    const matrices = CATS.map((c) => sentenceMatrix(study, c.id).values);
    expect(report.pairs).toHaveLength(3);
    for (const pair of report.pairs) {
      const i = study.annotators.indexOf(pair.a);
      const j = study.annotators.indexOf(pair.b);
      const units = matrices.flat().map((row) => [row[i] ?? null, row[j] ?? null]);
      const expected = cohenKappa({ coders: [pair.a, pair.b], units });
      expect(expected.value).not.toBeNull();
      expect(pair.kappa.value).toBeCloseTo(expected.value ?? NaN, 12);
    }
  });

  it('pair κ ignores tags of a category no longer in the codebook', () => {
    const { arts, anns } = mixedStudy();
    const [a] = arts as [Article];
    const extra = anns.map((x) => (x.articleId === 'a' && x.annotatorId === 'cy' ? { ...x, tags: [...x.tags, tagOf(a, 'cy', 1, 0, 0, 'retired')] } : x));
    const before = studyAgreement(makeStudy(arts, anns), CATS, OPTIONS);
    const after = studyAgreement(makeStudy(arts, extra), CATS, OPTIONS);
    expect(after.pairs.map((p) => p.kappa)).toEqual(before.pairs.map((p) => p.kappa));
    expect(after.overall.token.alpha).toEqual(before.overall.token.alpha);
  });

  it('span F1 by hand: overlap credit and exact matches', () => {
    // ann: "allegedly" (hedge); ben: "allegedly crushed" (hedge): overlap P = 9/17, R = 1.
    const a = article('a');
    const study = makeStudy([a], [ann(a, 'ann', [0, 1, 2, 3], [[0, 2, 2, 'hedge']]), ann(a, 'ben', [0], [[0, 2, 3, 'hedge']])]);
    const report = studyAgreement(study, CATS, OPTIONS);
    const hedge = report.categories[0];
    const p = 9 / 17;
    expect(hedge?.span.overlapF1.value).toBeCloseTo((2 * p) / (p + 1), 12);
    expect(hedge?.span.exactF1.value).toBe(0);
    expect(report.pairs[0]?.f1.value).toBeCloseTo((2 * p) / (p + 1), 12);
  });

  it('exact F1 counts exact matches among the spans as drawn, not among merged spans', () => {
    // Both drew "regime allegedly" and "allegedly crushed" (overlapping, same category):
    // two exact matches out of two spans each (merged, they would be one span).
    const a = article('a');
    const spans: TagSpec[] = [[0, 1, 2, 'hedge'], [0, 2, 3, 'hedge']];
    const pair = makeStudy([a], [ann(a, 'ann', [0], spans), ann(a, 'ben', [0], spans)]);
    expect(studyAgreement(pair, CATS, OPTIONS).categories[0]?.span.exactF1.value).toBe(1);
    // ben drew only one of them: 1 match, 2 + 1 spans → F1 = 2/3 (merged: 1 vs 1 span, no match, 0).
    const partial = makeStudy([a], [ann(a, 'ann', [0], spans), ann(a, 'ben', [0], spans.slice(0, 1))]);
    expect(studyAgreement(partial, CATS, OPTIONS).categories[0]?.span.exactF1.value).toBeCloseTo(2 / 3, 12);
  });

  it('token α equals krippendorffAlpha on the explicit token matrix', () => {
    const { study } = mixedStudy();
    const report = studyAgreement(study, CATS, OPTIONS);
    const rows = CATS.map((c) => tokenMatrix(study, c.id, OPTIONS.words));
    CATS.forEach((c, i) => {
      const expected = krippendorffAlpha({ coders: study.annotators, units: rows[i] ?? [] });
      expect(report.categories[i]?.token.alpha.value).toBeCloseTo(expected.value ?? NaN, 12);
      expect(report.categories[i]?.token.units).toBe(rows[i]?.length);
    });
    const overall = krippendorffAlpha({ coders: study.annotators, units: rows.flat() });
    expect(report.overall.token.alpha.value).toBeCloseTo(overall.value ?? NaN, 12);
  });
});

describe('studyAgreement: disagreements', () => {
  it('ranks a split sentence first and lists every annotator’s tags on it', () => {
    const a = article('a');
    const study = makeStudy(
      [a],
      [
        // Sentence 1: ann hedge + loaded, ben loaded only, cy nothing. Sentence 4: a mild split.
        ann(a, 'ann', [0, 1, 2, 3], [[0, 2, 2, 'hedge'], [0, 1, 1, 'loaded'], [3, 0, 0, 'loaded'], [2, 6, 6, 'emphasis']]),
        ann(a, 'ben', [0, 1, 2, 3], [[0, 1, 1, 'loaded'], [3, 0, 0, 'loaded'], [2, 5, 6, 'emphasis']]),
        ann(a, 'cy', [0, 1, 2], [[2, 6, 6, 'emphasis']]),
      ],
    );
    const report = studyAgreement(study, CATS, OPTIONS);
    const [first, ...rest] = report.disagreements;
    expect(first?.unit).toEqual({ articleId: 'a', sentence: 0 });
    expect(first?.split).toBeCloseTo(2 / 3, 12);
    expect(first?.alpha).not.toBeNull();
    expect([...(first?.tags.keys() ?? [])]).toEqual(['ann', 'ben', 'cy']);
    const text = (id: string) => (first?.tags.get(id) ?? []).map((t) => `${t.category}:${a.text.slice(t.start, t.end)}`).sort();
    expect(text('ann')).toEqual(['hedge:allegedly', 'loaded:regime']);
    expect(text('ben')).toEqual(['loaded:regime']);
    expect(text('cy')).toEqual([]);
    expect(first?.reviewers).toEqual(['ann', 'ben', 'cy']);
    // Sentence 3 was unanimous on the category level (everyone tagged emphasis) — not listed.
    expect(report.disagreements.map((d) => d.unit.sentence)).not.toContain(2);
    // Sentence 4: cy never looked, so only ann and ben count, and they agree.
    expect(rest.map((d) => d.unit.sentence)).not.toContain(3);
    expect(report.disagreements.map((d) => d.unit.sentence)).toEqual([0]);
  });

  it('shows only the sentences reviewed by two or more, ordered by α then split, up to the limit', () => {
    const { study } = mixedStudy();
    const report = studyAgreement(study, CATS, { ...OPTIONS, disagreementLimit: 3 });
    expect(report.disagreements.length).toBe(3);
    const alphas = report.disagreements.map((d) => d.alpha ?? -Infinity);
    expect([...alphas].sort((x, y) => x - y)).toEqual(alphas);
    for (const d of report.disagreements) {
      expect(d.split).toBeGreaterThan(0);
      expect(d.reviewers.length).toBeGreaterThanOrEqual(2);
    }
    const all = studyAgreement(study, CATS, OPTIONS).disagreements;
    expect(all.length).toBeGreaterThan(3);
    expect(all.slice(0, 3).map((d) => d.unit)).toEqual(report.disagreements.map((d) => d.unit));
  });
});

describe('figures a paper will publish, pinned to reference computations', () => {
  /** R's type-7 quantile of sorted values, written out again here. */
  const quantile = (sorted: number[], p: number) => {
    const h = (sorted.length - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, sorted.length - 1);
    return (sorted[lo] ?? NaN) + (h - lo) * ((sorted[hi] ?? NaN) - (sorted[lo] ?? NaN));
  };

  /**
   * The study-level interval as a plain loop: each resample draws as many articles as there are,
   * with replacement, from mulberry32(seed) (one draw per article), puts the drawn articles'
   * sentence rows together and computes krippendorffAlpha on them; undefined resamples are
   * skipped; the interval is the 2.5 % and 97.5 % quantiles.
   */
  function referenceInterval(rowsByCluster: (0 | 1 | null)[][][], coders: string[], resamples: number, seed: number) {
    const random = mulberry32(seed);
    const alphas: number[] = [];
    for (let r = 0; r < resamples; r++) {
      const units: (0 | 1 | null)[][] = [];
      for (let i = 0; i < rowsByCluster.length; i++) units.push(...(rowsByCluster[Math.floor(random() * rowsByCluster.length)] ?? []));
      const alpha = krippendorffAlpha({ coders, units }).value;
      if (alpha !== null) alphas.push(alpha);
    }
    alphas.sort((x, y) => x - y);
    return { low: quantile(alphas, 0.025), high: quantile(alphas, 0.975) };
  }

  it('the 95% interval of every level equals a plain loop that resamples articles with the same random stream', () => {
    const { study } = mixedStudy();
    const report = studyAgreement(study, CATS, OPTIONS);
    const matrices = CATS.map((c) => sentenceMatrix(study, c.id));
    const byArticle = (rows: { units: { articleId: string }[]; values: (0 | 1 | null)[][] }[]) =>
      study.articles.map((article) => rows.flatMap((m) => m.values.filter((_, u) => m.units[u]?.articleId === article.id)));
    const levels = [
      [report.overall, byArticle(matrices)],
      ...matrices.map((m, i) => [report.categories[i], byArticle([m])] as const),
    ] as const;
    for (const [level, clusters] of levels) {
      const ci = level?.sentence.report.statistics.krippendorff_alpha_ci95;
      const expected = referenceInterval(clusters, study.annotators, OPTIONS.resamples ?? 0, OPTIONS.seed ?? 0);
      const name = level?.category?.id ?? 'overall';
      expect(ci?.low, `${name} low`).toBeCloseTo(expected.low, 9);
      expect(ci?.high, `${name} high`).toBeCloseTo(expected.high, 9);
      // Not a degenerate case: the interval has width, so its quantiles are pinned.
      expect(expected.high - expected.low, name).toBeGreaterThan(0.05);
    }
  });

  it('with one article the interval resamples its sentences (each with all its category decisions)', () => {
    const { study: three } = mixedStudy();
    const a = three.articles[0];
    if (!a) throw new Error('no article');
    const study = makeStudy([a], ['ann', 'ben', 'cy'].flatMap((id) => three.annotation(a.id, id) ?? []));
    const report = studyAgreement(study, CATS, OPTIONS);
    const matrices = CATS.map((c) => sentenceMatrix(study, c.id).values);
    const sentences = a.sentences.map((_, s) => matrices.map((m) => m[s] ?? []));
    const expected = referenceInterval(sentences.filter((rows) => rows.some((r) => r.filter((v) => v !== null).length >= 2)), study.annotators, OPTIONS.resamples ?? 0, OPTIONS.seed ?? 0);
    const ci = report.overall.sentence.report.statistics.krippendorff_alpha_ci95;
    expect(ci.low).toBeCloseTo(expected.low, 9);
    expect(ci.high).toBeCloseTo(expected.high, 9);
  });

  it('per-category α_U equals unitizingAlpha on the articles every annotator reviewed, laid end to end', () => {
    const { arts, anns } = mixedStudy();
    const [a] = arts as [Article];
    // A fourth article only two annotators reviewed (left out), and two overlapping hedges by one
    // annotator (merged: α_U wants one coder's same-label spans disjoint).
    const d = article('dddd');
    const more = [
      ann(d, 'ann', [0, 1, 2, 3], [[0, 2, 2, 'hedge']]),
      ann(d, 'ben', [0, 1, 2, 3], [[1, 0, 3, 'hedge']]),
      ...anns.map((x) => (x.articleId === a.id && x.annotatorId === 'cy' ? { ...x, tags: [...x.tags, tagOf(a, 'cy', 0, 3, 4, 'hedge')] } : x)),
    ];
    const study = makeStudy([...arts, d], more);
    const report = studyAgreement(study, CATS, OPTIONS);
    // The reference: the shared articles' texts concatenated, each annotator's spans shifted by the
    // length of the texts before, merged per annotator and category.
    const shared = [...arts];
    const spans: CoderSpan[] = [];
    let offset = 0;
    for (const x of shared) {
      for (const coder of study.annotators) {
        for (const c of CATS) {
          const own = (study.annotation(x.id, coder)?.tags ?? []).filter((t) => t.category === c.id);
          for (const s of mergeOverlappingSpans(own)) spans.push({ coder, label: c.id, start: offset + s.start, end: offset + s.end });
        }
      }
      offset += x.text.length;
    }
    const expected = unitizingAlpha({ begin: 0, end: shared.map((x) => x.text).join('').length, coders: study.annotators, spans });
    const values = CATS.map((c) => expected.categories.find((x) => x.label === c.id)?.alpha.value ?? null);
    report.categories.forEach((level, i) => {
      const want = values[i];
      if (want === null || want === undefined) throw new Error(`no reference α_U for ${CATS[i]?.id}`);
      expect(level.span.unitizingAlpha.value, CATS[i]?.id).toBeCloseTo(want, 12);
    });
    expect(report.overall.span.unitizingAlpha.value).toBeCloseTo(expected.alpha.value ?? NaN, 12);
    // The categories' α_U differ, so a report that gave every category one category's figure fails.
    expect(new Set(values.map((v) => v?.toFixed(6))).size).toBe(CATS.length);
  });

  it('span identification F1 ignores labels, where the label-matched figure does not', () => {
    const x = article('a');
    // ann: "regime" as loaded and "allegedly" as hedge; ben: "regime allegedly" as hedge.
    const study = makeStudy([x], [ann(x, 'ann', [0], [[0, 1, 1, 'loaded'], [0, 2, 2, 'hedge']]), ann(x, 'ben', [0], [[0, 1, 2, 'hedge']])]);
    const report = studyAgreement(study, CATS, OPTIONS);
    // Labels matched: hedge [allegedly] vs [regime allegedly]: P = 9/16, R = 1 → F1 = .72;
    // loaded: ben has none → the hedge and loaded sums together: P = (9/16) / 1, R = 1 / 2.
    const p = 9 / 16;
    const r = 1 / 2;
    expect(report.overall.span.overlapF1.value).toBeCloseTo((2 * p * r) / (p + r), 12);
    // Labels ignored: ann's two spans ([4,10) and [11,20)) stay two, ben's [4,20) covers both:
    // P = 6/16 + 9/16 = 15/16 (the space between is ben's only), R = (6/6 + 9/9) / 2 = 1.
    expect(report.overall.span.identification?.pairs).toBe(1);
    expect(report.overall.span.identification?.f1.value).toBeCloseTo((2 * (15 / 16)) / (15 / 16 + 1), 12);
    expect(report.categories.every((c) => c.span.identification === null)).toBe(true);
  });
});
