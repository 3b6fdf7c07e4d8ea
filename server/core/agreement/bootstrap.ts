// Bootstrap confidence interval for Krippendorff's α, resampling units.
//
// Procedure (documented so reports can be reproduced):
// - Only pairable units (≥ 2 values) are resampled: other units contribute
//   nothing to α. Each resample draws as many pairable units as the data
//   have, uniformly with replacement, using the mulberry32 PRNG seeded with
//   `seed` (default 1), so the same data and seed give the same interval.
// - α is recomputed exactly for every resample — marginals, and for the
//   ordinal level the mid-rank metric, come from the resample — from per-unit
//   value counts tabulated once, so a resample costs O(pairable units) at the
//   interval level and O(values in pairable units + distinct values) at the
//   others, instead of re-reading the raw data (ratio level: plus O(V²) for
//   D_e over the V distinct values).
// - Resamples in which α is undefined (e.g. no variation) are skipped and
//   counted in `undefined_resamples`.
// - The interval is the 2.5 % and 97.5 % percentiles of the resampled α
//   values, interpolated linearly between order statistics (R's type 7).

import {
  assertLevelValues,
  distinctPresent,
  expectedSum,
  intervalScores,
  pairDisagreementSum,
} from './alpha.js';
import {
  REASONS,
  asTabulation,
  type Level,
  type ReliabilityData,
  type Tabulation,
} from './reliability.js';

export const DEFAULT_RESAMPLES = 1000;
export const DEFAULT_SEED = 1;

export type AlphaInterval =
  | { low: number; high: number; resamples: number; seed: number; undefined_resamples?: number }
  | { low: null; high: null; resamples: number; seed: number; reason: string };

export interface BootstrapOptions {
  /** Number of resamples (default 1000). */
  resamples?: number;
  /** PRNG seed, an integer (default 1). */
  seed?: number;
  /** Two-sided level (default 0.95). */
  confidence?: number;
}

/**
 * mulberry32 (Tommy Ettinger, public domain): a tiny 32-bit PRNG, good enough
 * for resampling and fully reproducible. Returns floats in [0, 1).
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Quantile of sorted data, linear interpolation between order statistics (R type 7). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('quantile of no values');
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Bootstrap percentile interval for α (see the file comment). */
export function bootstrapAlpha(
  data: ReliabilityData | Tabulation,
  level: Level = 'nominal',
  options: BootstrapOptions = {},
): AlphaInterval {
  const resamples = options.resamples ?? DEFAULT_RESAMPLES;
  const seed = options.seed ?? DEFAULT_SEED;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError('resamples must be a positive integer');
  if (!Number.isInteger(seed)) throw new RangeError('seed must be an integer');
  if (!(confidence > 0 && confidence < 1)) throw new RangeError('confidence must be between 0 and 1');

  const tab = asTabulation(data);
  assertLevelValues(tab, level);
  const none = (reason: string): AlphaInterval => ({ low: null, high: null, resamples, seed, reason });
  if (tab.coderCount < 2) return none(REASONS.atLeastTwoCoders);
  if (tab.pairableUnits === 0) return none(REASONS.noPairable);
  if (distinctPresent(tab.marginals) < 2) return none(REASONS.noVariation);

  // Pairable units only, as compressed rows.
  const { offsets, valueIndex, valueCount, size } = tab.rows;
  const units: number[] = [];
  for (let r = 0; r < tab.rows.length; r++) if (size[r]! >= 2) units.push(r);
  const p = units.length;
  const from = Int32Array.from(units, (r) => offsets[r]!);
  const to = Int32Array.from(units, (r) => offsets[r + 1]!);
  const m = Int32Array.from(units, (r) => size[r]!);

  // For nominal, interval and ratio the metric does not depend on the
  // marginals, so each unit's disagreement term is fixed.
  const fixedScores = level === 'interval' ? intervalScores(tab.values, 'interval', tab.marginals) : null;
  const fixedTerm = new Float64Array(p);
  if (level !== 'ordinal') {
    for (let i = 0; i < p; i++) {
      fixedTerm[i] = pairDisagreementSum(level, tab.values, fixedScores, valueIndex, valueCount, from[i]!, to[i]!) / (m[i]! - 1);
    }
  }

  // Interval level: D_e needs only Σ n_c x_c and Σ n_c x_c² (x centred on the mean of
  // the pairable values for numerical stability), so a resample costs O(pairable units).
  const lowest = new Int32Array(p);
  const highest = new Int32Array(p);
  const sum1 = new Float64Array(p);
  const sum2 = new Float64Array(p);
  if (level === 'interval') {
    let total = 0;
    for (let c = 0; c < tab.values.length; c++) total += tab.marginals[c]! * (tab.values[c] as number);
    const centre = total / tab.pairableValues;
    for (let i = 0; i < p; i++) {
      lowest[i] = valueIndex[from[i]!]!;
      highest[i] = valueIndex[to[i]! - 1]!;
      for (let k = from[i]!; k < to[i]!; k++) {
        const x = (tab.values[valueIndex[k]!] as number) - centre;
        sum1[i]! += valueCount[k]! * x;
        sum2[i]! += valueCount[k]! * x * x;
      }
    }
  }

  const random = mulberry32(seed);
  const weight = new Int32Array(p);
  const marginals = new Float64Array(tab.values.length);
  const alphas: number[] = [];
  for (let s = 0; s < resamples; s++) {
    weight.fill(0);
    for (let i = 0; i < p; i++) weight[Math.floor(random() * p)]!++;
    if (level === 'interval') {
      let n = 0;
      let observed = 0;
      let s1 = 0;
      let s2 = 0;
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < p; i++) {
        const w = weight[i]!;
        if (w === 0) continue;
        n += w * m[i]!;
        observed += w * fixedTerm[i]!;
        s1 += w * sum1[i]!;
        s2 += w * sum2[i]!;
        if (lowest[i]! < lo) lo = lowest[i]!;
        if (highest[i]! > hi) hi = highest[i]!;
      }
      if (lo === hi) continue; // a single value: no variation
      const expected = 2 * (n * s2 - s1 * s1);
      if (!(expected > 0)) continue;
      alphas.push(1 - ((n - 1) * observed) / expected);
      continue;
    }
    marginals.fill(0);
    let n = 0;
    for (let i = 0; i < p; i++) {
      const w = weight[i]!;
      if (w === 0) continue;
      n += w * m[i]!;
      for (let k = from[i]!; k < to[i]!; k++) marginals[valueIndex[k]!]! += w * valueCount[k]!;
    }
    if (distinctPresent(marginals) < 2) continue;
    const scores = level === 'ordinal' ? intervalScores(tab.values, 'ordinal', marginals) : fixedScores;
    let observed = 0;
    for (let i = 0; i < p; i++) {
      const w = weight[i]!;
      if (w === 0) continue;
      const term =
        level === 'ordinal'
          ? pairDisagreementSum(level, tab.values, scores, valueIndex, valueCount, from[i]!, to[i]!) / (m[i]! - 1)
          : fixedTerm[i]!;
      observed += w * term;
    }
    const expected = expectedSum(level, tab.values, scores, marginals);
    if (!(expected > 0)) continue;
    alphas.push(1 - ((n - 1) * observed) / expected);
  }
  if (alphas.length === 0) return none('alpha is undefined in every resample');
  alphas.sort((x, y) => x - y);
  const tail = (1 - confidence) / 2;
  const low = quantileSorted(alphas, tail);
  const high = quantileSorted(alphas, 1 - tail);
  const skipped = resamples - alphas.length;
  return skipped > 0 ? { low, high, resamples, seed, undefined_resamples: skipped } : { low, high, resamples, seed };
}
