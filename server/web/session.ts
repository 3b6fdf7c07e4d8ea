// Browser sessions, kept in sessions.json so they survive a restart.
import session, { type SessionData } from 'express-session';
import type { RequestHandler } from 'express';
import type { Store as DataStore } from '../storage/store.js';
import type { StoredSessionData } from '../storage/schemas.js';

declare module 'express-session' {
  interface SessionData {
    userId?: string;
    student?: { activityId: string; studentId: string };
  }
}

/** Idle expiry: a session unused for this long is ended. */
export const IDLE_MS = 8 * 60 * 60 * 1000;
/** The browser keeps the cookie this long; the server ends the session after IDLE_MS unused. */
const COOKIE_MS = 30 * 24 * 60 * 60 * 1000;
/** Expiry refreshes (touch) are written in batches, not on every request. */
const TOUCH_FLUSH_MS = 60 * 1000;

function toStored(data: SessionData): StoredSessionData {
  const { cookie, userId, student, csrfToken } = data;
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
  };
}

export class FileSessionStore extends session.Store {
  readonly #data: DataStore;
  #flushTimer: NodeJS.Timeout | null = null;

  constructor(data: DataStore) {
    super();
    this.#data = data;
  }

  override get(sid: string, callback: (err: unknown, session?: SessionData | null) => void): void {
    const record = this.#data.sessions.data.data.sessions[sid];
    if (!record || record.expires <= Date.now()) {
      callback(null, null);
      return;
    }
    callback(null, { ...record.data, cookie: { ...record.data.cookie } });
  }

  override set(sid: string, data: SessionData, callback?: (err?: unknown) => void): void {
    const now = Date.now();
    this.#data.sessions
      .update((file) => {
        const sessions = file.data.sessions;
        // Sweep dead sessions whenever we write anyway, so the file stays small.
        for (const [id, record] of Object.entries(sessions)) if (record.expires <= now) delete sessions[id];
        sessions[sid] = { expires: now + IDLE_MS, data: toStored(data) };
      })
      .then(() => callback?.(), callback);
  }

  override destroy(sid: string, callback?: (err?: unknown) => void): void {
    this.#data.sessions
      .update((file) => {
        delete file.data.sessions[sid];
      })
      .then(() => callback?.(), callback);
  }

  /** Refreshes the idle expiry in memory; the new expiry reaches disk within a minute. */
  override touch(sid: string, _data: SessionData, callback?: () => void): void {
    const record = this.#data.sessions.data.data.sessions[sid];
    if (record) record.expires = Date.now() + IDLE_MS;
    this.#flushTimer ??= setTimeout(() => {
      this.#flushTimer = null;
      this.#data.sessions.update(() => {}).catch(() => {});
    }, TOUCH_FLUSH_MS).unref();
    callback?.();
  }

  /** Ends every session of a user (after a password change or reset). */
  async endSessionsOf(userId: string, except?: string): Promise<void> {
    await this.#data.sessions.update((file) => {
      for (const [sid, record] of Object.entries(file.data.sessions)) {
        if (record.data.userId === userId && sid !== except) delete file.data.sessions[sid];
      }
    });
  }
}

export function sessions(data: DataStore, options: { secureCookies: boolean; store: FileSessionStore }): RequestHandler {
  return session({
    name: 'framelens.sid',
    secret: data.instance.data.data.sessionSecret,
    store: options.store,
    resave: false,
    saveUninitialized: false,
    // Idle expiry is kept on the server (touch moves `expires`; get refuses a stale session), so
    // the cookie need not be re-signed and re-sent on every response.
    rolling: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: options.secureCookies, maxAge: COOKIE_MS },
  });
}
