// The fast checks of schemas.ts (for articles, tag shards and journalled changes, read by the
// thousand at start) must accept only what the zod schemas accept, and give it back unchanged.
import { describe, expect, it } from 'vitest';
import { annotationChange, annotationFile, articleFile, parse } from '../../server/storage/schemas.js';

const tag = (over: Record<string, unknown> = {}) => ({
  id: 'tag_1', articleId: 'art-1', annotatorId: 'ann1', sentence: 2, start: 10, end: 17,
  category: 'hedge', voice: 'author', intensity: 2, note: 'a note', createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z', ...over,
});
const file = (tags: unknown[] = [tag(), tag({ id: 'tag_2', intensity: null, voice: 'quoted' })], over: Record<string, unknown> = {}) => ({
  schemaVersion: 1,
  data: { articleId: 'art-1', annotatorId: 'ann1', reviewed: [0, 3], tags, updatedAt: '2026-01-01T00:00:00.000Z', ...over },
});

/** Whether zod accepts `value`, and the fast path (parse.*) agrees: same verdict, same content. */
function agree(fast: (d: unknown) => unknown, schema: { safeParse(d: unknown): { success: boolean; data?: unknown } }, value: unknown): boolean {
  const json = JSON.parse(JSON.stringify(value)) as unknown;
  const reference = schema.safeParse(json);
  let result: unknown;
  try {
    result = fast(JSON.parse(JSON.stringify(value)));
  } catch {
    expect(reference.success, JSON.stringify(value)).toBe(false);
    return false;
  }
  expect(reference.success, JSON.stringify(value)).toBe(true);
  expect(result).toStrictEqual(reference.data);
  return true;
}

// One bad field at a time: each must be refused, by the fast path and by zod alike.
const badTagFields: Record<string, unknown[]> = {
  id: ['', 'a b', '../x', 'x'.repeat(65), 7, null],
  articleId: ['a/b', 1],
  annotatorId: ['', undefined],
  sentence: [-1, 1.5, '1', null, 2 ** 53],
  start: [-1, 0.5],
  end: ['3'],
  category: ['c'.repeat(65), 3],
  voice: ['narrator', null],
  intensity: [0, 4, '2', 1.5],
  note: ['n'.repeat(2001), null],
  createdAt: ['t'.repeat(41), 0],
  updatedAt: [undefined],
  origin: [null, 'manual', {}, { kind: 'import' }, { kind: 'manual', by: 'x' }, { kind: 'suggestion', suggester: 'nobody', score: 0.5, adjusted: false },
    { kind: 'suggestion', suggester: 'rules', score: 1.5, adjusted: false }, { kind: 'suggestion', suggester: 'rules', score: 0.5 },
    { kind: 'suggestion', suggester: 'rules', score: '0.5', adjusted: false }, { kind: 'suggestion', suggester: 'rules', score: 0.5, adjusted: 1 }],
};

describe('the fast checks of tag shards and journalled changes', () => {
  it('accept a well-formed tag shard and return it as read, without a copy', () => {
    const value = JSON.parse(JSON.stringify(file())) as unknown;
    expect(parse.annotation(value)).toBe(value);
    expect(agree(parse.annotation, annotationFile, file())).toBe(true);
    expect(agree(parse.annotation, annotationFile, file([]))).toBe(true);
    expect(agree(parse.annotation, annotationFile, file([tag({ note: 'n'.repeat(2000), category: 'c'.repeat(64) })]))).toBe(true);
  });

  it('accept the tags the app makes, which say where they came from, without a copy', () => {
    const withOrigins = file([tag({ origin: { kind: 'manual' } }), tag({ id: 'tag_2', origin: { kind: 'suggestion', suggester: 'rules', score: 0.75, adjusted: true } })]);
    const value = JSON.parse(JSON.stringify(withOrigins)) as unknown;
    expect(parse.annotation(value)).toBe(value);
    expect(agree(parse.annotation, annotationFile, withOrigins)).toBe(true);
    expect(agree(parse.annotationChange, annotationChange, { put: [tag({ origin: { kind: 'manual' } })], at: 't' })).toBe(true);
  });

  it('accept the suggestions an annotator rejected, without a copy, and refuse a bad one as zod does', () => {
    const rejection = (over: Record<string, unknown> = {}) => ({ sentence: 1, start: 4, end: 9, category: 'hedge', suggester: 'rules', score: 0.5, at: '2026-01-01T00:00:00.000Z', ...over });
    const withRejections = file(undefined, { rejected: [rejection(), rejection({ suggester: 'learned', score: 1 })] });
    const value = JSON.parse(JSON.stringify(withRejections)) as unknown;
    expect(parse.annotation(value)).toBe(value);
    expect(agree(parse.annotation, annotationFile, withRejections)).toBe(true);
    expect(agree(parse.annotation, annotationFile, file(undefined, { rejected: [] }))).toBe(true);
    const bad: Record<string, unknown>[] = [
      { sentence: -1 }, { start: 0.5 }, { end: '9' }, { category: 'c'.repeat(65) }, { suggester: 'nobody' }, { score: 1.5 }, { score: -0.1 }, { score: '0.5' },
      { at: 't'.repeat(41) }, { at: null }, { extra: 1 },
    ];
    for (const over of bad) expect(agree(parse.annotation, annotationFile, file(undefined, { rejected: [rejection(), rejection(over)] }))).toBe(false);
    const { at: _, ...missing } = rejection();
    for (const rejected of [[missing], {}, null, [null]]) expect(agree(parse.annotation, annotationFile, file(undefined, { rejected }))).toBe(false);
  });

  it('refuse every field zod refuses, with zod\'s message', () => {
    for (const [key, values] of Object.entries(badTagFields)) {
      for (const bad of values) {
        expect(agree(parse.annotation, annotationFile, file([tag(), tag({ [key]: bad })]))).toBe(false);
        expect(agree(parse.annotationChange, annotationChange, { put: [tag({ [key]: bad })], at: 'x' })).toBe(false);
      }
    }
    expect(() => parse.annotation(file([tag({ voice: 'narrator' })]))).toThrow(/voice/);
  });

  it('refuse extra, missing and __proto__ keys, and wrong envelopes', () => {
    const extra = JSON.parse('{"id":"t1","articleId":"a","annotatorId":"b","sentence":0,"start":0,"end":1,"category":"c","voice":"author","intensity":null,"note":"","createdAt":"","updatedAt":"","__proto__":{"x":1}}') as unknown;
    expect(() => parse.annotation({ schemaVersion: 1, data: { articleId: 'a', annotatorId: 'b', reviewed: [], tags: [extra], updatedAt: '' } })).toThrow();
    const { note: _, ...missing } = tag();
    const cases: unknown[] = [
      file([{ ...tag(), role: 'admin' }]),
      file([missing]),
      file(undefined, { extra: 1 }),
      file(undefined, { reviewed: [-1] }),
      file(undefined, { reviewed: [0.5] }),
      file(undefined, { reviewed: null }),
      file(undefined, { tags: {} }),
      file(undefined, { updatedAt: 'u'.repeat(41) }),
      file(undefined, { articleId: '../a' }),
      { ...file(), schemaVersion: 2 },
      { ...file(), more: true },
      { data: file().data },
      [file()],
      null,
      'text',
    ];
    for (const value of cases) expect(agree(parse.annotation, annotationFile, value)).toBe(false);
  });

  it('hold changes to the same rules', () => {
    const good: unknown[] = [
      { at: 't' },
      { put: [tag()], at: 't' },
      { del: ['tag_1'], mark: [1, 2], unmark: [0], at: 't' },
    ];
    for (const value of good) expect(agree(parse.annotationChange, annotationChange, value)).toBe(true);
    const bad: unknown[] = [
      {},
      { at: 't'.repeat(41) },
      { at: 't', put: tag() },
      { at: 't', del: ['a b'] },
      { at: 't', mark: [-1] },
      { at: 't', unmark: ['1'] },
      { at: 't', whole: {} },
      { at: 't', put: null },
    ];
    for (const value of bad) expect(agree(parse.annotationChange, annotationChange, value)).toBe(false);
  });
});

const article = (over: Record<string, unknown> = {}) => ({
  schemaVersion: 1,
  data: {
    id: 'art-1', projectId: 'p1', title: 'A title', source: 'An outlet', url: 'https://example.org/a', publishedAt: '2026-01-01',
    text: 'One. Two.', sentences: [{ start: 0, end: 4 }, { start: 5, end: 9 }], createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'r1',
    ...over,
  },
});

describe('the fast check of article files', () => {
  it('accepts a well-formed article and returns it as read', () => {
    const value = JSON.parse(JSON.stringify(article())) as unknown;
    expect(parse.article(value)).toBe(value);
    expect(agree(parse.article, articleFile, article())).toBe(true);
    expect(agree(parse.article, articleFile, article({ sentences: [], title: 't'.repeat(300), url: '' }))).toBe(true);
  });

  it('refuses what zod refuses', () => {
    const bad: Record<string, unknown[]> = {
      id: ['a b', ''], projectId: [1], title: ['t'.repeat(301)], source: ['s'.repeat(201)], url: ['u'.repeat(2001)],
      publishedAt: ['2026-01-01T00'], text: [null, 3], createdAt: ['c'.repeat(41)], createdBy: ['../x'],
      sentences: [null, {}, [{ start: 0 }], [{ start: 0, end: 1, more: 2 }], [{ start: -1, end: 2 }], [{ start: 0.5, end: 2 }], [[0, 1]]],
    };
    for (const [key, values] of Object.entries(bad)) for (const value of values) expect(agree(parse.article, articleFile, article({ [key]: value }))).toBe(false);
    expect(agree(parse.article, articleFile, article({ extra: 1 }))).toBe(false);
    expect(agree(parse.article, articleFile, { ...article(), schemaVersion: 2 })).toBe(false);
    expect(() => parse.article(article({ sentences: [{ start: -1, end: 2 }] }))).toThrow(/sentences/);
  });
});

describe('tags read from a shard or a journalled change', () => {
  it('keep every value when they share one copy of their article and annotator ids (and of an updatedAt equal to createdAt)', () => {
    // Built from text, as a start reads them: each tag holds its own strings until shared.
    const read = parse.annotation(JSON.parse(JSON.stringify(file())));
    const [first, second] = read.data.tags;
    expect(first?.articleId).toBe(read.data.articleId);
    expect(second?.annotatorId).toBe(read.data.annotatorId);
    expect(first?.updatedAt).toBe(first?.createdAt);
    // Equal values: what the tags say is unchanged (agree() above compares them with zod's copy).
    expect(read).toStrictEqual(annotationFile.parse(file()));
  });
});
