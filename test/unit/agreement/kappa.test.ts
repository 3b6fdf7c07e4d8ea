import { describe, expect, it } from 'vitest';

import {
  cohenKappa,
  fleissKappa,
  gwetAC1,
  krippendorffAlpha,
  observedAgreement,
  scottPi,
  weightedKappa,
  type Statistic,
} from '../../../server/core/agreement/index.js';
import {
  ANXIETY,
  FLEISS_1971,
  K2011,
  WIKIPEDIA_FLEISS,
  fromCoderRows,
  fromPairCounts,
  selectCoders,
} from './fixtures.js';

function value(s: Statistic): number {
  if (s.value === null) throw new Error(`undefined statistic: ${s.reason}`);
  return s.value;
}

// Artstein & Poesio (2008) p. 558, STAT/IReq, 100 items (DKPro ArtsteinPoesio2008Test.createExample1).
const AP_EXAMPLE_1 = fromPairCounts([
  [20, 'STAT', 'STAT'], [20, 'IReq', 'STAT'], [10, 'STAT', 'IReq'], [50, 'IReq', 'IReq'],
]);
// Artstein & Poesio (2008) p. 568, STAT/IReq/Chck, 100 items (createExample2).
const AP_EXAMPLE_2 = fromPairCounts([
  [46, 'STAT', 'STAT'], [6, 'IReq', 'STAT'], [32, 'IReq', 'IReq'], [6, 'IReq', 'Chck'], [10, 'Chck', 'Chck'],
]);

describe("Cohen's kappa", () => {
  // Wikipedia "Cohen's kappa" worked example (agreement.md): 50 items, both yes 20,
  // A yes/B no 5, A no/B yes 10, both no 15: p_o .70, p_e .50, κ .40.
  it('Wikipedia 2×2: .40', () => {
    const data = fromPairCounts([[20, 'yes', 'yes'], [5, 'yes', 'no'], [10, 'no', 'yes'], [15, 'no', 'no']]);
    expect(value(cohenKappa(data))).toBeCloseTo(0.4, 3);
    expect(value(observedAgreement(data))).toBeCloseTo(0.7, 3);
  });

  // Artstein & Poesio (2008) p. 558: A_o .7, κ .348, π .341 (DKPro ArtsteinPoesio2008Test).
  it('Artstein & Poesio 2008 example 1: κ .348, π .341, A_o .700', () => {
    expect(value(cohenKappa(AP_EXAMPLE_1))).toBeCloseTo(0.348, 3);
    expect(value(scottPi(AP_EXAMPLE_1))).toBeCloseTo(0.341, 3);
    expect(value(observedAgreement(AP_EXAMPLE_1))).toBeCloseTo(0.7, 3);
  });

  // Artstein & Poesio (2008) p. 568: A_o .88, κ .8013, π .7995 (DKPro ArtsteinPoesio2008Test).
  it('Artstein & Poesio 2008 example 2: κ .8013, π .7995, A_o .880', () => {
    expect(value(cohenKappa(AP_EXAMPLE_2))).toBeCloseTo(0.8013, 3);
    expect(value(scottPi(AP_EXAMPLE_2))).toBeCloseTo(0.7995, 3);
    expect(value(observedAgreement(AP_EXAMPLE_2))).toBeCloseTo(0.88, 3);
  });

  // Krippendorff (2004) p. 246, the kappa paradox: same A_o .46, π .186 in both tables,
  // κ .186 vs .258 because the marginals differ (DKPro Krippendorff2004Test.testOtherCoefficients).
  it('K2004 p.246 paradox: κ .186 vs .258 with A_o .460', () => {
    const a = fromPairCounts([
      [12, 'a', 'a'], [9, 'a', 'b'], [9, 'a', 'c'], [9, 'b', 'a'], [14, 'b', 'b'], [9, 'b', 'c'],
      [9, 'c', 'a'], [9, 'c', 'b'], [20, 'c', 'c'],
    ]);
    const b = fromPairCounts([[12, 'a', 'a'], [18, 'a', 'b'], [18, 'a', 'c'], [14, 'b', 'b'], [18, 'b', 'c'], [20, 'c', 'c']]);
    expect(value(observedAgreement(a))).toBeCloseTo(0.46, 3);
    expect(value(observedAgreement(b))).toBeCloseTo(0.46, 3);
    expect(value(scottPi(a))).toBeCloseTo(0.186, 3);
    expect(value(scottPi(b))).toBeCloseTo(0.186, 3);
    expect(value(cohenKappa(a))).toBeCloseTo(0.186, 3);
    expect(value(cohenKappa(b))).toBeCloseTo(0.258, 3);
  });

  // SAS example in statsmodels test_inter_rater.py (table10 = [[0,4,1],[0,8,0],[0,1,5]]):
  // simple κ .4842, weighted κ with weights [0,1,2] (linear over the 3 levels) .4701.
  it('SAS example: κ .4842, linear weighted κ .4701', () => {
    const data = fromPairCounts([
      [4, 1, 2], [1, 1, 3], [8, 2, 2], [1, 3, 2], [5, 3, 3],
    ]);
    expect(value(cohenKappa(data))).toBeCloseTo(0.4842, 3);
    expect(value(weightedKappa(data, 'linear'))).toBeCloseTo(0.4701, 3);
  });

  // R irr `anxiety`, raters 2 and 3 (statsmodels test_cohens_kappa_irr, from irr::kappa2):
  // unweighted −0.006289308, "equal" (linear) 0.1459075, "squared" (quadratic) 0.2520325.
  // Level 5 is unused, so the weights run over the ranks of 1,2,3,4,6.
  it('irr anxiety[,2:3]: κ −0.006289, linear .1459075, quadratic .2520325', () => {
    const data = selectCoders(ANXIETY, [1, 2]);
    expect(value(cohenKappa(data))).toBeCloseTo(-0.006289308, 6);
    expect(value(weightedKappa(data, 'linear'))).toBeCloseTo(0.1459075, 6);
    expect(value(weightedKappa(data, 'quadratic'))).toBeCloseTo(0.2520325, 6);
  });

  it('drops incomplete units and reports how many', () => {
    const data = fromCoderRows(['a', 'b'], [
      ['y', 'y', 'n', 'n', 'y', null, 'n'],
      ['y', 'n', 'n', 'n', 'y', 'y', null],
    ]);
    const k = cohenKappa(data);
    expect(k.dropped_units).toBe(2);
    // Complete units: yy, yn, nn, nn, yy → p_o .8, p_e (3·2 + 2·3)/25 = .48.
    expect(value(k)).toBeCloseTo((0.8 - 0.48) / 0.52, 10);
    expect(scottPi(data).dropped_units).toBe(2);
    expect(weightedKappa(fromCoderRows(['a', 'b'], [[1, 2, null], [1, 2, 2]]), 'linear').dropped_units).toBe(1);
  });

  it('undefined cases', () => {
    expect(cohenKappa(K2011)).toEqual({ value: null, reason: 'needs exactly two coders' });
    expect(scottPi(K2011)).toEqual({ value: null, reason: 'needs exactly two coders' });
    expect(weightedKappa(K2011, 'linear')).toEqual({ value: null, reason: 'needs exactly two coders' });
    // p_e = 1: both coders used one category.
    const same = fromCoderRows(['a', 'b'], [['x', 'x'], ['x', 'x']]);
    expect(cohenKappa(same).value).toBeNull();
    expect(scottPi(same).value).toBeNull();
    expect(weightedKappa(fromCoderRows(['a', 'b'], [[3, 3], [3, 3]]), 'quadratic').value).toBeNull();
    // No complete unit left.
    const gaps = fromCoderRows(['a', 'b'], [['x', null], [null, 'y']]);
    const k = cohenKappa(gaps);
    expect(k.value).toBeNull();
    expect(k.dropped_units).toBe(2);
    expect(k.value === null && k.reason).toMatch(/no complete unit/);
  });

  it('weighted κ needs numbers', () => {
    expect(() => weightedKappa(AP_EXAMPLE_1, 'linear')).toThrow(TypeError);
  });
});

describe("Scott's pi and its relation to alpha", () => {
  // Krippendorff (1995) digitized example A, 24 units (DKPro Krippendorff1995Test):
  // κ .385, π .314, α .329 — skewed marginals pull π below κ.
  it('K1995 example A: κ .385, π .314', () => {
    const data = fromCoderRows(['Bertha', 'Bill'], [
      [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0],
      [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0],
    ]);
    expect(value(cohenKappa(data))).toBeCloseTo(0.385, 3);
    expect(value(scottPi(data))).toBeCloseTo(0.314, 3);
    // Two coders, no gaps: α = π + (1 − π)/(2n) with n = 24 units.
    const pi = value(scottPi(data));
    expect(value(krippendorffAlpha(data))).toBeCloseTo(pi + (1 - pi) / (2 * 24), 12);
  });
});

describe("Fleiss' kappa", () => {
  // Wikipedia "Fleiss' kappa" worked example, 10 subjects × 14 raters: P̄ .378, κ .210
  // (also statsmodels test_fleiss_kappa).
  it('Wikipedia 10×14: κ .210, P̄ .378', () => {
    expect(value(fleissKappa(WIKIPEDIA_FLEISS))).toBeCloseTo(0.21, 3);
    expect(value(observedAgreement(WIKIPEDIA_FLEISS))).toBeCloseTo(0.378, 3);
  });

  // Fleiss (1971), irr `diagnoses`: irr::kappam.fleiss = 0.4302445 (statsmodels test_fleiss_kappa_irr).
  it('Fleiss 1971 30×6 (irr diagnoses): .4302445', () => {
    expect(value(fleissKappa(FLEISS_1971))).toBeCloseTo(0.4302445, 6);
  });

  it('with two coders equals Scott π', () => {
    expect(value(fleissKappa(AP_EXAMPLE_2))).toBeCloseTo(value(scottPi(AP_EXAMPLE_2)), 12);
  });

  it('drops incomplete units; undefined cases', () => {
    // K2011 4×12: units 1, 10, 11, 12 have gaps.
    const k = fleissKappa(K2011);
    expect(k.dropped_units).toBe(4);
    expect(k.value).not.toBeNull();
    expect(fleissKappa({ coders: ['a'], units: [[1]] })).toEqual({ value: null, reason: 'needs at least two coders' });
    expect(fleissKappa(fromCoderRows(['a', 'b', 'c'], [[1, 1], [1, 1], [1, 1]])).value).toBeNull();
    const none = fleissKappa(fromCoderRows(['a', 'b'], [[1, null], [null, 2]]));
    expect(none.value).toBeNull();
    expect(none.dropped_units).toBe(2);
  });
});

describe("Gwet's AC1", () => {
  // irrCAC 1.4 gwet.ac1.raw on the skewed 2×2 table [[80,7],[8,5]] (DKPro Statistics
  // test resource gwet/fixture_01_paradox_2x2.json): p_a .85, p_e .21875, AC1 .808.
  it('irrCAC paradox table: .808', () => {
    const data = fromPairCounts([[80, 1, 1], [7, 1, 2], [8, 2, 1], [5, 2, 2]]);
    expect(value(gwetAC1(data))).toBeCloseTo((0.85 - 0.21875) / (1 - 0.21875), 10);
    expect(value(gwetAC1(data))).toBeCloseTo(0.808, 3);
  });

  // Gwet (2008) via DKPro Gwet2008Test.testHandExample: 8 yy, 1 nn, 1 yn → AC1 .8658, π .6078.
  it('DKPro hand example: AC1 .8658 while π .6078', () => {
    const data = fromPairCounts([[8, 'y', 'y'], [1, 'n', 'n'], [1, 'y', 'n']]);
    expect(value(gwetAC1(data))).toBeCloseTo(0.8658, 3);
    expect(value(scottPi(data))).toBeCloseTo(0.6078, 3);
  });

  it('single-coder units do not change p_a (DKPro Gwet2008Test missing values)', () => {
    const data = fromPairCounts([[8, 'y', 'y'], [1, 'n', 'n'], [1, 'y', 'n']]);
    const withGaps = { coders: data.coders, units: [...data.units, ['y', null], ['y', null], ['n', null]] };
    const ac1 = gwetAC1(withGaps);
    expect(ac1.value).not.toBeNull();
    expect(observedAgreement(withGaps)).toEqual(observedAgreement(data));
  });

  it('undefined with one category or no pairable unit', () => {
    expect(gwetAC1(fromCoderRows(['a', 'b'], [['y', 'y'], ['y', 'y']])).value).toBeNull();
    expect(gwetAC1(fromCoderRows(['a', 'b'], [['y', null], [null, 'n']])).value).toBeNull();
    expect(gwetAC1({ coders: ['a'], units: [['y'], ['n']] }).value).toBeNull();
  });
});

describe('observed agreement', () => {
  // Krippendorff (2004) p. 230 / (2011) 4×12: value-weighted A_o = .800 (DKPro
  // Krippendorff2004Test.testMultipleRatersMissingValues); the mean per unit would be .818.
  it('K2011 4×12: .800', () => {
    expect(value(observedAgreement(K2011))).toBeCloseTo(0.8, 3);
  });

  // Krippendorff (2004) p. 227 (DKPro PercentageAgreement): .833.
  it('K2004 p.227: .833', () => {
    const data = fromPairCounts([[1, 'a', 'a'], [1, 'a', 'b'], [4, 'b', 'b'], [1, 'b', 'c'], [5, 'c', 'c']]);
    expect(value(observedAgreement(data))).toBeCloseTo(0.833, 3);
  });

  it('undefined without pairable units', () => {
    expect(observedAgreement(fromCoderRows(['a', 'b'], [[1, null], [null, 1]])).value).toBeNull();
  });
});
