// The storage interface (server/storage/app-store.ts: AppStore), what the routes, the core's
// callers and the commands read and write: the same cases against both of its implementations,
// the JSON folder (Store, on a temporary data folder) and PostgreSQL (PostgresAppStore, on a
// database of the run's throw-away cluster, test/setup/postgres.ts; skipped, saying so, when
// PostgreSQL is not installed).
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyGold } from '../../server/core/curation/gold.js';
import type { Annotation, Article, Codebook, Tag } from '../../server/core/model.js';
import { RuleError, addTag, markReviewed, removeTag, updateTag } from '../../server/core/spans.js';
import type { AppStore } from '../../server/storage/app-store.js';
import { PostgresAppStore } from '../../server/storage/postgres/index.js';
import type { Project, User } from '../../server/storage/schemas.js';
import { loadShippedCodebooks } from '../../server/storage/shipped-codebooks.js';
import { NotFoundError, Store } from '../../server/storage/store.js';
import { jsonFolderBackend, onEachBackend, postgresBackend } from '../helpers/backends.js';
import { postgresUrl } from '../helpers/postgres.js';

const shipped = await loadShippedCodebooks();
// Hooks and tests may wait on a loaded machine: a database start, a pool, 200 saves.
const SLOW = 120_000;

// Where PostgresAppStore keeps a server's learned suggestion models; nothing here trains one.
const models = await mkdtemp(join(tmpdir(), 'framelens-contract-models-'));
afterAll(() => rm(models, { recursive: true, force: true }));

const inFolder = () =>
  jsonFolderBackend(
    'contract',
    async (dir) => {
      const store = await Store.open(dir, shipped);
      await store.ready;
      return store;
    },
    (store) => store.close(),
  );
const inDatabase = () => postgresBackend('contract', (db) => PostgresAppStore.open(db, shipped, models), shipped);

const TEXT = 'Officials allegedly said the reforms were a coup. Critics called it a so-called reform.';

function article(id: string, projectId = 'p1', createdAt = '2026-11-30T10:00:00.000Z'): Article {
  return {
    id, projectId, title: `Article ${id}`, source: 'Wire', url: 'https://example.org/a', publishedAt: '2026-11-29', text: TEXT,
    sentences: [{ start: 0, end: 49 }, { start: 50, end: TEXT.length }], createdAt, createdBy: 'r1',
  };
}

function tag(id: string, start: number, articleId = 'a1', annotatorId = 'u1', extra: Partial<Tag> = {}): Tag {
  return {
    id, articleId, annotatorId, sentence: start < 50 ? 0 : 1, start, end: start + 4, category: 'hedge', voice: 'author',
    intensity: null, note: '', createdAt: '2026-11-30T11:00:00.000Z', updatedAt: '2026-11-30T11:00:00.000Z', ...extra,
  };
}

function user(id: string, name: string, role: User['role'] = 'annotator'): User {
  return { id, name, role, passwordHash: `hash-of-${id}`, createdAt: '2026-11-30T09:00:00.000Z', resetToken: null };
}

function project(id: string, members: Project['members'], assignment?: Project['assignment']): Project {
  return {
    id, name: `Project ${id}`, description: '', codebookId: 'framing', members,
    assignment: assignment ?? { mode: 'all', perArticle: 2, assigned: {} }, open: false,
    createdAt: '2026-11-30T09:30:00.000Z', createdBy: 'r1',
  };
}

const uploaded: Codebook = {
  id: 'my-codebook', name: 'Mine', description: 'An uploaded codebook',
  groups: [{ id: 'g', name: 'G', categories: [{ id: 'c1', name: 'C1', definition: 'd', span: 's', example: 'e', colour: '#112233', key: 'q' }] }],
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Adds a project as the projects page does: one change to the projects document. */
function addProject(store: AppStore, value: Project): Promise<void> {
  return store.projects.update((file) => {
    file.data.projects.push(value);
  });
}

async function collect(source: AsyncIterable<Annotation>): Promise<Annotation[]> {
  const out: Annotation[] = [];
  for await (const a of source) out.push(a);
  return out;
}

onEachBackend<AppStore>('the storage interface', { jsonFolder: inFolder, postgres: inDatabase }, (opened, reopen) => {
  let store: AppStore;
  beforeEach(() => {
    store = opened();
  });

  it('makes the instance secret once and keeps it', async () => {
    const first = structuredClone(store.instance.data.data);
    expect(first.sessionSecret.length).toBeGreaterThanOrEqual(32);
    store = await reopen();
    expect(store.instance.data.data).toEqual(first);
  }, SLOW);

  it('changes accounts as one: order kept, a refused change stores nothing, the set-up token cleared', async () => {
    expect(store.users.data.data).toEqual({ users: [], setupTokenHash: null });
    await store.users.update((file) => {
      file.data.setupTokenHash = 'f'.repeat(64);
    });
    await store.users.update((file) => {
      file.data.users.push(user('r1', 'Rita', 'researcher'), user('u1', 'Ann'));
      file.data.setupTokenHash = null;
    });
    await store.users.update((file) => {
      file.data.users.push(user('u2', 'Bob'));
    });
    const refused = store.users.update((file) => {
      file.data.users.push(user('u3', 'Cy'));
      throw new RuleError('The name is taken.');
    });
    await expect(refused).rejects.toThrow('The name is taken.');
    expect(store.users.data.data.users.map((u) => u.name)).toEqual(['Rita', 'Ann', 'Bob']);
    await store.users.update((file) => {
      const a = file.data;
      const ann = a.users.find((u) => u.id === 'u1');
      if (ann) ann.resetToken = { hash: 'a'.repeat(64), expiresAt: '2026-12-01T00:00:00.000Z' };
      a.users = a.users.filter((u) => u.id !== 'u2');
      const rita = a.users.find((u) => u.id === 'r1');
      if (rita) Object.assign(rita, { admin: true, lastSignInAt: '2026-11-30T10:00:00.000Z' });
      if (ann) ann.deactivatedAt = '2026-11-30T11:00:00.000Z';
    });
    store = await reopen();
    const accounts = store.users.data.data;
    expect(accounts.setupTokenHash).toBeNull();
    expect(accounts.users.map((u) => u.name)).toEqual(['Rita', 'Ann']);
    const byId = (id: string) => accounts.users.find((u) => u.id === id);
    expect(byId('u1')).toEqual({ ...user('u1', 'Ann'), resetToken: { hash: 'a'.repeat(64), expiresAt: '2026-12-01T00:00:00.000Z' }, deactivatedAt: '2026-11-30T11:00:00.000Z' });
    // The administrator flag and the last sign-in are kept (phase 1's schema lost them).
    expect(byId('r1')).toEqual({ ...user('r1', 'Rita', 'researcher'), admin: true, lastSignInAt: '2026-11-30T10:00:00.000Z' });
    expect(byId('u2')).toBeUndefined();
  }, SLOW);

  it('gives a set-up token while no account administers the others, known by its hash only', async () => {
    const token = await store.setupToken(true);
    expect(token).toMatch(/^[\w-]{32}$/);
    expect(store.users.data.data.setupTokenHash).toBe(sha256(token ?? ''));
    const fresh = await store.setupToken(true);
    expect(fresh).not.toBe(token);
    expect(store.users.data.data.setupTokenHash).toBe(sha256(fresh ?? ''));
    await store.users.update((file) => {
      file.data.users.push({ ...user('r1', 'Rita', 'researcher'), admin: true });
    });
    expect(await store.setupToken(true)).toBeNull();
    expect(await store.setupToken(false)).toBeNull();
  }, SLOW);

  it('adds and changes projects; a missing project is not found, a refused change stores nothing', async () => {
    await addProject(store, project('p1', [{ userId: 'r1', role: 'researcher' }]));
    await addProject(store, project('p2', []));
    await store.updateProject('p1', (p) => {
      p.members.push({ userId: 'u1', role: 'annotator' });
      p.open = true;
    });
    await expect(store.updateProject('nope', () => {})).rejects.toBeInstanceOf(NotFoundError);
    await expect(store.updateProject('p2', (p) => {
      p.open = true;
      throw new RuleError('refused');
    })).rejects.toThrow('refused');
    expect(store.project('p2')).toEqual(project('p2', []));
    store = await reopen();
    expect(store.projects.data.data.projects.map((p) => p.id)).toEqual(['p1', 'p2']);
    expect(store.project('p1')).toEqual({ ...project('p1', [{ userId: 'r1', role: 'researcher' }, { userId: 'u1', role: 'annotator' }]), open: true });
    expect(store.project('p2')).toEqual(project('p2', []));
  }, SLOW);

  it('keeps a balanced assignment current as annotators join', async () => {
    await store.createArticle(article('a1', 'p1', '2026-11-30T10:00:00.000Z'));
    await store.createArticle(article('a2', 'p1', '2026-11-30T10:01:00.000Z'));
    await addProject(store, project('p1', [{ userId: 'r1', role: 'researcher' }], { mode: 'balanced', perArticle: 1, assigned: {} }));
    await store.updateProject('p1', (p) => {
      p.members.push({ userId: 'u1', role: 'annotator' }, { userId: 'u2', role: 'annotator' });
    });
    const assigned = store.project('p1')?.assignment.assigned ?? {};
    expect(Object.keys(assigned).sort()).toEqual(['a1', 'a2']);
    expect([...(assigned.a1 ?? []), ...(assigned.a2 ?? [])].sort()).toEqual(['u1', 'u2']);
  }, SLOW);

  it('stores uploaded codebooks beside the shipped ones and never overwrites one', async () => {
    const framing = shipped.find((c) => c.id === 'framing');
    expect(framing).toBeDefined();
    expect(store.codebook('framing')).toEqual(framing);
    await store.saveCodebook(uploaded);
    await expect(store.saveCodebook(uploaded)).rejects.toBeInstanceOf(RuleError);
    await expect(store.saveCodebook({ ...uploaded, id: 'framing' })).rejects.toBeInstanceOf(RuleError);
    store = await reopen();
    expect(store.codebook('my-codebook')).toEqual(uploaded);
    expect(store.codebooks().map((c) => c.id).sort()).toEqual([...shipped.map((c) => c.id), 'my-codebook'].sort());
    // A project whose codebook is gone reads the default one.
    expect(store.codebookOf({ codebookId: 'my-codebook' })).toEqual(uploaded);
    expect(store.codebookOf({ codebookId: 'gone' }).id).toBe('framing');
  }, SLOW);

  it('lists articles in the order they were created; removing one removes its tags', async () => {
    // Equal times: by id, as JavaScript compares them ('B1' before 'b2'), whatever the database's collation.
    await store.createArticle(article('b2', 'p1', '2026-11-30T10:00:00.000Z'));
    await store.createArticle(article('B1', 'p1', '2026-11-30T10:00:00.000Z'));
    await store.createArticle(article('a0', 'p1', '2026-11-30T09:00:00.000Z'));
    await store.createArticle(article('x1', 'p2'));
    await expect(store.createArticle(article('x1', 'p2'))).rejects.toBeInstanceOf(RuleError);
    await store.updateAnnotation('b2', 'u1', (a) => addTag(a, tag('t1', 0, 'b2')));
    await store.updateAnnotation('x1', 'u1', (a) => addTag(a, tag('t2', 0, 'x1')));
    expect(store.articles('p1').map((a) => a.id)).toEqual(['a0', 'B1', 'b2']);
    expect(store.articles().map((a) => a.id)).toEqual(['a0', 'B1', 'b2', 'x1']);
    expect(store.article('B1')).toEqual(article('B1', 'p1', '2026-11-30T10:00:00.000Z'));
    await store.removeArticle('b2');
    expect(store.article('b2')).toBeUndefined();
    expect(await store.readAnnotations('b2')).toEqual([]);
    expect(await store.countTags()).toBe(1);
    await expect(store.updateAnnotation('b2', 'u1', (a) => addTag(a, tag('t3', 0, 'b2')))).rejects.toBeInstanceOf(NotFoundError);
    store = await reopen();
    expect(store.articles().map((a) => a.id)).toEqual(['a0', 'B1', 'x1']);
    expect(await store.countTags()).toBe(1);
  }, SLOW);

  it('refuses a save that leaves a tag invalid and stores nothing of it; saves made with it stand', async () => {
    await store.createArticle(article('a1'));
    await store.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t1', 0, 'a1', 'u1', { origin: { kind: 'manual' } })));
    // Added at once (one group on PostgreSQL): an invalid new tag, an edit that breaks a kept one, a good tag.
    const [added, edited, good] = await Promise.allSettled([
      store.updateAnnotation('a1', 'u1', (a) => {
        a.tags.push(tag('t2', 10, 'a1', 'u1', { voice: 'shouted' as Tag['voice'] }));
      }),
      store.updateAnnotation('a1', 'u1', (a) => {
        const t1 = a.tags.find((t) => t.id === 't1');
        if (t1) t1.start = -1;
      }),
      store.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t3', 20, 'a1', 'u1', { origin: { kind: 'manual' } }))),
    ]);
    expect(added.status).toBe('rejected');
    expect(edited.status).toBe('rejected');
    expect(good.status).toBe('fulfilled');
    const check = async () => {
      const stored = await store.readAnnotation('a1', 'u1');
      expect(stored.tags.map((t) => [t.id, t.start, t.category])).toEqual([
        ['t1', 0, 'hedge'],
        ['t3', 20, 'hedge'],
      ]);
    };
    await check();
    store = await reopen();
    await check();
  }, SLOW);

  it('refuses a save that leaves a rejected suggestion invalid, and stores nothing of it', async () => {
    await store.createArticle(article('a1'));
    const rejection = { sentence: 0, start: 0, end: 9, category: 'hedge', suggester: 'learned' as const, score: 0.5, at: '2026-11-30T11:30:00.000Z' };
    await store.updateAnnotation('a1', 'u1', (a) => {
      a.rejected = [{ ...rejection }];
    });
    // A rejection that gains a field the schema does not have: its other fields are as they were.
    const save = store.updateAnnotation('a1', 'u1', (a) => {
      const first = a.rejected?.[0];
      if (first) Object.assign(first, { note: 'not a field of a rejection' });
      addTag(a, tag('t1', 0, 'a1', 'u1', { origin: { kind: 'manual' } }));
    });
    await expect(save).rejects.toThrow();
    const check = async () => {
      const stored = await store.readAnnotation('a1', 'u1');
      expect(stored.rejected).toEqual([rejection]);
      expect(stored.tags).toEqual([]);
    };
    await check();
    store = await reopen();
    await check();
  }, SLOW);

  it('undoes all of a refused save, a change made inside a tag’s origin included', async () => {
    await store.createArticle(article('a1'));
    const origin = { kind: 'suggestion' as const, suggester: 'rules' as const, score: 0.75, adjusted: false };
    await store.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t1', 0, 'a1', 'u1', { origin: { ...origin } })));
    const refused = store.updateAnnotation('a1', 'u1', (a) => {
      const t1 = a.tags[0];
      if (t1?.origin?.kind === 'suggestion') t1.origin.score = 5;
    });
    await expect(refused).rejects.toThrow();
    expect((await store.readAnnotation('a1', 'u1')).tags[0]?.origin).toEqual(origin);
    // The annotation takes saves again.
    await store.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t2', 10, 'a1', 'u1', { origin: { kind: 'manual' } })));
    store = await reopen();
    const stored = await store.readAnnotation('a1', 'u1');
    expect(stored.tags.map((t) => [t.id, t.origin])).toEqual([
      ['t1', origin],
      ['t2', { kind: 'manual' }],
    ]);
  }, SLOW);

  it('refuses a save that moves the annotation to another article or annotator, and keeps it where it was', async () => {
    await store.createArticle(article('a1'));
    await store.createArticle(article('a2'));
    await store.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t1', 0, 'a1', 'u1', { origin: { kind: 'manual' } })));
    await expect(store.updateAnnotation('a1', 'u1', (a) => {
      a.articleId = 'a2';
    })).rejects.toThrow('cannot move an annotation');
    await expect(store.updateAnnotation('a1', 'u1', (a) => {
      a.annotatorId = 'u2';
    })).rejects.toThrow('cannot move an annotation');
    const check = async () => {
      expect((await store.readAnnotation('a1', 'u1')).tags.map((t) => t.id)).toEqual(['t1']);
      expect((await store.readAnnotation('a2', 'u1')).tags).toEqual([]);
      expect((await store.readAnnotation('a1', 'u2')).tags).toEqual([]);
    };
    await check();
    store = await reopen();
    await check();
  }, SLOW);

  it('takes a removed article out of its story, with its curated gold', async () => {
    for (const id of ['a1', 'a2', 'a3']) await store.createArticle(article(id));
    await store.stories.create({ id: 's1', projectId: 'p1', title: 'One event', note: '', articles: ['a1', 'a2', 'a3'], edits: [], createdAt: '2026-11-30T12:00:00.000Z', createdBy: 'r1' });
    const finished = { ...emptyGold('a1'), finished: { by: 'r1', at: '2026-11-30T12:30:00.000Z' }, updatedAt: '2026-11-30T12:30:00.000Z' };
    await store.curation.replace('a1', finished);
    await store.curation.replace('a2', { ...finished, articleId: 'a2' });
    expect(store.curation.gold('a1')).toEqual(finished);
    await store.removeArticle('a1');
    expect(store.stories.story('p1', 's1')?.articles).toEqual(['a2', 'a3']);
    expect(store.curation.has('a1')).toBe(false);
    store = await reopen();
    expect(store.stories.storyOf('p1', 'a2')?.articles).toEqual(['a2', 'a3']);
    expect(store.stories.storyOf('p1', 'a1')).toBeUndefined();
    expect(store.curation.has('a1')).toBe(false);
    expect(store.curation.gold('a2').finished).toEqual(finished.finished);
  }, SLOW);

  it("changes an article's metadata, never its text; a missing article is not found", async () => {
    await store.createArticle(article('a1'));
    await store.updateArticleMetadata('a1', { title: 'Renamed <b>', source: 'Other Wire', url: 'https://example.org/b', publishedAt: '2026-11-28' });
    await expect(store.updateArticleMetadata('gone', { title: 't', source: '', url: '', publishedAt: '' })).rejects.toBeInstanceOf(NotFoundError);
    store = await reopen();
    expect(store.article('a1')).toEqual({ ...article('a1'), title: 'Renamed <b>', source: 'Other Wire', url: 'https://example.org/b', publishedAt: '2026-11-28' });
  }, SLOW);

  it('adds, edits and removes tags and reviewed sentences, keeping their order, and stamps the save', async () => {
    await store.createArticle(article('a1'));
    expect(await store.readAnnotation('a1', 'u1')).toEqual({ articleId: 'a1', annotatorId: 'u1', reviewed: [], tags: [], updatedAt: '' });
    const started = new Date().toISOString();
    const version = store.version;
    await store.updateAnnotation('a1', 'u1', (a) => {
      addTag(a, tag('t1', 10));
      addTag(a, tag('t2', 0, 'a1', 'u1', { category: 'label', intensity: 2, note: 'a <b>note</b> "quoted" ✓' }));
      addTag(a, tag('t3', 60));
    });
    // A report derived from the tags is not reused after a save.
    expect(store.version).not.toBe(version);
    await store.updateAnnotation('a1', 'u1', (a) => {
      updateTag(a, 't1', { start: 10, end: 14, category: 'loaded', voice: 'quoted', intensity: 3, note: 'edited' }, '2026-11-30T12:00:00.000Z');
      removeTag(a, 't2');
      markReviewed(a, 1);
      markReviewed(a, 0);
      addTag(a, tag('t4', 20));
    });
    await store.updateAnnotation('a1', 'u2', (a) => markReviewed(a, 1));
    store = await reopen();
    const mine = await store.readAnnotation('a1', 'u1');
    expect(mine.tags.map((t) => t.id)).toEqual(['t1', 't3', 't4']);
    expect(mine.tags[0]).toEqual({ ...tag('t1', 10), category: 'loaded', voice: 'quoted', intensity: 3, note: 'edited', updatedAt: '2026-11-30T12:00:00.000Z' });
    expect(mine.reviewed).toEqual([0, 1]);
    expect(mine.updatedAt >= started).toBe(true);
    const all = await store.readAnnotations('a1');
    expect(all.map((a) => a.annotatorId).sort()).toEqual(['u1', 'u2']);
    expect(all.find((a) => a.annotatorId === 'u2')).toMatchObject({ reviewed: [1], tags: [] });
    expect(await store.countTags()).toBe(3);
  }, SLOW);

  it("reads one annotator's annotations in the order asked, and walks every annotation article by article, then by annotator", async () => {
    for (const [i, id] of ['a1', 'a2', 'a3'].entries()) await store.createArticle(article(id, 'p1', `2026-11-30T10:0${i}:00.000Z`));
    await store.updateAnnotation('a1', 'u2', (a) => addTag(a, tag('t1', 0, 'a1', 'u2')));
    await store.updateAnnotation('a3', 'u2', (a) => addTag(a, tag('t2', 0, 'a3', 'u2')));
    await store.updateAnnotation('a3', 'U1', (a) => addTag(a, tag('t3', 10, 'a3', 'U1')));
    await store.updateAnnotation('a3', 'u1', (a) => markReviewed(a, 0));
    const mine = await store.readAnnotationsBy('u2', ['a3', 'a2', 'a1']);
    expect(mine.map((a) => [a.articleId, a.annotatorId, a.tags.map((t) => t.id)])).toEqual([['a3', 'u2', ['t2']], ['a2', 'u2', []], ['a1', 'u2', ['t1']]]);
    store = await reopen();
    // Annotator ids compared as JavaScript compares them ('U1' before 'u1'), whatever the database's collation.
    const walked = await collect(store.eachAnnotation(['a3', 'a2', 'a1']));
    expect(walked.map((a) => `${a.articleId}/${a.annotatorId}`)).toEqual(['a3/U1', 'a3/u1', 'a3/u2', 'a1/u2']);
    expect(walked[0]?.tags.map((t) => t.id)).toEqual(['t3']);
    expect((await collect(store.eachAnnotation(['a2']))).length).toBe(0);
  }, SLOW);

  it('keeps where a tag came from and the suggestions an annotator rejected, and rewrites reordered tags whole', async () => {
    await store.createArticle(article('a1'));
    const origin = { kind: 'suggestion' as const, suggester: 'rules' as const, score: 0.75, adjusted: true };
    await store.updateAnnotation('a1', 'u1', (a) => {
      addTag(a, tag('t1', 10, 'a1', 'u1', { origin }));
      addTag(a, tag('t2', 20, 'a1', 'u1', { origin: { kind: 'manual' } }));
      addTag(a, tag('t3', 30));
    });
    const rejected = [{ sentence: 0, start: 0, end: 9, category: 'hedge', suggester: 'learned' as const, score: 0.5, at: '2026-11-30T11:30:00.000Z' }];
    await store.updateAnnotation('a1', 'u1', (a) => {
      a.rejected = rejected;
      a.tags.reverse();
    });
    store = await reopen();
    const stored = await store.readAnnotation('a1', 'u1');
    expect(stored.tags.map((t) => t.id)).toEqual(['t3', 't2', 't1']);
    expect(stored.tags[2]?.origin).toEqual(origin);
    expect(stored.tags[1]?.origin).toEqual({ kind: 'manual' });
    expect('origin' in (stored.tags[0] ?? {})).toBe(false);
    expect(stored.rejected).toEqual(rejected);
    await store.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t4', 60)));
    expect((await store.readAnnotation('a1', 'u1')).tags.map((t) => t.id)).toEqual(['t3', 't2', 't1', 't4']);
  }, SLOW);

  it('stores nothing of a change that throws', async () => {
    await store.createArticle(article('a1'));
    await store.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t1', 0)));
    const before = structuredClone(await store.readAnnotation('a1', 'u1'));
    const refused = store.updateAnnotation('a1', 'u1', (a) => {
      addTag(a, tag('t2', 10));
      markReviewed(a, 1);
      addTag(a, tag('t3', 0));
    });
    await expect(refused).rejects.toBeInstanceOf(RuleError);
    expect(await store.readAnnotation('a1', 'u1')).toEqual(before);
    store = await reopen();
    expect(await store.readAnnotation('a1', 'u1')).toEqual(before);
  }, SLOW);

  it('loses no update when 100 saves to one annotation arrive at once', async () => {
    await store.createArticle(article('a1'));
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => store.updateAnnotation('a1', 'u1', (a) => {
        a.tags.push(tag(`t${i}`, i % 80));
      })),
    );
    expect((await store.readAnnotation('a1', 'u1')).tags.map((t) => t.id).sort()).toEqual(Array.from({ length: 100 }, (_, i) => `t${i}`).sort());
    expect(await store.countTags()).toBe(100);
  }, SLOW);
});

describe.skipIf(postgresUrl === null)('the storage interface shared by two servers on PostgreSQL', () => {
  let backend: Awaited<ReturnType<typeof inDatabase>>;
  let store: AppStore;
  let other: AppStore;
  beforeEach(async () => {
    backend = await inDatabase();
    [store, other] = [await backend.open(), await backend.open()];
  }, SLOW);
  afterEach(async () => {
    await backend.close();
  }, SLOW);

  it('gives every server the same set-up token until a fresh one is asked for', async () => {
    const shared = await store.setupToken(false);
    expect(shared).not.toBeNull();
    expect(await other.setupToken(false)).toBe(shared);
    const fresh = await other.setupToken(true);
    expect(fresh).not.toBe(shared);
    expect(await store.setupToken(false)).toBe(fresh);
    expect(store.users.data.data.setupTokenHash).toBe(sha256(fresh ?? ''));
  }, SLOW);

  it('shares one study between two servers: 200 saves spread over both, all present, each seen by the other', async () => {
    await store.createArticle(article('a1'));
    await addProject(store, project('p1', []));
    // The small documents: on the other server's next refresh (the start of its next request).
    await other.refresh();
    expect(other.article('a1')).toEqual(article('a1'));
    expect(other.project('p1')).toEqual(project('p1', []));
    await other.updateProject('p1', (p) => {
      p.open = true;
    });
    await store.refresh();
    expect(store.project('p1')?.open).toBe(true);
    // Tags: never held, so the next read sees them.
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? store : other).updateAnnotation('a1', `u${i % 3}`, (a) => {
        a.tags.push(tag(`t${i}`, i % 80, 'a1', `u${i % 3}`));
      })),
    );
    const seen = (await other.readAnnotations('a1')).flatMap((a) => a.tags.map((t) => t.id));
    expect(seen.sort()).toEqual(Array.from({ length: 200 }, (_, i) => `t${i}`).sort());
    await store.updateAnnotation('a1', 'u1', (a) => markReviewed(a, 1));
    expect((await other.readAnnotation('a1', 'u1')).reviewed).toEqual([1]);
    expect(await other.countTags()).toBe(200);
  }, SLOW);
});
