import { describe, expect, it } from 'vitest';
import { segment } from '../../../server/core/segmentation.js';
import { alignStory, DEFAULT_ALIGN_OPTIONS, pairScorer, type Link } from '../../../server/core/stories/align.js';
import { mergeEdits, sentenceAt, type LinkEdit } from '../../../server/core/stories/edits.js';
import { alignedGroups } from '../../../server/core/stories/groups.js';

const A = 'Parliament removed President Danek on Saturday. The army returned to barracks. Danek fled to Norvenia.';
const B = 'Danek fled to Norvenia overnight. Lawmakers removed President Danek on Saturday. Western foundations paid protest leaders.';
const articles = [
  { id: 'a', text: A, sentences: segment(A) },
  { id: 'b', text: B, sentences: segment(B) },
];
const sentencesOf = new Map(articles.map((a) => [a.id, a.sentences]));
const startOf = (id: string, n: number) => sentencesOf.get(id)![n]!.start;
const edit = (action: 'add' | 'remove', i: number, j: number, at: string, by = 'researcher-1'): LinkEdit => ({
  action,
  a: { article: 'a', start: startOf('a', i) },
  b: { article: 'b', start: startOf('b', j) },
  by,
  at,
});
const pairs = (links: Link[]) => links.map((l) => `${l.a.sentence}-${l.b.sentence}`).sort();

describe('link edits over the automatic alignment', () => {
  const auto = alignStory(articles);
  const score = pairScorer(articles);
  const merge = (edits: LinkEdit[], automatic = auto) => mergeEdits(automatic, edits, sentencesOf, ['a', 'b'], score);

  it('the automatic alignment links the removal and the flight', () => {
    expect(pairs(auto)).toEqual(['0-1', '2-0']);
  });

  it('a removed link goes and an added one comes, with who linked it and a score', () => {
    const result = merge([edit('remove', 2, 0, '2025-01-01T10:00:00Z'), edit('add', 1, 2, '2025-01-01T10:01:00Z', 'researcher-2')]);
    expect(pairs(result.links)).toEqual(['0-1', '1-2']);
    expect(pairs(result.removed)).toEqual(['2-0']);
    const added = result.links.find((l) => l.a.sentence === 1)!;
    expect(added).toMatchObject({ origin: 'manual', by: 'researcher-2' });
    expect(added.score).toBe(score({ article: 'a', sentence: 1 }, { article: 'b', sentence: 2 }));
    expect(result.links.find((l) => l.a.sentence === 0)).toMatchObject({ origin: 'auto', by: 'aligner' });
  });

  it('the latest edit of a pair wins, whatever order the edits come in', () => {
    const later = [edit('remove', 0, 1, '2025-01-01T10:00:00Z'), edit('add', 0, 1, '2025-01-02T10:00:00Z')];
    expect(pairs(merge(later).links)).toEqual(['0-1', '2-0']);
    expect(pairs(merge([...later].reverse()).links)).toEqual(['0-1', '2-0']);
    expect(pairs(merge([edit('add', 0, 1, '2025-01-01T10:00:00Z'), edit('remove', 0, 1, '2025-01-02T10:00:00Z')]).links)).toEqual(['2-0']);
  });

  it('edits survive a re-alignment with other settings, and edits naming b before a count the same', () => {
    const edits = [edit('remove', 2, 0, '2025-01-01T10:00:00Z'), edit('add', 1, 2, '2025-01-01T10:01:00Z')];
    const swapped: LinkEdit = { ...edits[1]!, a: edits[1]!.b, b: edits[1]!.a };
    const realigned = alignStory(articles, { ...DEFAULT_ALIGN_OPTIONS, threshold: 0.05 });
    const merged = merge([edits[0]!, swapped], realigned);
    expect(pairs(merged.links)).toContain('1-2');
    expect(pairs(merged.links)).not.toContain('2-0');
  });

  it('an edit whose sentence no longer starts where it did is stale, not applied to another sentence', () => {
    const moved: LinkEdit = { ...edit('add', 1, 2, '2025-01-01T10:00:00Z'), a: { article: 'a', start: startOf('a', 1) + 3 } };
    const gone: LinkEdit = { ...edit('add', 1, 2, '2025-01-01T10:00:00Z'), b: { article: 'c', start: 0 } };
    const result = merge([moved, gone]);
    expect(result.stale).toEqual([moved, gone]);
    expect(pairs(result.links)).toEqual(pairs(auto));
  });

  it('finds a sentence by its start offset', () => {
    const ranges = segment(A);
    ranges.forEach((r, i) => expect(sentenceAt(ranges, r.start)).toBe(i));
    expect(sentenceAt(ranges, 1)).toBeNull();
  });
});

describe('aligned groups', () => {
  it('joins sentences linked through a third outlet, marks "only in" sentences and places them after the sentence before them', () => {
    const links: Link[] = [
      { a: { article: 'a', sentence: 0 }, b: { article: 'b', sentence: 1 }, score: 0.5 },
      { a: { article: 'b', sentence: 1 }, b: { article: 'c', sentence: 0 }, score: 0.3 },
      { a: { article: 'a', sentence: 0 }, b: { article: 'c', sentence: 1 }, score: 0.4 },
      { a: { article: 'a', sentence: 2 }, b: { article: 'b', sentence: 0 }, score: 0.6 },
    ];
    const groups = alignedGroups(
      [
        { id: 'a', sentenceCount: 3 },
        { id: 'b', sentenceCount: 3 },
        { id: 'c', sentenceCount: 3 },
      ],
      links,
    );
    expect(groups).toEqual([
      { sentences: { a: [0], b: [1], c: [0, 1] }, onlyIn: null, weakestScore: 0.3 },
      // b2 and c2 follow the row of b1 and c1, the sentences before them in their own texts.
      { sentences: { b: [2] }, onlyIn: 'b', weakestScore: null },
      { sentences: { c: [2] }, onlyIn: 'c', weakestScore: null },
      { sentences: { a: [1] }, onlyIn: 'a', weakestScore: null },
      { sentences: { a: [2], b: [0] }, onlyIn: null, weakestScore: 0.6 },
    ]);
  });
});
