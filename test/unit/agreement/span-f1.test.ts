import { describe, expect, it } from 'vitest';

import {
  exactSpanF1,
  exactSpanF1Documents,
  mergeOverlappingSpans,
  overlapSpanF1,
  overlapSpanF1Documents,
  type Statistic,
} from '../../../server/core/agreement/index.js';

// No published example with its data was found for the SemEval-2020 Task 11 SI scorer
// (task-SI_scorer.py), so these cases are computed by hand from its definition:
//   P = Σ_{s∈S} Σ_{t∈T} |s∩t|/|s| ÷ |S|,  R = Σ_{s∈S} Σ_{t∈T} |s∩t|/|t| ÷ |T|,
//   F1 = 2PR/(P+R), F1 = 1 when both sides are empty.
// S = candidate spans, T = reference spans; spans are half-open [start, end).

function value(s: Statistic): number {
  if (s.value === null) throw new Error(`undefined statistic: ${s.reason}`);
  return s.value;
}

describe('span F1 with overlap credit (SemEval-2020 T11 SI)', () => {
  it('case 1: both sides empty → F1 = 1 (scorer convention), P and R undefined', () => {
    const r = overlapSpanF1([], []);
    expect(value(r.f1)).toBe(1);
    expect(r.precision.value).toBeNull();
    expect(r.recall.value).toBeNull();
  });

  it('case 2: partial overlap [0,10) vs [5,15) → P = R = F1 = .5', () => {
    // |s∩t| = |[5,10)| = 5; P = (5/10)/1 = .5; R = (5/10)/1 = .5; F1 = 2·.25/1 = .5.
    const r = overlapSpanF1([{ start: 0, end: 10 }], [{ start: 5, end: 15 }]);
    expect(value(r.precision)).toBeCloseTo(0.5, 3);
    expect(value(r.recall)).toBeCloseTo(0.5, 3);
    expect(value(r.f1)).toBeCloseTo(0.5, 3);
  });

  it('case 3: one candidate span over two reference spans, credited for each → F1 .667', () => {
    // S = {[0,20)}, T = {[0,5), [10,15)}.
    // P = (5/20 + 5/20) / 1 = .5;  R = (5/5 + 5/5) / 2 = 1;  F1 = 2·.5·1/(1.5) = .6667.
    const reference = [{ start: 0, end: 5 }, { start: 10, end: 15 }];
    const candidate = [{ start: 0, end: 20 }];
    const r = overlapSpanF1(reference, candidate);
    expect(value(r.precision)).toBeCloseTo(0.5, 3);
    expect(value(r.recall)).toBeCloseTo(1, 3);
    expect(value(r.f1)).toBeCloseTo(0.667, 3);
    // Swapping the annotators swaps P and R; F1 stays.
    const swapped = overlapSpanF1(candidate, reference);
    expect(value(swapped.precision)).toBeCloseTo(1, 3);
    expect(value(swapped.recall)).toBeCloseTo(0.5, 3);
    expect(value(swapped.f1)).toBeCloseTo(0.667, 3);
  });

  it('case 4: overlapping reference spans are merged first; misses on both sides → .5, .706', () => {
    // Reference {[0,10), [5,15), [50,60)} merges to T = {[0,15), [50,60)}.
    // (a) S = {[0,15), [30,40)}: P = (15/15 + 0)/2 = .5;  R = (15/15 + 0)/2 = .5;  F1 = .5.
    // (b) S = {[0,15), [30,40), [50,55)}: P = (1 + 0 + 5/5)/3 = .6667;  R = (1 + 5/10)/2 = .75;
    //     F1 = 2·(2/3)·(3/4)/(2/3 + 3/4) = 1/(17/12) = 12/17 = .7059.
    const reference = [{ start: 0, end: 10 }, { start: 5, end: 15 }, { start: 50, end: 60 }];
    expect(mergeOverlappingSpans(reference)).toEqual([{ start: 0, end: 15 }, { start: 50, end: 60 }]);
    const two = overlapSpanF1(reference, [{ start: 0, end: 15 }, { start: 30, end: 40 }]);
    expect(value(two.precision)).toBeCloseTo(0.5, 3);
    expect(value(two.recall)).toBeCloseTo(0.5, 3);
    expect(value(two.f1)).toBeCloseTo(0.5, 3);
    const three = overlapSpanF1(reference, [{ start: 0, end: 15 }, { start: 30, end: 40 }, { start: 50, end: 55 }]);
    expect(value(three.precision)).toBeCloseTo(0.667, 3);
    expect(value(three.recall)).toBeCloseTo(0.75, 3);
    expect(value(three.f1)).toBeCloseTo(0.706, 3);
  });

  it('one side empty → F1 = 0 and the empty side has undefined P or R', () => {
    const r = overlapSpanF1([{ start: 0, end: 4 }], []);
    expect(value(r.f1)).toBe(0);
    expect(r.precision.value).toBeNull();
    expect(value(r.recall)).toBe(0);
  });

  it('touching spans are not merged and do not overlap', () => {
    expect(mergeOverlappingSpans([{ start: 0, end: 5 }, { start: 5, end: 9 }])).toHaveLength(2);
    expect(value(overlapSpanF1([{ start: 0, end: 5 }], [{ start: 5, end: 9 }]).f1)).toBe(0);
  });

  it('micro-averages over documents', () => {
    // Doc 1: case 2 (P num .5, |S| 1; R num .5, |T| 1). Doc 2: identical single span (1, 1; 1, 1).
    // P = (.5 + 1)/2 = .75, R = (.5 + 1)/2 = .75, F1 = .75.
    const r = overlapSpanF1Documents([
      { reference: [{ start: 0, end: 10 }], candidate: [{ start: 5, end: 15 }] },
      { reference: [{ start: 3, end: 7 }], candidate: [{ start: 3, end: 7 }] },
    ]);
    expect(value(r.f1)).toBeCloseTo(0.75, 10);
  });

  it('rejects empty or reversed spans', () => {
    expect(() => overlapSpanF1([{ start: 4, end: 4 }], [])).toThrow(RangeError);
  });
});

describe('exact-match span F1', () => {
  it('counts only identical boundaries', () => {
    // T = {[0,5), [10,15)}, S = {[0,5), [10,16)}: 1 match; P = 1/2, R = 1/2, F1 = .5.
    const r = exactSpanF1([{ start: 0, end: 5 }, { start: 10, end: 15 }], [{ start: 0, end: 5 }, { start: 10, end: 16 }]);
    expect(value(r.precision)).toBeCloseTo(0.5, 10);
    expect(value(r.recall)).toBeCloseTo(0.5, 10);
    expect(value(r.f1)).toBeCloseTo(0.5, 10);
  });

  it('both empty → 1; duplicates count once; micro-average', () => {
    expect(value(exactSpanF1([], []).f1)).toBe(1);
    expect(value(exactSpanF1([{ start: 1, end: 2 }], [{ start: 1, end: 2 }, { start: 1, end: 2 }]).f1)).toBe(1);
    // 1 match of 1 + 0 of 2 candidates, 1 + 1 references: P = 1/3, R = 1/2, F1 = 2/5.
    const r = exactSpanF1Documents([
      { reference: [{ start: 0, end: 3 }], candidate: [{ start: 0, end: 3 }] },
      { reference: [{ start: 0, end: 3 }], candidate: [{ start: 0, end: 2 }, { start: 4, end: 6 }] },
    ]);
    expect(value(r.f1)).toBeCloseTo(0.4, 10);
  });
});
