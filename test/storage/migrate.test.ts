// `framelens migrate`: a study copied from a JSON folder into PostgreSQL and back gives every tag
// back, byte for byte in the JSONL export (and every other export), the stored files with the same
// content; a target that holds a
// study is refused, and a copy failing part-way leaves the target as it was.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportCommand } from '../../server/commands/export.js';
import { migrateCommand } from '../../server/commands/migrate.js';
import { openData, readData } from '../../server/commands/serve.js';
import type { Tag } from '../../server/core/model.js';
import { addTag, markReviewed } from '../../server/core/spans.js';
import { FORMATS, exportFiles, projectData } from '../../server/exports/project.js';
import { ActivityStore } from '../../server/storage/activities.js';
import { PostgresAppStore, PostgresDatabase } from '../../server/storage/postgres/index.js';
import type { StudyReader } from '../../server/storage/app-store.js';
import { newId, packedShards, type Store } from '../../server/storage/store.js';
import { loadShippedCodebooks } from '../../server/storage/shipped-codebooks.js';
import { capturedIo } from '../helpers/io.js';
import { createDatabase, postgresUrl, type TestDatabase } from '../helpers/postgres.js';

const SLOW = 300_000;

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capturedIo();
  const code = await migrateCommand(args, io);
  return { code, out: io.out(), err: io.err() };
}

/** A study with what a real one has: the demo, accounts, two projects, an uploaded codebook, tags of every kind. */
async function makeStudy(dir: string, tagsPerAnnotator = 40): Promise<void> {
  const store = await openData(dir);
  await store.users.update((file) => {
    file.data.users.push(
      // The administrator flag, a deactivation and the last sign-in must come back too.
      { id: 'r1', name: 'Rita Researcher', role: 'researcher', passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$abc$def', createdAt: '2026-11-30T09:00:00.000Z', resetToken: null, admin: true, lastSignInAt: '2026-11-30T10:00:00.000Z' },
      { id: 'u1', name: 'Ann', role: 'annotator', passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$ghi$jkl', createdAt: '2026-11-30T09:01:00.000Z', resetToken: null },
      { id: 'u2', name: 'Zoë Ñ', role: 'annotator', passwordHash: '', createdAt: '2026-11-30T09:02:00.000Z', resetToken: { hash: 'b'.repeat(64), expiresAt: '2026-12-07T09:02:00.000Z' }, admin: false, deactivatedAt: '2026-11-30T11:00:00.000Z' },
    );
  });
  const demo = store.projects.data.data.projects[0];
  if (!demo) throw new Error('no demo project');
  await store.updateProject(demo.id, (p) => {
    p.members.push({ userId: 'r1', role: 'researcher' }, { userId: 'u1', role: 'annotator' }, { userId: 'u2', role: 'annotator' });
  });
  const framing = store.codebook('framing');
  if (!framing) throw new Error('no framing codebook');
  await store.saveCodebook({ ...framing, id: 'lab-codebook', name: 'Our lab’s codebook', description: 'Framing, "adapted" <for us>' });
  await store.projects.update((file) => {
    file.data.projects.push({
      id: 'p2', name: 'Second study', description: 'Balanced', codebookId: 'lab-codebook', members: [{ userId: 'r1', role: 'researcher' }],
      assignment: { mode: 'balanced', perArticle: 1, assigned: {} }, open: true, createdAt: '2026-11-30T09:30:00.000Z', createdBy: 'r1',
    });
  });
  const text = 'Die „Reform“ sei ein Putsch, sagten Kritiker. 😀 Emoji und ü. The so-called reform passed.';
  await store.createArticle({
    id: 'second', projectId: 'p2', title: 'Ümlaut & <b>markup</b> "quotes"', source: 'Wire', url: 'https://example.org/x?a=1&b=2',
    publishedAt: '2026-11-29', text, sentences: [{ start: 0, end: 45 }, { start: 46, end: 61 }, { start: 62, end: text.length }],
    createdAt: '2026-11-30T10:00:00.000Z', createdBy: 'r1',
  });
  await store.updateProject('p2', (p) => p.members.push({ userId: 'u1', role: 'annotator' }));
  const demoArticle = store.articles(demo.id)[0];
  if (!demoArticle) throw new Error('no demo article');
  const categories = ['hedge', 'loaded-label', 'reporting-verb'];
  for (const [articleId, sentences, textOf] of [
    [demoArticle.id, demoArticle.sentences, demoArticle.text],
    ['second', store.article('second')?.sentences ?? [], text],
  ] as const) {
    for (const annotatorId of ['r1', 'u1', 'u2']) {
      await store.updateAnnotation(articleId, annotatorId, (a) => {
        for (let i = 0; i < tagsPerAnnotator; i++) {
          const s = i % sentences.length;
          const sentence = sentences[s];
          if (!sentence) continue;
          const start = sentence.start + (i % 5);
          const end = Math.min(sentence.end, start + 3 + (i % 7));
          const tag: Tag = {
            id: newId(), articleId, annotatorId, sentence: s, start, end, category: categories[i % 3] ?? 'hedge',
            voice: (['author', 'quoted', 'paraphrase'] as const)[i % 3] ?? 'author', intensity: i % 4 === 0 ? null : ((i % 3) + 1) as 1 | 2 | 3,
            note: i % 6 === 0 ? `note ${i}: "${textOf.slice(start, end)}" <script>alert(1)</script> ✓\nline two` : '',
            createdAt: `2026-11-30T11:${String(i % 60).padStart(2, '0')}:00.000Z`, updatedAt: `2026-11-30T12:${String(i % 60).padStart(2, '0')}:00.000Z`,
          };
          try {
            addTag(a, tag);
          } catch {
            // the same span and category twice: the rules refuse it, as they would for a user
          }
        }
        markReviewed(a, sentences.length - 1);
      });
    }
  }
  // An annotator who reviewed without tagging anything, and rejected a suggestion.
  await store.updateAnnotation('second', 'u2', (a) => {
    markReviewed(a, 1);
    a.rejected = [{ sentence: 0, start: 4, end: 12, category: 'hedge', suggester: 'rules', score: 0.8, at: '2026-11-30T12:30:00.000Z' }];
  });
  // A tag that was an accepted suggestion.
  await store.updateAnnotation('second', 'u1', (a) => {
    const first = a.tags[0];
    if (first) first.origin = { kind: 'suggestion', suggester: 'learned', score: 0.625, adjusted: false };
  });
  // Curated gold for one article: a sentence curated, the article finished.
  await store.curation.update('second', (gold) => {
    gold.curated.push({ sentence: 0, by: 'r1', at: '2026-11-30T13:00:00.000Z' });
    gold.finished = { by: 'r1', at: '2026-11-30T13:05:00.000Z' };
    gold.updatedAt = '2026-11-30T13:05:00.000Z';
  });
  await store.close();
  // A lesson with two students who tagged.
  const activities = await ActivityStore.open(dir);
  await activities.create({
    id: 'lesson1', teacherId: 'r1', title: 'Loaded words „today“', article: { title: 'A copy', source: 'Wire', text, sentences: [{ start: 0, end: 45 }] },
    codebookId: 'framing', code: 'ABC234', status: 'revealed',
    reference: [{ id: 'ref1', sentence: 0, start: 4, end: 12, category: 'hedge', voice: 'author', rationale: 'Scare quotes <em>distance</em> the writer.' }],
    createdAt: '2026-11-30T14:00:00.000Z', revealedAt: '2026-11-30T14:20:00.000Z', endedAt: null, comparison: null,
  });
  for (const [id, nickname] of [['st1', 'Fox'], ['st2', 'Ünal 😀']] as const) {
    await activities.addStudent('lesson1', {
      id, nickname, joinedAt: '2026-11-30T14:01:00.000Z',
      annotation: { articleId: 'lesson1', annotatorId: id, reviewed: [], tags: [], updatedAt: '2026-11-30T14:01:00.000Z' },
      versions: [],
    });
    await activities.updateStudent('lesson1', id, (a) => {
      addTag(a, { id: `${id}-t1`, articleId: 'lesson1', annotatorId: id, sentence: 0, start: 4, end: 12, category: 'hedge', voice: 'author', intensity: null, note: '', createdAt: '2026-11-30T14:02:00.000Z', updatedAt: '2026-11-30T14:02:00.000Z' });
    });
  }
  // A "compare outlets" lesson: a second version, aligned, and a student's tags on it.
  await activities.create({
    id: 'lesson2', teacherId: 'r1', title: 'Two outlets', article: { title: 'A copy', source: 'Wire', text, sentences: [{ start: 0, end: 45 }] },
    codebookId: 'framing', code: 'XYZ234', status: 'open', reference: [],
    createdAt: '2026-11-30T15:00:00.000Z', revealedAt: null, endedAt: null,
    comparison: {
      story: 'One event',
      versions: [{ article: { title: 'Another copy', source: 'Gazette', text, sentences: [{ start: 0, end: 45 }] }, reference: [{ id: 'ref2', sentence: 0, start: 4, end: 12, category: 'hedge', voice: 'author', rationale: 'Also here.' }] }],
      groups: [[[0], [0]]],
    },
  });
  await activities.addStudent('lesson2', {
    id: 'st3', nickname: 'Owl', joinedAt: '2026-11-30T15:01:00.000Z',
    annotation: { articleId: 'lesson2', annotatorId: 'st3', reviewed: [], tags: [], updatedAt: '2026-11-30T15:01:00.000Z' },
    versions: [{ articleId: 'lesson2', annotatorId: 'st3', reviewed: [0], tags: [], updatedAt: '2026-11-30T15:01:00.000Z' }],
  });
  await activities.updateStudent('lesson2', 'st3', (a) => {
    addTag(a, { id: 'st3-t1', articleId: 'lesson2', annotatorId: 'st3', sentence: 0, start: 4, end: 12, category: 'hedge', voice: 'author', intensity: null, note: '', createdAt: '2026-11-30T15:02:00.000Z', updatedAt: '2026-11-30T15:02:00.000Z' });
  }, 2);
}

/** Every export of every project, as bytes, and the stored files (journal and lock aside). */
async function exportsOf(dir: string): Promise<Map<string, string>> {
  const store: Store = await readData(dir);
  const out = await exportsFrom(store);
  await store.close();
  return out;
}

/** Every export of every project a StudyReader (either backend's) gives, as bytes. */
async function exportsFrom(store: StudyReader): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const project of store.projects.data.data.projects) {
    for (const anonymise of [false, true]) {
      const data = projectData(store, project, store.codebookOf(project), { anonymise });
      for (const format of FORMATS) {
        for (const file of await exportFiles(store, data, format)) {
          const chunks: Buffer[] = [];
          for await (const chunk of file.body()) chunks.push(Buffer.from(chunk));
          out.set(`${project.id}/${anonymise ? 'anon' : 'named'}/${file.name}`, Buffer.concat(chunks).toString('utf8'));
        }
      }
    }
  }
  return out;
}

/** `framelens export` of the demo project, every format, under `env`: the files it wrote. */
async function exportCommandFiles(env: Record<string, string>, out: string): Promise<Map<string, string>> {
  const saved = { DATA_DIR: process.env.DATA_DIR, DATABASE_URL: process.env.DATABASE_URL };
  delete process.env.DATABASE_URL;
  Object.assign(process.env, env);
  const io = capturedIo();
  try {
    const code = await exportCommand(['Demo: NATO–Russia talks', '--out', out], io);
    expect(io.err()).toBe('');
    expect(code).toBe(0);
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  const files = new Map<string, string>();
  const walk = async (at: string) => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) await walk(path);
      else files.set(relative(out, path), await readFile(path, 'utf8'));
    }
  };
  await walk(out);
  return files;
}

async function storedFiles(dir: string): Promise<Map<string, unknown>> {
  const files = new Map<string, unknown>();
  const walk = async (at: string) => {
    for (const entry of await readdir(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'journal') await walk(path);
      } else if (entry.name.endsWith('.json')) {
        files.set(relative(dir, path), JSON.parse(await readFile(path, 'utf8')));
      }
    }
  };
  await walk(dir);
  // Tag shards are entries of their article's pack: by the names shard files had before packs.
  for (const [path, text] of packedShards(dir)) files.set(relative(dir, path), JSON.parse(text));
  return files;
}

describe.skipIf(postgresUrl === null)('framelens migrate', () => {
  let work = '';
  let database: TestDatabase;
  beforeEach(async () => {
    work = await mkdtemp(join(tmpdir(), 'framelens-migrate-'));
    database = await createDatabase('migrate');
  }, SLOW);
  afterEach(async () => {
    await database.drop();
    await rm(work, { recursive: true, force: true });
  }, SLOW);

  const counts = async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        'SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM articles) AS articles, (SELECT count(*)::int FROM tags) AS tags',
      );
      return rows[0];
    } finally {
      await client.end();
    }
  };

  it('JSON folder → PostgreSQL → JSON folder gives back every tag, byte for byte in every export', async () => {
    const source = join(work, 'source');
    const back = join(work, 'back');
    await makeStudy(source);
    const there = await run(['--from', source, '--to', database.url]);
    expect(there.err).toBe('');
    expect(there.code).toBe(0);
    expect(there.out).toMatch(/accounts\s+3\n/);
    expect(there.out).toMatch(/projects\s+2\n/);
    expect(there.out).toMatch(/codebooks\s+1\s/);
    // The demo project's articles (the demo story's three) and the study's own.
    const articles = (await readdir(join(source, 'articles'))).filter((f) => f.endsWith('.json')).length;
    expect(articles).toBeGreaterThanOrEqual(2);
    expect(there.out).toMatch(new RegExp(`articles\\s+${articles}\\n`));
    expect(there.out).toMatch(/annotations\s+6\s/);
    expect(there.out).toMatch(/every count matches, and each of the \d+ tags has the same sha256 checksum/);
    const tagsThere = Number(/tags\s+(\d+)\n/.exec(there.out)?.[1]);
    expect(tagsThere).toBeGreaterThan(150);
    expect(await counts()).toEqual({ users: 3, articles, tags: tagsThere });

    // Exported straight from PostgreSQL (as `framelens export` with DATABASE_URL does), every
    // file is the JSON folder's, byte for byte.
    const before = await exportsOf(source);
    const shipped = await loadShippedCodebooks();
    const study = await PostgresDatabase.open(database.url, shipped, { max: 2 });
    try {
      const direct = await exportsFrom(await PostgresAppStore.open(study, shipped, work));
      expect([...direct.keys()].sort()).toEqual([...before.keys()].sort());
      for (const [name, content] of before) expect(direct.get(name), name).toBe(content);
    } finally {
      await study.close();
    }
    // And `framelens export` with DATABASE_URL writes the folder's files, the agreement report included.
    const fromFolder = await exportCommandFiles({ DATA_DIR: source }, join(work, 'out-folder'));
    const fromDatabase = await exportCommandFiles({ DATABASE_URL: database.url }, join(work, 'out-database'));
    expect(fromFolder.get('agreement.csv')).toMatch(/^category,/);
    expect([...fromDatabase.keys()].sort()).toEqual([...fromFolder.keys()].sort());
    for (const [name, content] of fromFolder) expect(fromDatabase.get(name), name).toBe(content);

    const home = await run(['--from', database.url, '--to', back]);
    expect(home.err).toBe('');
    expect(home.code).toBe(0);
    expect(home.out).toContain(`tags${' '.repeat(8)}${String(tagsThere).padStart(9)}`);
    const checksum = (out: string) => /Study checksum: ([0-9a-f]{64})/.exec(out)?.[1];
    expect(checksum(home.out)).toBe(checksum(there.out));

    const after = await exportsOf(back);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    const jsonl = [...before.keys()].filter((k) => k.endsWith('tags.jsonl'));
    expect(jsonl.length).toBe(4);
    for (const [name, content] of before) expect(after.get(name), name).toBe(content);
    expect(before.get(jsonl[0] ?? '')?.split('\n').length).toBeGreaterThan(50);
    // Stories (the demo's), curated gold and the lesson went along, and say so.
    for (const out of [there.out, home.out]) {
      expect(out).toMatch(/stories\s+1\s/);
      expect(out).toMatch(/gold\s+1\s/);
      expect(out).toMatch(/activities\s+2\s/);
      expect(out).toMatch(/students\s+3\s/);
    }
    expect(there.out).not.toContain('stay in the folder');
    // The stored files come back with the same content (their keys in the schema's order, which
    // the demo article, made by spreading an object, does not quite have).
    const files = await storedFiles(source);
    expect(await storedFiles(back)).toEqual(files);
    expect([...files.keys()].filter((k) => k.startsWith('tags/')).length).toBe(6);
    for (const kept of ['stories/', 'gold/second.json', 'activities/lesson1/activity.json', 'activities/lesson1/students/st2.json', 'activities/lesson2/activity.json', 'activities/lesson2/students/st3.json']) {
      expect([...files.keys()].some((k) => k.startsWith(kept)), kept).toBe(true);
    }
  }, SLOW);

  it('refuses a target that holds a study, and changes nothing there', async () => {
    const source = join(work, 'source');
    await makeStudy(source, 3);
    expect((await run(['--from', source, '--to', database.url])).code).toBe(0);
    const held = await counts();
    const again = await run(['--from', source, '--to', database.url]);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/the database holds a study already \(accounts: 3, projects: 2, codebooks: 1, articles: \d+, tags: \d+, stories: 1, gold: 1, activities: 2\)/);
    expect(again.err).toContain('Nothing was changed at the target.');
    expect(await counts()).toEqual(held);

    const occupied = join(work, 'occupied');
    await mkdir(occupied);
    await writeFile(join(occupied, 'notes.txt'), 'mine');
    const refused = await run(['--from', database.url, '--to', occupied]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('is not empty; migrate copies into a new (or empty) folder only');
    expect(await readdir(occupied)).toEqual(['notes.txt']);
  }, SLOW);

  it('leaves the database as it was when the copy fails part-way', async () => {
    const source = join(work, 'source');
    await makeStudy(source, 5);
    // The schema, then a trigger that fails the copy once some tags are in.
    await (await PostgresDatabase.open(database.url, [])).close();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(`CREATE FUNCTION fail_late() RETURNS trigger AS $$ BEGIN
        IF (SELECT count(*) FROM tags) > 10 THEN RAISE EXCEPTION 'the disk is full (simulated)'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await client.query('CREATE TRIGGER fail_late AFTER INSERT ON tags FOR EACH ROW EXECUTE FUNCTION fail_late()');
    await client.end();
    const failed = await run(['--from', source, '--to', database.url]);
    expect(failed.code).toBe(1);
    expect(failed.err).toContain('the disk is full (simulated)');
    expect(await counts()).toEqual({ users: 0, articles: 0, tags: 0 });
  }, SLOW);

  it('reads a database again while servers save into it, and stops with a clear message when they never pause', async () => {
    const source = join(work, 'source');
    await makeStudy(source, 3);
    expect((await run(['--from', source, '--to', database.url])).code).toBe(0);
    // A server saving without a pause: every read of the source sees a commit.
    const shipped = await loadShippedCodebooks();
    const study = await PostgresDatabase.open(database.url, shipped, { max: 2 });
    const store = await PostgresAppStore.open(study, shipped, work);
    const article = store.articles()[0];
    if (!article) throw new Error('the migrated study has no article');
    let saving = true;
    let saves = 0;
    const saver = (async () => {
      while (saving) {
        await store.updateAnnotation(article.id, 'saver', (a) => {
          a.reviewed = a.reviewed.length === 1 ? [0, 1] : [0];
        });
        saves++;
      }
    })();
    const busy = join(work, 'busy');
    let refused: Awaited<ReturnType<typeof run>>;
    try {
      refused = await run(['--from', database.url, '--to', busy]);
    } finally {
      saving = false;
      await saver;
    }
    expect(saves).toBeGreaterThan(3);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('the study changed while it was read, 3 times over: servers are saving into it');
    expect(refused.err).toContain('Nothing was changed at the target.');
    expect(await readdir(work)).not.toContain('busy');

    // Once the saves stop, the same command copies the study, the last save included.
    const quiet = await run(['--from', database.url, '--to', busy]);
    await study.close();
    expect(quiet.err).toBe('');
    expect(quiet.code).toBe(0);
    expect(quiet.out).toMatch(/annotations\s+\d+\s/);
    expect([...packedShards(busy).keys()].some((f) => f.includes('saver'))).toBe(true);
  }, SLOW);

  it('says how to call it', async () => {
    expect((await run(['--from', work, '--to', join(work, 'b')])).code).toBe(2);
    const missing = await run(['--from', join(work, 'none'), '--to', database.url]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('there is no data folder at');
  }, SLOW);
});
