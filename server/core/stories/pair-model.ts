// The probability that two sentences of different outlets belong linked: a logistic model over
// a few features of the pair (align.ts computes them). Fitting is here too, pure, so that the
// fit script (bench/align-tuning.ts), the cross-validation in the bench and the test that pins
// the shipped weights all run the same code; the app itself only evaluates the model.

/** The pair features, in the order of a feature row. */
export const PAIR_FEATURES = [
  /** Cosine of the two sentences' weighted terms (features.ts), 0–1. */
  'cosine',
  /** Distance of their relative positions in their articles, 0–1. */
  'distance',
  /** Mean cosine of the diagonal neighbours (the sentences before both, and after both). */
  'context',
  /** The cosine as a share of the best cosine of the first sentence with any of the other article's. */
  'rowShare',
  /** The same for the second sentence. */
  'columnShare',
  /** 1 when each is the other's best match. */
  'mutualBest',
  /** 1 for the two leads (both first sentences). */
  'bothLeads',
  /** 1 when either is its article's lead. */
  'eitherLead',
  /**
   * Anchors: shared numbers and non-name words that each of the two articles uses in this one
   * sentence only (capped at 3). A rare word both outlets use once pins a fact; a name does not.
   */
  'anchors',
  /** 1 when one is a lead and the other sits in the first third of its article (a lead sums up what follows). */
  'leadRegion',
] as const;

export type PairFeature = (typeof PAIR_FEATURES)[number];

export interface PairModel {
  weights: Record<PairFeature, number>;
  intercept: number;
}

/** The regularisation the shipped model is fitted with (leave-one-story-out on the tuning stories preferred 1 to 0.1, 3 and 10). */
export const DEFAULT_L2 = 1;

/** A training row: a pair's features (in PAIR_FEATURES order) and whether the gold links it. */
export interface TrainingPair {
  features: ArrayLike<number>;
  linked: boolean;
}

/** The model's probability for one feature row (`features[offset …]`, PAIR_FEATURES order). */
export function linkProbability(model: PairModel, features: ArrayLike<number>, offset = 0): number {
  let z = model.intercept;
  for (let k = 0; k < PAIR_FEATURES.length; k++) z += model.weights[PAIR_FEATURES[k]!] * (features[offset + k] ?? 0);
  return 1 / (1 + Math.exp(-z));
}

/**
 * L2-regularised logistic regression by Newton's method: minimises the summed log loss plus
 * `l2 / 2` times the squared weights (the intercept is not penalised). With `l2` > 0 the
 * objective is strictly convex, so the result does not depend on the order of the rows.
 */
export function fitPairModel(rows: readonly TrainingPair[], l2 = DEFAULT_L2, iterations = 50): PairModel {
  const d = PAIR_FEATURES.length + 1; // the last coefficient is the intercept
  const w = new Float64Array(d);
  const x = new Float64Array(d);
  for (let iteration = 0; iteration < iterations; iteration++) {
    const gradient = new Float64Array(d);
    const hessian = Array.from({ length: d }, () => new Float64Array(d));
    for (const row of rows) {
      for (let k = 0; k < d - 1; k++) x[k] = row.features[k] ?? 0;
      x[d - 1] = 1;
      let z = 0;
      for (let k = 0; k < d; k++) z += w[k]! * x[k]!;
      const p = 1 / (1 + Math.exp(-z));
      const error = p - (row.linked ? 1 : 0);
      const curvature = p * (1 - p);
      for (let k = 0; k < d; k++) {
        gradient[k]! += error * x[k]!;
        const line = hessian[k]!;
        for (let l = 0; l < d; l++) line[l]! += curvature * x[k]! * x[l]!;
      }
    }
    for (let k = 0; k < d - 1; k++) {
      gradient[k]! += l2 * w[k]!;
      hessian[k]![k]! += l2;
    }
    const step = solve(hessian, gradient);
    let largest = 0;
    for (let k = 0; k < d; k++) {
      w[k]! -= step[k]!;
      largest = Math.max(largest, Math.abs(step[k]!));
    }
    if (largest < 1e-10) break;
  }
  const weights = Object.fromEntries(PAIR_FEATURES.map((name, k) => [name, w[k]!])) as Record<PairFeature, number>;
  return { weights, intercept: w[d - 1]! };
}

/** Solves `a · x = b` by Gaussian elimination with partial pivoting (a small dense system). */
function solve(a: Float64Array[], b: Float64Array): Float64Array {
  const n = b.length;
  const m = a.map((row, k) => [...row, b[k]!]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    const top = m[c]!;
    if (top[c] === 0) continue; // a feature that never varies: leave its step at 0
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const row = m[r]!;
      const factor = row[c]! / top[c]!;
      if (factor !== 0) for (let k = c; k <= n; k++) row[k]! -= factor * top[k]!;
    }
  }
  return Float64Array.from(m, (row, k) => (row[k] === 0 ? 0 : row[n]! / row[k]!));
}
