// How good suggestions are against accepted tags: precision, recall and F1 with overlap credit
// (SemEval-2020 Task 11, the span scorer in ../agreement/span-f1.ts), per suggester and
// category, and by score threshold. Only annotated sentences count, on both sides: a suggestion
// in a sentence nobody has annotated is neither right nor wrong yet.
import { overlapSpanF1Documents, type SpanPair } from '../agreement/span-f1.js';
import type { LabelledArticle, Suggestion } from './types.js';

export interface Quality {
  /** null when undefined (no suggestion, or nothing to find). */
  precision: number | null;
  recall: number | null;
  f1: number;
  suggested: number;
  reference: number;
}

export interface Scored {
  articleId: string;
  suggestion: Suggestion;
}

export interface QualityFilter {
  suggester?: string;
  /** One category, or all of them (spans then only match spans of their own category). */
  category?: string;
  /** Count suggestions scored at least this. */
  threshold?: number;
  /** Only suggestions from this source (a rule id, `cue`, `model`). */
  source?: string;
}

/**
 * Overlap-credit P/R/F1 of the suggestions that pass `filter` against the reference spans of
 * `articles`. Each (article, category) is one document of the micro-average, so that across
 * categories a span earns credit only from a reference span of its own category.
 */
export function suggestionQuality(articles: readonly LabelledArticle[], suggestions: readonly Scored[], filter: QualityFilter = {}): Quality {
  const byArticle = new Map<string, Suggestion[]>();
  for (const { articleId, suggestion: s } of suggestions) {
    if (filter.suggester !== undefined && s.suggester !== filter.suggester) continue;
    if (filter.category !== undefined && s.category !== filter.category) continue;
    if (filter.threshold !== undefined && s.score < filter.threshold) continue;
    if (filter.source !== undefined && s.source !== filter.source) continue;
    const list = byArticle.get(articleId);
    if (list) list.push(s);
    else byArticle.set(articleId, [s]);
  }
  const documents: SpanPair[] = [];
  for (const article of articles) {
    const annotated = new Set(article.annotated);
    const reference = article.spans.filter((s) => annotated.has(s.sentence) && (filter.category === undefined || s.category === filter.category));
    const candidate = (byArticle.get(article.id) ?? []).filter((s) => annotated.has(s.sentence));
    const categories = new Set([...reference.map((s) => s.category), ...candidate.map((s) => s.category)]);
    for (const category of categories) {
      documents.push({
        reference: reference.filter((s) => s.category === category),
        candidate: candidate.filter((s) => s.category === category),
      });
    }
  }
  const result = overlapSpanF1Documents(documents);
  return {
    precision: result.precision.value,
    recall: result.recall.value,
    f1: result.f1.value ?? 0,
    suggested: result.candidate_spans,
    reference: result.reference_spans,
  };
}

/** Quality at each threshold: the table a researcher chooses a threshold from. */
export function qualityByThreshold(
  articles: readonly LabelledArticle[],
  suggestions: readonly Scored[],
  thresholds: readonly number[],
  filter: Omit<QualityFilter, 'threshold'> = {},
): (Quality & { threshold: number })[] {
  return thresholds.map((threshold) => ({ threshold, ...suggestionQuality(articles, suggestions, { ...filter, threshold }) }));
}
