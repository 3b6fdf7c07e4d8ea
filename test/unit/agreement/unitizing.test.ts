import { describe, expect, it } from 'vitest';

import { unitizingAlpha, type CoderSpan, type Statistic } from '../../../server/core/agreement/index.js';

function value(s: Statistic): number {
  if (s.value === null) throw new Error(`undefined statistic: ${s.reason}`);
  return s.value;
}

/** DKPro's addUnit(offset, length, rater, category). */
function unit(offset: number, length: number, coder: number, label: string): CoderSpan {
  return { coder: String(coder), start: offset, end: offset + length, label };
}

describe("Krippendorff's unitizing alpha (1995/2004 variant)", () => {
  // Krippendorff (2004) Content Analysis, p. 254: two observers, continuum [150, 450),
  // categories c and k. α_U = .8591 ± .0005; c: D_o .0144, D_e .0532, α .7286; k: D_o 0,
  // D_e .0490, α 1 (data and values from DKPro Statistics unitizing/Krippendorff2004Test).
  it('K2004 p.254: α_U .8591, α_c .7286, α_k 1', () => {
    const result = unitizingAlpha({
      begin: 150,
      end: 450,
      coders: ['0', '1'],
      spans: [
        unit(225, 70, 0, 'c'), unit(370, 30, 0, 'c'),
        unit(220, 80, 1, 'c'), unit(355, 20, 1, 'c'), unit(400, 20, 1, 'c'),
        unit(180, 60, 0, 'k'), unit(300, 50, 0, 'k'),
        unit(180, 60, 1, 'k'), unit(300, 50, 1, 'k'),
      ],
    });
    expect(value(result.alpha)).toBeCloseTo(0.8591, 3);
    const [c, k] = result.categories;
    expect(c!.label).toBe('c');
    expect(c!.observed_disagreement).toBeCloseTo(0.0144, 4);
    expect(c!.expected_disagreement).toBeCloseTo(0.0532, 4);
    expect(value(c!.alpha)).toBeCloseTo(0.7286, 3);
    expect(k!.observed_disagreement).toBe(0);
    expect(k!.expected_disagreement).toBeCloseTo(0.049, 4);
    expect(value(k!.alpha)).toBe(1);
  });

  // DKPro Statistics UnitizingAgreementTest: r0 -11111111-, r1 --1-1-1--- on [0, 10):
  // D_o .9100, D_e .5351 (asserted there to ±.0001; exact 289/540 = .53519), α −.7003
  // (a long span against fragments).
  it('fragmented spans: −.7003', () => {
    const result = unitizingAlpha({
      begin: 0,
      end: 10,
      coders: ['0', '1'],
      spans: [unit(1, 8, 0, 'A'), unit(2, 1, 1, 'A'), unit(4, 1, 1, 'A'), unit(6, 1, 1, 'A')],
    });
    expect(result.categories[0]!.observed_disagreement).toBeCloseTo(0.91, 4);
    expect(result.categories[0]!.expected_disagreement).toBeCloseTo(0.5351, 3);
    expect(value(result.alpha)).toBeCloseTo(-0.7003, 3);
  });

  // Krippendorff (1995) p. 57, examples A–D on a continuum of 24 (DKPro Statistics
  // Krippendorff1995Test.testAgreement): observed disagreements .03125, 2.26736, .02777, .38715.
  it('K1995 p.57 observed disagreements per example', () => {
    const result = unitizingAlpha({
      begin: 0,
      end: 24,
      coders: ['0', '1'],
      spans: [
        unit(2, 8, 0, 'A'), unit(14, 6, 0, 'A'), unit(4, 4, 1, 'A'), unit(15, 2, 1, 'A'),
        unit(0, 18, 0, 'B'), unit(0, 2, 1, 'B'), unit(2, 1, 1, 'B'), unit(3, 1, 1, 'B'), unit(4, 1, 1, 'B'),
        unit(5, 1, 1, 'B'), unit(6, 3, 1, 'B'), unit(9, 1, 1, 'B'),
        unit(2, 6, 0, 'C'), unit(10, 2, 0, 'C'), unit(14, 4, 0, 'C'), unit(20, 2, 0, 'C'),
        unit(0, 2, 1, 'C'), unit(4, 4, 1, 'C'), unit(10, 4, 1, 'C'), unit(16, 2, 1, 'C'), unit(20, 2, 1, 'C'),
        unit(0, 2, 0, 'D'), unit(2, 8, 0, 'D'), unit(10, 4, 0, 'D'), unit(14, 6, 0, 'D'), unit(20, 4, 0, 'D'),
        unit(0, 4, 1, 'D'), unit(4, 4, 1, 'D'), unit(8, 7, 1, 'D'), unit(15, 2, 1, 'D'), unit(17, 7, 1, 'D'),
      ],
    });
    const observed = Object.fromEntries(result.categories.map((c) => [c.label, c.observed_disagreement]));
    expect(observed.A).toBeCloseTo(0.03125, 4);
    expect(observed.B).toBeCloseTo(2.26736, 4);
    expect(observed.C).toBeCloseTo(0.02777, 4);
    expect(observed.D).toBeCloseTo(0.38715, 4);
  });

  // DKPro UnitizingAgreementTest.testSingleAnnotationUnit: one span by one of three coders → 0.
  it('one span by one of three coders: 0', () => {
    const result = unitizingAlpha({ begin: 0, end: 20, coders: ['0', '1', '2'], spans: [unit(0, 1, 0, 'X')] });
    expect(value(result.alpha)).toBeCloseTo(0, 10);
  });

  it('identical unitizations agree perfectly', () => {
    const spans = ['a', 'b', 'c'].flatMap((coder) => [
      { coder, start: 3, end: 9, label: 'frame' },
      { coder, start: 20, end: 31, label: 'frame' },
      { coder, start: 12, end: 15, label: 'loaded' },
    ]);
    const result = unitizingAlpha({ begin: 0, end: 40, coders: ['a', 'b', 'c'], spans });
    expect(result.alpha).toEqual({ value: 1 });
  });

  it('undefined cases', () => {
    expect(unitizingAlpha({ begin: 0, end: 10, coders: ['a', 'b'], spans: [] }).alpha.value).toBeNull();
    expect(unitizingAlpha({ begin: 0, end: 10, coders: ['a'], spans: [{ coder: 'a', start: 0, end: 2, label: 'x' }] }).alpha).toEqual({
      value: null,
      reason: 'needs at least two coders',
    });
  });

  it('rejects bad spans', () => {
    const base = { begin: 0, end: 10, coders: ['a', 'b'] };
    expect(() => unitizingAlpha({ ...base, spans: [{ coder: 'z', start: 0, end: 2, label: 'x' }] })).toThrow(/unknown coder/);
    expect(() => unitizingAlpha({ ...base, spans: [{ coder: 'a', start: 5, end: 5, label: 'x' }] })).toThrow(/empty/);
    expect(() => unitizingAlpha({ ...base, spans: [{ coder: 'a', start: 8, end: 12, label: 'x' }] })).toThrow(/outside/);
    expect(() => unitizingAlpha({ ...base, spans: [{ coder: 'a', start: 0.5, end: 2, label: 'x' }] })).toThrow(/integers/);
    expect(() =>
      unitizingAlpha({
        ...base,
        spans: [
          { coder: 'a', start: 0, end: 4, label: 'x' },
          { coder: 'a', start: 3, end: 6, label: 'x' },
        ],
      }),
    ).toThrow(/overlapping/);
    // Overlapping spans with different labels are fine.
    expect(() =>
      unitizingAlpha({
        ...base,
        spans: [
          { coder: 'a', start: 0, end: 4, label: 'x' },
          { coder: 'a', start: 3, end: 6, label: 'y' },
        ],
      }),
    ).not.toThrow();
  });
});
