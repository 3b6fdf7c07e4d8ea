// Who is asking: loads the signed-in user from the session and guards routes.
import type { RequestHandler } from 'express';
import type { User } from '../storage/schemas.js';
import type { AppStore } from '../storage/app-store.js';
import { findUser, isActive } from '../accounts/users.js';
import { HttpError } from './errors.js';
import { seeOther } from './see-other.js';

declare global {
  namespace Express {
    interface Request {
      user?: User;
    }
  }
}

export function loadUser(store: AppStore): RequestHandler {
  return (req, res, next) => {
    const id = req.session.userId;
    const found = id === undefined ? undefined : findUser(store, id);
    // A deactivated account's sessions are ended; should one remain, it signs nobody in.
    const user = found && isActive(found) ? found : undefined;
    if (user) req.user = user;
    res.locals.user = user ?? null;
    next();
  };
}

/** Signed-out requests: pages send the browser to sign in; anything else gets 401. */
export const requireUser: RequestHandler = (req, res, next) => {
  if (req.user) {
    next();
    return;
  }
  if (req.method === 'GET' || req.method === 'HEAD') {
    seeOther(res, `/signin?next=${encodeURIComponent(req.originalUrl)}`);
    return;
  }
  next(new HttpError(401, 'Please sign in first.'));
};

/** The signed-in user; only for handlers behind requireUser. */
export function currentUser(req: Express.Request): User {
  if (!req.user) throw new HttpError(401, 'Please sign in first.');
  return req.user;
}

/** Only teachers and researchers run classroom lessons; returns the signed-in one. */
export function requireTeacher(req: Express.Request): User {
  const user = currentUser(req);
  if (user.role !== 'teacher' && user.role !== 'researcher') throw new HttpError(403, 'Only teachers and researchers can run classroom lessons.');
  return user;
}
