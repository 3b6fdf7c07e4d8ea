// Suggestions: the suggesters for a project and what they propose for a sentence or an article.
// Pure: the model comes in as data (stored by server/storage/models.ts, trained in a worker by
// server/suggest/train.ts).
import type { Codebook } from '../model.js';
import { analyseSentence } from './analyse.js';
import { learnedSuggester } from './learned.js';
import { modelFits, type LearnedModel } from './model.js';
import { ruleSuggester } from './rule-suggester.js';
import type { SuggestText, Suggester, SuggesterName, Suggestion } from './types.js';

export type { Suggester, SuggesterName, Suggestion, LabelledArticle, LabelledSpan, SuggestText } from './types.js';
export { SUGGESTERS, isSuggesterName } from './types.js';
export { RULES_THRESHOLD } from './rule-suggester.js';
export { LEARNED_THRESHOLD } from './learned.js';
export { trainModel, parseModel, modelFits, type LearnedModel, type TrainOptions } from './model.js';
export { acceptedTags, trainingSet, type SelectionOptions } from './training-data.js';

/**
 * The suggesters named, in that order. `learned` needs a model that fits the codebook (see
 * modelFits); without one it is left out.
 */
export function makeSuggesters(codebook: Codebook, names: readonly SuggesterName[], model: LearnedModel | null): Suggester[] {
  const out: Suggester[] = [];
  for (const name of new Set(names)) {
    if (name === 'rules') out.push(ruleSuggester(codebook));
    else if (model && modelFits(model, codebook)) out.push(learnedSuggester(model, codebook));
  }
  return out;
}

export interface SuggestOptions {
  /** Keep suggestions below their suggester's threshold too (for evaluation). */
  all?: boolean;
}

/** What the suggesters propose for sentence `index` of `doc`, best first within each suggester. */
export function suggestSentence(doc: SuggestText, index: number, suggesters: readonly Suggester[], options: SuggestOptions = {}): Suggestion[] {
  if (suggesters.length === 0) return [];
  const analysis = analyseSentence(doc.text, doc.sentences, index);
  return suggesters.flatMap((s) => s.suggest(analysis).filter((x) => options.all || x.score >= s.threshold));
}

/** Every suggestion for `doc`, sentence by sentence (or only the sentences listed). */
export function suggestArticle(doc: SuggestText, suggesters: readonly Suggester[], options: SuggestOptions & { sentences?: readonly number[] } = {}): Suggestion[] {
  const indexes = options.sentences ?? doc.sentences.map((_, i) => i);
  return indexes.flatMap((i) => (doc.sentences[i] ? suggestSentence(doc, i, suggesters, options) : []));
}
