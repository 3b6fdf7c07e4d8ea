// Reliability data: a units × coders matrix of values, `null` where a coder
// did not code a unit. Everything here is pure (no I/O) so that the web app,
// the CLI and the tests share one implementation.
//
// Vocabulary follows Krippendorff (2011), "Computing Krippendorff's
// Alpha-Reliability":
// - a unit is *pairable* when at least two coders gave it a value; only the
//   values in pairable units (the *pairable values*) enter α;
// - the *coincidence matrix* o_ck counts, over pairable units u with m_u
//   values, every ordered pair of values (c, k) from different coders,
//   weighted 1/(m_u − 1), so that each pairable value contributes exactly 1
//   and the marginals n_c are the numbers of pairable values equal to c.

/** A coded value: a category label (nominal) or a number. */
export type Value = string | number;

/** One cell of the matrix: a value, or `null` for missing. */
export type Cell = Value | null;

/** Krippendorff's levels of measurement. */
export type Level = 'nominal' | 'ordinal' | 'interval' | 'ratio';
export const LEVELS: readonly Level[] = ['nominal', 'ordinal', 'interval', 'ratio'];

export function isLevel(s: string): s is Level {
  return (LEVELS as readonly string[]).includes(s);
}

/**
 * Reliability data. `units[u][c]` is the value coder `coders[c]` gave unit `u`,
 * or `null`. Every row has exactly `coders.length` cells.
 */
export interface ReliabilityData {
  readonly coders: readonly string[];
  readonly units: readonly (readonly Cell[])[];
}

/**
 * The result of every statistic. A statistic that is undefined for the data
 * (no variation, no pairable unit, wrong number of coders, …) has
 * `value: null` and says why; it is never NaN and never a made-up 0 or 1.
 * `dropped_units` is set (when non-zero) by the statistics that need complete
 * units (Cohen's κ, Scott's π, weighted κ, Fleiss' κ): the number of units
 * left out because a coder's value was missing.
 */
export type Statistic =
  | { value: number; dropped_units?: number }
  | { value: null; reason: string; dropped_units?: number };

export function defined(value: number, droppedUnits = 0): Statistic {
  if (!Number.isFinite(value)) {
    // Defensive: every caller checks its denominators first.
    return undefinedStatistic('the statistic is not a finite number for these data', droppedUnits);
  }
  return droppedUnits > 0 ? { value, dropped_units: droppedUnits } : { value };
}

export function undefinedStatistic(reason: string, droppedUnits = 0): Statistic {
  return droppedUnits > 0 ? { value: null, reason, dropped_units: droppedUnits } : { value: null, reason };
}

/** Reasons shared by several statistics, so the wording stays the same everywhere. */
export const REASONS = {
  twoCoders: 'needs exactly two coders',
  atLeastTwoCoders: 'needs at least two coders',
  noPairable: 'no pairable unit (no unit has values from two or more coders)',
  noVariation: 'no variation: every pairable value is the same, so expected disagreement D_e = 0',
  chanceIsOne: 'chance agreement p_e = 1 (a single category was used), so the coefficient is 0/0',
  oneCategory: 'only one category occurs, so chance agreement is undefined',
  noUnits: 'no units',
} as const;

/** Throws if the matrix is not rectangular or holds something that is not a value. */
export function validateReliabilityData(data: ReliabilityData): void {
  const m = data.coders.length;
  data.units.forEach((row, u) => {
    if (row.length !== m) {
      throw new RangeError(`unit ${u + 1} has ${row.length} cells, expected ${m} (one per coder)`);
    }
    for (const cell of row) {
      if (cell === null) continue;
      if (typeof cell === 'number') {
        if (!Number.isFinite(cell)) throw new RangeError(`unit ${u + 1} has a non-finite number ${cell}`);
      } else if (typeof cell !== 'string') {
        throw new TypeError(`unit ${u + 1} has a value that is neither a string nor a number`);
      }
    }
  });
}

/** Orders values: numbers ascending, then strings in code-unit order. */
export function compareValues(a: Value, b: Value): number {
  if (typeof a === 'number') {
    if (typeof b === 'number') return a - b;
    return -1;
  }
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The data tabulated once, in flat typed arrays, so that every statistic of a
 * report is O(units × coders) and the bootstrap can reuse per-unit counts.
 *
 * Units with at least one value are stored in compressed rows: unit `i`
 * (0 ≤ i < `units.length`) has the distinct value indices
 * `valueIndex[offsets[i] .. offsets[i+1])` with their counts in `valueCount`,
 * `size[i]` values in all, and came from row `unitRow[i]` of the data.
 */
export interface Tabulation {
  readonly unitCount: number;
  readonly coderCount: number;
  /** Distinct values, sorted with {@link compareValues}. */
  readonly values: readonly Value[];
  /** True when every value is a number. */
  readonly numeric: boolean;
  /**
   * `codes[u * coderCount + c]` = index into `values`, or −1 for missing (Int8Array for up to 127
   * values). Only the two-coder statistics (Cohen's κ, Scott's π, weighted κ) read them: a
   * tabulation of more coders made by {@link tabulateCounts} without codes has none (empty).
   */
  readonly codes: Int32Array | Int8Array;
  /** Compressed rows of the units that have at least one value. */
  readonly rows: {
    readonly length: number;
    readonly offsets: Int32Array;
    readonly valueIndex: Int32Array;
    readonly valueCount: Int32Array;
    readonly size: Int32Array;
    readonly unitRow: Int32Array;
  };
  /** Units with two or more values. */
  readonly pairableUnits: number;
  /** Number of pairable values n (the total of the coincidence matrix). */
  readonly pairableValues: number;
  /** n_c: how many pairable values equal `values[c]`. */
  readonly marginals: Float64Array;
}

/** Tabulates the data (validating it first). O(units × coders). */
export function tabulate(data: ReliabilityData): Tabulation {
  validateReliabilityData(data);
  const unitCount = data.units.length;
  const coderCount = data.coders.length;

  // Distinct values, then sorted indices.
  const firstIndex = new Map<Value, number>();
  const distinct: Value[] = [];
  for (const row of data.units) {
    for (const cell of row) {
      if (cell !== null && !firstIndex.has(cell)) {
        firstIndex.set(cell, distinct.length);
        distinct.push(cell);
      }
    }
  }
  const values = [...distinct].sort(compareValues);
  const indexOf = new Map<Value, number>();
  values.forEach((v, i) => indexOf.set(v, i));

  const codes = new Int32Array(unitCount * coderCount);
  for (let u = 0; u < unitCount; u++) {
    const row = data.units[u]!;
    for (let c = 0; c < coderCount; c++) {
      const cell = row[c]!;
      codes[u * coderCount + c] = cell === null ? -1 : indexOf.get(cell)!;
    }
  }
  return tabulateCodes(codes, unitCount, coderCount, values);
}

/**
 * Tabulates data already coded as indexes into `values` (sorted with {@link compareValues}):
 * `codes[u * coderCount + c]`, −1 for missing. Lets callers with large, simple data (say 0/1
 * decisions of 50 annotators on 30,000 sentences) skip building a matrix of JavaScript values.
 */
export function tabulateCodes(codes: Int32Array | Int8Array, unitCount: number, coderCount: number, values: readonly Value[]): Tabulation {
  if (codes.length !== unitCount * coderCount) throw new RangeError('codes must have unitCount × coderCount entries');
  const numeric = values.every((v) => typeof v === 'number');
  const counts = new Int32Array(values.length);
  const touched: number[] = [];
  // Typed arrays sized for the worst case (every unit coded, every value in every unit, bounded by
  // the coders), then trimmed: large tabulations make no garbage of growing JS arrays.
  const perUnit = Math.min(values.length, coderCount);
  const offsets = new Int32Array(unitCount + 1);
  const valueIndex = new Int32Array(unitCount * perUnit);
  const valueCount = new Int32Array(unitCount * perUnit);
  const size = new Int32Array(unitCount);
  const unitRow = new Int32Array(unitCount);
  let rowCount = 0;
  let entries = 0;
  const marginals = new Float64Array(values.length);
  let pairableUnits = 0;
  let pairableValues = 0;

  for (let u = 0; u < unitCount; u++) {
    let m = 0;
    for (let c = 0; c < coderCount; c++) {
      const idx = codes[u * coderCount + c]!;
      if (idx < 0) continue;
      if (idx >= values.length) throw new RangeError(`code ${idx} has no value`);
      if (counts[idx] === 0) touched.push(idx);
      counts[idx]!++;
      m++;
    }
    if (m === 0) continue;
    touched.sort((a, b) => a - b);
    for (const idx of touched) {
      valueIndex[entries] = idx;
      valueCount[entries] = counts[idx]!;
      entries++;
      if (m >= 2) marginals[idx]! += counts[idx]!;
      counts[idx] = 0;
    }
    touched.length = 0;
    offsets[rowCount + 1] = entries;
    size[rowCount] = m;
    unitRow[rowCount] = u;
    rowCount++;
    if (m >= 2) {
      pairableUnits++;
      pairableValues += m;
    }
  }

  return {
    unitCount,
    coderCount,
    values,
    numeric,
    codes,
    rows: {
      length: rowCount,
      offsets: offsets.subarray(0, rowCount + 1),
      valueIndex: valueIndex.subarray(0, entries),
      valueCount: valueCount.subarray(0, entries),
      size: size.subarray(0, rowCount),
      unitRow: unitRow.subarray(0, rowCount),
    },
    pairableUnits,
    pairableValues,
    marginals,
  };
}

/**
 * {@link tabulateCodes} for a caller that already has every unit's value counts:
 * `counts[u * values.length + v]` coders gave unit `u` the value `values[v]`. The codes are not
 * read (a study's 0/1 decisions of 50 annotators on 360,000 units need not be written out and
 * scanned), only kept for the two-coder statistics: with more coders they may be left out (null).
 * The counts must be those of the codes.
 */
export function tabulateCounts(
  codes: Int32Array | Int8Array | null,
  unitCount: number,
  coderCount: number,
  values: readonly Value[],
  counts: Int32Array,
): Tabulation {
  if (codes === null && coderCount === 2) throw new RangeError('two coders need their codes (the two-coder statistics read them)');
  if (codes !== null && codes.length !== unitCount * coderCount) throw new RangeError('codes must have unitCount × coderCount entries');
  const v = values.length;
  if (counts.length !== unitCount * v) throw new RangeError('counts must have unitCount × values entries');
  const numeric = values.every((x) => typeof x === 'number');
  // Rows and entries counted first, so that every array has its exact size.
  let rows = 0;
  let distinct = 0;
  for (let u = 0; u < unitCount; u++) {
    let present = 0;
    for (let idx = 0; idx < v; idx++) if (counts[u * v + idx] !== 0) present++;
    if (present === 0) continue;
    rows++;
    distinct += present;
  }
  const offsets = new Int32Array(rows + 1);
  const valueIndex = new Int32Array(distinct);
  const valueCount = new Int32Array(distinct);
  const size = new Int32Array(rows);
  const unitRow = new Int32Array(rows);
  let rowCount = 0;
  let entries = 0;
  const marginals = new Float64Array(v);
  let pairableUnits = 0;
  let pairableValues = 0;
  for (let u = 0; u < unitCount; u++) {
    let m = 0;
    for (let idx = 0; idx < v; idx++) m += counts[u * v + idx]!;
    if (m === 0) continue;
    for (let idx = 0; idx < v; idx++) {
      const count = counts[u * v + idx]!;
      if (count === 0) continue;
      valueIndex[entries] = idx;
      valueCount[entries] = count;
      entries++;
      if (m >= 2) marginals[idx]! += count;
    }
    offsets[rowCount + 1] = entries;
    size[rowCount] = m;
    unitRow[rowCount] = u;
    rowCount++;
    if (m >= 2) {
      pairableUnits++;
      pairableValues += m;
    }
  }
  return {
    unitCount,
    coderCount,
    values,
    numeric,
    codes: codes ?? new Int8Array(0),
    rows: { length: rowCount, offsets, valueIndex, valueCount, size, unitRow },
    pairableUnits,
    pairableValues,
    marginals,
  };
}

/** Accepts either raw data or an existing tabulation. */
export function asTabulation(data: ReliabilityData | Tabulation): Tabulation {
  return 'codes' in data ? data : tabulate(data);
}

/** The pairable values with their counts (the marginals n_c), in value order. */
export function pairableMarginals(data: ReliabilityData | Tabulation): { value: Value; count: number }[] {
  const tab = asTabulation(data);
  const out: { value: Value; count: number }[] = [];
  tab.values.forEach((value, i) => {
    const count = tab.marginals[i]!;
    if (count > 0) out.push({ value, count });
  });
  return out;
}

/**
 * Krippendorff's coincidence matrix over the values that occur in pairable
 * units: `matrix[c][k]` = Σ_u (number of ordered pairs (c, k) of values from
 * different coders in u) / (m_u − 1). Row sums are the marginals n_c and the
 * grand total is the number of pairable values n. O(units × coders + V²).
 */
export function coincidenceMatrix(data: ReliabilityData | Tabulation): {
  values: Value[];
  matrix: number[][];
  marginals: number[];
  total: number;
} {
  const tab = asTabulation(data);
  // Only values that occur in pairable units get a row.
  const keep: number[] = [];
  const position = new Int32Array(tab.values.length).fill(-1);
  tab.values.forEach((_, i) => {
    if (tab.marginals[i]! > 0) {
      position[i] = keep.length;
      keep.push(i);
    }
  });
  const v = keep.length;
  const matrix: number[][] = Array.from({ length: v }, () => new Array<number>(v).fill(0));
  const { offsets, valueIndex, valueCount, size } = tab.rows;
  for (let r = 0; r < tab.rows.length; r++) {
    const m = size[r]!;
    if (m < 2) continue;
    const w = 1 / (m - 1);
    for (let a = offsets[r]!; a < offsets[r + 1]!; a++) {
      const ca = position[valueIndex[a]!]!;
      const na = valueCount[a]!;
      for (let b = offsets[r]!; b < offsets[r + 1]!; b++) {
        const cb = position[valueIndex[b]!]!;
        const nb = valueCount[b]!;
        matrix[ca]![cb]! += (a === b ? na * (na - 1) : na * nb) * w;
      }
    }
  }
  return {
    values: keep.map((i) => tab.values[i]!),
    matrix,
    marginals: keep.map((i) => tab.marginals[i]!),
    total: tab.pairableValues,
  };
}

/** Human-readable rendering of a value for messages. */
export function showValue(v: Value): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}
