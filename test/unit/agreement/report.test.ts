import { describe, expect, it } from 'vitest';

import {
  agreementReport,
  bootstrapAlpha,
  krippendorffAlpha,
  mulberry32,
  quantileSorted,
  type Cell,
  type ReliabilityData,
} from '../../../server/core/agreement/index.js';
import { ANXIETY, K2011, fromCoderRows, selectCoders } from './fixtures.js';

describe('bootstrap interval for alpha', () => {
  it('is reproducible with the same seed and brackets alpha on the K2011 data', () => {
    const a = bootstrapAlpha(K2011, 'nominal', { seed: 42, resamples: 500 });
    const b = bootstrapAlpha(K2011, 'nominal', { seed: 42, resamples: 500 });
    expect(a).toEqual(b);
    const c = bootstrapAlpha(K2011, 'nominal', { seed: 43, resamples: 500 });
    expect(c).not.toEqual(a);
    if (a.low === null) throw new Error(a.reason);
    expect(a.resamples).toBe(500);
    expect(a.seed).toBe(42);
    expect(a.low).toBeLessThanOrEqual(a.high);
    expect(a.low).toBeLessThan(0.743);
    expect(a.high).toBeGreaterThan(0.743);
    expect(a.high).toBeLessThanOrEqual(1);
  });

  it('equals α recomputed from scratch on each resample of pairable units', () => {
    // Naive reference: same PRNG stream, same draws, α recomputed from the raw rows.
    const pairable = K2011.units.filter((u) => u.filter((v) => v !== null).length >= 2);
    for (const level of ['nominal', 'ordinal', 'interval', 'ratio'] as const) {
      const random = mulberry32(5);
      const alphas: number[] = [];
      for (let s = 0; s < 300; s++) {
        const units = pairable.map(() => pairable[Math.floor(random() * pairable.length)]!);
        const a = krippendorffAlpha({ coders: K2011.coders, units }, level);
        if (a.value !== null) alphas.push(a.value);
      }
      alphas.sort((x, y) => x - y);
      const ci = bootstrapAlpha(K2011, level, { seed: 5, resamples: 300 });
      if (ci.low === null) throw new Error(ci.reason);
      expect(ci.low).toBeCloseTo(quantileSorted(alphas, 0.025), 10);
      expect(ci.high).toBeCloseTo(quantileSorted(alphas, 0.975), 10);
      expect(ci.undefined_resamples ?? 0).toBe(300 - alphas.length);
    }
  });

  it('works at every level', () => {
    for (const level of ['ordinal', 'interval', 'ratio'] as const) {
      const ci = bootstrapAlpha(K2011, level, { resamples: 200 });
      if (ci.low === null) throw new Error(ci.reason);
      expect(ci.low).toBeLessThanOrEqual(ci.high);
    }
  });

  it('perfect agreement gives [1, 1]; undefined alpha gives an undefined interval', () => {
    const perfect = fromCoderRows(['a', 'b'], [[1, 2, 3, 1], [1, 2, 3, 1]]);
    expect(bootstrapAlpha(perfect, 'nominal', { resamples: 50 })).toMatchObject({ low: 1, high: 1 });
    const flat = fromCoderRows(['a', 'b'], [['x', 'x'], ['x', 'x']]);
    const ci = bootstrapAlpha(flat);
    expect(ci.low).toBeNull();
    expect(ci.low === null && ci.reason).toMatch(/no variation/);
  });

  it('mulberry32 is deterministic and in [0, 1); quantiles interpolate (R type 7)', () => {
    const r1 = mulberry32(7);
    const r2 = mulberry32(7);
    for (let i = 0; i < 1000; i++) {
      const x = r1();
      expect(x).toBe(r2());
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
    // R: quantile(c(1, 2, 3, 4), c(.025, .975)) = 1.075, 3.925
    expect(quantileSorted([1, 2, 3, 4], 0.025)).toBeCloseTo(1.075, 12);
    expect(quantileSorted([1, 2, 3, 4], 0.975)).toBeCloseTo(3.925, 12);
  });
});

describe('agreementReport', () => {
  it('K2011 4×12 at the nominal level', () => {
    const r = agreementReport(K2011, 'nominal', { bootstrap: { resamples: 100 } });
    expect(r.units).toBe(12);
    expect(r.coders).toBe(4);
    expect(r.pairable_units).toBe(11);
    expect(r.pairable_values).toBe(40);
    expect(r.marginals).toEqual([
      { value: 1, count: 9 },
      { value: 2, count: 13 },
      { value: 3, count: 10 },
      { value: 4, count: 5 },
      { value: 5, count: 3 },
    ]);
    expect(r.statistics.krippendorff_alpha.value).toBeCloseTo(0.743, 3);
    expect(r.statistics.cohen_kappa).toEqual({ value: null, reason: 'needs exactly two coders' });
    expect(r.statistics.scott_pi).toEqual({ value: null, reason: 'needs exactly two coders' });
    expect(r.statistics.fleiss_kappa.dropped_units).toBe(4);
    expect(r.statistics.observed_agreement.value).toBeCloseTo(0.8, 3);
    expect(r.statistics.weighted_kappa_linear).toBeUndefined();
    expect(Object.keys(r.statistics).sort()).toEqual(
      ['cohen_kappa', 'fleiss_kappa', 'gwet_ac1', 'krippendorff_alpha', 'krippendorff_alpha_ci95', 'observed_agreement', 'scott_pi'].sort(),
    );
  });

  it('adds weighted kappa for two coders at numeric levels only', () => {
    const two = selectCoders(ANXIETY, [1, 2]);
    const ordinal = agreementReport(two, 'ordinal', { bootstrap: { resamples: 50 } });
    // irr::kappa2(anxiety[,2:3], "equal") = 0.1459075, "squared" = 0.2520325.
    expect(ordinal.statistics.weighted_kappa_linear?.value).toBeCloseTo(0.1459075, 6);
    expect(ordinal.statistics.weighted_kappa_quadratic?.value).toBeCloseTo(0.2520325, 6);
    expect(agreementReport(two, 'nominal', { bootstrap: { resamples: 50 } }).statistics.weighted_kappa_linear).toBeUndefined();
  });

  it('rejects strings at numeric levels', () => {
    const data = fromCoderRows(['a', 'b'], [['x', 'y'], ['x', 'y']]);
    expect(() => agreementReport(data, 'interval')).toThrow(TypeError);
  });

  it('50 coders × 30,000 units: report with 1000 resamples in seconds, not minutes', () => {
    // Binary coding with 20 % missing cells; every unit has a "true" value that coders
    // reproduce 85 % of the time.
    const random = mulberry32(2024);
    const coders = Array.from({ length: 50 }, (_, i) => `coder${i}`);
    const units: Cell[][] = [];
    for (let u = 0; u < 30000; u++) {
      const truth = random() < 0.3 ? 1 : 0;
      const row: Cell[] = [];
      for (let c = 0; c < 50; c++) row.push(random() < 0.2 ? null : random() < 0.85 ? truth : 1 - truth);
      units.push(row);
    }
    const data: ReliabilityData = { coders, units };
    const started = performance.now();
    const report = agreementReport(data, 'nominal');
    const elapsed = performance.now() - started;
    expect(report.statistics.krippendorff_alpha.value).toBeGreaterThan(0.3);
    expect(report.statistics.krippendorff_alpha_ci95.low).not.toBeNull();
    expect(elapsed).toBeLessThan(20000);
    // Ordinal recomputes the metric in every resample; still fast.
    const t2 = performance.now();
    agreementReport(data, 'ordinal', { bootstrap: { resamples: 200 } });
    expect(performance.now() - t2).toBeLessThan(20000);
    expect(krippendorffAlpha(data, 'interval').value).toBeCloseTo(report.statistics.krippendorff_alpha.value!, 10);
  }, 60000);
});
