// Classroom activities, for teachers (and researchers): create a lesson from an article and
// a codebook, run it from a projector-ready dashboard, reveal, end, delete. Its reference is
// written in activity-reference.ts; its results are in activity-results.ts. A teacher sees only
// their own activities; others' answer 404.
import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { categories } from '../core/codebook.js';
import { canSeeArticle } from '../core/access.js';
import { segment } from '../core/segmentation.js';
import { formatCode, makeJoinCode } from '../core/classroom/join-code.js';
import { loadDemoLesson } from '../demo/lesson.js';
import { loadDemoComparison } from '../demo/comparison.js';
import { lessonGroups } from '../core/classroom/compare.js';
import { alignedGroups } from '../core/stories/groups.js';
import { storyAlignment, storyArticles } from '../stories/alignment.js';
import { outletName } from '../stories/view.js';
import { lessonReference } from '../stories/tags.js';
import type { Story } from '../storage/stories.js';
import type { Project } from '../storage/schemas.js';
import { onFirstUse } from '../web/lazy.js';
import type { Activity, Comparison } from '../storage/activity-schemas.js';
import { LIMITS } from '../storage/activity-schemas.js';
import type { ActivityCollection } from '../storage/app-store.js';
import type { AppStore } from '../storage/app-store.js';
import { newId } from '../storage/store.js';
import { requireTeacher } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { FormError, csrfField, emptyForm, forgiving, formList, parseForm, readForm } from '../web/forms.js';
import { flash } from '../web/flash.js';
import { findProject, loadActivity, loadedActivity } from '../web/load.js';
import { baseUrl, queryString } from '../web/params.js';
import type { SessionStore } from '../web/session.js';
import {
  CLASSROOM_STYLESHEETS,
  POLL_MS,
  activityCodebook,
  activityPath,
  categoryFilter,
  dashboardData,
  heatParagraphs,
  lessonVersions,
  referenceCount,
  revealed,
} from '../web/classroom.js';
import { seeOther } from '../web/see-other.js';

/** QR codes are drawn for the projector only: qrcode is loaded then (~65 ms of CPU at start). */
const loadQRCode = onFirstUse(async () => (await import('qrcode')).default);

const title = z.string().trim().min(1, 'Give the activity a title.').max(LIMITS.title);
const codebookId = z.string({ error: 'Choose a codebook from the list.' }).max(64);
const createForm = z.discriminatedUnion('from', [
  z.strictObject({ ...csrfField, from: z.literal('demo') }),
  z.strictObject({ ...csrfField, from: z.literal('demo-compare') }),
  z.strictObject({
    ...csrfField,
    from: z.literal('story'),
    title,
    storyId: z.string({ error: 'Choose a story from the list.' }).max(64),
    articleIds: formList(z.string().max(64), 60),
  }),
  z.strictObject({ ...csrfField, from: z.literal('article'), title, articleId: z.string({ error: 'Choose an article from the list.' }).max(64), codebookId }),
  z.strictObject({
    ...csrfField,
    from: z.literal('text'),
    title,
    articleTitle: z.string().trim().max(LIMITS.articleTitle).default(''),
    source: z.string().trim().max(LIMITS.source).default(''),
    text: z.string().max(LIMITS.text),
    codebookId,
  }),
]);
const LABELS = { title: 'Activity title', articleId: 'Article', storyId: 'Story', articleIds: 'Versions', codebookId: 'Codebook', articleTitle: 'Article headline', source: 'Source', text: 'Article text' };
const deleteForm = z.strictObject({ ...csrfField, confirm: z.literal('yes', 'tick the box to confirm'), what: z.enum(['students', 'activity']) });

/** Which of the new-activity page's forms was sent ("article" or "text"). */
function sentForm(req: Request): string {
  const body: unknown = req.body;
  const from = typeof body === 'object' && body !== null && 'from' in body ? body.from : undefined;
  return from === 'article' || from === 'story' ? from : 'text';
}

/** A story a comparison lesson can be made from, with the articles the user may see. */
interface ProjectStory {
  story: Story;
  project: Project;
  articles: { id: string; title: string; outlet: string; length: number }[];
}

/**
 * A title no activity of the teacher has yet: the ready-made lesson made again is
 * "… (2)", "… (3)", so the list tells them apart.
 */
export function freshTitle(title: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(title)) return title;
  for (let n = 2; ; n++) if (!used.has(`${title} (${n})`)) return `${title} (${n})`;
}

export function activities(store: AppStore, activityStore: ActivityCollection, sessionStore: SessionStore): Router {
  const router = Router();
  const activity = loadActivity(activityStore);
  router.get('/activities', list);
  router.get('/activities/new', newPage);
  router.post('/activities', forgiving(sentForm, create, newPage));
  router.get('/activities/:activityId', activity, show);
  router.get('/activities/:activityId/dashboard.json', activity, dashboardJson);
  router.get('/activities/:activityId/qr.svg', activity, qr);
  router.get('/activities/:activityId/reveal', activity, revealPage);
  router.post('/activities/:activityId/reveal', activity, reveal);
  router.get('/activities/:activityId/end', activity, endPage);
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

  /**
   * Stories in the user's projects with at least two articles they may see (a comparison lesson
   * needs two versions), each with those articles in column order.
   */
  function projectStories(userId: string): ProjectStory[] {
    return store.projects.data.data.projects.flatMap((project) =>
      store.stories.list(project.id).flatMap((story) => {
        const articles = storyArticles(store, story).filter((a) => canSeeArticle(project, a.id, userId));
        return articles.length >= 2 ? [{ story, project, articles: articles.map((a) => ({ id: a.id, title: a.title, outlet: outletName(a), length: a.text.length })) }] : [];
      }),
    );
  }

  /** A comparison lesson's versions from two or three of a story's articles, aligned as the story view aligns them. */
  function storyVersions(found: ProjectStory, articleIds: string[], userId: string): { article: Activity['article']; comparison: Comparison; reference: Activity['reference'] } {
    const story = found.story;
    const chosen = found.articles.filter((a) => articleIds.includes(a.id));
    if (chosen.length < 2 || chosen.length > LIMITS.versions || chosen.length !== new Set(articleIds).size) {
      throw new FormError({ articleIds: `Tick two or three of the story’s articles: the versions students compare.` });
    }
    if (chosen.some((a) => a.length > LIMITS.text)) throw new FormError({ articleIds: 'One of those articles is too long for a lesson: choose shorter ones.' });
    const alignment = storyAlignment(store, story);
    const articles = chosen.map((c) => alignment.articles.find((a) => a.id === c.id)).filter((a) => a !== undefined);
    const ids = articles.map((a) => a.id);
    const links = alignment.merged.links.filter((l) => ids.includes(l.a.article) && ids.includes(l.b.article));
    const groups = lessonGroups(alignedGroups(articles.map((a) => ({ id: a.id, sentenceCount: a.sentences.length })), links), ids);
    // The reference the story view shows comes along: curated gold in settled sentences, the
    // story's reference (the demo's, or a researcher's) elsewhere.
    const versions = articles.map((a) => ({
      article: { title: a.title, source: a.source, text: a.text, sentences: a.sentences },
      reference: lessonReference(store, found.project, story, a, userId)
        .slice(0, LIMITS.referenceTags)
        .map((t) => ({ id: newId(), ...t, rationale: t.rationale.slice(0, LIMITS.rationale) })),
    }));
    const [first, ...others] = versions;
    if (!first) throw new FormError({ articleIds: 'Tick two or three of the story’s articles.' });
    return { article: first.article, reference: first.reference, comparison: { story: story.title, versions: others, groups } };
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
    const user = requireTeacher(req);
    res.render('activities/new', {
      codebooks: store.codebooks(),
      articles: projectArticles(user.id),
      stories: projectStories(user.id),
      stylesheets: CLASSROOM_STYLESHEETS,
    });
  }

  /** POST /activities — from the ready-made lesson, an article the user can see, or pasted text. */
  async function create(req: Request, res: Response) {
    const user = requireTeacher(req);
    const form = readForm(createForm, req.body, LABELS);
    const now = new Date().toISOString();
    const id = newId();
    const titles = activityStore.activities(user.id).map((a) => a.title);
    let activity: Activity;
    if (form.from === 'demo') {
      const demo = await loadDemoLesson();
      if (!store.codebook(demo.codebookId)) throw new HttpError(500, `The ready-made lesson needs the “${demo.codebookId}” codebook, which is missing.`);
      activity = {
        id,
        teacherId: user.id,
        title: freshTitle(demo.title, titles),
        article: demo.article,
        codebookId: demo.codebookId,
        code: freshCode(),
        status: 'open',
        reference: demo.reference.map((r) => ({ id: newId(), ...r })),
        createdAt: now,
        revealedAt: null,
        endedAt: null,
        comparison: null,
      };
    } else if (form.from === 'demo-compare') {
      const demo = await loadDemoComparison();
      if (!store.codebook(demo.codebookId)) throw new HttpError(500, `The ready-made lesson needs the “${demo.codebookId}” codebook, which is missing.`);
      const [first, ...others] = demo.versions.map((v) => ({ article: v.article, reference: v.reference.map((r) => ({ id: newId(), ...r })) }));
      if (!first) throw new HttpError(500, 'The demo story has no articles.');
      activity = {
        id,
        teacherId: user.id,
        title: freshTitle(demo.title, titles),
        article: first.article,
        codebookId: demo.codebookId,
        code: freshCode(),
        status: 'open',
        reference: first.reference,
        createdAt: now,
        revealedAt: null,
        endedAt: null,
        comparison: { story: demo.story, versions: others, groups: demo.groups },
      };
    } else if (form.from === 'story') {
      const found = projectStories(user.id).find((s) => s.story.id === form.storyId);
      if (!found) throw new FormError({ storyId: 'Choose a story from the list.' });
      const codebookId = found.project.codebookId;
      if (!store.codebook(codebookId)) throw new FormError({ storyId: 'That story’s project has no codebook any more.' });
      const { article, reference, comparison } = storyVersions(found, form.articleIds, user.id);
      activity = {
        id,
        teacherId: user.id,
        title: form.title,
        article,
        codebookId,
        code: freshCode(),
        status: 'open',
        reference,
        createdAt: now,
        revealedAt: null,
        endedAt: null,
        comparison,
      };
    } else {
      if (!store.codebook(form.codebookId)) throw new FormError({ codebookId: 'Choose a codebook from the list.' });
      let article: Activity['article'];
      if (form.from === 'article') {
        const found = projectArticles(user.id).find((a) => a.id === form.articleId);
        if (!found) throw new FormError({ articleId: 'Choose an article from the list.' });
        if (found.text.length > LIMITS.text) throw new FormError({ articleId: 'That article is too long for a lesson: choose a shorter one or paste an extract.' });
        article = { title: found.title, source: found.source, text: found.text, sentences: found.sentences };
      } else {
        const text = form.text.replace(/\r\n?/g, '\n');
        const sentences = segment(text);
        if (sentences.length === 0) throw new FormError({ text: 'Paste the article’s text.' });
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
        comparison: null,
      };
    }
    await activityStore.create(activity);
    flash(req, form.from === 'text' ? `“${activity.title}” created. Write its reference next: the tags an expert would make.` : `“${activity.title}” created. Students join with the code below.`);
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
      versions: lessonVersions(activity).map((v) => ({ ...v, paragraphs: v.number === 1 ? [] : heatParagraphs(activity, v.article) })),
      references: referenceCount(activity),
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
    const svg = await (await loadQRCode()).toString(joinUrl(req, activity), { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    res.type('image/svg+xml').set('Cache-Control', 'private, max-age=300').send(svg);
  }

  // The lesson's stages. Revealing and ending cannot be undone: each has a page saying what will
  // happen (GET), whose button does it (POST).

  /** GET /activities/:activityId/reveal — what revealing does, and the button that does it. */
  function revealPage(req: Request, res: Response) {
    const activity = loadedActivity(req);
    res.render('activities/confirm', {
      activity,
      stage: 'reveal',
      references: referenceCount(activity),
      students: activityStore.students(activity.id).length,
      stylesheets: CLASSROOM_STYLESHEETS,
    });
  }

  /** POST /activities/:activityId/reveal — students see the reference beside their tags; tagging closes. */
  async function reveal(req: Request, res: Response) {
    const activity = loadedActivity(req);
    parseForm(emptyForm, req.body);
    if (referenceCount(activity) === 0) throw new HttpError(409, 'Write the reference first: it has no tags yet.');
    if (!revealed(activity)) {
      await activityStore.update(activity.id, (a) => {
        a.revealedAt = new Date().toISOString();
        if (a.status === 'open') a.status = 'revealed';
      });
      flash(req, 'The reference is revealed: students now see their tags beside it, and tagging is closed.');
    }
    seeOther(res, `${activityPath(activity)}/results`);
  }

  /** GET /activities/:activityId/end — what ending does, and the button that does it. */
  function endPage(req: Request, res: Response) {
    const activity = loadedActivity(req);
    res.render('activities/confirm', {
      activity,
      stage: 'end',
      students: activityStore.students(activity.id).length,
      stylesheets: CLASSROOM_STYLESHEETS,
    });
  }

  /** POST /activities/:activityId/end — no more joins or edits; the code stops working. */
  async function end(req: Request, res: Response) {
    const activity = loadedActivity(req);
    parseForm(emptyForm, req.body);
    if (activity.status !== 'ended') flash(req, 'The activity has ended: its code no longer works and tags can no longer change.');
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
    await sessionStore.endStudentSessions(activity.id);
    flash(req, form.what === 'students' ? 'Every student’s nickname and tags are deleted; the activity has ended.' : `“${activity.title}” and all its data are deleted.`);
    seeOther(res, form.what === 'students' ? activityPath(activity) : '/activities');
  }
}
