// Shapes of the JSON files under DATA_DIR. Every file is parsed from `unknown`
// through one of these before the app sees it.
import { z } from 'zod';
import type { Annotation, Article, Rejection, Tag, TagOrigin } from '../core/model.js';
import { SUGGESTERS } from '../core/suggest/types.js';
import { SUGGESTION_MODES, type SuggestionSettings } from '../core/suggest/design.js';

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

/** Stored since suggestions: a tag without it is a manual one from before. */
const origin = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('manual') }),
  z.strictObject({ kind: z.literal('suggestion'), suggester: z.enum(SUGGESTERS), score: z.number().min(0).max(1), adjusted: z.boolean() }),
]) satisfies z.ZodType<TagOrigin>;

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
  origin: origin.optional(),
}) satisfies z.ZodType<Tag>;

const rejection = z.strictObject({
  sentence: z.number().int().min(0),
  start: z.number().int().min(0),
  end: z.number().int().min(0),
  category: z.string().max(64),
  suggester: z.enum(SUGGESTERS),
  score: z.number().min(0).max(1),
  at: isoTime,
}) satisfies z.ZodType<Rejection>;

const annotation = z.strictObject({
  articleId: id,
  annotatorId: id,
  reviewed: z.array(sentence),
  tags: z.array(tag),
  rejected: z.array(rejection).optional(),
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
export function versioned<S extends z.ZodType>(payload: S) {
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
  /** May manage every account (the Accounts page): the first researcher, and whom an administrator names. */
  admin: z.boolean().optional(),
  /** Set while the account is deactivated: it cannot sign in, and its sessions were ended. */
  deactivatedAt: isoTime.optional(),
  /** The last successful sign-in (password, set-up or one-time link). */
  lastSignInAt: isoTime.optional(),
});
export type User = z.infer<typeof user>;

export const usersFile = versioned(
  z.strictObject({
    users: z.array(user),
    /** sha256 of the one-time set-up token printed at start, until the first administrator exists. */
    setupTokenHash: z.string().max(100).nullable(),
  }),
);
export type UsersFile = z.infer<typeof usersFile>;
/** Every account, and the one-time set-up token's hash while no account exists. */
export type Accounts = UsersFile['data'];

const suggestionSettings = z.strictObject({
  mode: z.enum(SUGGESTION_MODES),
  /** Split design: only the annotators in the `shown` group see suggestions. */
  split: z.boolean(),
  /** userId → group, assigned once per annotator (core/suggest/design.ts). */
  groups: z.record(z.string(), z.enum(['shown', 'hidden'])),
  /** When suggestions were last switched on: sentences tagged before are not offered any. */
  since: isoTime,
}) satisfies z.ZodType<SuggestionSettings>;

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
  /** Curation settings (core/curation/settings.ts); absent until a researcher changes them. */
  curation: z
    .strictObject({
      agree: z.union([z.literal('majority'), z.number().int().min(1).max(100)]),
      overlap: z.number().gt(0).max(1).nullable(),
      anonymise: z.boolean(),
      curators: z.array(id).max(100),
    })
    .optional(),
  /** Framing suggestions in the sentence editor; absent (as before they existed) means off. */
  suggestions: suggestionSettings.optional(),
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
  /** A message for the next page (web/flash.ts): "Settings saved." */
  flash: z.string().max(300).optional(),
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
/** The secret signing sessions and deriving pseudonyms, made once per instance. */
export type Instance = InstanceFile['data'];

// A start reads every article and tag shard (a 200,000-tag study: 1,000 articles, ~20,000 tag
// shards) and replays up to 32 MiB of journal records (~90,000 changes): run through zod, each
// tag (and each sentence range of an article) cost a schema walk and a copy, a quarter of the
// start's CPU and much of its garbage. Well-formed content (all the server itself writes) passes
// the checks below, which hold it to the same rules as the schemas above and return the value as
// it is; anything else goes through zod, which decides and words the error. The checks only ever
// accept what zod accepts unchanged (test/storage/schemas-fast-path.test.ts).
const TAG_KEYS = 12;
const CHANGE_KEYS = new Set(['put', 'del', 'mark', 'unmark', 'at']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

function isId(value: unknown): boolean {
  return typeof value === 'string' && ID.test(value);
}

function isText(value: unknown, max: number): boolean {
  return typeof value === 'string' && value.length <= max;
}

function isCount(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

const SUGGESTER_NAMES: ReadonlySet<unknown> = new Set(SUGGESTERS);

/** A tag's origin as `origin` accepts it (every tag the app makes has one). */
function isOrigin(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value).length;
  if (value.kind === 'manual') return keys === 1;
  const { score } = value;
  return (
    value.kind === 'suggestion' &&
    keys === 4 &&
    SUGGESTER_NAMES.has(value.suggester) &&
    typeof score === 'number' &&
    score >= 0 &&
    score <= 1 &&
    typeof value.adjusted === 'boolean'
  );
}

function isTag(value: unknown): boolean {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value).length;
  if (!(keys === TAG_KEYS || (keys === TAG_KEYS + 1 && isOrigin(value.origin)))) return false;
  const { voice, intensity } = value;
  return (
    isId(value.id) &&
    isId(value.articleId) &&
    isId(value.annotatorId) &&
    isCount(value.sentence) &&
    isCount(value.start) &&
    isCount(value.end) &&
    isText(value.category, 64) &&
    (voice === 'author' || voice === 'quoted' || voice === 'paraphrase') &&
    (intensity === null || intensity === 1 || intensity === 2 || intensity === 3) &&
    isText(value.note, 2000) &&
    isText(value.createdAt, 40) &&
    isText(value.updatedAt, 40)
  );
}

/** An array whose every item passes `check` (by index: a hole, which zod refuses, fails too). */
function everyOf(value: unknown, check: (item: unknown) => boolean): boolean {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (!check(value[i])) return false;
  return true;
}

/** A rejected suggestion as `rejection` accepts it. */
function isRejection(value: unknown): boolean {
  if (!isRecord(value) || Object.keys(value).length !== 7) return false;
  const { score } = value;
  return (
    isCount(value.sentence) &&
    isCount(value.start) &&
    isCount(value.end) &&
    isText(value.category, 64) &&
    SUGGESTER_NAMES.has(value.suggester) &&
    typeof score === 'number' &&
    score >= 0 &&
    score <= 1 &&
    isText(value.at, 40)
  );
}

function isAnnotationFile(value: unknown): value is AnnotationFile {
  if (!isRecord(value) || Object.keys(value).length !== 2 || value.schemaVersion !== 1) return false;
  const data = value.data;
  if (!isRecord(data)) return false;
  // The rejected suggestions, where there are any (a save to such an annotation is checked too).
  const keys = Object.keys(data).length;
  return (
    (keys === 5 || (keys === 6 && everyOf(data.rejected, isRejection))) &&
    isId(data.articleId) &&
    isId(data.annotatorId) &&
    everyOf(data.reviewed, isCount) &&
    everyOf(data.tags, isTag) &&
    isText(data.updatedAt, 40)
  );
}

function isAnnotationChange(value: unknown): value is AnnotationChange {
  if (!isRecord(value) || !isText(value.at, 40)) return false;
  for (const key of Object.keys(value)) if (!CHANGE_KEYS.has(key)) return false;
  return (
    (value.put === undefined || everyOf(value.put, isTag)) &&
    (value.del === undefined || everyOf(value.del, isId)) &&
    (value.mark === undefined || everyOf(value.mark, isCount)) &&
    (value.unmark === undefined || everyOf(value.unmark, isCount))
  );
}

function isRange(value: unknown): boolean {
  return isRecord(value) && Object.keys(value).length === 2 && isCount(value.start) && isCount(value.end);
}

const ARTICLE_KEYS = 10;

/** An article file as `articleFile` accepts it (a start reads one per article, ~30 sentences each). */
function isArticleFile(value: unknown): value is ArticleFile {
  if (!isRecord(value) || Object.keys(value).length !== 2 || value.schemaVersion !== 1) return false;
  const data = value.data;
  return (
    isRecord(data) &&
    Object.keys(data).length === ARTICLE_KEYS &&
    isId(data.id) &&
    isId(data.projectId) &&
    isText(data.title, 300) &&
    isText(data.source, 200) &&
    isText(data.url, 2000) &&
    isText(data.publishedAt, 10) &&
    typeof data.text === 'string' &&
    everyOf(data.sentences, isRange) &&
    isText(data.createdAt, 40) &&
    isId(data.createdBy)
  );
}

/**
 * Makes the tags of a well-formed tag shard share one copy of the strings that repeat (their
 * article's and annotator's ids, an updatedAt equal to createdAt) instead of each holding its own
 * from JSON.parse. The values stay equal; what changes is how many strings a start keeps alive:
 * three fewer per tag, which the garbage collector would otherwise copy (twice) while a start
 * loads 200,000 tags.
 */
export function shareTagStrings(tags: Tag[], articleId: string, annotatorId: string): void {
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i] as Tag;
    if (tag.articleId === articleId) tag.articleId = articleId;
    if (tag.annotatorId === annotatorId) tag.annotatorId = annotatorId;
    if (tag.updatedAt === tag.createdAt) tag.updatedAt = tag.createdAt;
  }
}

function sharedAnnotationFile(file: AnnotationFile): AnnotationFile {
  shareTagStrings(file.data.tags, file.data.articleId, file.data.annotatorId);
  return file;
}

/** Parsers for `openShard`: they throw on anything that is not a valid file. */
export const parse = {
  article: (d: unknown): ArticleFile => (isArticleFile(d) ? d : articleFile.parse(d)),
  annotation: (d: unknown): AnnotationFile => (isAnnotationFile(d) ? sharedAnnotationFile(d) : annotationFile.parse(d)),
  /** One recorded change to a tag shard (annotation-changes.ts). */
  annotationChange: (d: unknown): AnnotationChange => (isAnnotationChange(d) ? d : annotationChange.parse(d)),
  users: (d: unknown) => usersFile.parse(d),
  projects: (d: unknown) => projectsFile.parse(d),
  sessions: (d: unknown) => sessionsFile.parse(d),
  instance: (d: unknown) => instanceFile.parse(d),
};
