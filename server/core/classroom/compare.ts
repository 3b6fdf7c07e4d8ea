// The "compare outlets" lesson: one event told by two or three outlets. Its aligned groups come
// from the story's alignment (core/stories/groups.ts), kept in the lesson as sentence lists per
// version; the class's tags on each version are merged into marks with a count of students
// (core/merged-tags.ts) and counted per category, so the reveal and the dashboard can set the
// outlets side by side.
import type { AlignedGroup } from '../stories/groups.js';

/** Per version (in the lesson's order), the version's sentences in one aligned group. */
export type LessonGroup = number[][];

/** The story's groups restricted to the lesson's versions (`ids`, in order); groups none of them has are dropped. */
export function lessonGroups(groups: readonly AlignedGroup[], ids: readonly string[]): LessonGroup[] {
  return groups.map((g) => ids.map((id) => [...(g.sentences[id] ?? [])])).filter((g) => g.some((s) => s.length > 0));
}

/** The one version (0-based) that has a group's content when no other has it, or null. */
export function onlyIn(group: LessonGroup): number | null {
  const present = group.flatMap((sentences, v) => (sentences.length > 0 ? [v] : []));
  return present.length === 1 ? (present[0] ?? null) : null;
}

/** How many of `tags` have each category, in the order categories first appear in `order`, then the rest. */
export function categoryCounts(tags: readonly { category: string }[], order: readonly string[]): { category: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const t of tags) counts.set(t.category, (counts.get(t.category) ?? 0) + 1);
  const known = order.filter((c) => counts.has(c));
  const rest = [...counts.keys()].filter((c) => !order.includes(c)).sort();
  return [...known, ...rest].map((category) => ({ category, count: counts.get(category) ?? 0 }));
}
