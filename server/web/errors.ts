// One error path: handlers throw an HttpError (or call notFound) and the single
// error handler renders it with its status.
//
// Refusals raised below the web layer (a rule broken, a record gone, a bad import) carry their
// own `status` (as Express's `http-errors` do) and `refusal = true`, which says their message is
// written for the user: this module maps them without importing any other layer. Library errors
// with a status (csrf-sync's 403, say) get the generic message of their status, not their own.
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { z } from 'zod';

export class HttpError extends Error {
  readonly status: number;
  readonly refusal = true;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export function notFound(what = 'Page'): HttpError {
  return new HttpError(404, `${what} not found.`);
}

export const fallThrough: RequestHandler = (req, _res, next) => {
  next(notFound());
};

/** Readable text for a zod error: one line per problem, naming the field. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.join('.');
      if (issue.code === 'unrecognized_keys') return `Unexpected field(s): ${issue.keys.join(', ')}.`;
      return field ? `${field}: ${issue.message}` : issue.message;
    })
    .join(' ');
}

/** An error whose message is meant for the user: an HttpError, or a refusal from another layer. */
function exposed(error: unknown): error is Error & { status: number } {
  return error instanceof Error && 'refusal' in error && error.refusal === true && 'status' in error && typeof error.status === 'number';
}

function statusOf(error: unknown): number {
  if (error instanceof z.ZodError) return 400;
  if (typeof error === 'object' && error !== null) {
    if ('code' in error && error.code === 'EBADCSRFTOKEN') return 403;
    if ('code' in error && (error.code === 'LIMIT_FILE_SIZE' || error.code === 'LIMIT_FIELD_VALUE')) return 413;
    // Any other refusal by the upload parser (an unexpected file field, too many parts …) is a bad request.
    if ('name' in error && error.name === 'MulterError') return 400;
    if ('status' in error && typeof error.status === 'number') return error.status;
  }
  return 500;
}

function messageOf(error: unknown, status: number): string {
  if (exposed(error)) return error.message;
  if (error instanceof z.ZodError) return describeZodError(error);
  if (status === 403) return 'This form has expired or did not come from Framelens. Go back, reload the page and try again.';
  if (status === 413) return 'That is too large: articles may be at most 1 MB, other forms much less.';
  if (status === 400) return 'The request could not be read.';
  if (status === 404) return 'Page not found.';
  return 'Something went wrong on our side. Nothing was saved by this request.';
}

/** A link on an error page: back where the user was, or up to the page the failed one belongs to. */
export interface BackLink {
  href: string;
  text: string;
}

/** The pages above others that have a name people know. */
const PARENTS: [RegExp, string][] = [
  [/^\/projects$/, 'Back to Projects'],
  [/^\/projects\/[^/]+$/, 'Back to the project'],
  [/^\/activities$/, 'Back to Lessons'],
  [/^\/activities\/[^/]+$/, 'Back to the lesson'],
  [/^\/articles\/[^/]+$/, 'Back to the article'],
  [/^\/codebooks$/, 'Back to Codebooks'],
  [/^\/accounts$/, 'Back to Accounts'],
];

/**
 * Where an error page sends the user back to: the page they came from (a same-site Referer), or
 * else the page above the one that failed (`/projects/x/members` → `/projects/x`). Pages without
 * a parent of their own lead to the sign-in or join page, never only to the start page.
 */
export function backLink(req: Request): BackLink {
  const own = `${req.protocol}://${req.get('host') ?? ''}`;
  const referer = req.get('referer');
  if (referer) {
    try {
      const from = new URL(referer, own);
      const path = `${from.pathname}${from.search}`;
      const same = from.origin === own && /^\/(?![/\\])/.test(path);
      // A GET that failed would only come back to itself; a failed form goes back to its page.
      if (same && !(req.method === 'GET' && path === req.originalUrl)) return { href: path, text: 'Back to the page you were on' };
    } catch {
      // Not a URL: use the parent instead.
    }
  }
  const segments = req.path.split('/').filter(Boolean);
  if (['link', 'setup', 'signin'].includes(segments[0] ?? '')) return { href: '/signin', text: 'Go to the sign-in page' };
  if (['j', 'join', 'lesson'].includes(segments[0] ?? '')) return { href: '/join', text: 'Go to the join page' };
  for (let n = segments.length - 1; n > 0; n--) {
    const parent = `/${segments.slice(0, n).join('/')}`;
    const known = PARENTS.find(([pattern]) => pattern.test(parent));
    if (known) return { href: parent, text: known[1] };
  }
  return { href: '/', text: 'Go to the start page' };
}

export function errorHandler(options: { log: boolean }): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const status = statusOf(error);
    if (status >= 500 && options.log) console.error(error);
    // A download that fails half-way cannot become an error page: cut the connection instead.
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(status);
    if (req.accepts(['html', 'json']) === 'json') {
      res.json({ error: messageOf(error, status) });
      return;
    }
    // No stack traces: the page shows only the message meant for the user.
    res.render('error', { status, message: messageOf(error, status), back: backLink(req) });
  };
}
