// Students in a classroom lesson: join with a code and a nickname (no account), tag the
// article sentence by sentence, and after the reveal see their tags beside the reference.
// Mounted before requireUser: a student is not a user; the session carries `student`.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Annotation, Tag } from '../core/model.js';
import { isJoinCode, normaliseCode } from '../core/classroom/join-code.js';
import { displayNickname } from '../core/classroom/nickname.js';
import { addTag, markReviewed, progress, removeTag, reviewedSentences, unmarkReviewed, updateTag } from '../core/spans.js';
import type { Activity, Student } from '../storage/activity-schemas.js';
import { LIMITS } from '../storage/activity-schemas.js';
import { ActivityError } from '../storage/activities.js';
import type { ActivityCollection } from '../storage/app-store.js';
import type { AppStore } from '../storage/app-store.js';
import { newId } from '../storage/store.js';
import { HttpError, notFound } from '../web/errors.js';
import { FormError, csrfField, emptyForm, forgiving, parseForm, readForm } from '../web/forms.js';
import { joinLimits } from '../web/security.js';
import { codebookCss } from './codebooks.js';
import {
  activityCodebook,
  compareView,
  distributionOf,
  feedbackView,
  lessonArticle,
  lessonVersion,
  lessonVersions,
  revealed,
  sentencesBase,
  studentAnnotation,
  versionFeedback,
  type LessonVersion,
} from '../web/classroom.js';
import { ANNOTATOR_WORDING, sentenceEditor, type Place, type Wording } from '../web/editor/editor.js';
import { sentenceIndex } from '../web/editor/sentence.js';
import { fromTag, tagFields } from '../web/editor/tags.js';
import { seeOther } from '../web/see-other.js';
import { endSession, startSession } from '../web/session.js';

const joinForm = z.strictObject({
  ...csrfField,
  code: z.string().max(40, 'A class code has 6 letters and digits, like ABC 234. Check the code on the board.'),
  nickname: z.string().max(200, `Choose a nickname of 1 to ${LIMITS.nickname} characters. Don’t use your full name.`),
});
const JOIN_LABELS = { code: 'Class code', nickname: 'Nickname' };

/** A student's editor speaks plainly: "words", "done", "what do these words do?". */
const STUDENT_WORDING: Wording = {
  ...ANNOTATOR_WORDING,
  done: 'done',
  progressLabel: 'Sentences you did',
  nothingHere: 'Nothing to tag here — next sentence',
  undoNothingHere: 'Undo “nothing to tag”',
  editHeading: 'Change your tag',
  edit: 'Change',
  span: 'Words',
  spanHint: 'tap the first word in the sentence, then the last one — or choose them here',
  category: 'What do these words do?',
  voice: 'Whose words are they?',
  textHint: 'optional: for example, what is missing',
  definitions: 'What each kind of tag means',
};

export const LESSON_STYLESHEETS = ['/lesson/style.css', '/public/css/classroom.css'];

/** A new session at every join (a new id, as at sign-in), holding only the student. */
function startStudentSession(req: Request, student: { activityId: string; studentId: string }): Promise<void> {
  return startSession(req, (session) => {
    session.student = student;
  });
}

export function lesson(store: AppStore, activities: ActivityCollection): Router {
  const router = Router();
  const editor = sentenceEditor({
    kind: 'lesson',
    view: 'lesson/sentence',
    fields: { intensity: false, text: { name: 'note', max: 1000, required: false } },
    wording: STUDENT_WORDING,
    place,
    checkCanEdit: (req) => {
      const found = joined(req);
      if (!found) throw new HttpError(401, 'Join the lesson first: ask your teacher for the code.');
      checkCanTag(found.activity);
    },
    add: (req, p, tag) =>
      changeStudent(req, (annotation) => {
        const now = new Date().toISOString();
        const stored: Tag = {
          id: tag.id,
          articleId: annotation.articleId,
          annotatorId: annotation.annotatorId,
          sentence: p.index,
          ...tagFields(tag),
          createdAt: tag.createdAt ?? now,
          updatedAt: now,
        };
        addTag(annotation, stored);
      }),
    update: (req, _p, id, fields) => changeStudent(req, (annotation) => updateTag(annotation, id, tagFields(fields), new Date().toISOString())),
    remove: (req, _p, id) => changeStudent(req, (annotation) => removeTag(annotation, id)),
    review: (req, p, reviewed) => changeStudent(req, (annotation) => (reviewed ? markReviewed(annotation, p.index) : unmarkReviewed(annotation, p.index))),
  });
  router.get('/join', joinPage);
  router.post('/join', joinLimits, forgiving('join', join, joinPage));
  router.get('/j/:code', shortLink);
  router.get('/lesson', home);
  router.get('/lesson/style.css', style);
  // A one-article lesson's sentences, and a comparison lesson's versions: the same editor, one
  // text at a time ("Version 2 of 3: …").
  const sentence = (rest = '') => [`/lesson/sentences/:n${rest}`, `/lesson/versions/:version/sentences/:n${rest}`];
  router.get(sentence(), editor.show);
  router.post(sentence('/tags'), editor.create);
  router.post(sentence('/tags/:tagId'), editor.update);
  router.post(sentence('/tags/:tagId/delete'), editor.remove);
  router.post(sentence('/reviewed'), editor.review);
  router.post(sentence('/undo'), editor.undo);
  router.get('/lesson/compare', compare);
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
        versions: (activity.comparison?.versions ?? []).map(() => ({ articleId: activity.id, annotatorId: studentId, reviewed: [], tags: [], updatedAt: '' })),
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
    const versions = lessonVersions(activity).map((v) => {
      const annotation = studentAnnotation(student, v.number);
      const seen = reviewedSentences(annotation);
      return {
        ...v,
        base: sentencesBase(activity, v.number),
        progress: progress(lessonArticle(activity, v.article), annotation),
        sentences: v.article.sentences.map((range, i) => ({
          index: i,
          text: v.article.text.slice(range.start, range.end),
          reviewed: seen.has(i),
          tags: annotation.tags.filter((t) => t.sentence === i).length,
        })),
      };
    });
    // Where "Start" / "Continue" leads: the first version not yet done, at its next sentence.
    const next = versions.find((v) => v.progress.nextSentence !== null) ?? null;
    res.render('lesson/home', {
      activity,
      student,
      versions,
      next: next && { href: `${next.base}/${(next.progress.nextSentence ?? 0) + 1}`, version: next },
      started: versions.some((v) => v.progress.reviewed > 0),
      revealed: revealed(activity),
      stylesheets: LESSON_STYLESHEETS,
    });
  }

  /** The version of the request (`/lesson/versions/:version/…`; 1 on `/lesson/sentences/…`), or 404. */
  function versionOf(req: Request, activity: Activity): LessonVersion {
    const param = req.params.version;
    // A one-article lesson has only /lesson/sentences/…
    const number = param === undefined ? 1 : activity.comparison && /^[1-9]$/.test(String(param)) ? Number(param) : 0;
    const version = lessonVersion(activity, number);
    if (!version) throw notFound('Version');
    return version;
  }

  /** The student's sentence: their own tags only, tagging while the lesson is open. */
  async function place(req: Request, res: Response): Promise<Place | null> {
    const found = current(req, res);
    if (!found) return null;
    const { activity, student } = found;
    const version = versionOf(req, activity);
    const doc = version.article;
    const annotation = studentAnnotation(student, version.number);
    const index = sentenceIndex(req, doc);
    const total = doc.sentences.length;
    const versions = lessonVersions(activity);
    const following = versions[version.number];
    return {
      doc,
      index,
      codebook: activityCodebook(store, activity),
      base: sentencesBase(activity, version.number),
      owner: `${activity.id}:${student.id}:${version.number}`,
      title: `${versions.length > 1 ? `${version.label} · ` : ''}Sentence ${index + 1} · ${activity.title}`,
      tags: annotation.tags
        .filter((t) => t.sentence === index)
        .sort((a, b) => a.start - b.start || a.end - b.end)
        .map(fromTag),
      canEdit: activity.status === 'open' && !revealed(activity),
      reviewed: reviewedSentences(annotation).has(index),
      progress: progress(lessonArticle(activity, doc), annotation),
      others: [],
      // The last sentence of a version leads on to the next version, the last version's to the overview.
      after: index + 1 === total ? (following ? { href: `${sentencesBase(activity, following.number)}/1`, label: following.label } : { href: '/lesson', label: 'Overview' }) : null,
      page: {
        activity,
        student,
        stylesheets: LESSON_STYLESHEETS,
        versionNav: versions.length > 1 ? { current: version.number, versions: versions.map((v) => ({ number: v.number, label: v.label, href: `${sentencesBase(activity, v.number)}/1` })) } : null,
      },
    };
  }

  /** A change to the signed-in student's own tags on the request's version, in the lesson of the session. */
  function changeStudent(req: Request, apply: (annotation: Annotation) => void): Promise<void> {
    const found = joined(req);
    if (!found) throw new HttpError(401, 'Join the lesson first: ask your teacher for the code.');
    return activities.updateStudent(found.activity.id, found.student.id, apply, versionOf(req, found.activity).number);
  }

  /** GET /lesson/feedback — after the reveal: the student's tags beside the reference, with scores. */
  function feedback(req: Request, res: Response) {
    const found = current(req, res);
    if (!found) return;
    const { activity, student } = found;
    const codebook = activityCodebook(store, activity);
    const shown = revealed(activity);
    const students = activities.students(activity.id);
    const versions = lessonVersions(activity);
    res.render('lesson/feedback', {
      activity,
      student,
      codebook,
      revealed: shown,
      feedback: shown && versions.length === 1 ? feedbackView(activity, codebook, student.annotation.tags, distributionOf(activity, students)) : null,
      // A comparison lesson: the feedback on each version in turn.
      versions: shown && versions.length > 1
        ? versions.map((v) => ({ ...v, feedback: versionFeedback(v, codebook, studentAnnotation(student, v.number).tags, distributionOf(activity, students, v.number)) }))
        : [],
      stylesheets: LESSON_STYLESHEETS,
    });
  }

  /** GET /lesson/compare — after the reveal of a comparison lesson: the versions side by side, with the reference and the class's tags. */
  function compare(req: Request, res: Response) {
    const found = current(req, res);
    if (!found) return;
    const { activity, student } = found;
    if (!activity.comparison) throw notFound('Comparison');
    const codebook = activityCodebook(store, activity);
    const shown = revealed(activity);
    res.render('lesson/compare', {
      activity,
      student,
      codebook,
      revealed: shown,
      compare: shown ? compareView(activity, codebook, activities.students(activity.id)) : null,
      stylesheets: [...LESSON_STYLESHEETS, '/public/css/stories.css'],
    });
  }
}
