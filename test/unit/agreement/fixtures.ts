// Published worked examples used by the agreement tests, with their sources.
import type { Cell, ReliabilityData, Value } from '../../../server/core/agreement/index.js';

/** Builds units × coders data from one row of values per coder. */
export function fromCoderRows(coders: string[], rows: Cell[][]): ReliabilityData {
  const n = rows[0]!.length;
  for (const r of rows) if (r.length !== n) throw new Error('ragged fixture');
  return { coders, units: Array.from({ length: n }, (_, u) => rows.map((r) => r[u]!)) };
}

/** Two-coder data from a list of [count, value of coder 1, value of coder 2]. */
export function fromPairCounts(pairs: [number, Value, Value][]): ReliabilityData {
  const units: Cell[][] = [];
  for (const [count, a, b] of pairs) for (let i = 0; i < count; i++) units.push([a, b]);
  return { coders: ['coder1', 'coder2'], units };
}

/**
 * Data from a subjects × categories table of counts (Fleiss' layout): each
 * subject becomes a unit whose coders gave category j+1 as often as counted.
 */
export function fromCountTable(table: number[][]): ReliabilityData {
  const m = table[0]!.reduce((a, b) => a + b, 0);
  const units = table.map((row) => {
    const cells: Cell[] = [];
    row.forEach((count, j) => {
      for (let i = 0; i < count; i++) cells.push(j + 1);
    });
    if (cells.length !== m) throw new Error('subjects need the same number of raters');
    return cells;
  });
  return { coders: Array.from({ length: m }, (_, i) => `r${i + 1}`), units };
}

/**
 * Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the
 * 4 observers × 12 units example with missing data (also Krippendorff 2004,
 * p. 230; fast-krippendorff tests; DKPro Krippendorff2004Test).
 * Nominal .743 (D_o .200, D_e .779), ordinal .815, interval .849, ratio .797.
 */
export const K2011_ROWS: Cell[][] = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
  [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null],
];
export const K2011 = fromCoderRows(['A', 'B', 'C', 'D'], K2011_ROWS);

/** The same example as CSV (coders as columns, `.` cells left empty). */
export const K2011_CSV = ['A,B,C,D', ...K2011.units.map((u) => u.map((v) => (v === null ? '' : String(v))).join(','))].join('\n') + '\n';

/**
 * Wikipedia, "Krippendorff's alpha", computational example: 3 coders × 15
 * units (data as in fast-krippendorff's sample.py and tests/test_krippendorff.py):
 * nominal 0.691358, interval 0.810845.
 */
export const WIKIPEDIA_ALPHA = fromCoderRows(
  ['A', 'B', 'C'],
  [
    [null, null, null, null, null, 3, 4, 1, 2, 1, 1, 3, 3, null, 3],
    [1, null, 2, 1, 3, 3, 4, 3, null, null, null, null, null, null, null],
    [null, null, 2, 1, 3, 4, 4, null, 2, 1, 1, 3, 3, null, 4],
  ],
);

/**
 * Hayes & Krippendorff (2007), "Answering the call for a standard reliability
 * measure for coding data", p. 84: 5 observers × 40 units, ordinal α = .7598
 * (data as in DKPro Statistics HayesKrippendorff2007Test).
 */
export const HAYES_KRIPPENDORFF_2007: ReliabilityData = {
  coders: ['o1', 'o2', 'o3', 'o4', 'o5'],
  units: [
    [1, 1, 2, null, 2], [1, 1, 0, 1, null], [2, 3, 3, 3, null], [null, 0, 0, null, 0],
    [0, 0, 0, null, 0], [0, 0, 0, null, 0], [1, 0, 2, null, 1], [1, null, 2, 0, null],
    [2, 2, 2, null, 2], [2, 1, 1, 1, null], [null, 1, 0, 0, null], [0, 0, 0, 0, null],
    [1, 2, 2, 2, null], [3, 3, 2, 2, 3], [1, 1, 1, null, 1], [1, 1, 1, null, 1],
    [2, 1, 2, null, 2], [1, 2, 3, 3, null], [1, 1, 0, 1, null], [0, 0, 0, null, 0],
    [0, 0, 1, 1, null], [0, 0, null, 0, 0], [2, 3, 3, 3, null], [0, 0, 0, 0, null],
    [1, 2, null, 2, 2], [0, 1, 1, 1, null], [0, 0, 0, 1, 0], [1, 2, 1, 2, null],
    [1, 1, 2, 2, null], [1, 1, 2, null, 2], [1, 1, 0, null, 0], [2, 1, 2, 1, null],
    [2, 2, null, 2, 2], [3, 2, 2, 2, null], [2, 2, 2, null, 2], [2, 2, 3, null, 2],
    [2, 2, 2, null, 2], [2, 2, null, 1, 2], [2, 2, 2, 2, null], [1, 1, 1, null, 1],
  ],
};

/**
 * Fleiss' kappa worked example (Wikipedia "Fleiss' kappa"; statsmodels
 * test_inter_rater.py `table1`): 10 subjects × 14 raters × 5 categories.
 * P̄ = .378, P_e = .213, κ = .210.
 */
export const WIKIPEDIA_FLEISS = fromCountTable([
  [0, 0, 0, 0, 14],
  [0, 2, 6, 4, 2],
  [0, 0, 3, 5, 6],
  [0, 3, 9, 2, 0],
  [2, 2, 8, 1, 1],
  [7, 7, 0, 0, 0],
  [3, 2, 6, 3, 0],
  [2, 5, 3, 2, 2],
  [6, 5, 2, 1, 0],
  [0, 2, 2, 3, 7],
]);

/**
 * Fleiss (1971), 30 patients × 6 psychiatrists, 5 diagnoses; R irr dataset
 * `diagnoses` (as integers 1..5 in statsmodels test_inter_rater.py; Fleiss
 * published only the counts, so each row is sorted). irr::kappam.fleiss = 0.4302445.
 */
export const FLEISS_1971: ReliabilityData = {
  coders: ['rater1', 'rater2', 'rater3', 'rater4', 'rater5', 'rater6'],
  units: [
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
  ],
};

/**
 * R irr dataset `anxiety`: 20 subjects rated 1..6 by 3 raters (values as in
 * statsmodels test_inter_rater.py and DescTools' KendallW example).
 * irr::kappa2(anxiety[,2:3]) = −0.006289308, "equal" (linear) 0.1459075,
 * "squared" 0.2520325 (statsmodels test_cohens_kappa_irr). Rater 2 and 3
 * never use 5, so irr's weights run over the 5 levels 1,2,3,4,6.
 */
export const ANXIETY = fromCoderRows(
  ['rater1', 'rater2', 'rater3'],
  [
    [3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3],
    [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4],
    [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2],
  ],
);

/** Only the columns `coders` (by index) of the data. */
export function selectCoders(data: ReliabilityData, coders: number[]): ReliabilityData {
  return { coders: coders.map((c) => data.coders[c]!), units: data.units.map((u) => coders.map((c) => u[c]!)) };
}
