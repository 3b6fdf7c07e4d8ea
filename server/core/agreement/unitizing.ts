// Krippendorff's unitizing alpha α_U for labelled spans on a text continuum.
//
// Variant: Krippendorff (1995) "On the reliability of unitizing contiguous
// data", Sociological Methodology 25:47–76, in the form given in Krippendorff
// (2004) Content Analysis, 2nd ed., pp. 251–256, and implemented by DKPro
// Statistics (KrippendorffAlphaUnitizingAgreement). This is NOT the 2013
// uα/cuα family and NOT Mathet et al.'s γ; they give different numbers.
//
// For each category (label) c, every coder's continuum [begin, end) is cut
// into segments: that coder's c-spans, and the gaps between them (spans with
// other labels count as gap). With L = end − begin, m coders, and
// b/e/l the begin, end and length of a segment:
//
//   δ²(s, t) = (b_s − b_t)² + (e_s − e_t)²  if s and t are both c-spans and overlap
//            = l_s²                         if s is a c-span inside gap t (and vice versa)
//            = 0                            otherwise
//
//   D_o,c = 2 / (m(m−1) L²) · Σ_{coder pairs i<j} Σ_{segments s of i, t of j} δ²(s, t)
//
//   D_e,c = (2/L) Σ_{c-spans u} [ (N_c − 1)(2l_u³ − 3l_u² + l_u)/3
//                                 + l_u² Σ_{gaps g with l_g ≥ l_u} (l_g − l_u + 1) ]
//           / [ mL(mL − 1) − Σ_{c-spans u} l_u(l_u − 1) ]
//
// with N_c the number of c-spans over all coders and the gaps taken over all
// coders. Per category α_c = 1 − D_o,c/D_e,c; overall
// α_U = 1 − mean_c D_o,c / mean_c D_e,c over the labels that occur
// (as DKPro). Reference values (Krippendorff 2004, p. 254): α_U = .8591,
// α_c = .7286, α_k = 1.
//
// Positions are integers (e.g. UTF-16 code units); a coder's spans with the
// same label must not overlap; every span lies inside the continuum.
// Cost: O(spans · log spans + overlapping span pairs) for D_o — not a merge of
// segment lists per coder pair, O(m² · segments), which is the definition above:
// a c-span lies inside a gap of exactly the other coders that have no c-span
// overlapping it, so a sweep over all coders' c-spans by start gives every term —
// and O(spans · log gaps) for D_e. The terms of D_o are integers, so the sum is
// the same in any order (below 2⁵³).

import { REASONS, defined, undefinedStatistic, type Statistic } from './reliability.js';

export interface CoderSpan {
  coder: string;
  /** Inclusive start. */
  start: number;
  /** Exclusive end. */
  end: number;
  label: string;
}

export interface UnitizingData {
  /** Start of the continuum (inclusive). */
  begin: number;
  /** End of the continuum (exclusive). */
  end: number;
  /** All coders who unitized the continuum, including those who marked nothing. */
  coders: readonly string[];
  spans: readonly CoderSpan[];
}

export interface UnitizingCategory {
  label: string;
  observed_disagreement: number;
  expected_disagreement: number;
  alpha: Statistic;
}

export interface UnitizingResult {
  alpha: Statistic;
  /** Mean D_o over the labels, or null when there are none. */
  observed_disagreement: number | null;
  /** Mean D_e over the labels, or null when there are none. */
  expected_disagreement: number | null;
  categories: UnitizingCategory[];
}

/**
 * α_U data as columns, for large inputs (no object per span): span i is by coder
 * `coders[spans.coder[i]]` with label `labels[spans.label[i]]` and covers
 * [`spans.start[i]`, `spans.end[i]`). Labels are told apart by name.
 */
export interface UnitizingColumns {
  begin: number;
  end: number;
  coders: readonly string[];
  labels: readonly string[];
  spans: { coder: Int32Array; label: Int32Array; start: Float64Array; end: Float64Array };
}

function validateContinuum(begin: number, end: number, coders: readonly string[]): void {
  if (!Number.isInteger(begin) || !Number.isInteger(end) || end <= begin) {
    throw new RangeError('the continuum needs integer bounds with begin < end');
  }
  if (new Set(coders).size !== coders.length) throw new RangeError('coder names must be unique');
}

function validateSpan(start: number, end: number, begin: number, last: number): void {
  if (!Number.isInteger(start) || !Number.isInteger(end)) throw new RangeError('span positions must be integers');
  if (end <= start) throw new RangeError(`empty or reversed span [${start}, ${end})`);
  if (start < begin || end > last) {
    throw new RangeError(`span [${start}, ${end}) lies outside the continuum [${begin}, ${last})`);
  }
}

function validate(data: UnitizingData): void {
  validateContinuum(data.begin, data.end, data.coders);
  const coders = new Set(data.coders);
  for (const s of data.spans) {
    if (!coders.has(s.coder)) throw new RangeError(`span by unknown coder ${JSON.stringify(s.coder)}`);
    validateSpan(s.start, s.end, data.begin, data.end);
  }
}

function validateColumns(data: UnitizingColumns): void {
  validateContinuum(data.begin, data.end, data.coders);
  const { coder, label, start, end } = data.spans;
  if (label.length !== coder.length || start.length !== coder.length || end.length !== coder.length) {
    throw new RangeError('span columns must have the same length');
  }
  for (let i = 0; i < coder.length; i++) {
    const c = coder[i]!;
    if (!(c >= 0 && c < data.coders.length)) throw new RangeError(`span by unknown coder number ${c}`);
    const l = label[i]!;
    if (!(l >= 0 && l < data.labels.length)) throw new RangeError(`span with unknown label number ${l}`);
    validateSpan(start[i]!, end[i]!, data.begin, data.end);
  }
}

/** Krippendorff's α_U (1995/2004 variant, see the file comment). */
export function unitizingAlpha(data: UnitizingData): UnitizingResult {
  validate(data);
  const coderIndex = new Map(data.coders.map((c, i) => [c, i]));
  const labels: string[] = [];
  const labelIndex = new Map<string, number>();
  const n = data.spans.length;
  const spans = { coder: new Int32Array(n), label: new Int32Array(n), start: new Float64Array(n), end: new Float64Array(n) };
  data.spans.forEach((s, i) => {
    let l = labelIndex.get(s.label);
    if (l === undefined) {
      l = labels.length;
      labelIndex.set(s.label, l);
      labels.push(s.label);
    }
    spans.coder[i] = coderIndex.get(s.coder) ?? -1;
    spans.label[i] = l;
    spans.start[i] = s.start;
    spans.end[i] = s.end;
  });
  return unitizingCore({ begin: data.begin, end: data.end, coders: data.coders, labels, spans });
}

/** {@link unitizingAlpha} for data given as columns (same result for the same spans). */
export function unitizingAlphaColumns(data: UnitizingColumns): UnitizingResult {
  validateColumns(data);
  return unitizingCore(data);
}

function unitizingCore(data: UnitizingColumns): UnitizingResult {
  const m = data.coders.length;
  const L = data.end - data.begin;
  const { coder, label, start, end } = data.spans;
  const n = coder.length;
  // Labels by name, in code-unit order; `rank` maps a label number to its place in `labels`.
  const used = new Uint8Array(data.labels.length);
  for (let i = 0; i < n; i++) used[label[i]!] = 1;
  const labels = [...new Set(data.labels.filter((_, l) => used[l] === 1))].sort();
  const rankOf = new Map(labels.map((name, r) => [name, r]));
  const rank = Int32Array.from(data.labels, (name) => rankOf.get(name) ?? -1);
  if (m < 2) {
    return { alpha: undefinedStatistic(REASONS.atLeastTwoCoders), observed_disagreement: null, expected_disagreement: null, categories: [] };
  }
  if (labels.length === 0) {
    return { alpha: undefinedStatistic('no spans: nothing was unitized'), observed_disagreement: null, expected_disagreement: null, categories: [] };
  }
  // Spans grouped by label and coder with a counting sort that keeps their order within a group.
  const groups = labels.length * m;
  const groupAt = new Int32Array(groups + 1);
  for (let i = 0; i < n; i++) groupAt[rank[label[i]!]! * m + coder[i]! + 1]!++;
  for (let g = 0; g < groups; g++) groupAt[g + 1]! += groupAt[g]!;
  const fill = groupAt.slice(0, groups);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[fill[rank[label[i]!]! * m + coder[i]!]!++] = i;

  // Buffers for one label at a time, sized for the largest.
  let largest = 0;
  for (let r = 0; r < labels.length; r++) largest = Math.max(largest, groupAt[(r + 1) * m]! - groupAt[r * m]!);
  const unitLengths = new Float64Array(largest);
  const gapLengths = new Float64Array(largest + m);
  const byStart = new Int32Array(largest);
  const keys = new Float64Array(largest);
  // Per span: the end of the same coder's previous span of the label (−∞ for the first), and how
  // many other coders have a span of the label overlapping it.
  const previousEnd = new Float64Array(n);
  const overlapping = new Int32Array(n);
  const active = new Int32Array(m);
  const memo = new Int32Array(1024);
  /**
   * Σ over coder pairs of Σ δ² (see the file comment) for label r, without pairing coders: a
   * sweep over the label's spans by start finds every pair of overlapping spans (of different
   * coders: one coder's spans are disjoint) once, adding (b_s − b_t)² + (e_s − e_t)²; and a span
   * lies inside a gap of exactly the other coders that have no span overlapping it, adding
   * l² for each. Integer terms, so the order of the additions does not change the sum (below
   * 2⁵³, as for the sum pair by pair).
   */
  const observedSum = (r: number): number => {
    const from = groupAt[r * m]!;
    const to = groupAt[(r + 1) * m]!;
    const count = to - from;
    sortByStart(order.subarray(from, to), byStart, keys, start, data.begin, L);
    let sum = 0;
    let live = 0;
    for (let q = 0; q < count; q++) {
      const b = byStart[q]!;
      const bStart = start[b]!;
      const bEnd = end[b]!;
      // The spans still open at b's start overlap b; there is at most one per coder.
      let kept = 0;
      for (let x = 0; x < live; x++) {
        const a = active[x]!;
        if (end[a]! <= bStart) continue;
        active[kept++] = a;
        const db = start[a]! - bStart;
        const de = end[a]! - bEnd;
        sum += db * db + de * de;
        overlapping[b]!++;
        // b's coder counts for a unless that coder's previous span already overlapped a.
        if (!(previousEnd[b]! > start[a]!)) overlapping[a]!++;
      }
      live = kept;
      active[live++] = b;
    }
    for (let g = from; g < to; g++) {
      const s = order[g]!;
      const l = end[s]! - start[s]!;
      sum += l * l * (m - 1 - overlapping[s]!);
    }
    return sum;
  };
  const categories: UnitizingCategory[] = [];
  let sumObserved = 0;
  let sumExpected = 0;
  labels.forEach((name, r) => {
    // Each coder's segmentation: its spans and the gaps between them, checked in coder order.
    let nc = 0;
    let gaps = 0;
    for (let j = 0; j < m; j++) {
      const from = groupAt[r * m + j]!;
      const to = groupAt[r * m + j + 1]!;
      sortedByStart(order, from, to, start);
      let pos = data.begin;
      for (let g = from; g < to; g++) {
        const s = order[g]!;
        if (start[s]! < pos) {
          throw new RangeError(`coder ${JSON.stringify(data.coders[j])} has overlapping spans with label ${JSON.stringify(name)} at ${start[s]}`);
        }
        if (start[s]! > pos) gapLengths[gaps++] = start[s]! - pos;
        unitLengths[nc++] = end[s]! - start[s]!;
        previousEnd[s] = g > from ? end[order[g - 1]!]! : -Infinity;
        overlapping[s] = 0;
        pos = end[s]!;
      }
      if (pos < data.end) gapLengths[gaps++] = data.end - pos;
    }
    const observed = (2 * observedSum(r)) / (m * (m - 1) * L * L);

    // Gaps in descending order with prefix sums, so Σ_{g ≥ l}(g − l + 1) is a binary search.
    const sorted = gapLengths.subarray(0, gaps).sort().reverse();
    const prefix = new Float64Array(gaps + 1);
    for (let k = 0; k < gaps; k++) prefix[k + 1] = prefix[k]! + sorted[k]!;
    const countAtLeast = (l: number): number => {
      let lo = 0;
      let hi = gaps;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (sorted[mid]! >= l) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    let numerator = 0;
    let squaredLengths = 0;
    memo.fill(-1);
    for (let u = 0; u < nc; u++) {
      const l = unitLengths[u]!;
      // Span lengths repeat (a few words each): each length is searched for once.
      let k = l < memo.length ? memo[l]! : -1;
      if (k < 0) {
        k = countAtLeast(l);
        if (l < memo.length) memo[l] = k;
      }
      const gapTerm = prefix[k]! - k * (l - 1);
      numerator += ((nc - 1) * (2 * l * l * l - 3 * l * l + l)) / 3 + l * l * gapTerm;
      squaredLengths += l * (l - 1);
    }
    numerator *= 2 / L;
    const denominator = m * L * (m * L - 1) - squaredLengths;
    const expected = denominator > 0 ? numerator / denominator : 0;

    const alpha = expected > 0 ? defined(1 - observed / expected) : undefinedStatistic(REASONS.noVariation);
    categories.push({ label: name, observed_disagreement: observed, expected_disagreement: expected, alpha });
    sumObserved += observed;
    sumExpected += expected;
  });
  const k = labels.length;
  const alpha = sumExpected > 0 ? defined(1 - sumObserved / sumExpected) : undefinedStatistic(REASONS.noVariation);
  return { alpha, observed_disagreement: sumObserved / k, expected_disagreement: sumExpected / k, categories };
}

/**
 * Writes the span numbers `spans` into `out` ordered by start (ties in any order). Starts are
 * integers in [begin, begin + L): when (start − begin)·count + i stays exact in a double, those
 * keys are sorted as plain numbers, much faster than a sort with a comparison function.
 */
function sortByStart(spans: Int32Array, out: Int32Array, keys: Float64Array, start: Float64Array, begin: number, L: number): void {
  const count = spans.length;
  if (L * count >= Number.MAX_SAFE_INTEGER) {
    out.set(spans);
    out.subarray(0, count).sort((x, y) => start[x]! - start[y]!);
    return;
  }
  for (let i = 0; i < count; i++) keys[i] = (start[spans[i]!]! - begin) * count + i;
  const sorted = keys.subarray(0, count).sort();
  for (let i = 0; i < count; i++) {
    const key = sorted[i]!;
    out[i] = spans[key - Math.floor(key / count) * count]!;
  }
}

/**
 * Orders the span numbers `order[from .. to)` by start, keeping their order on ties; usually
 * they already are, and nothing is copied.
 */
function sortedByStart(order: Int32Array, from: number, to: number, start: Float64Array): void {
  for (let g = from + 1; g < to; g++) {
    if (start[order[g]!]! < start[order[g - 1]!]!) {
      const sorted = Array.from(order.subarray(from, to)).sort((x, y) => start[x]! - start[y]!);
      order.set(sorted, from);
      return;
    }
  }
}
