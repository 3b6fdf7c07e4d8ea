// Aligned groups for the side-by-side story view: the sentences that links join, directly or
// through another outlet, one row per group and one column per article; a sentence no link
// reaches is a group of its own, "only in" its outlet — where informational bias shows.
import type { Link, SentenceRef } from './align.js';

export interface AlignedGroup {
  /** Each article's sentences in this group, in text order; absent articles have none. */
  sentences: Record<string, number[]>;
  /** The one article that has this content when no other has; null when two or more share it. */
  onlyIn: string | null;
  /** The lowest score among the group's links (null for a sentence no link reaches). */
  weakestScore: number | null;
}

/**
 * The groups of a story, in reading order of the first article (the pivot): a group holding
 * none of its sentences is placed after the group of the nearest earlier sentence of its own
 * article, so each column stays close to its text order.
 */
export function alignedGroups(articles: readonly { id: string; sentenceCount: number }[], links: readonly Link[]): AlignedGroup[] {
  const nodes: SentenceRef[] = [];
  const id = new Map<string, number>();
  const key = (r: SentenceRef) => `${r.article}\u0000${r.sentence}`;
  for (const a of articles) {
    for (let s = 0; s < a.sentenceCount; s++) {
      id.set(key({ article: a.id, sentence: s }), nodes.length);
      nodes.push({ article: a.id, sentence: s });
    }
  }
  const parent = nodes.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const weakest = new Map<number, number>();
  const linked = links.filter((l) => id.has(key(l.a)) && id.has(key(l.b)));
  for (const l of linked) {
    const x = find(id.get(key(l.a))!);
    const y = find(id.get(key(l.b))!);
    if (x !== y) parent[x] = y;
  }
  for (const l of linked) {
    const root = find(id.get(key(l.a))!);
    weakest.set(root, Math.min(weakest.get(root) ?? Infinity, l.score));
  }
  const byRoot = new Map<number, SentenceRef[]>();
  nodes.forEach((n, i) => {
    const root = find(i);
    const list = byRoot.get(root);
    if (list) list.push(n);
    else byRoot.set(root, [n]);
  });

  // Reading order: position in the pivot article, or just after the nearest earlier sentence's group.
  const order = new Map<number, number>();
  const articleRank = new Map(articles.map((a, i) => [a.id, i]));
  const placed = (root: number): number => {
    const known = order.get(root);
    if (known !== undefined) return known;
    const members = byRoot.get(root)!;
    const first = members.reduce((best, m) =>
      articleRank.get(m.article)! < articleRank.get(best.article)! || (m.article === best.article && m.sentence < best.sentence) ? m : best,
    );
    let position: number;
    if (first.article === articles[0]?.id) position = first.sentence;
    else {
      position = -1 + (articleRank.get(first.article)! * 1e-3 + first.sentence * 1e-6); // before everything
      for (let s = first.sentence - 1; s >= 0; s--) {
        const earlier = find(id.get(key({ article: first.article, sentence: s }))!);
        if (earlier !== root) {
          position = placed(earlier) + 1e-3 * (first.sentence - s) + articleRank.get(first.article)! * 1e-6;
          break;
        }
      }
    }
    order.set(root, position);
    return position;
  };
  return [...byRoot.keys()]
    .sort((x, y) => placed(x) - placed(y) || x - y)
    .map((root) => {
      const sentences: Record<string, number[]> = {};
      for (const m of byRoot.get(root)!) (sentences[m.article] ??= []).push(m.sentence);
      for (const list of Object.values(sentences)) list.sort((x, y) => x - y);
      const outlets = Object.keys(sentences);
      return { sentences, onlyIn: outlets.length === 1 ? (outlets[0] ?? null) : null, weakestScore: weakest.get(root) ?? null };
    });
}
