// The "compare outlets" lesson: one event told by two or three outlets. Its aligned groups come
// from the story's alignment (core/stories/groups.ts), kept in the lesson as sentence lists per
// version; the class's tags on each version are merged into marks with a count of students, and
// counted per category, so the reveal and the dashboard can set the outlets side by side.
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

export interface ClassMark {
  /** `<start>-<end>-<category>`: one id per merged mark. */
  id: string;
  sentence: number;
  start: number;
  end: number;
  category: string;
  /** Students who tagged this span with this category. */
  count: number;
}

/** The class's tags on one version merged per span and category; a student counts once per mark. */
export function classMarks(students: readonly (readonly { sentence: number; start: number; end: number; category: string }[])[]): ClassMark[] {
  const marks = new Map<string, ClassMark>();
  for (const tags of students) {
    const seen = new Set<string>();
    for (const t of tags) {
      const id = `${t.start}-${t.end}-${t.category}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const mark = marks.get(id);
      if (mark) mark.count++;
      else marks.set(id, { id, sentence: t.sentence, start: t.start, end: t.end, category: t.category, count: 1 });
    }
  }
  return [...marks.values()].sort((x, y) => x.start - y.start || y.end - x.end || x.category.localeCompare(y.category));
}

/** How many of `tags` have each category, in the order categories first appear in `order`, then the rest. */
export function categoryCounts(tags: readonly { category: string }[], order: readonly string[]): { category: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const t of tags) counts.set(t.category, (counts.get(t.category) ?? 0) + 1);
  const known = order.filter((c) => counts.has(c));
  const rest = [...counts.keys()].filter((c) => !order.includes(c)).sort();
  return [...known, ...rest].map((category) => ({ category, count: counts.get(category) ?? 0 }));
}
