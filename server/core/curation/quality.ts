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

/** Where a document's whole counts sit among its 8 parts: exact matches, candidates, references; overlap's candidates, references. */
const COUNTS = [0, 1, 3, 5, 7];

/**
 * The bootstrap intervals of P, R, F1 (exact, then overlap) of every level of one annotator.
 *
 * Levels' entries are laid out once cluster by cluster (each entry: its level and its parts, the
 * whole counts packed: see layout), so a resample walks only the clusters it drew, each one's entries side by side in memory, adding
 * weight × parts into per-level sums: no allocation per resample, and no look at the entries of
 * the third or so of clusters a resample leaves out. Every level still receives its entries in
 * ascending cluster order, as the straightforward loop (per level, every entry times its cluster's
 * weight) adds them, and whole counts sum exactly either way, so the sums, and with them every
 * figure, are the same to the last bit (test/unit/curation/quality.test.ts compares the two on
 * random data).
 */
export function bootstrap(levels: Levels, draws: Draws): Interval[][] {
  const { resamples } = draws;
  const count = levels.clusters.length;
  const table = layout(levels, draws.clusterCount);
  const collect = new Collector(count, resamples);
  // Tiled: a block of resamples walks a stretch of clusters before the next stretch, so the
  // entries it reads stay in the cache however large the study (each level's sums still get
  // their clusters in ascending order).
  const sums = new Float64Array(RESAMPLE_BLOCK * count * table.stride);
  for (let first = 0; first < resamples; first += RESAMPLE_BLOCK) {
    const last = Math.min(resamples, first + RESAMPLE_BLOCK);
    sums.fill(0);
    accumulate(table, draws, sums, first, last, count);
    for (let r = first; r < last; r++) for (let l = 0; l < count; l++) collect.add(l, table.counts, sums, ((r - first) * count + l) * table.stride);
  }
  return collect.intervals();
}

/**
 * Every level's entries laid out cluster by cluster (a counting sort, stable: levels ascending
 * within a cluster), each as its level and its parts.
 *
 * The five counts of a document (exact matches, candidates and references; overlap's merged
 * candidates and references) are whole numbers, so several are packed into one double, each in a
 * field wide enough for its largest possible sum (every draw on the cluster with the most): sums
 * of packed parts are exact and unpack to the same counts, for fewer additions per entry.
 * Overlap's two credits are fractions and keep a double each, added in the same order as ever.
 */
interface Table {
  /** Entry range of cluster c: from[c] to from[c + 1]. */
  from: Int32Array;
  level: Int32Array;
  /** Per entry `stride` numbers: the packed counts, then overlap's P and R credits. */
  parts: Float64Array;
  stride: number;
  counts: Packing;
}

/** Where each of the five counts sits: its double and its field's scale. */
interface Packing {
  pack: Int32Array;
  scale: Float64Array;
  /** 2 ** bits: a field's range. */
  range: number;
  packs: number;
}

function layout(levels: Levels, clusterCount: number): Table {
  const count = levels.clusters.length;
  const from = new Int32Array(clusterCount + 1);
  for (const clusters of levels.clusters) for (const c of clusters) from[c + 1]!++;
  for (let c = 0; c < clusterCount; c++) from[c + 1]! += from[c]!;
  let most = 0;
  for (const parts of levels.parts) {
    for (let o = 0; o < parts.length; o += WIDTH) for (const k of COUNTS) most = Math.max(most, parts[o + k]!);
  }
  let bits = 1;
  while (2 ** bits <= clusterCount * most) bits++;
  const perPack = Math.max(1, Math.min(COUNTS.length, Math.floor(52 / bits)));
  const packs = Math.ceil(COUNTS.length / perPack);
  const stride = packs + 2;
  const counts: Packing = {
    pack: Int32Array.from(COUNTS, (_, f) => Math.floor(f / perPack)),
    scale: Float64Array.from(COUNTS, (_, f) => 2 ** (bits * (f % perPack))),
    range: 2 ** bits,
    packs,
  };
  const next = from.slice(0, clusterCount);
  const level = new Int32Array(from[clusterCount]!);
  const parts = new Float64Array(from[clusterCount]! * stride);
  for (let l = 0; l < count; l++) {
    const clusters = levels.clusters[l]!;
    const source = levels.parts[l]!;
    for (let e = 0; e < clusters.length; e++) {
      const at = next[clusters[e]!]!++;
      level[at] = l;
      for (let f = 0; f < COUNTS.length; f++) parts[at * stride + counts.pack[f]!]! += source[e * WIDTH + COUNTS[f]!]! * counts.scale[f]!;
      parts[at * stride + packs] = source[e * WIDTH + 4]!;
      parts[at * stride + packs + 1] = source[e * WIDTH + 6]!;
    }
  }
  return { from, level, parts, stride, counts };
}

/**
 * Adds weight × parts of every drawn cluster's entries into the sums of resamples first to last,
 * stretch by stretch. A function of its own so that V8 optimises this loop alone.
 */
function accumulate(table: Table, draws: Draws, sums: Float64Array, first: number, last: number, count: number): void {
  const { from, level, parts, stride } = table;
  const clusterCount = draws.clusterCount;
  for (let stretch = 0; stretch < clusterCount; stretch += CLUSTER_STRETCH) {
    const stop = Math.min(clusterCount, stretch + CLUSTER_STRETCH);
    for (let r = first; r < last; r++) {
      const weight = draws.weights(r);
      const base = (r - first) * count * stride;
      for (let c = stretch; c < stop; c++) {
        const w = weight[c]!;
        if (w === 0) continue;
        if (stride === 4) {
          // The usual case (fields of up to 17 bits: three counts to a double), unrolled.
          for (let e = from[c]!, end = from[c + 1]!; e < end; e++) {
            const o = e * 4;
            const s = base + level[e]! * 4;
            sums[s]! += w * parts[o]!;
            sums[s + 1]! += w * parts[o + 1]!;
            sums[s + 2]! += w * parts[o + 2]!;
            sums[s + 3]! += w * parts[o + 3]!;
          }
        } else {
          for (let e = from[c]!, end = from[c + 1]!; e < end; e++) {
            const o = e * stride;
            const s = base + level[e]! * stride;
            for (let j = 0; j < stride; j++) sums[s + j]! += w * parts[o + j]!;
          }
        }
      }
    }
  }
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

  /** One resample's figures of level `l` from its sums at `at`: the packed counts unpacked, overlap's credits as they are. */
  add(l: number, counts: Packing, sums: Float64Array, at: number): void {
    const field = (f: number) => Math.floor(sums[at + counts.pack[f]!]! / counts.scale[f]!) % counts.range;
    const matches = field(0);
    this.#figures(l, 0, matches, field(1), matches, field(2));
    this.#figures(l, 3, sums[at + counts.packs]!, field(3), sums[at + counts.packs + 1]!, field(4));
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
  // The resamples' draws depend only on the number of clusters: annotators are scored in order of
  // it, so those with as many share one set of draws, and only one set is held at a time.
  const clustersOf = (list: readonly Compared[]) => (list.length === 1 ? (list[0]?.sentences.length ?? 0) : list.length);
  const byClusters = [...annotatorIds].sort((a, b) => clustersOf(found.get(a) ?? []) - clustersOf(found.get(b) ?? []));
  const shared: { draws: Draws | null } = { draws: null };
  const scoredAnnotators = new Map<string, AnnotatorQuality>();
  for (const annotatorId of byClusters) {
    const list = found.get(annotatorId) ?? [];
    const { levels, totals, clusters } = annotatorLevels(list, level, categories.length + 1);
    if (clusters >= 2 && shared.draws?.clusterCount !== clusters) shared.draws = new Draws(clusters, resamples, seed);
    const intervals = clusters >= 2 && shared.draws ? bootstrap(levels, shared.draws) : noIntervals(categories.length + 1, TOO_FEW);
    const levelQuality = (at: number, category: string | null): LevelQuality => ({
      category,
      exact: scored(totals[at]!.exact, intervals[at]!, 0),
      overlap: scored(totals[at]!.overlap, intervals[at]!, 3),
    });
    scoredAnnotators.set(annotatorId, {
      annotatorId,
      articles: list.length,
      sentences: list.reduce((n, c) => n + c.sentences.length, 0),
      overall: levelQuality(0, null),
      categories: categories.map((c, i) => levelQuality(i + 1, c)),
    });
  }
  const annotators = annotatorIds.map((id) => scoredAnnotators.get(id)!);
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
