import type { RuleId } from '../rule-ids.js';

/** Where a rule found its kind of wording in a sentence. */
export interface RuleHit {
  rule: RuleId;
  /** Offsets into the article text; `end` exclusive. */
  start: number;
  end: number;
  /** Indexes of the first and last token covered. */
  first: number;
  last: number;
  /** 0–1: how likely an annotator is to accept it (a prior; see the lexicons). */
  score: number;
}
