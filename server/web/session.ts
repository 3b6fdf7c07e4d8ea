// Browser sessions, kept in the store's session log so they survive a restart. Only people who
// signed in (or students who joined a lesson) have one: visitors' forms carry a double-submit
// CSRF token instead (web/security.ts), so looking at a page stores nothing.
import session, { type SessionData } from 'express-session';
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { Store as DataStore } from '../storage/store.js';
import type { StoredSessionData } from '../storage/schemas.js';
import type { SessionRecord } from '../storage/session-log.js';
import { csrf } from './security.js';

declare module 'express-session' {
  interface SessionData {
    userId?: string;
    student?: { activityId: string; studentId: string };
    address?: string;
  }
}

/** Idle expiry: a session unused for this long is ended. */
export const IDLE_MS = 8 * 60 * 60 * 1000;
/** The browser keeps the cookie this long; the server ends the session after IDLE_MS unused. */
const COOKIE_MS = 30 * 24 * 60 * 60 * 1000;
/** Expiry refreshes (touch) are written in batches, not on every request. */
export const TOUCH_FLUSH_MS = 60 * 1000;
/**
 * Sessions one client address may hold. A school's whole class signs in or joins from one
 * address, so the cap is generous; past it, the address's least recently used session ends.
 */
export const SESSIONS_PER_ADDRESS = 500;

export function toStored(data: SessionData): StoredSessionData {
  const { cookie, userId, student, csrfToken, address, flash } = data;
  return {
    cookie: {
      originalMaxAge: cookie.originalMaxAge,
      expires: cookie.expires ?? null,
      httpOnly: cookie.httpOnly,
      path: cookie.path,
      secure: cookie.secure,
      sameSite: cookie.sameSite,
    },
    ...(userId === undefined ? {} : { userId }),
    ...(student === undefined ? {} : { student }),
    ...(typeof csrfToken === 'string' ? { csrfToken } : {}),
    ...(address === undefined ? {} : { address }),
    ...(flash === undefined ? {} : { flash }),
  };
}

/** Equal but for the cookie's expiry date (express-session computes it anew for every save). */
function sameSession(a: StoredSessionData, b: StoredSessionData): boolean {
  const plain = (d: StoredSessionData) => JSON.stringify({ ...d, cookie: { ...d.cookie, expires: null } });
  return plain(a) === plain(b);
}

/**
 * What the app asks of a session store beyond express-session's own methods: the JSON folder's
 * (FileSessionStore) or the database's, shared by several servers (SharedSessionStore).
 */
export interface SessionStore extends session.Store {
  /** Ends every session of a user but `except` (after a password change or reset). */
  endSessionsOf(userId: string, except?: string): Promise<void>;
  /** Ends every student session of a lesson whose students were deleted, leaving no trace of them. */
  endStudentSessions(activityId: string): Promise<void>;
}

export class FileSessionStore extends session.Store implements SessionStore {
  readonly #data: DataStore;

  constructor(data: DataStore) {
    super();
    this.#data = data;
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    const record = this.#data.sessions.get(sid);
    if (!record) {
      callback(null, null);
      return;
    }
    callback(null, { ...record.data, cookie: { ...record.data.cookie } });
  }

  override set(sid: string, data: SessionData, callback?: (err?: unknown) => void): void {
    const log = this.#data.sessions;
    const existing = log.get(sid);
    const stored = toStored(data);
    // express-session saves a regenerated session once more at the end of the request: unchanged, that is a touch.
    if (existing && sameSession(existing.data, stored)) {
      log.touch(sid, Date.now() + IDLE_MS, TOUCH_FLUSH_MS);
      callback?.();
      return;
    }
    const isNew = existing === undefined;
    const ending = isNew && stored.address !== undefined ? this.#overCap(stored.address) : [];
    Promise.all([log.set(sid, { expires: Date.now() + IDLE_MS, data: stored }), log.remove(ending)]).then(() => callback?.(), callback);
  }

  /** The least recently used sessions of an address that a new one would take over the cap. */
  #overCap(address: string): string[] {
    const mine = [...this.#data.sessions.entries()].filter(([, record]) => record.data.address === address);
    if (mine.length < SESSIONS_PER_ADDRESS) return [];
    mine.sort(([, a], [, b]) => a.expires - b.expires);
    return mine.slice(0, mine.length - SESSIONS_PER_ADDRESS + 1).map(([sid]) => sid);
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.#data.sessions.remove([sid]).then(() => callback?.(), callback);
  }

  /** Refreshes the idle expiry in memory; the new expiry reaches disk within a minute. */
  override touch(sid: string, _data: SessionData, callback?: () => void): void {
    this.#data.sessions.touch(sid, Date.now() + IDLE_MS, TOUCH_FLUSH_MS);
    callback?.();
  }

  /** Ends every session of a user (after a password change or reset). */
  async endSessionsOf(userId: string, except?: string): Promise<void> {
    await this.#data.sessions.removeWhere((record, sid) => record.data.userId === userId && sid !== except);
  }

  endStudentSessions(activityId: string): Promise<void> {
    return endStudentSessions(this.#data, activityId);
  }
}

/** Sessions kept where every server sees them (storage/postgres/sessions.ts). */
export interface SharedSessions {
  get(sid: string): Promise<SessionRecord | undefined>;
  set(sid: string, record: SessionRecord, perAddress: number): Promise<void>;
  touch(sid: string, expires: number): void;
  remove(sid: string): Promise<void>;
  removeOfUser(userId: string, except?: string): Promise<void>;
  removeOfActivity(activityId: string): Promise<void>;
}

/** express-session over sessions shared by several servers: the same rules as FileSessionStore's. */
export class SharedSessionStore extends session.Store implements SessionStore {
  readonly #sessions: SharedSessions;

  constructor(sessions: SharedSessions) {
    super();
    this.#sessions = sessions;
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    this.#sessions.get(sid).then((record) => callback(null, record ? { ...record.data, cookie: { ...record.data.cookie } } : null), callback);
  }

  override set(sid: string, data: SessionData, callback?: (err?: unknown) => void): void {
    this.#sessions.set(sid, { expires: Date.now() + IDLE_MS, data: toStored(data) }, SESSIONS_PER_ADDRESS).then(() => callback?.(), callback);
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.#sessions.remove(sid).then(() => callback?.(), callback);
  }

  /** Moves the idle expiry on; the database has it within TOUCH_FLUSH_MS (the server that took it, at once). */
  override touch(sid: string, _data: SessionData, callback?: () => void): void {
    this.#sessions.touch(sid, Date.now() + IDLE_MS);
    callback?.();
  }

  endSessionsOf(userId: string, except?: string): Promise<void> {
    return this.#sessions.removeOfUser(userId, except);
  }

  endStudentSessions(activityId: string): Promise<void> {
    return this.#sessions.removeOfActivity(activityId);
  }
}

/**
 * Ends every student session of a lesson whose students were deleted, and rewrites the session
 * log so that no line about them is left on disk.
 */
export function endStudentSessions(data: DataStore, activityId: string): Promise<void> {
  return data.sessions.removeWhere((record) => record.data.student?.activityId === activityId, { purge: true });
}

export function sessions(options: { secret: string; secureCookies: boolean; store: SessionStore }): RequestHandler {
  return session({
    name: 'framelens.sid',
    secret: options.secret,
    store: options.store,
    resave: false,
    // Nothing is stored until a handler starts a session (startSession): a visitor has none.
    saveUninitialized: false,
    // Idle expiry is kept on the server (touch moves `expires`; get refuses a stale session), so
    // the cookie need not be re-signed and re-sent on every response.
    rolling: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: options.secureCookies, maxAge: COOKIE_MS },
  });
}

/**
 * Starts a session for someone who just signed in or joined a lesson: a new session id (a
 * planted one is worthless: no session fixation), their client address (for the cap), its CSRF
 * token, and whatever `fill` puts in, saved once.
 */
export function startSession(req: Request, fill: (data: SessionData) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    req.session.regenerate((error: unknown) => {
      if (error) return reject(error);
      req.session.address = ipKeyGenerator(req.ip ?? 'unknown');
      fill(req.session);
      csrf.generateToken(req, true);
      req.session.save((saveError: unknown) => (saveError ? reject(saveError) : resolve()));
    });
  });
}

/** Ends the request's session on the server, not just in the browser. */
export function endSession(req: Request): Promise<void> {
  return new Promise<void>((resolve, reject) => req.session.destroy((e: unknown) => (e ? reject(e) : resolve())));
}
