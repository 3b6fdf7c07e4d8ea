// Flash messages: a line saying that a change worked ("Settings saved."), kept in the session
// by the handler that made the change and shown once, on the next page rendered (partials/head).
import type { Request, RequestHandler } from 'express';

declare module 'express-session' {
  interface SessionData {
    /** A message for the next page this session renders, then forgotten. */
    flash?: string;
  }
}

export const MAX_FLASH_LENGTH = 300;

/** Keeps `message` for the next page; a request without a session (a visitor) has nowhere to keep it. */
export function flash(req: Request, message: string): void {
  if (req.session.userId === undefined && req.session.student === undefined) return;
  req.session.flash = message.slice(0, MAX_FLASH_LENGTH);
}

/**
 * Gives views `takeFlash()`, which returns the waiting message and forgets it. Taken when a page
 * is rendered, not when any request arrives, so a stylesheet or a poll does not swallow it.
 */
export const flashes: RequestHandler = (req, res, next) => {
  res.locals.takeFlash = () => {
    const message = req.session.flash;
    if (message === undefined) return null;
    delete req.session.flash;
    return message;
  };
  next();
};
