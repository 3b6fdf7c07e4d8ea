import { describe, expect, it } from 'vitest';
import { contested } from '../../../server/core/classroom/contested.js';
import { segment } from '../../../server/core/segmentation.js';
import { sentenceWords, type SpanTag } from '../../../server/core/classroom/text.js';
import { tag, words } from './fixtures.js';

describe('most contested spans', () => {
  it('a span half the class tagged scores 1 bit, as "about half"', () => {
    const students = [[tag(0, 3, 4, 'loaded-wording')], [tag(0, 3, 4, 'loaded-wording')], [], []];
    const [top, ...rest] = contested(words, students);
    expect(rest).toEqual([]);
    expect(top).toMatchObject({ sentence: 0, first: 3, last: 4, tagged: 2, total: 4, reason: 'half' });
    expect(top?.entropy).toBeCloseTo(1, 10);
    expect(top?.categories).toEqual([{ category: 'loaded-wording', count: 2 }]);
  });

  it('a span everyone tagged but split over categories scores by category entropy, as "split"', () => {
    const students = [
      [tag(1, 1, 1, 'loaded-label')],
      [tag(1, 1, 1, 'loaded-label')],
      [tag(1, 1, 1, 'loaded-wording')],
      [tag(1, 1, 2, 'loaded-wording')], // "regime crushed": overlap 1/2 with "regime", still counts
    ];
    const list = contested(words, students);
    expect(list[0]).toMatchObject({ sentence: 1, first: 1, last: 1, tagged: 4, reason: 'split' });
    expect(list[0]?.entropy).toBeCloseTo(1, 10);
    expect(list[0]?.categories).toEqual([
      { category: 'loaded-label', count: 2 },
      { category: 'loaded-wording', count: 2 },
    ]);
    // "regime crushed" overlaps the chosen span, so it is not listed again.
    expect(list).toHaveLength(1);
  });

  it('ranks a three-way split above a two-way one, skips unanimous and single-student spans', () => {
    const students = [
      [tag(0, 1, 1, 'hedge'), tag(1, 1, 1, 'loaded-label'), tag(0, 3, 4, 'loaded-wording')],
      [tag(0, 1, 1, 'loaded-wording'), tag(1, 1, 1, 'loaded-label')],
      [tag(0, 1, 1, 'missing-context'), tag(1, 1, 1, 'loaded-label')],
    ];
    const list = contested(words, students);
    // "allegedly": 3 answers, one each → log2(3) ≈ 1.585 bits. "regime": all alike → 0, skipped.
    // "secret talks": one student → below minTagged (2), skipped.
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ sentence: 0, first: 1, last: 1, tagged: 3, reason: 'split' });
    expect(list[0]?.entropy).toBeCloseTo(Math.log2(3), 10);
  });

  it('respects the limit and is empty for an empty class', () => {
    expect(contested(words, [])).toEqual([]);
    const students = [[tag(0, 1, 1, 'hedge'), tag(1, 1, 1, 'loaded-label')], [tag(0, 1, 1, 'hedge'), tag(1, 1, 1, 'loaded-label')], [], []];
    expect(contested(words, students, { limit: 1 })).toHaveLength(1);
    expect(contested(words, students)).toHaveLength(2);
  });

  it('labels a tie with the span most students tagged, not a variant one student tagged (issue 15)', () => {
    // The demo lesson: 10 of 31 students tagged "stalling tactics", 1 tagged "try stalling tactics".
    // Each counts the other's students (overlap 2/3 ≥ 1/2), so both score alike; the list used
    // to show the earlier-starting variant: "“try stalling tactics” — 11 of 31 tagged it".
    const text = 'Putin indicated that the Western bloc might try stalling tactics.';
    const sentenceWordsOf = sentenceWords({ text, sentences: segment(text) });
    const span = (phrase: string): SpanTag => {
      const start = text.indexOf(phrase);
      return { id: phrase, sentence: 0, start, end: start + phrase.length, category: 'loaded-wording' };
    };
    const students: SpanTag[][] = [
      [span('try stalling tactics')],
      ...Array.from({ length: 10 }, () => [span('stalling tactics')]),
      ...Array.from({ length: 20 }, (): SpanTag[] => []),
    ];
    const [top, ...rest] = contested(sentenceWordsOf, students);
    expect(rest).toEqual([]);
    expect(text.slice(top?.start, top?.end)).toBe('stalling tactics');
    expect(top).toMatchObject({ tagged: 11, total: 31, exact: 10 });
    // The order of the students does not matter.
    const [again] = contested(sentenceWordsOf, [...students].reverse());
    expect(text.slice(again?.start, again?.end)).toBe('stalling tactics');
  });
});
