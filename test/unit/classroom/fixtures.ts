// A two-sentence lesson for the classroom unit tests, with word indexes spelled out.
import { segment } from '../../../server/core/segmentation.js';
import { sentenceWords, type LessonText, type SpanTag } from '../../../server/core/classroom/text.js';

//            sentence 0: Officials(0) allegedly(1) held(2) secret(3) talks(4).
//            sentence 1: The(0) regime(1) crushed(2) peaceful(3) protests(4).
export const TEXT = 'Officials allegedly held secret talks. The regime crushed peaceful protests.';
export const lesson: LessonText = { text: TEXT, sentences: segment(TEXT) };
export const words = sentenceWords(lesson);

let counter = 0;
/** A tag on words `first`–`last` (inclusive) of a sentence. */
export function tag(sentence: number, first: number, last: number, category: string, id = `t${++counter}`): SpanTag {
  const ws = words[sentence];
  const a = ws?.[first];
  const b = ws?.[last];
  if (!a || !b) throw new Error(`no words ${first}–${last} in sentence ${sentence}`);
  return { id, sentence, start: a.start, end: b.end, category };
}

export function textOf(t: SpanTag): string {
  return TEXT.slice(t.start, t.end);
}
