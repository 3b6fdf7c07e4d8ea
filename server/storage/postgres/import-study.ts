// A whole study copied into PostgreSQL in one transaction (`framelens migrate --to postgres://…`):
// the AppStore's changes are a transaction each, so an all-or-nothing copy goes underneath them.
import type pg from 'pg';
import { GOLD_SCHEMA_VERSION } from '../../core/curation/gold.js';
import { parseGoldFile } from '../../core/curation/schema.js';
import type { Codebook } from '../../core/model.js';
import { parseActivityFile, type Student } from '../activity-schemas.js';
import { parseStory } from '../stories.js';
import { differences, summarise, type Study, type StudySummary } from '../study-copy.js';
import { INSERT_TAGS, USER_COLUMNS, annotationsQuery, articleColumns, parseAnnotation, parseArticle, parseCodebookDoc, parseProjects, parseUsers, tagColumns, userColumns } from './rows.js';
import type { PostgresDatabase } from './database.js';

/** Rows per multi-row INSERT: large enough to be quick, small enough for a modest statement. */
const CHUNK = 5_000;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/** The study but its tags (`annotations` empty), as the transaction `client` is in sees it. */
async function readDocumentsWith(client: pg.PoolClient): Promise<Study> {
  const { rows: instanceRows } = await client.query<{ session_secret: string; created_at: string; setup_token_hash: string | null }>(
    'SELECT session_secret, created_at, setup_token_hash FROM instance',
  );
  const instance = instanceRows[0];
  if (!instance) throw new Error('the database has no instance row (it was never opened by Framelens)');
  const users = await client.query('SELECT * FROM users ORDER BY position');
  const projects = await client.query<{ doc: unknown }>('SELECT doc FROM projects ORDER BY position');
  const codebooks = await client.query<{ doc: unknown }>('SELECT doc FROM codebooks ORDER BY id COLLATE "C"');
  const articles = await client.query('SELECT * FROM articles');
  const stories = await client.query<{ doc: unknown }>('SELECT doc FROM stories ORDER BY position');
  const gold = await client.query<{ doc: unknown }>('SELECT doc FROM gold ORDER BY article_id COLLATE "C"');
  const activities = await client.query<{ doc: unknown }>('SELECT doc FROM activities ORDER BY position');
  const students = await client.query<{ activity_id: string; doc: unknown }>('SELECT activity_id, doc FROM students ORDER BY activity_id COLLATE "C", id COLLATE "C"');
  const studentsOf = new Map<string, Student[]>();
  for (const row of students.rows) {
    const student = parseActivityFile.student({ schemaVersion: 1, data: row.doc }).data;
    studentsOf.set(row.activity_id, [...(studentsOf.get(row.activity_id) ?? []), student]);
  }
  return {
    instance: { sessionSecret: instance.session_secret, createdAt: instance.created_at },
    accounts: { users: parseUsers(users.rows, instance.setup_token_hash), setupTokenHash: instance.setup_token_hash },
    projects: parseProjects(projects.rows.map((r) => r.doc)),
    codebooks: codebooks.rows.map((r): Codebook => parseCodebookDoc(r.doc)),
    articles: articles.rows.map(parseArticle).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)),
    annotations: [],
    stories: stories.rows.map((r) => parseStory(r.doc)),
    gold: gold.rows.map((r) => parseGoldFile({ schemaVersion: GOLD_SCHEMA_VERSION, data: r.doc })),
    activities: activities.rows.map((r) => {
      const activity = parseActivityFile.activity({ schemaVersion: 1, data: r.doc }).data;
      return { activity, students: studentsOf.get(activity.id) ?? [] };
    }),
  };
}

/** The study as the transaction `client` is in sees it. */
async function readStudyWith(client: pg.PoolClient): Promise<Study> {
  const documents = await readDocumentsWith(client);
  const annotations = await client.query(annotationsQuery('true'));
  return { ...documents, annotations: annotations.rows.map(parseAnnotation) };
}

/** What the target holds already, for the refusal; null when it holds no study. */
async function occupied(client: pg.PoolClient): Promise<string | null> {
  const { rows } = await client.query<Record<string, number>>(
    `SELECT (SELECT count(*)::int FROM users) AS accounts, (SELECT count(*)::int FROM projects) AS projects,
            (SELECT count(*)::int FROM codebooks) AS codebooks, (SELECT count(*)::int FROM articles) AS articles,
            (SELECT count(*)::int FROM tags) AS tags, (SELECT count(*)::int FROM stories) AS stories,
            (SELECT count(*)::int FROM gold) AS gold, (SELECT count(*)::int FROM activities) AS activities`,
  );
  const counts = rows[0] ?? {};
  const held = Object.entries(counts).filter(([, n]) => n > 0);
  return held.length === 0 ? null : held.map(([what, n]) => `${what}: ${n}`).join(', ');
}

/** A target that holds a study already: nothing is copied into it. */
export class TargetNotEmptyError extends Error {}

/**
 * Copies `study` into an empty database in one transaction, reads it back inside that transaction
 * and commits only when every count and every tag's checksum match `expected`: a failure at any
 * point leaves the database as it was. Tables are locked meanwhile, so no server saves into the
 * study half-copied (they wait).
 */
export async function importStudy(store: PostgresDatabase, study: Study, expected: StudySummary): Promise<StudySummary> {
  return store.transaction(async (client) => {
    await client.query('LOCK TABLE instance, users, projects, codebooks, articles, annotations, tags, stories, gold, activities, students IN EXCLUSIVE MODE');
    const held = await occupied(client);
    if (held) throw new TargetNotEmptyError(`the database holds a study already (${held}); migrate copies into an empty database only`);
    const { instance, accounts } = study;
    await client.query('UPDATE instance SET session_secret = $1, created_at = $2, setup_token_hash = $3', [instance.sessionSecret, instance.createdAt, accounts.setupTokenHash]);
    for (const [i, user] of accounts.users.entries()) {
      await client.query(
        `INSERT INTO users (${USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        userColumns(user, i),
      );
    }
    for (const project of study.projects) await client.query('INSERT INTO projects (id, doc) VALUES ($1, $2)', [project.id, JSON.stringify(project)]);
    for (const codebook of study.codebooks) {
      await client.query('INSERT INTO codebooks (id, doc) VALUES ($1, $2)', [codebook.id, JSON.stringify({ schemaVersion: 1, ...codebook })]);
    }
    for (const part of chunks(study.articles)) {
      const columns = part.map(articleColumns);
      await client.query(
        `INSERT INTO articles (id, project_id, title, source, url, published_at, text, sentences, created_at, created_by)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::json[], $9::text[], $10::text[])`,
        Array.from({ length: 10 }, (_, c) => columns.map((row) => row[c])),
      );
    }
    for (const part of chunks(study.annotations)) {
      await client.query(
        `INSERT INTO annotations (article_id, annotator_id, reviewed, updated_at, next_position, rejected)
         SELECT a, b, translate(r, '[]', '{}')::int[], u, n, j
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::json[]) AS x(a, b, r, u, n, j)`,
        [
          part.map((a) => a.articleId),
          part.map((a) => a.annotatorId),
          part.map((a) => JSON.stringify(a.reviewed)),
          part.map((a) => a.updatedAt),
          part.map((a) => a.tags.length),
          part.map((a) => (a.rejected ? JSON.stringify(a.rejected) : null)),
        ],
      );
    }
    const tags = study.annotations.flatMap((a) => a.tags.map((tag, position) => ({ tag, position })));
    for (const part of chunks(tags)) await client.query(INSERT_TAGS, tagColumns(part));
    for (const story of study.stories) await client.query('INSERT INTO stories (project_id, id, doc) VALUES ($1, $2, $3)', [story.projectId, story.id, JSON.stringify(story)]);
    for (const gold of study.gold) await client.query('INSERT INTO gold (article_id, doc) VALUES ($1, $2)', [gold.articleId, JSON.stringify(gold)]);
    for (const { activity, students } of study.activities) {
      await client.query('INSERT INTO activities (id, doc) VALUES ($1, $2)', [activity.id, JSON.stringify(activity)]);
      for (const student of students) await client.query('INSERT INTO students (activity_id, id, doc) VALUES ($1, $2, $3)', [activity.id, student.id, JSON.stringify(student)]);
    }
    const copied = summarise(await readStudyWith(client));
    const problems = differences(expected, copied);
    if (problems.length > 0) throw new Error(`the copy does not match the source, nothing was copied: ${problems.join('; ')}`);
    return copied;
  });
}
