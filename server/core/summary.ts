// Summaries per category: how often each framing choice was tagged, where and by whom.
// Pure: takes articles and annotations, returns plain data for views and CSV.
import type { Annotation, Article, Category } from './model.js';

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

interface CategoryTally {
  tags: number;
  articles: Set<string>;
  annotators: Set<string>;
  sentences: Set<string>;
  phrases: Map<string, { count: number; seen: Set<string>; occurrences: Occurrence[] }>;
}

/**
 * A summary built one annotation at a time, so that a study's tags can be summarised as they are
 * read (a page at a time from a database) rather than all held at once. What it keeps grows with
 * distinct phrases and sentences, not with tags.
 */
export class Summariser {
  readonly #articles: ReadonlyMap<string, Article>;
  readonly #categories: Category[];
  readonly #filter: SummaryFilter;
  readonly #options: { phraseLimit: number; occurrenceLimit: number };
  readonly #tally: Map<string, CategoryTally>;

  constructor(articles: ReadonlyMap<string, Article>, categories: Category[], filter: SummaryFilter = {}, options = { phraseLimit: 10, occurrenceLimit: 10 }) {
    this.#articles = articles;
    this.#categories = categories;
    this.#filter = filter;
    this.#options = options;
    this.#tally = new Map(categories.map((c) => [c.id, { tags: 0, articles: new Set(), annotators: new Set(), sentences: new Set(), phrases: new Map() }]));
  }

  add(annotation: Annotation): void {
    const filter = this.#filter;
    if (filter.articleId !== undefined && annotation.articleId !== filter.articleId) return;
    if (filter.annotatorId !== undefined && annotation.annotatorId !== filter.annotatorId) return;
    for (const tag of annotation.tags) {
      const tally = this.#tally.get(tag.category);
      if (!tally) continue;
      const key = `${tag.articleId}/${tag.sentence}`;
      tally.tags++;
      tally.articles.add(tag.articleId);
      tally.annotators.add(tag.annotatorId);
      tally.sentences.add(key);
      const article = this.#articles.get(tag.articleId);
      if (!article) continue;
      const phrase = foldPhrase(article.text.slice(tag.start, tag.end));
      let entry = tally.phrases.get(phrase);
      if (!entry) {
        entry = { count: 0, seen: new Set(), occurrences: [] };
        tally.phrases.set(phrase, entry);
      }
      entry.count++;
      if (!entry.seen.has(key)) {
        entry.seen.add(key);
        entry.occurrences.push({ articleId: tag.articleId, sentence: tag.sentence });
      }
    }
  }

  result(): CategorySummary[] {
    const { phraseLimit, occurrenceLimit } = this.#options;
    return this.#categories.map((category) => {
      const tally = this.#tally.get(category.id);
      if (!tally) return { category, tags: 0, articles: 0, annotators: 0, sentences: 0, phrases: [] };
      const top = [...tally.phrases]
        .map(([phrase, e]) => ({
          phrase,
          count: e.count,
          occurrences: [...e.occurrences].sort((a, b) => a.articleId.localeCompare(b.articleId) || a.sentence - b.sentence).slice(0, occurrenceLimit),
        }))
        .sort((a, b) => b.count - a.count || a.phrase.localeCompare(b.phrase))
        .slice(0, phraseLimit);
      return { category, tags: tally.tags, articles: tally.articles.size, annotators: tally.annotators.size, sentences: tally.sentences.size, phrases: top };
    });
  }
}

export function summarise(
  articles: ReadonlyMap<string, Article>,
  annotations: Annotation[],
  categories: Category[],
  filter: SummaryFilter = {},
  options = { phraseLimit: 10, occurrenceLimit: 10 },
): CategorySummary[] {
  const summariser = new Summariser(articles, categories, filter, options);
  for (const annotation of annotations) summariser.add(annotation);
  return summariser.result();
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
