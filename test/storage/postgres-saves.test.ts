// What a save's request reads on PostgreSQL (saves.ts, SaveQueue.readFor, in request-reads.ts's
// statement): an annotation this process wrote or read last comes back without its tags when its
// version has not moved, and is answered from what the process holds. These pin what that must never cost: a change another server made
// is seen on the next read, a caller that changes what it was given changes nothing stored, and a
// save after a stale read loses no update.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Article, Tag } from '../../server/core/model.js';
import { markReviewed, removeTag, updateTag } from '../../server/core/spans.js';
import { PostgresDatabase } from '../../server/storage/postgres/index.js';
import { loadShippedCodebooks } from '../../server/storage/shipped-codebooks.js';
import { createDatabase, postgresUrl, type TestDatabase } from '../helpers/postgres.js';

const shipped = await loadShippedCodebooks();
const SLOW = 120_000;
const TEXT = 'Officials allegedly said the reforms were a coup. Critics called it a so-called reform.';

function article(id: string): Article {
  return {
    id, projectId: 'p1', title: `Article ${id}`, source: 'Wire', url: 'https://example.org/a', publishedAt: '2026-11-29', text: TEXT,
    sentences: [{ start: 0, end: 49 }, { start: 50, end: TEXT.length }], createdAt: '2026-11-30T10:00:00.000Z', createdBy: 'r1',
  };
}

function tag(id: string, start: number): Tag {
  return {
    id, articleId: 'a1', annotatorId: 'u1', sentence: start < 50 ? 0 : 1, start, end: start + 4, category: 'hedge', voice: 'author',
    intensity: null, note: '', createdAt: '2026-11-30T11:00:00.000Z', updatedAt: '2026-11-30T11:00:00.000Z',
  };
}

const ids = (tags: readonly Tag[]) => tags.map((t) => t.id);

describe.skipIf(postgresUrl === null)('a save request’s read of its annotation on PostgreSQL', () => {
  let database: TestDatabase;
  let one: PostgresDatabase;
  let two: PostgresDatabase;
  beforeEach(async () => {
    database = await createDatabase('saves');
    // Two stores on one database, as two servers have.
    one = await PostgresDatabase.open(database.url, shipped, { max: 2 });
    two = await PostgresDatabase.open(database.url, shipped, { max: 2 });
    await one.createArticle(article('a1'));
  }, SLOW);
  afterEach(async () => {
    await one.close();
    await two.close();
    await database.drop();
  }, SLOW);

  it('sees, on the next read, every change another server made to an annotation this one wrote last', async () => {
    await one.updateAnnotation('a1', 'u1', (a) => {
      a.tags.push(tag('t1', 0));
    });
    expect(ids((await one.annotation('a1', 'u1')).tags)).toEqual(['t1']);
    // The other server adds a tag, edits one, marks a sentence, removes one: each seen at once.
    await two.updateAnnotation('a1', 'u1', (a) => {
      a.tags.push(tag('t2', 10));
    });
    expect(ids((await one.annotation('a1', 'u1')).tags)).toEqual(['t1', 't2']);
    await two.updateAnnotation('a1', 'u1', (a) => updateTag(a, 't1', { start: 0, end: 4, category: 'loaded-label', voice: 'author', intensity: null, note: '' }, '2026-12-01T00:00:00.000Z'));
    expect((await one.annotation('a1', 'u1')).tags.find((t) => t.id === 't1')?.category).toBe('loaded-label');
    await two.updateAnnotation('a1', 'u1', (a) => markReviewed(a, 1));
    expect((await one.annotation('a1', 'u1')).reviewed).toEqual([1]);
    await two.updateAnnotation('a1', 'u1', (a) => removeTag(a, 't2'));
    expect(ids((await one.annotation('a1', 'u1')).tags)).toEqual(['t1']);
    // And this server's save, made on what it read last, keeps all of that.
    await one.updateAnnotation('a1', 'u1', (a) => {
      a.tags.push(tag('t3', 20));
    });
    const after = await two.annotation('a1', 'u1');
    expect(ids(after.tags)).toEqual(['t1', 't3']);
    expect(after.reviewed).toEqual([1]);
    expect(after.tags[0]?.category).toBe('loaded-label');
  }, SLOW);

  it('answers an annotation it knows at the current version as stored, and a changed copy changes nothing', async () => {
    await one.updateAnnotation('a1', 'u1', (a) => {
      a.tags.push(tag('t1', 0));
      markReviewed(a, 0);
    });
    const read = await one.annotation('a1', 'u1');
    expect(read).toEqual(await two.annotation('a1', 'u1'));
    // A caller that changes what it read (it should not) changes neither the next read nor the next save.
    read.tags.push(tag('intruder', 30));
    read.reviewed.push(1);
    const first = read.tags[0];
    if (first) first.note = 'changed in place';
    expect(await one.annotation('a1', 'u1')).toEqual(await two.annotation('a1', 'u1'));
    await one.updateAnnotation('a1', 'u1', (a) => {
      a.tags.push(tag('t2', 10));
    });
    const stored = await two.annotation('a1', 'u1');
    expect(ids(stored.tags)).toEqual(['t1', 't2']);
    expect(stored.reviewed).toEqual([0]);
    expect(stored.tags[0]?.note).toBe('');
  }, SLOW);

  it('loses no update when both servers read, then save, the same annotation in turns and at once', async () => {
    for (let i = 0; i < 10; i++) {
      const [writer, other] = i % 2 === 0 ? [one, two] : [two, one];
      await writer.annotation('a1', 'u1');
      await other.annotation('a1', 'u1');
      await Promise.all([
        writer.updateAnnotation('a1', 'u1', (a) => {
          a.tags.push(tag(`w${i}`, i));
        }),
        other.updateAnnotation('a1', 'u1', (a) => {
          a.tags.push(tag(`o${i}`, 50 + i));
        }),
      ]);
    }
    const expected = Array.from({ length: 10 }, (_, i) => [`w${i}`, `o${i}`]).flat().sort();
    expect(ids((await one.annotation('a1', 'u1')).tags).sort()).toEqual(expected);
    expect(ids((await two.annotation('a1', 'u1')).tags).sort()).toEqual(expected);
  }, SLOW);

  it('reads an annotation that has no row as empty, and one made by the other server once it is', async () => {
    expect(await one.annotation('a1', 'u2')).toEqual({ articleId: 'a1', annotatorId: 'u2', reviewed: [], tags: [], updatedAt: '' });
    await two.updateAnnotation('a1', 'u2', (a) => {
      a.tags.push({ ...tag('x1', 0), annotatorId: 'u2' });
    });
    expect(ids((await one.annotation('a1', 'u2')).tags)).toEqual(['x1']);
  }, SLOW);

  it('writes only the tags a save adds or changes: the annotation’s other tag rows are left as they were', async () => {
    // As the app makes them: every tag says where it came from (an object, equal but not the same after a copy or a read).
    const made = (id: string, start: number): Tag => ({ ...tag(id, start), origin: { kind: 'manual' } });
    for (const [i, id] of ['t1', 't2', 't3'].entries()) {
      await one.updateAnnotation('a1', 'u1', (a) => {
        a.tags.push(made(id, i * 5));
      });
    }
    const rows = async () => {
      const { rows: found } = await one.pool.query<{ id: string; xmin: string }>("SELECT id, xmin::text AS xmin FROM tags WHERE article_id = 'a1' AND annotator_id = 'u1'");
      return new Map(found.map((r) => [r.id, r.xmin]));
    };
    const before = await rows();
    // One server from what it wrote last, the other from the rows it read.
    await one.updateAnnotation('a1', 'u1', (a) => {
      a.tags.push(made('t4', 20));
    });
    await two.updateAnnotation('a1', 'u1', (a) => updateTag(a, 't2', { start: 5, end: 9, category: 'loaded-label', voice: 'author', intensity: null, note: '' }, '2026-12-01T00:00:00.000Z'));
    const after = await rows();
    expect([...after.keys()].sort()).toEqual(['t1', 't2', 't3', 't4']);
    expect(after.get('t1')).toBe(before.get('t1'));
    expect(after.get('t3')).toBe(before.get('t3'));
    expect(after.get('t2')).not.toBe(before.get('t2'));
    expect((await one.annotation('a1', 'u1')).tags.find((t) => t.id === 't2')?.category).toBe('loaded-label');
  }, SLOW);
});
