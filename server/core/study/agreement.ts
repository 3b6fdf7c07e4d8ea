// The agreement report of a study (a project, or one article): per category and overall, at the
// sentence, span and token level, with a pairwise annotator matrix and a disagreement list.
// Pure: built from articles and annotations.
import type { Article, Category, Range, Tag } from '../model.js';
import {
  tabulateCodes,
  tabulationReport,
  mulberry32,
  quantileSorted,
  type AlphaInterval,
  krippendorffAlpha,
  unitizingAlpha,
  type AgreementReport,
  type CoderSpan,
  type Statistic,
  type TextSpan,
} from '../agreement/index.js';
import { sentenceCodes, type SentenceCodes, type SentenceUnit, type Study } from './units.js';

/** Below this share of "tagged" (or above 1 − it), kappa-type statistics are misleading. */
export const PREVALENCE_WARNING = 0.1;

export interface SentenceLevel {
  report: AgreementReport;
  /** Share of pairable values that are "tagged". */
  prevalence: number | null;
  warning: string | null;
}

export interface SpanLevel {
  /** Mean over annotator pairs of the pair's F1 (micro-averaged over shared articles). */
  exactF1: Statistic;
  overlapF1: Statistic;
  pairs: number;
  unitizingAlpha: Statistic;
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
interface BinarySums {
  n: number;
  k: number;
  w: number;
}

function addUnit(into: BinarySums, m: number, k: number): void {
  if (m < 2) return;
  into.n += m;
  into.k += k;
  into.w += (2 * k * (m - k)) / (m - 1);
}

function binaryAlpha({ n, k, w }: BinarySums): number | null {
  return n < 2 || k === 0 || k === n ? null : 1 - ((n - 1) * w) / (2 * k * (n - k));
}

/**
 * Bootstrap 95% interval for α, resampling whole articles (clusters) rather than sentences:
 * sentences of one article share context and annotators, so they are not independent, and
 * resampling articles keeps the cost at resamples × articles. With one article, sentences are
 * resampled instead.
 */
function clusteredInterval(clusters: BinarySums[], resamples: number, seed: number): AlphaInterval {
  const none = (reason: string): AlphaInterval => ({ low: null, high: null, resamples, seed, reason });
  if (clusters.length < 2) return none('needs at least two articles (or sentences) to resample');
  const random = mulberry32(seed);
  const alphas: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const sum: BinarySums = { n: 0, k: 0, w: 0 };
    for (let i = 0; i < clusters.length; i++) {
      const c = clusters[Math.floor(random() * clusters.length)];
      if (!c) continue;
      sum.n += c.n;
      sum.k += c.k;
      sum.w += c.w;
    }
    const alpha = binaryAlpha(sum);
    if (alpha !== null) alphas.push(alpha);
  }
  if (alphas.length === 0) return none('no resample had variation');
  alphas.sort((a, b) => a - b);
  return { low: quantileSorted(alphas, 0.025), high: quantileSorted(alphas, 0.975), resamples, seed };
}

/**
 * One category's sentence-level decisions, or all categories' one after another: then `codes`
 * holds several blocks of `units.length` units, unit `u` being sentence `units[u % units.length]`.
 */
interface Decisions {
  units: SentenceUnit[];
  codes: Int8Array;
}

function sentenceLevel(study: Study, decisions: Decisions, options: AgreementOptions): SentenceLevel {
  const m = study.annotators.length;
  const unitCount = m === 0 ? 0 : decisions.codes.length / m;
  // Values 0 and 1, already coded: no matrix of JS values for 50 × 360,000 decisions.
  const tab = tabulateCodes(decisions.codes, unitCount, m, [0, 1]);
  // The report's own unit bootstrap is replaced by the clustered one below (1 resample = no cost).
  const report = tabulationReport(tab, 'nominal', { bootstrap: { resamples: 1 } });
  const counts = (u: number): [number, number] => {
    let seen = 0;
    let k = 0;
    for (let c = 0; c < m; c++) {
      const v = decisions.codes[u * m + c] ?? -1;
      if (v < 0) continue;
      seen++;
      k += v;
    }
    return [seen, k];
  };
  const byArticle = new Map<string, BinarySums>();
  for (let u = 0; u < unitCount; u++) {
    const articleId = decisions.units[u % decisions.units.length]?.articleId ?? '';
    let cluster = byArticle.get(articleId);
    if (!cluster) byArticle.set(articleId, (cluster = { n: 0, k: 0, w: 0 }));
    addUnit(cluster, ...counts(u));
  }
  let clusters = [...byArticle.values()];
  if (byArticle.size < 2) {
    // One article: its sentences are the clusters, each with all its category decisions together
    // (the overall figure has one unit per sentence and category; those are not independent).
    const bySentence = new Map<number, BinarySums>();
    for (let u = 0; u < unitCount; u++) {
      const [seen, k] = counts(u);
      if (seen < 2) continue;
      const s = decisions.units[u % decisions.units.length]?.sentence ?? u;
      let sentence = bySentence.get(s);
      if (!sentence) bySentence.set(s, (sentence = { n: 0, k: 0, w: 0 }));
      addUnit(sentence, seen, k);
    }
    clusters = [...bySentence.values()];
  }
  report.statistics.krippendorff_alpha_ci95 = clusteredInterval(clusters, options.resamples ?? 1000, options.seed ?? 1);
  const tagged = report.marginals.find((x) => x.value === 1)?.count ?? 0;
  const prevalence = report.pairable_values > 0 ? tagged / report.pairable_values : null;
  const warning =
    prevalence !== null && (prevalence < PREVALENCE_WARNING || prevalence > 1 - PREVALENCE_WARNING)
      ? `Only ${(Math.min(prevalence, 1 - prevalence) * 100).toFixed(1)}% of decisions are in the rarer class: kappa, pi and alpha are pulled down by prevalence here; read them beside observed agreement and Gwet's AC1.`
      : null;
  return { report, prevalence, warning };
}

/**
 * Everything the span and pair statistics need, indexed once: per article and annotator, whether
 * they reviewed it and their merged spans per category. Pair loops then run on plain arrays.
 */
interface SpanIndex {
  reviewed: boolean[][];
  /** spans[category][article][annotator] = merged spans, sorted (for overlap credit). */
  spans: TextSpan[][][][];
  /**
   * drawn[category][article][annotator] = the spans as drawn, duplicates removed, each as the
   * number start·2²¹ + end (exact in a double for texts up to 1 MB), sorted (for exact match).
   */
  drawn: Float64Array[][][];
}

function spanIndex(study: Study, categoryIds: string[]): SpanIndex {
  const reviewed = study.articles.map((article) =>
    study.annotators.map((id) => {
      const a = study.annotation(article.id, id);
      return a !== undefined && (a.reviewed.length > 0 || a.tags.length > 0);
    }),
  );
  // Each annotation's tags are grouped by category once; cells without tags share one empty value.
  const none: TextSpan[] = [];
  const noneDrawn = new Float64Array(0);
  const column = new Map(categoryIds.map((c, i) => [c, i]));
  const m = study.annotators.length;
  const spans = categoryIds.map(() => study.articles.map(() => new Array<TextSpan[]>(m).fill(none)));
  const drawn = categoryIds.map(() => study.articles.map(() => new Array<Float64Array>(m).fill(noneDrawn)));
  study.articles.forEach((article, ai) => {
    study.annotators.forEach((id, ci) => {
      const tags = study.annotation(article.id, id)?.tags ?? [];
      // One sort by category, start and end; then each category's run is merged (overlap F1, α_U)
      // and kept as drawn (exact F1) in a single walk.
      const sorted = tags
        .map((t) => ({ c: column.get(t.category) ?? -1, start: t.start, end: t.end }))
        .filter((t) => t.c >= 0)
        .sort((x, y) => x.c - y.c || x.start - y.start || x.end - y.end);
      let i = 0;
      while (i < sorted.length) {
        const c = sorted[i]?.c ?? 0;
        const merged: TextSpan[] = [];
        const keys: number[] = [];
        for (let t = sorted[i]; t !== undefined && t.c === c; t = sorted[++i]) {
          if (!(t.start < t.end)) continue;
          const key = t.start * 2097152 + t.end;
          if (keys[keys.length - 1] !== key) keys.push(key);
          const last = merged[merged.length - 1];
          if (last && t.start < last.end) last.end = Math.max(last.end, t.end);
          else merged.push({ start: t.start, end: t.end });
        }
        const spanRow = spans[c]?.[ai];
        const drawnRow = drawn[c]?.[ai];
        if (spanRow) spanRow[ci] = merged;
        if (drawnRow) drawnRow[ci] = Float64Array.from(keys);
      }
    });
  });
  return { reviewed, spans, drawn };
}

/** Micro-averaged sums per annotator pair (pair index i*m+j), added up over articles. */
interface PairSums {
  pNum: Float64Array;
  pDen: Float64Array;
  rNum: Float64Array;
  rDen: Float64Array;
  /** Exact matches, and the spans as drawn on each side (exact F1 does not merge). */
  exact: Float64Array;
  exactPDen: Float64Array;
  exactRDen: Float64Array;
  shared: Uint8Array;
}

function emptySums(m: number): PairSums {
  const n = m * m;
  return {
    pNum: new Float64Array(n), pDen: new Float64Array(n), rNum: new Float64Array(n), rDen: new Float64Array(n),
    exact: new Float64Array(n), exactPDen: new Float64Array(n), exactRDen: new Float64Array(n), shared: new Uint8Array(n),
  };
}

/** The SemEval-2020 T11 overlap sums and exact matches of one category, for every pair (a = reference). */
function addCategorySums(index: SpanIndex, category: number, m: number, into: PairSums): void {
  const byArticle = index.spans[category] ?? [];
  const drawnByArticle = index.drawn[category] ?? [];
  byArticle.forEach((annotators, ai) => {
    const reviewed = index.reviewed[ai] ?? [];
    const drawn = drawnByArticle[ai] ?? [];
    for (let a = 0; a < m; a++) {
      if (!reviewed[a]) continue;
      const t = annotators[a] ?? [];
      const exactT = drawn[a] ?? new Float64Array(0);
      for (let b = a + 1; b < m; b++) {
        if (!reviewed[b]) continue;
        const s = annotators[b] ?? [];
        const k = a * m + b;
        into.shared[k] = 1;
        const exactS = drawn[b] ?? new Float64Array(0);
        into.exactPDen[k] = (into.exactPDen[k] ?? 0) + exactS.length;
        into.exactRDen[k] = (into.exactRDen[k] ?? 0) + exactT.length;
        let exact = 0;
        for (let i = 0, j = 0; i < exactS.length && j < exactT.length; ) {
          const x = exactS[i] ?? 0;
          const y = exactT[j] ?? 0;
          if (x === y) {
            exact++;
            i++;
            j++;
          } else if (x < y) i++;
          else j++;
        }
        into.exact[k] = (into.exact[k] ?? 0) + exact;
        if (t.length === 0 && s.length === 0) continue;
        into.pDen[k] = (into.pDen[k] ?? 0) + s.length;
        into.rDen[k] = (into.rDen[k] ?? 0) + t.length;
        let i = 0;
        let j = 0;
        let pNum = 0;
        let rNum = 0;
        while (i < s.length && j < t.length) {
          const x = s[i] ?? { start: 0, end: 0 };
          const y = t[j] ?? { start: 0, end: 0 };
          const inter = Math.min(x.end, y.end) - Math.max(x.start, y.start);
          if (inter > 0) {
            pNum += inter / (x.end - x.start);
            rNum += inter / (y.end - y.start);
          }
          if (x.end <= y.end) i++;
          else j++;
        }
        into.pNum[k] = (into.pNum[k] ?? 0) + pNum;
        into.rNum[k] = (into.rNum[k] ?? 0) + rNum;
      }
    }
  });
}

function addSums(into: PairSums, from: PairSums): void {
  for (let k = 0; k < into.pNum.length; k++) {
    into.pNum[k] = (into.pNum[k] ?? 0) + (from.pNum[k] ?? 0);
    into.pDen[k] = (into.pDen[k] ?? 0) + (from.pDen[k] ?? 0);
    into.rNum[k] = (into.rNum[k] ?? 0) + (from.rNum[k] ?? 0);
    into.rDen[k] = (into.rDen[k] ?? 0) + (from.rDen[k] ?? 0);
    into.exact[k] = (into.exact[k] ?? 0) + (from.exact[k] ?? 0);
    into.exactPDen[k] = (into.exactPDen[k] ?? 0) + (from.exactPDen[k] ?? 0);
    into.exactRDen[k] = (into.exactRDen[k] ?? 0) + (from.exactRDen[k] ?? 0);
    into.shared[k] = (into.shared[k] ?? 0) | (from.shared[k] ?? 0);
  }
}

/** F1 from summed numerators and denominators, as the T11 scorer: 1 when both sides are empty. */
function f1(pNum: number, pDen: number, rNum: number, rDen: number): number {
  if (pDen === 0 && rDen === 0) return 1;
  const p = pDen > 0 ? pNum / pDen : 0;
  const r = rDen > 0 ? rNum / rDen : 0;
  return p > 0 && r > 0 ? (2 * p * r) / (p + r) : 0;
}

function pairF1(sums: PairSums, k: number): { overlap: number; exact: number } | null {
  if (!sums.shared[k]) return null;
  const exact = sums.exact[k] ?? 0;
  return {
    overlap: f1(sums.pNum[k] ?? 0, sums.pDen[k] ?? 0, sums.rNum[k] ?? 0, sums.rDen[k] ?? 0),
    exact: f1(exact, sums.exactPDen[k] ?? 0, exact, sums.exactRDen[k] ?? 0),
  };
}

function mean(values: number[]): Statistic {
  return values.length === 0 ? { value: null, reason: 'no pair of annotators reviewed the same article' } : { value: values.reduce((x, y) => x + y, 0) / values.length };
}

function spanLevel(study: Study, sums: PairSums, unitizingAlpha: Statistic): SpanLevel {
  const m = study.annotators.length;
  const exact: number[] = [];
  const overlap: number[] = [];
  for (let a = 0; a < m; a++) {
    for (let b = a + 1; b < m; b++) {
      const f = pairF1(sums, a * m + b);
      if (!f) continue;
      exact.push(f.exact);
      overlap.push(f.overlap);
    }
  }
  return { exactF1: mean(exact), overlapF1: mean(overlap), pairs: exact.length, unitizingAlpha };
}

function reviewedArticle(study: Study, articleId: string, annotatorId: string): boolean {
  const a = study.annotation(articleId, annotatorId);
  return a !== undefined && (a.reviewed.length > 0 || a.tags.length > 0);
}

/**
 * α_U on the articles every annotator reviewed, laid end to end as one continuum; computed once
 * for all categories (labels): per category from its own D_o and D_e, overall as the whole.
 */
function unitizing(study: Study, cats: string[], index: SpanIndex): { overall: Statistic; byCategory: Map<string, Statistic> } {
  const byCategory = new Map<string, Statistic>();
  const none = (reason: string) => {
    for (const c of cats) byCategory.set(c, { value: null, reason });
    return { overall: { value: null, reason }, byCategory };
  };
  if (study.annotators.length < 2) return none('needs at least two annotators');
  const shared = study.articles.filter((article) => study.annotators.every((id) => reviewedArticle(study, article.id, id)));
  if (shared.length === 0) return none('no article was reviewed by every annotator');
  const spans: CoderSpan[] = [];
  let offset = 0;
  const position = new Map(study.articles.map((a, i) => [a.id, i]));
  for (const article of shared) {
    const ai = position.get(article.id) ?? -1;
    study.annotators.forEach((coder, k) => {
      cats.forEach((c, ci) => {
        // α_U needs one coder's same-label spans disjoint: the index holds them merged.
        for (const span of index.spans[ci]?.[ai]?.[k] ?? []) {
          spans.push({ coder, label: c, start: offset + span.start, end: offset + span.end });
        }
      });
    });
    offset += article.text.length;
  }
  const result = unitizingAlpha({ begin: 0, end: offset, coders: study.annotators, spans });
  for (const c of cats) {
    byCategory.set(c, result.categories.find((x) => x.label === c)?.alpha ?? { value: null, reason: 'nobody tagged this category on the shared articles' });
  }
  return { overall: result.alpha, byCategory };
}

/**
 * Token level: every word of every sentence is a unit; its value for an annotator is whether one
 * of their tags of the category covers it. Untagged words dominate, which inflates agreement.
 * One pass over the words fills the sums of every category (index c); the overall figure pools
 * the word × category decisions of all categories (as the sentence level pools sentence ×
 * category decisions), so a word tagged with different categories is a disagreement.
 */
function tokenLevels(study: Study, categoryIds: string[], options: AgreementOptions): TokenLevel[] {
  const count = categoryIds.length;
  const sums: BinarySums[] = Array.from({ length: count }, () => ({ n: 0, k: 0, w: 0 }));
  const column = new Map(categoryIds.map((c, i) => [c, i]));
  let words = 0;
  // Per sentence: how many reviewers' tags of each category cover each word, filled tag by tag
  // (tags × words they cover) rather than word by word, in buffers reused across sentences.
  let covered = new Int32Array(0);
  let counted = new Int32Array(0);
  let stamp = 0;
  for (const article of study.articles) {
    const coders = study.annotators.map((id) => study.annotation(article.id, id)).filter((a) => a !== undefined);
    const seen = coders.map((a) => study.reviewed(a));
    const bySentence = coders.map((a) => {
      const groups = new Map<number, Tag[]>();
      for (const t of a.tags) {
        const group = groups.get(t.sentence);
        if (group) group.push(t);
        else groups.set(t.sentence, [t]);
      }
      return groups;
    });
    article.sentences.forEach((range, s) => {
      const wordRanges = options.words(article, range);
      words += wordRanges.length;
      let m = 0;
      for (const reviewed of seen) if (reviewed.has(s)) m++;
      if (m < 2) return;
      const size = wordRanges.length * count;
      if (covered.length < size) {
        covered = new Int32Array(size * 2);
        counted = new Int32Array(size * 2);
        stamp = 0;
      }
      covered.fill(0, 0, size);
      coders.forEach((_, r) => {
        if (!seen[r]?.has(s)) return;
        // One reviewer counts once per word and category, however many of their tags cover it.
        stamp++;
        for (const t of bySentence[r]?.get(s) ?? []) {
          const c = column.get(t.category);
          if (c === undefined) continue;
          for (let w = 0; w < wordRanges.length; w++) {
            const word = wordRanges[w];
            if (!word || word.end <= t.start) continue;
            if (word.start >= t.end) break;
            const key = w * count + c;
            if (counted[key] !== stamp) {
              counted[key] = stamp;
              covered[key] = (covered[key] ?? 0) + 1;
            }
          }
        }
      });
      for (let c = 0; c < count; c++) {
        const sum = sums[c];
        if (!sum) continue;
        for (let w = 0; w < wordRanges.length; w++) addUnit(sum, m, covered[w * count + c] ?? 0);
      }
    });
  }
  const pooled: BinarySums = { n: 0, k: 0, w: 0 };
  for (const sum of sums) {
    pooled.n += sum.n;
    pooled.k += sum.k;
    pooled.w += sum.w;
  }
  const level = (sum: BinarySums, units: number): TokenLevel => {
    const value = binaryAlpha(sum);
    const alpha: Statistic =
      sum.n === 0
        ? { value: null, reason: 'no word was reviewed by two or more annotators' }
        : value === null
          ? { value: null, reason: 'no variation: every word got the same value' }
          : { value };
    return { alpha, units, pairableValues: sum.n };
  };
  return [...sums.map((sum) => level(sum, words)), level(pooled, words * count)];
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
 * Counted from each annotator's sparse "tagged" units, so the cost is pairs × tags, not pairs × units.
 */
function pairMatrix(study: Study, categoryIds: string[], sums: PairSums): PairAgreement[] {
  const m = study.annotators.length;
  const seen = study.annotators.map((id) => study.articles.map((article) => {
    const a = study.annotation(article.id, id);
    return a ? study.reviewed(a) : new Set<number>();
  }));
  // Which sentences each annotator reviewed, as one byte per sentence of the study.
  const total = study.articles.reduce((n, a) => n + a.sentences.length, 0);
  const flat = seen.map((byArticle) => {
    const bytes = new Uint8Array(total);
    let base = 0;
    study.articles.forEach((article, ai) => {
      for (const s of byArticle[ai] ?? []) if (s < article.sentences.length) bytes[base + s] = 1;
      base += article.sentences.length;
    });
    return bytes;
  });
  // The same as bits, 32 sentences a word: "reviewed by both" for a pair is then a popcount.
  const words = Math.ceil(total / 32);
  const bits = flat.map((bytes) => {
    const packed = new Uint32Array(words);
    bytes.forEach((b, u) => {
      if (b) packed[u >>> 5] = (packed[u >>> 5] ?? 0) | (1 << (u & 31));
    });
    return packed;
  });
  // Each annotator's "tagged" decisions as sorted unit numbers (sentence × category), so a pair's
  // table is a merge of two sorted lists; only the codebook's categories are decisions.
  const column = new Map(categoryIds.map((c, i) => [c, i]));
  const categoriesCount = categoryIds.length;
  const bases: number[] = [];
  study.articles.reduce((base, article) => (bases.push(base), base + article.sentences.length), 0);
  const tagged = study.annotators.map((id) => {
    const units = new Set<number>();
    study.articles.forEach((article, ai) => {
      for (const t of study.annotation(article.id, id)?.tags ?? []) {
        const c = column.get(t.category);
        if (c !== undefined && t.sentence < article.sentences.length) units.add(((bases[ai] ?? 0) + t.sentence) * categoriesCount + c);
      }
    });
    return Int32Array.from(units).sort();
  });
  const out: PairAgreement[] = [];
  for (let a = 0; a < m; a++) {
    const fa = flat[a] ?? new Uint8Array(total);
    const ta = tagged[a] ?? new Int32Array(0);
    for (let b = a + 1; b < m; b++) {
      const fb = flat[b] ?? new Uint8Array(total);
      const tb = tagged[b] ?? new Int32Array(0);
      let both = 0;
      const ba = bits[a];
      const bb = bits[b];
      if (ba && bb) for (let w = 0; w < words; w++) both += popcount((ba[w] ?? 0) & (bb[w] ?? 0));
      // Decisions of one annotator that fall on sentences both reviewed.
      const inBoth = (units: Int32Array) => {
        let n = 0;
        for (const unit of units) {
          const sentence = Math.floor(unit / categoriesCount);
          if (fa[sentence] && fb[sentence]) n++;
        }
        return n;
      };
      let n11 = 0;
      for (let i = 0, j = 0; i < ta.length && j < tb.length; ) {
        const x = ta[i] ?? 0;
        const y = tb[j] ?? 0;
        if (x === y) {
          n11++;
          i++;
          j++;
        } else if (x < y) i++;
        else j++;
      }
      const n1x = inBoth(ta);
      const nx1 = inBoth(tb);
      const decisions = both * categoriesCount;
      const kappa = kappaFromTable(n11, n1x - n11, nx1 - n11, decisions - n1x - nx1 + n11);
      const f = pairF1(sums, a * m + b);
      out.push({
        a: study.annotators[a] ?? '',
        b: study.annotators[b] ?? '',
        kappa,
        f1: f ? { value: f.overlap } : { value: null, reason: 'no article reviewed by both' },
      });
    }
  }
  return out;
}

function disagreements(study: Study, codes: SentenceCodes, limit: number): Disagreement[] {
  const m = study.annotators.length;
  const rowsOf = (u: number) =>
    codes.byCategory.map((c) => Array.from(c.subarray(u * m, (u + 1) * m), (v): 0 | 1 | null => (v < 0 ? null : v === 1 ? 1 : 0)));
  const candidates: { u: number; split: number }[] = [];
  codes.units.forEach((_, u) => {
    const first = codes.byCategory[0];
    if (!first) return;
    let reviewers = 0;
    for (let k = 0; k < m; k++) if ((first[u * m + k] ?? -1) >= 0) reviewers++;
    if (reviewers < 2) return;
    let splitCategories = 0;
    for (const c of codes.byCategory) {
      let ones = 0;
      let zeros = 0;
      for (let k = 0; k < m; k++) {
        const v = c[u * m + k] ?? -1;
        if (v === 1) ones++;
        else if (v === 0) zeros++;
      }
      if (ones > 0 && zeros > 0) splitCategories++;
    }
    if (splitCategories > 0) candidates.push({ u, split: splitCategories / codes.byCategory.length });
  });
  // Rank by split first (cheap), then compute alpha and the tags only for the candidates shown.
  return candidates
    .sort((x, y) => y.split - x.split)
    .slice(0, limit * 5)
    .map(({ u, split }) => {
      const unit = codes.units[u] ?? { articleId: '', sentence: 0 };
      const alpha = krippendorffAlpha({ coders: study.annotators, units: rowsOf(u) });
      const tags = new Map<string, Tag[]>();
      for (const id of study.annotators) {
        tags.set(id, (study.annotation(unit.articleId, id)?.tags ?? []).filter((t) => t.sentence === unit.sentence));
      }
      const first = codes.byCategory[0];
      const reviewers = study.annotators.filter((_, k) => (first?.[u * m + k] ?? -1) >= 0);
      return { unit, alpha: alpha.value, split, reviewers, tags };
    })
    .sort((x, y) => (x.alpha ?? -Infinity) - (y.alpha ?? -Infinity) || y.split - x.split)
    .slice(0, limit);
}

export function studyAgreement(study: Study, categories: Category[], options: AgreementOptions): StudyAgreement {
  const ids = categories.map((c) => c.id);
  const m = study.annotators.length;
  const index = spanIndex(study, ids);
  const perCategory = ids.map((_, c) => {
    const sums = emptySums(m);
    addCategorySums(index, c, m, sums);
    return sums;
  });
  const codes = sentenceCodes(study, ids);
  const allCodes = new Int8Array(codes.byCategory.reduce((n, c) => n + c.length, 0));
  codes.byCategory.reduce((at, c) => (allCodes.set(c, at), at + c.length), 0);
  const allDecisions: Decisions = { units: codes.units, codes: allCodes };
  const all = emptySums(m);
  for (const sums of perCategory) addSums(all, sums);
  const tokens = tokenLevels(study, ids, options);
  const unitized = unitizing(study, ids, index);
  const level = (category: Category | null, sums: PairSums, own: Decisions, token: TokenLevel | undefined): CategoryAgreement => {
    const id = category?.id ?? null;
    return {
      category,
      sentence: sentenceLevel(study, own, options),
      span: spanLevel(study, sums, id === null ? unitized.overall : (unitized.byCategory.get(id) ?? { value: null, reason: 'not computed' })),
      token: token ?? { alpha: { value: null, reason: 'no words' }, units: 0, pairableValues: 0 },
    };
  };
  return {
    annotators: study.annotators,
    overall: level(null, all, allDecisions, tokens[ids.length]),
    categories: categories.map((c, i) =>
      level(c, perCategory[i] ?? emptySums(m), { units: codes.units, codes: codes.byCategory[i] ?? new Int8Array(0) }, tokens[i]),
    ),
    pairs: pairMatrix(study, ids, all),
    disagreements: disagreements(study, codes, options.disagreementLimit ?? 20),
  };
}
