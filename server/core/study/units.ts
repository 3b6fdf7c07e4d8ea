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
  /**
   * Calls `visit` for every sentence of `reviewed(annotation)`, some maybe more than once, without
   * building the set: a report over 50,000 annotations would otherwise make 50,000 sets.
   */
  visitReviewed: (annotation: Annotation, visit: (sentence: number) => void) => void;
}

export function makeStudy(articles: Article[], annotations: Annotation[], annotators?: string[]): Study {
  // Article, then annotator: no key string to build for every look-up (a report makes 50,000).
  const byArticle = new Map<string, Map<string, Annotation>>();
  for (const a of annotations) {
    let byAnnotator = byArticle.get(a.articleId);
    if (!byAnnotator) byArticle.set(a.articleId, (byAnnotator = new Map()));
    byAnnotator.set(a.annotatorId, a);
  }
  const ids = annotators ?? [...new Set(annotations.map((a) => a.annotatorId))].sort();
  const reviewed = new WeakMap<Annotation, Set<number>>();
  return {
    articles,
    annotators: ids,
    annotation: (articleId, annotatorId) => byArticle.get(articleId)?.get(annotatorId),
    reviewed: (annotation) => {
      let seen = reviewed.get(annotation);
      if (!seen) reviewed.set(annotation, (seen = reviewedSentences(annotation)));
      return seen;
    },
    visitReviewed: (annotation, visit) => {
      const seen = reviewed.get(annotation);
      if (seen) {
        for (const s of seen) visit(s);
        return;
      }
      // The members of reviewedSentences(annotation): the sentences marked reviewed, and the tagged ones.
      for (const s of annotation.reviewed) visit(s);
      for (const t of annotation.tags) visit(t.sentence);
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

/** Sentence-level decisions counted, without writing them out (see {@link sentenceCodes}). */
export interface SentenceCounts {
  units: SentenceUnit[];
  /** `reviewed[u * annotators + k]` = 0 if annotator k reviewed sentence u, −1 if never. */
  reviewed: Int8Array;
  /** Per category and sentence u: how many annotators have a value (0 or 1), and how many a 1. */
  seen: Int32Array[];
  tagged: Int32Array[];
}

export interface SentenceCodes extends SentenceCounts {
  /** Per category (in the order given): `codes[u * annotators + k]` = 1 tagged, 0 reviewed without it, −1 never reviewed. */
  byCategory: Int8Array[];
  /** The same, every category's block one after another (`byCategory` are views of it). */
  all: Int8Array;
}

/** `study.annotation` of article ai and annotator k, from `annotations[ai · annotators + k]` when given. */
function annotationAt(study: Study, annotations: readonly (Annotation | undefined)[] | undefined, ai: number, k: number): Annotation | undefined {
  return annotations ? annotations[ai * study.annotators.length + k] : study.annotation(study.articles[ai]?.id ?? '', study.annotators[k] ?? '');
}

/**
 * The sentence-level decisions of every category counted per sentence in one pass over the
 * annotations: a value is 1 (tagged the category in the sentence), 0 (reviewed it without that
 * tag) or missing (never reviewed it). `annotations`, if given, holds `study.annotation` of every
 * article (in order) and annotator k at `ai * annotators + k`, already looked up.
 */
export function sentenceCounts(study: Study, categoryIds: string[], annotations?: readonly (Annotation | undefined)[]): SentenceCounts {
  const units: SentenceUnit[] = [];
  const offsets: number[] = [];
  let longest = 0;
  for (const article of study.articles) {
    offsets.push(units.length);
    longest = Math.max(longest, article.sentences.length);
    for (let s = 0; s < article.sentences.length; s++) units.push({ articleId: article.id, sentence: s });
  }
  const m = study.annotators.length;
  const count = categoryIds.length;
  const column = new Map(categoryIds.map((c, i) => [c, i]));
  // "Reviewed or not" is the same for every category. One byte a decision.
  const reviewed = new Int8Array(units.length * m).fill(-1);
  const reviewers = new Int32Array(units.length);
  study.articles.forEach((article, ai) => {
    const base = offsets[ai] ?? 0;
    const sentences = article.sentences.length;
    for (let k = 0; k < m; k++) {
      const a = annotationAt(study, annotations, ai, k);
      if (a) study.visitReviewed(a, (s) => {
        if (s < sentences && reviewed[(base + s) * m + k] === -1) {
          reviewed[(base + s) * m + k] = 0;
          reviewers[base + s]!++;
        }
      });
    }
  });
  const seen = categoryIds.map(() => reviewers.slice());
  const tagged = categoryIds.map(() => new Int32Array(units.length));
  // Each annotation's (sentence, category) decisions counted once: `mark` holds the number of the
  // last annotation that tagged them.
  const mark = new Int32Array(longest * count);
  let stamp = 0;
  study.articles.forEach((article, ai) => {
    const base = offsets[ai] ?? 0;
    for (let k = 0; k < m; k++) {
      const tags = annotationAt(study, annotations, ai, k)?.tags;
      if (!tags) continue;
      stamp++;
      for (const t of tags) {
        const c = column.get(t.category);
        if (c === undefined || !(t.sentence < article.sentences.length)) continue;
        const key = t.sentence * count + c;
        if (mark[key] === stamp) continue;
        mark[key] = stamp;
        const u = base + t.sentence;
        // A tag on a sentence never marked reviewed still counts, as a value.
        if (reviewed[u * m + k] === -1) seen[c]![u]!++;
        tagged[c]![u]!++;
      }
    }
  });
  return { units, reviewed, seen, tagged };
}

/**
 * The sentence-level decisions of every category at once, as flat typed arrays (one pass over the
 * annotations): what agreement statistics need for large studies without a matrix of JS values.
 */
export function sentenceCodes(study: Study, categoryIds: string[], annotations?: readonly (Annotation | undefined)[]): SentenceCodes {
  const counts = sentenceCounts(study, categoryIds, annotations);
  const m = study.annotators.length;
  const column = new Map(categoryIds.map((c, i) => [c, i]));
  const block = counts.reviewed.length;
  const all = new Int8Array(block * categoryIds.length);
  const byCategory = categoryIds.map((_, c) => {
    all.set(counts.reviewed, c * block);
    return all.subarray(c * block, (c + 1) * block);
  });
  let base = 0;
  study.articles.forEach((article, ai) => {
    for (let k = 0; k < m; k++) {
      for (const t of annotationAt(study, annotations, ai, k)?.tags ?? []) {
        const c = column.get(t.category);
        const codes = c === undefined ? undefined : byCategory[c];
        if (codes && t.sentence < article.sentences.length) codes[(base + t.sentence) * m + k] = 1;
      }
    }
    base += article.sentences.length;
  });
  return { ...counts, byCategory, all };
}
