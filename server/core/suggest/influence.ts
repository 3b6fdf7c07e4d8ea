// How far suggestions shape the annotation, for the researcher who worries about anchoring:
//   - agreement by origin: of the tags that came from suggestions and of those made by hand, what
//     share another annotator confirms (a tag of the same category overlapping it, by someone who
//     reviewed that sentence) — if suggested tags are confirmed far less often, annotators accept
//     what others do not see;
//   - per split-design group: how often each category is tagged per reviewed sentence;
//   - what annotators did with the suggestions: accepted (and then adjusted) or rejected.
// Pure: annotations in, counts out.
import type { Annotation, Range, Tag } from '../model.js';
import { reviewedSentences } from '../spans.js';
import { originOf, type SuggestionGroup } from './design.js';

export interface Confirmation {
  /** Tags of this origin (and category). */
  tags: number;
  /** Of them, tags in a sentence at least one other annotator reviewed: the ones that can be confirmed. */
  comparable: number;
  /** Of those, tags another annotator's tag of the same category overlaps. */
  confirmed: number;
  /** confirmed / comparable, or null when nothing is comparable. */
  share: number | null;
}

export interface OriginAgreement {
  /** null: all categories together. */
  category: string | null;
  manual: Confirmation;
  suggestion: Confirmation;
}

const overlaps = (a: Range, b: Range) => a.start < b.end && b.start < a.end;

function empty(): Confirmation {
  return { tags: 0, comparable: 0, confirmed: 0, share: null };
}

/** Per category (and overall, first), the confirmation of suggestion-derived and of manual tags. */
export function originAgreement(annotations: readonly Annotation[], categories: readonly string[]): OriginAgreement[] {
  const rows = new Map<string | null, OriginAgreement>([[null, { category: null, manual: empty(), suggestion: empty() }]]);
  for (const c of categories) rows.set(c, { category: c, manual: empty(), suggestion: empty() });
  const byArticle = new Map<string, Annotation[]>();
  for (const a of annotations) {
    const list = byArticle.get(a.articleId);
    if (list) list.push(a);
    else byArticle.set(a.articleId, [a]);
  }
  for (const group of byArticle.values()) {
    const reviewed = group.map((a) => reviewedSentences(a));
    // Each annotator's tags by sentence: a tag is compared with the others' tags of its sentence only.
    const bySentence = group.map((a) => {
      const map = new Map<number, Tag[]>();
      for (const t of a.tags) map.set(t.sentence, [...(map.get(t.sentence) ?? []), t]);
      return map;
    });
    group.forEach((a, i) => {
      for (const t of a.tags) {
        const kind = originOf(t).kind;
        const others = group.map((_, j) => j).filter((j) => j !== i && reviewed[j]?.has(t.sentence));
        const confirmed = others.some((j) => (bySentence[j]?.get(t.sentence) ?? []).some((u) => u.category === t.category && overlaps(u, t)));
        for (const key of [null, t.category]) {
          const row = rows.get(key);
          if (!row) continue;
          const c = row[kind];
          c.tags++;
          if (others.length > 0) c.comparable++;
          if (confirmed) c.confirmed++;
        }
      }
    });
  }
  for (const row of rows.values()) for (const c of [row.manual, row.suggestion]) c.share = c.comparable > 0 ? c.confirmed / c.comparable : null;
  return [...rows.values()];
}

export interface GroupRate {
  group: SuggestionGroup;
  annotators: number;
  /** Sentences reviewed, summed over the group's annotators. */
  sentences: number;
  /** category → tags by the group's annotators. */
  tags: Map<string, number>;
}

/** Per split-design group: its annotators' reviewed sentences and tags per category (rates = tags / sentences). */
export function groupRates(annotations: readonly Annotation[], groupOf: (annotatorId: string) => SuggestionGroup | null): GroupRate[] {
  const out = new Map<SuggestionGroup, GroupRate & { members: Set<string> }>();
  for (const g of ['shown', 'hidden'] as const) out.set(g, { group: g, annotators: 0, sentences: 0, tags: new Map(), members: new Set() });
  for (const a of annotations) {
    const g = groupOf(a.annotatorId);
    const rate = g && out.get(g);
    if (!rate) continue;
    rate.members.add(a.annotatorId);
    rate.sentences += reviewedSentences(a).size;
    for (const t of a.tags) rate.tags.set(t.category, (rate.tags.get(t.category) ?? 0) + 1);
  }
  return [...out.values()].map(({ members, ...r }) => ({ ...r, annotators: members.size }));
}

export interface Decisions {
  suggester: string;
  category: string;
  accepted: number;
  /** Of the accepted, those whose span or category the annotator then changed. */
  adjusted: number;
  rejected: number;
  /** accepted / (accepted + rejected), or null before any decision. */
  acceptance: number | null;
}

/** Per suggester and category, what annotators did with the suggestions they were offered. */
export function decisions(annotations: readonly Annotation[]): Decisions[] {
  const rows = new Map<string, Decisions>();
  const row = (suggester: string, category: string) => {
    const key = `${suggester}\u0000${category}`;
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { suggester, category, accepted: 0, adjusted: 0, rejected: 0, acceptance: null }));
    return r;
  };
  for (const a of annotations) {
    for (const t of a.tags) {
      const origin = originOf(t);
      if (origin.kind !== 'suggestion') continue;
      const r = row(origin.suggester, t.category);
      r.accepted++;
      if (origin.adjusted) r.adjusted++;
    }
    for (const x of a.rejected ?? []) row(x.suggester, x.category).rejected++;
  }
  for (const r of rows.values()) r.acceptance = r.accepted + r.rejected > 0 ? r.accepted / (r.accepted + r.rejected) : null;
  return [...rows.values()].sort((x, y) => x.suggester.localeCompare(y.suggester) || x.category.localeCompare(y.category));
}
