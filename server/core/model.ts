// The things Framelens talks about, as plain types. Parsing from untrusted
// input lives in server/storage/schemas.ts and server/web/forms.ts.
import type { SuggesterName } from './suggest/types.js';

/** A `[start, end)` range of an article's text, in UTF-16 code units. */
export interface Range {
  start: number;
  end: number;
}

export type Voice = 'author' | 'quoted' | 'paraphrase';
export const VOICES: readonly Voice[] = ['author', 'quoted', 'paraphrase'];
export const VOICE_LABELS: Record<Voice, string> = {
  author: 'Author',
  quoted: 'Quoted source',
  paraphrase: 'Paraphrase',
};

export type Intensity = 1 | 2 | 3;

export interface Category {
  id: string;
  name: string;
  definition: string;
  /** What span an annotator should select for this category. */
  span: string;
  example: string;
  /** CSS colour, `#rrggbb`. */
  colour: string;
  /** One lower-case letter or digit that picks the category in the sentence view. */
  key: string;
  /** Words or phrases that suggest this category wherever they occur (optional; suggestions). */
  cues?: string[];
  /** The suggestion rules whose hits this category receives (`lexicon:hedges`…; core/suggest/rule-ids.ts). */
  suggest?: string[];
}

export interface CategoryGroup {
  id: string;
  name: string;
  categories: Category[];
}

export interface Codebook {
  id: string;
  name: string;
  description: string;
  groups: CategoryGroup[];
}

export interface Article {
  id: string;
  projectId: string;
  title: string;
  source: string;
  url: string;
  /** `YYYY-MM-DD` or empty. */
  publishedAt: string;
  /** The text exactly as imported; never rewritten. */
  text: string;
  /** The sentences offered for tagging, in text order (excluded lines are absent). */
  sentences: Range[];
  createdAt: string;
  createdBy: string;
}

export interface Tag {
  id: string;
  articleId: string;
  annotatorId: string;
  /** 0-based index into `Article.sentences`. */
  sentence: number;
  start: number;
  end: number;
  category: string;
  voice: Voice;
  intensity: Intensity | null;
  note: string;
  createdAt: string;
  updatedAt: string;
  /** Where the tag came from; absent on tags stored before origins were recorded (read as manual). */
  origin?: TagOrigin;
}

/** What a span says about the text: where it sits and how it is tagged (a tag's, and a gold span's). */
export type SpanFields = Pick<Tag, 'sentence' | 'start' | 'end' | 'category' | 'voice' | 'intensity' | 'note'>;

/**
 * A tag's origin: made by hand, or an accepted suggestion (which suggester, its score, and
 * whether the annotator then changed its span or category).
 */
export type TagOrigin =
  | { kind: 'manual' }
  | { kind: 'suggestion'; suggester: SuggesterName; score: number; adjusted: boolean };

/** A suggestion an annotator rejected: it is not offered to them again. */
export interface Rejection extends Range {
  sentence: number;
  category: string;
  suggester: SuggesterName;
  score: number;
  at: string;
}

/** One annotator's work on one article: their tags and the sentences they reviewed. */
export interface Annotation {
  articleId: string;
  annotatorId: string;
  /** Sentence indexes marked "reviewed — nothing to tag here" (or reviewed while tagging). */
  reviewed: number[];
  tags: Tag[];
  /** Suggestions this annotator rejected here (absent until the first). */
  rejected?: Rejection[];
  /** When this annotator last changed anything here (ISO time, empty if never). */
  updatedAt: string;
}
