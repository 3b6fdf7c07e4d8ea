// What agreement reports and exports read without holding every tag: annotations streamed through
// a cursor (eachAnnotation, on the storage interface). The same study is kept in a JSON folder and
// copied into PostgreSQL; both backends must give the same annotations in the same order.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Annotation, Article, Tag } from '../../server/core/model.js';
import { markReviewed } from '../../server/core/spans.js';
import { PostgresAppStore, PostgresDatabase, importStudy } from '../../server/storage/postgres/index.js';
import { loadShippedCodebooks } from '../../server/storage/shipped-codebooks.js';
import { Store } from '../../server/storage/store.js';
import { readStudy, summarise } from '../../server/storage/study-copy.js';
import { createDatabase, postgresUrl, type TestDatabase } from '../helpers/postgres.js';
import { seededRandom } from '../helpers/random.js';

const SLOW = 300_000;
const ARTICLES = 52;
const ANNOTATORS = ['ann', 'bo', 'cy', 'dee', 'ed'];
const CATEGORIES = ['hedge', 'loaded-label', 'reporting-verb', 'passive'];
const TEXT = 'Officials „allegedly“ said 😀 the reforms were a coup. Critics called it a so-called reform. Ümlaut words stay here.';
const SENTENCES = [{ start: 0, end: 53 }, { start: 54, end: 91 }, { start: 92, end: TEXT.length }];

describe.skipIf(postgresUrl === null)('streams from PostgreSQL, beside the JSON folder', () => {
  let dir = '';
  let created: TestDatabase;
  let folder: Store;
  let database: PostgresDatabase;
  let pg: PostgresAppStore;
  let ids: string[] = [];
  const shippedPromise = loadShippedCodebooks();

  beforeAll(async () => {
    const shipped = await shippedPromise;
    dir = await mkdtemp(join(tmpdir(), 'framelens-aggregates-'));
    folder = await Store.open(dir, shipped);
    await folder.ready;
    // Seeded, so that the study is the same on every run.
    const next = seededRandom(19);
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
    ids = folder.articles().map((a) => a.id);
    created = await createDatabase('aggregates');
    database = await PostgresDatabase.open(created.url, shipped, { max: 4 });
    const whole = await readStudy(folder, new Set(shipped.map((c) => c.id)));
    await importStudy(database, whole, summarise(whole));
    pg = await PostgresAppStore.open(database, shipped, dir);
  }, SLOW);

  afterAll(async () => {
    await database?.close();
    await created?.drop();
    await folder?.close();
    await rm(dir, { recursive: true, force: true });
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
    expect(database.pool.waitingCount).toBe(0);
    expect(await pg.countTags()).toBe(await folder.countTags());
  }, SLOW);
});
