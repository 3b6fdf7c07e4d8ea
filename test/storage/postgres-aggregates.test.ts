// What summaries, agreement and exports read without holding every tag: per-category counts
// (SQL aggregates in PostgreSQL) and annotations streamed through a cursor. The same study is
// kept in a JSON folder and copied into PostgreSQL; both backends must give the same answers,
// and the counts must equal core/summary.ts's over the folder's annotations.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Annotation, Article, Category, Tag } from '../../server/core/model.js';
import { markReviewed } from '../../server/core/spans.js';
import { summarise as summariseCategories } from '../../server/core/summary.js';
import { JsonFolderStudyStore } from '../../server/storage/json-folder.js';
import { PostgresStudyStore, importStudy } from '../../server/storage/postgres/index.js';
import { loadShippedCodebooks } from '../../server/storage/shipped-codebooks.js';
import { Store } from '../../server/storage/store.js';
import { studyOfFolder, summarise } from '../../server/storage/study.js';
import { createDatabase, postgresUrl, type TestDatabase } from '../helpers/postgres.js';

const SLOW = 300_000;
const ARTICLES = 52;
const ANNOTATORS = ['ann', 'bo', 'cy', 'dee', 'ed'];
const CATEGORIES = ['hedge', 'loaded-label', 'reporting-verb', 'passive'];
const TEXT = 'Officials „allegedly“ said 😀 the reforms were a coup. Critics called it a so-called reform. Ümlaut words stay here.';
const SENTENCES = [{ start: 0, end: 53 }, { start: 54, end: 91 }, { start: 92, end: TEXT.length }];

/** A small deterministic generator (mulberry32), so that the study is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.skipIf(postgresUrl === null)('counts and streams from PostgreSQL, beside the JSON folder', () => {
  let dir = '';
  let database: TestDatabase;
  let folder: JsonFolderStudyStore;
  let pg: PostgresStudyStore;
  let ids: string[] = [];
  const shippedPromise = loadShippedCodebooks();

  beforeAll(async () => {
    const shipped = await shippedPromise;
    dir = await mkdtemp(join(tmpdir(), 'framelens-aggregates-'));
    const store = await Store.open(dir, shipped);
    await store.ready;
    folder = new JsonFolderStudyStore(store);
    const next = random(19);
    for (let i = 0; i < ARTICLES; i++) {
      const article: Article = {
        id: `art-${String(i).padStart(2, '0')}`, projectId: 'p1', title: `Article ${i}`, source: 'Wire', url: '', publishedAt: '',
        text: TEXT, sentences: SENTENCES, createdAt: `2026-11-30T10:${String(i).padStart(2, '0')}:00.000Z`, createdBy: 'r1',
      };
      await folder.createArticle(article);
      ids.push(article.id);
      for (const annotatorId of ANNOTATORS) {
        if (next() < 0.15) continue;
        await folder.updateAnnotation(article.id, annotatorId, (a) => {
          const count = Math.floor(next() * 6);
          for (let t = 0; t < count; t++) {
            const s = Math.floor(next() * SENTENCES.length);
            const sentence = SENTENCES[s] ?? { start: 0, end: 1 };
            const start = sentence.start + Math.floor(next() * 10);
            const tag: Tag = {
              id: `${article.id}-${annotatorId}-${t}`, articleId: article.id, annotatorId, sentence: s, start, end: start + 1 + Math.floor(next() * 8),
              category: CATEGORIES[Math.floor(next() * CATEGORIES.length)] ?? 'hedge', voice: 'author', intensity: null, note: '',
              createdAt: '2026-11-30T11:00:00.000Z', updatedAt: '2026-11-30T11:00:00.000Z',
            };
            a.tags.push(tag);
          }
          if (next() < 0.3) markReviewed(a, Math.floor(next() * SENTENCES.length));
        });
      }
    }
    // The study ordered as articles are listed (by creation).
    ids = (await folder.articles()).map((a) => a.id);
    database = await createDatabase('aggregates');
    pg = await PostgresStudyStore.open(database.url, shipped, { max: 4 });
    const whole = studyOfFolder(store, new Set(shipped.map((c) => c.id)));
    await importStudy(pg, whole, summarise(whole));
  }, SLOW);

  afterAll(async () => {
    await pg?.close();
    await database?.drop();
    await folder?.close();
    await rm(dir, { recursive: true, force: true });
  }, SLOW);

  it('counts tags per category as the JSON folder and core/summary.ts do, filtered by article or annotator', async () => {
    const articles = new Map((await folder.articles()).map((a) => [a.id, a]));
    const annotations: Annotation[] = [];
    for (const id of ids) annotations.push(...(await folder.annotations(id)));
    const categories: Category[] = CATEGORIES.map((id) => ({ id, name: id, definition: '', span: '', example: '', colour: '#000000', key: 'x' }));
    const half = ids.slice(0, 20);
    for (const [scope, filter] of [
      [ids, {}],
      [half, {}],
      [ids, { articleId: ids[3] }],
      [ids, { annotatorId: 'cy' }],
      [half, { articleId: ids[30] }],
    ] as const) {
      const fromPg = await pg.categoryCounts(scope, filter);
      expect(fromPg).toEqual(await folder.categoryCounts(scope, filter));
      // The reference: the summary page's own computation over the folder's annotations.
      const inScope = new Set<string>(scope);
      const reference = summariseCategories(articles, annotations.filter((a) => inScope.has(a.articleId)), categories, filter);
      for (const row of reference) {
        const counted = fromPg.get(row.category.id);
        if (row.tags === 0) expect(counted).toBeUndefined();
        else expect(counted).toEqual({ tags: row.tags, articles: row.articles, annotators: row.annotators, sentences: row.sentences });
      }
    }
    const total = [...(await pg.categoryCounts(ids)).values()].reduce((n, c) => n + c.tags, 0);
    expect(total).toBe(await folder.tagCount());
    expect(total).toBeGreaterThan(300);
  }, SLOW);

  it('streams every annotation through a cursor, in the order given, page after page, as the JSON folder gives them', async () => {
    const collect = async (source: AsyncIterable<Annotation>) => {
      const out: Annotation[] = [];
      for await (const a of source) out.push(a);
      return out;
    };
    const fromPg = await collect(pg.eachAnnotation(ids));
    // More than one cursor page (200 annotations).
    expect(fromPg.length).toBeGreaterThan(200);
    expect(fromPg).toEqual(await collect(folder.eachAnnotation(ids)));
    const reversed = [...ids].reverse().slice(0, 7);
    expect((await collect(pg.eachAnnotation(reversed))).map((a) => a.articleId)).toEqual(
      (await collect(folder.eachAnnotation(reversed))).map((a) => a.articleId),
    );

    // A reader that stops early gives its connection back, and the store goes on answering.
    for (let i = 0; i < 6; i++) {
      for await (const a of pg.eachAnnotation(ids)) if (a) break;
    }
    expect(pg.pool.waitingCount).toBe(0);
    expect(await pg.tagCount()).toBe(await folder.tagCount());
  }, SLOW);
});
