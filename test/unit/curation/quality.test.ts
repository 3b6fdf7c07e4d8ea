// Quality against gold: the figures equal the span-F1 code on the same pairs, built plainly here;
// the interval equals a plain bootstrap over articles written with the documents API.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Annotation, Article, Tag } from '../../../server/core/model.js';
import { segment, words } from '../../../server/core/segmentation.js';
import {
  exactSpanF1Documents,
  mulberry32,
  overlapSpanF1Documents,
  quantileSorted,
  type SpanPair,
  type Statistic,
} from '../../../server/core/agreement/index.js';
import { articleCandidates } from '../../../server/core/curation/candidates.js';
import { emptyGold, type Gold } from '../../../server/core/curation/gold.js';
import { DEFAULT_MERGE_SETTINGS, mergeGold } from '../../../server/core/curation/merge.js';
import { addSpan, markContested, markSentenceCurated } from '../../../server/core/curation/operations.js';
import { annotatorLevels, bootstrap, Draws, Levels, qualityAgainstGold, type Interval, type QualityInput } from '../../../server/core/curation/quality.js';
import { compared } from '../../../server/core/curation/compared.js';
import { feedbackAgainstGold } from '../../../server/core/curation/feedback.js';
import { compareTags } from '../../../server/core/classroom/feedback.js';
import { annotationOf, article, curator, idMaker, span, sentenceWords } from './fixtures.js';

const POOL = [
  'The regime allegedly crushed the peaceful protest.',
  'Officials said the economy is booming.',
  'Critics say the reform is a disaster.',
  'Thugs stormed the building at dawn.',
];
const CATEGORIES = ['hedge', 'loaded', 'emphasis'];

interface World {
  articles: Article[];
  annotations: Annotation[];
  golds: Gold[];
}

const worldDraw = fc.record({
  texts: fc.array(fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
  annotators: fc.integer({ min: 2, max: 4 }),
  tags: fc.array(fc.record({ article: fc.nat(), annotator: fc.nat(), s: fc.nat({ max: 2 }), a: fc.nat({ max: 3 }), b: fc.nat({ max: 3 }), c: fc.nat({ max: 2 }) }), { maxLength: 40 }),
  reviewed: fc.array(fc.boolean(), { minLength: 48, maxLength: 48 }),
  curated: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
  added: fc.array(fc.record({ article: fc.nat(), s: fc.nat({ max: 2 }), a: fc.nat({ max: 3 }), c: fc.nat({ max: 2 }), contest: fc.boolean() }), { maxLength: 6 }),
});

type WorldDraw = typeof worldDraw extends fc.Arbitrary<infer T> ? T : never;

function build(d: WorldDraw): World {
  const articles = d.texts.map((ids, i): Article => {
    const text = ids.map((k) => POOL[k]!).join(' ');
    return { id: `art${i}`, projectId: 'p', title: '', source: '', url: '', publishedAt: '', text, sentences: segment(text), createdAt: '', createdBy: 'r' };
  });
  const wordsAt = (a: Article, s: number) => words(a.text, a.sentences[s]!);
  const annotations: Annotation[] = [];
  articles.forEach((a, ai) => {
    for (let k = 0; k < d.annotators; k++) {
      const reviewed = a.sentences.map((_, s) => s).filter((s) => d.reviewed[(ai * 4 + k) * 3 + s] ?? false);
      annotations.push({ articleId: a.id, annotatorId: `coder${k}`, reviewed, tags: [], updatedAt: '' });
    }
  });
  let serial = 0;
  for (const t of d.tags) {
    const a = articles[t.article % articles.length]!;
    const annotation = annotations.find((x) => x.articleId === a.id && x.annotatorId === `coder${t.annotator % d.annotators}`)!;
    const s = t.s % a.sentences.length;
    const ws = wordsAt(a, s);
    const from = ws[Math.min(t.a, t.b) % ws.length]!;
    const to = ws[Math.max(t.a, t.b) % ws.length]!;
    if (from.start >= to.end) continue;
    const category = CATEGORIES[t.c]!;
    if (annotation.tags.some((x) => x.start === from.start && x.end === to.end && x.category === category)) continue;
    annotation.tags.push({ id: `t${++serial}`, articleId: a.id, annotatorId: annotation.annotatorId, sentence: s, start: from.start, end: to.end, category, voice: 'author', intensity: null, note: '', createdAt: '', updatedAt: '' });
  }
  const newId = idMaker();
  const golds = articles.map((a, ai) => {
    const gold = emptyGold(a.id);
    mergeGold(gold, articleCandidates(annotations.filter((x) => x.articleId === a.id), a.sentences.length), { ...DEFAULT_MERGE_SETTINGS, minReviewers: 1 }, curator, newId);
    a.sentences.forEach((_, s) => {
      if (d.curated[ai * 3 + s]) markSentenceCurated(gold, s, a.sentences.length, curator);
    });
    return gold;
  });
  for (const x of d.added) {
    const ai = x.article % articles.length;
    const a = articles[ai]!;
    const gold = golds[ai]!;
    const s = x.s % a.sentences.length;
    const ws = wordsAt(a, s);
    const w = ws[x.a % ws.length]!;
    const category = CATEGORIES[x.c]!;
    if (gold.spans.some((g) => g.start === w.start && g.end === w.end && g.category === category)) continue;
    const added = addSpan(gold, s, { start: w.start, end: w.end, category, voice: 'author', intensity: null, note: '' }, a.sentences[s]!, curator, newId());
    if (x.contest) markContested(gold, added.id, { categories: ['hedge', 'loaded'], reason: 'split' }, curator);
  }
  return { articles, annotations, golds };
}

function inputs(world: World): QualityInput[] {
  return world.articles.map((a, i) => ({ gold: world.golds[i]!, sentenceCount: a.sentences.length, annotations: world.annotations.filter((x) => x.articleId === a.id) }));
}

/** The pairs, plainly: per article and category, gold's non-contested spans and the annotator's tags on reviewed curated sentences. */
function pairs(world: World, annotatorId: string, category: string | null): SpanPair[] {
  const out: SpanPair[] = [];
  world.articles.forEach((a, i) => {
    const gold = world.golds[i]!;
    const annotation = world.annotations.find((x) => x.articleId === a.id && x.annotatorId === annotatorId);
    if (!annotation) return;
    const curated = new Set(gold.finished ? a.sentences.map((_, s) => s) : gold.curated.map((c) => c.sentence));
    const reviewed = new Set([...annotation.reviewed, ...annotation.tags.map((t) => t.sentence)]);
    const inScope = (s: number) => curated.has(s) && reviewed.has(s);
    const contested = gold.spans.filter((g) => g.status === 'contested' && inScope(g.sentence));
    for (const c of category === null ? CATEGORIES : [category]) {
      out.push({
        reference: gold.spans.filter((g) => g.category === c && g.status !== 'contested' && inScope(g.sentence)).map((g) => ({ start: g.start, end: g.end })),
        candidate: annotation.tags
          .filter((t) => t.category === c && inScope(t.sentence) && !contested.some((g) => g.sentence === t.sentence && g.start < t.end && t.start < g.end))
          .map((t) => ({ start: t.start, end: t.end })),
      });
    }
  });
  return out;
}

function same(got: Statistic, expected: Statistic): void {
  if (expected.value === null) expect(got.value).toBeNull();
  else expect(got.value ?? NaN).toBeCloseTo(expected.value, 12);
}

describe('F1 against gold on random studies', () => {
  it('equals the span-F1 code on the same pairs, exact and overlap, per category and overall', () => {
    let compared = 0;
    fc.assert(
      fc.property(worldDraw, (d) => {
        const world = build(d);
        const report = qualityAgainstGold(inputs(world), { categories: CATEGORIES, resamples: 5 });
        for (const a of report.annotators) {
          const levels = [a.overall, ...a.categories];
          for (const level of levels) {
            const docs = pairs(world, a.annotatorId, level.category);
            const exact = exactSpanF1Documents(docs);
            const overlap = overlapSpanF1Documents(docs);
            for (const f of ['precision', 'recall', 'f1'] as const) {
              same(level.exact[f], exact[f]);
              same(level.overlap[f], overlap[f]);
            }
            expect(level.exact.reference_spans).toBe(exact.reference_spans);
            expect(level.overlap.candidate_spans).toBe(overlap.candidate_spans);
            compared += docs.reduce((n, p) => n + p.reference.length + p.candidate.length, 0);
          }
        }
      }),
      { numRuns: 120, seed: 20250302 },
    );
    expect(compared).toBeGreaterThan(200);
  });
});

describe('the interval', () => {
  // Three articles, two annotators, everything curated.
  const texts = [POOL.join(' '), `${POOL[1]} ${POOL[2]}`, `${POOL[3]} ${POOL[0]}`];
  const arts = texts.map((text, i): Article => ({ id: `a${i}`, projectId: 'p', title: '', source: '', url: '', publishedAt: '', text, sentences: segment(text), createdAt: '', createdBy: 'r' }));
  function tagsOn(a: Article, annotatorId: string, picks: [number, number, number, string][]): Tag[] {
    return picks.map(([s, first, last, category], i) => {
      const ws = words(a.text, a.sentences[s]!);
      return { id: `${annotatorId}-${a.id}-${i}`, articleId: a.id, annotatorId, sentence: s, start: ws[first]!.start, end: ws[last]!.end, category, voice: 'author', intensity: null, note: '', createdAt: '', updatedAt: '' };
    });
  }
  const world: World = { articles: arts, annotations: [], golds: [] };
  arts.forEach((a, i) => {
    const all = a.sentences.map((_, s) => s);
    world.annotations.push({ articleId: a.id, annotatorId: 'ann', reviewed: all, tags: tagsOn(a, 'ann', [[0, 1, 2, 'loaded'], [1, 0, 0, 'hedge'], [0, 3, 3, 'hedge']].slice(0, 3 - (i % 2)) as [number, number, number, string][]), updatedAt: '' });
    world.annotations.push({ articleId: a.id, annotatorId: 'ben', reviewed: all, tags: tagsOn(a, 'ben', [[0, 1, 3, 'loaded'], [1, 1, 1, 'hedge']]), updatedAt: '' });
    const gold = emptyGold(a.id);
    mergeGold(gold, articleCandidates([], a.sentences.length), DEFAULT_MERGE_SETTINGS, curator, idMaker());
    for (const t of tagsOn(a, 'g', [[0, 1, 2, 'loaded'], [1, 0, 1, 'hedge']])) {
      addSpan(gold, t.sentence, { start: t.start, end: t.end, category: t.category, voice: 'author', intensity: null, note: '' }, a.sentences[t.sentence]!, curator, t.id);
    }
    all.forEach((s) => markSentenceCurated(gold, s, all.length, curator));
    world.golds.push(gold);
  });

  it('is a plain percentile bootstrap over articles, reproducible from its seed', () => {
    const report = qualityAgainstGold(inputs(world), { categories: CATEGORIES, resamples: 200, seed: 7 });
    for (const a of report.annotators) {
      const perArticle = world.articles.map((art) => pairs({ ...world, articles: [art], golds: [world.golds[world.articles.indexOf(art)]!] }, a.annotatorId, null));
      const random = mulberry32(7);
      const f1s: number[] = [];
      const recalls: number[] = [];
      for (let r = 0; r < 200; r++) {
        const drawn: SpanPair[] = [];
        for (let i = 0; i < perArticle.length; i++) drawn.push(...perArticle[Math.floor(random() * perArticle.length)]!);
        const result = overlapSpanF1Documents(drawn);
        f1s.push(result.f1.value!);
        if (result.recall.value !== null) recalls.push(result.recall.value);
      }
      f1s.sort((x, y) => x - y);
      recalls.sort((x, y) => x - y);
      const f1 = a.overall.overlap.interval.f1;
      expect(f1.low).toBeCloseTo(quantileSorted(f1s, 0.025), 12);
      expect(f1.high).toBeCloseTo(quantileSorted(f1s, 0.975), 12);
      expect(a.overall.overlap.interval.recall.low).toBeCloseTo(quantileSorted(recalls, 0.025), 12);
      expect(f1.low!).toBeLessThanOrEqual(a.overall.overlap.f1.value!);
      expect(f1.high!).toBeGreaterThanOrEqual(a.overall.overlap.f1.value!);
    }
    expect(qualityAgainstGold(inputs(world), { categories: CATEGORIES, resamples: 200, seed: 7 })).toEqual(report);
  });

  it('with one article, its sentences are resampled; with nothing to resample it says why', () => {
    const one = { ...world, articles: [world.articles[0]!], golds: [world.golds[0]!], annotations: world.annotations.filter((a) => a.articleId === 'a0') };
    const report = qualityAgainstGold(inputs(one), { resamples: 50 });
    expect(report.annotators[0]?.sentences).toBe(4);
    expect(report.annotators[0]?.overall.overlap.interval.f1.low).not.toBeNull();
    const empty = qualityAgainstGold(inputs({ ...one, golds: [emptyGold('a0')] }), { resamples: 50 });
    expect(empty.annotators[0]).toMatchObject({ articles: 0, sentences: 0 });
    expect(empty.annotators[0]?.overall.overlap.interval.f1).toMatchObject({ low: null, reason: expect.stringMatching(/two/) });
  });
});

describe('contested spans and scope', () => {
  const annotations = [annotationOf('ann', [{ s: 0, first: 1, last: 2, category: 'loaded' }, { s: 1, first: 5, last: 5, category: 'loaded' }], [0, 1, 2])];
  const sentence = (s: number) => article.sentences[s]!;

  function goldWith(contested: boolean): Gold {
    const gold = emptyGold(article.id);
    const g = addSpan(gold, 0, { ...span(0, 1, 2), category: 'loaded', voice: 'author', intensity: null, note: '' }, sentence(0), curator, 'g1');
    addSpan(gold, 1, { ...span(1, 3, 3), category: 'loaded', voice: 'author', intensity: null, note: '' }, sentence(1), curator, 'g2');
    if (contested) markContested(gold, g.id, { categories: ['hedge'], reason: 'unclear' }, curator);
    markSentenceCurated(gold, 0, 3, curator);
    markSentenceCurated(gold, 1, 3, curator);
    return gold;
  }

  it('a contested span and the tags on it are left out by default, counted with include', () => {
    const input = (gold: Gold) => [{ gold, sentenceCount: 3, annotations }];
    const plain = qualityAgainstGold(input(goldWith(false)), { resamples: 10 }).annotators[0]!;
    expect(plain.overall.exact).toMatchObject({ candidate_spans: 2, reference_spans: 2, f1: { value: 0.5 } });
    const open = qualityAgainstGold(input(goldWith(true)), { resamples: 10 }).annotators[0]!;
    expect(open.overall.exact).toMatchObject({ candidate_spans: 1, reference_spans: 1, f1: { value: 0 } });
    const counted = qualityAgainstGold(input(goldWith(true)), { resamples: 10, contested: 'include' }).annotators[0]!;
    expect(counted.overall.exact.f1.value).toBe(0.5);
  });

  it('only curated sentences count by default; scope all counts every sentence', () => {
    const gold = goldWith(false);
    gold.curated = gold.curated.filter((c) => c.sentence === 0);
    const input = [{ gold, sentenceCount: 3, annotations }];
    expect(qualityAgainstGold(input, { resamples: 10 }).annotators[0]?.overall.exact).toMatchObject({ candidate_spans: 1, f1: { value: 1 } });
    expect(qualityAgainstGold(input, { resamples: 10, scope: 'all' }).annotators[0]?.overall.exact.f1.value).toBe(0.5);
  });

  it('the feedback page is the classroom comparison with gold as the reference', () => {
    const gold = goldWith(false);
    const feedback = feedbackAgainstGold(sentenceWords, gold, annotations[0]!);
    expect(feedback.compared).toEqual([0, 1]);
    expect(feedback.counts).toEqual({ matched: 1, covered: 0, confusion: 0, missed: 1, extra: 1 });
    expect(feedback.overall).toMatchObject({ tags: 2, reference: 2, credit: 1 });
    const { compared: _, ...rest } = feedback;
    expect(rest).toEqual(compareTags(sentenceWords, gold.spans, annotations[0]!.tags));
  });
});

describe('the fast bootstrap', () => {
  // The straightforward bootstrap: per resample, draw every cluster's weight, then per level add
  // each of its entries times its cluster's weight, and keep the figures that are defined.
  function straightforward(levels: Levels, clusterCount: number, resamples: number, seed: number): Interval[][] {
    const reason = (f: number) => (f % 3 === 0 ? 'no resample drew a span of the annotator' : 'no resample drew a gold span');
    if (clusterCount < 2) return levels.clusters.map(() => Array.from({ length: 6 }, () => ({ low: null, high: null, reason: 'needs at least two articles (or sentences) to resample' })));
    const random = mulberry32(seed);
    const figures = levels.clusters.map(() => Array.from({ length: 6 }, (): number[] => []));
    for (let r = 0; r < resamples; r++) {
      const weight = new Array<number>(clusterCount).fill(0);
      for (let i = 0; i < clusterCount; i++) weight[Math.floor(random() * clusterCount)]!++;
      levels.clusters.forEach((clusters, l) => {
        const sum = new Array<number>(8).fill(0);
        clusters.forEach((c, e) => {
          for (let k = 0; k < 8; k++) sum[k]! += weight[c]! * levels.parts[l]![e * 8 + k]!;
        });
        for (const [f, [pNum, pDen, rNum, rDen]] of [[0, sum.slice(0, 4)], [3, sum.slice(4)]] as const) {
          const p = pDen! > 0 ? pNum! / pDen! : 0;
          const rc = rDen! > 0 ? rNum! / rDen! : 0;
          if (pDen! > 0) figures[l]![f]!.push(p);
          if (rDen! > 0) figures[l]![f + 1]!.push(rc);
          figures[l]![f + 2]!.push(pDen === 0 && rDen === 0 ? 1 : p > 0 && rc > 0 ? (2 * p * rc) / (p + rc) : 0);
        }
      });
    }
    return figures.map((row) =>
      row.map((values, f): Interval => {
        if (values.length === 0) return { low: null, high: null, reason: reason(f) };
        const sorted = Float64Array.from(values).sort();
        return { low: quantileSorted(sorted, 0.025), high: quantileSorted(sorted, 0.975) };
      }),
    );
  }

  /** Random levels: entries in ascending cluster order per level, parts as span-f1.ts makes them (counts, overlap fractions), some with huge counts. */
  const levelsDraw = fc
    .record({
      clusterCount: fc.integer({ min: 0, max: 40 }),
      levelCount: fc.integer({ min: 1, max: 6 }),
      entries: fc.array(fc.record({ level: fc.nat(), cluster: fc.nat(), candidates: fc.nat({ max: 6 }), references: fc.nat({ max: 6 }), credit: fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 4, maxLength: 4 }) }), { maxLength: 120 }),
      resamples: fc.integer({ min: 1, max: 80 }),
      seed: fc.integer({ min: -1000, max: 1000 }),
      // Counts this large need wider fields: fewer counts share a double (or none do).
      big: fc.constantFrom(1, 1, 4096, 2 ** 30),
    })
    .map((d) => {
      const levels = new Levels();
      levels.ensure(d.levelCount - 1);
      const sorted = [...d.entries].sort((x, y) => (x.cluster % Math.max(1, d.clusterCount)) - (y.cluster % Math.max(1, d.clusterCount)));
      for (const e of sorted) {
        if (d.clusterCount === 0) break;
        const matches = Math.min(e.candidates, e.references) * d.big;
        const share = (k: number) => e.credit[k]! / 97;
        const [candidates, references] = [e.candidates * d.big, e.references * d.big];
        const exact = { pNum: matches, pDen: candidates, rNum: matches, rDen: references };
        const overlap = { pNum: candidates * share(0) + share(1) / 3, pDen: candidates, rNum: references * share(2) + share(3) / 7, rDen: references };
        levels.add(e.level % d.levelCount, e.cluster % d.clusterCount, exact, overlap);
      }
      return { ...d, levels };
    });

  it('equals the straightforward bootstrap to the last bit on random levels', () => {
    fc.assert(
      fc.property(levelsDraw, ({ levels, clusterCount, resamples, seed }) => {
        const fast = clusterCount < 2 ? null : bootstrap(levels, new Draws(clusterCount, resamples, seed));
        const plain = straightforward(levels, clusterCount, resamples, seed);
        if (fast) expect(fast).toEqual(plain);
        else expect(plain.flat().every((i) => i.low === null)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('equals the straightforward bootstrap to the last bit on random studies, per annotator', () => {
    fc.assert(
      fc.property(worldDraw, (d) => {
        const world = build(d);
        const level = new Map(CATEGORIES.map((c, i) => [c, i + 1]));
        const annotatorIds = [...new Set(world.annotations.map((a) => a.annotatorId))];
        for (const id of annotatorIds) {
          const list = world.articles
            .map((a, i) => compared(world.golds[i]!, world.annotations.find((x) => x.articleId === a.id && x.annotatorId === id)!, a.sentences.length, { scope: 'all' }))
            .filter((c) => c.sentences.length > 0);
          const { levels, clusters } = annotatorLevels(list, level, CATEGORIES.length + 1);
          if (clusters < 2) continue;
          expect(bootstrap(levels, new Draws(clusters, 60, 5))).toEqual(straightforward(levels, clusters, 60, 5));
        }
      }),
      { numRuns: 60 },
    );
  });
});
