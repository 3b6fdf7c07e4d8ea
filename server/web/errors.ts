// One error path: handlers throw an HttpError (or call notFound) and the single
// error handler renders it with its status.
//
// Refusals raised below the web layer (a rule broken, a record gone, a bad import) carry their
// own `status` (as Express's `http-errors` do) and `refusal = true`, which says their message is
// written for the user: this module maps them without importing any other layer. Library errors
// with a status (csrf-sync's 403, say) get the generic message of their status, not their own.
import type { ErrorRequestHandler, RequestHandler } from 'express';
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
    res.render('error', { status, message: messageOf(error, status) });
  };
}
