// Pairwise span F1 between two annotators (one taken as the reference).
//
// Overlap credit, as the official SemEval-2020 Task 11 span-identification
// scorer (task-SI_scorer.py, Da San Martino et al.):
//   P  = Σ_{s∈S} Σ_{t∈T} |s ∩ t| / |s|  ÷ |S|     (S = candidate spans)
//   R  = Σ_{s∈S} Σ_{t∈T} |s ∩ t| / |t|  ÷ |T|     (T = reference spans)
//   F1 = 2PR / (P + R);  F1 = 1 when both sides are empty, 0 when P or R is 0.
// As in that scorer: labels are ignored (filter spans by label first for a
// per-label score), overlapping spans on a side are merged (the scorer merges
// the reference always and the candidate with -m; we merge both so the
// measure is symmetric: swapping annotators swaps P and R and keeps F1), an
// overlap with several spans is credited for each, and several documents are
// micro-averaged (numerators and denominators summed over documents).
// Spans are half-open [start, end); two spans overlap when they share at
// least one position (touching spans are not merged).
//
// Exact match: a candidate span counts only if a reference span has the same
// start and end (duplicates removed, nothing merged):
//   P = matches/|S|, R = matches/|T|, F1 = 2·matches/(|S| + |T|), 1 if both empty.

import { defined, undefinedStatistic, type Statistic } from './reliability.js';

export interface TextSpan {
  start: number;
  end: number;
}

export interface SpanPair {
  reference: readonly TextSpan[];
  candidate: readonly TextSpan[];
}

export interface SpanF1Result {
  precision: Statistic;
  recall: Statistic;
  f1: Statistic;
  /** Spans counted on each side (after merging or de-duplication). */
  reference_spans: number;
  candidate_spans: number;
}

function check(spans: readonly TextSpan[]): void {
  for (const s of spans) {
    if (!Number.isFinite(s.start) || !Number.isFinite(s.end) || s.end <= s.start) {
      throw new RangeError(`invalid span [${s.start}, ${s.end}): need start < end`);
    }
  }
}

/** Sorts spans and merges those that share at least one position. */
export function mergeOverlappingSpans(spans: readonly TextSpan[]): TextSpan[] {
  check(spans);
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: TextSpan[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) last.end = Math.max(last.end, s.end);
    else out.push({ start: s.start, end: s.end });
  }
  return out;
}

/**
 * The additive parts of one document's P/R/F1: P = pNum/pDen, R = rNum/rDen. Summing them over
 * documents gives the micro-average (and lets a bootstrap resample documents without redoing
 * the matching).
 */
export interface SpanSums {
  pNum: number;
  pDen: number;
  rNum: number;
  rDen: number;
}

/** P/R/F1 from summed parts, with the scorer's conventions (F1 = 1 when both sides are empty). */
export function spanF1FromSums(sums: SpanSums): SpanF1Result {
  return finish(sums.pNum, sums.pDen, sums.rNum, sums.rDen);
}

/** P/R/F1 from every document's parts added up (micro-averaging). */
function microAveraged(documents: readonly SpanPair[], sums: (pair: SpanPair) => SpanSums): SpanF1Result {
  const total = { pNum: 0, pDen: 0, rNum: 0, rDen: 0 };
  for (const doc of documents) {
    const x = sums(doc);
    total.pNum += x.pNum;
    total.pDen += x.pDen;
    total.rNum += x.rNum;
    total.rDen += x.rDen;
  }
  return spanF1FromSums(total);
}

function finish(pNum: number, pDen: number, rNum: number, rDen: number): SpanF1Result {
  const counts = { reference_spans: rDen, candidate_spans: pDen };
  if (pDen === 0 && rDen === 0) {
    return {
      precision: undefinedStatistic('no spans on either side'),
      recall: undefinedStatistic('no spans on either side'),
      f1: defined(1),
      ...counts,
    };
  }
  const precision = pDen > 0 ? defined(pNum / pDen) : undefinedStatistic('the candidate has no spans');
  const recall = rDen > 0 ? defined(rNum / rDen) : undefinedStatistic('the reference has no spans');
  const p = pDen > 0 ? pNum / pDen : 0;
  const r = rDen > 0 ? rNum / rDen : 0;
  // One side empty: nothing is found (or nothing to find), F1 = 0 as in the scorer.
  const f1 = p > 0 && r > 0 ? (2 * p * r) / (p + r) : 0;
  return { precision, recall, f1: defined(f1), ...counts };
}

/** One document's overlap-credit parts (see the file comment). */
export function overlapSums(pair: SpanPair): SpanSums {
  const s = mergeOverlappingSpans(pair.candidate);
  const t = mergeOverlappingSpans(pair.reference);
  let pNum = 0;
  let rNum = 0;
  let i = 0;
  let j = 0;
  while (i < s.length && j < t.length) {
    const a = s[i]!;
    const b = t[j]!;
    const inter = Math.min(a.end, b.end) - Math.max(a.start, b.start);
    if (inter > 0) {
      pNum += inter / (a.end - a.start);
      rNum += inter / (b.end - b.start);
    }
    if (a.end <= b.end) i++;
    else j++;
  }
  return { pNum, pDen: s.length, rNum, rDen: t.length };
}

/** Overlap-credit span P/R/F1 (SemEval-2020 T11 SI), micro-averaged over the documents. */
export function overlapSpanF1Documents(documents: readonly SpanPair[]): SpanF1Result {
  return microAveraged(documents, overlapSums);
}

/** Overlap-credit span P/R/F1 (SemEval-2020 T11 SI) for one document. */
export function overlapSpanF1(reference: readonly TextSpan[], candidate: readonly TextSpan[]): SpanF1Result {
  return overlapSpanF1Documents([{ reference, candidate }]);
}

/** Spans sorted by start then end, duplicates dropped. */
function distinctSorted(spans: readonly TextSpan[]): TextSpan[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || a.end - b.end);
  return sorted.filter((s, i) => i === 0 || s.start !== sorted[i - 1]!.start || s.end !== sorted[i - 1]!.end);
}

/** One document's exact-match parts: matches over the candidate's and the reference's distinct spans. */
export function exactSums(pair: SpanPair): SpanSums {
  check(pair.reference);
  check(pair.candidate);
  const ref = distinctSorted(pair.reference);
  const cand = distinctSorted(pair.candidate);
  let matches = 0;
  for (let i = 0, j = 0; i < cand.length && j < ref.length; ) {
    const a = cand[i]!;
    const b = ref[j]!;
    const order = a.start - b.start || a.end - b.end;
    if (order === 0) matches++;
    if (order <= 0) i++;
    if (order >= 0) j++;
  }
  return { pNum: matches, pDen: cand.length, rNum: matches, rDen: ref.length };
}

/** Exact-match span P/R/F1, micro-averaged over the documents. */
export function exactSpanF1Documents(documents: readonly SpanPair[]): SpanF1Result {
  return microAveraged(documents, exactSums);
}

/** Exact-match span P/R/F1 for one document. */
export function exactSpanF1(reference: readonly TextSpan[], candidate: readonly TextSpan[]): SpanF1Result {
  return exactSpanF1Documents([{ reference, candidate }]);
}
