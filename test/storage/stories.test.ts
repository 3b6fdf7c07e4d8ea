// The story store: one file per project, an article in one story only, edits and references
// checked by the schema, an article's deletion taking it out of its story, and all of it read
// back after a restart.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoryError, StoryStore, type NewStory } from '../../server/storage/stories.js';

let dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  dirs = [];
});

async function open(dir?: string) {
  const dataDir = dir ?? (await mkdtemp(join(tmpdir(), 'framelens-stories-')));
  if (!dir) dirs.push(dataDir);
  const store = new StoryStore(dataDir);
  await store.load();
  return { store, dataDir };
}

const story = (id: string, articles: string[]): NewStory => ({
  id, projectId: 'p1', title: `Story ${id}`, note: '', articles, edits: [], createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'u1',
});

describe('StoryStore', () => {
  it('stores stories per project and reads them back after a restart', async () => {
    const { store, dataDir } = await open();
    await store.create(story('s1', ['a1', 'a2']));
    await store.update('p1', 's1', (s) => {
      s.edits.push({ action: 'remove', a: { article: 'a1', start: 0 }, b: { article: 'a2', start: 10 }, by: 'u1', at: '2026-01-01T00:00:01.000Z' });
    });
    const file = JSON.parse(await readFile(join(dataDir, 'stories', 'p1.json'), 'utf8')) as { schemaVersion: number };
    expect(file.schemaVersion).toBe(1);
    const again = (await open(dataDir)).store;
    expect(again.list('p1')).toEqual([{ ...story('s1', ['a1', 'a2']), reference: [], edits: [{ action: 'remove', a: { article: 'a1', start: 0 }, b: { article: 'a2', start: 10 }, by: 'u1', at: '2026-01-01T00:00:01.000Z' }] }]);
    expect(again.storyOf('p1', 'a2')?.id).toBe('s1');
    expect(again.list('other')).toEqual([]);
  });

  it('refuses an article in two stories, and a change that breaks the schema, changing nothing', async () => {
    const { store } = await open();
    await store.create(story('s1', ['a1', 'a2']));
    await store.create(story('s2', ['a3', 'a4']));
    await expect(store.create(story('s3', ['a2', 'a5']))).rejects.toBeInstanceOf(StoryError);
    await expect(store.update('p1', 's2', (s) => s.articles.push('a1'))).rejects.toBeInstanceOf(StoryError);
    await expect(store.update('p1', 's2', (s) => s.articles.push('a3'))).rejects.toThrow(/twice/);
    await expect(store.update('p1', 's2', (s) => (s.title = ''))).rejects.toThrow();
    await expect(store.update('p1', 'gone', () => {})).rejects.toThrow(/no longer exists/);
    expect(store.story('p1', 's2')).toMatchObject({ title: 'Story s2', articles: ['a3', 'a4'] });
  });

  it('forgets a deleted article: its place in the story, its edits and its reference tags', async () => {
    const { store } = await open();
    await store.create({
      ...story('s1', ['a1', 'a2', 'a3']),
      edits: [
        { action: 'add', a: { article: 'a1', start: 0 }, b: { article: 'a3', start: 5 }, by: 'u1', at: 't1' },
        { action: 'add', a: { article: 'a1', start: 0 }, b: { article: 'a2', start: 5 }, by: 'u1', at: 't2' },
      ],
      reference: [
        { article: 'a3', sentence: 0, start: 0, end: 4, category: 'hedge', rationale: 'why' },
        { article: 'a2', sentence: 0, start: 0, end: 4, category: 'hedge', rationale: 'why' },
      ],
    });
    await store.forgetArticle('p1', 'a3');
    const s = store.story('p1', 's1')!;
    expect(s.articles).toEqual(['a1', 'a2']);
    expect(s.edits.map((e) => e.at)).toEqual(['t2']);
    expect(s.reference.map((t) => t.article)).toEqual(['a2']);
  });
});
