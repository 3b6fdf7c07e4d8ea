// The sentence as every editor shows it: its words (the span ends a user picks), the quotation
// marks and brackets touching them, the neighbouring sentences, tags with their first and last
// word, and the form's words turned into a checked span.
import type { Request } from 'express';
import type { Codebook, Range } from '../../core/model.js';
import { words } from '../../core/segmentation.js';
import { findCategory } from '../../core/codebook.js';
import { RuleError, checkSpan, spanWithMarks, touchingMarks, wordsOfSpan } from '../../core/spans.js';
import { notFound } from '../errors.js';
import { sentenceParam } from '../params.js';
import type { Piece } from '../views.js';

/** The text being annotated: an article, or a lesson's copy of one. */
export interface EditedText {
  text: string;
  sentences: Range[];
}

/** A form that does not fit its sentence or the codebook: a bad request (400), not a conflict. */
export class InputError extends RuleError {}

/**
 * Tags here can no longer be changed (an ended activity): the sentence is shown again, read only,
 * with the reason and 403, instead of a page that leads nowhere.
 */
export class ClosedError extends RuleError {
  override readonly status: number = 403;
}

/** The 0-based sentence index from the URL's 1-based `:n`; 404 beyond the text. */
export function sentenceIndex(req: Request, doc: EditedText): number {
  const index = sentenceParam(req);
  if (!doc.sentences[index]) throw notFound('Sentence');
  return index;
}

/** A piece of the sentence as drawn: a word, a quotation mark or bracket touching a word, or other text. */
export interface DrawnPiece extends Piece {
  /** For a mark: the word it opens (comes right before) or closes (comes right after). */
  opens: number | null;
  closes: number | null;
}

export interface SentenceView {
  range: Range;
  words: Range[];
  /** The words as the span menus offer them. */
  choices: { index: number; text: string; value: string; label: string }[];
  previous: string | null;
  next: string | null;
  /** A tag with its text, its first and last word and whether it takes in the marks around them. */
  tagView: <T extends Range>(tag: T) => T & { text: string; first: number; last: number; marks: boolean };
  /** Pieces cut further so that the marks touching a word are pieces of their own. */
  withMarks: (pieces: Piece[]) => DrawnPiece[];
}

/**
 * The word boundaries of a text's sentences, found once per sentence and kept packed (start, end,
 * start, end …) for as long as the text object lives: articles and lesson copies never change,
 * and the sentence page needs them on every request.
 */
interface WordTable {
  text: string;
  sentences: Range[];
  bounds: (Int32Array | undefined)[];
}

const wordTables = new WeakMap<EditedText, WordTable>();

function pack(ranges: Range[]): Int32Array {
  const packed = new Int32Array(ranges.length * 2);
  ranges.forEach((r, i) => {
    packed[2 * i] = r.start;
    packed[2 * i + 1] = r.end;
  });
  return packed;
}

/** The word ranges of sentence `index` (which must exist) of `doc`. */
function wordsOf(doc: EditedText, index: number, range: Range): Range[] {
  let table = wordTables.get(doc);
  // The text and sentences are compared as well, so a copy changed in place is never served stale.
  if (!table || table.text !== doc.text || table.sentences !== doc.sentences) {
    table = { text: doc.text, sentences: doc.sentences, bounds: new Array<Int32Array | undefined>(doc.sentences.length) };
    wordTables.set(doc, table);
  }
  const bounds = table.bounds[index] ?? pack(words(doc.text, range));
  table.bounds[index] = bounds;
  const out: Range[] = [];
  for (let i = 0; i < bounds.length; i += 2) out.push({ start: bounds[i] ?? 0, end: bounds[i + 1] ?? 0 });
  return out;
}

/** Splits the pieces between words at the marks that touch a word. */
function cutAtMarks(text: string, range: Range, pieces: Piece[], sentenceWords: Range[]): DrawnPiece[] {
  const { opening, closing } = touchingMarks(text, range, sentenceWords);
  const marks: { start: number; end: number; opens: number | null; closes: number | null }[] = [];
  opening.forEach((r, i) => r && marks.push({ ...r, opens: i, closes: null }));
  closing.forEach((r, i) => r && marks.push({ ...r, opens: null, closes: i }));
  if (marks.length === 0) return pieces.map((p) => ({ ...p, opens: null, closes: null }));
  marks.sort((a, b) => a.start - b.start);
  const out: DrawnPiece[] = [];
  let offset = range.start;
  for (const piece of pieces) {
    const start = offset;
    const end = start + piece.text.length;
    offset = end;
    if (piece.word !== null) {
      out.push({ ...piece, opens: null, closes: null });
      continue;
    }
    let at = start;
    for (const m of marks) {
      // A run between two words can both close one and open the next ('a' 'b'): cut at both.
      const from = Math.max(m.start, start);
      const to = Math.min(m.end, end);
      if (from >= to || from < at) continue;
      if (from > at) out.push({ ...piece, text: text.slice(at, from), opens: null, closes: null });
      out.push({ ...piece, text: text.slice(from, to), opens: m.opens, closes: m.closes });
      at = to;
    }
    if (at < end) out.push({ ...piece, text: text.slice(at, end), opens: null, closes: null });
  }
  return out;
}

export function sentenceView(doc: EditedText, index: number): SentenceView {
  const range = doc.sentences[index];
  if (!range) throw notFound('Sentence');
  const sentenceWords = wordsOf(doc, index, range);
  const context = (i: number) => {
    const r = doc.sentences[i];
    return r ? doc.text.slice(r.start, r.end) : null;
  };
  return {
    range,
    words: sentenceWords,
    choices: sentenceWords.map((w, i) => {
      const text = doc.text.slice(w.start, w.end);
      return { index: i, text, value: String(i), label: `${i + 1}. ${text}` };
    }),
    previous: context(index - 1),
    next: context(index + 1),
    tagView: (tag) => ({ ...tag, text: doc.text.slice(tag.start, tag.end), ...wordsOfSpan(sentenceWords, tag) }),
    withMarks: (pieces) => cutAtMarks(doc.text, range, pieces, sentenceWords),
  };
}

/** The span the form asks for, checked against the sentence and (when given) the codebook. */
export function spanOf(
  doc: EditedText,
  index: number,
  form: { first: number; last: number; category: string; marks?: boolean },
  codebook?: Codebook,
): Range {
  const range = doc.sentences[index];
  if (!range) throw notFound('Sentence');
  try {
    const span = spanWithMarks(doc.text, range, wordsOf(doc, index, range), form.first, form.last, form.marks === true);
    checkSpan(range, span);
    if (codebook && !findCategory(codebook, form.category)) throw new RuleError('Choose a category from the codebook.');
    return span;
  } catch (error) {
    throw error instanceof RuleError && !(error instanceof InputError) ? new InputError(error.message) : error;
  }
}

/** The submitted fields, to show a refused form again as the user filled it in. */
export function echo(req: Request): Record<string, unknown> | null {
  const body: unknown = req.body;
  return typeof body === 'object' && body !== null ? { ...body } : null;
}
