// Projects: the list, a project's page with its articles, creation, settings and members.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { annotatorsOf, assignedTo, isResearcher, roleIn } from '../core/access.js';
import { MODE_LABELS, SUGGESTION_MODES, assignGroups, seesSuggestions, type SuggestionMode } from '../core/suggest/design.js';
import { progress } from '../core/spans.js';
import type { Project } from '../storage/schemas.js';
import type { Store } from '../storage/store.js';
import { newId } from '../storage/store.js';
import { AccountError, findUser, findUserByName, inviteUser, issueResetLink } from '../accounts/users.js';
import { currentUser } from '../web/auth.js';
import { HttpError, notFound } from '../web/errors.js';
import { csrfField, emptyForm, formFlag, formInt, parseForm } from '../web/forms.js';
import { loadProject, loadedProject, requireResearcher } from '../web/load.js';
import { baseUrl, idParam } from '../web/params.js';
import { DEFAULT_CODEBOOK, userNames } from '../web/views.js';
import { seeOther } from '../web/see-other.js';
import type { PasswordGuard } from '../web/security.js';

const projectForm = z.strictObject({
  ...csrfField,
  name: z.string().trim().min(1, 'give the project a name').max(120),
  description: z.string().trim().max(2000).default(''),
  codebookId: z.string().max(64).default(DEFAULT_CODEBOOK),
});
const settingsForm = z.strictObject({
  ...csrfField,
  description: z.string().trim().max(2000).default(''),
  codebookId: z.string().max(64),
  mode: z.enum(['all', 'balanced']),
  perArticle: formInt(1, 100).default(2),
  open: formFlag,
  suggestions: z.enum(SUGGESTION_MODES).default('off'),
  split: formFlag,
});
// Within a project people annotate or lead the study; teachers run lessons under Lessons instead.
const memberForm = z.strictObject({ ...csrfField, name: z.string().trim().min(1).max(100), role: z.enum(['researcher', 'annotator']) });


export function projects(store: Store, passwords: PasswordGuard): Router {
  const router = Router();
  const project = loadProject(store);
  router.get('/projects', list);
  router.post('/projects', create);
  router.get('/projects/:projectId', project, show);
  router.post('/projects/:projectId/settings', project, update);
  router.post('/projects/:projectId/members', project, addMember);
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
    const form = parseForm(projectForm, req.body);
    if (!store.codebook(form.codebookId)) throw new HttpError(400, 'Choose a codebook from the list.');
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
    seeOther(res, `/projects/${project.id}`);
  }

  /** GET /projects/:projectId — the article list, with the user's progress on each. */
  function show(req: Request, res: Response) {
    const project = loadedProject(req);
    const user = currentUser(req);
    const researcher = isResearcher(project, user.id);
    const articles = store
      .articles(project.id)
      .filter((a) => researcher || assignedTo(project, a.id).includes(user.id))
      .map((a) => ({ article: a, progress: progress(a, store.annotation(a.id, user.id)), annotators: assignedTo(project, a.id).length }));
    res.render('projects/show', {
      project,
      articles,
      researcher,
      names: userNames(store),
      locked: researcher ? lockedMembers(project) : new Map(),
      codebooks: store.codebooks(),
      link: null,
      error: null,
      suggestions: suggestionsNote(project, user.id),
    });
  }

  /** POST /projects/:projectId/settings */
  async function update(req: Request, res: Response) {
    requireResearcher(req);
    const project = loadedProject(req);
    const form = parseForm(settingsForm, req.body);
    if (!store.codebook(form.codebookId)) throw new HttpError(400, 'Choose a codebook from the list.');
    await store.updateProject(project.id, (p) => {
      p.description = form.description;
      p.codebookId = form.codebookId;
      p.assignment.mode = form.mode;
      p.assignment.perArticle = form.perArticle;
      p.open = form.open;
      setSuggestions(p, form.suggestions, form.split);
    });
    seeOther(res, `/projects/${project.id}`);
  }

  /** POST /projects/:projectId/members — adds an existing user, or invites a new one with a one-time link. */
  async function addMember(req: Request, res: Response) {
    requireResearcher(req);
    const project = loadedProject(req);
    const form = parseForm(memberForm, req.body);
    let link: string | null = null;
    let user = findUserByName(store, form.name);
    if (!user) {
      try {
        const invited = await inviteUser(store, form.name, form.role);
        user = invited.user;
        link = `/link/${invited.token}`;
      } catch (error) {
        if (!(error instanceof AccountError)) throw error;
        throw new HttpError(400, error.message);
      }
    }
    const userId = user.id;
    if (roleIn(project, userId)) throw new HttpError(409, `${user.name} is already a member of this project.`);
    await store.updateProject(project.id, (p) => {
      if (roleIn(p, userId)) throw new HttpError(409, `${user.name} is already a member of this project.`);
      p.members.push({ userId, role: form.role });
      if (p.suggestions) setSuggestions(p, p.suggestions.mode, p.suggestions.split);
    });
    if (link) return showWithLink(req, res, `New account ${user.name}: send them this one-time link to choose a password.`, link);
    seeOther(res, `/projects/${project.id}#members`);
  }

  function showWithLink(req: Request, res: Response, message: string, path: string) {
    const project = loadedProject(req);
    const user = currentUser(req);
    const articles = store.articles(project.id).map((a) => ({
      article: a,
      progress: progress(a, store.annotation(a.id, user.id)),
      annotators: assignedTo(project, a.id).length,
    }));
    const link = { message, url: `${baseUrl(req)}${path}` };
    res.render('projects/show', {
      project,
      articles,
      researcher: true,
      names: userNames(store),
      locked: lockedMembers(project),
      codebooks: store.codebooks(),
      link,
      error: null,
      suggestions: suggestionsNote(project, user.id),
    });
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
  function lockedMembers(project: Project): Map<string, number> {
    const locked = new Map<string, number>();
    for (const m of project.members) {
      const user = findUser(store, m.userId);
      const until = user && passwords.lockedUntil(user.name);
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
      throw new HttpError(403, 'You can reset the password only of annotators who work only in your projects. Others change it on their account page, or an administrator uses the command line.');
    }
    const token = await issueResetLink(store, user.id);
    showWithLink(req, res, `Password reset for ${user.name}: the link works once, for 7 days.`, `/link/${token}`);
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
    seeOther(res, `/projects/${project.id}#members`);
  }
}
