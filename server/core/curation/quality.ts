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
import { comparer, type CompareOptions, type Compared } from './compared.js';

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
export class Levels {
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

function noInterval(reason: string): Interval {
  return { low: null, high: null, reason };
}

function interval(values: Float64Array, count: number, reason: string): Interval {
  if (count === 0) return noInterval(reason);
  const sorted = values.subarray(0, count).sort();
  return { low: quantileSorted(sorted, 0.025), high: quantileSorted(sorted, 0.975) };
}

/** The figures per level: P, R, F1 exact, then P, R, F1 overlap. */
const FIGURES = 6;

/** Resamples summed together, and clusters walked together (see bootstrap). */
const RESAMPLE_BLOCK = 32;
const CLUSTER_STRETCH = 128;

/** The sums a resample needs per level: exact matches, exact P and R denominators, then overlap's four parts. */
const SUMS = 7;

/**
 * The bootstrap intervals of P, R, F1 (exact, then overlap) of every level of one annotator.
 *
 * Levels' entries are laid out once cluster by cluster (each entry: its level and 8 parts), so a
 * resample walks only the clusters it drew, each one's entries side by side in memory, adding
 * weight × parts into per-level sums: no allocation per resample, and no look at the entries of
 * the third or so of clusters a resample leaves out. Every level still receives its entries in
 * ascending cluster order, as the straightforward loop (per level, every entry times its cluster's
 * weight) adds them, so the sums, and with them every figure, are the same to the last bit
 * (test/unit/curation/quality.test.ts compares the two on random data).
 */
export function bootstrap(levels: Levels, draws: Draws): Interval[][] {
  const { clusterCount, resamples } = draws;
  const count = levels.clusters.length;
  // Counting sort of every level's entries by cluster (stable: levels ascending within a cluster).
  const from = new Int32Array(clusterCount + 1);
  for (const clusters of levels.clusters) for (const c of clusters) from[c + 1]!++;
  for (let c = 0; c < clusterCount; c++) from[c + 1]! += from[c]!;
  const next = from.slice(0, clusterCount);
  const level = new Int32Array(from[clusterCount]!);
  const parts = new Float64Array(from[clusterCount]! * WIDTH);
  for (let l = 0; l < count; l++) {
    const clusters = levels.clusters[l]!;
    const source = levels.parts[l]!;
    for (let e = 0; e < clusters.length; e++) {
      const at = next[clusters[e]!]!++;
      level[at] = l;
      for (let k = 0; k < WIDTH; k++) parts[at * WIDTH + k] = source[e * WIDTH + k]!;
    }
  }
  const collect = new Collector(count, resamples);
  // Tiled: a block of resamples walks a stretch of clusters before the next stretch, so the
  // entries it reads stay in the cache however large the study (each level's sums still get
  // their clusters in ascending order).
  const sums = new Float64Array(RESAMPLE_BLOCK * count * SUMS);
  for (let first = 0; first < resamples; first += RESAMPLE_BLOCK) {
    const last = Math.min(resamples, first + RESAMPLE_BLOCK);
    sums.fill(0);
    for (let stretch = 0; stretch < clusterCount; stretch += CLUSTER_STRETCH) {
      const stop = Math.min(clusterCount, stretch + CLUSTER_STRETCH);
      for (let r = first; r < last; r++) {
        const weight = draws.weights(r);
        const base = (r - first) * count * SUMS;
        for (let c = stretch; c < stop; c++) {
          const w = weight[c]!;
          if (w === 0) continue;
          for (let e = from[c]!, end = from[c + 1]!; e < end; e++) {
            const o = e * WIDTH;
            const s = base + level[e]! * SUMS;
            sums[s]! += w * parts[o]!;
            sums[s + 1]! += w * parts[o + 1]!;
            sums[s + 2]! += w * parts[o + 3]!;
            sums[s + 3]! += w * parts[o + 4]!;
            sums[s + 4]! += w * parts[o + 5]!;
            sums[s + 5]! += w * parts[o + 6]!;
            sums[s + 6]! += w * parts[o + 7]!;
          }
        }
      }
    }
    for (let r = first; r < last; r++) for (let l = 0; l < count; l++) collect.add(l, sums, ((r - first) * count + l) * SUMS);
  }
  return collect.intervals();
}

/**
 * The clusters' weights (how often each was drawn) in every resample: mulberry32 seeded with `seed`
 * draws `clusterCount` clusters with replacement per resample. Drawn once and shared by every
 * annotator with as many clusters: the draws depend on nothing else.
 */
export class Draws {
  readonly clusterCount: number;
  readonly resamples: number;
  readonly #weights: Uint16Array | Uint32Array;

  constructor(clusterCount: number, resamples: number, seed: number) {
    this.clusterCount = clusterCount;
    this.resamples = resamples;
    // A weight is at most clusterCount: 16 bits hold it for any study below 65,536 articles.
    const size = clusterCount * resamples;
    this.#weights = clusterCount < 0x10000 ? new Uint16Array(size) : new Uint32Array(size);
    const random = mulberry32(seed);
    for (let r = 0; r < resamples; r++) {
      const at = r * clusterCount;
      for (let i = 0; i < clusterCount; i++) this.#weights[at + Math.floor(random() * clusterCount)]!++;
    }
  }

  /** The weights of resample `r`, by cluster. */
  weights(r: number): Uint16Array | Uint32Array {
    return this.#weights.subarray(r * this.clusterCount, (r + 1) * this.clusterCount);
  }
}

const TOO_FEW = 'needs at least two articles (or sentences) to resample';

function noIntervals(count: number, reason: string): Interval[][] {
  return Array.from({ length: count }, () => Array.from({ length: FIGURES }, () => noInterval(reason)));
}

/** Each level's resampled figures, then their percentile intervals. */
class Collector {
  readonly #values: Float64Array;
  readonly #counts: Int32Array;
  readonly levels: number;
  readonly resamples: number;

  constructor(levels: number, resamples: number) {
    this.levels = levels;
    this.resamples = resamples;
    this.#values = new Float64Array(levels * FIGURES * resamples);
    this.#counts = new Int32Array(levels * FIGURES);
  }

  /** One resample's figures of level `l` from its sums (exact matches, P and R denominators, overlap's parts) at `at`. */
  add(l: number, sums: Float64Array, at: number): void {
    const m = sums[at]!;
    this.#figures(l, 0, m, sums[at + 1]!, m, sums[at + 2]!);
    this.#figures(l, 3, sums[at + 3]!, sums[at + 4]!, sums[at + 5]!, sums[at + 6]!);
  }

  /** P, R and F1 of summed parts with the scorer's conventions (span-f1.ts finish); an undefined one is not kept. */
  #figures(l: number, f: number, pNum: number, pDen: number, rNum: number, rDen: number): void {
    const p = pDen > 0 ? pNum / pDen : 0;
    const r = rDen > 0 ? rNum / rDen : 0;
    if (pDen > 0) this.#put(l, f, p);
    if (rDen > 0) this.#put(l, f + 1, r);
    this.#put(l, f + 2, pDen === 0 && rDen === 0 ? 1 : p > 0 && r > 0 ? (2 * p * r) / (p + r) : 0);
  }

  #put(l: number, f: number, v: number): void {
    const at = l * FIGURES + f;
    this.#values[at * this.resamples + this.#counts[at]!++] = v;
  }

  intervals(): Interval[][] {
    const out: Interval[][] = [];
    for (let l = 0; l < this.levels; l++) {
      const row: Interval[] = [];
      for (let f = 0; f < FIGURES; f++) {
        const at = (l * FIGURES + f) * this.resamples;
        row.push(interval(this.#values.subarray(at, at + this.resamples), this.#counts[l * FIGURES + f]!, f % 3 === 0 ? 'no resample drew a span of the annotator' : 'no resample drew a gold span'));
      }
      out.push(row);
    }
    return out;
  }
}

function scored(sums: SpanSums, intervals: Interval[], offset: number): ScoredF1 {
  return { ...spanF1FromSums(sums), interval: { precision: intervals[offset]!, recall: intervals[offset + 1]!, f1: intervals[offset + 2]! } };
}

/**
 * One annotator's parts, per level and cluster: a document per article (or, with a single
 * article, per sentence) and category, its spans passed to span-f1.ts as they are.
 */
export function annotatorLevels(list: readonly Compared[], level: ReadonlyMap<string, number>, levelCount: number): { levels: Levels; totals: { exact: SpanSums; overlap: SpanSums }[]; clusters: number } {
  const levels = new Levels();
  levels.ensure(levelCount - 1);
  const totals = Array.from({ length: levelCount }, () => ({ exact: zero(), overlap: zero() }));
  const bySentence = list.length === 1;
  list.forEach((c, a) => {
    const rank = bySentence ? new Map(c.sentences.map((s, i) => [s, i])) : null;
    // Documents by slot, cluster (within this article) × levels + level: ascending slots go cluster by cluster.
    const slots = (rank ? c.sentences.length : 1) * levelCount;
    const docs = new Array<{ reference: TextSpan[]; candidate: TextSpan[] } | undefined>(slots);
    const doc = (sentence: number, category: string) => {
      const l = level.get(category);
      if (l === undefined) return undefined;
      return (docs[(rank ? (rank.get(sentence) ?? 0) : 0) * levelCount + l] ??= { reference: [], candidate: [] });
    };
    for (const s of c.reference) doc(s.sentence, s.category)?.reference.push(s);
    for (const t of c.tags) doc(t.sentence, t.category)?.candidate.push(t);
    for (let slot = 0; slot < slots; slot++) {
      const pair = docs[slot];
      if (!pair) continue;
      const cluster = rank ? Math.floor(slot / levelCount) : a;
      const l = slot % levelCount;
      const exact = exactSums(pair);
      const overlap = overlapSums(pair);
      levels.add(0, cluster, exact, overlap);
      add(totals[0]!.exact, exact);
      add(totals[0]!.overlap, overlap);
      levels.add(l, cluster, exact, overlap);
      add(totals[l]!.exact, exact);
      add(totals[l]!.overlap, overlap);
    }
  });
  return { levels, totals, clusters: bySentence ? (list[0]?.sentences.length ?? 0) : list.length };
}

/** Every annotator's precision, recall and F1 against gold (see the file comment). */
export function qualityAgainstGold(inputs: readonly QualityInput[], options: QualityOptions = {}): QualityReport {
  const resamples = options.resamples ?? 1000;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError('resamples must be a positive integer');
  if (!Number.isInteger(seed)) throw new RangeError('seed must be an integer');
  // Each annotator's comparisons with gold, article by article (compared.ts).
  const found = new Map<string, Compared[]>();
  for (const input of inputs) {
    const compare = comparer(input.gold, input.sentenceCount, options);
    for (const annotation of input.annotations) {
      let list = found.get(annotation.annotatorId);
      if (!list) found.set(annotation.annotatorId, (list = []));
      const c = compare(annotation);
      if (c.sentences.length > 0) list.push(c);
    }
  }
  const seen = new Set<string>();
  if (!options.categories) for (const list of found.values()) for (const c of list) for (const x of [...c.reference, ...c.tags]) seen.add(x.category);
  const categories = options.categories ? [...options.categories] : [...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const level = new Map(categories.map((c, i) => [c, i + 1]));
  const annotatorIds = [...found.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  // The resamples' draws depend only on the number of clusters: shared by annotators with as many.
  const draws = new Map<number, Draws>();
  const annotators = annotatorIds.map((annotatorId): AnnotatorQuality => {
    const list = found.get(annotatorId) ?? [];
    const { levels, totals, clusters } = annotatorLevels(list, level, categories.length + 1);
    let draw = draws.get(clusters);
    if (!draw && clusters >= 2) draws.set(clusters, (draw = new Draws(clusters, resamples, seed)));
    const intervals = draw ? bootstrap(levels, draw) : noIntervals(categories.length + 1, TOO_FEW);
    const levelQuality = (at: number, category: string | null): LevelQuality => ({
      category,
      exact: scored(totals[at]!.exact, intervals[at]!, 0),
      overlap: scored(totals[at]!.overlap, intervals[at]!, 3),
    });
    return {
      annotatorId,
      articles: list.length,
      sentences: list.reduce((n, c) => n + c.sentences.length, 0),
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
