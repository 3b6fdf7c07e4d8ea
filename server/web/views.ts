// View models: the plain data templates render (highlighted pieces, legends, names).
import type { Annotation, Article, Codebook, Range, Tag } from '../core/model.js';
import { highlightPieces } from '../core/spans.js';
import { visibleAnnotators } from '../core/access.js';
import type { Project } from '../storage/schemas.js';
import type { Store } from '../storage/store.js';
import { HttpError } from './errors.js';

export const DEFAULT_CODEBOOK = 'framing';

export function codebookOf(store: Store, project: { codebookId: string }): Codebook {
  const codebook = store.codebook(project.codebookId) ?? store.codebook(DEFAULT_CODEBOOK);
  if (!codebook) throw new HttpError(500, 'The project’s codebook is missing.');
  return codebook;
}

/** The annotations on an article that this user may see (blind projects: only their own). */
export function visibleAnnotations(store: Store, project: Project, articleId: string, userId: string): Annotation[] {
  const all = store.annotations(articleId);
  const allowed = new Set(visibleAnnotators(project, userId, all.map((a) => a.annotatorId)));
  return all.filter((a) => allowed.has(a.annotatorId));
}

/** Anything highlighted on a sentence: an annotator's tag, a student's, a reference tag. */
export interface Mark {
  id: string;
  category: string;
  start: number;
  end: number;
}

export interface Piece {
  text: string;
  /** Index of the word this piece belongs to (sentence view), or null for the gaps between words. */
  word: number | null;
  /** Tags covering this piece, outermost first; `layer` stacks their underlines. */
  tags: { id: string; category: string; layer: number }[];
}

/**
 * A sentence cut into pieces at every tag boundary (and, when `words` are given, every word
 * boundary, so a script can select whole words), each listing the tags that cover it.
 */
export function pieces(text: string, range: Range, marks: Mark[], words: Range[] = []): Piece[] {
  const sorted = [...marks].sort((a, b) => a.start - b.start || b.end - a.end || a.id.localeCompare(b.id));
  // Words take part as cuts only (word set, no category), so each piece lies within one word or gap.
  const cuts: (Mark & { word: number | null })[] = [
    ...sorted.map((m) => ({ ...m, word: null })),
    ...words.map((w, i) => ({ ...w, id: `w${i}`, category: '', word: i })),
  ];
  return highlightPieces(range, cuts).map((p) => {
    const covering = p.tags.filter((t) => t.word === null);
    return {
      text: text.slice(p.start, p.end),
      word: p.tags.find((t) => t.word !== null)?.word ?? null,
      tags: covering.map((t, layer) => ({ id: t.id, category: t.category, layer: Math.min(layer, 3) })),
    };
  });
}

export interface ParagraphView {
  sentences: { index: number; pieces: Piece[]; tagCount: number }[];
}

/** The article as paragraphs of highlighted sentences; a line break between sentences starts a paragraph. */
export function articleView(article: Article, annotations: Annotation[], _codebook: Codebook): ParagraphView[] {
  const bySentence = new Map<number, Tag[]>();
  for (const a of annotations) for (const t of a.tags) bySentence.set(t.sentence, [...(bySentence.get(t.sentence) ?? []), t]);
  const paragraphs: ParagraphView[] = [];
  let previousEnd = -1;
  article.sentences.forEach((range, index) => {
    const gap = previousEnd < 0 ? '\n' : article.text.slice(previousEnd, range.start);
    if (gap.includes('\n') || paragraphs.length === 0) paragraphs.push({ sentences: [] });
    const tags = bySentence.get(index) ?? [];
    paragraphs[paragraphs.length - 1]?.sentences.push({ index, pieces: pieces(article.text, range, tags), tagCount: tags.length });
    previousEnd = range.end;
  });
  return paragraphs;
}

export function userNames(store: Store): Map<string, string> {
  return new Map(store.users.data.data.users.map((u) => [u.id, u.name]));
}
