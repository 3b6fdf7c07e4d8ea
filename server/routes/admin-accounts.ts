// The Accounts page, for administrators: every account with its role, state and last sign-in;
// new accounts of every role, each with a one-time link; reset links; deactivating and
// reactivating; naming administrators. (Unlocking is POST /accounts/:userId/unlock, in accounts.ts.)
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { ROLES, type User } from '../storage/schemas.js';
import type { AppStore } from '../storage/app-store.js';
import { roleIn } from '../core/access.js';
import { AccountError, findUser, inviteUser, isActive, issueResetLink, nameProblem } from '../accounts/users.js';
import { isAdmin, setActive, setAdmin } from '../accounts/admin.js';
import type { PendingLinks } from '../accounts/pending-links.js';
import { currentUser } from '../web/auth.js';
import { HttpError, notFound } from '../web/errors.js';
import { FormError, csrfField, emptyForm, forgiving, formFlag, parseForm, readForm } from '../web/forms.js';
import { flash } from '../web/flash.js';
import { idParam } from '../web/params.js';
import type { PasswordGuard } from '../web/security.js';
import type { SessionStore } from '../web/session.js';
import { seeOther } from '../web/see-other.js';

const accountForm = z.strictObject({
  ...csrfField,
  name: z.string().trim().min(1, 'Give the account a name.').max(100, 'A name has at most 40 characters.'),
  role: z.enum(ROLES, 'Choose a role: annotator, researcher or teacher.'),
  admin: formFlag,
});
const adminForm = z.strictObject({ ...csrfField, admin: z.enum(['0', '1']) });
const LABELS = { name: 'Name', role: 'Role', admin: 'Administrator' };

export function adminAccounts(store: AppStore, sessionStore: SessionStore, passwords: PasswordGuard, links: PendingLinks): Router {
  const router = Router();
  router.get('/accounts', list);
  router.post('/accounts', forgiving('create', create, list));
  router.post('/accounts/:userId/reset', reset);
  router.post('/accounts/:userId/deactivate', deactivate);
  router.post('/accounts/:userId/reactivate', reactivate);
  router.post('/accounts/:userId/admin', changeAdmin);
  return router;

  function requireAdmin(req: Request): User {
    const me = currentUser(req);
    if (!isAdmin(me)) throw new HttpError(403, 'Only administrators can manage accounts. Ask the person who set up this Framelens.');
    return me;
  }

  /** The account in the URL (administrators only). */
  function account(req: Request): User {
    requireAdmin(req);
    const user = findUser(store, idParam(req, 'userId'));
    if (!user) throw notFound('Account');
    return user;
  }

  /** GET /accounts */
  async function list(req: Request, res: Response) {
    const me = requireAdmin(req);
    const now = new Date().toISOString();
    const waiting = links.waiting(me.id);
    const projects = store.projects.data.data.projects;
    const users = [...store.users.data.data.users].sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }));
    const locks = await Promise.all(users.map((user) => passwords.lockedUntil(user.name)));
    const rows = users
      .map((user, i) => {
        const until = locks[i] ?? null;
        return {
          user,
          me: user.id === me.id,
          active: isActive(user),
          admin: user.admin === true,
          /** Still to choose a first password through a one-time link. */
          invited: user.passwordHash === '',
          linkOpen: user.resetToken !== null && user.resetToken.expiresAt > now,
          linkHere: waiting.has(user.id),
          lockedMinutes: until ? Math.ceil((until.getTime() - Date.now()) / 60_000) : 0,
          projects: projects.filter((p) => roleIn(p, user.id) !== null).length,
        };
      });
    res.set('Cache-Control', 'no-store');
    res.render('accounts/list', { rows, roles: ROLES });
  }

  /** POST /accounts — a new account of any role, with a one-time link to choose its password. */
  async function create(req: Request, res: Response) {
    const me = requireAdmin(req);
    const form = readForm(accountForm, req.body, LABELS);
    const problem = nameProblem(store, form.name);
    if (problem) throw new FormError({ name: problem });
    let invited: Awaited<ReturnType<typeof inviteUser>>;
    try {
      invited = await inviteUser(store, form.name, form.role, { admin: form.admin });
    } catch (error) {
      if (!(error instanceof AccountError)) throw error;
      throw new FormError({ name: error.message });
    }
    links.add(me.id, { userId: invited.user.id, token: invited.token, back: '/accounts', kind: 'new account' });
    flash(req, `Account ${invited.user.name} (${form.role}${form.admin ? ', administrator' : ''}) created.`);
    seeOther(res, `/accounts/${invited.user.id}/link`);
  }

  /** POST /accounts/:userId/reset — a new one-time link; the old password stops working once it is used. */
  async function reset(req: Request, res: Response) {
    const me = requireAdmin(req);
    parseForm(emptyForm, req.body);
    const user = account(req);
    if (!isActive(user)) throw new HttpError(409, `${user.name}’s account is deactivated: reactivate it first.`);
    const token = await issueResetLink(store, user.id);
    const kind = user.passwordHash === '' ? 'new account' : 'password reset';
    links.add(me.id, { userId: user.id, token, back: '/accounts', kind });
    flash(req, `New one-time link for ${user.name}: any earlier link for this account no longer works.`);
    seeOther(res, `/accounts/${user.id}/link`);
  }

  /** POST /accounts/:userId/deactivate — no more sign-ins; the account's sessions end now. */
  async function deactivate(req: Request, res: Response) {
    const me = requireAdmin(req);
    parseForm(emptyForm, req.body);
    const user = await changed(() => setActive(store, me, account(req).id, false));
    await sessionStore.endSessionsOf(user.id);
    flash(req, `${user.name} is deactivated and signed out everywhere. Their tags and projects stay.`);
    seeOther(res, '/accounts');
  }

  /** POST /accounts/:userId/reactivate */
  async function reactivate(req: Request, res: Response) {
    const me = requireAdmin(req);
    parseForm(emptyForm, req.body);
    const user = await changed(() => setActive(store, me, account(req).id, true));
    flash(req, `${user.name} can sign in again.`);
    seeOther(res, '/accounts');
  }

  /** POST /accounts/:userId/admin — admin=1 names the account an administrator, admin=0 no longer. */
  async function changeAdmin(req: Request, res: Response) {
    const me = requireAdmin(req);
    const form = parseForm(adminForm, req.body);
    const user = await changed(() => setAdmin(store, me, account(req).id, form.admin === '1'));
    flash(req, form.admin === '1' ? `${user.name} is now an administrator.` : `${user.name} is no longer an administrator.`);
    seeOther(res, '/accounts');
  }

  /** A refused change (one's own account) is the user's 409, with its reason. */
  async function changed(change: () => Promise<User>): Promise<User> {
    try {
      return await change();
    } catch (error) {
      if (!(error instanceof AccountError)) throw error;
      throw new HttpError(409, error.message);
    }
  }
}
