// Span logic: turning a choice of words into a tag's offsets, and the rules a
// tag must satisfy within its sentence. Pure: no I/O.
import type { Annotation, Article, Range, SpanFields, Tag } from './model.js';

/** Thrown when a requested change breaks a rule; the message is shown to the user (409 on the web). */
export class RuleError extends Error {
  readonly status: number = 409;
  readonly refusal = true;
}

/** The span from the first chosen word to the last (either order), as offsets into the text. */
export function spanFromWords(words: Range[], first: number, last: number): Range {
  const [from, to] = first <= last ? [first, last] : [last, first];
  const a = words[from];
  const b = words[to];
  if (!a || !b) throw new RuleError('Choose the first and last word of the span from the sentence.');
  return { start: a.start, end: b.end };
}

/** Checks that a span lies inside its sentence and covers some text. */
export function checkSpan(sentence: Range, span: Range): void {
  if (!(span.start < span.end)) throw new RuleError('A span must cover at least one character.');
  if (span.start < sentence.start || span.end > sentence.end) {
    throw new RuleError('The span must lie inside the sentence.');
  }
}

/** What an annotator sets on a tag of a given sentence. */
export type TagFields = Omit<SpanFields, 'sentence'>;

function sameSpanAndCategory(a: { start: number; end: number; category: string }, b: TagFields) {
  return a.start === b.start && a.end === b.end && a.category === b.category;
}

/** One annotator's tags on one sentence, and on one article: far above real use, low enough that a page stays small. */
export const MAX_TAGS_PER_SENTENCE = 200;
export const MAX_TAGS_PER_ARTICLE = 5000;

/**
 * Adds a tag; an exact duplicate (same span and category by the same annotator) is refused, and
 * so is a tag past the limits per sentence and per article.
 */
export function addTag(annotation: Annotation, tag: Tag): void {
  let onSentence = 0;
  for (const t of annotation.tags) {
    if (sameSpanAndCategory(t, tag)) throw new RuleError('You already tagged exactly this span with this category.');
    if (t.sentence === tag.sentence) onSentence++;
  }
  if (onSentence >= MAX_TAGS_PER_SENTENCE) {
    throw new RuleError(`This sentence already has ${MAX_TAGS_PER_SENTENCE} of your tags, the most one annotator may add to a sentence. Edit or delete some before adding another.`);
  }
  if (annotation.tags.length >= MAX_TAGS_PER_ARTICLE) {
    throw new RuleError(`You already have ${MAX_TAGS_PER_ARTICLE} tags on this article, the most one annotator may add. Edit or delete some before adding another.`);
  }
  annotation.tags.push(tag);
  markReviewed(annotation, tag.sentence);
}

export function updateTag(annotation: Annotation, tagId: string, fields: TagFields, now: string): void {
  const tag = annotation.tags.find((t) => t.id === tagId);
  if (!tag) throw new RuleError('That tag no longer exists.');
  if (annotation.tags.some((t) => t.id !== tagId && sameSpanAndCategory(t, fields))) {
    throw new RuleError('You already tagged exactly this span with this category.');
  }
  Object.assign(tag, fields, { updatedAt: now });
}

export function removeTag(annotation: Annotation, tagId: string): void {
  const index = annotation.tags.findIndex((t) => t.id === tagId);
  if (index < 0) throw new RuleError('That tag no longer exists.');
  annotation.tags.splice(index, 1);
}

export function markReviewed(annotation: Annotation, sentence: number): void {
  if (!annotation.reviewed.includes(sentence)) {
    annotation.reviewed.push(sentence);
    annotation.reviewed.sort((a, b) => a - b);
  }
}

export function unmarkReviewed(annotation: Annotation, sentence: number): void {
  if (annotation.tags.some((t) => t.sentence === sentence)) {
    throw new RuleError('A sentence with tags counts as reviewed; delete its tags first.');
  }
  annotation.reviewed = annotation.reviewed.filter((s) => s !== sentence);
}

/** Sentences an annotator has looked at: those marked reviewed and those they tagged. */
export function reviewedSentences(annotation: Annotation): Set<number> {
  const seen = new Set(annotation.reviewed);
  for (const tag of annotation.tags) seen.add(tag.sentence);
  return seen;
}

export interface Progress {
  reviewed: number;
  total: number;
  /** 0-based index of the first sentence not yet reviewed, or null when all are. */
  nextSentence: number | null;
}

export function progress(article: Article, annotation: Annotation): Progress {
  const seen = reviewedSentences(annotation);
  const total = article.sentences.length;
  let nextSentence: number | null = null;
  for (let i = 0; i < total; i++) {
    if (!seen.has(i)) {
      nextSentence = i;
      break;
    }
  }
  return { reviewed: [...seen].filter((i) => i < total).length, total, nextSentence };
}

/** The sentence index containing `offset`, or -1. Sentences are sorted and disjoint. */
export function sentenceAt(sentences: Range[], offset: number): number {
  let lo = 0;
  let hi = sentences.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = sentences[mid];
    if (!s) break;
    if (offset < s.start) hi = mid - 1;
    else if (offset >= s.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** Quotation marks and brackets that may open a quoted or bracketed stretch (straight quotes both open and close). */
const OPENING_MARKS = new Set(['"', "'", '“', '‘', '«', '‹', '„', '‚', '(', '[', '{']);
const CLOSING_MARKS = new Set(['"', "'", '”', '’', '»', '›', ')', ']', '}']);

/**
 * The quotation marks and brackets touching each word: the run of opening marks that ends where
 * the word starts and the run of closing marks that starts where it ends (null where there is
 * none), never beyond the sentence. `words` are the sentence's words in text order.
 */
export function touchingMarks(text: string, sentence: Range, words: Range[]): { opening: (Range | null)[]; closing: (Range | null)[] } {
  const opening = words.map((w) => {
    let start = w.start;
    while (start > sentence.start && OPENING_MARKS.has(text.charAt(start - 1))) start--;
    return start < w.start ? { start, end: w.start } : null;
  });
  const closing = words.map((w) => {
    let end = w.end;
    while (end < sentence.end && CLOSING_MARKS.has(text.charAt(end))) end++;
    return end > w.end ? { start: w.end, end } : null;
  });
  return { opening, closing };
}

/**
 * The span from the first chosen word to the last, as spanFromWords gives it; with `marks`, widened
 * over the quotation marks and brackets that touch it ('core principles' with its quotes).
 */
export function spanWithMarks(text: string, sentence: Range, words: Range[], first: number, last: number, marks: boolean): Range {
  const span = spanFromWords(words, first, last);
  if (!marks) return span;
  const [from, to] = first <= last ? [first, last] : [last, first];
  const { opening, closing } = touchingMarks(text, sentence, [words[from] ?? span, words[to] ?? span]);
  return { start: opening[0]?.start ?? span.start, end: closing[1]?.end ?? span.end };
}

/**
 * The words a stored span is shown with in the form: the first and last word it touches, and
 * whether it reaches beyond them onto marks. -1 when it touches no word.
 */
export function wordsOfSpan(words: Range[], span: Range): { first: number; last: number; marks: boolean } {
  const first = words.findIndex((w) => w.end > span.start && w.start < span.end);
  let last = -1;
  for (let i = words.length - 1; i >= 0; i--) {
    const w = words[i];
    if (w && w.end > span.start && w.start < span.end) {
      last = i;
      break;
    }
  }
  const a = words[first];
  const b = words[last];
  return { first, last, marks: a !== undefined && b !== undefined && (span.start < a.start || span.end > b.end) };
}
