// Several layers of tags shown as one (the story view's annotators, a lesson's students).
import { describe, expect, it } from 'vitest';
import { mergeTags } from '../../server/core/merged-tags.js';

describe('mergeTags', () => {
  it('merges the layers’ tags per span and category, each layer counting once, in reading order', () => {
    const t = (start: number, end: number, category: string) => ({ sentence: 0, start, end, category });
    const marks = mergeTags([
      [t(0, 4, 'hedge'), t(0, 4, 'hedge'), t(5, 9, 'loaded')],
      [t(0, 4, 'hedge'), t(0, 4, 'loaded')],
      [],
    ]);
    expect(marks.map((m) => [m.id, m.count])).toEqual([
      ['0-4-hedge', 2],
      ['0-4-loaded', 1],
      ['5-9-loaded', 1],
    ]);
  });
});
