// What a tag save records of an annotation (annotation-changes.ts): the tags it adds, edits or
// removes, not those it leaves alone, however the two versions were copied or read.
import { describe, expect, it } from 'vitest';
import type { Annotation, Tag } from '../../server/core/model.js';
import { annotationChanges } from '../../server/storage/annotation-changes.js';
import { parse } from '../../server/storage/schemas.js';

function tag(id: string, start: number, origin: Tag['origin'] = { kind: 'manual' }): Tag {
  return {
    id, articleId: 'a1', annotatorId: 'u1', sentence: 0, start, end: start + 4, category: 'hedge', voice: 'author',
    intensity: null, note: '', createdAt: '2026-11-30T11:00:00.000Z', updatedAt: '2026-11-30T11:00:00.000Z', origin,
  };
}

const file = (data: Annotation) => ({ schemaVersion: 1 as const, data });
const annotation = (tags: Tag[]): Annotation => ({ articleId: 'a1', annotatorId: 'u1', reviewed: [], tags, updatedAt: '2026-11-30T11:00:00.000Z' });
/** As a copy or a read from the database gives it: every tag and its origin a new, equal object. */
const reread = (a: Annotation): Annotation => JSON.parse(JSON.stringify(a));

function diff(before: Annotation, after: Annotation) {
  const body = annotationChanges.diff(file(before), file(after));
  if (body === null) throw new Error('recorded whole');
  return parse.annotationChange(JSON.parse(body));
}

describe('a tag save’s change', () => {
  const suggested: Tag['origin'] = { kind: 'suggestion', suggester: 'rules', score: 0.8, adjusted: false };
  const before = annotation([tag('t1', 0), tag('t2', 5, suggested), tag('t3', 10)]);

  it('holds only the added tag when the others are equal copies, origins included', () => {
    const after = reread(before);
    after.tags.push(tag('t4', 20));
    expect(diff(before, after).put?.map((t) => t.id)).toEqual(['t4']);
    expect(diff(before, after).del).toBeUndefined();
  });

  it('holds a tag whose origin changed, and only that one', () => {
    const after = reread(before);
    const t2 = after.tags[1];
    if (!t2) throw new Error('no t2');
    t2.origin = { kind: 'suggestion', suggester: 'rules', score: 0.8, adjusted: true };
    expect(diff(before, after).put).toEqual([t2]);
  });

  it('holds a tag whose origin came or went', () => {
    const after = reread(before);
    const [t1, t2] = after.tags;
    if (!t1 || !t2) throw new Error('no tags');
    delete t1.origin;
    t2.origin = { kind: 'manual' };
    expect(diff(before, after).put?.map((t) => t.id)).toEqual(['t1', 't2']);
  });

  it('holds nothing but the time when nothing changed', () => {
    const after = { ...reread(before), updatedAt: '2026-12-01T00:00:00.000Z' };
    expect(diff(before, after)).toEqual({ at: '2026-12-01T00:00:00.000Z' });
  });

  it('holds a tag that gained a field, whatever fields it had (one set to undefined included)', () => {
    const plain = tag('t1', 0);
    delete plain.origin;
    // As a change may leave a tag it built: the key is there, its value undefined.
    const was = annotation([{ ...plain, origin: undefined }]);
    const now = annotation([Object.assign({ ...plain }, { extra: 'not a field of a tag' })]);
    const body = annotationChanges.diff(file(was), file({ ...now, updatedAt: '2026-12-01T00:00:00.000Z' }));
    expect(body === null ? null : JSON.parse(body).put?.map((t: Tag) => t.id)).toEqual(['t1']);
  });
});
