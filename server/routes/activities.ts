// Classroom activities, for teachers (and researchers): create a lesson from an article and
// a codebook, run it from a projector-ready dashboard, reveal, end, delete. Its reference is
// written in activity-reference.ts; its results are in activity-results.ts. A teacher sees only
// their own activities; others' answer 404.
import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import QRCode from 'qrcode';
import { z } from 'zod';
import { categories } from '../core/codebook.js';
import { canSeeArticle } from '../core/access.js';
import { segment } from '../core/segmentation.js';
import { formatCode, makeJoinCode } from '../core/classroom/join-code.js';
import { loadDemoLesson } from '../demo/lesson.js';
import type { Activity } from '../storage/activity-schemas.js';
import { LIMITS } from '../storage/activity-schemas.js';
import type { ActivityStore } from '../storage/activities.js';
import type { Store } from '../storage/store.js';
import { newId } from '../storage/store.js';
import { requireTeacher } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { csrfField, emptyForm, parseForm } from '../web/forms.js';
import { findProject, loadActivity, loadedActivity } from '../web/load.js';
import { baseUrl, queryString } from '../web/params.js';
import { endStudentSessions } from '../web/session.js';
import {
  CLASSROOM_STYLESHEETS,
  POLL_MS,
  activityCodebook,
  activityPath,
  categoryFilter,
  dashboardData,
  heatParagraphs,
  revealed,
} from '../web/classroom.js';
import { seeOther } from '../web/see-other.js';

const title = z.string().trim().min(1, 'give the activity a title').max(LIMITS.title);
const createForm = z.discriminatedUnion('from', [
  z.strictObject({ ...csrfField, from: z.literal('demo') }),
  z.strictObject({ ...csrfField, from: z.literal('article'), title, articleId: z.string().max(64), codebookId: z.string().max(64) }),
  z.strictObject({
    ...csrfField,
    from: z.literal('text'),
    title,
    articleTitle: z.string().trim().max(LIMITS.articleTitle).default(''),
    source: z.string().trim().max(LIMITS.source).default(''),
    text: z.string().max(LIMITS.text),
    codebookId: z.string().max(64),
  }),
]);
const deleteForm = z.strictObject({ ...csrfField, confirm: z.literal('yes', 'tick the box to confirm'), what: z.enum(['students', 'activity']) });

export function activities(store: Store, activityStore: ActivityStore): Router {
  const router = Router();
  const activity = loadActivity(activityStore);
  router.get('/activities', list);
  router.get('/activities/new', newPage);
  router.post('/activities', create);
  router.get('/activities/:activityId', activity, show);
  router.get('/activities/:activityId/dashboard.json', activity, dashboardJson);
  router.get('/activities/:activityId/qr.svg', activity, qr);
  router.post('/activities/:activityId/reveal', activity, reveal);
  router.post('/activities/:activityId/end', activity, end);
  router.get('/activities/:activityId/delete', activity, removePage);
  router.post('/activities/:activityId/delete', activity, remove);
  return router;

  function joinUrl(req: Request, activity: Activity): string {
    return `${baseUrl(req)}/j/${activity.code}`;
  }

  /** Articles in the user's projects that they may see, to start a lesson from. */
  function projectArticles(userId: string) {
    return store.articles().filter((a) => {
      const project = findProject(store, a.projectId);
      return project !== undefined && canSeeArticle(project, a.id, userId);
    });
  }

  /** A join code no activity uses yet. */
  function freshCode(): string {
    for (;;) {
      const code = makeJoinCode(randomBytes(6));
      if (!activityStore.byCode(code)) return code;
    }
  }

  /** GET /activities */
  function list(req: Request, res: Response) {
    const user = requireTeacher(req);
    const items = activityStore.activities(user.id).map((a) => ({ activity: a, students: activityStore.students(a.id).length, code: formatCode(a.code) }));
    res.render('activities/list', { items, stylesheets: CLASSROOM_STYLESHEETS });
  }

  /** GET /activities/new */
  function newPage(req: Request, res: Response) {
    renderNew(req, res, 200, null);
  }

  function renderNew(req: Request, res: Response, status: number, error: string | null) {
    const user = requireTeacher(req);
    res.status(status).render('activities/new', {
      codebooks: store.codebooks(),
      articles: projectArticles(user.id),
      error,
      stylesheets: CLASSROOM_STYLESHEETS,
    });
  }

  /** POST /activities — from the ready-made lesson, an article the user can see, or pasted text. */
  async function create(req: Request, res: Response) {
    const user = requireTeacher(req);
    const form = parseForm(createForm, req.body);
    const now = new Date().toISOString();
    const id = newId();
    let activity: Activity;
    if (form.from === 'demo') {
      const demo = await loadDemoLesson();
      if (!store.codebook(demo.codebookId)) throw new HttpError(500, `The ready-made lesson needs the “${demo.codebookId}” codebook, which is missing.`);
      activity = {
        id,
        teacherId: user.id,
        title: demo.title,
        article: demo.article,
        codebookId: demo.codebookId,
        code: freshCode(),
        status: 'open',
        reference: demo.reference.map((r) => ({ id: newId(), ...r })),
        createdAt: now,
        revealedAt: null,
        endedAt: null,
      };
    } else {
      if (!store.codebook(form.codebookId)) return renderNew(req, res, 400, 'Choose a codebook from the list.');
      let article: Activity['article'];
      if (form.from === 'article') {
        const found = projectArticles(user.id).find((a) => a.id === form.articleId);
        if (!found) return renderNew(req, res, 400, 'Choose an article from the list.');
        if (found.text.length > LIMITS.text) return renderNew(req, res, 400, 'That article is too long for a lesson: choose a shorter one or paste an extract.');
        article = { title: found.title, source: found.source, text: found.text, sentences: found.sentences };
      } else {
        const text = form.text.replace(/\r\n?/g, '\n');
        const sentences = segment(text);
        if (sentences.length === 0) return renderNew(req, res, 400, 'Paste the article’s text.');
        article = { title: form.articleTitle || form.title, source: form.source, text, sentences };
      }
      activity = {
        id,
        teacherId: user.id,
        title: form.title,
        article,
        codebookId: form.codebookId,
        code: freshCode(),
        status: 'open',
        reference: [],
        createdAt: now,
        revealedAt: null,
        endedAt: null,
      };
    }
    await activityStore.create(activity);
    seeOther(res, activityPath(activity));
  }

  /** GET /activities/:activityId — the dashboard: join code, who joined, heatmap, most contested. */
  function show(req: Request, res: Response) {
    const activity = loadedActivity(req);
    const book = activityCodebook(store, activity);
    const category = categoryFilter(book, queryString(req, 'category'));
    const data = dashboardData(activity, book, activityStore.students(activity.id), category);
    res.render('activities/show', {
      activity,
      codebook: book,
      categories: categories(book),
      code: formatCode(activity.code),
      joinUrl: joinUrl(req, activity),
      data,
      paragraphs: heatParagraphs(activity),
      pollMs: POLL_MS,
      category,
      stylesheets: CLASSROOM_STYLESHEETS,
      script: 'dashboard',
    });
  }

  /** GET /activities/:activityId/dashboard.json?category= — what the dashboard script polls. */
  function dashboardJson(req: Request, res: Response) {
    const activity = loadedActivity(req);
    const book = activityCodebook(store, activity);
    res.set('Cache-Control', 'no-store');
    res.json(dashboardData(activity, book, activityStore.students(activity.id), categoryFilter(book, queryString(req, 'category'))));
  }

  /** GET /activities/:activityId/qr.svg — the join link as a QR code for the projector. */
  async function qr(req: Request, res: Response) {
    const activity = loadedActivity(req);
    const svg = await QRCode.toString(joinUrl(req, activity), { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    res.type('image/svg+xml').set('Cache-Control', 'private, max-age=300').send(svg);
  }

  // The lesson's stages

  /** POST /activities/:activityId/reveal — students see the reference beside their tags; tagging closes. */
  async function reveal(req: Request, res: Response) {
    const activity = loadedActivity(req);
    parseForm(emptyForm, req.body);
    if (activity.reference.length === 0) throw new HttpError(409, 'Write the reference first: it has no tags yet.');
    if (!revealed(activity)) {
      await activityStore.update(activity.id, (a) => {
        a.revealedAt = new Date().toISOString();
        if (a.status === 'open') a.status = 'revealed';
      });
    }
    seeOther(res, `${activityPath(activity)}/results`);
  }

  /** POST /activities/:activityId/end — no more joins or edits; the code stops working. */
  async function end(req: Request, res: Response) {
    const activity = loadedActivity(req);
    parseForm(emptyForm, req.body);
    await endActivity(activity.id);
    seeOther(res, activityPath(activity));
  }

  async function endActivity(id: string) {
    await activityStore.update(id, (a) => {
      if (a.status !== 'ended') {
        a.status = 'ended';
        a.endedAt = new Date().toISOString();
      }
    });
  }

  // Deleting

  /** GET /activities/:activityId/delete — the confirmation page. */
  function removePage(req: Request, res: Response) {
    const activity = loadedActivity(req);
    const students = activityStore.students(activity.id);
    res.render('activities/remove', {
      activity,
      students: students.length,
      tags: students.reduce((n, s) => n + s.annotation.tags.length, 0),
      error: null,
      stylesheets: CLASSROOM_STYLESHEETS,
    });
  }

  /**
   * POST /activities/:activityId/delete — confirm=yes and what=students (every student's nickname
   * and tags; the activity ends and keeps its reference) or what=activity (everything).
   */
  async function remove(req: Request, res: Response) {
    const activity = loadedActivity(req);
    const form = parseForm(deleteForm, req.body);
    if (form.what === 'students') {
      await endActivity(activity.id);
      await activityStore.removeStudents(activity.id);
    } else {
      await activityStore.remove(activity.id);
    }
    // Drops the sessions of the activity's students, so no id of theirs is left behind.
    await endStudentSessions(store, activity.id);
    seeOther(res, form.what === 'students' ? activityPath(activity) : '/activities');
  }
}
