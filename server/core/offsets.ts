// Offsets into an article's text, and the one rule for line ends.
//
// Framelens stores offsets in UTF-16 code units (JavaScript string indexes). Python's
// `text[start:end]`, brat and the SemEval-2020 Task 11 files count code points: the two differ
// after every character outside the Basic Multilingual Plane (most emoji, some CJK), which takes
// two code units and one code point. Exports write both; imports read code points.
//
// The line-end rule, for pasted text and uploaded files alike: a byte order mark at the start is
// dropped and CRLF or a lone CR becomes LF. Nothing else in the text changes.

/** Index of the first entry of sorted `values` with `key(entry, index) >= x`. */
function lowerBound(values: Int32Array, x: number, key: (value: number, index: number) => number = (v) => v): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(values[mid]!, mid) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface CodePoints {
  /** The text's length in code points. */
  length: number;
  /** The code-point offset of a UTF-16 offset (one that does not split a surrogate pair). */
  toCodePoint: (utf16: number) => number;
  /** The UTF-16 offset of a code-point offset. */
  fromCodePoint: (codePoint: number) => number;
}

/** Converts offsets of `text` between UTF-16 code units and code points. */
export function codePoints(text: string): CodePoints {
  // Where each character of two code units starts: few, often none.
  const pairs: number[] = [];
  for (let i = 0; i + 1 < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) pairs.push(i++);
    }
  }
  if (pairs.length === 0) return { length: text.length, toCodePoint: (i) => i, fromCodePoint: (c) => c };
  const at = Int32Array.from(pairs);
  return {
    length: text.length - at.length,
    // Pairs that end at or before `i` each count one code point for two units.
    toCodePoint: (i) => i - lowerBound(at, i - 1),
    // The j-th pair starts at code point at[j] − j: those before `c` each add one unit.
    fromCodePoint: (c) => c + lowerBound(at, c, (v, j) => v - j),
  };
}

/** The text under the line-end rule, and where an offset of the raw text lands in it. */
export interface NormalisedText {
  text: string;
  /** The normalised UTF-16 offset of a UTF-16 offset of the raw text. */
  fromRaw: (utf16: number) => number;
}

/** Applies the line-end rule (see the file comment) to `raw`. */
export function normaliseLineEnds(raw: string): NormalisedText {
  // Removed: the byte order mark, and the CR of every CRLF. A lone CR is replaced (same length).
  const removed: number[] = [];
  if (raw.charCodeAt(0) === 0xfeff) removed.push(0);
  for (let i = raw.indexOf('\r'); i >= 0; i = raw.indexOf('\r', i + 1)) if (raw.charCodeAt(i + 1) === 0x0a) removed.push(i);
  if (removed.length === 0 && !raw.includes('\r')) return { text: raw, fromRaw: (i) => i };
  const text = raw.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const at = Int32Array.from(removed);
  return { text, fromRaw: (i) => i - lowerBound(at, i) };
}

/** The text files of an export hold, and each stored offset as a code point of that text. */
export interface ExportedText {
  /** The article text under the line-end rule: the stored text itself for every text imported under it. */
  text: string;
  toCodePoint: (utf16: number) => number;
}

export function exportedText(stored: string): ExportedText {
  const normal = normaliseLineEnds(stored);
  const points = codePoints(normal.text);
  return { text: normal.text, toCodePoint: (i) => points.toCodePoint(normal.fromRaw(i)) };
}
