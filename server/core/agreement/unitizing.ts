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
// Cost: O(m² · segments) for D_o (a merge of two sorted segment lists per coder
// pair) and O(spans · log gaps) for D_e.

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

interface Segment {
  start: number;
  end: number;
  unit: boolean;
}

function validate(data: UnitizingData): void {
  if (!Number.isInteger(data.begin) || !Number.isInteger(data.end) || data.end <= data.begin) {
    throw new RangeError('the continuum needs integer bounds with begin < end');
  }
  const coders = new Set(data.coders);
  if (coders.size !== data.coders.length) throw new RangeError('coder names must be unique');
  for (const s of data.spans) {
    if (!coders.has(s.coder)) throw new RangeError(`span by unknown coder ${JSON.stringify(s.coder)}`);
    if (!Number.isInteger(s.start) || !Number.isInteger(s.end)) throw new RangeError('span positions must be integers');
    if (s.end <= s.start) throw new RangeError(`empty or reversed span [${s.start}, ${s.end})`);
    if (s.start < data.begin || s.end > data.end) {
      throw new RangeError(`span [${s.start}, ${s.end}) lies outside the continuum [${data.begin}, ${data.end})`);
    }
  }
}

/** A coder's segmentation of the continuum for one label: spans and the gaps between them. */
function segmentation(spans: { start: number; end: number }[], begin: number, end: number, who: string, label: string): Segment[] {
  const sorted = [...spans].sort((x, y) => x.start - y.start);
  const out: Segment[] = [];
  let pos = begin;
  for (const s of sorted) {
    if (s.start < pos) {
      throw new RangeError(`coder ${JSON.stringify(who)} has overlapping spans with label ${JSON.stringify(label)} at ${s.start}`);
    }
    if (s.start > pos) out.push({ start: pos, end: s.start, unit: false });
    out.push({ start: s.start, end: s.end, unit: true });
    pos = s.end;
  }
  if (pos < end) out.push({ start: pos, end, unit: false });
  return out;
}

function delta2(s: Segment, t: Segment): number {
  if (s.unit && t.unit) {
    const db = s.start - t.start;
    const de = s.end - t.end;
    return db * db + de * de; // caller only passes overlapping segments
  }
  if (s.unit && !t.unit) {
    const l = s.end - s.start;
    return t.start <= s.start && s.end <= t.end ? l * l : 0;
  }
  if (!s.unit && t.unit) {
    const l = t.end - t.start;
    return s.start <= t.start && t.end <= s.end ? l * l : 0;
  }
  return 0;
}

/** Σ δ² over every overlapping pair of segments of two segmentations. */
function pairDisagreement(x: Segment[], y: Segment[]): number {
  let sum = 0;
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const s = x[i]!;
    const t = y[j]!;
    if (s.start < t.end && t.start < s.end) sum += delta2(s, t);
    if (s.end <= t.end) i++;
    else j++;
  }
  return sum;
}

/** Krippendorff's α_U (1995/2004 variant, see the file comment). */
export function unitizingAlpha(data: UnitizingData): UnitizingResult {
  validate(data);
  const m = data.coders.length;
  const L = data.end - data.begin;
  const labels = [...new Set(data.spans.map((s) => s.label))].sort();
  if (m < 2) {
    return { alpha: undefinedStatistic(REASONS.atLeastTwoCoders), observed_disagreement: null, expected_disagreement: null, categories: [] };
  }
  if (labels.length === 0) {
    return { alpha: undefinedStatistic('no spans: nothing was unitized'), observed_disagreement: null, expected_disagreement: null, categories: [] };
  }

  const categories: UnitizingCategory[] = [];
  let sumObserved = 0;
  let sumExpected = 0;
  // label → coder → spans
  const grouped = new Map<string, Map<string, CoderSpan[]>>();
  for (const s of data.spans) {
    let byCoder = grouped.get(s.label);
    if (!byCoder) grouped.set(s.label, (byCoder = new Map()));
    const list = byCoder.get(s.coder);
    if (list) list.push(s);
    else byCoder.set(s.coder, [s]);
  }
  for (const label of labels) {
    const byCoder = grouped.get(label)!;
    const segs = data.coders.map((coder) => segmentation(byCoder.get(coder) ?? [], data.begin, data.end, coder, label));

    let pairs = 0;
    for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) pairs += pairDisagreement(segs[i]!, segs[j]!);
    const observed = (2 * pairs) / (m * (m - 1) * L * L);

    const unitLengths: number[] = [];
    const gapLengths: number[] = [];
    for (const list of segs) for (const s of list) (s.unit ? unitLengths : gapLengths).push(s.end - s.start);
    // Gaps in descending order with prefix sums, so Σ_{g ≥ l}(g − l + 1) is a binary search.
    gapLengths.sort((a, b) => b - a);
    const prefix = new Float64Array(gapLengths.length + 1);
    gapLengths.forEach((g, k) => (prefix[k + 1] = prefix[k]! + g));
    const countAtLeast = (l: number): number => {
      let lo = 0;
      let hi = gapLengths.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (gapLengths[mid]! >= l) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const nc = unitLengths.length;
    let numerator = 0;
    let squaredLengths = 0;
    for (const l of unitLengths) {
      const k = countAtLeast(l);
      const gapTerm = prefix[k]! - k * (l - 1);
      numerator += ((nc - 1) * (2 * l * l * l - 3 * l * l + l)) / 3 + l * l * gapTerm;
      squaredLengths += l * (l - 1);
    }
    numerator *= 2 / L;
    const denominator = m * L * (m * L - 1) - squaredLengths;
    const expected = denominator > 0 ? numerator / denominator : 0;

    const alpha = expected > 0 ? defined(1 - observed / expected) : undefinedStatistic(REASONS.noVariation);
    categories.push({ label, observed_disagreement: observed, expected_disagreement: expected, alpha });
    sumObserved += observed;
    sumExpected += expected;
  }
  const k = labels.length;
  const alpha = sumExpected > 0 ? defined(1 - sumObserved / sumExpected) : undefinedStatistic(REASONS.noVariation);
  return { alpha, observed_disagreement: sumObserved / k, expected_disagreement: sumExpected / k, categories };
}
