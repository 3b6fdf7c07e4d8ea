// α_U's observed disagreement is computed by a sweep over all coders' spans (not coder pair by
// coder pair); here it is checked against the definition, pair by pair, on random spans, and the
// column form of the input against the object form.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unitizingAlpha, unitizingAlphaColumns, type CoderSpan } from '../../../server/core/agreement/index.js';

interface Segment {
  start: number;
  end: number;
  unit: boolean;
}

/** One coder's segmentation of [begin, end) for one label: its spans and the gaps between them. */
function segmentation(spans: CoderSpan[], begin: number, end: number): Segment[] {
  const out: Segment[] = [];
  let pos = begin;
  for (const s of [...spans].sort((x, y) => x.start - y.start)) {
    if (s.start > pos) out.push({ start: pos, end: s.start, unit: false });
    out.push({ start: s.start, end: s.end, unit: true });
    pos = s.end;
  }
  if (pos < end) out.push({ start: pos, end, unit: false });
  return out;
}

/** δ² of two overlapping segments of different coders (the file comment of unitizing.ts). */
function delta2(s: Segment, t: Segment): number {
  if (s.unit && t.unit) return (s.start - t.start) ** 2 + (s.end - t.end) ** 2;
  if (s.unit && !t.unit) return t.start <= s.start && s.end <= t.end ? (s.end - s.start) ** 2 : 0;
  if (!s.unit && t.unit) return s.start <= t.start && t.end <= s.end ? (t.end - t.start) ** 2 : 0;
  return 0;
}

/** D_o of one label by the definition: Σ over coder pairs and their overlapping segments. */
function observedByPairs(spans: CoderSpan[], coders: string[], label: string, begin: number, end: number): number {
  const segs = coders.map((c) => segmentation(spans.filter((s) => s.coder === c && s.label === label), begin, end));
  let sum = 0;
  for (let i = 0; i < coders.length; i++) {
    for (let j = i + 1; j < coders.length; j++) {
      for (const s of segs[i] ?? []) for (const t of segs[j] ?? []) if (s.start < t.end && t.start < s.end) sum += delta2(s, t);
    }
  }
  const m = coders.length;
  const L = end - begin;
  return (2 * sum) / (m * (m - 1) * L * L);
}

/** Random data: per coder and label, disjoint spans (touching allowed) on [begin, end). */
const data = fc
  .record({
    coders: fc.integer({ min: 2, max: 5 }),
    begin: fc.integer({ min: -10, max: 10 }),
    length: fc.integer({ min: 1, max: 60 }),
    steps: fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 12 })), { maxLength: 40 }),
  })
  .map(({ coders, begin, length, steps }) => {
    const names = Array.from({ length: coders }, (_, i) => `c${i}`);
    const spans: CoderSpan[] = [];
    const pos = new Map<string, number>();
    steps.forEach(([gap, size], i) => {
      const coder = names[i % coders] ?? 'c0';
      const label = i % 3 === 0 ? 'x' : 'y';
      const key = `${coder}/${label}`;
      const start = (pos.get(key) ?? begin) + gap;
      if (start + size > begin + length) return;
      spans.push({ coder, label, start, end: start + size });
      pos.set(key, start + size);
    });
    return { begin, end: begin + length, coders: names, spans: spans.reverse() };
  });

describe('α_U by a sweep over the spans', () => {
  it('D_o of every label equals the sum over coder pairs of the definition', () => {
    fc.assert(
      fc.property(data, (d) => {
        const result = unitizingAlpha(d);
        for (const c of result.categories) {
          expect(c.observed_disagreement).toBe(observedByPairs(d.spans, d.coders, c.label, d.begin, d.end));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the column form gives the same result as the object form', () => {
    fc.assert(
      fc.property(data, (d) => {
        const labels = ['y', 'x'];
        const columns = {
          coder: Int32Array.from(d.spans, (s) => d.coders.indexOf(s.coder)),
          label: Int32Array.from(d.spans, (s) => labels.indexOf(s.label)),
          start: Float64Array.from(d.spans, (s) => s.start),
          end: Float64Array.from(d.spans, (s) => s.end),
        };
        expect(unitizingAlphaColumns({ begin: d.begin, end: d.end, coders: d.coders, labels, spans: columns })).toEqual(unitizingAlpha(d));
      }),
      { numRuns: 200 },
    );
  });

  it('the column form checks its spans like the object form', () => {
    const spans = (start: number, end: number, coder = 0, label = 0) => ({
      coder: Int32Array.of(coder),
      label: Int32Array.of(label),
      start: Float64Array.of(start),
      end: Float64Array.of(end),
    });
    const base = { begin: 0, end: 10, coders: ['a', 'b'], labels: ['x'] };
    expect(() => unitizingAlphaColumns({ ...base, spans: spans(5, 5) })).toThrow(/empty/);
    expect(() => unitizingAlphaColumns({ ...base, spans: spans(8, 12) })).toThrow(/outside/);
    expect(() => unitizingAlphaColumns({ ...base, spans: spans(0, 2, 2) })).toThrow(/unknown coder/);
    expect(() => unitizingAlphaColumns({ ...base, spans: spans(0, 2, 0, 1) })).toThrow(/unknown label/);
    expect(() => unitizingAlphaColumns({ ...base, coders: ['a', 'a'], spans: spans(0, 2) })).toThrow(/unique/);
  });
});
