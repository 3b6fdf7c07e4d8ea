// What the story page shows, built from a story's alignment and its tags: one row per aligned
// group with a cell per outlet, the links inside each group (to unlink), and the word-choice
// contrasts of every aligned pair, ranked across the story.
import type { Article } from '../core/model.js';
import type { MergedLink } from '../core/stories/edits.js';
import { wordChoiceContrasts, type Contrast, type ContrastSide } from '../core/stories/contrasts.js';
import { pieces, type Piece } from '../web/views.js';
import type { StoryAlignment } from './alignment.js';
import type { ArticleTags, MergedTag } from './tags.js';

export interface SentenceCell {
  index: number;
  start: number;
  pieces: Piece[];
  tags: (MergedTag & { text: string })[];
}

export interface GroupRow {
  /** 1-based, as the page and the exports number groups. */
  number: number;
  /** The article id of the only outlet that has this content, or null. */
  onlyIn: string | null;
  weakestScore: number | null;
  cells: SentenceCell[][];
  links: MergedLink[];
}

export interface RankedContrast extends Contrast {
  group: number;
  articleA: string;
  articleB: string;
}

export const SHOWN_CONTRASTS = 40;

export function outletName(article: Article): string {
  return article.source.trim() || article.title;
}

export function storyRows(alignment: StoryAlignment, tags: ReadonlyMap<string, ArticleTags>): GroupRow[] {
  const { articles, groups, merged } = alignment;
  const groupOf = new Map<string, number>();
  groups.forEach((g, i) => {
    for (const [article, list] of Object.entries(g.sentences)) for (const s of list) groupOf.set(`${article} ${s}`, i);
  });
  const linksOf = new Map<number, MergedLink[]>();
  for (const link of merged.links) {
    const g = groupOf.get(`${link.a.article} ${link.a.sentence}`);
    if (g === undefined) continue;
    const list = linksOf.get(g);
    if (list) list.push(link);
    else linksOf.set(g, [link]);
  }
  return groups.map((g, i) => ({
    number: i + 1,
    onlyIn: g.onlyIn,
    weakestScore: g.weakestScore,
    links: linksOf.get(i) ?? [],
    cells: articles.map((article) =>
      (g.sentences[article.id] ?? []).map((index) => {
        const range = article.sentences[index]!;
        const marks = tags.get(article.id)?.bySentence.get(index) ?? [];
        return {
          index,
          start: range.start,
          pieces: pieces(article.text, range, marks),
          tags: marks.map((m) => ({ ...m, text: article.text.slice(m.start, m.end) })),
        };
      }),
    ),
  }));
}

/** Every aligned pair's contrasts, ranked across the story (highest score first). */
export function storyContrasts(alignment: StoryAlignment, tags: ReadonlyMap<string, ArticleTags>): RankedContrast[] {
  const { articles, groups } = alignment;
  const tagged = (article: string, start: number, end: number) => (tags.get(article)?.tags ?? []).some((t) => t.start < end && t.end > start);
  const side = (article: Article, indexes: number[]): ContrastSide => ({
    article: article.id,
    text: article.text,
    sentences: indexes.map((index) => ({ index, range: article.sentences[index]! })),
  });
  const out: RankedContrast[] = [];
  groups.forEach((g, i) => {
    const present = articles.filter((a) => (g.sentences[a.id]?.length ?? 0) > 0);
    for (let x = 0; x < present.length; x++) {
      for (let y = x + 1; y < present.length; y++) {
        const a = present[x]!;
        const b = present[y]!;
        for (const c of wordChoiceContrasts(side(a, g.sentences[a.id]!), side(b, g.sentences[b.id]!), tagged)) {
          out.push({ ...c, group: i + 1, articleA: a.id, articleB: b.id });
        }
      }
    }
  });
  return out.sort((x, y) => y.score - x.score || x.group - y.group);
}
