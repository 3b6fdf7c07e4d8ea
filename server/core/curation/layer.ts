// Gold as an annotation layer: the same shape as any annotator's work on an article
// (annotatorId "gold"), so that everything that reads annotations — the agreement report, the
// CSV/JSONL/brat/CoNLL/reliability exports — takes gold as it is. Pure.
import type { Annotation, Tag } from '../model.js';
import { GOLD_ANNOTATOR, type Gold, type GoldSpan } from './gold.js';

/**
 * Which sentences gold speaks for:
 * - `curated` (default): the sentences marked curated, or every sentence once curation is finished;
 *   elsewhere gold is not settled and counts as "not reviewed";
 * - `all`: every sentence, as gold stands (auto spans included) — a look before curation ends.
 */
export type GoldScope = 'curated' | 'all';

export interface LayerOptions {
  scope?: GoldScope;
  /**
   * Contested spans: `include` (default) keeps them with their category (exports mark them with
   * the provenance columns); `exclude` leaves them out (statistics against one label).
   */
  contested?: 'include' | 'exclude';
}

/** The sentences gold speaks for (see {@link GoldScope}), ascending. */
export function goldSentences(gold: Gold, sentenceCount: number, scope: GoldScope = 'curated'): number[] {
  if (scope === 'all' || gold.finished) return Array.from({ length: sentenceCount }, (_, s) => s);
  return gold.curated.map((c) => c.sentence).filter((s) => s < sentenceCount);
}

/** A gold span as a tag of the gold layer (same id). */
export function goldTag(gold: Gold, span: GoldSpan): Tag {
  return {
    id: span.id,
    articleId: gold.articleId,
    annotatorId: GOLD_ANNOTATOR,
    sentence: span.sentence,
    start: span.start,
    end: span.end,
    category: span.category,
    voice: span.voice,
    intensity: span.intensity,
    note: span.note,
    createdAt: span.createdAt,
    updatedAt: span.updatedAt,
  };
}

/** Gold as an Annotation by annotator "gold": its spans in scope, its sentences in scope as reviewed. */
export function goldLayer(gold: Gold, sentenceCount: number, options: LayerOptions = {}): Annotation {
  const sentences = goldSentences(gold, sentenceCount, options.scope);
  const inScope = new Set(sentences);
  const tags = gold.spans
    .filter((s) => inScope.has(s.sentence) && !(options.contested === 'exclude' && s.status === 'contested'))
    .map((s) => goldTag(gold, s))
    .sort((a, b) => a.start - b.start || a.end - b.end || (a.category < b.category ? -1 : a.category > b.category ? 1 : 0));
  return { articleId: gold.articleId, annotatorId: GOLD_ANNOTATOR, reviewed: sentences, tags, updatedAt: gold.updatedAt };
}

/**
 * The annotations with gold added as one more annotator where there is gold, ready for
 * `makeStudy` (server/core/study/units.ts) and so for the agreement report: its pairs then
 * include each annotator with "gold".
 */
export function withGold(
  annotations: readonly Annotation[],
  golds: readonly Gold[],
  sentenceCount: (articleId: string) => number,
  options: LayerOptions = {},
): Annotation[] {
  const layers = golds.map((g) => goldLayer(g, sentenceCount(g.articleId), options)).filter((a) => a.reviewed.length > 0);
  return [...annotations.filter((a) => a.annotatorId !== GOLD_ANNOTATOR), ...layers];
}
