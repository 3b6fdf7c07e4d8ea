// The spans of a study indexed once for the span statistics (overlap and exact F1 per annotator
// pair, α_U): flat typed arrays rather than objects per span or per cell, because a project of
// 50 annotators × 1,000 articles holds hundreds of thousands of spans and every object kept alive
// through the report makes each garbage collection slower.
import type { Annotation } from '../model.js';
import type { Study } from './units.js';

/** Every annotation of the study looked up once: `annotations[ai * m + k]` = annotator k on article ai. */
export interface AnnotationGrid {
  annotations: (Annotation | undefined)[];
  /**
   * The annotators who reviewed or tagged anything in article ai (span statistics pair on it):
   * `reviewers[reviewersAt[ai] .. reviewersAt[ai + 1])`, ascending.
   */
  reviewersAt: Int32Array;
  reviewers: Int32Array;
}

export function annotationGrid(study: Study): AnnotationGrid {
  const annotations: (Annotation | undefined)[] = [];
  const reviewersAt = new Int32Array(study.articles.length + 1);
  const reviewers: number[] = [];
  study.articles.forEach((article, ai) => {
    study.annotators.forEach((id, k) => {
      const a = study.annotation(article.id, id);
      annotations.push(a);
      if (a !== undefined && (a.reviewed.length > 0 || a.tags.length > 0)) reviewers.push(k);
    });
    reviewersAt[ai + 1] = reviewers.length;
  });
  return { annotations, reviewersAt, reviewers: Int32Array.from(reviewers) };
}

/**
 * Per cell (article ai, annotator k, category c), numbered `(ai·m + k)·C + c`:
 * - the merged spans (overlapping ones joined; for overlap F1 and α_U), sorted, at
 *   `[mergedAt[cell], mergedAt[cell + 1])` of `starts` / `ends`;
 * - the spans as drawn, duplicates removed, each as the number start·2²¹ + end (exact in a
 *   double for texts up to 1 MB), sorted (for exact match), at `[drawnAt[cell], drawnAt[cell + 1])`
 *   of `drawn`.
 */
export interface SpanIndex {
  annotators: number;
  categories: number;
  mergedAt: Int32Array;
  starts: Float64Array;
  ends: Float64Array;
  drawnAt: Int32Array;
  drawn: Float64Array;
}

/** Scratch arrays for one annotation's tags, grown as needed and reused. */
class TagScratch {
  c = new Int32Array(16);
  start = new Float64Array(16);
  end = new Float64Array(16);
  order = new Int32Array(16);

  reserve(n: number): void {
    if (this.c.length >= n) return;
    const size = Math.max(n, this.c.length * 2);
    this.c = new Int32Array(size);
    this.start = new Float64Array(size);
    this.end = new Float64Array(size);
    this.order = new Int32Array(size);
  }

  /** Orders `order[0..n)` by category, start and end. */
  sort(n: number): void {
    const { c, start, end, order } = this;
    const after = (x: number, y: number): boolean => {
      const d = c[x]! - c[y]! || start[x]! - start[y]! || end[x]! - end[y]!;
      return d > 0;
    };
    if (n > 32) {
      // Many tags in one article: a library sort (insertion sort is quadratic).
      const sorted = Array.from(order.subarray(0, n)).sort((x, y) => c[x]! - c[y]! || start[x]! - start[y]! || end[x]! - end[y]!);
      order.set(sorted);
      return;
    }
    for (let i = 1; i < n; i++) {
      const x = order[i]!;
      let j = i - 1;
      while (j >= 0 && after(order[j]!, x)) {
        order[j + 1] = order[j]!;
        j--;
      }
      order[j + 1] = x;
    }
  }
}

/**
 * With `labelsIgnored`, every category of `categoryIds` goes in one column (0): an annotator's
 * spans are merged whatever their categories, for span identification.
 */
export function spanIndex(study: Study, grid: AnnotationGrid, categoryIds: string[], options: { labelsIgnored?: boolean } = {}): SpanIndex {
  const m = study.annotators.length;
  const count = options.labelsIgnored ? 1 : categoryIds.length;
  const column = new Map(categoryIds.map((c, i) => [c, options.labelsIgnored ? 0 : i]));
  let capacity = 0;
  for (const a of grid.annotations) capacity += a?.tags.length ?? 0;
  const cells = grid.annotations.length * count;
  const mergedAt = new Int32Array(cells + 1);
  const drawnAt = new Int32Array(cells + 1);
  const starts = new Float64Array(capacity);
  const ends = new Float64Array(capacity);
  const drawn = new Float64Array(capacity);
  const scratch = new TagScratch();
  let merged = 0;
  let kept = 0;
  for (let cell = 0; cell < grid.annotations.length; cell++) {
    const base = cell * count;
    const tags = grid.annotations[cell]?.tags ?? [];
    scratch.reserve(tags.length);
    let n = 0;
    for (const t of tags) {
      const c = column.get(t.category);
      if (c === undefined) continue;
      scratch.c[n] = c;
      scratch.start[n] = t.start;
      scratch.end[n] = t.end;
      scratch.order[n] = n;
      n++;
    }
    // One sort by category, start and end; then each category's run is merged (overlap F1, α_U)
    // and kept as drawn (exact F1) in a single walk.
    scratch.sort(n);
    let i = 0;
    for (let c = 0; c < count; c++) {
      mergedAt[base + c] = merged;
      drawnAt[base + c] = kept;
      const first = merged;
      const firstDrawn = kept;
      for (; i < n && scratch.c[scratch.order[i]!] === c; i++) {
        const t = scratch.order[i]!;
        const start = scratch.start[t]!;
        const end = scratch.end[t]!;
        if (!(start < end)) continue;
        const key = start * 2097152 + end;
        if (kept === firstDrawn || drawn[kept - 1] !== key) drawn[kept++] = key;
        if (merged > first && start < ends[merged - 1]!) ends[merged - 1] = Math.max(ends[merged - 1]!, end);
        else {
          starts[merged] = start;
          ends[merged] = end;
          merged++;
        }
      }
    }
  }
  mergedAt[cells] = merged;
  drawnAt[cells] = kept;
  return { annotators: m, categories: count, mergedAt, starts, ends, drawnAt, drawn };
}

/** Micro-averaged sums per annotator pair (pair index a*m+b, a < b), added up over articles. */
export interface PairSums {
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

export function emptySums(m: number, shared: Uint8Array = new Uint8Array(m * m)): PairSums {
  const n = m * m;
  return {
    pNum: new Float64Array(n), pDen: new Float64Array(n), rNum: new Float64Array(n), rDen: new Float64Array(n),
    exact: new Float64Array(n), exactPDen: new Float64Array(n), exactRDen: new Float64Array(n), shared,
  };
}

/** Which pairs (a < b, index a*m+b) both reviewed some article: the same for every category. */
export function sharedPairs(grid: AnnotationGrid, m: number): Uint8Array {
  const shared = new Uint8Array(m * m);
  const { reviewersAt, reviewers } = grid;
  for (let ai = 0; ai + 1 < reviewersAt.length; ai++) {
    const to = reviewersAt[ai + 1]!;
    for (let x = reviewersAt[ai]!; x < to; x++) {
      const row = reviewers[x]! * m;
      for (let y = x + 1; y < to; y++) shared[row + reviewers[y]!] = 1;
    }
  }
  return shared;
}

/** Scratch arrays for one article's spans of all its annotators, grown as needed and reused. */
class SweepScratch {
  annotator = new Int32Array(64);
  start = new Float64Array(64);
  end = new Float64Array(64);
  order: number[] = [];
  active = new Int32Array(64);

  reserve(n: number): void {
    if (this.annotator.length >= n) return;
    const size = Math.max(n, this.annotator.length * 2);
    this.annotator = new Int32Array(size);
    this.start = new Float64Array(size);
    this.end = new Float64Array(size);
    this.active = new Int32Array(size);
  }
}

/**
 * The SemEval-2020 T11 overlap sums and exact matches of one category, for every pair
 * (a = reference, the lower annotator number), added article by article in article order. Pairs
 * where one side has no span only add to the denominators, so those are added per annotator with
 * spans. The numerators come from one sweep over the article's spans of all annotators by start:
 * only spans that overlap meet (one annotator's merged spans are disjoint, so at most one of each
 * annotator is open at a time), not every pair of annotators' span lists; and exact matches from
 * the drawn spans sorted by value, only equal ones meeting.
 */
export function addCategorySums(index: SpanIndex, grid: AnnotationGrid, category: number, into: PairSums): void {
  const { annotators: m, categories: count, mergedAt, starts, ends, drawnAt, drawn } = index;
  const { reviewersAt, reviewers } = grid;
  const { pNum: pNums, rNum: rNums, pDen, rDen, exact: exacts, exactPDen, exactRDen } = into;
  const sweep = new SweepScratch();
  const keys = new SweepScratch();
  const withSpans = new Int32Array(m);
  // Spans of articles every annotator reviewed, per annotator: they count for every pair.
  const everyoneSpans = new Float64Array(m);
  const everyoneKeys = new Float64Array(m);
  for (let ai = 0; ai + 1 < reviewersAt.length; ai++) {
    const from = reviewersAt[ai]!;
    const to = reviewersAt[ai + 1]!;
    let n = 0;
    for (let x = from; x < to; x++) {
      const a = reviewers[x]!;
      const cell = (ai * m + a) * count + category;
      if (mergedAt[cell + 1]! > mergedAt[cell]!) withSpans[n++] = a;
    }
    // Denominators: each side's spans count once for every other reviewer of the article.
    for (let i = 0; i < n; i++) {
      const a = withSpans[i]!;
      const cell = (ai * m + a) * count + category;
      const spans = mergedAt[cell + 1]! - mergedAt[cell]!;
      const keys = drawnAt[cell + 1]! - drawnAt[cell]!;
      if (to - from === m) {
        everyoneSpans[a]! += spans;
        everyoneKeys[a]! += keys;
        continue;
      }
      for (let x = from; x < to; x++) {
        const b = reviewers[x]!;
        if (b > a) {
          rDen[a * m + b]! += spans;
          exactRDen[a * m + b]! += keys;
        } else if (b < a) {
          pDen[b * m + a]! += spans;
          exactPDen[b * m + a]! += keys;
        }
      }
    }
    if (n < 2) continue;
    // Every merged span of the annotators with spans here, and every drawn one.
    let spans = 0;
    let drawnCount = 0;
    for (let i = 0; i < n; i++) {
      const cell = (ai * m + withSpans[i]!) * count + category;
      spans += mergedAt[cell + 1]! - mergedAt[cell]!;
      drawnCount += drawnAt[cell + 1]! - drawnAt[cell]!;
    }
    sweep.reserve(spans);
    keys.reserve(drawnCount);
    let x = 0;
    let y = 0;
    for (let i = 0; i < n; i++) {
      const a = withSpans[i]!;
      const cell = (ai * m + a) * count + category;
      for (let s = mergedAt[cell]!; s < mergedAt[cell + 1]!; s++, x++) {
        sweep.annotator[x] = a;
        sweep.start[x] = starts[s]!;
        sweep.end[x] = ends[s]!;
      }
      for (let s = drawnAt[cell]!; s < drawnAt[cell + 1]!; s++, y++) {
        keys.annotator[y] = a;
        keys.start[y] = drawn[s]!;
      }
    }
    // Overlap: by start; each span meets the open spans of the other annotators it overlaps.
    const order = sweep.order;
    order.length = spans;
    for (let i = 0; i < spans; i++) order[i] = i;
    const { start: sStart, end: sEnd, annotator: sAnnotator, active } = sweep;
    order.sort((p, q) => sStart[p]! - sStart[q]!);
    let open = 0;
    for (const p of order) {
      const ps = sStart[p]!;
      const pe = sEnd[p]!;
      let kept = 0;
      for (let o = 0; o < open; o++) {
        const q = active[o]!;
        const qe = sEnd[q]!;
        if (qe <= ps) continue;
        active[kept++] = q;
        const inter = Math.min(pe, qe) - ps;
        const pa = sAnnotator[p]!;
        const qa = sAnnotator[q]!;
        // The reference is the lower annotator number (see PairSums): precision divides by the
        // candidate's span, recall by the reference's.
        if (pa < qa) {
          pNums[pa * m + qa]! += inter / (qe - sStart[q]!);
          rNums[pa * m + qa]! += inter / (pe - ps);
        } else {
          pNums[qa * m + pa]! += inter / (pe - ps);
          rNums[qa * m + pa]! += inter / (qe - sStart[q]!);
        }
      }
      active[kept++] = p;
      open = kept;
    }
    // Exact matches: equal drawn spans of two annotators.
    const byKey = keys.order;
    byKey.length = drawnCount;
    for (let i = 0; i < drawnCount; i++) byKey[i] = i;
    const { start: key, annotator: kAnnotator } = keys;
    byKey.sort((p, q) => key[p]! - key[q]! || kAnnotator[p]! - kAnnotator[q]!);
    for (let i = 0; i < drawnCount; ) {
      let j = i + 1;
      while (j < drawnCount && key[byKey[j]!] === key[byKey[i]!]) j++;
      for (let u = i; u < j; u++) for (let v = u + 1; v < j; v++) exacts[kAnnotator[byKey[u]!]! * m + kAnnotator[byKey[v]!]!]!++;
      i = j;
    }
  }
  // Integer counts: added at the end, the sums are the same.
  for (let a = 0; a < m; a++) {
    for (let b = a + 1; b < m; b++) {
      rDen[a * m + b]! += everyoneSpans[a]!;
      exactRDen[a * m + b]! += everyoneKeys[a]!;
      pDen[a * m + b]! += everyoneSpans[b]!;
      exactPDen[a * m + b]! += everyoneKeys[b]!;
    }
  }
}

export function addSums(into: PairSums, from: PairSums): void {
  for (let k = 0; k < into.pNum.length; k++) {
    into.pNum[k]! += from.pNum[k]!;
    into.pDen[k]! += from.pDen[k]!;
    into.rNum[k]! += from.rNum[k]!;
    into.rDen[k]! += from.rDen[k]!;
    into.exact[k]! += from.exact[k]!;
    into.exactPDen[k]! += from.exactPDen[k]!;
    into.exactRDen[k]! += from.exactRDen[k]!;
    into.shared[k] = into.shared[k]! | from.shared[k]!;
  }
}
