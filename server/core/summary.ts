// Summaries per category: how often each framing choice was tagged, where and by whom.
// Pure: takes articles and annotations, returns plain data for views and CSV.
import type { Annotation, Article, Category, Tag } from './model.js';

export interface Occurrence {
  articleId: string;
  sentence: number;
}

export interface PhraseCount {
  /** Case-folded, whitespace-collapsed span text. */
  phrase: string;
  count: number;
  /** Distinct sentences where it was tagged, in text order, at most `occurrenceLimit`. */
  occurrences: Occurrence[];
}

export interface CategorySummary {
  category: Category;
  tags: number;
  articles: number;
  annotators: number;
  sentences: number;
  phrases: PhraseCount[];
}

export interface SummaryFilter {
  articleId?: string | undefined;
  annotatorId?: string | undefined;
}

export function foldPhrase(text: string): string {
  return text.toLocaleLowerCase('en').replace(/\s+/g, ' ').trim();
}

function taggedBy(annotations: Annotation[], filter: SummaryFilter): Tag[] {
  const tags: Tag[] = [];
  for (const a of annotations) {
    if (filter.articleId !== undefined && a.articleId !== filter.articleId) continue;
    if (filter.annotatorId !== undefined && a.annotatorId !== filter.annotatorId) continue;
    tags.push(...a.tags);
  }
  return tags;
}

export function summarise(
  articles: ReadonlyMap<string, Article>,
  annotations: Annotation[],
  categories: Category[],
  filter: SummaryFilter = {},
  options = { phraseLimit: 10, occurrenceLimit: 10 },
): CategorySummary[] {
  const byCategory = new Map<string, Tag[]>(categories.map((c) => [c.id, []]));
  for (const tag of taggedBy(annotations, filter)) byCategory.get(tag.category)?.push(tag);

  return categories.map((category) => {
    const tags = byCategory.get(category.id) ?? [];
    const phrases = new Map<string, { count: number; seen: Set<string>; occurrences: Occurrence[] }>();
    for (const tag of tags) {
      const article = articles.get(tag.articleId);
      if (!article) continue;
      const phrase = foldPhrase(article.text.slice(tag.start, tag.end));
      let entry = phrases.get(phrase);
      if (!entry) {
        entry = { count: 0, seen: new Set(), occurrences: [] };
        phrases.set(phrase, entry);
      }
      entry.count++;
      const key = `${tag.articleId}/${tag.sentence}`;
      if (!entry.seen.has(key)) {
        entry.seen.add(key);
        entry.occurrences.push({ articleId: tag.articleId, sentence: tag.sentence });
      }
    }
    const top = [...phrases]
      .map(([phrase, e]) => ({
        phrase,
        count: e.count,
        occurrences: e.occurrences
          .sort((a, b) => a.articleId.localeCompare(b.articleId) || a.sentence - b.sentence)
          .slice(0, options.occurrenceLimit),
      }))
      .sort((a, b) => b.count - a.count || a.phrase.localeCompare(b.phrase))
      .slice(0, options.phraseLimit);
    return {
      category,
      tags: tags.length,
      articles: new Set(tags.map((t) => t.articleId)).size,
      annotators: new Set(tags.map((t) => t.annotatorId)).size,
      sentences: new Set(tags.map((t) => `${t.articleId}/${t.sentence}`)).size,
      phrases: top,
    };
  });
}

/** Tags per sentence and category on one article: `strip[sentence][categoryIndex]`. */
export function sentenceStrip(article: Article, annotations: Annotation[], categories: Category[]): number[][] {
  const column = new Map(categories.map((c, i) => [c.id, i]));
  const strip = article.sentences.map(() => categories.map(() => 0));
  for (const a of annotations) {
    if (a.articleId !== article.id) continue;
    for (const tag of a.tags) {
      const i = column.get(tag.category);
      const row = strip[tag.sentence];
      if (i !== undefined && row) row[i] = (row[i] ?? 0) + 1;
    }
  }
  return strip;
}
