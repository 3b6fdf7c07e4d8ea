// Outlet profiles: how much framing each outlet's articles carry, per category.
//
// - Tags per 1,000 words: 1000 × (tags) / (words × layers), summed over the outlet's articles
//   (a ratio of sums, so a long article weighs more than a short one). A layer is one
//   annotator's tags on the article, or the curated gold as a single layer, so rates from
//   several annotators are per annotator, comparable with a gold-only rate.
// - Share of sentences with the category: (sentences holding at least one tag of it, per
//   layer) / (sentences × layers), summed over the articles.
// - 95 % bootstrap interval over the outlet's articles: each of `resamples` (default 1000)
//   resamples draws as many articles as the outlet has, uniformly with replacement, with the
//   mulberry32 PRNG (as the agreement bootstrap) seeded per outlet with FNV-1a of
//   "<seed>:<outlet>", so adding an outlet changes no other outlet's interval; the statistic
//   is recomputed on each resample and the interval is its 2.5 % and 97.5 % percentiles (R's
//   type 7). Articles with no layer (nobody annotated them) are left out and counted.
// Pure: the caller picks the articles (one story, or the whole project) and their layers.
import { mulberry32, quantileSorted } from '../agreement/bootstrap.js';

export interface ProfileTag {
  sentence: number;
  category: string;
}

export interface ProfileArticle {
  id: string;
  outlet: string;
  words: number;
  sentences: number;
  /** One list of tags per annotator, or a single list for the curated gold. */
  layers: ProfileTag[][];
}

export interface ProfileOptions {
  resamples?: number;
  seed?: number;
  confidence?: number;
}

export interface Estimate {
  value: number | null;
  low: number | null;
  high: number | null;
}

export interface CategoryProfile {
  /** A category id, or `ANY` for tags of every category together. */
  category: string;
  tags: number;
  ratePer1000Words: Estimate;
  sentencesWith: number;
  sentenceShare: Estimate;
}

export interface OutletProfile {
  outlet: string;
  articles: number;
  /** Articles of the outlet left out because nobody annotated them. */
  unannotated: number;
  words: number;
  sentences: number;
  layers: number;
  categories: CategoryProfile[];
}

export const ANY = '*';
export const DEFAULT_PROFILE_RESAMPLES = 1000;

/** FNV-1a, 32 bits: the per-outlet seed of "<seed>:<outlet>". */
export function outletSeed(seed: number, outlet: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${seed}:${outlet}`) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Per-article sums: for each category (and ANY, last), tags and sentences-with, plus the two denominators. */
export interface ArticleCounts {
  tags: Float64Array;
  sentencesWith: Float64Array;
  wordDenominator: number;
  sentenceDenominator: number;
}

export function articleCounts(article: ProfileArticle, categories: readonly string[]): ArticleCounts {
  const index = new Map(categories.map((c, i) => [c, i]));
  const any = categories.length;
  const tags = new Float64Array(categories.length + 1);
  const sentencesWith = new Float64Array(categories.length + 1);
  for (const layer of article.layers) {
    const seen = new Set<string>();
    for (const tag of layer) {
      const c = index.get(tag.category);
      if (c === undefined) continue; // a category the codebook no longer has
      tags[c]!++;
      tags[any]!++;
      for (const k of [c, any]) {
        const key = `${k}:${tag.sentence}`;
        if (!seen.has(key)) {
          seen.add(key);
          sentencesWith[k]!++;
        }
      }
    }
  }
  return { tags, sentencesWith, wordDenominator: article.words * article.layers.length, sentenceDenominator: article.sentences * article.layers.length };
}

/** Rate and share of each category over the articles with the given weights (1 each, or bootstrap counts). */
export function statistics(counts: readonly ArticleCounts[], weights?: ArrayLike<number>): { rates: Float64Array; shares: Float64Array } {
  const size = counts[0]?.tags.length ?? 0;
  const tags = new Float64Array(size);
  const withTag = new Float64Array(size);
  let words = 0;
  let sentences = 0;
  counts.forEach((c, i) => {
    const w = weights ? weights[i]! : 1;
    if (w === 0) return;
    for (let k = 0; k < size; k++) {
      tags[k]! += w * c.tags[k]!;
      withTag[k]! += w * c.sentencesWith[k]!;
    }
    words += w * c.wordDenominator;
    sentences += w * c.sentenceDenominator;
  });
  const rates = tags.map((t) => (words > 0 ? (1000 * t) / words : NaN));
  const shares = withTag.map((t) => (sentences > 0 ? t / sentences : NaN));
  return { rates, shares };
}

/** The bootstrap values of each category's rate and share: `resamples` per category, NaN where undefined. */
export function bootstrapDraws(counts: readonly ArticleCounts[], seed: number, resamples: number): { rates: Float64Array[]; shares: Float64Array[] } {
  const size = counts[0]?.tags.length ?? 0;
  const rates = Array.from({ length: size }, () => new Float64Array(resamples));
  const shares = Array.from({ length: size }, () => new Float64Array(resamples));
  const random = mulberry32(seed);
  const n = counts.length;
  const weight = new Int32Array(n);
  for (let r = 0; r < resamples; r++) {
    weight.fill(0);
    for (let i = 0; i < n; i++) weight[Math.floor(random() * n)]!++;
    const s = statistics(counts, weight);
    for (let k = 0; k < size; k++) {
      rates[k]![r] = s.rates[k]!;
      shares[k]![r] = s.shares[k]!;
    }
  }
  return { rates, shares };
}

/** Percentile interval of the defined values of `draws` (R type 7). */
export function percentileInterval(draws: ArrayLike<number>, confidence: number): { low: number | null; high: number | null } {
  const values = Array.from(draws).filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
  if (values.length === 0) return { low: null, high: null };
  const tail = (1 - confidence) / 2;
  return { low: quantileSorted(values, tail), high: quantileSorted(values, 1 - tail) };
}

export function checkOptions(options: ProfileOptions): Required<ProfileOptions> {
  const resamples = options.resamples ?? DEFAULT_PROFILE_RESAMPLES;
  const seed = options.seed ?? 1;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError('resamples must be a positive integer');
  if (!Number.isInteger(seed)) throw new RangeError('seed must be an integer');
  if (!(confidence > 0 && confidence < 1)) throw new RangeError('confidence must be between 0 and 1');
  return { resamples, seed, confidence };
}

const finite = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : null);

/** The profile of every outlet of `articles`, outlets in name order, categories in the given order then ANY. */
export function outletProfiles(articles: readonly ProfileArticle[], categories: readonly string[], options: ProfileOptions = {}): OutletProfile[] {
  const { resamples, seed, confidence } = checkOptions(options);
  const byOutlet = new Map<string, ProfileArticle[]>();
  for (const a of articles) {
    const list = byOutlet.get(a.outlet);
    if (list) list.push(a);
    else byOutlet.set(a.outlet, [a]);
  }
  const names = [...categories, ANY];
  return [...byOutlet.keys()].sort().map((outlet) => {
    const all = byOutlet.get(outlet)!;
    const annotated = all.filter((a) => a.layers.length > 0);
    const counts = annotated.map((a) => articleCounts(a, categories));
    const point = statistics(counts);
    const draws = counts.length > 0 ? bootstrapDraws(counts, outletSeed(seed, outlet), resamples) : null;
    const sum = (f: (c: ArticleCounts) => number) => counts.reduce((total, c) => total + f(c), 0);
    return {
      outlet,
      articles: annotated.length,
      unannotated: all.length - annotated.length,
      words: annotated.reduce((n, a) => n + a.words, 0),
      sentences: annotated.reduce((n, a) => n + a.sentences, 0),
      layers: annotated.reduce((n, a) => n + a.layers.length, 0),
      categories: names.map((category, k) => {
        const rate = draws ? percentileInterval(draws.rates[k]!, confidence) : { low: null, high: null };
        const share = draws ? percentileInterval(draws.shares[k]!, confidence) : { low: null, high: null };
        return {
          category,
          tags: sum((c) => c.tags[k]!),
          ratePer1000Words: { value: finite(point.rates[k]), ...rate },
          sentencesWith: sum((c) => c.sentencesWith[k]!),
          sentenceShare: { value: finite(point.shares[k]), ...share },
        };
      }),
    };
  });
}
