// Classroom activities, for teachers (and researchers): create a lesson from an article and
// a codebook, write the reference, run the lesson from a projector-ready dashboard, reveal,
// export, end, delete. A teacher sees only their own activities; others' answer 404.
import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import { csvCast } from '../core/export/csv.js';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { Codebook } from '../core/model.js';
import { VOICES, VOICE_LABELS } from '../core/model.js';
import { categories, findCategory } from '../core/codebook.js';
import { canSeeArticle } from '../core/access.js';
import { segment } from '../core/segmentation.js';
import { RuleError } from '../core/spans.js';
import { compareTags } from '../core/classroom/feedback.js';
import { formatCode, makeJoinCode } from '../core/classroom/join-code.js';
import { loadDemoLesson } from '../demo/lesson.js';
import type { Activity, ReferenceTag } from '../storage/activity-schemas.js';
import { LIMITS } from '../storage/activity-schemas.js';
import { ActivityError, type ActivityStore } from '../storage/activities.js';
import type { Store } from '../storage/store.js';
import { newId } from '../storage/store.js';
import { currentUser } from '../web/auth.js';
import { HttpError, notFound } from '../web/errors.js';
import { csrfField, formInt, parseForm } from '../web/forms.js';
import { findProject } from '../web/load.js';
import { pieces } from '../web/views.js';
import { InputError, echo, sentenceIndex, sentenceView, spanOf } from '../web/sentence-editor.js';
import { baseUrl, idParam, queryId, queryString } from '../web/params.js';
import {
  activityCodebook,
  classResults,
  dashboardData,
  distributionOf,
  feedbackView,
  heatParagraphs,
  lessonWords,
  revealed,
  sentenceText,
} from '../web/classroom.js';
import { seeOther } from '../web/see-other.js';

const STYLESHEETS = ['/public/css/classroom.css'];
/** How often the dashboard script asks for fresh counts (the brief: within 2 s of a tag). */
export const POLL_MS = 1500;

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
const referenceForm = z.strictObject({
  ...csrfField,
  first: formInt(0, 10_000),
  last: formInt(0, 10_000),
  category: z.string().max(64),
  voice: z.enum(VOICES).default('author'),
  rationale: z.string().max(LIMITS.rationale),
});
const deleteForm = z.strictObject({ ...csrfField, confirm: z.literal('yes', 'tick the box to confirm'), what: z.enum(['students', 'activity']) });
const emptyForm = z.strictObject(csrfField);


export function activities(store: Store, activityStore: ActivityStore): Router {
  const router = Router();
  router.get('/activities', list);
  router.get('/activities/new', newPage);
  router.post('/activities', create);
  router.get('/activities/:activityId', show);
  router.get('/activities/:activityId/dashboard.json', dashboardJson);
  router.get('/activities/:activityId/qr.svg', qr);
  router.get('/activities/:activityId/reference', referenceList);
  router.get('/activities/:activityId/reference/:n', referenceSentence);
  router.post('/activities/:activityId/reference/:n/tags', referenceCreate);
  router.post('/activities/:activityId/reference/:n/tags/:tagId', referenceUpdate);
  router.post('/activities/:activityId/reference/:n/tags/:tagId/delete', referenceRemove);
  router.post('/activities/:activityId/reveal', reveal);
  router.post('/activities/:activityId/end', end);
  router.get('/activities/:activityId/results', results);
  router.get('/activities/:activityId/results.csv', resultsCsv);
  router.get('/activities/:activityId/students/:studentId', studentFeedback);
  router.get('/activities/:activityId/present/:n', present);
  router.get('/activities/:activityId/delete', removePage);
  router.post('/activities/:activityId/delete', remove);
  return router;

  /** Only teachers and researchers run lessons. */
  function teacher(req: Request) {
    const user = currentUser(req);
    if (user.role !== 'teacher' && user.role !== 'researcher') throw new HttpError(403, 'Only teachers and researchers can run classroom lessons.');
    return user;
  }

  /** The activity in the URL, if it is this teacher's; anyone else's is "not found". */
  function load(req: Request): Activity {
    const user = teacher(req);
    const activity = activityStore.activity(idParam(req, 'activityId'));
    if (!activity || activity.teacherId !== user.id) throw notFound('Activity');
    return activity;
  }

  function codebook(activity: Activity): Codebook {
    return activityCodebook(store, activity);
  }

  function joinUrl(req: Request, activity: Activity): string {
    return `${baseUrl(req)}/j/${activity.code}`;
  }

  function base(activity: Activity): string {
    return `/activities/${activity.id}`;
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
    const user = teacher(req);
    const items = activityStore.activities(user.id).map((a) => ({ activity: a, students: activityStore.students(a.id).length, code: formatCode(a.code) }));
    res.render('activities/list', { items, stylesheets: STYLESHEETS });
  }

  /** GET /activities/new */
  function newPage(req: Request, res: Response) {
    renderNew(req, res, 200, null);
  }

  function renderNew(req: Request, res: Response, status: number, error: string | null) {
    const user = teacher(req);
    res.status(status).render('activities/new', {
      codebooks: store.codebooks(),
      articles: projectArticles(user.id),
      error,
      stylesheets: STYLESHEETS,
    });
  }

  /** POST /activities — from the ready-made lesson, an article the user can see, or pasted text. */
  async function create(req: Request, res: Response) {
    const user = teacher(req);
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
    seeOther(res, base(activity));
  }

  function categoryFilter(req: Request, activity: Activity): string {
    const category = queryString(req, 'category') ?? '';
    return category !== '' && findCategory(codebook(activity), category) ? category : '';
  }

  /** GET /activities/:activityId — the dashboard: join code, who joined, heatmap, most contested. */
  function show(req: Request, res: Response) {
    const activity = load(req);
    const book = codebook(activity);
    const category = categoryFilter(req, activity);
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
      stylesheets: STYLESHEETS,
      script: 'dashboard',
    });
  }

  /** GET /activities/:activityId/dashboard.json?category= — what the dashboard script polls. */
  function dashboardJson(req: Request, res: Response) {
    const activity = load(req);
    res.set('Cache-Control', 'no-store');
    res.json(dashboardData(activity, codebook(activity), activityStore.students(activity.id), categoryFilter(req, activity)));
  }

  /** GET /activities/:activityId/qr.svg — the join link as a QR code for the projector. */
  async function qr(req: Request, res: Response) {
    const activity = load(req);
    const svg = await QRCode.toString(joinUrl(req, activity), { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
    res.type('image/svg+xml').set('Cache-Control', 'private, max-age=300').send(svg);
  }

  // Reference

  function editable(activity: Activity): void {
    if (activity.status === 'ended') throw new HttpError(403, 'This activity has ended: its reference can no longer be changed.');
  }

  /** GET /activities/:activityId/reference — every sentence with its reference tags. */
  function referenceList(req: Request, res: Response) {
    const activity = load(req);
    const book = codebook(activity);
    const text = activity.article.text;
    res.render('activities/reference', {
      activity,
      codebook: book,
      categories: categories(book),
      sentences: activity.article.sentences.map((range, index) => {
        const tags = activity.reference.filter((t) => t.sentence === index).sort((a, b) => a.start - b.start);
        return { index, pieces: pieces(text, range, tags), tags: tags.map((t) => ({ ...t, text: text.slice(t.start, t.end) })) };
      }),
      stylesheets: STYLESHEETS,
    });
  }

  function sentenceOf(req: Request, activity: Activity): number {
    return sentenceIndex(req, activity.article);
  }

  /** GET /activities/:activityId/reference/:n — the sentence editor (same form as the annotator's). */
  function referenceSentence(req: Request, res: Response) {
    renderReference(req, res, 200, null, null);
  }

  function renderReference(req: Request, res: Response, status: number, error: string | null, form: Record<string, unknown> | null) {
    const activity = load(req);
    const index = sentenceOf(req, activity);
    const view = sentenceView(activity.article, index);
    const book = codebook(activity);
    const text = activity.article.text;
    const tags = activity.reference.filter((t) => t.sentence === index).sort((a, b) => a.start - b.start || a.end - b.end);
    const editId = queryId(req, 'edit');
    const editing = editId === undefined ? null : (tags.find((t) => t.id === editId) ?? null);
    res.status(status).render('activities/reference-sentence', {
      activity,
      codebook: book,
      categories: categories(book),
      index,
      total: activity.article.sentences.length,
      pieces: pieces(text, view.range, tags, view.words),
      words: view.choices,
      previous: view.previous,
      next: view.next,
      tags: tags.map(view.tagView),
      editing: editing && view.tagView(editing),
      savedId: queryId(req, 'saved') ?? null,
      canEdit: activity.status !== 'ended',
      voices: VOICES.map((v) => ({ value: v, label: VOICE_LABELS[v] })),
      error,
      form,
      stylesheets: STYLESHEETS,
      script: 'annotate',
    });
  }

  function referenceFields(activity: Activity, index: number, form: z.infer<typeof referenceForm>) {
    const span = spanOf(activity.article, index, form, codebook(activity));
    const rationale = form.rationale.trim();
    if (rationale === '') throw new RuleError('Write a rationale: one or two sentences on why an expert tags this.');
    return { sentence: index, ...span, category: form.category, voice: form.voice, rationale };
  }

  async function attemptReference(req: Request, res: Response, change: () => Promise<string>) {
    try {
      seeOther(res, await change());
    } catch (error) {
      if (!(error instanceof RuleError) && !(error instanceof ActivityError)) throw error;
      renderReference(req, res, error instanceof InputError ? 400 : 409, error.message, echo(req));
    }
  }

  function sameTag(a: { start: number; end: number; category: string }, b: { start: number; end: number; category: string }) {
    return a.start === b.start && a.end === b.end && a.category === b.category;
  }

  /** POST /activities/:activityId/reference/:n/tags */
  async function referenceCreate(req: Request, res: Response) {
    const activity = load(req);
    editable(activity);
    const index = sentenceOf(req, activity);
    await attemptReference(req, res, async () => {
      const tag: ReferenceTag = { id: newId(), ...referenceFields(activity, index, parseForm(referenceForm, req.body)) };
      await activityStore.update(activity.id, (a) => {
        if (a.reference.some((t) => sameTag(t, tag))) throw new RuleError('The reference already has exactly this span with this category.');
        if (a.reference.length >= LIMITS.referenceTags) throw new RuleError(`A reference can have at most ${LIMITS.referenceTags} tags.`);
        a.reference.push(tag);
      });
      return `${base(activity)}/reference/${index + 1}?saved=${tag.id}#tag-${tag.id}`;
    });
  }

  function referenceTagOf(req: Request, activity: Activity, index: number): string {
    const tagId = idParam(req, 'tagId');
    if (!activity.reference.some((t) => t.id === tagId && t.sentence === index)) throw notFound('Reference tag');
    return tagId;
  }

  /** POST /activities/:activityId/reference/:n/tags/:tagId */
  async function referenceUpdate(req: Request, res: Response) {
    const activity = load(req);
    editable(activity);
    const index = sentenceOf(req, activity);
    const tagId = referenceTagOf(req, activity, index);
    await attemptReference(req, res, async () => {
      const fields = referenceFields(activity, index, parseForm(referenceForm, req.body));
      await activityStore.update(activity.id, (a) => {
        const tag = a.reference.find((t) => t.id === tagId);
        if (!tag) throw new RuleError('That reference tag no longer exists.');
        if (a.reference.some((t) => t.id !== tagId && sameTag(t, fields))) throw new RuleError('The reference already has exactly this span with this category.');
        Object.assign(tag, fields);
      });
      return `${base(activity)}/reference/${index + 1}?saved=${tagId}#tag-${tagId}`;
    });
  }

  /** POST /activities/:activityId/reference/:n/tags/:tagId/delete */
  async function referenceRemove(req: Request, res: Response) {
    const activity = load(req);
    editable(activity);
    const index = sentenceOf(req, activity);
    const tagId = referenceTagOf(req, activity, index);
    parseForm(emptyForm, req.body);
    await activityStore.update(activity.id, (a) => {
      a.reference = a.reference.filter((t) => t.id !== tagId);
    });
    seeOther(res, `${base(activity)}/reference/${index + 1}`);
  }

  // The lesson's stages

  /** POST /activities/:activityId/reveal — students see the reference beside their tags; tagging closes. */
  async function reveal(req: Request, res: Response) {
    const activity = load(req);
    parseForm(emptyForm, req.body);
    if (activity.reference.length === 0) throw new HttpError(409, 'Write the reference first: it has no tags yet.');
    if (!revealed(activity)) {
      await activityStore.update(activity.id, (a) => {
        a.revealedAt = new Date().toISOString();
        if (a.status === 'open') a.status = 'revealed';
      });
    }
    seeOther(res, `${base(activity)}/results`);
  }

  /** POST /activities/:activityId/end — no more joins or edits; the code stops working. */
  async function end(req: Request, res: Response) {
    const activity = load(req);
    parseForm(emptyForm, req.body);
    await endActivity(activity.id);
    seeOther(res, base(activity));
  }

  async function endActivity(id: string) {
    await activityStore.update(id, (a) => {
      if (a.status !== 'ended') {
        a.status = 'ended';
        a.endedAt = new Date().toISOString();
      }
    });
  }

  // Results

  /** GET /activities/:activityId/results — the class's scores and, per reference tag, how the class tagged it. */
  function results(req: Request, res: Response) {
    const activity = load(req);
    const book = codebook(activity);
    res.render('activities/results', {
      activity,
      codebook: book,
      results: classResults(activity, book, activityStore.students(activity.id)),
      stylesheets: STYLESHEETS,
    });
  }

  /** GET /activities/:activityId/results.csv — one row per student tag and per missed reference tag. */
  function resultsCsv(req: Request, res: Response) {
    const activity = load(req);
    const words = lessonWords(activity);
    const text = activity.article.text;
    const slice = (t: { start: number; end: number } | null) => (t ? text.slice(t.start, t.end) : '');
    const rows: (string | number)[][] = [];
    for (const student of activityStore.students(activity.id)) {
      const result = compareTags(words, activity.reference, student.annotation.tags);
      const f1 = result.overall.f1 === null ? '' : result.overall.f1.toFixed(3);
      for (const s of result.sentences) {
        for (const item of s.items) {
          const mine = item.status === 'missed' ? null : item.tag;
          const ref = item.status === 'extra' ? null : item.reference;
          rows.push([student.nickname, s.sentence + 1, slice(mine), mine?.category ?? '', item.status, item.credit.toFixed(3), slice(ref), ref?.category ?? '', f1]);
        }
      }
    }
    const csv = stringify(rows, {
      header: true,
      columns: ['nickname', 'sentence', 'span', 'category', 'status', 'score', 'reference_span', 'reference_category', 'student_f1'],
      cast: csvCast,
    });
    const name = activity.title.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'activity';
    res.attachment(`${name}-results.csv`);
    res.set('Cache-Control', 'no-store');
    res.type('text/csv').send(csv);
  }

  /** GET /activities/:activityId/students/:studentId — one student's feedback, as they see it. */
  function studentFeedback(req: Request, res: Response) {
    const activity = load(req);
    const student = activityStore.student(activity.id, idParam(req, 'studentId'));
    if (!student) throw notFound('Student');
    const book = codebook(activity);
    res.render('activities/student', {
      activity,
      student,
      codebook: book,
      feedback: feedbackView(activity, book, student.annotation.tags, distributionOf(activity, activityStore.students(activity.id))),
      stylesheets: STYLESHEETS,
    });
  }

  /** GET /activities/:activityId/present/:n?reference=0|1 — one sentence, full screen: class heatmap against the reference. */
  function present(req: Request, res: Response) {
    const activity = load(req);
    const index = sentenceOf(req, activity);
    const range = activity.article.sentences[index];
    if (!range) throw notFound('Sentence');
    const book = codebook(activity);
    const category = categoryFilter(req, activity);
    const students = activityStore.students(activity.id);
    const data = dashboardData(activity, book, students, category);
    const showReference = (queryString(req, 'reference') ?? (revealed(activity) ? '1' : '0')) === '1';
    const reference = activity.reference.filter((t) => t.sentence === index).sort((a, b) => a.start - b.start);
    const distribution = distributionOf(activity, students);
    const text = activity.article.text;
    const names = new Map(categories(book).map((c) => [c.id, c.name]));
    res.render('activities/present', {
      activity,
      codebook: book,
      categories: categories(book),
      index,
      total: activity.article.sentences.length,
      sentence: sentenceText(activity, index),
      pieces: pieces(text, range, showReference ? reference : [], lessonWords(activity)[index] ?? []),
      counts: data.counts[index] ?? [],
      levels: data.levels[index] ?? [],
      joined: data.joined,
      showReference,
      category,
      reference: reference.map((r) => {
        const d = distribution.get(r.id);
        return {
          ...r,
          text: text.slice(r.start, r.end),
          name: names.get(r.category) ?? r.category,
          matched: d?.matched ?? 0,
          missed: d?.missed ?? 0,
          confused: [...(d?.confused ?? [])].map(([c, count]) => ({ name: names.get(c) ?? c, count })).sort((a, b) => b.count - a.count),
        };
      }),
      pollMs: POLL_MS,
      stylesheets: STYLESHEETS,
      script: 'dashboard',
    });
  }

  // Deleting

  /** GET /activities/:activityId/delete — the confirmation page. */
  function removePage(req: Request, res: Response) {
    const activity = load(req);
    const students = activityStore.students(activity.id);
    res.render('activities/remove', {
      activity,
      students: students.length,
      tags: students.reduce((n, s) => n + s.annotation.tags.length, 0),
      error: null,
      stylesheets: STYLESHEETS,
    });
  }

  /**
   * POST /activities/:activityId/delete — confirm=yes and what=students (every student's nickname
   * and tags; the activity ends and keeps its reference) or what=activity (everything).
   */
  async function remove(req: Request, res: Response) {
    const activity = load(req);
    const form = parseForm(deleteForm, req.body);
    if (form.what === 'students') {
      await endActivity(activity.id);
      await activityStore.removeStudents(activity.id);
    } else {
      await activityStore.remove(activity.id);
    }
    await endStudentSessions(activity.id);
    seeOther(res, form.what === 'students' ? base(activity) : '/activities');
  }

  /** Drops the sessions of the activity's students, so no id of theirs is left behind. */
  async function endStudentSessions(activityId: string) {
    await store.sessions.update((file) => {
      for (const [sid, record] of Object.entries(file.data.sessions)) {
        if (record.data.student?.activityId === activityId) delete file.data.sessions[sid];
      }
    });
  }
}
