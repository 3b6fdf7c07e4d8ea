// Headers, CSRF tokens and rate limits: the defences every route shares.
import { createHmac } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import cookieParser from 'cookie-parser';
import helmet from 'helmet';
import { csrfSync } from 'csrf-sync';
import { doubleCsrf } from 'csrf-csrf';
import { rateLimit, ipKeyGenerator, type Store as LimitStore } from 'express-rate-limit';
import { backLink } from './errors.js';

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

const CSRF_ERROR = { statusCode: 403, code: 'EBADCSRFTOKEN', message: 'Invalid or missing CSRF token.' };

/** Signed-in users and students: a synchroniser token kept in their session (csrf-sync). */
export const csrf = csrfSync({ getTokenFromRequest: tokenFromRequest, size: 32, errorConfig: CSRF_ERROR });

/** Whether the request belongs to a stored session (a signed-in user or a student). */
export function hasSession(req: Request): boolean {
  return req.session.userId !== undefined || req.session.student !== undefined || req.session.csrfToken !== undefined;
}

/** Pages that show a form to people who are not signed in: sign-in, set-up, one-time links, joining a class. */
const PUBLIC_FORMS = /^\/(signin|setup\/[^/]+|link\/[^/]+|join|j\/[^/]+)$/;

/**
 * CSRF tokens for every form, two kinds:
 * - with a session (signed in, or a student in a lesson) the synchroniser token kept in the
 *   session (csrf-sync), as before: it needs no cookie beyond the session's, and ends with it;
 * - without one (the sign-in, set-up, one-time link and join forms), a signed double-submit
 *   token (csrf-csrf): an HMAC-signed random value in a SameSite=Strict cookie that the form must
 *   repeat. The server stores nothing, so a visitor who only looks at a form costs no session:
 *   before, each GET of /signin or /join stored one for 8 hours.
 * csrf-csrf alone could serve both, but the signed-in forms (and the tools that post to them)
 * would then need a second cookie, and their tokens would change for nothing: each pattern is
 * used where it fits.
 */
export function csrfProtection(options: { secret: string; secureCookies: boolean }) {
  // A key of its own, derived from the instance secret (which also signs session cookies).
  const secret = createHmac('sha256', options.secret).update('framelens csrf double-submit').digest('hex');
  const cookieName = options.secureCookies ? '__Host-framelens.csrf' : 'framelens.csrf';
  const doubleSubmit = doubleCsrf({
    getSecret: () => secret,
    // No session yet: the token is bound to the browser's cookie, which only this site can set.
    getSessionIdentifier: () => '',
    cookieName,
    cookieOptions: { sameSite: 'strict', secure: options.secureCookies, httpOnly: true, path: '/' },
    getCsrfTokenFromRequest: tokenFromRequest,
    size: 32,
    errorConfig: CSRF_ERROR,
  });
  const cookies = cookieParser();

  /** Puts this request's token in `res.locals.csrfToken` (empty where no form can be shown). */
  const tokens: RequestHandler = (req, res, next) => {
    if (hasSession(req)) {
      res.locals.csrfToken = csrf.generateToken(req);
      next();
    } else if (PUBLIC_FORMS.test(req.path)) {
      cookies(req, res, () => {
        res.locals.csrfToken = doubleSubmit.generateCsrfToken(req, res);
        res.locals.csrfCookie = true;
        next();
      });
    } else {
      res.locals.csrfToken = '';
      next();
    }
  };

  /** Refuses a state-changing request without this session's (or this browser's) token. */
  const check: RequestHandler = (req, res, next) => {
    if (hasSession(req)) {
      csrf.csrfSynchronisedProtection(req, res, next);
      return;
    }
    cookies(req, res, () => doubleSubmit.doubleCsrfProtection(req, res, next));
  };

  /** An error page shows no form: it sets no CSRF cookie either. */
  const noCookieForErrors = (res: Response) => {
    if (res.locals.csrfCookie === true && !res.headersSent) {
      res.removeHeader('Set-Cookie');
      res.locals.csrfToken = '';
    }
  };

  return { tokens, check, noCookieForErrors };
}

/**
 * Whether a browser says this request comes from our own pages (Fetch Metadata, else Origin).
 * Checked before an upload's body is read: a forged cross-site upload is refused unread. A
 * client that sends neither header is not a browser that could be tricked into it; its token
 * is checked after the body is parsed, as for every upload.
 */
export function fromOwnPages(req: Request, publicUrl: string | null): boolean {
  const site = req.get('sec-fetch-site');
  if (site !== undefined) return site === 'same-origin';
  const origin = req.get('origin');
  if (origin === undefined) return true;
  const own = [`${req.protocol}://${req.get('host') ?? ''}`];
  if (publicUrl) own.push(new URL(publicUrl).origin);
  return own.includes(origin);
}

const address = (req: Request) => ipKeyGenerator(req.ip ?? 'unknown');

function field(req: Request, name: string): string {
  const body: unknown = req.body;
  if (typeof body === 'object' && body !== null && Object.hasOwn(body, name)) {
    const value: unknown = Reflect.get(body, name);
    if (typeof value === 'string') return value.trim().toLowerCase().slice(0, 100);
  }
  return '';
}

function windowLimit(options: {
  windowMs: number;
  limit: number;
  key: (req: Request) => string;
  message: (req: Request) => string;
  /** Counts only the requests that say they failed (res.locals.failedGuess); all by default. */
  failuresOnly?: boolean;
  onLimited?: (req: Request, until: Date) => void;
  /** Where the counts are kept: this process's memory when absent. */
  store?: LimitStore;
}) {
  return rateLimit({
    ...(options.store ? { store: options.store } : {}),
    windowMs: options.windowMs,
    limit: options.limit,
    keyGenerator: options.key,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // Its check that a limiter is not made inside a handler reads a stack trace, which the
    // bundle's traces map back to server/*.ts by parsing a source map: ~60 ms of every start.
    // The limiters are made once, by createApp.
    validate: { creationStack: false },
    skipSuccessfulRequests: true,
    requestWasSuccessful: options.failuresOnly ? (_req, res) => res.locals.failedGuess !== true : (_req, res) => res.statusCode < 400,
    handler: (req, res) => {
      const info: unknown = Reflect.get(req, 'rateLimit');
      const reset = typeof info === 'object' && info !== null && 'resetTime' in info && info.resetTime instanceof Date ? info.resetTime : null;
      options.onLimited?.(req, reset ?? new Date(Date.now() + options.windowMs));
      res.status(429).render('error', { status: 429, message: options.message(req), back: backLink(req) });
    },
  });
}

const MINUTE = 60 * 1000;

/** The sign-in limits, stated in the README: keep both in step. */
export const SIGN_IN_LIMITS = {
  /** Wrong passwords for one account from one address. */
  perAccountAndAddress: { failures: 5, windowMs: 15 * MINUTE },
  /** Wrong passwords for one account from anywhere. */
  perAccount: { failures: 30, windowMs: 60 * MINUTE },
  /** Wrong passwords for any account from one address (a class shares one). */
  perAddress: { failures: 100, windowMs: 15 * MINUTE },
} as const;

/** A limiter's counts kept where every server sees them (storage/postgres/rate-limits.ts). */
export interface SharedLimitStore extends LimitStore {
  /** Forgets every key that starts with `start`. */
  resetKeysStartingWith(start: string): Promise<void>;
  /**
   * When the last open window of a key starting with `start` that counted `limit` hits (so refuses
   * the next request) closes; null when there is none.
   */
  reachedUntil(start: string, limit: number): Promise<Date | null>;
}

/** Where the sign-in limits count when several servers share them: a store per limiter. */
export type SharedLimits = (prefix: string) => SharedLimitStore;

/**
 * Guesses at a password, by sign-in or by the current-password check of a password change. A
 * wrong password counts against the pair (account, address): someone elsewhere who knows a
 * user name cannot lock the user out of their own network. A slower limit per account stops
 * guessing spread over many addresses, and a large one per address guessing at many accounts.
 * A researcher can unlock an account (the limits start again for it).
 */
export class PasswordGuard {
  readonly #isAccount: (name: string) => boolean;
  /** Raised by each unlock, and part of the account's keys: an unlock starts new counts. */
  readonly #generation = new Map<string, number>();
  /** Accounts that met a limit, and until when (for the researcher's view). */
  readonly #locked = new Map<string, number>();
  /** For POST /signin and POST /account/password; a handler sets res.locals.failedGuess on a wrong password. */
  readonly limits: RequestHandler[];

  /** The limiters' shared stores (pair, account), when the counts are shared. */
  readonly #shared: { pair: SharedLimitStore; account: SharedLimitStore } | null;

  /**
   * `isAccount(folded name)` tells which names to remember a lock for (not every made-up one).
   * `shared`: counts kept where every server sees them (PostgreSQL); this process's memory when absent.
   */
  constructor(isAccount: (name: string) => boolean, shared?: SharedLimits) {
    this.#isAccount = isAccount;
    const stores = shared ? { pair: shared('signin-pair:'), account: shared('signin-account:'), address: shared('signin-address:') } : null;
    this.#shared = stores;
    const { perAccountAndAddress: pair, perAccount, perAddress } = SIGN_IN_LIMITS;
    const onLimited = (req: Request, until: Date) => this.#noteLocked(accountOf(req), until.getTime());
    const what = (req: Request) => (req.user ? 'Too many wrong passwords for this account.' : 'Too many failed sign-ins for this account.');
    this.limits = [
      windowLimit({
        windowMs: pair.windowMs,
        limit: pair.failures,
        key: (req) => `pair:${this.#accountKey(accountOf(req))}:${address(req)}`,
        message: (req) => `${what(req)} Wait 15 minutes, or ask a researcher to unlock it.`,
        failuresOnly: true,
        onLimited,
        ...(stores ? { store: stores.pair } : {}),
      }),
      windowLimit({
        windowMs: perAccount.windowMs,
        limit: perAccount.failures,
        key: (req) => `account:${this.#accountKey(accountOf(req))}`,
        message: (req) => `${what(req)} Wrong passwords came from many places: wait an hour, or ask a researcher to unlock it.`,
        failuresOnly: true,
        onLimited,
        ...(stores ? { store: stores.account } : {}),
      }),
      windowLimit({
        windowMs: perAddress.windowMs,
        limit: perAddress.failures,
        key: (req) => `address:${address(req)}`,
        message: () => 'Too many failed sign-ins from this network. Wait 15 minutes and try again.',
        failuresOnly: true,
        ...(stores ? { store: stores.address } : {}),
      }),
    ];
  }

  #accountKey(account: string): string {
    return `${account}#${this.#generation.get(account) ?? 0}`;
  }

  #noteLocked(account: string, until: number): void {
    if (!this.#isAccount(account)) return;
    this.#locked.set(account, Math.max(until, this.#locked.get(account) ?? 0));
  }

  /**
   * Until when the account was last refused for too many wrong passwords, if that is still so.
   * With shared counts, read from them: an account locked through any server shows on every one.
   */
  async lockedUntil(name: string): Promise<Date | null> {
    const account = foldName(name);
    if (this.#shared) {
      const key = this.#accountKey(account);
      const { perAccountAndAddress, perAccount } = SIGN_IN_LIMITS;
      const ends = await Promise.all([
        this.#shared.pair.reachedUntil(`pair:${key}:`, perAccountAndAddress.failures),
        this.#shared.account.reachedUntil(`account:${key}`, perAccount.failures),
      ]);
      const times = ends.filter((d): d is Date => d !== null).map((d) => d.getTime());
      return times.length > 0 ? new Date(Math.max(...times)) : null;
    }
    const until = this.#locked.get(account);
    if (until === undefined) return null;
    if (until <= Date.now()) {
      this.#locked.delete(account);
      return null;
    }
    return new Date(until);
  }

  /** Forgets the account's wrong passwords, from every address (and on every server, when shared). */
  async unlock(name: string): Promise<void> {
    const account = foldName(name);
    this.#locked.delete(account);
    if (this.#shared) {
      // Shared counts are deleted rather than left behind a new generation, which other servers would not know.
      const key = this.#accountKey(account);
      await Promise.all([this.#shared.pair.resetKeysStartingWith(`pair:${key}:`), this.#shared.account.resetKey(`account:${key}`)]);
      return;
    }
    this.#generation.set(account, (this.#generation.get(account) ?? 0) + 1);
  }
}

/** Account names compare trimmed and lower-cased, as at sign-in (findUserByName). */
function foldName(name: string): string {
  return name.trim().toLowerCase().slice(0, 100);
}

/** The account a password guess is for: the signed-in user's own, or the name on the sign-in form. */
function accountOf(req: Request): string {
  return req.user ? foldName(req.user.name) : field(req, 'name');
}

/** Classroom joins: limited per join code and nickname, not per address (a class shares one). */
export const joinLimits: RequestHandler[] = [
  windowLimit({
    windowMs: 10 * MINUTE,
    limit: 10,
    key: (req) => `join:${field(req, 'code')}:${field(req, 'nickname')}`,
    message: () => 'Too many tries with this code and nickname. Wait a few minutes and try again.',
  }),
  windowLimit({
    windowMs: 10 * MINUTE,
    limit: 300,
    key: (req) => `join-address:${address(req)}`,
    message: () => 'Too many join attempts from this network. Wait a few minutes and try again.',
  }),
];
