// The influence figures a researcher reports: confirmation of suggestion-derived vs manual tags
// (against a brute-force reference on random studies and a hand-worked one), split-design rates,
// decisions; and the design rules (groups, what is offered).
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../server/core/agreement/index.js';
import type { Annotation, Rejection, Tag, TagOrigin } from '../../../server/core/model.js';
import { assignGroups, groupOf, offeredIn, pendingSuggestions, seesSuggestions, suggestersOf, type SuggestionSettings } from '../../../server/core/suggest/design.js';
import { decisions, groupRates, originAgreement } from '../../../server/core/suggest/influence.js';
import type { Suggestion } from '../../../server/core/suggest/index.js';

let n = 0;
function tag(annotatorId: string, sentence: number, start: number, end: number, category: string, origin?: TagOrigin, articleId = 'a'): Tag {
  return { id: `t${n++}`, articleId, annotatorId, sentence, start, end, category, voice: 'author', intensity: null, note: '', createdAt: '2025-01-02T00:00:00.000Z', updatedAt: '', ...(origin ? { origin } : {}) };
}
const ann = (annotatorId: string, tags: Tag[], reviewed: number[], articleId = 'a', rejected: Annotation['rejected'] = undefined): Annotation => ({
  articleId, annotatorId, tags, reviewed: [...new Set([...reviewed, ...tags.map((t) => t.sentence)])], updatedAt: '', ...(rejected ? { rejected } : {}),
});
const sug = (suggester: 'rules' | 'learned' = 'rules', score = 0.8, adjusted = false): TagOrigin => ({ kind: 'suggestion', suggester, score, adjusted });

describe('agreement by origin', () => {
  it('a hand-worked study', () => {
    const study = [
      // anna: a suggested hedge ben confirms, a suggested hedge nobody confirms, a manual label ben confirms
      ann('anna', [tag('anna', 0, 0, 5, 'hedge', sug()), tag('anna', 1, 10, 15, 'hedge', sug()), tag('anna', 0, 20, 30, 'label')], [0, 1]),
      // ben: a manual hedge overlapping anna's first, a label overlapping hers, and a hedge in sentence 2 nobody else reviewed
      ann('ben', [tag('ben', 0, 3, 8, 'hedge'), tag('ben', 0, 25, 26, 'label'), tag('ben', 2, 0, 4, 'hedge', sug())], [0, 1, 2]),
    ];
    const [all, hedge, label] = originAgreement(study, ['hedge', 'label']);
    expect(all?.suggestion).toEqual({ tags: 3, comparable: 2, confirmed: 1, share: 0.5 });
    expect(all?.manual).toEqual({ tags: 3, comparable: 3, confirmed: 3, share: 1 });
    expect(hedge?.suggestion).toEqual({ tags: 3, comparable: 2, confirmed: 1, share: 0.5 });
    expect(label?.manual).toEqual({ tags: 2, comparable: 2, confirmed: 2, share: 1 });
    expect(label?.suggestion.share).toBeNull();
  });

  it('matches a brute-force count on random studies', () => {
    const random = mulberry32(7);
    const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)] as T;
    for (let trial = 0; trial < 30; trial++) {
      const annotations: Annotation[] = [];
      for (const article of ['x', 'y']) {
        for (const who of ['a', 'b', 'c']) {
          const tags: Tag[] = [];
          for (let i = 0; i < 6; i++) {
            const start = Math.floor(random() * 20);
            tags.push(tag(who, Math.floor(random() * 3), start, start + 1 + Math.floor(random() * 5), pick(['p', 'q']), random() < 0.5 ? sug() : undefined, article));
          }
          annotations.push(ann(who, tags, [Math.floor(random() * 4)], article));
        }
      }
      const rows = originAgreement(annotations, ['p', 'q']);
      for (const row of rows) {
        for (const kind of ['manual', 'suggestion'] as const) {
          let tags = 0;
          let comparable = 0;
          let confirmed = 0;
          for (const a of annotations) {
            for (const t of a.tags) {
              if ((t.origin?.kind ?? 'manual') !== kind || (row.category !== null && t.category !== row.category)) continue;
              tags++;
              const others = annotations.filter((o) => o !== a && o.articleId === a.articleId && (o.reviewed.includes(t.sentence) || o.tags.some((u) => u.sentence === t.sentence)));
              if (others.length === 0) continue;
              comparable++;
              if (others.some((o) => o.tags.some((u) => u.sentence === t.sentence && u.category === t.category && Math.max(u.start, t.start) < Math.min(u.end, t.end)))) confirmed++;
            }
          }
          expect(row[kind]).toEqual({ tags, comparable, confirmed, share: comparable ? confirmed / comparable : null });
        }
      }
    }
  });
});

describe('split design and decisions', () => {
  it('tag rates per group count each group’s reviewed sentences and tags', () => {
    const study = [ann('a', [tag('a', 0, 0, 1, 'p'), tag('a', 1, 0, 1, 'p')], [0, 1, 2]), ann('b', [tag('b', 0, 0, 1, 'q')], [0]), ann('c', [], [0, 1])];
    const rates = groupRates(study, (id) => (id === 'a' ? 'shown' : id === 'b' || id === 'c' ? 'hidden' : null));
    expect(rates.map((r) => ({ ...r, tags: Object.fromEntries(r.tags) }))).toEqual([
      { group: 'shown', annotators: 1, sentences: 3, tags: { p: 2 } },
      { group: 'hidden', annotators: 2, sentences: 3, tags: { q: 1 } },
    ]);
  });

  it('decisions count accepted, adjusted and rejected per suggester and category', () => {
    const rejected: Rejection[] = [{ sentence: 0, start: 0, end: 1, category: 'p', suggester: 'rules', score: 0.7, at: '' }, { sentence: 1, start: 0, end: 1, category: 'p', suggester: 'learned', score: 0.6, at: '' }];
    const study = [ann('a', [tag('a', 0, 2, 3, 'p', sug('rules')), tag('a', 0, 4, 5, 'p', sug('rules', 0.9, true)), tag('a', 1, 0, 1, 'q')], [], 'a', rejected)];
    expect(decisions(study)).toEqual([
      { suggester: 'learned', category: 'p', accepted: 0, adjusted: 0, rejected: 1, acceptance: 0 },
      { suggester: 'rules', category: 'p', accepted: 2, adjusted: 1, rejected: 1, acceptance: 2 / 3 },
    ]);
  });

  it('groups: kept once given, new annotators balance them, reproducibly', () => {
    const first = assignGroups('p1', ['u1', 'u2', 'u3', 'u4'], {});
    const values = Object.values(first);
    expect(values.filter((g) => g === 'shown')).toHaveLength(2);
    expect(assignGroups('p1', ['u1', 'u2', 'u3', 'u4'], {})).toEqual(first);
    const later = assignGroups('p1', ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'], first);
    for (const id of ['u1', 'u2', 'u3', 'u4']) expect(later[id]).toBe(first[id]);
    expect(Object.values(later).filter((g) => g === 'shown')).toHaveLength(3);
    // A removed annotator's group is dropped.
    expect(assignGroups('p1', ['u1'], first)).toEqual({ u1: first.u1 });
  });

  it('who sees suggestions', () => {
    const settings: SuggestionSettings = { mode: 'rules', split: true, groups: { a: 'shown', b: 'hidden' }, since: '2025-01-01T00:00:00.000Z' };
    expect(seesSuggestions(undefined, 'p', 'a')).toBe(false);
    expect(seesSuggestions({ ...settings, mode: 'off' }, 'p', 'a')).toBe(false);
    expect(seesSuggestions(settings, 'p', 'a')).toBe(true);
    expect(seesSuggestions(settings, 'p', 'b')).toBe(false);
    expect(seesSuggestions({ ...settings, split: false }, 'p', 'b')).toBe(true);
    expect(['shown', 'hidden']).toContain(groupOf(settings, 'p', 'newcomer'));
    expect(suggestersOf('both')).toEqual(['rules', 'learned']);
    expect(suggestersOf('off')).toEqual([]);
  });
});

describe('what an annotator is offered', () => {
  const since = '2025-01-01T00:00:00.000Z';
  it('not in a sentence marked “nothing to tag here”, nor one tagged before suggestions; yes while tagging', () => {
    expect(offeredIn(ann('a', [], []), 0, since)).toBe(true);
    expect(offeredIn(ann('a', [], [0]), 0, since)).toBe(false);
    const old = { ...tag('a', 0, 0, 1, 'p'), createdAt: '2024-06-01T00:00:00.000Z' };
    expect(offeredIn(ann('a', [old], []), 0, since)).toBe(false);
    expect(offeredIn(ann('a', [old, tag('a', 0, 2, 3, 'p')], []), 0, since)).toBe(true);
  });

  it('one per span and category, without rejected ones and those own tags cover', () => {
    const s = (start: number, end: number, category: string, suggester: 'rules' | 'learned', score: number): Suggestion => ({ sentence: 0, start, end, category, suggester, score, source: 'x' });
    const offered = pendingSuggestions(
      [s(0, 4, 'p', 'rules', 0.6), s(0, 4, 'p', 'learned', 0.9), s(6, 9, 'p', 'rules', 0.8), s(10, 12, 'q', 'rules', 0.7), s(20, 25, 'q', 'rules', 0.7)],
      [tag('a', 0, 7, 8, 'p')],
      [{ sentence: 0, start: 10, end: 12, category: 'q', suggester: 'rules', score: 0.7, at: '' }],
    );
    expect(offered.map((x) => `${x.start}-${x.category}-${x.suggester}`)).toEqual(['0-p-learned', '20-q-rules']);
  });
});

describe('the journal keeps rejections', () => {
  it('a snapshot copies them, and a save that adds one records the whole content', async () => {
    const { annotationChanges } = await import('../../../server/storage/annotation-changes.js');
    const before = { schemaVersion: 1 as const, data: { articleId: 'a', annotatorId: 'u', reviewed: [], tags: [], updatedAt: '' } };
    const rejection: Rejection = { sentence: 0, start: 0, end: 3, category: 'p', suggester: 'rules', score: 0.7, at: 't' };
    const after = { schemaVersion: 1 as const, data: { ...before.data, rejected: [rejection], updatedAt: 't' } };
    expect(annotationChanges.snapshot(after).data.rejected).toEqual([rejection]);
    expect(annotationChanges.diff(before, after)).toBeNull();
    expect(annotationChanges.diff(after, annotationChanges.snapshot(after))).not.toBeNull();
  });
});
