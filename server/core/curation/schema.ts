// The gold file's shape, parsed from `unknown` (a file read from disk, an imported line) into a
// typed Gold. The envelope is the one every data file carries: { schemaVersion: 1, data }.
import { z } from 'zod';
import { GOLD_ACTIONS, GOLD_SCHEMA_VERSION, GOLD_STATUSES, type Gold } from './gold.js';

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const id = z.string().regex(ID);
const isoTime = z.string().max(40);
const offset = z.number().int().min(0);
const category = z.string().min(1).max(64);
const voice = z.enum(['author', 'quoted', 'paraphrase']);
const intensity = z.union([z.literal(1), z.literal(2), z.literal(3), z.null()]);
const range = z.strictObject({ start: offset, end: offset });
const status = z.enum(GOLD_STATUSES);
const key = { sentence: offset, start: offset, end: offset, category };

const source = z.strictObject({ annotatorId: id, tagId: id, start: offset, end: offset, category, voice, intensity });
const origin = z.strictObject({ ...key, variants: z.array(range) });
const contest = z.strictObject({
  categories: z.array(category).min(2),
  reason: z.string().min(1).max(500),
  previous: z.enum(['auto', 'accepted', 'edited', 'added']),
});

export const goldSpanSchema = z.strictObject({
  id,
  ...key,
  voice,
  intensity,
  note: z.string().max(2000),
  status,
  fromMerge: z.boolean(),
  origin: origin.nullable(),
  reviewers: z.array(id),
  sources: z.array(source),
  decidedBy: id.nullable(),
  decidedAt: isoTime.nullable(),
  contest: contest.nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
});

export const rejectionSchema = z.strictObject({ ...key, variants: z.array(range), by: id, at: isoTime });
export const curationSchema = z.strictObject({ sentence: offset, by: id, at: isoTime });

const spanSnapshot = z.strictObject({
  ...key,
  voice,
  intensity,
  note: z.string().max(2000),
  status,
  contest: contest.nullable(),
});

export const goldEventSchema = z.strictObject({
  at: isoTime,
  by: id,
  action: z.enum(GOLD_ACTIONS),
  span: id.nullable(),
  sentence: offset.nullable(),
  before: spanSnapshot.nullable(),
  after: spanSnapshot.nullable(),
  candidate: z.strictObject(key).nullable(),
  reason: z.string().max(500),
});

export const goldSchema = z
  .strictObject({
    articleId: id,
    spans: z.array(goldSpanSchema),
    rejections: z.array(rejectionSchema),
    curated: z.array(curationSchema),
    finished: z.strictObject({ by: id, at: isoTime }).nullable(),
    history: z.array(goldEventSchema),
    updatedAt: isoTime,
  })
  .superRefine((gold, ctx) => {
    const seen = new Set<string>();
    gold.spans.forEach((s, i) => {
      if (!(s.start < s.end)) ctx.addIssue({ code: 'custom', path: ['spans', i], message: 'a span needs start < end' });
      if ((s.status === 'contested') !== (s.contest !== null)) {
        ctx.addIssue({ code: 'custom', path: ['spans', i], message: 'a span has a contest exactly when it is contested' });
      }
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: ['spans', i, 'id'], message: 'span ids are unique' });
      seen.add(s.id);
    });
  }) satisfies z.ZodType<Gold>;

/** The file `gold/<articleId>.json`. */
export const goldFile = z.strictObject({ schemaVersion: z.literal(GOLD_SCHEMA_VERSION), data: goldSchema });
export type GoldFile = z.infer<typeof goldFile>;

/** Parses a gold file's content; throws a ZodError naming what is wrong. */
export function parseGoldFile(value: unknown): Gold {
  return goldFile.parse(value).data;
}

export function goldFileOf(gold: Gold): GoldFile {
  return { schemaVersion: GOLD_SCHEMA_VERSION, data: gold };
}
