// A story's alignment as records for CSV and JSON: one row per sentence (its outlet, article,
// aligned group, best link score and who made its links), and the links themselves.
import type { Story } from '../storage/stories.js';
import type { StoryAlignment } from './alignment.js';
import { outletName } from './view.js';

export interface AlignmentSentence {
  story: string;
  story_title: string;
  outlet: string;
  article: string;
  article_title: string;
  /** 1-based. */
  sentence: number;
  text: string;
  /** 1-based, in the story page's order. */
  group: number;
  /** The outlet that alone has this group's content, or empty. */
  only_in: string;
  /** The highest score among the sentence's links (empty when it has none). */
  score: number | null;
  /** Who made its links: `aligner` or researchers' names, `;`-separated. */
  linked_by: string;
}

export interface AlignmentLinkRecord {
  a: { outlet: string; article: string; sentence: number };
  b: { outlet: string; article: string; sentence: number };
  group: number;
  score: number;
  origin: 'auto' | 'manual';
  linked_by: string;
}

export const ALIGNMENT_COLUMNS: (keyof AlignmentSentence)[] = [
  'story', 'story_title', 'outlet', 'article', 'article_title', 'sentence', 'text', 'group', 'only_in', 'score', 'linked_by',
];

export function alignmentRecords(story: Story, alignment: StoryAlignment, names: ReadonlyMap<string, string>) {
  const byId = new Map(alignment.articles.map((a) => [a.id, a]));
  const outlet = (id: string) => {
    const a = byId.get(id);
    return a ? outletName(a) : '';
  };
  const groupOf = new Map<string, number>();
  alignment.groups.forEach((g, i) => {
    for (const [article, list] of Object.entries(g.sentences)) for (const s of list) groupOf.set(`${article} ${s}`, i + 1);
  });
  const who = (by: string) => (by === 'aligner' ? 'aligner' : (names.get(by) ?? by));
  const linksOf = new Map<string, { score: number; by: string }[]>();
  for (const l of alignment.merged.links) {
    for (const end of [l.a, l.b]) {
      const key = `${end.article} ${end.sentence}`;
      const list = linksOf.get(key) ?? [];
      list.push({ score: l.score, by: who(l.by) });
      linksOf.set(key, list);
    }
  }
  const sentences: AlignmentSentence[] = alignment.articles.flatMap((article) =>
    article.sentences.map((range, index) => {
      const key = `${article.id} ${index}`;
      const group = groupOf.get(key) ?? 0;
      const onlyIn = alignment.groups[group - 1]?.onlyIn;
      const links = linksOf.get(key) ?? [];
      return {
        story: story.id,
        story_title: story.title,
        outlet: outletName(article),
        article: article.id,
        article_title: article.title,
        sentence: index + 1,
        text: article.text.slice(range.start, range.end),
        group,
        only_in: onlyIn ? outlet(onlyIn) : '',
        score: links.length > 0 ? Math.max(...links.map((l) => l.score)) : null,
        linked_by: [...new Set(links.map((l) => l.by))].join(';'),
      };
    }),
  );
  const links: AlignmentLinkRecord[] = alignment.merged.links.map((l) => ({
    a: { outlet: outlet(l.a.article), article: l.a.article, sentence: l.a.sentence + 1 },
    b: { outlet: outlet(l.b.article), article: l.b.article, sentence: l.b.sentence + 1 },
    group: groupOf.get(`${l.a.article} ${l.a.sentence}`) ?? 0,
    score: l.score,
    origin: l.origin,
    linked_by: who(l.by),
  }));
  return {
    story: { id: story.id, title: story.title, note: story.note },
    articles: alignment.articles.map((a) => ({ id: a.id, outlet: outletName(a), title: a.title, date: a.publishedAt, url: a.url, sentences: a.sentences.length })),
    sentences,
    links,
  };
}
