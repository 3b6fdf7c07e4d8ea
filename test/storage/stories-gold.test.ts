// Stories (StoryCollection) and curated gold (GoldCollection) behind one interface each: the
// same cases on the JSON folder and on PostgreSQL, then two PostgreSQL instances on one database,
// as two servers: a change through one is on the other after its next refresh, and concurrent
// changes through both are applied one after the other.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Article } from '../../server/core/model.js';
import type { GoldCollection, StoryCollection } from '../../server/storage/app-store.js';
import { GoldFiles } from '../../server/storage/gold-files.js';
import { PostgresGold } from '../../server/storage/postgres/gold.js';
import { PostgresStories } from '../../server/storage/postgres/stories.js';
import { StoryStore, type NewStory } from '../../server/storage/stories.js';
import { jsonFolderBackend, onEachBackend, postgresBackend } from '../helpers/backends.js';
import { postgresUrl } from '../helpers/postgres.js';

const SLOW = 120_000;
const ARTICLES = ['a1', 'a2', 'a3', 'a4', 'a5'];

const story = (id: string, articles: string[]): NewStory => ({
  id, projectId: 'p1', title: `Story ${id}`, note: '', articles, edits: [], createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'u1',
});

function article(id: string): Article {
  return {
    id, projectId: 'p1', title: id, source: '', url: '', publishedAt: '', text: 'One. Two.', sentences: [{ start: 0, end: 4 }, { start: 5, end: 9 }],
    createdAt: '2026-01-01T00:00:00.000Z', createdBy: 'u1',
  };
}

const inFolder = () =>
  jsonFolderBackend('stories-gold', async (dir) => {
    const stories = new StoryStore(dir);
    await stories.load();
    const gold = await GoldFiles.open(dir, async () => 0, (id) => ARTICLES.includes(id), false);
    return { stories, gold };
  });

const inDatabase = () =>
  postgresBackend('stories', async (store, first) => {
    if (first) for (const id of ARTICLES) await store.createArticle(article(id));
    return { stories: await PostgresStories.open(store), gold: await PostgresGold.open(store) };
  });

onEachBackend<{ stories: StoryCollection; gold: GoldCollection }>('stories and gold', { jsonFolder: inFolder, postgres: inDatabase }, (opened) => {
  let stories: StoryCollection;
  let gold: GoldCollection;
  beforeEach(() => {
    ({ stories, gold } = opened());
  });

  it('keeps stories in creation order, one story per article, and forgets a deleted article', async () => {
    await stories.create(story('s2', ['a1', 'a2']));
    await stories.create(story('s1', ['a3', 'a4']));
    await expect(stories.create(story('s3', ['a2', 'a5']))).rejects.toThrow('An article can belong to one story only');
    expect(stories.list('p1').map((s) => s.id)).toEqual(['s2', 's1']);
    await stories.update('p1', 's1', (s) => {
      s.title = 'Renamed';
      s.articles.push('a5');
    });
    expect(stories.story('p1', 's1')?.title).toBe('Renamed');
    await expect(stories.update('p1', 's1', (s) => s.articles.push('a1'))).rejects.toThrow('An article can belong to one story only');
    await expect(stories.update('p1', 'gone', () => {})).rejects.toThrow('That story no longer exists.');
    expect(stories.storyOf('p1', 'a5')?.id).toBe('s1');
    await stories.forgetArticle('p1', 'a5');
    expect(stories.story('p1', 's1')?.articles).toEqual(['a3', 'a4']);
    await stories.remove('p1', 's2');
    expect(stories.list('p1').map((s) => s.id)).toEqual(['s1']);
    expect(stories.list('other')).toEqual([]);
  }, SLOW);

  it('changes, replaces and removes an article’s gold; a refused change stores nothing', async () => {
    expect(gold.has('a1')).toBe(false);
    expect(gold.gold('a1').spans).toEqual([]);
    await gold.update('a1', (g) => {
      g.curated.push({ sentence: 0, by: 'u1', at: '2026-01-01T00:00:00.000Z' });
    });
    expect(gold.has('a1')).toBe(true);
    expect(gold.gold('a1').curated.map((c) => c.sentence)).toEqual([0]);
    await expect(
      gold.update('a1', (g) => {
        g.curated = [];
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(gold.gold('a1').curated.map((c) => c.sentence)).toEqual([0]);
    await expect(gold.replace('a1', { ...gold.gold('a1'), articleId: 'a2' })).rejects.toThrow('the gold belongs to another article');
    expect(gold.gold('a1').curated.map((c) => c.sentence)).toEqual([0]);
    await gold.replace('a1', { ...gold.gold('a1'), curated: [] });
    expect(gold.gold('a1').curated).toEqual([]);
    await gold.remove('a1');
    expect(gold.has('a1')).toBe(false);
  }, SLOW);
});

describe.skipIf(postgresUrl === null)('stories and gold shared by two servers on PostgreSQL', () => {
  let backend: Awaited<ReturnType<typeof inDatabase>>;
  beforeEach(async () => {
    backend = await inDatabase();
    await backend.open();
    await backend.open();
  }, SLOW);
  afterEach(async () => {
    await backend.close();
  }, SLOW);

  it('shows a change made through one on the other after its refresh, and applies concurrent changes one after the other', async () => {
    const [a, b] = backend.opened;
    if (!a || !b) throw new Error('two instances expected');
    await a.stories.create(story('s1', ['a1']));
    await b.stories.refresh();
    expect(b.stories.story('p1', 's1')?.articles).toEqual(['a1']);
    const before = b.stories.version;
    // Both add an article at once: neither change is lost, and the one-story rule holds across them.
    await Promise.all([a.stories.update('p1', 's1', (s) => s.articles.push('a2')), b.stories.update('p1', 's1', (s) => s.articles.push('a3'))]);
    await expect(b.stories.create(story('s2', ['a2']))).rejects.toThrow('An article can belong to one story only');
    await Promise.all([a.stories.refresh(), b.stories.refresh()]);
    for (const side of [a, b]) expect(side.stories.story('p1', 's1')?.articles.slice().sort()).toEqual(['a1', 'a2', 'a3']);
    expect(b.stories.version).toBeGreaterThan(before);

    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 === 0 ? a : b).gold.update('a1', (g) => {
          g.curated.push({ sentence: i, by: 'u1', at: '2026-01-01T00:00:00.000Z' });
        }),
      ),
    );
    await Promise.all([a.gold.refresh(), b.gold.refresh()]);
    for (const side of [a, b]) expect(side.gold.gold('a1').curated.map((c) => c.sentence).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await a.gold.remove('a1');
    await a.stories.remove('p1', 's1');
    await Promise.all([b.gold.refresh(), b.stories.refresh()]);
    expect(b.gold.has('a1')).toBe(false);
    expect(b.stories.list('p1')).toEqual([]);
  }, SLOW);
});
