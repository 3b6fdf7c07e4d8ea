// Students in a classroom lesson: join with a code and a nickname (no account), tag the
// article sentence by sentence, and after the reveal see their tags beside the reference.
// Mounted before requireUser: a student is not a user; the session carries `student`.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Tag } from '../core/model.js';
import { VOICES, VOICE_LABELS } from '../core/model.js';
import { categories } from '../core/codebook.js';
import { isJoinCode, normaliseCode } from '../core/classroom/join-code.js';
import { displayNickname } from '../core/classroom/nickname.js';
import {
  RuleError,
  addTag,
  markReviewed,
  progress,
  removeTag,
  reviewedSentences,
  unmarkReviewed,
  updateTag,
  type TagFields,
} from '../core/spans.js';
import type { Activity, Student } from '../storage/activity-schemas.js';
import { LIMITS } from '../storage/activity-schemas.js';
import { ActivityError, type ActivityStore } from '../storage/activities.js';
import type { Store } from '../storage/store.js';
import { newId } from '../storage/store.js';
import { HttpError, notFound } from '../web/errors.js';
import { FormError, csrfField, emptyForm, forgiving, formInt, parseForm, readForm } from '../web/forms.js';
import { idParam, queryId } from '../web/params.js';
import { joinLimits } from '../web/security.js';
import { codebookCss } from './codebooks.js';
import {
  activityCodebook,
  distributionOf,
  feedbackView,
  lessonArticle,
  revealed,
  sentenceText,
} from '../web/classroom.js';
import { pieces } from '../web/views.js';
import { InputError, echo, sentenceIndex, sentencePath, sentenceView, spanOf } from '../web/sentence-editor.js';
import { seeOther } from '../web/see-other.js';
import { endSession, startSession } from '../web/session.js';

const joinForm = z.strictObject({
  ...csrfField,
  code: z.string().max(40, 'A class code has 6 letters and digits, like ABC 234. Check the code on the board.'),
  nickname: z.string().max(200, `Choose a nickname of 1 to ${LIMITS.nickname} characters. Don’t use your full name.`),
});
const JOIN_LABELS = { code: 'Class code', nickname: 'Nickname' };
const tagForm = z.strictObject({
  ...csrfField,
  first: formInt(0, 10_000),
  last: formInt(0, 10_000),
  category: z.string().max(64),
  voice: z.enum(VOICES).default('author'),
  note: z.string().max(1000).default(''),
});
type TagForm = z.infer<typeof tagForm>;
const reviewForm = z.strictObject({ ...csrfField, reviewed: z.enum(['0', '1']) });

export const LESSON_STYLESHEETS = ['/lesson/style.css', '/public/css/classroom.css'];

/** A new session at every join (a new id, as at sign-in), holding only the student. */
function startStudentSession(req: Request, student: { activityId: string; studentId: string }): Promise<void> {
  return startSession(req, (session) => {
    session.student = student;
  });
}

export function lesson(store: Store, activities: ActivityStore): Router {
  const router = Router();
  router.get('/join', joinPage);
  router.post('/join', joinLimits, forgiving('join', join, joinPage));
  router.get('/j/:code', shortLink);
  router.get('/lesson', home);
  router.get('/lesson/style.css', style);
  router.get('/lesson/sentences/:n', show);
  router.post('/lesson/sentences/:n/tags', create);
  router.post('/lesson/sentences/:n/tags/:tagId', update);
  router.post('/lesson/sentences/:n/tags/:tagId/delete', remove);
  router.post('/lesson/sentences/:n/reviewed', review);
  router.get('/lesson/feedback', feedback);
  router.post('/lesson/leave', leave);
  return router;

  /** The session's activity and student, if both still exist. */
  function joined(req: Request): { activity: Activity; student: Student } | null {
    const s = req.session.student;
    const activity = s && activities.activity(s.activityId);
    const student = s && activity && activities.student(activity.id, s.studentId);
    return activity && student ? { activity, student } : null;
  }

  /** For student pages: the lesson, or (GET) a trip to the join page / (POST) 401. */
  function current(req: Request, res: Response): { activity: Activity; student: Student } | null {
    const found = joined(req);
    if (found) return found;
    if (req.session.student) delete req.session.student;
    if (req.method === 'GET' || req.method === 'HEAD') {
      seeOther(res, '/join');
      return null;
    }
    throw new HttpError(401, 'Join the lesson first: ask your teacher for the code.');
  }

  /** Tagging only while the activity is open: not after the reveal, not after the end. */
  function checkCanTag(activity: Activity): void {
    if (activity.status === 'ended') throw new HttpError(403, 'This lesson has ended: tags can no longer be changed.');
    if (revealed(activity)) throw new HttpError(403, 'Your teacher has revealed the reference: tagging is closed. See how you did.');
  }

  function renderJoin(req: Request, res: Response, status: number, values: { code: string; nickname: string }, error: string | null) {
    const found = joined(req);
    res.status(status).render('lesson/join', {
      code: values.code,
      nickname: values.nickname,
      error,
      current: found && found.activity.status !== 'ended' ? { title: found.activity.title, nickname: found.student.nickname } : null,
      stylesheets: ['/public/css/classroom.css'],
    });
  }

  /** GET /join?code= */
  function joinPage(req: Request, res: Response) {
    const code = typeof req.query.code === 'string' ? normaliseCode(req.query.code).slice(0, 6) : '';
    // res.statusCode: the status of a join form sent back with a problem (forgiving), else 200.
    renderJoin(req, res, res.statusCode, { code, nickname: '' }, null);
  }

  /** GET /j/:code — the short link on the projector and in the QR code. */
  function shortLink(req: Request, res: Response) {
    const code = normaliseCode(String(req.params.code ?? '')).slice(0, 12);
    const activity = isJoinCode(code) ? activities.byCode(code) : undefined;
    if (!activity) return renderJoin(req, res, 404, { code: '', nickname: '' }, 'No lesson has this code. Check the code on the board and type it below.');
    if (activity.status === 'ended') return renderJoin(req, res, 410, { code: '', nickname: '' }, 'This lesson has ended: its code no longer works.');
    seeOther(res, `/join?code=${code}`);
  }

  /** POST /join — code and nickname; limited per code and nickname (a class shares one address). */
  async function join(req: Request, res: Response) {
    const form = readForm(joinForm, req.body, JOIN_LABELS);
    const code = normaliseCode(form.code);
    if (!isJoinCode(code)) throw new FormError({ code: 'A class code has 6 letters and digits, like ABC 234. Check the code on the board.' });
    const activity = activities.byCode(code);
    if (!activity) throw new FormError({ code: 'No lesson has this code. Check the code on the board.' }, 404);
    if (activity.status === 'ended') throw new FormError({ code: 'This lesson has ended: its code no longer works.' }, 410);
    const nickname = displayNickname(form.nickname, LIMITS.nickname);
    if (nickname === null) throw new FormError({ nickname: `Choose a nickname of 1 to ${LIMITS.nickname} characters. Don’t use your full name.` });
    const now = new Date().toISOString();
    const studentId = newId();
    try {
      await activities.addStudent(activity.id, {
        id: studentId,
        nickname,
        joinedAt: now,
        annotation: { articleId: activity.id, annotatorId: studentId, reviewed: [], tags: [], updatedAt: '' },
      });
    } catch (error) {
      if (!(error instanceof ActivityError)) throw error;
      throw new FormError({ nickname: error.message }, 409);
    }
    await startStudentSession(req, { activityId: activity.id, studentId });
    seeOther(res, '/lesson');
  }

  /** POST /lesson/leave — forget the lesson in this browser (the tags stay with the class). */
  async function leave(req: Request, res: Response) {
    parseForm(emptyForm, req.body);
    if (req.session.userId === undefined) {
      // A student's session holds nothing else: end it, so the join page is a visitor's again.
      await endSession(req);
      res.clearCookie('framelens.sid');
    } else {
      delete req.session.student;
    }
    seeOther(res, '/join');
  }

  /** GET /lesson/style.css — the category colours (students cannot load /codebooks/…, which needs an account). */
  function style(req: Request, res: Response) {
    const found = joined(req);
    const codebook = found ? activityCodebook(store, found.activity) : null;
    res.type('text/css').set('Cache-Control', 'no-cache').send(codebook ? codebookCss(codebook) : '');
  }

  /** GET /lesson — the student's overview: progress, sentences, and after the reveal the feedback link. */
  function home(req: Request, res: Response) {
    const found = current(req, res);
    if (!found) return;
    const { activity, student } = found;
    const seen = reviewedSentences(student.annotation);
    const p = progress(lessonArticle(activity), student.annotation);
    res.render('lesson/home', {
      activity,
      student,
      progress: p,
      revealed: revealed(activity),
      sentences: activity.article.sentences.map((_, i) => ({
        index: i,
        text: sentenceText(activity, i),
        reviewed: seen.has(i),
        tags: student.annotation.tags.filter((t) => t.sentence === i).length,
      })),
      stylesheets: LESSON_STYLESHEETS,
    });
  }

  function sentenceOf(req: Request, activity: Activity): number {
    return sentenceIndex(req, activity.article);
  }

  /** GET /lesson/sentences/:n */
  function show(req: Request, res: Response) {
    const found = current(req, res);
    if (!found) return;
    render(req, res, found, 200, null, null);
  }

  function render(
    req: Request,
    res: Response,
    { activity, student }: { activity: Activity; student: Student },
    status: number,
    error: string | null,
    form: Record<string, unknown> | null,
  ) {
    const index = sentenceOf(req, activity);
    const view = sentenceView(activity.article, index);
    const codebook = activityCodebook(store, activity);
    const text = activity.article.text;
    const myTags = student.annotation.tags.filter((t) => t.sentence === index).sort((a, b) => a.start - b.start || a.end - b.end);
    const editId = queryId(req, 'edit');
    const editing = editId === undefined ? null : (myTags.find((t) => t.id === editId) ?? null);
    res.status(status).render('lesson/sentence', {
      activity,
      student,
      codebook,
      categories: categories(codebook),
      index,
      total: activity.article.sentences.length,
      pieces: pieces(text, view.range, myTags, view.words),
      words: view.choices,
      previous: view.previous,
      next: view.next,
      progress: progress(lessonArticle(activity), student.annotation),
      reviewed: reviewedSentences(student.annotation).has(index),
      myTags: myTags.map(view.tagView),
      editing: editing && view.tagView(editing),
      savedId: queryId(req, 'saved') ?? null,
      canTag: activity.status === 'open' && !revealed(activity),
      revealed: revealed(activity),
      voices: VOICES.map((v) => ({ value: v, label: VOICE_LABELS[v] })),
      error,
      form,
      stylesheets: LESSON_STYLESHEETS,
      script: 'annotate',
    });
  }

  function fieldsOf(activity: Activity, index: number, form: TagForm): TagFields {
    const span = spanOf(activity.article, index, form, activityCodebook(store, activity));
    return { ...span, category: form.category, voice: form.voice, intensity: null, note: form.note.trim() };
  }

  /** Runs a change; a broken rule re-renders the sentence with the message and the student's input. */
  async function attempt(req: Request, res: Response, found: { activity: Activity; student: Student }, change: () => Promise<string>) {
    try {
      seeOther(res, await change());
    } catch (error) {
      if (!(error instanceof RuleError) && !(error instanceof ActivityError)) throw error;
      // Re-read: a failed change leaves the stored student as it was.
      const fresh = joined(req) ?? found;
      render(req, res, fresh, error instanceof InputError ? 400 : 409, error.message, echo(req));
    }
  }

  function backTo(index: number, tagId?: string) {
    return sentencePath('/lesson/sentences', index, tagId);
  }

  /** Checks the session, the activity's state and the sentence for a change. */
  function forChange(req: Request, res: Response) {
    const found = current(req, res);
    if (!found) throw new HttpError(401, 'Join the lesson first.');
    checkCanTag(found.activity);
    return { found, index: sentenceOf(req, found.activity) };
  }

  function ownTag(found: { student: Student }, index: number, tagId: string) {
    if (!found.student.annotation.tags.some((t) => t.id === tagId && t.sentence === index)) throw notFound('Tag');
  }

  /** POST /lesson/sentences/:n/tags */
  async function create(req: Request, res: Response) {
    const { found, index } = forChange(req, res);
    const { activity, student } = found;
    await attempt(req, res, found, async () => {
      const fields = fieldsOf(activity, index, parseForm(tagForm, req.body));
      const now = new Date().toISOString();
      const tag: Tag = { id: newId(), articleId: activity.id, annotatorId: student.id, sentence: index, ...fields, createdAt: now, updatedAt: now };
      await activities.updateStudent(activity.id, student.id, (annotation) => addTag(annotation, tag));
      return backTo(index, tag.id);
    });
  }

  /** POST /lesson/sentences/:n/tags/:tagId */
  async function update(req: Request, res: Response) {
    const { found, index } = forChange(req, res);
    const tagId = idParam(req, 'tagId');
    ownTag(found, index, tagId);
    await attempt(req, res, found, async () => {
      const fields = fieldsOf(found.activity, index, parseForm(tagForm, req.body));
      const now = new Date().toISOString();
      await activities.updateStudent(found.activity.id, found.student.id, (annotation) => updateTag(annotation, tagId, fields, now));
      return backTo(index, tagId);
    });
  }

  /** POST /lesson/sentences/:n/tags/:tagId/delete */
  async function remove(req: Request, res: Response) {
    const { found, index } = forChange(req, res);
    const tagId = idParam(req, 'tagId');
    parseForm(emptyForm, req.body);
    ownTag(found, index, tagId);
    await activities.updateStudent(found.activity.id, found.student.id, (annotation) => removeTag(annotation, tagId));
    seeOther(res, backTo(index));
  }

  /** POST /lesson/sentences/:n/reviewed — "nothing to tag here" (or undo), then on to the next sentence. */
  async function review(req: Request, res: Response) {
    const { found, index } = forChange(req, res);
    const form = parseForm(reviewForm, req.body);
    await attempt(req, res, found, async () => {
      await activities.updateStudent(found.activity.id, found.student.id, (annotation) =>
        form.reviewed === '1' ? markReviewed(annotation, index) : unmarkReviewed(annotation, index),
      );
      const next = form.reviewed === '1' && index + 1 < found.activity.article.sentences.length ? index + 1 : index;
      return backTo(next);
    });
  }

  /** GET /lesson/feedback — after the reveal: the student's tags beside the reference, with scores. */
  function feedback(req: Request, res: Response) {
    const found = current(req, res);
    if (!found) return;
    const { activity, student } = found;
    const codebook = activityCodebook(store, activity);
    const shown = revealed(activity);
    res.render('lesson/feedback', {
      activity,
      student,
      codebook,
      revealed: shown,
      feedback: shown ? feedbackView(activity, codebook, student.annotation.tags, distributionOf(activity, activities.students(activity.id))) : null,
      stylesheets: LESSON_STYLESHEETS,
    });
  }
}
