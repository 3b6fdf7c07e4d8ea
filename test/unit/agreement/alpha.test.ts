import { describe, expect, it } from 'vitest';

import {
  coincidenceMatrix,
  krippendorffAlpha,
  krippendorffAlphaDetails,
  type ReliabilityData,
  type Statistic,
} from '../../../server/core/agreement/index.js';
import { HAYES_KRIPPENDORFF_2007, K2011, WIKIPEDIA_ALPHA, fromCoderRows, fromPairCounts } from './fixtures.js';

function value(s: Statistic): number {
  if (s.value === null) throw new Error(`undefined statistic: ${s.reason}`);
  return s.value;
}

describe("Krippendorff's alpha: published examples", () => {
  // Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability", 4 observers × 12 units
  // with missing data: nominal .743 (D_o .200, D_e .779), ordinal .815, interval .849, ratio .797.
  it('K2011 4×12 nominal .743 with D_o .200 and D_e .779', () => {
    const d = krippendorffAlphaDetails(K2011, 'nominal');
    expect(value(d.alpha)).toBeCloseTo(0.743, 3);
    expect(d.observed_disagreement).toBeCloseTo(0.2, 3);
    expect(d.expected_disagreement).toBeCloseTo(0.779, 3);
    // Unit 12 has a single value, so 11 units and 40 values are pairable.
    expect(d.pairable_units).toBe(11);
    expect(d.pairable_values).toBe(40);
  });

  // Krippendorff (2011), same data.
  it('K2011 4×12 ordinal .815', () => {
    expect(value(krippendorffAlpha(K2011, 'ordinal'))).toBeCloseTo(0.815, 3);
  });

  // Krippendorff (2011), same data; D_o .433 and D_e 2.872 also in DKPro Krippendorff2004Test.
  it('K2011 4×12 interval .849 with D_o .433 and D_e 2.872', () => {
    const d = krippendorffAlphaDetails(K2011, 'interval');
    expect(value(d.alpha)).toBeCloseTo(0.849, 3);
    expect(d.observed_disagreement).toBeCloseTo(0.433, 3);
    expect(d.expected_disagreement).toBeCloseTo(2.872, 3);
  });

  // Krippendorff (2011), same data.
  it('K2011 4×12 ratio .797', () => {
    expect(value(krippendorffAlpha(K2011, 'ratio'))).toBeCloseTo(0.797, 3);
  });

  // Wikipedia "Krippendorff's alpha" computational example, 3 coders × 15 units
  // (fast-krippendorff tests: nominal 0.691358, interval 0.810845).
  it('Wikipedia 3×15 nominal 0.691358 and interval 0.810845', () => {
    expect(value(krippendorffAlpha(WIKIPEDIA_ALPHA, 'nominal'))).toBeCloseTo(0.691358, 6);
    expect(value(krippendorffAlpha(WIKIPEDIA_ALPHA, 'interval'))).toBeCloseTo(0.810845, 6);
  });

  // Hayes & Krippendorff (2007) p. 84, 5 observers × 40 units, ordinal α = .7598
  // (DKPro Statistics HayesKrippendorff2007Test).
  it('Hayes & Krippendorff 2007 5×40 ordinal .7598', () => {
    expect(value(krippendorffAlpha(HAYES_KRIPPENDORFF_2007, 'ordinal'))).toBeCloseTo(0.7598, 3);
  });

  // Krippendorff (2004) Content Analysis p. 224, binary 2 coders × 10 units:
  // D_o .400, D_e .442, α .095 (DKPro Krippendorff2004Test.testDichotomy).
  it('K2004 p.224 binary .095', () => {
    const data = fromCoderRows(['i', 'j'], [
      [1, 1, 0, 0, 0, 0, 0, 0, 0, 0],
      [0, 1, 1, 0, 0, 1, 0, 1, 0, 0],
    ]);
    const d = krippendorffAlphaDetails(data, 'nominal');
    expect(value(d.alpha)).toBeCloseTo(0.095, 3);
    expect(d.observed_disagreement).toBeCloseTo(0.4, 3);
    expect(d.expected_disagreement).toBeCloseTo(0.442, 3);
  });

  // Krippendorff (2004) p. 227, 2 coders × 12 units, categories a/b/c:
  // D_o .1667, D_e .6268, α .734 (DKPro Krippendorff2004Test.testMultipleCategories).
  it('K2004 p.227 nominal .734', () => {
    const data = fromPairCounts([
      [1, 'a', 'a'], [1, 'a', 'b'], [4, 'b', 'b'], [1, 'b', 'c'], [5, 'c', 'c'],
    ]);
    const d = krippendorffAlphaDetails(data, 'nominal');
    expect(value(d.alpha)).toBeCloseTo(0.734, 3);
    expect(d.observed_disagreement).toBeCloseTo(0.1667, 3);
    expect(d.expected_disagreement).toBeCloseTo(0.6268, 3);
  });

  // Artstein & Poesio (2008) p. 568, 2 coders × 100 units, STAT/IReq/Chck:
  // D_o .120, D_e .601, α .800 (DKPro ArtsteinPoesio2008Test.testWeightedAgreement, which
  // allows ±.001). The exact value is .80053 = π + (1 − π)/(2·100) with π = .7995, so the
  // published .800 is truncated: we check it to the published tolerance.
  it('Artstein & Poesio 2008 p.568 nominal .800', () => {
    const data = fromPairCounts([
      [46, 'STAT', 'STAT'], [6, 'IReq', 'STAT'], [32, 'IReq', 'IReq'], [6, 'IReq', 'Chck'], [10, 'Chck', 'Chck'],
    ]);
    const d = krippendorffAlphaDetails(data, 'nominal');
    expect(Math.abs(value(d.alpha) - 0.8)).toBeLessThan(0.001);
    expect(value(d.alpha)).toBeCloseTo(0.8005, 3);
    expect(d.observed_disagreement).toBeCloseTo(0.12, 3);
    // Published D_e .601 (DKPro: ±.001); exact 0.60161.
    expect(Math.abs(d.expected_disagreement! - 0.601)).toBeLessThan(0.001);
  });

  // Krippendorff (1995) p. 57 example A digitized to 24 units (DKPro Krippendorff1995Test):
  // nominal α = .329.
  it('K1995 digitized example A .329', () => {
    const data = fromCoderRows(['Bertha', 'Bill'], [
      [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0],
      [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0],
    ]);
    expect(value(krippendorffAlpha(data, 'nominal'))).toBeCloseTo(0.329, 3);
  });
});

describe("Krippendorff's alpha: coincidence matrix", () => {
  // Krippendorff (2011) p. 4: the coincidence matrix of the 4×12 example has
  // o_11 = 7, o_22 = 10, o_33 = 8, o_44 = 4, o_55 = 3 and n = 40; its row sums are
  // n_1 = 9, n_2 = 13, n_3 = 10, n_4 = 5, n_5 = 3. (Values only in unit 12, which is
  // not pairable, do not count.)
  it('K2011 4×12 coincidences and marginals', () => {
    const cm = coincidenceMatrix(K2011);
    expect(cm.values).toEqual([1, 2, 3, 4, 5]);
    expect(cm.total).toBe(40);
    expect(cm.marginals).toEqual([9, 13, 10, 5, 3]);
    const diag = cm.matrix.map((row, i) => row[i]!);
    diag.forEach((x, i) => expect(x).toBeCloseTo([7, 10, 8, 4, 3][i]!, 10));
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(cm.matrix[i]![j]).toBeCloseTo(cm.matrix[j]![i]!, 12);
  });
});

describe("Krippendorff's alpha: undefined cases", () => {
  it('no variation: D_e = 0', () => {
    const data = fromCoderRows(['a', 'b'], [
      ['x', 'x', 'x'],
      ['x', 'x', 'x'],
    ]);
    const a = krippendorffAlpha(data);
    expect(a.value).toBeNull();
    expect(a.value === null && a.reason).toMatch(/no variation/);
    // The same at every numeric level.
    const num = fromCoderRows(['a', 'b'], [[2, 2], [2, 2]]);
    for (const level of ['ordinal', 'interval', 'ratio'] as const) expect(krippendorffAlpha(num, level).value).toBeNull();
  });

  it('variation only in unpairable units does not count', () => {
    // Unit 3 has a different value but only one coder: the pairable values never vary.
    const data = fromCoderRows(['a', 'b'], [
      [1, 1, 2],
      [1, 1, null],
    ]);
    const a = krippendorffAlpha(data, 'interval');
    expect(a.value).toBeNull();
  });

  it('single coder', () => {
    const data = { coders: ['a'], units: [[1], [2], [3]] };
    const a = krippendorffAlpha(data);
    expect(a).toEqual({ value: null, reason: 'needs at least two coders' });
  });

  it('no pairable unit', () => {
    const data = fromCoderRows(['a', 'b'], [
      [1, null],
      [null, 2],
    ]);
    const a = krippendorffAlpha(data);
    expect(a.value).toBeNull();
    expect(a.value === null && a.reason).toMatch(/no pairable unit/);
  });

  it('no units at all', () => {
    expect(krippendorffAlpha({ coders: ['a', 'b'], units: [] }).value).toBeNull();
  });

  it('never NaN on degenerate input', () => {
    const cases: ReliabilityData[] = [
      { coders: [], units: [] },
      { coders: ['a', 'b'], units: [[null, null]] },
      { coders: ['a', 'b'], units: [[0, 0]] },
    ];
    for (const c of cases) {
      for (const level of ['nominal', 'ordinal', 'interval', 'ratio'] as const) {
        const a = krippendorffAlpha(c, level);
        expect(a.value === null || Number.isFinite(a.value)).toBe(true);
      }
    }
  });
});

describe("Krippendorff's alpha: input checks", () => {
  it('rejects strings at numeric levels and negatives at the ratio level', () => {
    const strings = fromCoderRows(['a', 'b'], [['x', 'y'], ['x', 'y']]);
    expect(() => krippendorffAlpha(strings, 'ordinal')).toThrow(TypeError);
    expect(() => krippendorffAlpha(strings, 'interval')).toThrow(/numeric/);
    const negative = fromCoderRows(['a', 'b'], [[-1, 2], [1, 2]]);
    expect(() => krippendorffAlpha(negative, 'ratio')).toThrow(RangeError);
    expect(value(krippendorffAlpha(negative, 'interval'))).toBeLessThanOrEqual(1);
  });

  it('rejects ragged rows and non-finite numbers', () => {
    expect(() => krippendorffAlpha({ coders: ['a', 'b'], units: [[1]] })).toThrow(/expected 2/);
    expect(() => krippendorffAlpha({ coders: ['a', 'b'], units: [[1, Number.NaN]] })).toThrow(/non-finite/);
  });

  it('ordinal uses only the rank order of the values that occur', () => {
    // Relabelling 1..5 as 10, 20, 35, 70, 1000 keeps the order, so ordinal α is the same.
    const map = new Map([[1, 10], [2, 20], [3, 35], [4, 70], [5, 1000]]);
    const stretched = { coders: K2011.coders, units: K2011.units.map((u) => u.map((v) => (v === null ? null : map.get(v as number)!))) };
    expect(value(krippendorffAlpha(stretched, 'ordinal'))).toBeCloseTo(value(krippendorffAlpha(K2011, 'ordinal')), 12);
  });
});
