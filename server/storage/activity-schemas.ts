// Shapes of the classroom files under DATA_DIR/activities/. Every file is parsed from
// `unknown` through one of these before the app sees it (see schemas.ts for the rest).
import { z } from 'zod';
import { VOICES } from '../core/model.js';
import { ID, annotationFile, versioned } from './schemas.js';

const id = z.string().regex(ID);
const isoTime = z.string().max(40);
const range = z.strictObject({ start: z.number().int().min(0), end: z.number().int().min(0) });

export const ACTIVITY_STATUSES = ['open', 'revealed', 'ended'] as const;
export type ActivityStatus = (typeof ACTIVITY_STATUSES)[number];

export const LIMITS = {
  title: 120,
  articleTitle: 300,
  source: 200,
  /** Characters of article text (a form post is at most 100 kB anyway). */
  text: 200_000,
  rationale: 1000,
  referenceTags: 500,
  nickname: 24,
  /** Students per activity: a class, with room for a double class and a few rejoins. */
  students: 200,
  /** Tags per student (on each version of a comparison lesson). */
  tags: 500,
  /** Versions of one event in a "compare outlets" lesson: the article and one or two more. */
  versions: 3,
  /** Aligned groups of a comparison lesson (room for every sentence of three long articles alone). */
  groups: 30_000,
} as const;

const referenceTag = z.strictObject({
  id,
  /** 0-based index into the article copy's sentences. */
  sentence: z.number().int().min(0),
  start: z.number().int().min(0),
  end: z.number().int().min(0),
  category: z.string().max(64),
  voice: z.enum(VOICES),
  /** Why an expert tags it: one or two sentences shown to students after the reveal. */
  rationale: z.string().max(LIMITS.rationale),
});
export type ReferenceTag = z.infer<typeof referenceTag>;

/** The text a student tags: a copy, so the lesson stays as it was if the original changes. */
const lessonText = z.strictObject({
  title: z.string().max(LIMITS.articleTitle),
  source: z.string().max(LIMITS.source),
  text: z.string().max(LIMITS.text),
  sentences: z.array(range),
});

/**
 * A "compare outlets" lesson: the same event as told by other outlets (versions 2 and 3; version 1
 * is the activity's `article` with its `reference`, where one-article lessons keep theirs), and
 * which sentences of the versions tell the same thing, copied from the story's alignment.
 */
const comparison = z.strictObject({
  /** The story the versions come from (its title when the lesson was made). */
  story: z.string().max(300),
  versions: z.array(z.strictObject({ article: lessonText, reference: z.array(referenceTag).max(LIMITS.referenceTags) })).min(1).max(LIMITS.versions - 1),
  /** Per aligned group, per version (1 first), the version's sentences in the group (none: absent). */
  groups: z.array(z.array(z.array(z.number().int().min(0)).max(LIMITS.groups)).min(2).max(LIMITS.versions)).max(LIMITS.groups),
});
export type Comparison = z.infer<typeof comparison>;

const activity = z.strictObject({
  id,
  /** The signed-in user (teacher or researcher) who runs it; only they see it. */
  teacherId: id,
  title: z.string().min(1).max(LIMITS.title),
  /** A copy of the article (version 1 of a comparison lesson). */
  article: lessonText,
  codebookId: z.string().max(64),
  /** Six characters from the join-code alphabet; stops working when the activity ends. */
  code: z.string().regex(/^[A-HJ-NP-Z2-9]{6}$/),
  status: z.enum(ACTIVITY_STATUSES),
  reference: z.array(referenceTag).max(LIMITS.referenceTags),
  createdAt: isoTime,
  revealedAt: isoTime.nullable(),
  endedAt: isoTime.nullable(),
  /** null for a one-article lesson; files written before comparison lessons have no field and read as one. */
  comparison: comparison.nullable().default(null),
});
export type Activity = z.infer<typeof activity>;

/** A student: no account, just a nickname, and their tags as an Annotation of the activity's article. */
const student = z.strictObject({
  id,
  nickname: z.string().min(1).max(LIMITS.nickname),
  joinedAt: isoTime,
  /** articleId = the activity's id, annotatorId = the student's id. */
  annotation: annotationFile.shape.data,
  /** A comparison lesson's versions 2 and 3 (same ids as `annotation`); absent in older files. */
  versions: z.array(annotationFile.shape.data).max(LIMITS.versions - 1).default([]),
});
export type Student = z.infer<typeof student>;

export const activityFile = versioned(activity);
export type ActivityFile = z.infer<typeof activityFile>;

export const studentFile = versioned(student);
export type StudentFile = z.infer<typeof studentFile>;

export const parseActivityFile = {
  activity: (d: unknown) => activityFile.parse(d),
  student: (d: unknown) => studentFile.parse(d),
};
