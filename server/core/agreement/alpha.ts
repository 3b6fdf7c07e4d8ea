// Krippendorff's alpha for any number of coders, with missing values, at the
// nominal, ordinal, interval and ratio levels.
//
//   α = 1 − D_o / D_e
//   D_o = (1/n)        Σ_c Σ_k o_ck · δ²_ck        (o = coincidence matrix)
//   D_e = 1/(n(n−1))   Σ_c Σ_k n_c n_k · δ²_ck     (n_c = its marginals)
//
// following Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability".
// Only pairable values count: a unit coded by a single coder is left out
// entirely, including from the marginals.
//
// Metrics δ²_ck:
//   nominal   0 if c = k, else 1
//   ordinal   (Σ_{g=c..k} n_g − (n_c + n_k)/2)², using the rank order of the
//             values that occur (values never used, or only in unpairable
//             units, have n_g = 0 and so do not matter)
//   interval  (c − k)²
//   ratio     ((c − k)/(c + k))²   (values must be ≥ 0)
//
// Complexity: O(units × coders). The coincidence matrix is never built
// explicitly: each unit's contribution Σ_c Σ_k n_uc n_uk δ²_ck is computed
// from its value counts. For the ordinal metric, δ_ck = M_k − M_c with the
// "mid-rank" M_g = Σ_{h<g} n_h + n_g/2, so ordinal α is interval α on the
// mid-ranks and every unit costs O(distinct values in the unit). Only the
// ratio metric costs O(d²) per unit with d distinct values in the unit.

import {
  REASONS,
  asTabulation,
  defined,
  showValue,
  undefinedStatistic,
  type Level,
  type ReliabilityData,
  type Statistic,
  type Tabulation,
} from './reliability.js';

export interface AlphaDetails {
  alpha: Statistic;
  level: Level;
  /** D_o, or null when α is undefined because there is no pairable value. */
  observed_disagreement: number | null;
  /** D_e, or null when there is no pairable value. */
  expected_disagreement: number | null;
  pairable_units: number;
  pairable_values: number;
}

/** Throws if the values cannot be measured at this level. */
export function assertLevelValues(tab: Tabulation, level: Level): void {
  if (level === 'nominal') return;
  if (!tab.numeric) {
    const bad = tab.values.find((v) => typeof v !== 'number');
    throw new TypeError(`the ${level} level needs numeric values; found ${showValue(bad ?? '')}`);
  }
  if (level === 'ratio') {
    const negative = tab.values.find((v) => (v as number) < 0);
    if (negative !== undefined) {
      throw new RangeError(`the ratio level needs values ≥ 0 (a ratio scale has an absolute zero); found ${negative}`);
    }
  }
}

/**
 * Scores x_c such that δ²_ck = (x_c − x_k)² for the interval and ordinal
 * metrics (for ordinal: mid-ranks computed from `marginals`).
 */
export function intervalScores(values: readonly unknown[], level: 'interval' | 'ordinal', marginals: Float64Array): Float64Array {
  const x = new Float64Array(values.length);
  if (level === 'interval') {
    values.forEach((v, i) => (x[i] = v as number));
    return x;
  }
  let below = 0;
  for (let i = 0; i < values.length; i++) {
    const n = marginals[i]!;
    x[i] = below + n / 2;
    below += n;
  }
  return x;
}

/** Ratio metric δ² for two non-negative numbers. */
export function ratioDelta2(a: number, b: number): number {
  const s = a + b;
  if (s === 0) return 0;
  const d = (a - b) / s;
  return d * d;
}

/**
 * Σ_c Σ_k n_uc n_uk δ²_ck over the ordered pairs of a unit's values (or, for
 * `expectedSum`, of the marginals): the unit's contribution to the
 * coincidence-weighted disagreement before dividing by (m_u − 1).
 * `idx`/`cnt` list the distinct values and their counts in [from, to).
 */
export function pairDisagreementSum(
  level: Level,
  values: readonly unknown[],
  scores: Float64Array | null,
  idx: Int32Array,
  cnt: Int32Array | Float64Array,
  from: number,
  to: number,
): number {
  if (to - from < 2) return 0;
  if (level === 'nominal') {
    let m = 0;
    let sq = 0;
    for (let a = from; a < to; a++) {
      const n = cnt[a]!;
      m += n;
      sq += n * n;
    }
    return m * m - sq;
  }
  if (level === 'ratio') {
    let sum = 0;
    for (let a = from; a < to; a++) {
      const va = values[idx[a]!] as number;
      const na = cnt[a]!;
      for (let b = a + 1; b < to; b++) {
        sum += 2 * na * cnt[b]! * ratioDelta2(va, values[idx[b]!] as number);
      }
    }
    return sum;
  }
  // interval / ordinal: Σ_c Σ_k n_c n_k (x_c − x_k)² = 2 m Σ_c n_c (x_c − x̄)²,
  // computed with the mean subtracted first for numerical stability.
  const x = scores!;
  let m = 0;
  let s1 = 0;
  for (let a = from; a < to; a++) {
    m += cnt[a]!;
    s1 += cnt[a]! * x[idx[a]!]!;
  }
  const mean = s1 / m;
  let ss = 0;
  for (let a = from; a < to; a++) {
    const d = x[idx[a]!]! - mean;
    ss += cnt[a]! * d * d;
  }
  return 2 * m * ss;
}

/** Σ_c Σ_k n_c n_k δ²_ck over the marginals (the numerator of D_e·n(n−1)). */
export function expectedSum(level: Level, values: readonly unknown[], scores: Float64Array | null, marginals: Float64Array): number {
  const present: number[] = [];
  for (let i = 0; i < marginals.length; i++) if (marginals[i]! > 0) present.push(i);
  const idx = Int32Array.from(present);
  const cnt = Float64Array.from(present, (i) => marginals[i]!);
  return pairDisagreementSum(level, values, scores, idx, cnt, 0, present.length);
}

/** Number of distinct values with a non-zero marginal. */
export function distinctPresent(marginals: Float64Array): number {
  let k = 0;
  for (let i = 0; i < marginals.length; i++) if (marginals[i]! > 0) k++;
  return k;
}

/** Krippendorff's α with D_o and D_e. */
export function krippendorffAlphaDetails(data: ReliabilityData | Tabulation, level: Level = 'nominal'): AlphaDetails {
  const tab = asTabulation(data);
  assertLevelValues(tab, level);
  const base = { level, pairable_units: tab.pairableUnits, pairable_values: tab.pairableValues };
  if (tab.coderCount < 2) {
    return { ...base, alpha: undefinedStatistic(REASONS.atLeastTwoCoders), observed_disagreement: null, expected_disagreement: null };
  }
  const n = tab.pairableValues;
  if (n === 0) {
    return { ...base, alpha: undefinedStatistic(REASONS.noPairable), observed_disagreement: null, expected_disagreement: null };
  }
  const scores = level === 'interval' || level === 'ordinal' ? intervalScores(tab.values, level, tab.marginals) : null;
  const { offsets, valueIndex, valueCount, size } = tab.rows;
  let observed = 0;
  for (let r = 0; r < tab.rows.length; r++) {
    const m = size[r]!;
    if (m < 2) continue;
    const s = pairDisagreementSum(level, tab.values, scores, valueIndex, valueCount, offsets[r]!, offsets[r + 1]!);
    if (s !== 0) observed += s / (m - 1);
  }
  const expected = distinctPresent(tab.marginals) < 2 ? 0 : expectedSum(level, tab.values, scores, tab.marginals);
  const dO = observed / n;
  const dE = expected / (n * (n - 1));
  if (!(expected > 0)) {
    return { ...base, alpha: undefinedStatistic(REASONS.noVariation), observed_disagreement: dO, expected_disagreement: 0 };
  }
  return { ...base, alpha: defined(1 - ((n - 1) * observed) / expected), observed_disagreement: dO, expected_disagreement: dE };
}

/** Krippendorff's α at the given level (default nominal). */
export function krippendorffAlpha(data: ReliabilityData | Tabulation, level: Level = 'nominal'): Statistic {
  return krippendorffAlphaDetails(data, level).alpha;
}
