// Agreement coefficients other than α. Which variant each function computes:
//
// - observedAgreement: Krippendorff's A_o = 1 − D_o(nominal), the share of
//   agreeing pairs among the pairable values, each unit weighted by its number
//   of values (m_u pairs-of-values / (m_u − 1)). With complete data and a fixed
//   number of coders it equals the mean per-unit pairwise agreement (Fleiss'
//   P̄); with gaps it differs from that mean (Krippendorff 2011: .800 vs .818).
// - cohenKappa: Cohen (1960) κ for exactly two coders; p_e from each coder's
//   own marginals.
// - weightedKappa: Cohen (1968) weighted κ for two coders. Weights use the rank
//   of the levels that occur in the complete units (like R's irr::kappa2 and
//   sklearn), not the numeric values: with L levels at ranks 0..L−1,
//   linear w_ij = 1 − |i−j|/(L−1), quadratic w_ij = 1 − (i−j)²/(L−1)².
//   A level nobody used therefore does not widen the scale.
// - scottPi: Scott (1955) π for two coders; p_e from the pooled marginals.
// - fleissKappa: Fleiss (1971) κ, the multi-coder generalisation of Scott's π
//   (not Cohen's κ, not Davies–Fleiss, not the mean of pairwise κ).
// - gwetAC1: Gwet (2008) AC1 for any number of coders, with missing values
//   handled as in Gwet's irrCAC::gwet.ac1.raw: p_a is the mean over units with
//   ≥ 2 values, π_k averages r_ik/r_i over all units with ≥ 1 value, and
//   p_e = Σ_k π_k(1 − π_k)/(q − 1) with q the number of categories that occur
//   in the data (a value a tabulation lists but nobody used does not count, so
//   a 0/1 tabulation where everyone said 0 is one category: undefined).
//
// κ, weighted κ, π and Fleiss' κ need complete units: incomplete units are
// dropped and their number is reported in `dropped_units`; if none is left the
// statistic is undefined.

import {
  REASONS,
  asTabulation,
  defined,
  undefinedStatistic,
  type ReliabilityData,
  type Statistic,
  type Tabulation,
} from './reliability.js';

export type KappaWeights = 'linear' | 'quadratic';

/** Krippendorff's observed agreement A_o over pairable values. */
export function observedAgreement(data: ReliabilityData | Tabulation): Statistic {
  const tab = asTabulation(data);
  if (tab.coderCount < 2) return undefinedStatistic(REASONS.atLeastTwoCoders);
  if (tab.pairableValues === 0) return undefinedStatistic(REASONS.noPairable);
  const { offsets, valueCount, size } = tab.rows;
  let agree = 0;
  for (let r = 0; r < tab.rows.length; r++) {
    const m = size[r]!;
    if (m < 2) continue;
    let pairs = 0;
    for (let a = offsets[r]!; a < offsets[r + 1]!; a++) pairs += valueCount[a]! * (valueCount[a]! - 1);
    agree += pairs / (m - 1);
  }
  return defined(agree / tab.pairableValues);
}

interface TwoCoderUnits {
  /** Value indices of coder 1 and coder 2 in the complete units. */
  a: Int32Array;
  b: Int32Array;
  dropped: number;
}

function twoCoderUnits(tab: Tabulation): TwoCoderUnits | Statistic {
  if (tab.coderCount !== 2) return undefinedStatistic(REASONS.twoCoders);
  const a: number[] = [];
  const b: number[] = [];
  for (let u = 0; u < tab.unitCount; u++) {
    const x = tab.codes[2 * u]!;
    const y = tab.codes[2 * u + 1]!;
    if (x >= 0 && y >= 0) {
      a.push(x);
      b.push(y);
    }
  }
  const dropped = tab.unitCount - a.length;
  if (a.length === 0) {
    return undefinedStatistic(
      tab.unitCount === 0 ? REASONS.noUnits : `no complete unit (all ${dropped} units have a missing value)`,
      dropped,
    );
  }
  return { a: Int32Array.from(a), b: Int32Array.from(b), dropped };
}

function isStatistic(x: TwoCoderUnits | Statistic): x is Statistic {
  return 'value' in x;
}

/** Cohen's κ for exactly two coders (complete units only). */
export function cohenKappa(data: ReliabilityData | Tabulation): Statistic {
  const tab = asTabulation(data);
  const units = twoCoderUnits(tab);
  if (isStatistic(units)) return units;
  const { a, b, dropped } = units;
  const n = a.length;
  const rowTotals = new Float64Array(tab.values.length);
  const colTotals = new Float64Array(tab.values.length);
  let agree = 0;
  for (let i = 0; i < n; i++) {
    rowTotals[a[i]!]!++;
    colTotals[b[i]!]!++;
    if (a[i] === b[i]) agree++;
  }
  let chanceCount = 0; // Σ_c row_c · col_c, an integer
  for (let c = 0; c < rowTotals.length; c++) chanceCount += rowTotals[c]! * colTotals[c]!;
  if (chanceCount === n * n) return undefinedStatistic(REASONS.chanceIsOne, dropped);
  const po = agree / n;
  const pe = chanceCount / (n * n);
  return defined((po - pe) / (1 - pe), dropped);
}

/** Scott's π for exactly two coders (complete units only). */
export function scottPi(data: ReliabilityData | Tabulation): Statistic {
  const tab = asTabulation(data);
  const units = twoCoderUnits(tab);
  if (isStatistic(units)) return units;
  const { a, b, dropped } = units;
  const n = a.length;
  const pooled = new Float64Array(tab.values.length);
  let agree = 0;
  for (let i = 0; i < n; i++) {
    pooled[a[i]!]!++;
    pooled[b[i]!]!++;
    if (a[i] === b[i]) agree++;
  }
  let sq = 0;
  for (let c = 0; c < pooled.length; c++) sq += pooled[c]! * pooled[c]!;
  if (sq === 4 * n * n) return undefinedStatistic(REASONS.chanceIsOne, dropped);
  const po = agree / n;
  const pe = sq / (4 * n * n);
  return defined((po - pe) / (1 - pe), dropped);
}

/**
 * Weighted κ for exactly two coders with linear or quadratic weights by the
 * rank of the levels that occur (see the file comment). Values must be numbers.
 */
export function weightedKappa(data: ReliabilityData | Tabulation, weights: KappaWeights): Statistic {
  const tab = asTabulation(data);
  const units = twoCoderUnits(tab);
  if (isStatistic(units)) return units;
  if (!tab.numeric) throw new TypeError('weighted kappa needs numeric values');
  const { a, b, dropped } = units;
  const n = a.length;
  // Levels that occur in the complete units, in value order → ranks 0..L−1.
  const used = new Uint8Array(tab.values.length);
  for (let i = 0; i < n; i++) {
    used[a[i]!] = 1;
    used[b[i]!] = 1;
  }
  const rank = new Int32Array(tab.values.length).fill(-1);
  let levels = 0;
  for (let c = 0; c < used.length; c++) if (used[c]) rank[c] = levels++;
  if (levels < 2) return undefinedStatistic(REASONS.chanceIsOne, dropped);
  const span = levels - 1;
  const disagreement = (d: number): number => (weights === 'linear' ? Math.abs(d) / span : (d * d) / (span * span));

  // Observed: mean weighted disagreement over units.
  const p = new Float64Array(levels);
  const q = new Float64Array(levels);
  let observedDis = 0;
  for (let i = 0; i < n; i++) {
    const ri = rank[a[i]!]!;
    const rj = rank[b[i]!]!;
    p[ri]! += 1 / n;
    q[rj]! += 1 / n;
    observedDis += disagreement(ri - rj);
  }
  observedDis /= n;

  // Expected: Σ_i Σ_j p_i q_j dis(i − j), in O(L).
  let expectedDis = 0;
  if (weights === 'quadratic') {
    let pm = 0;
    let pm2 = 0;
    let qm = 0;
    let qm2 = 0;
    for (let i = 0; i < levels; i++) {
      pm += p[i]! * i;
      pm2 += p[i]! * i * i;
      qm += q[i]! * i;
      qm2 += q[i]! * i * i;
    }
    expectedDis = (pm2 + qm2 - 2 * pm * qm) / (span * span);
  } else {
    // Σ_i p_i Σ_j q_j |i − j| with running sums of q below and above i.
    let qBelow = 0;
    let qjBelow = 0;
    let qTotal = 0;
    let qjTotal = 0;
    for (let j = 0; j < levels; j++) {
      qTotal += q[j]!;
      qjTotal += q[j]! * j;
    }
    for (let i = 0; i < levels; i++) {
      const qAbove = qTotal - qBelow - q[i]!;
      const qjAbove = qjTotal - qjBelow - q[i]! * i;
      expectedDis += p[i]! * (i * qBelow - qjBelow + (qjAbove - i * qAbove));
      qBelow += q[i]!;
      qjBelow += q[i]! * i;
    }
    expectedDis /= span;
  }
  // κ_w = (p_o,w − p_e,w)/(1 − p_e,w) with p_w = 1 − dis_w, i.e. 1 − dis_o/dis_e.
  if (!(expectedDis > 0)) return undefinedStatistic(REASONS.chanceIsOne, dropped);
  return defined(1 - observedDis / expectedDis, dropped);
}

/** Fleiss' κ for two or more coders (complete units only). */
export function fleissKappa(data: ReliabilityData | Tabulation): Statistic {
  const tab = asTabulation(data);
  const m = tab.coderCount;
  if (m < 2) return undefinedStatistic(REASONS.atLeastTwoCoders);
  const { offsets, valueIndex, valueCount, size } = tab.rows;
  const totals = new Float64Array(tab.values.length);
  let complete = 0;
  let sumP = 0;
  for (let r = 0; r < tab.rows.length; r++) {
    if (size[r] !== m) continue;
    complete++;
    let sq = 0;
    for (let k = offsets[r]!; k < offsets[r + 1]!; k++) {
      const c = valueCount[k]!;
      sq += c * c;
      totals[valueIndex[k]!]! += c;
    }
    sumP += (sq - m) / (m * (m - 1));
  }
  const dropped = tab.unitCount - complete;
  if (complete === 0) {
    return undefinedStatistic(
      tab.unitCount === 0 ? REASONS.noUnits : `no complete unit (all ${dropped} units have a missing value)`,
      dropped,
    );
  }
  const all = complete * m;
  let sq = 0;
  for (let c = 0; c < totals.length; c++) sq += totals[c]! * totals[c]!;
  if (sq === all * all) return undefinedStatistic(REASONS.chanceIsOne, dropped);
  const pBar = sumP / complete;
  const pe = sq / (all * all);
  return defined((pBar - pe) / (1 - pe), dropped);
}

/** Gwet's AC1 for two or more coders, missing values allowed (irrCAC variant). */
export function gwetAC1(data: ReliabilityData | Tabulation): Statistic {
  const tab = asTabulation(data);
  if (tab.coderCount < 2) return undefinedStatistic(REASONS.atLeastTwoCoders);
  if (tab.pairableUnits === 0) return undefinedStatistic(REASONS.noPairable);
  const { offsets, valueIndex, valueCount, size } = tab.rows;
  // Categories that occur anywhere in the data (irrCAC's categ): tabulateCounts may list values
  // nobody used.
  const used = new Uint8Array(tab.values.length);
  for (let k = 0; k < valueIndex.length; k++) if (valueCount[k]! > 0) used[valueIndex[k]!] = 1;
  const q = used.reduce((n, u) => n + u, 0);
  if (q < 2) return undefinedStatistic(REASONS.oneCategory);
  const pi = new Float64Array(tab.values.length);
  let pa = 0;
  for (let r = 0; r < tab.rows.length; r++) {
    const m = size[r]!;
    let pairs = 0;
    for (let k = offsets[r]!; k < offsets[r + 1]!; k++) {
      const c = valueCount[k]!;
      pi[valueIndex[k]!]! += c / m;
      pairs += c * (c - 1);
    }
    if (m >= 2) pa += pairs / (m * (m - 1));
  }
  pa /= tab.pairableUnits;
  const rated = tab.rows.length;
  let pe = 0;
  for (let c = 0; c < pi.length; c++) {
    const p = pi[c]! / rated;
    pe += p * (1 - p);
  }
  pe /= q - 1;
  return defined((pa - pe) / (1 - pe));
}
