// Reference annotations written as phrases ("in the sentence starting …, the phrase …"), as
// shipped with the demo lesson, turned into offsets in a lesson's text. Pure: no I/O.
import type { SpanFields, Voice } from '../model.js';
import type { LessonText } from './text.js';

export interface PhraseEntry {
  /** The start of the sentence's text (a prefix long enough to be unique). */
  sentenceText: string;
  /** The tagged words, as they appear in that sentence (the first occurrence is meant). */
  phrase: string;
  category: string;
  voice: Voice;
  rationale: string;
}

/** A reference tag as a lesson takes it: where it sits, its category and voice, and why. */
export interface ResolvedEntry extends Pick<SpanFields, 'sentence' | 'start' | 'end' | 'category' | 'voice'> {
  rationale: string;
}

/** Finds each entry's sentence and phrase; throws naming the first entry that cannot be found. */
export function resolvePhrases(lesson: LessonText, entries: PhraseEntry[]): ResolvedEntry[] {
  return entries.map((entry, i) => {
    const matches = lesson.sentences
      .map((range, index) => ({ range, index }))
      .filter(({ range }) => lesson.text.slice(range.start, range.end).startsWith(entry.sentenceText));
    const found = matches[0];
    if (!found || matches.length > 1) {
      throw new Error(`reference entry ${i + 1}: ${matches.length === 0 ? 'no' : 'more than one'} sentence starts with ${JSON.stringify(entry.sentenceText)}`);
    }
    const at = lesson.text.slice(found.range.start, found.range.end).indexOf(entry.phrase);
    if (at < 0 || entry.phrase === '') {
      throw new Error(`reference entry ${i + 1}: the phrase ${JSON.stringify(entry.phrase)} is not in sentence ${found.index + 1}`);
    }
    const start = found.range.start + at;
    return { sentence: found.index, start, end: start + entry.phrase.length, category: entry.category, voice: entry.voice, rationale: entry.rationale };
  });
}
