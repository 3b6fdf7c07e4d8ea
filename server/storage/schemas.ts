// Shapes of the JSON files under DATA_DIR. Every file is parsed from `unknown`
// through one of these before the app sees it.
import { z } from 'zod';
import type { Annotation, Article, Tag } from '../core/model.js';

export const ID = /^[A-Za-z0-9_-]{1,64}$/;
const id = z.string().regex(ID);
const isoTime = z.string().max(40);

const range = z.strictObject({ start: z.number().int().min(0), end: z.number().int().min(0) });
const sentence = z.number().int().min(0);

const article = z.strictObject({
  id,
  projectId: id,
  title: z.string().max(300),
  source: z.string().max(200),
  url: z.string().max(2000),
  publishedAt: z.string().max(10),
  text: z.string(),
  sentences: z.array(range),
  createdAt: isoTime,
  createdBy: id,
}) satisfies z.ZodType<Article>;

const tag = z.strictObject({
  id,
  articleId: id,
  annotatorId: id,
  sentence: z.number().int().min(0),
  start: z.number().int().min(0),
  end: z.number().int().min(0),
  category: z.string().max(64),
  voice: z.enum(['author', 'quoted', 'paraphrase']),
  intensity: z.union([z.literal(1), z.literal(2), z.literal(3), z.null()]),
  note: z.string().max(2000),
  createdAt: isoTime,
  updatedAt: isoTime,
}) satisfies z.ZodType<Tag>;

const annotation = z.strictObject({
  articleId: id,
  annotatorId: id,
  reviewed: z.array(sentence),
  tags: z.array(tag),
  updatedAt: isoTime,
}) satisfies z.ZodType<Annotation>;

/**
 * One save to a tag shard as the journal records it (journalled-file.ts, annotation-changes.ts):
 * the tags added or edited (whole), the ids of those removed, the sentences marked or unmarked
 * reviewed, and the annotation's new updatedAt.
 */
export const annotationChange = z.strictObject({
  put: z.array(tag).optional(),
  del: z.array(id).optional(),
  mark: z.array(sentence).optional(),
  unmark: z.array(sentence).optional(),
  at: isoTime,
});
export type AnnotationChange = z.infer<typeof annotationChange>;

/** Wraps a payload schema in the versioned envelope every file carries. */
function versioned<S extends z.ZodType>(payload: S) {
  return z.strictObject({ schemaVersion: z.literal(1), data: payload });
}

export const articleFile = versioned(article);
export type ArticleFile = z.infer<typeof articleFile>;

export const annotationFile = versioned(annotation);
export type AnnotationFile = z.infer<typeof annotationFile>;

export const ROLES = ['researcher', 'annotator', 'teacher'] as const;
export type Role = (typeof ROLES)[number];

const user = z.strictObject({
  id,
  name: z.string().min(1).max(40),
  /** The account's role: what it may create (projects for researchers, activities for teachers). */
  role: z.enum(ROLES),
  passwordHash: z.string().max(200),
  createdAt: isoTime,
  /** sha256 of a one-time sign-in link token, with its expiry (set-up and password reset). */
  resetToken: z.strictObject({ hash: z.string().max(100), expiresAt: isoTime }).nullable(),
});
export type User = z.infer<typeof user>;

export const usersFile = versioned(
  z.strictObject({
    users: z.array(user),
    /** sha256 of the one-time set-up token printed at first start, until the first account exists. */
    setupTokenHash: z.string().max(100).nullable(),
  }),
);
export type UsersFile = z.infer<typeof usersFile>;

const member = z.strictObject({ userId: id, role: z.enum(ROLES) });
export type Member = z.infer<typeof member>;

const project = z.strictObject({
  id,
  name: z.string().min(1).max(120),
  description: z.string().max(2000),
  codebookId: z.string().max(64),
  members: z.array(member),
  /** `all`: every annotator annotates every article; otherwise `perArticle` annotators each. */
  assignment: z.strictObject({
    mode: z.enum(['all', 'balanced']),
    perArticle: z.number().int().min(1).max(100),
    /** articleId → annotator ids, for the balanced mode. */
    assigned: z.record(z.string(), z.array(id)),
  }),
  /** Blind by default: annotators see only their own tags until a researcher opens the project. */
  open: z.boolean(),
  createdAt: isoTime,
  createdBy: id,
});
export type Project = z.infer<typeof project>;

export const projectsFile = versioned(z.strictObject({ projects: z.array(project) }));
export type ProjectsFile = z.infer<typeof projectsFile>;

/** What a browser session carries: the cookie settings, the signed-in user or student, the CSRF token. */
const sessionData = z.object({
  cookie: z.object({
    originalMaxAge: z.number().nullable(),
    expires: z.coerce.date().nullable().optional(),
    httpOnly: z.boolean().optional(),
    path: z.string().optional(),
    secure: z.union([z.boolean(), z.literal('auto')]).optional(),
    sameSite: z.union([z.boolean(), z.enum(['lax', 'strict', 'none'])]).optional(),
  }),
  userId: id.optional(),
  /** A classroom student: the activity joined and the student's id in it (no account). */
  student: z.strictObject({ activityId: id, studentId: id }).optional(),
  csrfToken: z.string().max(200).optional(),
  /** The client address the session started from (sessions per address are capped). */
  address: z.string().max(100).optional(),
});
export type StoredSessionData = z.infer<typeof sessionData>;

export const sessionRecord = z.strictObject({
  /** Epoch milliseconds after which the session is dead (idle expiry). */
  expires: z.number(),
  data: sessionData,
});
export const sessionsFile = versioned(z.strictObject({ sessions: z.record(z.string(), sessionRecord) }));
export type SessionsFile = z.infer<typeof sessionsFile>;

export const instanceFile = versioned(
  z.strictObject({ sessionSecret: z.string().min(32).max(200), createdAt: isoTime }),
);
export type InstanceFile = z.infer<typeof instanceFile>;

/** Parsers for `openShard`: they throw on anything that is not a valid file. */
export const parse = {
  article: (d: unknown) => articleFile.parse(d),
  annotation: (d: unknown) => annotationFile.parse(d),
  users: (d: unknown) => usersFile.parse(d),
  projects: (d: unknown) => projectsFile.parse(d),
  sessions: (d: unknown) => sessionsFile.parse(d),
  instance: (d: unknown) => instanceFile.parse(d),
};
