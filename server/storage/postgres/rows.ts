// Rows as PostgreSQL returns them, parsed into the app's types (pg hands back `any`), and the
// app's types as the column arrays that multi-row statements take.
import { z } from 'zod';
import type { Annotation, Article, Tag } from '../../core/model.js';
import { parseCodebook } from '../../core/codebook.js';
import { articleFile, annotationFile, projectsFile, usersFile, type Project, type User } from '../schemas.js';

const userRow = z.object({
  id: z.string(),
  name: z.string(),
  role: z.string(),
  password_hash: z.string(),
  created_at: z.string(),
  reset_token_hash: z.string().nullable(),
  reset_token_expires_at: z.string().nullable(),
});

/** The accounts, validated as the JSON folder validates users.json. */
export function parseUsers(rows: unknown[], setupTokenHash: string | null): User[] {
  const users = rows.map((row) => {
    const r = userRow.parse(row);
    const resetToken = r.reset_token_hash !== null && r.reset_token_expires_at !== null ? { hash: r.reset_token_hash, expiresAt: r.reset_token_expires_at } : null;
    return { id: r.id, name: r.name, role: r.role, passwordHash: r.password_hash, createdAt: r.created_at, resetToken };
  });
  return usersFile.parse({ schemaVersion: 1, data: { users, setupTokenHash } }).data.users;
}

export function userColumns(user: User, position: number): unknown[] {
  return [user.id, position, user.name, user.role, user.passwordHash, user.createdAt, user.resetToken?.hash ?? null, user.resetToken?.expiresAt ?? null];
}

export function parseProjects(docs: unknown[]): Project[] {
  return projectsFile.parse({ schemaVersion: 1, data: { projects: docs } }).data.projects;
}

export const parseCodebookDoc = parseCodebook;

const articleRow = z.object({
  id: z.string(),
  project_id: z.string(),
  title: z.string(),
  source: z.string(),
  url: z.string(),
  published_at: z.string(),
  text: z.string(),
  sentences: z.unknown(),
  created_at: z.string(),
  created_by: z.string(),
});

export function parseArticle(row: unknown): Article {
  const r = articleRow.parse(row);
  const article = {
    id: r.id,
    projectId: r.project_id,
    title: r.title,
    source: r.source,
    url: r.url,
    publishedAt: r.published_at,
    text: r.text,
    sentences: r.sentences,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
  return articleFile.parse({ schemaVersion: 1, data: article }).data;
}

export function articleColumns(a: Article): unknown[] {
  return [a.id, a.projectId, a.title, a.source, a.url, a.publishedAt, a.text, JSON.stringify(a.sentences), a.createdAt, a.createdBy];
}

/**
 * The tags of one annotation as `json_agg` builds them in annotationsQuery: one array per tag,
 * [id, sentence, start, end, category, voice, intensity, note, createdAt, updatedAt].
 */
const tagTuple = z.tuple([z.string(), z.number(), z.number(), z.number(), z.string(), z.string(), z.number().nullable(), z.string(), z.string(), z.string()]);

const annotationRow = z.object({
  article_id: z.string(),
  annotator_id: z.string(),
  reviewed: z.array(z.number()),
  updated_at: z.string(),
  tags: z.array(tagTuple),
});

/** Each annotation as a whole (tags in the order added), validated as a tag shard is. */
export function parseAnnotation(row: unknown): Annotation {
  const r = annotationRow.parse(row);
  const tags = r.tags.map(([id, sentence, start, end, category, voice, intensity, note, createdAt, updatedAt]) => ({
    id,
    articleId: r.article_id,
    annotatorId: r.annotator_id,
    sentence,
    start,
    end,
    category,
    voice,
    intensity,
    note,
    createdAt,
    updatedAt,
  }));
  const annotation = { articleId: r.article_id, annotatorId: r.annotator_id, reviewed: r.reviewed, tags, updatedAt: r.updated_at };
  return annotationFile.parse({ schemaVersion: 1, data: annotation }).data;
}

/** Every annotation of the articles a WHERE clause on `a` picks, each with its tags, in one statement (one snapshot). */
export function annotationsQuery(where: string): string {
  return `SELECT a.article_id, a.annotator_id, a.reviewed, a.updated_at, a.version::int AS version, a.next_position,
      coalesce((SELECT json_agg(json_build_array(t.id, t.sentence, t.start_offset, t.end_offset, t.category, t.voice,
                  t.intensity, t.note, t.created_at, t.updated_at) ORDER BY t.position)
                FROM tags t WHERE t.article_id = a.article_id AND t.annotator_id = a.annotator_id), '[]'::json) AS tags
    FROM annotations a WHERE ${where}
    ORDER BY a.article_id COLLATE "C", a.annotator_id COLLATE "C"`;
}

/** Tags as the column arrays of `INSERT_TAGS`, with their positions. */
export function tagColumns(tags: { tag: Tag; position: number }[]): unknown[] {
  return [
    tags.map((t) => t.tag.articleId),
    tags.map((t) => t.tag.annotatorId),
    tags.map((t) => t.tag.id),
    tags.map((t) => t.position),
    tags.map((t) => t.tag.sentence),
    tags.map((t) => t.tag.start),
    tags.map((t) => t.tag.end),
    tags.map((t) => t.tag.category),
    tags.map((t) => t.tag.voice),
    tags.map((t) => t.tag.intensity),
    tags.map((t) => t.tag.note),
    tags.map((t) => t.tag.createdAt),
    tags.map((t) => t.tag.updatedAt),
  ];
}

/** The tag columns' unnest(), their parameters numbered from $`first` (tagColumns' order). */
function tagUnnest(first: number): string {
  const types = ['text', 'text', 'text', 'int', 'int', 'int', 'int', 'text', 'text', 'smallint', 'text', 'text', 'text'];
  return `unnest(${types.map((type, i) => `$${first + i}::${type}[]`).join(', ')})`;
}

const TAG_INSERT = 'INSERT INTO tags (article_id, annotator_id, id, position, sentence, start_offset, end_offset, category, voice, intensity, note, created_at, updated_at)';
const TAG_UPSERT = `ON CONFLICT (article_id, annotator_id, id) DO UPDATE SET
    sentence = excluded.sentence, start_offset = excluded.start_offset, end_offset = excluded.end_offset,
    category = excluded.category, voice = excluded.voice, intensity = excluded.intensity, note = excluded.note,
    created_at = excluded.created_at, updated_at = excluded.updated_at`;

/**
 * One save as one statement (one implicit transaction, one round trip), applied only if the
 * annotation's row is still at version $6: the reviewed sentences and updatedAt ($3, $4), the
 * next tag position ($5), the tags deleted ($7) and put ($8…, tagColumns). `written` is 0 when
 * another save came first, and then nothing is changed.
 */
export const SAVE_IF_UNCHANGED = `WITH saved AS (
    UPDATE annotations SET reviewed = $3, updated_at = $4, next_position = $5, version = version + 1
    WHERE article_id = $1 AND annotator_id = $2 AND version = $6 RETURNING 1
  ), removed AS (
    DELETE FROM tags WHERE article_id = $1 AND annotator_id = $2 AND id = ANY($7::text[]) AND EXISTS (SELECT 1 FROM saved)
  ), put AS (
    ${TAG_INSERT} SELECT * FROM ${tagUnnest(8)} WHERE EXISTS (SELECT 1 FROM saved)
    ${TAG_UPSERT}
  )
  SELECT count(*)::int AS written FROM saved`;

/** The same for an annotator's first save on an article (tags from $6): `written` 0 when another first save came first. */
export const SAVE_FIRST = `WITH saved AS (
    INSERT INTO annotations (article_id, annotator_id, reviewed, updated_at, next_position)
    VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING 1
  ), put AS (
    ${TAG_INSERT} SELECT * FROM ${tagUnnest(6)} WHERE EXISTS (SELECT 1 FROM saved)
  )
  SELECT count(*)::int AS written FROM saved`;

/** Inserts many tags in one statement; a tag already stored is replaced in place (its position kept). */
export const INSERT_TAGS = `${TAG_INSERT} SELECT * FROM ${tagUnnest(1)} ${TAG_UPSERT}`;
