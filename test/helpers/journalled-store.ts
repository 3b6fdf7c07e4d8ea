// One article in a data folder's journalled store, as the journal tests open it, and the same
// folder opened again as the next start after a crash does (the first store is simply dropped).
import type { Tag } from '../../server/core/model.js';
import { Store } from '../../server/storage/store.js';

const TEXT = 'Officials allegedly said the reforms were a coup. Critics called it a so-called reform.';

/** A hedge tag on article a1's first sentence, four characters from `start`. */
export const tag = (id: string, start: number, annotatorId = 'u1'): Tag => ({
  id, articleId: 'a1', annotatorId, sentence: 0, start, end: start + 4, category: 'hedge', voice: 'author',
  intensity: null, note: '', createdAt: '2026-11-30T00:00:00.000Z', updatedAt: '2026-11-30T00:00:00.000Z',
});

/** The store in `dir` with article a1 (two sentences) created. */
export async function storeWithArticle(dir: string, options: Parameters<typeof Store.open>[2] = {}): Promise<Store> {
  const store = await Store.open(dir, [], options);
  await store.createArticle({
    id: 'a1', projectId: 'p', title: 'T', source: '', url: '', publishedAt: '', text: TEXT,
    sentences: [{ start: 0, end: 49 }, { start: 50, end: TEXT.length }], createdAt: '2026-11-30T00:00:00.000Z', createdBy: 'u',
  });
  await store.ready;
  return store;
}

/** The folder opened again, as the next start after a crash opens it. */
export async function restart(dir: string): Promise<Store> {
  const store = await Store.open(dir, []);
  await store.ready;
  return store;
}
