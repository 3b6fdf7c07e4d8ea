import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  LEVELS,
  krippendorffAlpha,
  scottPi,
  type Cell,
  type ReliabilityData,
  type Statistic,
} from '../../../server/core/agreement/index.js';

/** Reliability data with 2–5 coders, 1–25 units, values 0–3, some missing. */
const reliabilityData: fc.Arbitrary<ReliabilityData> = fc.integer({ min: 2, max: 5 }).chain((m) =>
  fc
    .array(fc.array(fc.option(fc.integer({ min: 0, max: 3 }), { nil: null, freq: 4 }), { minLength: m, maxLength: m }), {
      minLength: 1,
      maxLength: 25,
    })
    .map((units) => ({ coders: Array.from({ length: m }, (_, i) => `c${i}`), units })),
);

function expectSame(a: Statistic, b: Statistic): void {
  if (a.value === null || b.value === null) {
    expect(a.value).toBeNull();
    expect(b.value).toBeNull();
    return;
  }
  expect(a.value).toBeCloseTo(b.value, 10);
}

describe('alpha properties (fast-check)', () => {
  it('is 1 for perfect agreement with variation, at every level', () => {
    const perfect = fc
      .tuple(
        fc.integer({ min: 2, max: 6 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.array(fc.boolean(), { minLength: 6, maxLength: 6 })), {
          maxLength: 20,
        }),
      )
      .map(([m, rows]) => {
        // Two complete units with different values guarantee variation.
        const units: Cell[][] = [Array<Cell>(m).fill(0), Array<Cell>(m).fill(1)];
        for (const [v, present] of rows) units.push(present.slice(0, m).map((p) => (p ? v : null)));
        return { coders: Array.from({ length: m }, (_, i) => `c${i}`), units };
      });
    fc.assert(
      fc.property(perfect, (data) => {
        for (const level of LEVELS) expect(krippendorffAlpha(data, level)).toEqual({ value: 1 });
      }),
    );
  });

  it('does not change when coders are reordered', () => {
    fc.assert(
      fc.property(
        reliabilityData.chain((data) =>
          fc
            .shuffledSubarray([...data.coders.keys()], { minLength: data.coders.length, maxLength: data.coders.length })
            .map((perm) => ({ data, perm })),
        ),
        ({ data, perm }) => {
          const permuted = { coders: perm.map((c) => data.coders[c]!), units: data.units.map((u) => perm.map((c) => u[c]!)) };
          for (const level of LEVELS) expectSame(krippendorffAlpha(data, level), krippendorffAlpha(permuted, level));
        },
      ),
    );
  });

  it('does not change when units are reordered', () => {
    fc.assert(
      fc.property(
        reliabilityData.chain((data) =>
          fc
            .shuffledSubarray([...data.units.keys()], { minLength: data.units.length, maxLength: data.units.length })
            .map((perm) => ({ data, perm })),
        ),
        ({ data, perm }) => {
          const permuted = { coders: data.coders, units: perm.map((u) => data.units[u]!) };
          for (const level of LEVELS) expectSame(krippendorffAlpha(data, level), krippendorffAlpha(permuted, level));
        },
      ),
    );
  });

  it('nominal alpha does not change when category labels are renamed', () => {
    fc.assert(
      fc.property(
        reliabilityData,
        fc.uniqueArray(fc.string({ maxLength: 6 }), { minLength: 4, maxLength: 4 }),
        (data, names) => {
          const renamed = { coders: data.coders, units: data.units.map((u) => u.map((v) => (v === null ? null : names[v as number]!))) };
          expectSame(krippendorffAlpha(data, 'nominal'), krippendorffAlpha(renamed, 'nominal'));
        },
      ),
    );
  });

  it('with two coders and no missing data, α = π + (1 − π)/(2n), n = number of units', () => {
    const complete = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 40 })
      .map((pairs) => ({ coders: ['a', 'b'], units: pairs.map(([x, y]) => [x, y]) }));
    fc.assert(
      fc.property(complete, (data) => {
        const pi = scottPi(data);
        const alpha = krippendorffAlpha(data, 'nominal');
        if (pi.value === null) {
          // Both undefined for the same reason: a single category, so D_e = 0 and p_e = 1.
          expect(alpha.value).toBeNull();
          return;
        }
        const n = data.units.length;
        expect(alpha.value).not.toBeNull();
        expect(alpha.value!).toBeCloseTo(pi.value + (1 - pi.value) / (2 * n), 10);
      }),
    );
  });

  it('is never NaN and never above 1', () => {
    fc.assert(
      fc.property(reliabilityData, (data) => {
        for (const level of LEVELS) {
          const a = krippendorffAlpha(data, level);
          if (a.value !== null) {
            expect(Number.isFinite(a.value)).toBe(true);
            expect(a.value).toBeLessThanOrEqual(1 + 1e-12);
          } else {
            expect(a.reason.length).toBeGreaterThan(0);
          }
        }
      }),
    );
  });
});
