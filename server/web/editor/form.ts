// The tag form every sentence editor posts, parsed once from the request body. The editors differ
// in two fields only: an intensity (annotators) and the text beside the tag, a note (annotators,
// students) or a rationale students read after the reveal (the teacher's reference).
import { z } from 'zod';
import type { Intensity, Voice } from '../../core/model.js';
import { VOICES } from '../../core/model.js';
import { csrfField, formFlag, formInt } from '../forms.js';

export interface FieldSpec {
  intensity: boolean;
  /** The free-text field: its form name, length limit and whether it may stay empty. */
  text: { name: 'note' | 'rationale'; max: number; required: boolean };
}

/** What a tag form asks for, in the editors' common terms. */
export interface TagInput {
  first: number;
  last: number;
  /** Take in the quotation marks and brackets touching the first and last word. */
  marks: boolean;
  category: string;
  voice: Voice;
  intensity: Intensity | null;
  text: string;
}

const common = {
  ...csrfField,
  first: formInt(0, 10_000),
  last: formInt(0, 10_000),
  marks: formFlag,
  category: z.string({ error: 'Choose a category.' }).max(64),
  voice: z.enum(VOICES).default('author'),
};

const intensity = z
  .enum(['', '1', '2', '3'])
  .default('')
  .transform((v): Intensity | null => (v === '1' ? 1 : v === '2' ? 2 : v === '3' ? 3 : null));

/**
 * The strict schema of one editor's tag form: unknown fields (annotatorId, role …) are refused.
 * `missingText` is the message for a required text left blank.
 */
export function tagFormSchema(spec: FieldSpec, missingText = 'Write something here.'): z.ZodType<TagInput> {
  const optional = z.string().max(spec.text.max).default('');
  const text = spec.text.required ? optional.refine((v) => v.trim() !== '', missingText) : optional;
  const input = (f: z.infer<z.ZodObject<typeof common>>, level: Intensity | null, body: string): TagInput => ({
    first: f.first,
    last: f.last,
    marks: f.marks,
    category: f.category,
    voice: f.voice,
    intensity: level,
    text: body.trim(),
  });
  if (spec.text.name === 'rationale') {
    return z.strictObject({ ...common, rationale: text }).transform((f) => input(f, null, f.rationale));
  }
  if (spec.intensity) {
    return z.strictObject({ ...common, intensity, note: text }).transform((f) => input(f, f.intensity, f.note));
  }
  return z.strictObject({ ...common, note: text }).transform((f) => input(f, null, f.note));
}

export const reviewForm = z.strictObject({ ...csrfField, reviewed: z.enum(['0', '1']) });

/** The undo button's form: which change it undoes (the last one, if it is still the last). */
export const undoForm = z.strictObject({ ...csrfField, change: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'is not a change of this page') });

/** Accept or Reject on a suggestion: which one (core/suggest/design.ts, suggestionKey). */
export const suggestionForm = z.strictObject({ ...csrfField, suggestion: z.string().max(200) });
