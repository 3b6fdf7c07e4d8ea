// One flat record per tag: the shape of the CSV and JSONL exports (and of JSONL import).
import type { Annotation, Article, Tag } from '../model.js';
import { exportedText } from '../offsets.js';

export interface TagRecord {
  project: string;
  article: string;
  article_title: string;
  /** 1-based, as the sentence view numbers sentences. */
  sentence: number;
  /** UTF-16 code units (JavaScript string indexes), end exclusive. */
  start: number;
  end: number;
  /** The same span in code points (Python str indexes; brat, SemEval). */
  start_cp: number;
  end_cp: number;
  text: string;
  category: string;
  voice: Tag['voice'];
  intensity: Tag['intensity'];
  note: string;
  annotator: string;
  created: string;
  updated: string;
}

export const TAG_COLUMNS: (keyof TagRecord)[] = [
  'project', 'article', 'article_title', 'sentence', 'start', 'end', 'start_cp', 'end_cp', 'text', 'category',
  'voice', 'intensity', 'note', 'annotator', 'created', 'updated',
];

/**
 * A sentence an annotator reviewed without tagging anything in it ("found nothing", which
 * agreement counts as a "no", unlike a sentence never looked at). Only in the JSONL export, so
 * that an export → import round trip loses nothing.
 */
export interface ReviewedRecord {
  project: string;
  article: string;
  article_title: string;
  /** 1-based. */
  sentence: number;
  annotator: string;
  reviewed: true;
}

/** Yields tag records article by article, annotator by annotator, in text order; never builds them all. */
export function tagRecords(
  projectName: string,
  articles: Article[],
  annotationsOf: (articleId: string) => Annotation[],
  annotatorName: (id: string) => string,
): Generator<TagRecord> {
  return records(projectName, articles, annotationsOf, annotatorName, false) as Generator<TagRecord>;
}

/** The JSONL export: each annotator's tag records, then their reviewed-without-tags sentences. */
export function jsonlRecords(
  projectName: string,
  articles: Article[],
  annotationsOf: (articleId: string) => Annotation[],
  annotatorName: (id: string) => string,
): Generator<TagRecord | ReviewedRecord> {
  return records(projectName, articles, annotationsOf, annotatorName, true);
}

function* records(
  projectName: string,
  articles: Article[],
  annotationsOf: (articleId: string) => Annotation[],
  annotatorName: (id: string) => string,
  withReviewed: boolean,
): Generator<TagRecord | ReviewedRecord> {
  for (const article of articles) {
    const view = exportedText(article.text);
    const annotations = [...annotationsOf(article.id)].sort((a, b) => a.annotatorId.localeCompare(b.annotatorId));
    for (const annotation of annotations) {
      const tags = [...annotation.tags].sort((a, b) => a.start - b.start || a.end - b.end || a.category.localeCompare(b.category));
      for (const tag of tags) {
        yield {
          project: projectName,
          article: article.id,
          article_title: article.title,
          sentence: tag.sentence + 1,
          start: tag.start,
          end: tag.end,
          start_cp: view.toCodePoint(tag.start),
          end_cp: view.toCodePoint(tag.end),
          text: article.text.slice(tag.start, tag.end),
          category: tag.category,
          voice: tag.voice,
          intensity: tag.intensity,
          note: tag.note,
          annotator: annotatorName(annotation.annotatorId),
          created: tag.createdAt,
          updated: tag.updatedAt,
        };
      }
      if (!withReviewed) continue;
      const tagged = new Set(annotation.tags.map((t) => t.sentence));
      const quiet = [...new Set(annotation.reviewed)].filter((s) => !tagged.has(s) && s >= 0 && s < article.sentences.length).sort((a, b) => a - b);
      for (const s of quiet) {
        yield { project: projectName, article: article.id, article_title: article.title, sentence: s + 1, annotator: annotatorName(annotation.annotatorId), reviewed: true };
      }
    }
  }
}
