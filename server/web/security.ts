// Headers, CSRF tokens and rate limits: the defences every route shares.
import type { Request, RequestHandler } from 'express';
import helmet from 'helmet';
import { csrfSync } from 'csrf-sync';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';

/** Strict CSP: scripts and styles only from our own files; no inline code, no inline styles. */
export function securityHeaders(options: { secureCookies: boolean }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'"],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'self'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        ...(options.secureCookies ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    strictTransportSecurity: options.secureCookies,
  });
}

function tokenFromRequest(req: Request): string | undefined {
  const body: unknown = req.body;
  if (typeof body === 'object' && body !== null && '_csrf' in body && typeof body._csrf === 'string') {
    return body._csrf;
  }
  return req.get('x-csrf-token');
}

export const csrf = csrfSync({
  getTokenFromRequest: tokenFromRequest,
  size: 32,
  errorConfig: { statusCode: 403, code: 'EBADCSRFTOKEN', message: 'Invalid or missing CSRF token.' },
});

function windowLimit(windowMs: number, limit: number, key: (req: Request) => string, message: string) {
  return rateLimit({
    windowMs,
    limit,
    keyGenerator: key,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    handler: (_req, res) => {
      res.status(429).render('error', { status: 429, message });
    },
  });
}

function field(req: Request, name: string): string {
  const body: unknown = req.body;
  if (typeof body === 'object' && body !== null && name in body) {
    const value: unknown = Reflect.get(body, name);
    if (typeof value === 'string') return value.trim().toLowerCase().slice(0, 100);
  }
  return '';
}

const address = (req: Request) => ipKeyGenerator(req.ip ?? 'unknown');

/**
 * Sign-in limits. Per account: 5 failures in 15 minutes. Per address the allowance is large,
 * because a whole class shares one school address: one student's typos must not lock out the rest.
 */
export const signInLimits: RequestHandler[] = [
  windowLimit(15 * 60 * 1000, 5, (req) => `account:${field(req, 'name')}`,
    'Too many failed sign-ins for this account. Wait 15 minutes, or ask a researcher for a reset link.'),
  windowLimit(15 * 60 * 1000, 100, (req) => `address:${address(req)}`,
    'Too many failed sign-ins from this network. Wait 15 minutes and try again.'),
];

/** Classroom joins: limited per join code and nickname, not per address (a class shares one). */
export const joinLimits: RequestHandler[] = [
  windowLimit(10 * 60 * 1000, 10, (req) => `join:${field(req, 'code')}:${field(req, 'nickname')}`,
    'Too many tries with this code and nickname. Wait a few minutes and try again.'),
  windowLimit(10 * 60 * 1000, 300, (req) => `join-address:${address(req)}`,
    'Too many join attempts from this network. Wait a few minutes and try again.'),
];
