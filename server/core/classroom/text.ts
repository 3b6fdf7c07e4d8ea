// The text of a lesson and its spans as word ranges. Students tap whole words, so the
// classroom compares and counts spans by the words they cover, not by characters:
// "'core principles'" (with its quotation marks) and "core principles" are the same span.
import type { Range } from '../model.js';
import { words } from '../segmentation.js';

export interface LessonText {
  text: string;
  /** The sentences offered for tagging, in text order. */
  sentences: Range[];
}

/** A tag's place: its sentence (0-based) and its offsets in the text. */
export interface SpanTag {
  id: string;
  sentence: number;
  start: number;
  end: number;
  category: string;
}

/** Inclusive word indexes within a sentence. */
export interface WordSpan {
  first: number;
  last: number;
}

/** The word ranges of every sentence, computed once per text. */
export function sentenceWords(lesson: LessonText): Range[][] {
  return lesson.sentences.map((range) => words(lesson.text, range));
}

/** The words a span touches (any overlap), or null when it touches none. */
export function wordSpan(sentence: Range[], span: Range): WordSpan | null {
  let first = -1;
  let last = -1;
  sentence.forEach((w, i) => {
    if (w.start < span.end && w.end > span.start) {
      if (first < 0) first = i;
      last = i;
    }
  });
  return first < 0 ? null : { first, last };
}

export function wordCount(span: WordSpan): number {
  return span.last - span.first + 1;
}

export function overlapWords(a: WordSpan, b: WordSpan): number {
  return Math.max(0, Math.min(a.last, b.last) - Math.max(a.first, b.first) + 1);
}

/** Jaccard overlap of two word spans: |a ∩ b| / |a ∪ b|, from 0 (disjoint) to 1 (the same words). */
export function overlapCredit(a: WordSpan, b: WordSpan): number {
  const both = overlapWords(a, b);
  return both === 0 ? 0 : both / (wordCount(a) + wordCount(b) - both);
}

/** Resolves tags to word spans, dropping tags outside the text or covering no word. */
export function locate<T extends SpanTag>(words: Range[][], tags: T[]): { tag: T; span: WordSpan }[] {
  const out: { tag: T; span: WordSpan }[] = [];
  for (const tag of tags) {
    const sentence = words[tag.sentence];
    const span = sentence && wordSpan(sentence, tag);
    if (span) out.push({ tag, span });
  }
  return out;
}
