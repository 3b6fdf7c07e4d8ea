// Codebooks: the category lists annotators tag with. A codebook arrives as
// untrusted JSON (shipped files under server/codebooks/, or a researcher's
// upload), so it is parsed here into model.ts's `Codebook`, with errors that
// say in plain words what to fix. Pure: no file or network access.
import { z } from 'zod';
import type { Category, Codebook } from './model.js';
import { RULE_IDS, isRuleId } from './suggest/rule-ids.js';

export const CODEBOOK_SCHEMA_VERSION = 1;

/** Ids of codebooks, groups and categories. */
export const CODEBOOK_ID = /^[a-z0-9-]{1,40}$/;
/** Keys the sentence view keeps for itself (j/k move between sentences). */
export const RESERVED_KEYS: readonly string[] = ['j', 'k'];

export const LIMITS = {
  name: 80,
  description: 1000,
  definition: 1000,
  span: 300,
  example: 300,
  /** Letters and digits minus the reserved keys: no codebook can use more keys than this. */
  categories: 34,
  /** Cue words or phrases per category, and the length of each. */
  cues: 200,
  cue: 60,
} as const;

// Each message is the end of a sentence that starts with the field's name
// (and, where useful, its value): `key "j" is reserved for navigation`.
const id = z.string().regex(CODEBOOK_ID, 'must be 1–40 lower-case letters, digits or hyphens');
const text = (max: number, required: boolean) =>
  z
    .string()
    .trim()
    .min(required ? 1 : 0, 'is empty')
    .max(max);

const category = z.strictObject({
  id,
  name: text(LIMITS.name, true),
  definition: text(LIMITS.definition, true),
  span: text(LIMITS.span, false),
  example: text(LIMITS.example, false),
  colour: z
    .string()
    .regex(/^#[0-9a-f]{6}$/i, 'must be a colour written as # and six hex digits, like #a1b2c3')
    .toLowerCase(),
  key: z
    .string()
    .regex(/^[a-z0-9]$/, 'must be a single lower-case letter or digit')
    .refine((key) => !RESERVED_KEYS.includes(key), 'is reserved for navigation'),
  // Both optional, so codebooks written before suggestions existed stay valid as they are.
  cues: z.array(text(LIMITS.cue, true).refine((cue) => /[\p{L}\p{N}]/u.test(cue), 'has no letter or digit')).max(LIMITS.cues).optional(),
  suggest: z
    .array(z.string().refine(isRuleId, `is not a suggestion rule (the rules are ${RULE_IDS.join(', ')})`))
    .max(RULE_IDS.length)
    .refine((ids) => new Set(ids).size === ids.length, 'lists a rule twice')
    .optional(),
}) satisfies z.ZodType<Category>;

const group = z.strictObject({
  id,
  name: text(LIMITS.name, true),
  categories: z.array(category).min(1).max(LIMITS.categories),
});

/** The JSON shape of a codebook file (schemaVersion included). */
export const codebookFileSchema = z
  .strictObject({
    schemaVersion: z.literal(CODEBOOK_SCHEMA_VERSION),
    id,
    name: text(LIMITS.name, true),
    description: text(LIMITS.description, false),
    groups: z.array(group).min(1).max(LIMITS.categories),
  })
  .superRefine((book, ctx) => {
    const groupIds = new Map<string, number>();
    const categoryIds = new Map<string, string>();
    const keys = new Map<string, string>();
    let total = 0;
    book.groups.forEach((g, gi) => {
      const earlierGroup = groupIds.get(g.id);
      if (earlierGroup !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['groups', gi, 'id'],
          message: `is also used by group ${earlierGroup + 1}; group ids must be unique`,
        });
      } else groupIds.set(g.id, gi);
      g.categories.forEach((c, ci) => {
        total += 1;
        const earlier = categoryIds.get(c.id);
        if (earlier !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['groups', gi, 'categories', ci, 'id'],
            message: `is also used by an earlier category (in group "${earlier}"); category ids must be unique across the codebook`,
          });
        } else categoryIds.set(c.id, g.id);
        const keyOwner = keys.get(c.key);
        if (keyOwner !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['groups', gi, 'categories', ci, 'key'],
            message: `is already used by category "${keyOwner}"`,
          });
        } else keys.set(c.key, c.id);
      });
    });
    if (total > LIMITS.categories) {
      ctx.addIssue({
        code: 'custom',
        path: ['groups'],
        message: `hold ${total} categories; a codebook can have at most ${LIMITS.categories} (one per key)`,
      });
    }
  });

export type CodebookFile = z.infer<typeof codebookFileSchema>;

const MAX_LISTED = 20;

/** Thrown by `parseCodebook`; `problems` has one plain-words line per problem. */
export class CodebookError extends Error {
  readonly status = 400;
  readonly refusal = true;
  readonly problems: string[];
  constructor(problems: string[]) {
    const shown = problems.slice(0, MAX_LISTED);
    const more = problems.length - shown.length;
    super(
      `The codebook is not valid (${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}):\n` +
        shown.map((p) => `- ${p}`).join('\n') +
        (more > 0 ? `\n- …and ${more} more` : ''),
    );
    this.name = 'CodebookError';
    this.problems = problems;
  }
}
/**
 * Checks untrusted input (parsed JSON) and returns it as a `Codebook`, without
 * `schemaVersion`. Strings are trimmed and colours lower-cased. Throws a
 * `CodebookError` listing every problem in plain words.
 */
export function parseCodebook(input: unknown): Codebook {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new CodebookError([`a codebook must be a JSON object, not ${kindOf(input)}`]);
  }
  if ('schemaVersion' in input && input.schemaVersion !== CODEBOOK_SCHEMA_VERSION) {
    throw new CodebookError([`unsupported codebook schemaVersion ${show(input.schemaVersion)} (this version of Framelens reads schemaVersion ${CODEBOOK_SCHEMA_VERSION})`]);
  }
  const result = codebookFileSchema.safeParse(input);
  if (!result.success) throw new CodebookError(result.error.issues.map((issue) => describeIssue(issue, input)));
  const { schemaVersion: _, ...codebook } = result.data;
  return codebook;
}

/** All categories of a codebook, group by group, in order. */
export function categories(codebook: Codebook): Category[] {
  return codebook.groups.flatMap((g) => g.categories);
}

export function findCategory(codebook: Codebook, id: string): Category | undefined {
  for (const g of codebook.groups) {
    for (const c of g.categories) if (c.id === id) return c;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Turning zod issues into sentences

type Issue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

function describeIssue(issue: Issue, input: unknown): string {
  const { where, field } = locate(issue.path, input);
  const value = valueAt(input, issue.path);
  const subject = field === '' ? (where === 'codebook' ? 'the codebook' : `this ${where.split(' ')[0]}`) : field;
  const prefix = `${where}: `;
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return `${prefix}${subject} is missing`;
      return `${prefix}${subject} must be ${expected(issue.expected)}, not ${kindOf(value)}`;
    case 'invalid_value':
      if (field === 'schemaVersion' && value === undefined) return `codebook: schemaVersion is missing (it must be ${CODEBOOK_SCHEMA_VERSION})`;
      if (field === 'schemaVersion') return `unsupported codebook schemaVersion ${show(value)}`;
      return `${prefix}${subject} must be ${issue.values.map(show).join(' or ')}, not ${show(value)}`;
    case 'unrecognized_keys': {
      const names = issue.keys.map((k) => `"${k}"`).join(', ');
      return `${prefix}unknown ${issue.keys.length === 1 ? 'field' : 'fields'} ${names} (allowed: ${allowedFields(issue.path)})`;
    }
    case 'too_big':
      if (issue.origin === 'string' && typeof value === 'string') {
        return `${prefix}${subject} is too long (${value.trim().length} characters; at most ${issue.maximum})`;
      }
      if (issue.origin === 'array' && Array.isArray(value)) {
        return `${prefix}${subject} has too many entries (${value.length}; at most ${issue.maximum})`;
      }
      return `${prefix}${subject} is too big (at most ${issue.maximum})`;
    case 'too_small':
      if (issue.origin === 'array') {
        return `${prefix}${subject} must have at least one ${field === 'groups' ? 'group' : 'category'}`;
      }
      if (issue.origin === 'string' && issue.minimum === 1) return `${prefix}${subject} is empty`;
      return `${prefix}${subject} is too short (at least ${issue.minimum})`;
    case 'invalid_format':
    case 'custom':
      return `${prefix}${subject}${typeof value === 'string' && value.length <= 40 ? ` ${JSON.stringify(value)}` : ''} ${issue.message}`;
    default:
      return `${prefix}${subject}: ${issue.message}`;
  }
}

/**
 * Names the part of the codebook a path points into (`codebook`, `group
 * "stance"`, `category "hedge"`) and the field within it (`key`, `groups`),
 * using the ids found in the input where they are usable.
 */
function locate(path: Path, input: unknown): { where: string; field: string } {
  if (path[0] !== 'groups' || typeof path[1] !== 'number') {
    return { where: 'codebook', field: path.map(String).join('.') };
  }
  const gi = path[1];
  const groupName = label('group', valueAt(input, ['groups', gi, 'id']), gi);
  if (path[2] !== 'categories' || typeof path[3] !== 'number') {
    return { where: groupName, field: path.slice(2).map(String).join('.') };
  }
  const ci = path[3];
  const catId = valueAt(input, ['groups', gi, 'categories', ci, 'id']);
  const where =
    typeof catId === 'string' && CODEBOOK_ID.test(catId)
      ? `category "${catId}"`
      : `category ${ci + 1} of ${groupName}`;
  return { where, field: path.slice(4).map(String).join('.') };
}

function label(kind: string, id: unknown, index: number): string {
  return typeof id === 'string' && CODEBOOK_ID.test(id) ? `${kind} "${id}"` : `${kind} ${index + 1}`;
}

function allowedFields(path: Path): string {
  if (path.length === 0) return 'schemaVersion, id, name, description, groups';
  if (path.length === 2) return 'id, name, categories';
  return 'id, name, definition, span, example, colour, key, cues, suggest';
}

function valueAt(input: unknown, path: Path): unknown {
  let v: unknown = input;
  for (const step of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = Reflect.get(v, step);
  }
  return v;
}

function expected(type: string): string {
  switch (type) {
    case 'string':
      return 'text';
    case 'array':
      return 'a list';
    case 'object':
      return 'an object';
    case 'number':
      return 'a number';
    default:
      return type;
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return 'text';
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return `${value}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return kindOf(value);
}
