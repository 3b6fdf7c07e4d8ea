// The agreement report of a study (a project, or one article): per category and overall, at the
// sentence, span and token level, with a pairwise annotator matrix and a disagreement list.
// Pure: built from articles and annotations.
import type { Article, Category, Range, Tag } from '../model.js';
import {
  tabulateCounts,
  tabulationReport,
  mulberry32,
  quantileSorted,
  type AlphaInterval,
  krippendorffAlpha,
  unitizingAlphaColumns,
  type AgreementReport,
  type Statistic,
  type Tabulation,
} from '../agreement/index.js';
import { sentenceCodes, sentenceCounts, type SentenceCounts, type SentenceUnit, type Study } from './units.js';
import {
  addCategorySums,
  addSums,
  annotationGrid,
  emptySums,
  sharedPairs,
  spanIndex,
  type AnnotationGrid,
  type PairSums,
  type SpanIndex,
} from './span-index.js';

/** Below this share of "tagged" (or above 1 − it), kappa-type statistics are misleading. */
export const PREVALENCE_WARNING = 0.1;

export interface SentenceLevel {
  report: AgreementReport;
  /** Share of pairable values that are "tagged". */
  prevalence: number | null;
  warning: string | null;
}

export interface SpanLevel {
  /**
   * Mean over annotator pairs of the pair's F1 (micro-averaged over the articles both reviewed),
   * over the pairs with a span of the category between them: where neither tagged it, F1 is 0/0
   * and the pair is left out (the SemEval scorer's convention of 1 would report agreement on a
   * category nobody used). Undefined when no pair is left. Overall, spans count only against
   * spans of their own category, the sums added over categories.
   */
  exactF1: Statistic;
  overlapF1: Statistic;
  /** The pairs averaged. */
  pairs: number;
  unitizingAlpha: Statistic;
  /**
   * Overall only (null per category): span identification F1 with labels ignored — every
   * category's spans of an annotator merged — as the SemEval-2020 Task 11 SI scorer computes it;
   * mean over pairs as above.
   */
  identification: { f1: Statistic; pairs: number } | null;
}

export interface TokenLevel {
  alpha: Statistic;
  units: number;
  pairableValues: number;
}

export interface CategoryAgreement {
  /** null for the overall figures (all categories together). */
  category: Category | null;
  sentence: SentenceLevel;
  span: SpanLevel;
  token: TokenLevel;
}

export interface PairAgreement {
  a: string;
  b: string;
  /** Cohen's kappa on sentence × category units both reviewed. */
  kappa: Statistic;
  /** Overlap span F1 over all categories (spans compared within a category). */
  f1: Statistic;
}

export interface Disagreement {
  unit: SentenceUnit;
  /** Krippendorff's alpha over this sentence's category decisions (lowest first). */
  alpha: number | null;
  /** Share of category decisions on which the reviewers were not unanimous. */
  split: number;
  /** The annotators who reviewed the sentence (the others never looked at it). */
  reviewers: string[];
  /** Every annotator's tags on the sentence (empty for those who found nothing or never looked). */
  tags: Map<string, Tag[]>;
}

export interface StudyAgreement {
  annotators: string[];
  overall: CategoryAgreement;
  categories: CategoryAgreement[];
  pairs: PairAgreement[];
  disagreements: Disagreement[];
}

export interface AgreementOptions {
  words: (article: Article, range: Range) => Range[];
  resamples?: number;
  seed?: number;
  disagreementLimit?: number;
}

/**
 * Sufficient statistics of binary nominal α for a group of units: N pairable values, K of them
 * "tagged", and W = Σ_u 2·k_u·(m_u − k_u)/(m_u − 1). Then α = 1 − (N − 1)·W / (2·K·(N − K)).
 */
function binaryAlpha(n: number, k: number, w: number): number | null {
  return n < 2 || k === 0 || k === n ? null : 1 - ((n - 1) * w) / (2 * k * (n - k));
}

/** The W term of one unit with m values, k of them "tagged" (see {@link binaryAlpha}). */
function unitDisagreement(m: number, k: number): number {
  return (2 * k * (m - k)) / (m - 1);
}

/** N, K and W (see {@link binaryAlpha}) of clusters of units, one entry per cluster. */
interface ClusterSums {
  n: Float64Array;
  k: Float64Array;
  w: Float64Array;
}

function clusterSums(count: number): ClusterSums {
  return { n: new Float64Array(count), k: new Float64Array(count), w: new Float64Array(count) };
}

/**
 * Bootstrap 95% interval for α, resampling whole articles (clusters) rather than sentences:
 * sentences of one article share context and annotators, so they are not independent, and
 * resampling articles keeps the cost at resamples × articles. With one article, sentences are
 * resampled instead.
 *
 * One interval per level (overall, each category), each from its own generator seeded with
 * `seed`: levels with as many clusters draw the same clusters, so they are resampled together,
 * one draw serving them all.
 */
function clusteredIntervals(levels: ClusterSums[], resamples: number, seed: number): AlphaInterval[] {
  const none = (reason: string): AlphaInterval => ({ low: null, high: null, resamples, seed, reason });
  const out: AlphaInterval[] = levels.map(() => none('needs at least two articles (or sentences) to resample'));
  const byCount = new Map<number, number[]>();
  levels.forEach((level, i) => {
    const count = level.n.length;
    if (count < 2) return;
    const same = byCount.get(count);
    if (same) same.push(i);
    else byCount.set(count, [i]);
  });
  for (const [count, members] of byCount) {
    const width = members.length;
    // Cluster c of member j at c·width + j: one draw reads a short run.
    const n = new Float64Array(count * width);
    const k = new Float64Array(count * width);
    const w = new Float64Array(count * width);
    members.forEach((level, j) => {
      const sums = levels[level];
      if (!sums) return;
      for (let c = 0; c < count; c++) {
        n[c * width + j] = sums.n[c]!;
        k[c * width + j] = sums.k[c]!;
        w[c * width + j] = sums.w[c]!;
      }
    });
    const alphas: number[][] = members.map(() => []);
    const sumN = new Float64Array(width);
    const sumK = new Float64Array(width);
    const sumW = new Float64Array(width);
    const random = mulberry32(seed);
    for (let r = 0; r < resamples; r++) {
      sumN.fill(0);
      sumK.fill(0);
      sumW.fill(0);
      for (let i = 0; i < count; i++) {
        const at = Math.floor(random() * count) * width;
        for (let j = 0; j < width; j++) {
          sumN[j]! += n[at + j]!;
          sumK[j]! += k[at + j]!;
          sumW[j]! += w[at + j]!;
        }
      }
      for (let j = 0; j < width; j++) {
        const alpha = binaryAlpha(sumN[j]!, sumK[j]!, sumW[j]!);
        if (alpha !== null) alphas[j]?.push(alpha);
      }
    }
    members.forEach((level, j) => {
      const found = alphas[j] ?? [];
      if (found.length === 0) {
        out[level] = none('no resample had variation');
        return;
      }
      found.sort((x, y) => x - y);
      out[level] = { low: quantileSorted(found, 0.025), high: quantileSorted(found, 0.975), resamples, seed };
    });
  }
  return out;
}

/** How many values of row r of a 0/1 tabulation are 1 ("tagged"). */
function taggedInRow(tab: Tabulation, r: number): number {
  const { offsets, valueIndex, valueCount } = tab.rows;
  for (let e = offsets[r]!; e < offsets[r + 1]!; e++) if (valueIndex[e] === 1) return valueCount[e]!;
  return 0;
}

/** Each sentence's article as a cluster number, articles numbered as they first occur (by id). */
interface ArticleClusters {
  of: Int32Array;
  count: number;
}

function articleClusters(units: SentenceUnit[]): ArticleClusters {
  const numbers = new Map<string, number>();
  const of = new Int32Array(units.length);
  units.forEach((unit, u) => {
    let c = numbers.get(unit.articleId);
    if (c === undefined) numbers.set(unit.articleId, (c = numbers.size));
    of[u] = c;
  });
  return { of, count: numbers.size };
}

/**
 * The clusters of the interval: one per article, each with all its sentences' decisions; with a
 * single article, its sentences, each with all its category decisions together (the overall
 * figure has one unit per sentence and category; those are not independent).
 */
function decisionClusters(tab: Tabulation, units: SentenceUnit[], articles: ArticleClusters): ClusterSums {
  const { size, unitRow } = tab.rows;
  const count = tab.unitCount === 0 ? 0 : articles.count;
  if (count >= 2) {
    const sums = clusterSums(count);
    for (let r = 0; r < tab.rows.length; r++) {
      const m = size[r]!;
      if (m < 2) continue;
      const k = taggedInRow(tab, r);
      const c = articles.of[unitRow[r]! % units.length]!;
      sums.n[c]! += m;
      sums.k[c]! += k;
      sums.w[c]! += unitDisagreement(m, k);
    }
    return sums;
  }
  const bySentence = new Map<number, number>();
  const n: number[] = [];
  const k: number[] = [];
  const w: number[] = [];
  for (let r = 0; r < tab.rows.length; r++) {
    const m = size[r]!;
    if (m < 2) continue;
    const tagged = taggedInRow(tab, r);
    const u = unitRow[r]!;
    const s = units[u % units.length]?.sentence ?? u;
    let i = bySentence.get(s);
    if (i === undefined) {
      bySentence.set(s, (i = n.length));
      n.push(0);
      k.push(0);
      w.push(0);
    }
    n[i] = (n[i] ?? 0) + m;
    k[i] = (k[i] ?? 0) + tagged;
    w[i] = (w[i] ?? 0) + unitDisagreement(m, tagged);
  }
  return { n: Float64Array.from(n), k: Float64Array.from(k), w: Float64Array.from(w) };
}

/**
 * The 0/1 decisions of the overall level (all categories' units, one category's block after
 * another) and of each category, tabulated from their counts (no matrix of JS values for 50 ×
 * 360,000 decisions): overall first, then one per category. A category's counts are a view of the
 * overall ones. The decisions themselves are written out only for two annotators, whose
 * statistics (Cohen's κ, Scott's π) read them.
 */
function tabulateDecisions(study: Study, grid: AnnotationGrid, categoryIds: string[], counts: SentenceCounts): Tabulation[] {
  const m = study.annotators.length;
  const sentences = counts.units.length;
  const blocks = categoryIds.length;
  const all = new Int32Array(m === 0 ? 0 : blocks * sentences * 2);
  if (m > 0) {
    for (let c = 0; c < blocks; c++) {
      const seen = counts.seen[c] ?? new Int32Array(sentences);
      const tagged = counts.tagged[c] ?? new Int32Array(sentences);
      for (let s = 0, u = c * sentences; s < sentences; s++, u++) {
        all[2 * u] = seen[s]! - tagged[s]!;
        all[2 * u + 1] = tagged[s]!;
      }
    }
  }
  const codes = m === 2 ? sentenceCodes(study, categoryIds, grid.annotations) : null;
  const values = [0, 1];
  const blockCounts = (c: number) => (m === 0 ? all : all.subarray(2 * c * sentences, 2 * (c + 1) * sentences));
  return [
    tabulateCounts(codes?.all ?? null, all.length / 2, m, values, all),
    ...categoryIds.map((_, c) => tabulateCounts(codes?.byCategory[c] ?? null, m === 0 ? 0 : sentences, m, values, blockCounts(c))),
  ];
}

function sentenceLevel(tab: Tabulation, interval: AlphaInterval): SentenceLevel {
  // The report's own unit bootstrap is replaced by the clustered one.
  const report = tabulationReport(tab, 'nominal', { interval });
  const tagged = report.marginals.find((x) => x.value === 1)?.count ?? 0;
  const prevalence = report.pairable_values > 0 ? tagged / report.pairable_values : null;
  const warning =
    prevalence !== null && (prevalence < PREVALENCE_WARNING || prevalence > 1 - PREVALENCE_WARNING)
      ? `Only ${(Math.min(prevalence, 1 - prevalence) * 100).toFixed(1)}% of decisions are in the rarer class: kappa, pi and alpha are pulled down by prevalence here; read them beside observed agreement and Gwet's AC1.`
      : null;
  return { report, prevalence, warning };
}

/** F1 from summed numerators and denominators, as the T11 scorer (0 when one side is empty). */
function f1(pNum: number, pDen: number, rNum: number, rDen: number): number {
  const p = pDen > 0 ? pNum / pDen : 0;
  const r = rDen > 0 ? rNum / rDen : 0;
  return p > 0 && r > 0 ? (2 * p * r) / (p + r) : 0;
}

const NO_SHARED_ARTICLE = 'no pair of annotators reviewed the same article';

/**
 * A pair's F1, or why it has none: they share no article, or neither has a span on the articles
 * they share (0/0: no agreement to measure, not perfect agreement).
 */
function pairF1(sums: PairSums, k: number): { overlap: number; exact: number } | { none: string } {
  if (!sums.shared[k]) return { none: 'no article reviewed by both' };
  if ((sums.pDen[k] ?? 0) === 0 && (sums.rDen[k] ?? 0) === 0) return { none: 'neither tagged anything on the articles both reviewed' };
  const exact = sums.exact[k] ?? 0;
  return {
    overlap: f1(sums.pNum[k] ?? 0, sums.pDen[k] ?? 0, sums.rNum[k] ?? 0, sums.rDen[k] ?? 0),
    exact: f1(exact, sums.exactPDen[k] ?? 0, exact, sums.exactRDen[k] ?? 0),
  };
}

/** Mean F1 over the pairs that have one; `shared` says whether any pair shares an article. */
function meanF1(values: number[], shared: boolean, what: string): Statistic {
  if (values.length > 0) return { value: values.reduce((x, y) => x + y, 0) / values.length };
  return { value: null, reason: shared ? `no annotator tagged ${what} on an article another annotator reviewed too` : NO_SHARED_ARTICLE };
}

function pairMeans(study: Study, sums: PairSums, what: string): { exactF1: Statistic; overlapF1: Statistic; pairs: number } {
  const m = study.annotators.length;
  const exact: number[] = [];
  const overlap: number[] = [];
  let shared = false;
  for (let a = 0; a < m; a++) {
    for (let b = a + 1; b < m; b++) {
      shared ||= sums.shared[a * m + b] === 1;
      const f = pairF1(sums, a * m + b);
      if ('none' in f) continue;
      exact.push(f.exact);
      overlap.push(f.overlap);
    }
  }
  return { exactF1: meanF1(exact, shared, what), overlapF1: meanF1(overlap, shared, what), pairs: exact.length };
}

function spanLevel(study: Study, sums: PairSums, unitizingAlpha: Statistic, identification: PairSums | null): SpanLevel {
  const labelled = pairMeans(study, sums, identification ? 'anything' : 'this category');
  const si = identification && pairMeans(study, identification, 'anything');
  return { ...labelled, unitizingAlpha, identification: si && { f1: si.overlapF1, pairs: si.pairs } };
}

/**
 * α_U on the articles every annotator reviewed, laid end to end as one continuum; computed once
 * for all categories (labels): per category from its own D_o and D_e, overall as the whole.
 */
function unitizing(study: Study, cats: string[], grid: AnnotationGrid, index: SpanIndex): { overall: Statistic; byCategory: Map<string, Statistic> } {
  const byCategory = new Map<string, Statistic>();
  const none = (reason: string) => {
    for (const c of cats) byCategory.set(c, { value: null, reason });
    return { overall: { value: null, reason }, byCategory };
  };
  const m = study.annotators.length;
  if (m < 2) return none('needs at least two annotators');
  const shared: number[] = [];
  study.articles.forEach((_, ai) => {
    if (grid.reviewersAt[ai + 1]! - grid.reviewersAt[ai]! === m) shared.push(ai);
  });
  if (shared.length === 0) return none('no article was reviewed by every annotator');
  const count = cats.length;
  const { mergedAt, starts, ends } = index;
  let n = 0;
  for (const ai of shared) n += mergedAt[(ai + 1) * m * count]! - mergedAt[ai * m * count]!;
  const spans = { coder: new Int32Array(n), label: new Int32Array(n), start: new Float64Array(n), end: new Float64Array(n) };
  let offset = 0;
  let i = 0;
  for (const ai of shared) {
    for (let k = 0; k < m; k++) {
      for (let c = 0; c < count; c++) {
        // α_U needs one coder's same-label spans disjoint: the index holds them merged.
        const cell = (ai * m + k) * count + c;
        for (let x = mergedAt[cell]!; x < mergedAt[cell + 1]!; x++, i++) {
          spans.coder[i] = k;
          spans.label[i] = c;
          spans.start[i] = offset + starts[x]!;
          spans.end[i] = offset + ends[x]!;
        }
      }
    }
    offset += study.articles[ai]?.text.length ?? 0;
  }
  const result = unitizingAlphaColumns({ begin: 0, end: offset, coders: study.annotators, labels: cats, spans });
  for (const c of cats) {
    byCategory.set(c, result.categories.find((x) => x.label === c)?.alpha ?? { value: null, reason: 'nobody tagged this category on the shared articles' });
  }
  return { overall: result.alpha, byCategory };
}

/**
 * Buffers of the token level for one article, reused across articles: per sentence its reviewers
 * and where its words start among the article's; per word and category (index word·C + c) how
 * many reviewers' tags cover it, with the stamp of the last reviewer counted (one reviewer counts
 * once per word and category, however many of their tags cover it); per sentence and category
 * whether any word is covered (most are not).
 */
class WordCover {
  reviewers = new Int32Array(0);
  firstWord = new Int32Array(1);
  covered = new Int32Array(0);
  counted = new Int32Array(0);
  touched = new Uint8Array(0);
  stamp = 0;

  reset(sentences: number, words: number, categories: number): void {
    if (this.reviewers.length < sentences) {
      this.reviewers = new Int32Array(sentences * 2);
      this.firstWord = new Int32Array(sentences * 2 + 1);
    }
    if (this.covered.length < words * categories) {
      this.covered = new Int32Array(words * categories * 2);
      this.counted = new Int32Array(words * categories * 2);
    }
    this.covered.fill(0, 0, words * categories);
    if (this.touched.length < sentences * categories) this.touched = new Uint8Array(sentences * categories * 2);
    this.touched.fill(0, 0, sentences * categories);
  }
}

/**
 * Token level: every word of every sentence is a unit; its value for an annotator is whether one
 * of their tags of the category covers it. Untagged words dominate, which inflates agreement.
 * One pass over the words fills the sums of every category (index c); the overall figure pools
 * the word × category decisions of all categories (as the sentence level pools sentence ×
 * category decisions), so a word tagged with different categories is a disagreement.
 */
function tokenLevels(study: Study, grid: AnnotationGrid, reviewed: Int8Array, categoryIds: string[], options: AgreementOptions): TokenLevel[] {
  const count = categoryIds.length;
  const sums = clusterSums(count);
  const column = new Map(categoryIds.map((c, i) => [c, i]));
  const cover = new WordCover();
  let words = 0;
  let base = 0;
  for (let ai = 0; ai < study.articles.length; ai++) {
    const article = study.articles[ai];
    if (!article) continue;
    words += addArticleWords(study, ai, base, grid, reviewed, column, options, cover, sums);
    base += article.sentences.length;
  }
  let pooledN = 0;
  let pooledK = 0;
  let pooledW = 0;
  for (let c = 0; c < count; c++) {
    pooledN += sums.n[c]!;
    pooledK += sums.k[c]!;
    pooledW += sums.w[c]!;
  }
  const out: TokenLevel[] = [];
  for (let c = 0; c < count; c++) out.push(tokenLevel(sums.n[c]!, sums.k[c]!, sums.w[c]!, words));
  out.push(tokenLevel(pooledN, pooledK, pooledW, words * count));
  return out;
}

function tokenLevel(n: number, k: number, w: number, units: number): TokenLevel {
  const value = binaryAlpha(n, k, w);
  const alpha: Statistic =
    n === 0
      ? { value: null, reason: 'no word was reviewed by two or more annotators' }
      : value === null
        ? { value: null, reason: 'no variation: every word got the same value' }
        : { value };
  return { alpha, units, pairableValues: n };
}

/**
 * Adds the words of article `ai` (its sentences start at study sentence `base`) to the sums of
 * every category; returns its number of words. Coverage is filled tag by tag (tags × the words
 * they cover) rather than word by word.
 */
function addArticleWords(
  study: Study,
  ai: number,
  base: number,
  grid: AnnotationGrid,
  reviewed: Int8Array,
  column: Map<string, number>,
  options: AgreementOptions,
  cover: WordCover,
  sums: ClusterSums,
): number {
  const article = study.articles[ai];
  if (!article) return 0;
  const m = study.annotators.length;
  const count = sums.n.length;
  const sentences = article.sentences.length;
  const wordsOf = article.sentences.map((range) => options.words(article, range));
  const words = wordsOf.reduce((n, w) => n + w.length, 0);
  cover.reset(sentences, words, count);
  const { reviewers, firstWord, covered, counted, touched } = cover;
  for (let s = 0; s < sentences; s++) {
    firstWord[s + 1] = firstWord[s]! + (wordsOf[s]?.length ?? 0);
    let n = 0;
    for (let k = 0; k < m; k++) if (reviewed[(base + s) * m + k] === 0) n++;
    reviewers[s] = n;
  }
  for (let k = 0; k < m; k++) {
    const tags = grid.annotations[ai * m + k]?.tags;
    if (!tags) continue;
    const stamp = ++cover.stamp;
    for (const t of tags) {
      const s = t.sentence;
      // Only sentences of the article that this reviewer and at least one other reviewed.
      if (!(s >= 0 && s < sentences) || reviewers[s]! < 2 || reviewed[(base + s) * m + k] !== 0) continue;
      const c = column.get(t.category);
      if (c === undefined) continue;
      const ranges = wordsOf[s] ?? [];
      const first = firstWord[s]!;
      for (let w = 0; w < ranges.length; w++) {
        const word = ranges[w];
        if (!word || word.end <= t.start) continue;
        if (word.start >= t.end) break;
        const key = (first + w) * count + c;
        if (counted[key] !== stamp) {
          counted[key] = stamp;
          covered[key]!++;
          touched[s * count + c] = 1;
        }
      }
    }
  }
  for (let s = 0; s < sentences; s++) {
    const seenBy = reviewers[s]!;
    if (seenBy < 2) continue;
    const from = firstWord[s]!;
    const to = firstWord[s + 1]!;
    for (let c = 0; c < count; c++) {
      // Words nobody tagged add m values and nothing else: W grows only by covered words, in
      // word order (the order of the additions fixes the last bits of the sum).
      sums.n[c]! += seenBy * (to - from);
      if (touched[s * count + c] === 0) continue;
      for (let w = from; w < to; w++) {
        const k = covered[w * count + c]!;
        if (k === 0) continue;
        sums.k[c]! += k;
        sums.w[c]! += unitDisagreement(seenBy, k);
      }
    }
  }
  return words;
}

function popcount(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}

/** Cohen's kappa from a 2×2 table (a's value × b's value). */
function kappaFromTable(n11: number, n10: number, n01: number, n00: number): Statistic {
  const n = n11 + n10 + n01 + n00;
  if (n === 0) return { value: null, reason: 'no sentence reviewed by both' };
  const po = (n11 + n00) / n;
  const pe = ((n11 + n10) * (n11 + n01) + (n00 + n01) * (n00 + n10)) / (n * n);
  if (pe === 1) return { value: null, reason: 'no variation: expected agreement is 1' };
  return { value: (po - pe) / (1 - pe) };
}

/**
 * Pairwise matrix: Cohen's kappa on sentence × category decisions both reviewed, and overlap F1.
 * Counted from the sparse "tagged" decisions (sentence × category units): the units both tagged
 * from the list of annotators of each unit (cost Σ_units taggers², below pairs × tags), the
 * sentences both reviewed and one's tagged units on them from bit sets, 32 sentences a word.
 */
function pairMatrix(study: Study, grid: AnnotationGrid, reviewed: Int8Array, categoryIds: string[], sums: PairSums): PairAgreement[] {
  const m = study.annotators.length;
  const bases: number[] = [];
  const total = study.articles.reduce((base, article) => (bases.push(base), base + article.sentences.length), 0);
  const words = Math.ceil(total / 32);
  // Which sentences each annotator reviewed, as bits.
  const bits = study.annotators.map(() => new Uint32Array(words));
  for (let u = 0; u < total; u++) {
    for (let k = 0; k < m; k++) {
      const packed = bits[k];
      if (packed && reviewed[u * m + k] === 0) packed[u >>> 5] = packed[u >>> 5]! | (1 << (u & 31));
    }
  }
  const { taggedAt, tagged, taggersAt, taggers } = taggedUnits(study, grid, categoryIds, bases, total);
  const categoriesCount = categoryIds.length;
  // Units both tagged, from each unit's annotators (ascending).
  const both11 = new Int32Array(m * m);
  for (let u = 0; u + 1 < taggersAt.length; u++) {
    const to = taggersAt[u + 1]!;
    for (let x = taggersAt[u]!; x < to; x++) {
      const row = taggers[x]! * m;
      for (let y = x + 1; y < to; y++) both11[row + taggers[y]!]!++;
    }
  }
  // Per annotator: the sentences they reviewed and tagged something on (bits), and how many of
  // their units lie on sentences they reviewed. The units of one on sentences both reviewed are
  // then those minus the ones on sentences the other did not review: few, found from the bits.
  const taggedBits = study.annotators.map(() => new Uint32Array(words));
  const ownReviewed = new Int32Array(m);
  for (let k = 0; k < m; k++) {
    const mine = bits[k] ?? new Uint32Array(words);
    const out = taggedBits[k] ?? new Uint32Array(words);
    for (let x = taggedAt[k]!; x < taggedAt[k + 1]!; x++) {
      const sentence = Math.floor(tagged[x]! / categoriesCount);
      if ((mine[sentence >>> 5]! & (1 << (sentence & 31))) === 0) continue;
      ownReviewed[k]!++;
      out[sentence >>> 5] = out[sentence >>> 5]! | (1 << (sentence & 31));
    }
  }
  /** Annotator a's units on sentences a reviewed and b did not. */
  const notReviewedBy = (a: number, b: number): number => {
    const mine = taggedBits[a] ?? new Uint32Array(words);
    const theirs = bits[b] ?? new Uint32Array(words);
    const units = tagged.subarray(taggedAt[a]!, taggedAt[a + 1]!);
    let n = 0;
    for (let w = 0; w < words; w++) {
      let missed = mine[w]! & ~theirs[w]!;
      while (missed !== 0) {
        const bit = 31 - Math.clz32(missed & -missed);
        missed &= missed - 1;
        const sentence = w * 32 + bit;
        n += lowerBound(units, (sentence + 1) * categoriesCount) - lowerBound(units, sentence * categoriesCount);
      }
    }
    return n;
  };
  const out: PairAgreement[] = [];
  for (let a = 0; a < m; a++) {
    const ba = bits[a] ?? new Uint32Array(words);
    for (let b = a + 1; b < m; b++) {
      const bb = bits[b] ?? new Uint32Array(words);
      let both = 0;
      for (let w = 0; w < words; w++) both += popcount(ba[w]! & bb[w]!);
      const n11 = both11[a * m + b]!;
      const n1x = ownReviewed[a]! - notReviewedBy(a, b);
      const nx1 = ownReviewed[b]! - notReviewedBy(b, a);
      const decisions = both * categoriesCount;
      const kappa = kappaFromTable(n11, n1x - n11, nx1 - n11, decisions - n1x - nx1 + n11);
      const f = pairF1(sums, a * m + b);
      out.push({
        a: study.annotators[a] ?? '',
        b: study.annotators[b] ?? '',
        kappa,
        f1: 'none' in f ? { value: null, reason: f.none } : { value: f.overlap },
      });
    }
  }
  return out;
}

/** Index of the first entry of sorted `values` that is ≥ `x`. */
function lowerBound(values: Int32Array, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The "tagged" decisions as units (sentence of the study × category; only the codebook's
 * categories are decisions), each once per annotator, both ways: annotator k's units ascending
 * at `[taggedAt[k], taggedAt[k + 1])` of `tagged`, and unit u's annotators ascending at
 * `[taggersAt[u], taggersAt[u + 1])` of `taggers`.
 */
function taggedUnits(study: Study, grid: AnnotationGrid, categoryIds: string[], bases: number[], total: number) {
  const m = study.annotators.length;
  const column = new Map(categoryIds.map((c, i) => [c, i]));
  const count = categoryIds.length;
  const unitCount = total * count;
  // The tags are read article by article (the order they lie in memory), annotator by annotator
  // within an article; `last[unit]` = the last annotator (+1) seen on the unit, to skip repeats.
  const last = new Int32Array(unitCount);
  const taggersAt = new Int32Array(unitCount + 1);
  const taggedAt = new Int32Array(m + 1);
  let entryUnit = new Int32Array(1024);
  let entryAnnotator = new Int32Array(1024);
  let n = 0;
  study.articles.forEach((article, ai) => {
    const base = bases[ai] ?? 0;
    for (let k = 0; k < m; k++) {
      for (const t of grid.annotations[ai * m + k]?.tags ?? []) {
        const c = column.get(t.category);
        if (c === undefined || !(t.sentence < article.sentences.length)) continue;
        const unit = (base + t.sentence) * count + c;
        if (last[unit] === k + 1) continue;
        last[unit] = k + 1;
        taggersAt[unit + 1]!++;
        taggedAt[k + 1]!++;
        if (n === entryUnit.length) {
          entryUnit = grown(entryUnit);
          entryAnnotator = grown(entryAnnotator);
        }
        entryUnit[n] = unit;
        entryAnnotator[n] = k;
        n++;
      }
    }
  });
  for (let u = 0; u < unitCount; u++) taggersAt[u + 1]! += taggersAt[u]!;
  for (let k = 0; k < m; k++) taggedAt[k + 1]! += taggedAt[k]!;
  // A unit lies in one article, whose annotators were read in order: each unit's annotators come
  // out ascending; then walking the units in order lists each annotator's units ascending.
  const taggers = new Int32Array(n);
  const fill = taggersAt.slice(0, unitCount);
  for (let e = 0; e < n; e++) taggers[fill[entryUnit[e]!]!++] = entryAnnotator[e]!;
  const tagged = new Int32Array(n);
  const next = taggedAt.slice(0, m);
  for (let u = 0; u < unitCount; u++) {
    for (let x = taggersAt[u]!; x < taggersAt[u + 1]!; x++) tagged[next[taggers[x]!]!++] = u;
  }
  return { taggedAt, tagged, taggersAt, taggers };
}

/** The array twice as long, with the same first entries. */
function grown(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

/**
 * Sentence u's decisions per category (rows) and annotator (cells): 1 tagged, 0 reviewed without
 * that tag, null never reviewed.
 */
function decisionRows(study: Study, counts: SentenceCounts, column: Map<string, number>, categories: number, u: number): (0 | 1 | null)[][] {
  const m = study.annotators.length;
  const unit = counts.units[u] ?? { articleId: '', sentence: 0 };
  const rows = Array.from({ length: categories }, () =>
    Array.from(counts.reviewed.subarray(u * m, (u + 1) * m), (v): 0 | 1 | null => (v < 0 ? null : 0)),
  );
  study.annotators.forEach((id, k) => {
    for (const t of study.annotation(unit.articleId, id)?.tags ?? []) {
      const row = t.sentence === unit.sentence ? rows[column.get(t.category) ?? -1] : undefined;
      if (row) row[k] = 1;
    }
  });
  return rows;
}

function disagreements(study: Study, counts: SentenceCounts, categoryIds: string[], limit: number): Disagreement[] {
  const categoriesCount = categoryIds.length;
  const column = new Map(categoryIds.map((c, i) => [c, i]));
  // Sentences reviewed by two or more on which some category split them, ranked by the share of
  // split categories (a counting sort: ties keep sentence order), then alpha and the tags only
  // for the candidates shown.
  const splitOf = new Int32Array(counts.units.length);
  const bucket = new Int32Array(categoriesCount + 2);
  if (categoriesCount > 0) {
    for (let u = 0; u < counts.units.length; u++) {
      const reviewers = counts.seen[0]?.[u] ?? 0;
      if (reviewers < 2) continue;
      let split = 0;
      for (let c = 0; c < categoriesCount; c++) {
        const ones = counts.tagged[c]?.[u] ?? 0;
        const zeros = (counts.seen[c]?.[u] ?? 0) - ones;
        if (ones > 0 && zeros > 0) split++;
      }
      splitOf[u] = split;
      if (split > 0) bucket[categoriesCount - split + 1]!++;
    }
  }
  for (let b = 0; b <= categoriesCount; b++) bucket[b + 1]! += bucket[b]!;
  const ranked = new Array<number>(bucket[categoriesCount + 1]!);
  for (let u = 0; u < splitOf.length; u++) {
    const split = splitOf[u]!;
    if (split > 0) ranked[bucket[categoriesCount - split]!++] = u;
  }
  return ranked
    .slice(0, limit * 5)
    .map((u) => {
      const split = splitOf[u]! / categoriesCount;
      const unit = counts.units[u] ?? { articleId: '', sentence: 0 };
      const rows = decisionRows(study, counts, column, categoriesCount, u);
      const alpha = krippendorffAlpha({ coders: study.annotators, units: rows });
      const tags = new Map<string, Tag[]>();
      for (const id of study.annotators) {
        tags.set(id, (study.annotation(unit.articleId, id)?.tags ?? []).filter((t) => t.sentence === unit.sentence));
      }
      const first = rows[0];
      const reviewers = study.annotators.filter((_, k) => (first?.[k] ?? null) !== null);
      return { unit, alpha: alpha.value, split, reviewers, tags };
    })
    .sort((x, y) => (x.alpha ?? -Infinity) - (y.alpha ?? -Infinity) || y.split - x.split)
    .slice(0, limit);
}

export function studyAgreement(study: Study, categories: Category[], options: AgreementOptions): StudyAgreement {
  const ids = categories.map((c) => c.id);
  const m = study.annotators.length;
  const grid = annotationGrid(study);
  const index = spanIndex(study, grid, ids);
  const shared = sharedPairs(grid, m);
  const perCategory = ids.map((_, c) => {
    const sums = emptySums(m, shared);
    addCategorySums(index, grid, c, sums);
    return sums;
  });
  const all = emptySums(m);
  for (const sums of perCategory) addSums(all, sums);
  // Span identification: every category's spans of an annotator in one column, labels ignored.
  const identification = emptySums(m, shared);
  addCategorySums(spanIndex(study, grid, ids, { labelsIgnored: true }), grid, 0, identification);
  const counts = sentenceCounts(study, ids, grid.annotations);
  // Sentence level: overall first, then one per category.
  const tabs = tabulateDecisions(study, grid, ids, counts);
  const articles = articleClusters(counts.units);
  const intervals = clusteredIntervals(
    tabs.map((tab) => decisionClusters(tab, counts.units, articles)),
    options.resamples ?? 1000,
    options.seed ?? 1,
  );
  const tokens = tokenLevels(study, grid, counts.reviewed, ids, options);
  const unitized = unitizing(study, ids, grid, index);
  const level = (category: Category | null, sums: PairSums, i: number, token: TokenLevel | undefined): CategoryAgreement => {
    const id = category?.id ?? null;
    const tab = tabs[i];
    const interval = intervals[i];
    if (!tab || !interval) throw new Error('a sentence level was not tabulated');
    return {
      category,
      sentence: sentenceLevel(tab, interval),
      span: spanLevel(
        study,
        sums,
        id === null ? unitized.overall : (unitized.byCategory.get(id) ?? { value: null, reason: 'not computed' }),
        id === null ? identification : null,
      ),
      token: token ?? { alpha: { value: null, reason: 'no words' }, units: 0, pairableValues: 0 },
    };
  };
  return {
    annotators: study.annotators,
    overall: level(null, all, 0, tokens[ids.length]),
    categories: categories.map((c, i) => level(c, perCategory[i] ?? emptySums(m), i + 1, tokens[i])),
    pairs: pairMatrix(study, grid, counts.reviewed, ids, all),
    disagreements: disagreements(study, counts, ids, options.disagreementLimit ?? 20),
  };
}
