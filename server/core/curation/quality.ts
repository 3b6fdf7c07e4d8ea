// Each annotator against gold: span precision, recall and F1, exact and with overlap credit, per
// category and over all categories, each with a bootstrap interval. Pure.
//
// What is compared (compared.ts): for an annotator and an article, the sentences they reviewed
// that gold speaks for (curated ones by default); gold's spans there are the reference, the
// annotator's tags there the candidate; contested spans (and tags on them) are left out by default.
//
// The figures are those of server/core/agreement/span-f1.ts (SemEval-2020 Task 11 overlap credit,
// and exact match), on one document per article and category, micro-averaged: a category's
// figure sums that category's documents, the overall one every category's (labels must match).
//
// The interval. 95 % percentile bootstrap (R type 7 quantiles), resampling whole articles with
// replacement (sentences of one article are not independent; with one article, its sentences are
// resampled instead), `resamples` times (default 1000) with the mulberry32 generator seeded with
// `seed` (default 1) for each annotator, so a report is reproducible and one annotator's interval
// does not depend on who else is in it. Each resample sums the documents' parts (span-f1.ts
// SpanSums) of the articles drawn, so nothing is matched again. A resample where precision
// (recall) is undefined — no candidate (reference) span drawn — is skipped for that figure.
import type { Annotation } from '../model.js';
import {
  exactSums,
  mulberry32,
  overlapSums,
  quantileSorted,
  spanF1FromSums,
  type SpanF1Result,
  type SpanSums,
  type TextSpan,
} from '../agreement/index.js';
import type { Gold } from './gold.js';
import type { GoldScope } from './layer.js';
import { compared, type CompareOptions, type Compared } from './compared.js';

export interface QualityInput {
  gold: Gold;
  sentenceCount: number;
  /** The annotations of the annotators to score on this article (others left out by the caller). */
  annotations: readonly Annotation[];
}

export interface QualityOptions extends CompareOptions {
  resamples?: number;
  seed?: number;
}

export type Interval = { low: number; high: number } | { low: null; high: null; reason: string };

export interface ScoredF1 extends SpanF1Result {
  interval: { precision: Interval; recall: Interval; f1: Interval };
}

export interface LevelQuality {
  /** null for all categories together. */
  category: string | null;
  exact: ScoredF1;
  overlap: ScoredF1;
}

export interface AnnotatorQuality {
  annotatorId: string;
  /** Articles with at least one sentence both the annotator and gold cover. */
  articles: number;
  sentences: number;
  overall: LevelQuality;
  categories: LevelQuality[];
}

export interface QualityReport {
  annotators: AnnotatorQuality[];
  categories: string[];
  scope: GoldScope;
  resamples: number;
  seed: number;
}

/** Exact then overlap parts of one document: 8 numbers. */
const WIDTH = 8;

/** One annotator's documents: per level (0 = overall, 1 + c = category c) the clusters it has parts in. */
class Levels {
  clusters: number[][] = [[]];
  parts: number[][] = [[]];

  ensure(level: number): void {
    while (this.clusters.length <= level) {
      this.clusters.push([]);
      this.parts.push([]);
    }
  }

  add(level: number, cluster: number, exact: SpanSums, overlap: SpanSums): void {
    this.ensure(level);
    const clusters = this.clusters[level]!;
    const parts = this.parts[level]!;
    // Documents arrive cluster by cluster, so a cluster's entry is the last one if it has one.
    if (clusters.length === 0 || clusters[clusters.length - 1] !== cluster) {
      clusters.push(cluster);
      parts.push(0, 0, 0, 0, 0, 0, 0, 0);
    }
    const at = parts.length - WIDTH;
    parts[at]! += exact.pNum;
    parts[at + 1]! += exact.pDen;
    parts[at + 2]! += exact.rNum;
    parts[at + 3]! += exact.rDen;
    parts[at + 4]! += overlap.pNum;
    parts[at + 5]! += overlap.pDen;
    parts[at + 6]! += overlap.rNum;
    parts[at + 7]! += overlap.rDen;
  }
}

interface Document {
  cluster: number;
  category: string;
  reference: TextSpan[];
  candidate: TextSpan[];
}

function noInterval(reason: string): Interval {
  return { low: null, high: null, reason };
}

function interval(values: Float64Array, count: number, reason: string): Interval {
  if (count === 0) return noInterval(reason);
  const sorted = values.subarray(0, count).sort();
  return { low: quantileSorted(sorted, 0.025), high: quantileSorted(sorted, 0.975) };
}

/** The ratios of summed parts at offset `o` of `sums`: P, R, F1 with the scorer's conventions (NaN = undefined). */
function ratios(sums: Float64Array, o: number): [number, number, number] {
  const pNum = sums[o]!;
  const pDen = sums[o + 1]!;
  const rNum = sums[o + 2]!;
  const rDen = sums[o + 3]!;
  const p = pDen > 0 ? pNum / pDen : NaN;
  const r = rDen > 0 ? rNum / rDen : NaN;
  if (pDen === 0 && rDen === 0) return [p, r, 1];
  const pp = pDen > 0 ? p : 0;
  const rr = rDen > 0 ? r : 0;
  return [p, r, pp > 0 && rr > 0 ? (2 * pp * rr) / (pp + rr) : 0];
}

/** The bootstrap distributions of P, R, F1 (exact, then overlap) of every level of one annotator. */
function bootstrap(levels: Levels, clusterCount: number, resamples: number, seed: number): Interval[][] {
  const count = levels.clusters.length;
  const none = (reason: string) => Array.from({ length: count }, () => Array.from({ length: 6 }, () => noInterval(reason)));
  if (clusterCount < 2) return none('needs at least two articles (or sentences) to resample');
  const clusterOf = levels.clusters.map((c) => Int32Array.from(c));
  const partsOf = levels.parts.map((p) => Float64Array.from(p));
  // values[level][figure] holds the defined resampled values; counts how many.
  const values = levels.clusters.map(() => Array.from({ length: 6 }, () => new Float64Array(resamples)));
  const counts = levels.clusters.map(() => new Int32Array(6));
  const weight = new Int32Array(clusterCount);
  const sums = new Float64Array(WIDTH);
  const random = mulberry32(seed);
  for (let r = 0; r < resamples; r++) {
    weight.fill(0);
    for (let i = 0; i < clusterCount; i++) weight[Math.floor(random() * clusterCount)]!++;
    for (let l = 0; l < count; l++) {
      const clusters = clusterOf[l]!;
      const parts = partsOf[l]!;
      sums.fill(0);
      for (let e = 0; e < clusters.length; e++) {
        const w = weight[clusters[e]!]!;
        if (w === 0) continue;
        const o = e * WIDTH;
        for (let j = 0; j < WIDTH; j++) sums[j]! += w * parts[o + j]!;
      }
      const figures = [...ratios(sums, 0), ...ratios(sums, 4)];
      const into = values[l]!;
      const n = counts[l]!;
      for (let f = 0; f < 6; f++) {
        const v = figures[f]!;
        if (!Number.isNaN(v)) into[f]![n[f]!++] = v;
      }
    }
  }
  return values.map((figures, l) =>
    figures.map((v, f) => interval(v, counts[l]![f]!, f % 3 === 0 ? 'no resample drew a span of the annotator' : 'no resample drew a gold span')),
  );
}

function scored(sums: SpanSums, intervals: Interval[], offset: number): ScoredF1 {
  return { ...spanF1FromSums(sums), interval: { precision: intervals[offset]!, recall: intervals[offset + 1]!, f1: intervals[offset + 2]! } };
}

/**
 * The documents (article × category) comparing one annotator with gold, and the sentences
 * compared; clusters are articles, or the sentences of the single article.
 */
function documentsOf(inputs: readonly QualityInput[], annotatorId: string, options: QualityOptions): { documents: Document[]; articles: number; sentences: number; clusters: number } {
  const found: Compared[] = [];
  for (const input of inputs) {
    const annotation = input.annotations.find((a) => a.annotatorId === annotatorId);
    if (!annotation) continue;
    const c = compared(input.gold, annotation, input.sentenceCount, options);
    if (c.sentences.length > 0) found.push(c);
  }
  const bySentence = found.length === 1;
  const documents: Document[] = [];
  let sentences = 0;
  found.forEach((c, a) => {
    sentences += c.sentences.length;
    const rank = new Map(c.sentences.map((s, i) => [s, i]));
    const clusterOf = (sentence: number) => (bySentence ? (rank.get(sentence) ?? 0) : a);
    const docs = new Map<string, Document>();
    const doc = (cluster: number, category: string) => {
      const key = `${cluster}:${category}`;
      let d = docs.get(key);
      if (!d) docs.set(key, (d = { cluster, category, reference: [], candidate: [] }));
      return d;
    };
    for (const s of c.reference) doc(clusterOf(s.sentence), s.category).reference.push({ start: s.start, end: s.end });
    for (const t of c.tags) doc(clusterOf(t.sentence), t.category).candidate.push({ start: t.start, end: t.end });
    documents.push(...[...docs.values()].sort((x, y) => x.cluster - y.cluster));
  });
  return { documents, articles: found.length, sentences, clusters: bySentence ? (found[0]?.sentences.length ?? 0) : found.length };
}

/** Every annotator's precision, recall and F1 against gold (see the file comment). */
export function qualityAgainstGold(inputs: readonly QualityInput[], options: QualityOptions = {}): QualityReport {
  const resamples = options.resamples ?? 1000;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError('resamples must be a positive integer');
  if (!Number.isInteger(seed)) throw new RangeError('seed must be an integer');
  const annotatorIds = [...new Set(inputs.flatMap((i) => i.annotations.map((a) => a.annotatorId)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const seenCategories = new Set<string>(options.categories ?? []);
  const perAnnotator = annotatorIds.map((annotatorId) => {
    const found = documentsOf(inputs, annotatorId, options);
    for (const d of found.documents) seenCategories.add(d.category);
    return { annotatorId, ...found };
  });
  const categories = options.categories ? [...options.categories] : [...seenCategories].sort();
  const level = new Map(categories.map((c, i) => [c, i + 1]));
  const annotators = perAnnotator.map(({ annotatorId, documents, articles, sentences, clusters }): AnnotatorQuality => {
    const levels = new Levels();
    levels.ensure(categories.length);
    const totals = Array.from({ length: categories.length + 1 }, () => ({ exact: zero(), overlap: zero() }));
    for (const d of documents) {
      const l = level.get(d.category);
      if (l === undefined) continue;
      const pair = { reference: d.reference, candidate: d.candidate };
      const exact = exactSums(pair);
      const overlap = overlapSums(pair);
      for (const at of [0, l]) {
        levels.add(at, d.cluster, exact, overlap);
        add(totals[at]!.exact, exact);
        add(totals[at]!.overlap, overlap);
      }
    }
    const intervals = bootstrap(levels, clusters, resamples, seed);
    const levelQuality = (at: number, category: string | null): LevelQuality => ({
      category,
      exact: scored(totals[at]!.exact, intervals[at]!, 0),
      overlap: scored(totals[at]!.overlap, intervals[at]!, 3),
    });
    return {
      annotatorId,
      articles,
      sentences,
      overall: levelQuality(0, null),
      categories: categories.map((c, i) => levelQuality(i + 1, c)),
    };
  });
  return { annotators, categories, scope: options.scope ?? 'curated', resamples, seed };
}

function zero(): SpanSums {
  return { pNum: 0, pDen: 0, rNum: 0, rDen: 0 };
}

function add(into: SpanSums, x: SpanSums): void {
  into.pNum += x.pNum;
  into.pDen += x.pDen;
  into.rNum += x.rNum;
  into.rDen += x.rDen;
}
