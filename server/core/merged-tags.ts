// Several layers of tags shown as one (the story view's annotators, a lesson's students): one
// mark per span and category, with how many layers tagged it.

export interface SpanCount {
  /** `<start>-<end>-<category>`: one id per merged mark. */
  id: string;
  sentence: number;
  start: number;
  end: number;
  category: string;
  /** How many layers tagged this span with this category. */
  count: number;
}

/** The layers' tags merged per span and category, in reading order; a layer counts once per mark, even with a duplicate. */
export function mergeTags(layers: readonly (readonly { sentence: number; start: number; end: number; category: string }[])[]): SpanCount[] {
  const marks = new Map<string, SpanCount>();
  for (const tags of layers) {
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
