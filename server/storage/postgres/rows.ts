// Rows as PostgreSQL returns them, parsed into the app's types (pg hands back `any`), and the
// app's types as the column arrays that multi-row statements take.
import { z } from 'zod';
import type { Annotation, Article, Tag } from '../../core/model.js';
import { parseCodebook } from '../../core/codebook.js';
import { articleFile, parse, projectsFile, usersFile, type Project, type User } from '../schemas.js';

const userRow = z.object({
  id: z.string(),
  name: z.string(),
  role: z.string(),
  password_hash: z.string(),
  created_at: z.string(),
  reset_token_hash: z.string().nullable(),
  reset_token_expires_at: z.string().nullable(),
  admin: z.boolean().nullable(),
  deactivated_at: z.string().nullable(),
  last_sign_in_at: z.string().nullable(),
});

/** The accounts, validated as the JSON folder validates users.json. */
export function parseUsers(rows: unknown[], setupTokenHash: string | null): User[] {
  const users = rows.map((row) => {
    const r = userRow.parse(row);
    const resetToken = r.reset_token_hash !== null && r.reset_token_expires_at !== null ? { hash: r.reset_token_hash, expiresAt: r.reset_token_expires_at } : null;
    return {
      id: r.id, name: r.name, role: r.role, passwordHash: r.password_hash, createdAt: r.created_at, resetToken,
      ...(r.admin === null ? {} : { admin: r.admin }),
      ...(r.deactivated_at === null ? {} : { deactivatedAt: r.deactivated_at }),
      ...(r.last_sign_in_at === null ? {} : { lastSignInAt: r.last_sign_in_at }),
    };
  });
  return usersFile.parse({ schemaVersion: 1, data: { users, setupTokenHash } }).data.users;
}

export function userColumns(user: User, position: number): unknown[] {
  return [
    user.id, position, user.name, user.role, user.passwordHash, user.createdAt, user.resetToken?.hash ?? null, user.resetToken?.expiresAt ?? null,
    user.admin ?? null, user.deactivatedAt ?? null, user.lastSignInAt ?? null,
  ];
}

/** The columns userColumns fills, in its order. */
export const USER_COLUMNS = 'id, position, name, role, password_hash, created_at, reset_token_hash, reset_token_expires_at, admin, deactivated_at, last_sign_in_at';

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

const annotationRow = z.object({
  article_id: z.string(),
  annotator_id: z.string(),
  reviewed: z.array(z.number()),
  updated_at: z.string(),
  tags: z.array(z.unknown()),
  rejected: z.unknown(),
});

/**
 * Each annotation as a whole (tags in the order added), validated as a tag shard is: its tags come
 * built as the app's objects (annotationsQuery), so the shard's quick check passes them as they are.
 */
export function parseAnnotation(row: unknown): Annotation {
  const r = annotationRow.parse(row);
  const annotation = {
    articleId: r.article_id,
    annotatorId: r.annotator_id,
    reviewed: r.reviewed,
    tags: r.tags,
    // Absent, not undefined, where the folder's file has none: exports compare byte for byte.
    ...(r.rejected === null || r.rejected === undefined ? {} : { rejected: r.rejected }),
    updatedAt: r.updated_at,
  };
  return parse.annotation({ schemaVersion: 1, data: annotation }).data;
}

const TAG_FIELDS = `'id', t.id, 'articleId', t.article_id, 'annotatorId', t.annotator_id, 'sentence', t.sentence,
  'start', t.start_offset, 'end', t.end_offset, 'category', t.category, 'voice', t.voice, 'intensity', t.intensity,
  'note', t.note, 'createdAt', t.created_at, 'updatedAt', t.updated_at`;

/** A tag row as the app's Tag, its keys in the order the JSON folder writes them (origin only where there is one). */
const TAG_OBJECT = `CASE WHEN t.origin IS NULL THEN json_build_object(${TAG_FIELDS}) ELSE json_build_object(${TAG_FIELDS}, 'origin', t.origin) END`;

/** The tags of annotation `a` as the app's Tag objects, in the order added ('[]' for none). */
const TAGS_OF = `coalesce((SELECT json_agg(${TAG_OBJECT} ORDER BY t.position)
                FROM tags t WHERE t.article_id = a.article_id AND t.annotator_id = a.annotator_id), '[]'::json)`;

/** Annotation `a` as one JSON object, with the keys annotationsQuery's columns have (parseAnnotation reads it the same). */
export const ANNOTATION_OBJECT = `json_build_object('article_id', a.article_id, 'annotator_id', a.annotator_id, 'reviewed', a.reviewed,
  'rejected', a.rejected, 'updated_at', a.updated_at, 'version', a.version, 'next_position', a.next_position, 'tags', ${TAGS_OF})`;

/**
 * Every annotation of the articles a WHERE clause on `a` picks, each with its tags, in one statement
 * (one snapshot).
 */
export function annotationsQuery(where: string, order = 'a.article_id COLLATE "C", a.annotator_id COLLATE "C"'): string {
  return `SELECT a.article_id, a.annotator_id, a.reviewed, a.rejected, a.updated_at, a.version, a.next_position, ${TAGS_OF} AS tags
    FROM annotations a WHERE ${where}
    ORDER BY ${order}`;
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
    tags.map((t) => (t.tag.origin ? JSON.stringify(t.tag.origin) : null)),
  ];
}

/** The tag columns' unnest(), their parameters numbered from $`first` (tagColumns' order). */
export function tagUnnest(first: number): string {
  const types = ['text', 'text', 'text', 'int', 'int', 'int', 'int', 'text', 'text', 'smallint', 'text', 'text', 'text', 'json'];
  return `unnest(${types.map((type, i) => `$${first + i}::${type}[]`).join(', ')})`;
}

export const TAG_INSERT = 'INSERT INTO tags (article_id, annotator_id, id, position, sentence, start_offset, end_offset, category, voice, intensity, note, created_at, updated_at, origin)';
export const TAG_UPSERT = `ON CONFLICT (article_id, annotator_id, id) DO UPDATE SET
    sentence = excluded.sentence, start_offset = excluded.start_offset, end_offset = excluded.end_offset,
    category = excluded.category, voice = excluded.voice, intensity = excluded.intensity, note = excluded.note,
    created_at = excluded.created_at, updated_at = excluded.updated_at, origin = excluded.origin`;

/** Inserts many tags in one statement; a tag already stored is replaced in place (its position kept). */
export const INSERT_TAGS = `${TAG_INSERT} SELECT * FROM ${tagUnnest(1)} ${TAG_UPSERT}`;
