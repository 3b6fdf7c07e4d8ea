// Request bodies arrive as `unknown` and are parsed once by a strict zod schema:
// unknown fields (role, userId, __proto__ …) are refused, every field has a length limit.
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { HttpError, describeZodError } from './errors.js';

export const csrfField = { _csrf: z.string().max(200).optional() };
/** A form with nothing but its token: a button that changes something. */
export const emptyForm = z.strictObject(csrfField);

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

/**
 * Wraps a multipart (multer) parser. A body declared larger than `maxBytes` is refused before
 * it is read (multer limits each part, not the whole). A body the parser cannot read (cut
 * off, bad boundary, malformed part headers) is the client's 400, not a 500; multer's own
 * limit errors pass through to the error handler, which maps them to 413/400.
 */
export function multipartBody(parse: RequestHandler, maxBytes: number): RequestHandler {
  return (req, res, next) => {
    const declared = Number(req.get('content-length') ?? 0);
    if (declared > maxBytes) {
      next(new HttpError(413, 'That is too large: articles may be at most 1 MB, other uploads much less.'));
      return;
    }
    void parse(req, res, (error?: unknown) => {
      if (error === undefined || error === null || error === 'route' || error === 'router') {
        next(error);
        return;
      }
      const known = error instanceof HttpError || (typeof error === 'object' && ('code' in error || 'status' in error));
      next(known ? error : new HttpError(400, 'The upload could not be read: it was cut off or malformed. Try again.'));
    });
  };
}
