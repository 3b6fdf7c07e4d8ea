// Request bodies arrive as `unknown` and are parsed once by a strict zod schema:
// unknown fields (role, userId, __proto__ …) are refused, every field has a length limit.
import { z } from 'zod';
import { HttpError, describeZodError } from './errors.js';

export const csrfField = { _csrf: z.string().max(200).optional() };

export function parseForm<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) throw new HttpError(400, describeZodError(result.error));
  return result.data;
}

/** A whole number from a form field (`"3"`). */
export const formInt = (min: number, max: number) =>
  z.string().regex(/^-?[0-9]{1,9}$/, 'must be a whole number').transform(Number).pipe(z.number().int().min(min).max(max));

/** Checkbox-style optional flag. */
export const formFlag = z.enum(['0', '1', 'on']).optional().transform((v) => v === '1' || v === 'on');

/** A field that may arrive once or repeated (urlencoded `a=1&a=2`). */
export const formList = <S extends z.ZodType>(item: S, max: number) =>
  z.union([item, z.array(item).max(max)]).optional().transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));
