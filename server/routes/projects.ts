// Projects: the list, a project's page with its articles, creation, settings and members.
import { emptyAnnotation } from '../core/model.js';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { annotatorsOf, assignedTo, canSeeArticle, isResearcher, roleIn } from '../core/access.js';
import { MODE_LABELS, SUGGESTION_MODES, assignGroups, seesSuggestions, type SuggestionMode } from '../core/suggest/design.js';
import { progress } from '../core/spans.js';
import type { Project } from '../storage/schemas.js';
import type { AppStore } from '../storage/app-store.js';
import { newId } from '../storage/store.js';
import { AccountError, findUser, findUserByName, inviteUser, isActive, issueResetLink } from '../accounts/users.js';
import { currentUser } from '../web/auth.js';
import { HttpError, notFound } from '../web/errors.js';
import { FormError, csrfField, emptyForm, forgiving, formFlag, formInt, parseForm, readForm } from '../web/forms.js';
import { flash } from '../web/flash.js';
import type { PendingLinks } from '../accounts/pending-links.js';
import { loadProject, loadedProject, requireResearcher } from '../web/load.js';
import { idParam } from '../web/params.js';
import { DEFAULT_CODEBOOK, userNames } from '../web/views.js';
import { seeOther } from '../web/see-other.js';
import type { PasswordGuard } from '../web/security.js';

const projectForm = z.strictObject({
  ...csrfField,
  name: z.string().trim().min(1, 'Give the project a name.').max(120),
  description: z.string().trim().max(2000).default(''),
  codebookId: z.string().max(64).default(DEFAULT_CODEBOOK),
});
const settingsForm = z.strictObject({
  ...csrfField,
  description: z.string().trim().max(2000).default(''),
  codebookId: z.string({ error: 'Choose a codebook from the list.' }).max(64),
  mode: z.enum(['all', 'balanced'], 'Choose how articles are assigned.'),
  perArticle: formInt(1, 100).default(2),
  open: formFlag,
  suggestions: z.enum(SUGGESTION_MODES).default('off'),
  split: formFlag,
});
// Within a project people annotate or lead the study; a teacher reads its articles to run lessons from them.
const memberForm = z.strictObject({
  ...csrfField,
  name: z.string().trim().min(1, 'Type the name of the person to add.').max(100, 'A name has at most 40 characters.'),
  role: z.enum(['annotator', 'researcher', 'teacher'], 'Choose a role: annotator, researcher or teacher.'),
});
const LABELS = {
  name: 'Name',
  description: 'Description',
  codebookId: 'Codebook',
  mode: 'Assignment',
  perArticle: 'Annotators per article',
  open: 'Open annotations',
  suggestions: 'Framing suggestions',
  split: 'Split design',
  role: 'Role',
};

export function projects(store: AppStore, passwords: PasswordGuard, links: PendingLinks): Router {
  const router = Router();
  const project = loadProject(store);
  router.get('/projects', list);
  router.post('/projects', forgiving('create', create, list));
  router.get('/projects/:projectId', project, show);
  router.post('/projects/:projectId/settings', project, forgiving('settings', update, show));
  router.post('/projects/:projectId/members', project, forgiving('members', addMember, show));
  router.post('/projects/:projectId/members/:userId/reset', project, resetPassword);
  router.post('/projects/:projectId/members/:userId/delete', project, removeMember);
  return router;

  /**
   * Suggestions off, on, or on for half the annotators. Switching them on starts the clock that
   * spares sentences tagged before; split groups, once given, stay (core/suggest/design.ts).
   */
  function setSuggestions(p: Project, mode: SuggestionMode, split: boolean): void {
    const before = p.suggestions;
    if (mode === 'off' && !before) return;
    const since = !before || before.mode === 'off' ? new Date().toISOString() : before.since;
    p.suggestions = { mode, split, since: mode === 'off' ? (before?.since ?? since) : since, groups: assignGroups(p.id, annotatorsOf(p), before?.groups ?? {}) };
  }

  function mine(userId: string): Project[] {
    return store.projects.data.data.projects.filter((p) => roleIn(p, userId));
  }

  /** GET /projects */
  function list(req: Request, res: Response) {
    const user = currentUser(req);
    res.render('projects/list', { projects: mine(user.id), canCreate: user.role === 'researcher', codebooks: store.codebooks(), error: null });
  }

  /** POST /projects — researchers start a project and become its first member. */
  async function create(req: Request, res: Response) {
    const user = currentUser(req);
    if (user.role !== 'researcher') throw new HttpError(403, 'Only researchers can create projects.');
    const form = readForm(projectForm, req.body, LABELS);
    if (!store.codebook(form.codebookId)) throw new FormError({ codebookId: 'Choose a codebook from the list.' });
    const project: Project = {
      id: newId(),
      name: form.name,
      description: form.description,
      codebookId: form.codebookId,
      members: [{ userId: user.id, role: 'researcher' }],
      assignment: { mode: 'all', perArticle: 2, assigned: {} },
      open: false,
      createdAt: new Date().toISOString(),
      createdBy: user.id,
    };
    await store.projects.update((file) => {
      file.data.projects.push(project);
    });
    flash(req, `Project “${project.name}” created. Import an article, then add members.`);
    seeOther(res, `/projects/${project.id}`);
  }

  /** GET /projects/:projectId — the article list, with the user's progress on each. */
  async function show(req: Request, res: Response) {
    const project = loadedProject(req);
    const user = currentUser(req);
    const researcher = isResearcher(project, user.id);
    const seen = store.articles(project.id).filter((a) => canSeeArticle(project, a.id, user.id));
    const mine = await store.readAnnotationsBy(user.id, seen.map((a) => a.id));
    const articles = seen.map((a, i) => ({ article: a, progress: progress(a, mine[i] ?? emptyAnnotation(a.id, user.id)), annotators: assignedTo(project, a.id).length }));
    res.render('projects/show', {
      project,
      articles,
      researcher,
      teacher: roleIn(project, user.id) === 'teacher',
      names: userNames(store),
      locked: researcher ? await lockedMembers(project) : new Map(),
      inactive: new Set(store.users.data.data.users.filter((u) => !isActive(u)).map((u) => u.id)),
      links: researcher ? links.waiting(user.id) : new Set(),
      codebooks: store.codebooks(),
      error: null,
      suggestions: suggestionsNote(project, user.id),
    });
  }

  /** POST /projects/:projectId/settings */
  async function update(req: Request, res: Response) {
    requireResearcher(req);
    const project = loadedProject(req);
    const form = readForm(settingsForm, req.body, LABELS);
    if (!store.codebook(form.codebookId)) throw new FormError({ codebookId: 'Choose a codebook from the list.' });
    await store.updateProject(project.id, (p) => {
      p.description = form.description;
      p.codebookId = form.codebookId;
      p.assignment.mode = form.mode;
      p.assignment.perArticle = form.perArticle;
      p.open = form.open;
      setSuggestions(p, form.suggestions, form.split);
    });
    flash(req, 'Settings saved.');
    seeOther(res, `/projects/${project.id}`);
  }

  /**
   * POST /projects/:projectId/members — adds an existing account, or makes a new one with a
   * one-time link, shown on a page of its own (reloading it shows the link again, never a 409).
   */
  async function addMember(req: Request, res: Response) {
    requireResearcher(req);
    const project = loadedProject(req);
    const me = currentUser(req);
    const form = readForm(memberForm, req.body, LABELS);
    const existing = findUserByName(store, form.name);
    if (existing && roleIn(project, existing.id)) throw new FormError({ name: `${existing.name} is already a member of this project.` }, 409);
    if (existing && form.role === 'teacher' && existing.role !== 'teacher') {
      throw new FormError({ role: `${existing.name}’s account is not a teacher’s: add them as ${existing.role}, or ask an administrator for a teacher account.` });
    }
    let user = existing;
    let token: string | null = null;
    if (!user) {
      try {
        const invited = await inviteUser(store, form.name, form.role);
        user = invited.user;
        token = invited.token;
      } catch (error) {
        if (!(error instanceof AccountError)) throw error;
        throw new FormError({ name: error.message });
      }
    }
    const added = user;
    await store.updateProject(project.id, (p) => {
      if (roleIn(p, added.id)) throw new FormError({ name: `${added.name} is already a member of this project.` }, 409);
      p.members.push({ userId: added.id, role: form.role });
      if (p.suggestions) setSuggestions(p, p.suggestions.mode, p.suggestions.split);
    });
    if (token === null) {
      flash(req, `${added.name} added as ${form.role}.`);
      return seeOther(res, `/projects/${project.id}#members`);
    }
    links.add(me.id, { userId: added.id, token, back: `/projects/${project.id}#members`, kind: 'new account' });
    flash(req, `New account ${added.name} added as ${form.role}.`);
    seeOther(res, `/accounts/${added.id}/link`);
  }

  /** What the project page says about suggestions (stated to everyone: a blind study must say so). */
  function suggestionsNote(project: Project, userId: string) {
    const settings = project.suggestions;
    return {
      modes: SUGGESTION_MODES.map((m) => ({ value: m, label: MODE_LABELS[m] })),
      mode: settings?.mode ?? 'off',
      split: settings?.split ?? false,
      on: settings !== undefined && settings.mode !== 'off',
      label: MODE_LABELS[settings?.mode ?? 'off'],
      seen: seesSuggestions(settings, project.id, userId),
      groups: settings?.split ? settings.groups : {},
    };
  }

  /** Members whose sign-in is refused for too many wrong passwords, and for how many more minutes. */
  async function lockedMembers(project: Project): Promise<Map<string, number>> {
    const locked = new Map<string, number>();
    for (const m of project.members) {
      const user = findUser(store, m.userId);
      const until = user && (await passwords.lockedUntil(user.name));
      if (until) locked.set(m.userId, Math.ceil((until.getTime() - Date.now()) / 60_000));
    }
    return locked;
  }

  function member(req: Request) {
    const project = loadedProject(req);
    const userId = idParam(req, 'userId');
    const user = findUser(store, userId);
    if (!user || !roleIn(project, userId)) throw notFound('Member');
    return user;
  }

  /** POST /projects/:projectId/members/:userId/reset — a one-time link to choose a new password. */
  async function resetPassword(req: Request, res: Response) {
    requireResearcher(req);
    parseForm(emptyForm, req.body);
    const user = member(req);
    const me = currentUser(req).id;
    // Only for annotators wholly within this researcher's projects: adding someone's account to
    // one's own project must not hand over the keys to it.
    const elsewhere = store.projects.data.data.projects.some((p) => roleIn(p, user.id) && !isResearcher(p, me));
    if (user.role !== 'annotator' || elsewhere) {
      throw new HttpError(403, 'You can reset the password only of annotators who work only in your projects. Others change it on their account page, or an administrator makes them a new link on the Accounts page.');
    }
    const token = await issueResetLink(store, user.id);
    const project = loadedProject(req);
    links.add(me, { userId: user.id, token, back: `/projects/${project.id}#members`, kind: user.passwordHash === '' ? 'new account' : 'password reset' });
    flash(req, `New one-time link for ${user.name}: any earlier link for this account no longer works.`);
    seeOther(res, `/accounts/${user.id}/link`);
  }

  /** POST /projects/:projectId/members/:userId/delete — their tags stay, for the record. */
  async function removeMember(req: Request, res: Response) {
    requireResearcher(req);
    parseForm(emptyForm, req.body);
    const project = loadedProject(req);
    const user = member(req);
    if (user.id === currentUser(req).id) throw new HttpError(400, 'You cannot remove yourself from the project.');
    await store.updateProject(project.id, (p) => {
      p.members = p.members.filter((m) => m.userId !== user.id);
    });
    flash(req, `${user.name} removed from the project. Their tags stay, for the record.`);
    seeOther(res, `/projects/${project.id}#members`);
  }
}
