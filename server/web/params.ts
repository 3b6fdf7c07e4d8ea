// Route parameters and small form fields, checked before anything reaches storage.
import type { Request } from 'express';
import { HttpError } from './errors.js';
import { ID } from '../storage/schemas.js';

/** An id from the URL; anything outside the strict pattern (`../`, `%2e`, `/`, NUL) is refused. */
export function idParam(req: Request, name: string): string {
  const value = req.params[name];
  if (typeof value !== 'string' || !ID.test(value)) throw new HttpError(400, `Invalid ${name}.`);
  return value;
}

/** A 1-based sentence number from the URL, as a 0-based index. */
export function sentenceParam(req: Request): number {
  const value = req.params.n;
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,5}$/.test(value)) throw new HttpError(400, 'Invalid sentence number.');
  return Number(value) - 1;
}

/**
 * The address for links people copy or scan: PUBLIC_URL when set; otherwise the address this
 * request came to (fine on a trusted network, where nobody forges the Host header).
 */
export function baseUrl(req: Request): string {
  const configured: unknown = req.app.get('public url');
  return typeof configured === 'string' ? configured : `${req.protocol}://${req.get('host') ?? 'localhost'}`;
}

export function queryString(req: Request, name: string): string | undefined {
  const value: unknown = req.query[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function queryId(req: Request, name: string): string | undefined {
  const value = queryString(req, name);
  if (value !== undefined && !ID.test(value)) throw new HttpError(400, `Invalid ${name}.`);
  return value;
}
