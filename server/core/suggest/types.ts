// What every suggester produces and what the learned one learns from.
import type { Range } from '../model.js';
import type { SentenceAnalysis } from './analyse.js';

export const SUGGESTERS = ['rules', 'learned'] as const;
export type SuggesterName = (typeof SUGGESTERS)[number];

export function isSuggesterName(value: string): value is SuggesterName {
  return (SUGGESTERS as readonly string[]).includes(value);
}

/** A span a suggester proposes for a category: offsets into the article text, `end` exclusive. */
export interface Suggestion {
  /** 0-based index into the article's sentences. */
  sentence: number;
  start: number;
  end: number;
  category: string;
  /** 0–1; the suggester shows what reaches its threshold. */
  score: number;
  suggester: SuggesterName;
  /** What produced it: a rule id (`lexicon:hedges`), `cue` (the codebook's cue list) or `model`. */
  source: string;
}

export interface Suggester {
  name: SuggesterName;
  /** Suggestions below this score are not shown by default (precision matters more than recall). */
  threshold: number;
  /** Every suggestion for one sentence, whatever its score (callers filter by threshold). */
  suggest(sentence: SentenceAnalysis): Suggestion[];
}

/** The text a suggester reads: an article, or anything with a text and its sentences. */
export interface SuggestText {
  text: string;
  sentences: Range[];
}

/** A tag span with its category, as the learned suggester learns from and the benchmark scores. */
export interface LabelledSpan extends Range {
  sentence: number;
  category: string;
}

/** One article's accepted tags, for training or evaluation. */
export interface LabelledArticle extends SuggestText {
  id: string;
  /** The sentences that were annotated: only these teach anything, tagged or not. */
  annotated: number[];
  spans: LabelledSpan[];
  /** Of the annotated sentences, those whose spans come from curated gold (the rest: annotators' agreed tags). */
  curated?: number[];
}
