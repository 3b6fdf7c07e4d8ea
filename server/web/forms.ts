// Request bodies arrive as `unknown` and are parsed once by a strict zod schema:
// unknown fields (role, userId, __proto__ …) are refused, every field has a length limit.
import type { IncomingMessage } from 'node:http';
import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import type multer from 'multer';
import { HttpError, describeZodError } from './errors.js';
import { onFirstUse } from './lazy.js';

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

/** multer, for the few routes that take uploads (~75 ms of CPU to load on these machines). */
const loadMulter = onFirstUse(async () => (await import('multer')).default);

/**
 * Wraps a multipart (multer) parser, made by `parser` when the first upload comes. The body may be
 * at most `maxBytes`: one declared larger is refused before it is read, and one sent without a
 * length (chunked) is counted as it arrives and refused, and no longer read, once it passes the
 * limit (multer limits each part, not the whole). A body the parser cannot read (cut off, bad
 * boundary, malformed part headers) is the client's 400, not a 500; multer's own limit errors pass
 * through to the error handler, which maps them to 413/400.
 */
export function multipartBody(parser: (m: typeof multer) => RequestHandler, maxBytes: number): RequestHandler {
  const tooLarge = () => new HttpError(413, 'That is too large: articles may be at most 1 MB, other uploads much less.');
  const loadParse = onFirstUse(async () => parser(await loadMulter()));
  return (req, res, next) => {
    const declared = Number(req.get('content-length') ?? 0);
    if (declared > maxBytes) {
      next(tooLarge());
      return;
    }
    // The body is left unread (paused) until the parser is there to take it.
    loadParse().then((parse) => parseCounting(parse, maxBytes, tooLarge, req, res, next), next);
  };
}

function parseCounting(parse: RequestHandler, maxBytes: number, tooLarge: () => HttpError, ...[req, res, next]: Parameters<RequestHandler>): void {
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

// Forms that forgive. A form people fill in is read with `readForm`, which throws a FormError
// carrying one plain message per field ("Choose a codebook from the list.", never a zod path).
// Its route is wrapped in `forgiving(form, handler, page)`: on a FormError the form's own page
// (usually its GET handler) is rendered again, with the status of the error and `form` in the
// view's locals, so the page keeps what the user typed and shows each message next to its field.
// Anything that is no FormError (a tampered form, a missing record) still reaches the one error
// handler. In a view:
//
//   <% const f = form.of('settings') %>              the FormView of that form (blank if another failed)
//   <%- include('../partials/error-box') %>          "There is a problem", each message linking to its field
//   <label for="<%= f.id('description') %>">Description</label>
//   <%- f.error('description') %>                     the message, with the id aria-describedby names
//   <textarea id="<%= f.id('description') %>" name="description"<%- f.aria('description') %>><%= f.value('description', project.description) %></textarea>
//
// Schema messages: a full sentence ("Choose a codebook from the list.") is shown as written; a
// fragment that starts in lower case ("must be a whole number") gets the field's label in front;
// a problem without a message of its own gets a plain fragment from `plainProblem` below.

/** A form's fields with the plain message to show next to each (field name → message). */
export class FormError extends HttpError {
  readonly fields: Readonly<Record<string, string>>;
  /** The form to show again, when not the one the route names (a later step's own page). */
  readonly form: string | undefined;
  /** What the form shows again, when not what was sent (the text of an uploaded file). */
  readonly values: unknown;
  constructor(fields: Record<string, string>, status = 400, options: { form?: string; values?: unknown } = {}) {
    super(status, Object.values(fields).join(' ') || 'Check the form and try again.');
    this.fields = fields;
    this.form = options.form;
    this.values = options.values;
  }
}

/** What a field is called on its form, for messages ("Annotators per article must be 100 or less."). */
export type FieldLabels = Readonly<Record<string, string>>;

/** A plain fragment for a problem the schema gave no message of its own. */
function plainProblem(issue: z.core.$ZodRawIssue): string {
  const bound = (n: unknown) => (typeof n === 'number' || typeof n === 'bigint' ? n.toLocaleString('en') : String(n));
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined || issue.input === '' ? 'is needed' : 'is not what was expected';
    case 'too_small':
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'is needed' : `needs at least ${bound(issue.minimum)} characters`;
      return `must be ${bound(issue.minimum)} or more`;
    case 'too_big':
      if (issue.origin === 'string') return `may be at most ${bound(issue.maximum)} characters long`;
      if (issue.origin === 'array') return `may have at most ${bound(issue.maximum)} entries`;
      return `must be ${bound(issue.maximum)} or less`;
    case 'invalid_value':
    case 'invalid_union':
      return 'must be one of the choices offered';
    case 'invalid_format':
      return 'is not in the expected form';
    default:
      return 'is not valid';
  }
}

function sentence(label: string, message: string): string {
  const text = /^\p{Ll}/u.test(message) ? `${label} ${message}` : message;
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}

/**
 * Parses a form people fill in. A problem in a field `labels` names becomes a FormError with a
 * plain message per field; a body that no form of ours sends (an unexpected field, a hidden field
 * gone wrong: fields without a label) is still a plain 400.
 */
export function readForm<S extends z.ZodType>(schema: S, body: unknown, labels: FieldLabels): z.infer<S> {
  const result = schema.safeParse(body ?? {}, { error: (issue) => plainProblem(issue) });
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const field = issue.path[0];
    const label = typeof field === 'string' && Object.hasOwn(labels, field) ? labels[field] : undefined;
    if (issue.code === 'unrecognized_keys' || typeof field !== 'string' || label === undefined) throw new HttpError(400, describeZodError(result.error));
    fields[field] ??= sentence(label, issue.message);
  }
  throw new FormError(fields);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/**
 * A form as a view shows it: blank, or sent back with the user's input and a message per field.
 * A page with several forms asks for each by name (`of`); only the one that was sent is filled.
 */
export class FormView {
  /** The form that was sent back, or null for a page shown afresh. */
  readonly name: string | null;
  readonly #values: Readonly<Record<string, unknown>>;
  readonly #errors: Readonly<Record<string, string>>;
  #prefix: string;

  constructor(name: string | null = null, values: unknown = {}, errors: Readonly<Record<string, string>> = {}, prefix = '') {
    this.name = name;
    this.#values = typeof values === 'object' && values !== null ? { ...values } : {};
    this.#errors = errors;
    this.#prefix = prefix;
  }

  /** True when this is a form sent back with problems. */
  get failed(): boolean {
    return this.name !== null;
  }

  /**
   * The view of the form called `name` on this page (blank unless it is the one sent back); its
   * inputs' ids are `prefix` + field name, whether blank or not. Call it before the error box is
   * included, so that the summary links to the right ids.
   */
  of(name: string, prefix = ''): FormView {
    if (this.name !== name) return new FormView(null, {}, {}, prefix);
    this.#prefix = prefix;
    return this;
  }

  id(field: string): string {
    return `${this.#prefix}${field}`;
  }

  /** What the user typed, if this form was sent back; otherwise `fallback` (the stored value). */
  value(field: string, fallback: string | number = ''): string {
    if (!this.failed) return String(fallback);
    const value = this.#values[field];
    return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : '';
  }

  /** Whether a radio button or checkbox with `value` is to be ticked. */
  checked(field: string, value: string, fallback: boolean): boolean {
    if (!this.failed) return fallback;
    const sent = this.#values[field];
    return sent === value || (Array.isArray(sent) && sent.includes(value));
  }

  /** ` checked` for a radio button or checkbox that is to be ticked. */
  check(field: string, value: string, fallback: boolean): string {
    return this.checked(field, value, fallback) ? ' checked' : '';
  }

  /** ` selected` for the option that is to be chosen. */
  select(field: string, value: string, fallback: boolean): string {
    return this.checked(field, value, fallback) ? ' selected' : '';
  }

  message(field: string): string | null {
    return this.#errors[field] ?? null;
  }

  /** The field's message as HTML, with the id its input's aria-describedby names; '' if none. */
  error(field: string): string {
    const message = this.message(field);
    return message === null ? '' : `<p class="field-error" id="${escapeHtml(this.id(field))}-error">${escapeHtml(message)}</p>`;
  }

  /** aria-invalid and aria-describedby for the field's input, when it has a message; `hint` ids too. */
  aria(field: string, hint?: string): string {
    const ids = [...(this.message(field) === null ? [] : [`${this.id(field)}-error`]), ...(hint ? [hint] : [])];
    return `${this.message(field) === null ? '' : ' aria-invalid="true"'}${ids.length > 0 ? ` aria-describedby="${escapeHtml(ids.join(' '))}"` : ''}`;
  }

  /** Every message, with the id of its field, for the summary at the top of the page. */
  get problems(): { id: string; message: string }[] {
    return Object.entries(this.#errors).map(([field, message]) => ({ id: this.id(field), message }));
  }
}

const BLANK = new FormView();
/** The form view of a page shown afresh (app.locals.form: every view may ask for one). */
export const BLANK_FORM = BLANK;

/**
 * Runs a form's handler; when it throws a FormError, renders the form's page (`page`, usually the
 * GET handler of the same URL) again with the error's status and the form sent back.
 * `form` names the form (or picks it from the request, on a page with several).
 */
export function forgiving(form: string | ((req: Request) => string), handler: RequestHandler, page: RequestHandler): RequestHandler {
  return async (req, res, next) => {
    try {
      await handler(req, res, next);
    } catch (error) {
      if (!(error instanceof FormError) || res.headersSent) throw error;
      res.status(error.status);
      res.locals.form = new FormView(error.form ?? (typeof form === 'string' ? form : form(req)), error.values ?? req.body, error.fields);
      await page(req, res, next);
    }
  };
}
