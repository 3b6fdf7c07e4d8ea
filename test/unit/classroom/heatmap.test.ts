import { describe, expect, it } from 'vitest';
import { heatLevel, heatmap } from '../../../server/core/classroom/heatmap.js';
import { tag, words } from './fixtures.js';

describe('heatmap', () => {
  it('counts distinct students per word; overlapping tags of one student count once', () => {
    const students = [
      [tag(0, 3, 4, 'loaded-wording'), tag(0, 4, 4, 'missing-context')], // secret talks + talks
      [tag(0, 2, 4, 'loaded-wording')], // held secret talks
      [tag(1, 1, 1, 'loaded-label')], // regime
    ];
    expect(heatmap(words, students)).toEqual([
      [0, 0, 1, 2, 2],
      [0, 1, 0, 0, 0],
    ]);
  });

  it('filters by category', () => {
    const students = [[tag(0, 3, 4, 'loaded-wording'), tag(0, 4, 4, 'missing-context')], [tag(0, 2, 4, 'loaded-wording')]];
    expect(heatmap(words, students, 'missing-context')).toEqual([
      [0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0],
    ]);
  });

  it('ignores tags outside the text', () => {
    expect(heatmap(words, [[{ id: 'x', sentence: 9, start: 0, end: 3, category: 'hedge' }]])).toEqual([
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
    ]);
  });

  it('colours by the share of the class in five steps', () => {
    expect(heatLevel(0, 30)).toBe(0);
    expect(heatLevel(1, 30)).toBe(1);
    expect(heatLevel(6, 30)).toBe(1);
    expect(heatLevel(7, 30)).toBe(2);
    expect(heatLevel(15, 30)).toBe(3);
    expect(heatLevel(24, 30)).toBe(4);
    expect(heatLevel(25, 30)).toBe(5);
    expect(heatLevel(30, 30)).toBe(5);
    expect(heatLevel(3, 0)).toBe(0);
  });
});
