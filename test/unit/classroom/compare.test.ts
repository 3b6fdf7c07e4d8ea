// The comparison lesson's pure parts: the story's groups restricted to the lesson's versions,
// "only in" groups and counts per category (the class's tags merged: merged-tags.test.ts); and the
// activity schema reading files written before comparison lessons.
import { describe, expect, it } from 'vitest';
import { categoryCounts, lessonGroups, onlyIn } from '../../../server/core/classroom/compare.js';
import { parseActivityFile } from '../../../server/storage/activity-schemas.js';
import type { AlignedGroup } from '../../../server/core/stories/groups.js';

describe('lessonGroups', () => {
  it('keeps the lesson’s versions in order and drops groups none of them has', () => {
    const groups: AlignedGroup[] = [
      { sentences: { a: [0], b: [0, 1], c: [2] }, onlyIn: null, weakestScore: 0.9 },
      { sentences: { c: [0] }, onlyIn: 'c', weakestScore: null },
      { sentences: { b: [2] }, onlyIn: 'b', weakestScore: null },
      { sentences: { a: [1], c: [1] }, onlyIn: null, weakestScore: 0.7 },
    ];
    expect(lessonGroups(groups, ['b', 'a'])).toEqual([
      [[0, 1], [0]],
      [[2], []],
      [[], [1]],
    ]);
  });
});

describe('onlyIn', () => {
  it('names the one version that has a group, or none', () => {
    expect(onlyIn([[], [3], []])).toBe(1);
    expect(onlyIn([[0], [1]])).toBeNull();
    expect(onlyIn([[], []])).toBeNull();
  });
});

describe('categoryCounts', () => {
  it('counts per category in the codebook’s order, unknown categories after', () => {
    const tags = ['b', 'x', 'a', 'b'].map((category) => ({ category }));
    expect(categoryCounts(tags, ['a', 'b', 'c'])).toEqual([
      { category: 'a', count: 1 },
      { category: 'b', count: 2 },
      { category: 'x', count: 1 },
    ]);
  });
});

describe('activity files', () => {
  const activity = {
    id: 'act1',
    teacherId: 'u1',
    title: 'Old lesson',
    article: { title: 'T', source: 'S', text: 'One. Two.', sentences: [{ start: 0, end: 4 }, { start: 5, end: 9 }] },
    codebookId: 'starter',
    code: 'ABCDEF',
    status: 'open',
    reference: [],
    createdAt: '2026-01-01T00:00:00.000Z',
    revealedAt: null,
    endedAt: null,
  };
  const annotation = { articleId: 'act1', annotatorId: 's1', reviewed: [0], tags: [], updatedAt: '' };

  it('reads an activity written before comparison lessons as a one-article lesson', () => {
    expect(parseActivityFile.activity({ schemaVersion: 1, data: activity }).data.comparison).toBeNull();
  });

  it('reads a student written before comparison lessons with no other versions', () => {
    const student = parseActivityFile.student({ schemaVersion: 1, data: { id: 's1', nickname: 'Old', joinedAt: '', annotation } });
    expect(student.data.versions).toEqual([]);
    expect(student.data.annotation.reviewed).toEqual([0]);
  });

  it('takes two or three versions and refuses more', () => {
    const text = activity.article;
    const comparison = (n: number) => ({ story: 'S', versions: Array.from({ length: n }, () => ({ article: text, reference: [] })), groups: [[[0], [0]]] });
    expect(parseActivityFile.activity({ schemaVersion: 1, data: { ...activity, comparison: comparison(1) } }).data.comparison?.versions).toHaveLength(1);
    expect(() => parseActivityFile.activity({ schemaVersion: 1, data: { ...activity, comparison: comparison(3) } })).toThrow();
    expect(() => parseActivityFile.activity({ schemaVersion: 1, data: { ...activity, comparison: comparison(0) } })).toThrow();
  });
});
