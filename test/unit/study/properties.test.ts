// Property tests: on random small studies, every figure of the study report equals the reference
// implementation in server/core/agreement applied to an explicitly built matrix or span list.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Annotation, Article, Category, Tag } from '../../../server/core/model.js';
import { segment, words } from '../../../server/core/segmentation.js';
import {
  cohenKappa,
  exactSpanF1Documents,
  krippendorffAlpha,
  overlapSpanF1Documents,
  type SpanPair,
  type Statistic,
} from '../../../server/core/agreement/index.js';
import { makeStudy, sentenceMatrix, sharedArticles, tokenMatrix, type Study } from '../../../server/core/study/units.js';
import { studyAgreement, type AgreementOptions } from '../../../server/core/study/agreement.js';

const POOL = [
  'The regime allegedly crushed the peaceful protest.',
  'Officials said the economy is booming.',
  'Critics say the reform is a disaster.',
  'Thugs stormed the building at dawn.',
  'Experts warn of a looming catastrophe for millions.',
];

function category(id: string): Category {
  return { id, name: id, definition: '', span: '', example: '', colour: '#336699', key: id[0] ?? 'x' };
}
const CATS = ['hedge', 'loaded', 'emphasis'].map(category);
/** Tags may use a category no longer in the codebook: it must not count anywhere. */
const TAG_CATEGORIES = ['hedge', 'loaded', 'emphasis', 'retired'];

const OPTIONS: AgreementOptions = { words: (a, r) => words(a.text, r), resamples: 20, seed: 3 };

interface TagDraw {
  sentence: number;
  a: number;
  b: number;
  category: number;
}
interface AnnotationDraw {
  present: boolean;
  reviewed: boolean[];
  tags: TagDraw[];
}
interface StudyDraw {
  texts: number[][];
  annotators: number;
  work: AnnotationDraw[][];
}

const studyDraw: fc.Arbitrary<StudyDraw> = fc
  .record({
    texts: fc.array(fc.array(fc.nat({ max: POOL.length - 1 }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
    annotators: fc.integer({ min: 2, max: 4 }),
  })
  .chain(({ texts, annotators }) =>
    fc.record({
      texts: fc.constant(texts),
      annotators: fc.constant(annotators),
      work: fc.array(
        fc.array(
          fc.record({
            present: fc.boolean(),
            reviewed: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
            tags: fc.array(
              fc.record({ sentence: fc.nat({ max: 3 }), a: fc.nat({ max: 8 }), b: fc.nat({ max: 8 }), category: fc.nat({ max: TAG_CATEGORIES.length - 1 }) }),
              { maxLength: 6 },
            ),
          }),
          { minLength: annotators, maxLength: annotators },
        ),
        { minLength: texts.length, maxLength: texts.length },
      ),
    }),
  );

function build(draw: StudyDraw): Study {
  const articles: Article[] = draw.texts.map((sentences, i) => {
    const text = sentences.map((n) => POOL[n] ?? '').join(' ');
    return { id: `art${i}`, projectId: 'p', title: `A${i}`, source: '', url: '', publishedAt: '', text, sentences: segment(text), createdAt: `2024-01-0${i + 1}`, createdBy: 'r' };
  });
  const annotators = Array.from({ length: draw.annotators }, (_, i) => `coder${i}`);
  const annotations: Annotation[] = [];
  let serial = 0;
  articles.forEach((article, ai) => {
    annotators.forEach((annotatorId, ci) => {
      const w = draw.work[ai]?.[ci];
      if (!w?.present) return;
      const n = article.sentences.length;
      const tags: Tag[] = [];
      for (const t of w.tags) {
        const s = t.sentence % n;
        const range = article.sentences[s];
        if (!range) continue;
        const ws = words(article.text, range);
        const from = ws[Math.min(t.a, t.b) % ws.length];
        const to = ws[Math.max(t.a, t.b) % ws.length];
        if (!from || !to || from.start >= to.end) continue;
        const category = TAG_CATEGORIES[t.category] ?? 'hedge';
        if (tags.some((x) => x.start === from.start && x.end === to.end && x.category === category)) continue;
        tags.push({
          id: `t${++serial}`, articleId: article.id, annotatorId, sentence: s, start: from.start, end: to.end, category,
          voice: 'author', intensity: null, note: '', createdAt: '', updatedAt: '',
        });
      }
      const reviewed = w.reviewed.map((r, s) => (r && s < n ? s : -1)).filter((s) => s >= 0);
      annotations.push({ articleId: article.id, annotatorId, reviewed, tags, updatedAt: '' });
    });
  });
  return makeStudy(articles, annotations, annotators);
}

/** Same value (to 1e-9), or both undefined. */
function expectSame(got: Statistic, expected: Statistic, what: string): void {
  if (expected.value === null) expect(got.value, `${what}: expected undefined (${expected.reason})`).toBeNull();
  else {
    expect(got.value, what).not.toBeNull();
    expect(got.value ?? NaN, what).toBeCloseTo(expected.value, 9);
  }
}

function spans(study: Study, articleId: string, annotatorId: string, cat: string) {
  return (study.annotation(articleId, annotatorId)?.tags ?? []).filter((t) => t.category === cat).map((t) => ({ start: t.start, end: t.end }));
}

function meanOf(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((x, y) => x + y, 0) / values.length;
}

const RUNS = { numRuns: 60, seed: 20240101 };

describe('studyAgreement on random studies', () => {
  it('sentence and token α equal krippendorffAlpha on the explicit matrices; nothing is NaN', () => {
    fc.assert(
      fc.property(studyDraw, (draw) => {
        const study = build(draw);
        const report = studyAgreement(study, CATS, OPTIONS);
        const sentence = CATS.map((c) => sentenceMatrix(study, c.id).values);
        const token = CATS.map((c) => tokenMatrix(study, c.id, OPTIONS.words));
        CATS.forEach((c, i) => {
          const got = report.categories[i];
          if (!got) throw new Error('missing category');
          expectSame(got.sentence.report.statistics.krippendorff_alpha, krippendorffAlpha({ coders: study.annotators, units: sentence[i] ?? [] }), `sentence α ${c.id}`);
          expectSame(got.token.alpha, krippendorffAlpha({ coders: study.annotators, units: token[i] ?? [] }), `token α ${c.id}`);
        });
        expectSame(report.overall.sentence.report.statistics.krippendorff_alpha, krippendorffAlpha({ coders: study.annotators, units: sentence.flat() }), 'overall sentence α');
        expectSame(report.overall.token.alpha, krippendorffAlpha({ coders: study.annotators, units: token.flat() }), 'overall token α');
        for (const c of [report.overall, ...report.categories]) {
          const ci = c.sentence.report.statistics.krippendorff_alpha_ci95;
          if (ci.low !== null && ci.high !== null) expect(ci.low).toBeLessThanOrEqual(ci.high);
          else expect('reason' in ci && ci.reason.length > 0).toBe(true);
          expect(JSON.stringify(c, (_k, v: unknown) => (typeof v === 'number' && Number.isNaN(v) ? 'NaN!' : v))).not.toContain('NaN!');
        }
      }),
      RUNS,
    );
  });

  it('pair κ equals cohenKappa on the two annotators’ sentence × category units', () => {
    fc.assert(
      fc.property(studyDraw, (draw) => {
        const study = build(draw);
        const report = studyAgreement(study, CATS, OPTIONS);
        const matrices = CATS.flatMap((c) => sentenceMatrix(study, c.id).values);
        expect(report.pairs).toHaveLength((study.annotators.length * (study.annotators.length - 1)) / 2);
        for (const pair of report.pairs) {
          const i = study.annotators.indexOf(pair.a);
          const j = study.annotators.indexOf(pair.b);
          expect(i).toBeLessThan(j);
          const units = matrices.map((row) => [row[i] ?? null, row[j] ?? null]);
          expectSame(pair.kappa, cohenKappa({ coders: [pair.a, pair.b], units }), `κ ${pair.a}/${pair.b}`);
          if (pair.kappa.value === null) expect(pair.kappa.reason.length).toBeGreaterThan(0);
        }
      }),
      RUNS,
    );
  });

  it('span F1 equals overlapSpanF1Documents / exactSpanF1Documents per pair on the articles both reviewed (undefined where neither has a span)', () => {
    fc.assert(
      fc.property(studyDraw, (draw) => {
        const study = build(draw);
        const report = studyAgreement(study, CATS, OPTIONS);
        const ids = CATS.map((c) => c.id);
        const docs = (a: string, b: string, cats: string[]): SpanPair[] =>
          sharedArticles(study, [a, b]).flatMap((article) =>
            cats.map((c) => ({ reference: spans(study, article.id, a, c), candidate: spans(study, article.id, b, c) })),
          );
        const pairs = report.pairs.map((p) => [p.a, p.b] as const);
        const shared = pairs.filter(([a, b]) => sharedArticles(study, [a, b]).length > 0);
        /** Some span on either side: otherwise F1 is 0/0 (the scorer's 1 is not reported). */
        const anySpan = (d: SpanPair[]) => d.some((x) => x.reference.length + x.candidate.length > 0);
        // The pair matrix: overlap F1 over all categories.
        for (const p of report.pairs) {
          const d = docs(p.a, p.b, ids);
          if (d.length === 0 || !anySpan(d)) expect(p.f1.value).toBeNull();
          else expectSame(p.f1, overlapSpanF1Documents(d).f1, `pair F1 ${p.a}/${p.b}`);
        }
        // Per category and overall: the mean over pairs that share an article and have a span.
        const levels = [
          [report.overall, ids],
          ...CATS.map((c, i) => [report.categories[i], [c.id]] as const),
        ] as const;
        for (const [level, cats] of levels) {
          if (!level) throw new Error('missing level');
          const scored = shared.filter(([a, b]) => anySpan(docs(a, b, [...cats])));
          expect(level.span.pairs).toBe(scored.length);
          const overlap = meanOf(scored.map(([a, b]) => overlapSpanF1Documents(docs(a, b, [...cats])).f1.value ?? NaN));
          const exact = meanOf(scored.map(([a, b]) => exactSpanF1Documents(docs(a, b, [...cats])).f1.value ?? NaN));
          if (overlap === null || exact === null) {
            expect(level.span.overlapF1.value).toBeNull();
            expect(level.span.exactF1.value).toBeNull();
          } else {
            expect(level.span.overlapF1.value ?? NaN).toBeCloseTo(overlap, 9);
            expect(level.span.exactF1.value ?? NaN).toBeCloseTo(exact, 9);
          }
        }
        // Span identification (overall only): every category's spans together, labels ignored —
        // overlapSpanF1Documents merges them as the SemEval-2020 T11 SI scorer does.
        const unlabelled = (a: string, b: string): SpanPair[] =>
          sharedArticles(study, [a, b]).map((article) => ({
            reference: ids.flatMap((c) => spans(study, article.id, a, c)),
            candidate: ids.flatMap((c) => spans(study, article.id, b, c)),
          }));
        const identified = shared.filter(([a, b]) => anySpan(unlabelled(a, b)));
        const si = meanOf(identified.map(([a, b]) => overlapSpanF1Documents(unlabelled(a, b)).f1.value ?? NaN));
        expect(report.overall.span.identification?.pairs).toBe(identified.length);
        if (si === null) expect(report.overall.span.identification?.f1.value).toBeNull();
        else expect(report.overall.span.identification?.f1.value ?? NaN).toBeCloseTo(si, 9);
        for (const c of report.categories) expect(c.span.identification).toBeNull();
      }),
      RUNS,
    );
  });
});
