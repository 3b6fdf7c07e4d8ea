// Agreement statistics for Framelens: pure functions, no I/O.
// See each module for the exact variant of each statistic.

export {
  LEVELS,
  REASONS,
  coincidenceMatrix,
  compareValues,
  defined,
  isLevel,
  pairableMarginals,
  tabulate,
  tabulateCodes,
  tabulateCounts,
  undefinedStatistic,
  validateReliabilityData,
  type Cell,
  type Level,
  type ReliabilityData,
  type Statistic,
  type Tabulation,
  type Value,
} from './reliability.js';
export { krippendorffAlpha, krippendorffAlphaDetails, type AlphaDetails } from './alpha.js';
export {
  cohenKappa,
  fleissKappa,
  gwetAC1,
  observedAgreement,
  scottPi,
  weightedKappa,
  type KappaWeights,
} from './kappa.js';
export {
  DEFAULT_RESAMPLES,
  DEFAULT_SEED,
  bootstrapAlpha,
  mulberry32,
  quantileSorted,
  type AlphaInterval,
  type BootstrapOptions,
} from './bootstrap.js';
export {
  unitizingAlpha,
  unitizingAlphaColumns,
  type CoderSpan,
  type UnitizingColumns,
  type UnitizingCategory,
  type UnitizingData,
  type UnitizingResult,
} from './unitizing.js';
export {
  exactSpanF1,
  exactSpanF1Documents,
  exactSums,
  mergeOverlappingSpans,
  overlapSpanF1,
  overlapSpanF1Documents,
  overlapSums,
  spanF1FromSums,
  type SpanF1Result,
  type SpanPair,
  type SpanSums,
  type TextSpan,
} from './span-f1.js';
export {
  agreementReport,
  tabulationReport,
  type AgreementReport,
  type AgreementStatistics,
  type ReportOptions,
} from './report.js';
export { CsvError, parseCsvRecords, parseReliabilityCsv, type ParsedReliabilityCsv } from './csv.js';
