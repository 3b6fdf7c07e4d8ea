// Turning a project's annotations into the units agreement statistics and exports work on.
// Pure: articles and annotations in, plain arrays out.
import type { Annotation, Article, Range, Tag } from '../model.js';
import { reviewedSentences } from '../spans.js';

export interface Study {
  /** Articles in a fixed order (creation order); units follow it. */
  articles: Article[];
  /** Annotator ids in a fixed order; matrix columns follow it. */
  annotators: string[];
  /** Annotation of article `articleId` by annotator `annotatorId`, if any. */
  annotation: (articleId: string, annotatorId: string) => Annotation | undefined;
  /** The sentences an annotation counts as reviewed, computed once per annotation. */
  reviewed: (annotation: Annotation) => Set<number>;
}

export function makeStudy(articles: Article[], annotations: Annotation[], annotators?: string[]): Study {
  const byKey = new Map(annotations.map((a) => [`${a.articleId}\u0000${a.annotatorId}`, a]));
  const ids = annotators ?? [...new Set(annotations.map((a) => a.annotatorId))].sort();
  const reviewed = new WeakMap<Annotation, Set<number>>();
  return {
    articles,
    annotators: ids,
    annotation: (articleId, annotatorId) => byKey.get(`${articleId}\u0000${annotatorId}`),
    reviewed: (annotation) => {
      let seen = reviewed.get(annotation);
      if (!seen) reviewed.set(annotation, (seen = reviewedSentences(annotation)));
      return seen;
    },
  };
}

export interface SentenceUnit {
  articleId: string;
  sentence: number;
}

/**
 * Sentence-level reliability data for one category: for every sentence, each annotator's value is
 * 1 (tagged the category in it), 0 (reviewed it without that tag) or null (never reviewed it —
 * missing, not "no").
 */
export function sentenceMatrix(study: Study, category: string | null): { units: SentenceUnit[]; values: (0 | 1 | null)[][] } {
  const units: SentenceUnit[] = [];
  const values: (0 | 1 | null)[][] = [];
  const per = study.annotators.map((id) =>
    study.articles.map((article) => {
      const a = study.annotation(article.id, id);
      if (!a) return null;
      const tagged = new Set(a.tags.filter((t) => category === null || t.category === category).map((t) => t.sentence));
      return { seen: study.reviewed(a), tagged };
    }),
  );
  study.articles.forEach((article, ai) => {
    for (let s = 0; s < article.sentences.length; s++) {
      units.push({ articleId: article.id, sentence: s });
      values.push(
        per.map((byArticle) => {
          const info = byArticle[ai];
          if (!info || !info.seen.has(s)) return null;
          return info.tagged.has(s) ? 1 : 0;
        }),
      );
    }
  });
  return { units, values };
}

/** The words of every sentence (given by `words`) as token units, for token-level agreement. */
export function tokenMatrix(
  study: Study,
  category: string,
  words: (article: Article, range: Range) => Range[],
): (0 | 1 | null)[][] {
  const rows: (0 | 1 | null)[][] = [];
  for (const article of study.articles) {
    const coders = study.annotators.map((id) => study.annotation(article.id, id));
    article.sentences.forEach((range, s) => {
      for (const word of words(article, range)) {
        rows.push(
          coders.map((a) => {
            if (!a || !study.reviewed(a).has(s)) return null;
            return a.tags.some((t) => t.category === category && t.start < word.end && t.end > word.start) ? 1 : 0;
          }),
        );
      }
    });
  }
  return rows;
}

/** Each annotator's spans of one category (all categories when null) in one article. */
export function spansOf(study: Study, articleId: string, annotatorId: string, category: string | null): Tag[] {
  return (study.annotation(articleId, annotatorId)?.tags ?? []).filter((t) => category === null || t.category === category);
}

/** Articles every one of `annotators` has reviewed at least one sentence of (pairable for span metrics). */
export function sharedArticles(study: Study, annotators: string[]): Article[] {
  return study.articles.filter((article) =>
    annotators.every((id) => {
      const a = study.annotation(article.id, id);
      return a !== undefined && study.reviewed(a).size > 0;
    }),
  );
}

export interface SentenceCodes {
  units: SentenceUnit[];
  /** Per category (in the order given): `codes[u * annotators + k]` = 1 tagged, 0 reviewed without it, −1 never reviewed. */
  byCategory: Int8Array[];
}

/**
 * The sentence-level decisions of every category at once, as flat typed arrays (one pass over the
 * annotations): what agreement statistics need for large studies without a matrix of JS values.
 */
export function sentenceCodes(study: Study, categoryIds: string[]): SentenceCodes {
  const units: SentenceUnit[] = [];
  const offsets: number[] = [];
  for (const article of study.articles) {
    offsets.push(units.length);
    for (let s = 0; s < article.sentences.length; s++) units.push({ articleId: article.id, sentence: s });
  }
  const m = study.annotators.length;
  const column = new Map(categoryIds.map((c, i) => [c, i]));
  // "Reviewed or not" is the same for every category: fill it once, then copy it per category.
  // One byte a decision: 50 annotators × 30,000 sentences × 12 categories stay small.
  const reviewed = new Int8Array(units.length * m).fill(-1);
  study.articles.forEach((article, ai) => {
    const base = offsets[ai] ?? 0;
    study.annotators.forEach((id, k) => {
      const a = study.annotation(article.id, id);
      if (!a) return;
      for (const s of study.reviewed(a)) if (s < article.sentences.length) reviewed[(base + s) * m + k] = 0;
    });
  });
  const byCategory = categoryIds.map(() => reviewed.slice());
  study.articles.forEach((article, ai) => {
    const base = offsets[ai] ?? 0;
    study.annotators.forEach((id, k) => {
      const a = study.annotation(article.id, id);
      if (!a) return;
      for (const t of a.tags) {
        const c = column.get(t.category);
        const codes = c === undefined ? undefined : byCategory[c];
        if (codes && t.sentence < article.sentences.length) codes[(base + t.sentence) * m + k] = 1;
      }
    });
  });
  return { units, byCategory };
}
