// View models: the plain data templates render (highlighted pieces, legends, names).
import { join } from 'node:path';
import type { Annotation, Article, Codebook, Range, Tag } from '../core/model.js';
import { visibleAnnotators } from '../core/access.js';
import type { Project } from '../storage/schemas.js';
import { DEFAULT_CODEBOOK } from '../storage/store.js';
import type { AppStore } from '../storage/app-store.js';
import { VIEWS_DIR } from '../paths.js';

export { DEFAULT_CODEBOOK };

/**
 * The page layout's partials by absolute path, for pages served all day (the sentence view):
 * EJS looks a relative include up on disk (existsSync) on every render, an absolute one not.
 */
export const LAYOUT = {
  head: join(VIEWS_DIR, 'partials', 'head.ejs'),
  foot: join(VIEWS_DIR, 'partials', 'foot.ejs'),
};

/** The project's codebook (see `Store.codebookOf`), for the route modules that render it. */
export function codebookOf(store: AppStore, project: { codebookId: string }): Codebook {
  return store.codebookOf(project);
}

/** The annotations on an article that this user may see (blind projects: only their own). */
export async function visibleAnnotations(store: AppStore, project: Project, articleId: string, userId: string): Promise<Annotation[]> {
  const all = await store.readAnnotations(articleId);
  const allowed = new Set(visibleAnnotators(project, userId, all.map((a) => a.annotatorId)));
  return all.filter((a) => allowed.has(a.annotatorId));
}

/** Anything highlighted on a sentence: an annotator's tag, a student's, a reference tag. */
export interface Mark {
  id: string;
  category: string;
  start: number;
  end: number;
  /** A suggestion (drawn as a dashed outline), not a tag. */
  ghost?: boolean;
}

export interface Piece {
  text: string;
  /** Index of the word this piece belongs to (sentence view), or null for the gaps between words. */
  word: number | null;
  /** Tags covering this piece, outermost first; `layer` stacks their underlines. */
  tags: { id: string; category: string; layer: number; ghost?: boolean; first?: boolean; label?: string }[];
}

/** Marks in drawing order: by start, the longer first (it is the outer layer), then by id. */
function byPosition(a: Mark, b: Mark): number {
  return a.start - b.start || b.end - a.end || a.id.localeCompare(b.id);
}

/** The sorted, distinct offsets where a piece starts or ends: the range's ends and every boundary inside it. */
function cutPoints(range: Range, marks: Mark[], words: Range[]): Float64Array {
  const all = new Float64Array(2 + 2 * (marks.length + words.length));
  let n = 0;
  all[n++] = range.start;
  all[n++] = range.end;
  const add = (offset: number) => {
    if (offset > range.start && offset < range.end) all[n++] = offset;
  };
  for (const m of marks) {
    add(m.start);
    add(m.end);
  }
  for (const w of words) {
    add(w.start);
    add(w.end);
  }
  const sorted = all.subarray(0, n).sort(); // a typed array sorts numerically
  let distinct = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[distinct++] = sorted[i] ?? 0;
  return sorted.subarray(0, distinct);
}

/**
 * A sentence cut into pieces at every tag boundary (and, when `words` are given, every word
 * boundary, so a script can select whole words), each listing the tags that cover it.
 * `words` are in text order and do not overlap, as `words()` gives them.
 */
export function pieces(text: string, range: Range, marks: Mark[], words: Range[] = []): Piece[] {
  // Runs on every sentence page: one pass over the cut points, without intermediate arrays.
  const sorted = marks.length > 1 ? [...marks].sort(byPosition) : marks;
  const points = cutPoints(range, sorted, words);
  const out: Piece[] = [];
  let w = 0; // the first word that does not end before the current piece
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i] ?? 0;
    const end = points[i + 1] ?? 0;
    while (w < words.length && (words[w]?.end ?? 0) <= start) w++;
    const word = words[w];
    const tags: Piece['tags'] = [];
    for (const m of sorted) {
      if (m.start <= start && m.end >= end) {
        const layer = Math.min(tags.length, 3);
        tags.push(m.ghost ? { id: m.id, category: m.category, layer, ghost: true } : { id: m.id, category: m.category, layer });
      }
    }
    out.push({ text: text.slice(start, end), word: word && word.start <= start && word.end >= end ? w : null, tags });
  }
  return out;
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

/**
 * Parts of a page that depend only on a record that never changes once stored (a codebook, an
 * article), rendered once and then reused: `owner` is that record and `key` names the part among
 * a few (never raw user input, so each owner keeps a bounded number). Keyed weakly by the record,
 * so the parts of a deleted article go with it.
 */
export type Fragment = (owner: object, key: string, render: () => string) => string;

const fragments = new WeakMap<object, Map<string, string>>();

export const cachedFragment: Fragment = (owner, key, render) => {
  let parts = fragments.get(owner);
  if (!parts) fragments.set(owner, (parts = new Map()));
  let html = parts.get(key);
  if (html === undefined) parts.set(key, (html = render()));
  return html;
};

/** Without the view cache (development) templates are re-read on every request: so are fragments. */
export const freshFragment: Fragment = (_owner, _key, render) => render();

export function userNames(store: AppStore): Map<string, string> {
  return new Map(store.users.data.data.users.map((u) => [u.id, u.name]));
}
