// What the three sentence editors share — an annotator's (routes/sentences.ts), a student's
// (routes/lesson.ts) and a teacher's reference (routes/activity-reference.ts): the sentence from
// the URL, the words offered as span ends, tags shown with their first and last word, the
// neighbouring sentences, turning the form's words and category into a checked span, and
// re-rendering a refused form with what the user typed.
import type { Request } from 'express';
import type { Codebook, Range } from '../core/model.js';
import { words } from '../core/segmentation.js';
import { findCategory } from '../core/codebook.js';
import { RuleError, checkSpan, spanFromWords } from '../core/spans.js';
import { notFound } from './errors.js';
import { sentenceParam } from './params.js';

/** The text being annotated: an article, or a lesson's copy of one. */
export interface EditedText {
  text: string;
  sentences: Range[];
}

/** A form that does not fit its sentence or the codebook: a bad request (400), not a conflict. */
export class InputError extends RuleError {}

/** The 0-based sentence index from the URL's 1-based `:n`; 404 beyond the text. */
export function sentenceIndex(req: Request, doc: EditedText): number {
  const index = sentenceParam(req);
  if (!doc.sentences[index]) throw notFound('Sentence');
  return index;
}

export interface SentenceView {
  range: Range;
  words: Range[];
  /** The words as the span menus offer them. */
  choices: { index: number; text: string; value: string; label: string }[];
  previous: string | null;
  next: string | null;
  /** A tag with its text and the indexes of its first and last word (to prefill the form). */
  tagView: <T extends Range>(tag: T) => T & { text: string; first: number; last: number };
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

export function sentenceView(doc: EditedText, index: number): SentenceView {
  const range = doc.sentences[index];
  if (!range) throw notFound('Sentence');
  const sentenceWords = wordsOf(doc, index, range);
  const wordIndex = (offset: number) => sentenceWords.findIndex((w) => w.start <= offset && offset < w.end);
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
    tagView: (tag) => ({ ...tag, text: doc.text.slice(tag.start, tag.end), first: wordIndex(tag.start), last: wordIndex(tag.end - 1) }),
  };
}

/** The span from the form's first and last word, checked against the sentence and the codebook. */
export function spanOf(doc: EditedText, index: number, form: { first: number; last: number; category: string }, codebook: Codebook): Range {
  const range = doc.sentences[index];
  if (!range) throw notFound('Sentence');
  try {
    const span = spanFromWords(wordsOf(doc, index, range), form.first, form.last);
    checkSpan(range, span);
    if (!findCategory(codebook, form.category)) throw new RuleError('Choose a category from the codebook.');
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

/** Where a change goes back to: the sentence, with a saved tag highlighted. */
export function sentencePath(base: string, index: number, tagId?: string): string {
  const path = `${base}/${index + 1}`;
  return tagId ? `${path}?saved=${tagId}#tag-${tagId}` : path;
}
