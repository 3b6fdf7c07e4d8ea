// One call that computes every statistic that applies to reliability data at a
// level of measurement. The data are tabulated once and shared.

import { krippendorffAlphaDetails } from './alpha.js';
import { bootstrapAlpha, type AlphaInterval, type BootstrapOptions } from './bootstrap.js';
import { cohenKappa, fleissKappa, gwetAC1, observedAgreement, scottPi, weightedKappa } from './kappa.js';
import {
  pairableMarginals,
  tabulate,
  type Level,
  type ReliabilityData,
  type Statistic,
  type Tabulation,
  type Value,
} from './reliability.js';

export interface AgreementStatistics {
  krippendorff_alpha: Statistic;
  /** Bootstrap percentile interval for α (see bootstrap.ts). */
  krippendorff_alpha_ci95: AlphaInterval;
  cohen_kappa: Statistic;
  scott_pi: Statistic;
  fleiss_kappa: Statistic;
  gwet_ac1: Statistic;
  observed_agreement: Statistic;
  /** Only for two coders at the ordinal, interval or ratio level. */
  weighted_kappa_linear?: Statistic;
  /** Only for two coders at the ordinal, interval or ratio level. */
  weighted_kappa_quadratic?: Statistic;
}

export interface AgreementReport {
  units: number;
  coders: number;
  /** Units with values from two or more coders. */
  pairable_units: number;
  /** Values in pairable units (n in Krippendorff's notation). */
  pairable_values: number;
  level: Level;
  /** D_o and D_e of α (null when undefined). */
  observed_disagreement: number | null;
  expected_disagreement: number | null;
  /** Pairable values by value (the coincidence-matrix marginals). */
  marginals: { value: Value; count: number }[];
  statistics: AgreementStatistics;
}

export interface ReportOptions {
  /** Bootstrap settings; defaults: 1000 resamples, seed 1. */
  bootstrap?: BootstrapOptions;
  /**
   * An interval for α computed by the caller (say, resampling clusters of units rather than
   * units), reported instead of the unit bootstrap, which is then not run.
   */
  interval?: AlphaInterval;
}

/**
 * Every statistic that applies, in one object. Throws (TypeError/RangeError)
 * if the data are malformed or the values do not fit the level (e.g. a
 * string at the interval level); statistics that are merely undefined for
 * the data come back as `{ value: null, reason }`.
 */
export function agreementReport(data: ReliabilityData, level: Level = 'nominal', options: ReportOptions = {}): AgreementReport {
  return tabulationReport(tabulate(data), level, options);
}

/** {@link agreementReport} for data already tabulated (see `tabulateCodes`). */
export function tabulationReport(tab: Tabulation, level: Level = 'nominal', options: ReportOptions = {}): AgreementReport {
  const alpha = krippendorffAlphaDetails(tab, level);
  const statistics: AgreementStatistics = {
    krippendorff_alpha: alpha.alpha,
    krippendorff_alpha_ci95: options.interval ?? bootstrapAlpha(tab, level, options.bootstrap),
    cohen_kappa: cohenKappa(tab),
    scott_pi: scottPi(tab),
    fleiss_kappa: fleissKappa(tab),
    gwet_ac1: gwetAC1(tab),
    observed_agreement: observedAgreement(tab),
  };
  if (level !== 'nominal' && tab.coderCount === 2) {
    statistics.weighted_kappa_linear = weightedKappa(tab, 'linear');
    statistics.weighted_kappa_quadratic = weightedKappa(tab, 'quadratic');
  }
  return {
    units: tab.unitCount,
    coders: tab.coderCount,
    pairable_units: tab.pairableUnits,
    pairable_values: tab.pairableValues,
    level,
    observed_disagreement: alpha.observed_disagreement,
    expected_disagreement: alpha.expected_disagreement,
    marginals: pairableMarginals(tab),
    statistics,
  };
}
