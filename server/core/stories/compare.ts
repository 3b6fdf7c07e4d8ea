// Two outlets compared, category by category: the difference of their rates (tags per 1,000
// words) and of their sentence shares, with a bootstrap interval and a permutation-test p-value.
//
// - Difference: outlet A's statistic minus outlet B's (profile.ts defines them).
// - Interval: the percentiles of A's bootstrap values minus B's, resample by resample (each
//   outlet resampled on its own stream, as in its profile).
// - p-value: under the null hypothesis the outlet labels are exchangeable between articles.
//   When the number of ways to choose A's articles from both, C(n, k), is at most
//   `permutations` (default 9,999), every split is enumerated and p is exact: the share of
//   splits whose difference is at least as extreme as the observed one (the observed split is
//   one of them, so p ≥ 1 / C(n, k)). Otherwise `permutations` random splits are drawn
//   (mulberry32, `seed`) and p = (b + 1) / (permutations + 1), b the number as extreme
//   (Phipson & Smyth 2010: a Monte Carlo p-value never reaches 0). Two-sided by default
//   (|difference|); "greater" / "less" test A > B / A < B. A relative tolerance of 1e-9 counts
//   ties as extreme, so identical groups give p = 1.
// - Holm's step-down adjustment over the categories (not ANY) is given beside each p.
import { mulberry32 } from '../agreement/bootstrap.js';
import {
  ANY,
  articleCounts,
  bootstrapDraws,
  checkOptions,
  outletSeed,
  percentileInterval,
  statistics,
  type ArticleCounts,
  type ProfileArticle,
  type ProfileOptions,
} from './profile.js';

export type Alternative = 'two-sided' | 'greater' | 'less';

export interface CompareOptions extends ProfileOptions {
  permutations?: number;
  alternative?: Alternative;
}

export interface Difference {
  value: number | null;
  low: number | null;
  high: number | null;
  p: number | null;
  /** Holm-adjusted p over the categories (equal to p for ANY). */
  pHolm: number | null;
}

export interface CategoryComparison {
  category: string;
  rate: Difference;
  share: Difference;
}

export interface OutletComparison {
  a: string;
  b: string;
  /** True when every split was enumerated (exact p); false for random permutations. */
  exact: boolean;
  /** Splits enumerated, or random permutations drawn. */
  permutations: number;
  alternative: Alternative;
  categories: CategoryComparison[];
}

export const DEFAULT_PERMUTATIONS = 9999;

/** C(n, k), or Infinity once it passes `limit`. */
export function binomial(n: number, k: number, limit = Number.MAX_SAFE_INTEGER): number {
  k = Math.min(k, n - k);
  let c = 1;
  for (let i = 1; i <= k; i++) {
    c = (c * (n - k + i)) / i;
    if (c > limit) return Infinity;
  }
  return Math.round(c);
}

/** Calls `visit` with every k-subset of 0..n-1 as a 0/1 membership array (lexicographic order). */
export function forEachSubset(n: number, k: number, visit: (member: Uint8Array) => void): void {
  const index = Array.from({ length: k }, (_, i) => i);
  const member = new Uint8Array(n);
  for (;;) {
    member.fill(0);
    for (const i of index) member[i] = 1;
    visit(member);
    let i = k - 1;
    while (i >= 0 && index[i] === n - k + i) i--;
    if (i < 0) return;
    index[i]!++;
    for (let j = i + 1; j < k; j++) index[j] = index[j - 1]! + 1;
  }
}

/** Holm's step-down adjustment of `p` (nulls stay null). */
export function holm(p: readonly (number | null)[]): (number | null)[] {
  const order = p.map((value, i) => ({ value, i })).filter((x): x is { value: number; i: number } => x.value !== null).sort((x, y) => x.value - y.value);
  const out: (number | null)[] = p.map(() => null);
  let running = 0;
  order.forEach(({ value, i }, rank) => {
    running = Math.max(running, Math.min(1, (order.length - rank) * value));
    out[i] = running;
  });
  return out;
}

function differences(countsA: readonly ArticleCounts[], countsB: readonly ArticleCounts[]) {
  const a = statistics(countsA);
  const b = statistics(countsB);
  return { rates: a.rates.map((x, k) => x - b.rates[k]!), shares: a.shares.map((x, k) => x - b.shares[k]!) };
}

/** Compares outlet `a` with outlet `b` over the given articles (those of other outlets are ignored). */
export function compareOutlets(
  articles: readonly ProfileArticle[],
  a: string,
  b: string,
  categories: readonly string[],
  options: CompareOptions = {},
): OutletComparison {
  const { resamples, seed, confidence } = checkOptions(options);
  const permutations = options.permutations ?? DEFAULT_PERMUTATIONS;
  const alternative = options.alternative ?? 'two-sided';
  if (!Number.isInteger(permutations) || permutations < 1) throw new RangeError('permutations must be a positive integer');
  if (a === b) throw new RangeError('compare two different outlets');
  const countsA = articles.filter((x) => x.outlet === a && x.layers.length > 0).map((x) => articleCounts(x, categories));
  const countsB = articles.filter((x) => x.outlet === b && x.layers.length > 0).map((x) => articleCounts(x, categories));
  const names = [...categories, ANY];
  const size = names.length;
  const observed = differences(countsA, countsB);

  // Bootstrap interval of the difference.
  const drawsA = countsA.length > 0 ? bootstrapDraws(countsA, outletSeed(seed, a), resamples) : null;
  const drawsB = countsB.length > 0 ? bootstrapDraws(countsB, outletSeed(seed, b), resamples) : null;
  const interval = (k: number, kind: 'rates' | 'shares') =>
    drawsA && drawsB ? percentileInterval(drawsA[kind][k]!.map((x, r) => x - drawsB[kind][k]![r]!), confidence) : { low: null, high: null };

  // Permutation test: every statistic from the same splits.
  const pooled = [...countsA, ...countsB];
  const n = pooled.length;
  const k = countsA.length;
  const extremeRates = new Float64Array(size);
  const extremeShares = new Float64Array(size);
  const splits = k > 0 && k < n ? binomial(n, k, permutations) : 0;
  const exact = splits !== Infinity;
  const isExtreme = (value: number, seen: number) => {
    if (!Number.isFinite(value) || !Number.isFinite(seen)) return false;
    const tolerance = 1e-9 * Math.max(1, Math.abs(value));
    if (alternative === 'greater') return seen >= value - tolerance;
    if (alternative === 'less') return seen <= value + tolerance;
    return Math.abs(seen) >= Math.abs(value) - tolerance;
  };
  const visit = (member: ArrayLike<number>) => {
    const inA: ArticleCounts[] = [];
    const inB: ArticleCounts[] = [];
    for (let i = 0; i < n; i++) (member[i] ? inA : inB).push(pooled[i]!);
    const d = differences(inA, inB);
    for (let c = 0; c < size; c++) {
      if (isExtreme(observed.rates[c]!, d.rates[c]!)) extremeRates[c]!++;
      if (isExtreme(observed.shares[c]!, d.shares[c]!)) extremeShares[c]!++;
    }
  };
  let drawn = 0;
  if (splits === 0) {
    // One outlet has no annotated article: nothing to test.
  } else if (exact) {
    forEachSubset(n, k, visit);
    drawn = splits;
  } else {
    const random = mulberry32(seed);
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const member = new Uint8Array(n);
    for (let r = 0; r < permutations; r++) {
      for (let i = 0; i < k; i++) {
        const j = i + Math.floor(random() * (n - i));
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
      }
      member.fill(0);
      for (let i = 0; i < k; i++) member[order[i]!] = 1;
      visit(member);
    }
    drawn = permutations;
  }
  const pOf = (extreme: number, value: number) =>
    drawn === 0 || !Number.isFinite(value) ? null : exact ? extreme / drawn : (extreme + 1) / (drawn + 1);
  const pRates = names.map((_, c) => pOf(extremeRates[c]!, observed.rates[c]!));
  const pShares = names.map((_, c) => pOf(extremeShares[c]!, observed.shares[c]!));
  const holmRates = [...holm(pRates.slice(0, -1)), pRates[size - 1] ?? null];
  const holmShares = [...holm(pShares.slice(0, -1)), pShares[size - 1] ?? null];
  const finite = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? x : null);
  return {
    a,
    b,
    exact,
    permutations: drawn,
    alternative,
    categories: names.map((category, c) => ({
      category,
      rate: { value: finite(observed.rates[c]), ...interval(c, 'rates'), p: pRates[c] ?? null, pHolm: holmRates[c] ?? null },
      share: { value: finite(observed.shares[c]), ...interval(c, 'shares'), p: pShares[c] ?? null, pHolm: holmShares[c] ?? null },
    })),
  };
}
