// tabulateCounts builds from per-unit value counts the same tabulation tabulateCodes builds by
// reading the codes, and so the same report.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tabulateCodes, tabulateCounts, tabulationReport } from '../../../server/core/agreement/index.js';

/** Coded data: 1–5 coders, 0–30 units, codes −1 (missing) to 3 into values [0, 1, 2, 3]. */
const coded = fc.integer({ min: 1, max: 5 }).chain((coders) =>
  fc.array(fc.integer({ min: -1, max: 3 }), { maxLength: 30 * coders }).map((flat) => {
    const units = Math.floor(flat.length / coders);
    return { coders, units, codes: Int8Array.from(flat.slice(0, units * coders)) };
  }),
);

function countsOf(codes: Int8Array, units: number, coders: number, values: number): Int32Array {
  const counts = new Int32Array(units * values);
  for (let u = 0; u < units; u++) {
    for (let c = 0; c < coders; c++) {
      const v = codes[u * coders + c] ?? -1;
      if (v >= 0) counts[u * values + v] = (counts[u * values + v] ?? 0) + 1;
    }
  }
  return counts;
}

describe('tabulateCounts', () => {
  it('gives the tabulation and report of tabulateCodes', () => {
    fc.assert(
      fc.property(coded, ({ coders, units, codes }) => {
        const values = [0, 1, 2, 3];
        const fromCodes = tabulateCodes(codes, units, coders, values);
        const fromCounts = tabulateCounts(codes, units, coders, values, countsOf(codes, units, coders, values.length));
        expect(fromCounts).toEqual(fromCodes);
        const options = { bootstrap: { resamples: 20 } };
        expect(tabulationReport(fromCounts, 'nominal', options)).toEqual(tabulationReport(fromCodes, 'nominal', options));
      }),
      { numRuns: 300 },
    );
  });

  it('may leave the codes out for more than two coders, whose statistics do not read them', () => {
    fc.assert(
      fc.property(coded, ({ coders, units, codes }) => {
        const values = [0, 1, 2, 3];
        const counts = countsOf(codes, units, coders, values.length);
        if (coders === 2) {
          expect(() => tabulateCounts(null, units, coders, values, counts)).toThrow(/two coders/);
          return;
        }
        const options = { bootstrap: { resamples: 20 } };
        const withCodes = tabulationReport(tabulateCounts(codes, units, coders, values, counts), 'nominal', options);
        expect(tabulationReport(tabulateCounts(null, units, coders, values, counts), 'nominal', options)).toEqual(withCodes);
      }),
      { numRuns: 200 },
    );
  });

  it('needs as many counts as units × values', () => {
    expect(() => tabulateCounts(new Int8Array(4), 2, 2, [0, 1], new Int32Array(3))).toThrow(/counts/);
  });
});
