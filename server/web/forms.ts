// Request bodies arrive as `unknown` and are parsed once by a strict zod schema:
// unknown fields (role, userId, __proto__ …) are refused, every field has a length limit.
import type { IncomingMessage } from 'node:http';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
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
 * Names that would reach an object's prototype. The urlencoded parser (qs) drops a `__proto__`
 * field without a word, so the strict schemas never see it; refuse such a body here instead.
 * (Multipart bodies keep the field on a null-prototype object, and the schemas refuse it.)
 */
const PROTOTYPE_KEYS = new Set(['__proto__']);

function refusePrototypeKeys(_req: IncomingMessage, _res: unknown, body: Buffer): void {
  // Percent-encoding can spell the name in many ways; only a body that could hold it is decoded.
  if (!body.includes('proto') && !body.includes('%')) return;
  const keys = new Set(new URLSearchParams(body.toString('latin1')).keys());
  const found = [...PROTOTYPE_KEYS].filter((key) => keys.has(key));
  if (found.length > 0) throw new HttpError(400, `Unexpected field(s): ${found.join(', ')}.`);
}

/** The urlencoded form parser: 100 kB, 2,000 fields, no nesting, no prototype keys. */
export function urlencodedForms(): RequestHandler {
  return express.urlencoded({ extended: false, limit: '100kb', parameterLimit: 2000, verify: refusePrototypeKeys });
}

/**
 * Wraps a multipart (multer) parser. The body may be at most `maxBytes`: one declared larger is
 * refused before it is read, and one sent without a length (chunked) is counted as it arrives
 * and refused, and no longer read, once it passes the limit (multer limits each part, not the
 * whole). A body the parser cannot read (cut off, bad boundary, malformed part headers) is the
 * client's 400, not a 500; multer's own limit errors pass through to the error handler, which
 * maps them to 413/400.
 */
export function multipartBody(parse: RequestHandler, maxBytes: number): RequestHandler {
  const tooLarge = () => new HttpError(413, 'That is too large: articles may be at most 1 MB, other uploads much less.');
  return (req, res, next) => {
    const declared = Number(req.get('content-length') ?? 0);
    if (declared > maxBytes) {
      next(tooLarge());
      return;
    }
    let received = 0;
    let refused = false;
    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received <= maxBytes || refused) return;
      refused = true;
      req.off('data', count);
      // Stop feeding the parser and stop reading: the rest of the body stays on the wire, and
      // the answer closes the connection (closeUnreadBodies) instead of draining it.
      req.unpipe();
      req.pause();
      next(tooLarge());
    };
    req.on('data', count);
    void parse(req, res, (error?: unknown) => {
      req.off('data', count);
      if (refused) return;
      if (error === undefined || error === null || error === 'route' || error === 'router') {
        next(error);
        return;
      }
      const known = error instanceof HttpError || (typeof error === 'object' && ('code' in error || 'status' in error));
      next(known ? error : new HttpError(400, 'The upload could not be read: it was cut off or malformed. Try again.'));
    });
  };
}

/** After an early answer, how long the client has to read it before the connection is closed. */
const LINGER_MS = 2000;

/**
 * An error answered before the request's body was read whole (too large, a refused upload, a
 * forged form) stops reading it: the answer is sent, our side of the connection is shut, and
 * what the client still sends waits in the network buffers until the connection is closed 2 s
 * later. Closing at once would reset the connection under a client that is still sending,
 * before it could read the answer; reading on (as Node does to keep a connection alive) would
 * receive a 100 MB body in full.
 */
export const closeUnreadBodies: ErrorRequestHandler = (error, req, res, next) => {
  if (!req.complete && !res.headersSent) {
    // Marks the body as being consumed (by us), so that Node does not read and discard the rest
    // of it after the answer; it stays unread and paused.
    req.pause();
    req.read(0);
    res.once('finish', () => {
      if (req.complete) return;
      const socket = req.socket;
      socket.end();
      const timer = setTimeout(() => socket.destroy(), LINGER_MS).unref();
      socket.once('close', () => clearTimeout(timer));
    });
  }
  next(error);
};
