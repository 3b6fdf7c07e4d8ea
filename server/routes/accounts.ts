// Signing in and out, first-start set-up, one-time links, changing one's password, and
// unlocking an account after too many wrong passwords.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Store } from '../storage/store.js';
import {
  AccountError,
  LINK_USED,
  createUser,
  findUserByName,
  isSetupToken,
  setPassword,
  setPasswordWithLink,
  userForLink,
} from '../accounts/users.js';
import { unlockAccount } from '../accounts/unlock.js';
import { adoptOrphanProjects } from '../demo/seed.js';
import { decoyHash, verifyPassword } from '../accounts/passwords.js';
import { requireUser, currentUser } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { csrfField, emptyForm, parseForm } from '../web/forms.js';
import { idParam, queryString } from '../web/params.js';
import type { PasswordGuard } from '../web/security.js';
import { endSession, startSession, type FileSessionStore } from '../web/session.js';
import { seeOther } from '../web/see-other.js';

const signInForm = z.strictObject({
  ...csrfField,
  name: z.string().max(100),
  password: z.string().max(300),
  next: z.string().max(500).default('/'),
});
const newAccountForm = z.strictObject({
  ...csrfField,
  name: z.string().max(100),
  password: z.string().max(300),
  confirm: z.string().max(300),
});
const passwordForm = z.strictObject({ ...csrfField, password: z.string().max(300), confirm: z.string().max(300) });
const changeForm = z.strictObject({
  ...csrfField,
  current: z.string().max(300),
  password: z.string().max(300),
  confirm: z.string().max(300),
});
const unlockForm = z.strictObject({ ...csrfField, next: z.string().max(500).default('/') });
const tokenParam = /^[A-Za-z0-9_-]{20,64}$/;

/** Only local paths may be a redirect target after sign-in (no `//evil.example`). */
function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])/.test(next) ? next : '/';
}

/** A new session at every sign-in (a new id, so a planted one is worthless). */
function signIn(req: Request, userId: string): Promise<void> {
  return startSession(req, (session) => {
    session.userId = userId;
  });
}

export function accounts(store: Store, sessionStore: FileSessionStore, passwords: PasswordGuard): Router {
  const router = Router();
  router.get('/signin', signInPage);
  router.post('/signin', passwords.limits, signInSubmit);
  router.post('/signout', signOut);
  router.get('/setup/:token', setupPage);
  router.post('/setup/:token', setupSubmit);
  router.get('/link/:token', linkPage);
  router.post('/link/:token', linkSubmit);
  router.get('/account', requireUser, accountPage);
  router.post('/account/password', requireUser, passwords.limits, changePassword);
  router.post('/accounts/:userId/unlock', requireUser, unlock);
  return router;

  /** GET /signin */
  function signInPage(req: Request, res: Response) {
    if (req.user) return seeOther(res, safeNext(queryString(req, 'next')));
    res.render('accounts/signin', { next: safeNext(queryString(req, 'next')), name: '', error: null });
  }

  /** POST /signin */
  async function signInSubmit(req: Request, res: Response) {
    const form = parseForm(signInForm, req.body);
    const user = findUserByName(store, form.name);
    // Verify against a decoy for unknown names, so the answer time does not reveal who exists.
    const ok = await verifyPassword(user?.passwordHash || (await decoyHash()), form.password);
    if (!user || !ok || !user.passwordHash) {
      res.locals.failedGuess = true;
      res.status(401).render('accounts/signin', { next: safeNext(form.next), name: form.name, error: 'Wrong name or password.' });
      return;
    }
    await signIn(req, user.id);
    seeOther(res, safeNext(form.next));
  }

  /** POST /signout — ends the session on the server, not just in the browser. */
  async function signOut(req: Request, res: Response) {
    parseForm(emptyForm, req.body);
    await endSession(req);
    res.clearCookie('framelens.sid');
    seeOther(res, '/signin');
  }

  function setupToken(req: Request): string {
    const token = req.params.token;
    if (typeof token !== 'string' || !tokenParam.test(token) || !isSetupToken(store, token)) {
      throw new HttpError(404, 'This set-up link has been used or is not valid.');
    }
    return token;
  }

  /** GET /setup/:token — the one-time link printed at first start. */
  function setupPage(req: Request, res: Response) {
    setupToken(req);
    res.render('accounts/setup', { name: '', error: null });
  }

  /** POST /setup/:token — creates the first researcher. */
  async function setupSubmit(req: Request, res: Response) {
    setupToken(req);
    const form = parseForm(newAccountForm, req.body);
    try {
      if (form.password !== form.confirm) throw new AccountError('The two passwords differ.');
      const user = await createUser(store, form.name, 'researcher', form.password, true);
      await adoptOrphanProjects(store, user.id);
      await signIn(req, user.id);
      seeOther(res, '/');
    } catch (error) {
      if (!(error instanceof AccountError)) throw error;
      res.status(400).render('accounts/setup', { name: form.name, error: error.message });
    }
  }

  function linkUser(req: Request) {
    const token = req.params.token;
    const user = typeof token === 'string' && tokenParam.test(token) ? userForLink(store, token) : undefined;
    if (!user) throw new HttpError(404, LINK_USED);
    return user;
  }

  /** GET /link/:token — a one-time link to choose a password (new account or reset). */
  function linkPage(req: Request, res: Response) {
    res.render('accounts/link', { account: linkUser(req), error: null });
  }

  /** POST /link/:token — works once: of several sent at once, one sets the password, the others get 404. */
  async function linkSubmit(req: Request, res: Response) {
    const user = linkUser(req);
    const token = String(req.params.token);
    const form = parseForm(passwordForm, req.body);
    try {
      if (form.password !== form.confirm) throw new AccountError('The two passwords differ.');
      await setPasswordWithLink(store, token, form.password);
      await sessionStore.endSessionsOf(user.id);
      await signIn(req, user.id);
      seeOther(res, '/');
    } catch (error) {
      if (!(error instanceof AccountError)) throw error;
      res.status(400).render('accounts/link', { account: user, error: error.message });
    }
  }

  /** GET /account */
  function accountPage(req: Request, res: Response) {
    res.render('accounts/account', { error: null, changed: queryString(req, 'changed') === '1' });
  }

  /** POST /account/password */
  async function changePassword(req: Request, res: Response) {
    const user = currentUser(req);
    const form = parseForm(changeForm, req.body);
    try {
      if (!(await verifyPassword(user.passwordHash, form.current))) {
        // Counted like a wrong password at sign-in (passwords.limits).
        res.locals.failedGuess = true;
        throw new AccountError('Your current password is wrong.');
      }
      if (form.password !== form.confirm) throw new AccountError('The two new passwords differ.');
      await setPassword(store, user.id, form.password);
      await sessionStore.endSessionsOf(user.id, req.sessionID);
      seeOther(res, '/account?changed=1');
    } catch (error) {
      if (!(error instanceof AccountError)) throw error;
      res.status(400).render('accounts/account', { error: error.message, changed: false });
    }
  }

  /** POST /accounts/:userId/unlock — a researcher lifts the wrong-password limits from an account. */
  function unlock(req: Request, res: Response) {
    const form = parseForm(unlockForm, req.body);
    const me = currentUser(req);
    if (me.role !== 'researcher') throw new HttpError(403, 'Only researchers can unlock accounts.');
    unlockAccount(store, passwords, me, idParam(req, 'userId'));
    seeOther(res, safeNext(form.next));
  }
}
