// Signing in and out, first-start set-up, one-time links, changing one's password, unlocking an
// account after too many wrong passwords, and the page that shows a one-time link to its maker.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppStore } from '../storage/app-store.js';
import {
  AccountError,
  LINK_USED,
  findUser,
  findUserByName,
  hasAdmin,
  isActive,
  isSetupToken,
  nameProblem,
  recordSignIn,
  setPassword,
  setPasswordWithLink,
  userForLink,
} from '../accounts/users.js';
import { createFirstAdmin } from '../accounts/admin.js';
import { unlockAccount } from '../accounts/unlock.js';
import type { PendingLinks } from '../accounts/pending-links.js';
import { decoyHash, passwordProblem, verifyPassword } from '../accounts/passwords.js';
import { requireUser, currentUser } from '../web/auth.js';
import { HttpError, notFound } from '../web/errors.js';
import { FormError, csrfField, forgiving, parseForm, readForm, emptyForm } from '../web/forms.js';
import { flash } from '../web/flash.js';
import { baseUrl, idParam, queryString } from '../web/params.js';
import type { PasswordGuard } from '../web/security.js';
import { endSession, startSession, type SessionStore } from '../web/session.js';
import { seeOther } from '../web/see-other.js';

const signInForm = z.strictObject({
  ...csrfField,
  name: z.string().max(100, 'A name has at most 40 characters.'),
  password: z.string().max(300),
  next: z.string().max(500).default('/'),
});
const newAccountForm = z.strictObject({
  ...csrfField,
  name: z.string().max(100, 'A name has at most 40 characters.'),
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

const LABELS = { name: 'Name', password: 'Password', confirm: 'The password repeated', current: 'Current password' };

/** Only local paths may be a redirect target after sign-in (no `//evil.example`). */
export function safeNext(next: string | undefined): string {
  return next && /^\/(?![/\\])/.test(next) ? next : '/';
}

/** The problems of a new password and its repetition, by field; none when both are fine. */
function passwordProblems(password: string, confirm: string, name: string): Record<string, string> {
  const problem = passwordProblem(password, name);
  if (problem) return { password: problem };
  return password === confirm ? {} : { confirm: 'The two passwords differ: type the same password twice.' };
}

export function accounts(store: AppStore, sessionStore: SessionStore, passwords: PasswordGuard, links: PendingLinks): Router {
  const router = Router();
  router.get('/signin', signInPage);
  router.post('/signin', passwords.limits, forgiving('signin', signInSubmit, signInPage));
  router.post('/signout', signOut);
  router.get('/setup/:token', setupPage);
  router.post('/setup/:token', forgiving('setup', setupSubmit, setupPage));
  router.get('/link/:token', linkPage);
  router.post('/link/:token', forgiving('link', linkSubmit, linkPage));
  router.get('/account', requireUser, accountPage);
  router.post('/account/password', requireUser, passwords.limits, forgiving('password', changePassword, accountPage));
  router.post('/accounts/:userId/unlock', requireUser, unlock);
  router.get('/accounts/:userId/link', requireUser, pendingLink);
  return router;

  /** A new session at every sign-in (a new id, so a planted one is worthless), noted for the Accounts page. */
  async function signIn(req: Request, userId: string): Promise<void> {
    await startSession(req, (session) => {
      session.userId = userId;
    });
    await recordSignIn(store, userId);
  }

  /** GET /signin */
  function signInPage(req: Request, res: Response) {
    if (req.user) return seeOther(res, safeNext(queryString(req, 'next')));
    res.render('accounts/signin', { next: safeNext(queryString(req, 'next')), name: '', error: null, firstRun: !hasAdmin(store) });
  }

  /** POST /signin */
  async function signInSubmit(req: Request, res: Response) {
    const form = readForm(signInForm, req.body, LABELS);
    const user = findUserByName(store, form.name);
    // Verify against a decoy for unknown names, so the answer time does not reveal who exists.
    const ok = await verifyPassword(user?.passwordHash || (await decoyHash()), form.password);
    if (!user || !ok || !user.passwordHash) {
      res.locals.failedGuess = true;
      res.status(401).render('accounts/signin', { next: safeNext(form.next), name: form.name, error: 'Wrong name or password.', firstRun: !hasAdmin(store) });
      return;
    }
    if (!isActive(user)) {
      // Said only to someone who knows the password.
      res.status(403).render('accounts/signin', {
        next: safeNext(form.next),
        name: form.name,
        error: 'This account has been deactivated. Ask an administrator of this Framelens to reactivate it.',
        firstRun: false,
      });
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

  /** GET /setup/:token — the one-time link printed at start while nobody administers accounts. */
  function setupPage(req: Request, res: Response) {
    setupToken(req);
    res.render('accounts/setup', { name: '', error: null });
  }

  /** POST /setup/:token — creates the first researcher, who administers accounts and leads the demo. */
  async function setupSubmit(req: Request, res: Response) {
    setupToken(req);
    const form = readForm(newAccountForm, req.body, LABELS);
    const name = nameProblem(store, form.name);
    const problems = { ...(name ? { name } : {}), ...passwordProblems(form.password, form.confirm, form.name.trim()) };
    if (Object.keys(problems).length > 0) throw new FormError(problems);
    try {
      const user = await createFirstAdmin(store, form.name, form.password);
      await signIn(req, user.id);
      seeOther(res, '/');
    } catch (error) {
      if (!(error instanceof AccountError)) throw error;
      throw new FormError({ name: error.message });
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
    const form = readForm(passwordForm, req.body, LABELS);
    const problems = passwordProblems(form.password, form.confirm, user.name);
    if (Object.keys(problems).length > 0) throw new FormError(problems);
    try {
      await setPasswordWithLink(store, token, form.password);
    } catch (error) {
      if (!(error instanceof AccountError)) throw error;
      throw new FormError({ password: error.message });
    }
    await sessionStore.endSessionsOf(user.id);
    await signIn(req, user.id);
    seeOther(res, '/');
  }

  /** GET /account */
  function accountPage(_req: Request, res: Response) {
    res.render('accounts/account', { error: null });
  }

  /** POST /account/password */
  async function changePassword(req: Request, res: Response) {
    const user = currentUser(req);
    const form = readForm(changeForm, req.body, LABELS);
    if (!(await verifyPassword(user.passwordHash, form.current))) {
      // Counted like a wrong password at sign-in (passwords.limits).
      res.locals.failedGuess = true;
      throw new FormError({ current: 'Your current password is wrong.' });
    }
    const problems = passwordProblems(form.password, form.confirm, user.name);
    if (Object.keys(problems).length > 0) throw new FormError(problems);
    try {
      await setPassword(store, user.id, form.password);
    } catch (error) {
      if (!(error instanceof AccountError)) throw error;
      throw new FormError({ password: error.message });
    }
    await sessionStore.endSessionsOf(user.id, req.sessionID);
    flash(req, 'Password changed. Your other sessions were signed out.');
    seeOther(res, '/account');
  }

  /** POST /accounts/:userId/unlock — an administrator, or a researcher for their members, lifts the wrong-password limits. */
  async function unlock(req: Request, res: Response) {
    const form = parseForm(unlockForm, req.body);
    const me = currentUser(req);
    if (me.role !== 'researcher' && me.admin !== true) throw new HttpError(403, 'Only administrators and researchers can unlock accounts.');
    const user = await unlockAccount(store, passwords, me, idParam(req, 'userId'));
    flash(req, `${user.name} can sign in again.`);
    seeOther(res, safeNext(form.next));
  }

  /**
   * GET /accounts/:userId/link — the one-time link its maker hands on, on a page they can reload,
   * until it is used or replaced. Nobody else sees it (others get 404).
   */
  function pendingLink(req: Request, res: Response) {
    const me = currentUser(req);
    const account = findUser(store, idParam(req, 'userId'));
    const pending = account && links.get(me.id, account.id);
    if (!account || !pending) throw notFound('One-time link');
    res.set('Cache-Control', 'no-store');
    res.render('accounts/pending-link', {
      account,
      kind: pending.link.kind,
      url: pending.waiting ? `${baseUrl(req)}/link/${pending.link.token}` : null,
      used: !pending.waiting && account.resetToken === null && account.passwordHash !== '',
      back: { href: pending.link.back, text: pending.link.back.startsWith('/accounts') ? 'Back to Accounts' : 'Back to the project’s members' },
    });
  }
}
