// An annotator's tags beside gold, sentence by sentence: the classroom's comparison of a student
// with the reference (server/core/classroom/feedback.ts: matched, covered, confusion, missed,
// extra, with word-overlap credit), with gold as the reference. Pure.
import type { Annotation, Range, Tag } from '../model.js';
import { compareTags, type Feedback } from '../classroom/feedback.js';
import type { Gold, GoldSpan } from './gold.js';
import { compared, type CompareOptions } from './compared.js';

export interface GoldFeedback extends Feedback<GoldSpan, Tag> {
  /** The sentences compared: reviewed by the annotator, and curated (by default). */
  compared: number[];
}

/** `words[s]` = the words of sentence s of the article (segmentation's `words`). */
export function feedbackAgainstGold(words: Range[][], gold: Gold, annotation: Annotation, options: CompareOptions = {}): GoldFeedback {
  const c = compared(gold, annotation, words.length, options);
  return { ...compareTags(words, c.reference, c.tags), compared: c.sentences };
}
