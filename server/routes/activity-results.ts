// What a classroom activity shows once students have tagged: the class's results against the
// reference (page and CSV), one student's feedback, and the presenter view of one sentence.
import { Router, type Request, type Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import { csvCast } from '../core/export/csv.js';
import { categories } from '../core/codebook.js';
import { compareTags } from '../core/classroom/feedback.js';
import type { ActivityCollection } from '../storage/app-store.js';
import type { AppStore } from '../storage/app-store.js';
import { notFound } from '../web/errors.js';
import { loadActivity, loadedActivity } from '../web/load.js';
import { pieces } from '../web/views.js';
import { sentenceIndex } from '../web/editor/sentence.js';
import { idParam, queryString } from '../web/params.js';
import {
  CLASSROOM_STYLESHEETS,
  POLL_MS,
  activityCodebook,
  categoryFilter,
  classResults,
  compareView,
  dashboardData,
  lessonVersion,
  lessonVersions,
  studentAnnotation,
  versionFeedback,
  distributionOf,
  feedbackView,
  revealed,
  textWords,
} from '../web/classroom.js';

export function activityResults(store: AppStore, activityStore: ActivityCollection): Router {
  const router = Router();
  const activity = loadActivity(activityStore);
  router.get('/activities/:activityId/results', activity, show);
  router.get('/activities/:activityId/results.csv', activity, csv);
  router.get('/activities/:activityId/students/:studentId', activity, student);
  router.get('/activities/:activityId/present/:n', activity, present);
  router.get('/activities/:activityId/compare', activity, compare);
  return router;

  /** GET /activities/:activityId/results — the class's scores and, per reference tag, how the class tagged it. */
  function show(req: Request, res: Response) {
    const activity = loadedActivity(req);
    const book = activityCodebook(store, activity);
    const students = activityStore.students(activity.id);
    res.render('activities/results', {
      activity,
      codebook: book,
      // One section per version (a one-article lesson has one).
      sections: lessonVersions(activity).map((v) => ({ number: v.number, label: v.label, results: classResults(activity, book, students, v.number) })),
      stylesheets: CLASSROOM_STYLESHEETS,
    });
  }

  /** GET /activities/:activityId/compare — a comparison lesson's versions side by side, with the reference and the class's tags. */
  function compare(req: Request, res: Response) {
    const activity = loadedActivity(req);
    const book = activityCodebook(store, activity);
    const view = compareView(activity, book, activityStore.students(activity.id));
    if (!view) throw notFound('Comparison');
    res.render('activities/compare', { activity, codebook: book, compare: view, stylesheets: [...CLASSROOM_STYLESHEETS, '/public/css/stories.css'] });
  }

  /**
   * GET /activities/:activityId/results.csv — one row per student tag and per missed reference tag.
   * A comparison lesson's rows start with the version and its outlet.
   */
  function csv(req: Request, res: Response) {
    const activity = loadedActivity(req);
    const versions = lessonVersions(activity);
    const compared = versions.length > 1;
    const rows: (string | number)[][] = [];
    for (const version of versions) {
      const words = textWords(version.article);
      const text = version.article.text;
      const slice = (t: { start: number; end: number } | null) => (t ? text.slice(t.start, t.end) : '');
      for (const student of activityStore.students(activity.id)) {
        const result = compareTags(words, version.reference, studentAnnotation(student, version.number).tags);
        const f1 = result.overall.f1 === null ? '' : result.overall.f1.toFixed(3);
        for (const s of result.sentences) {
          for (const item of s.items) {
            const mine = item.status === 'missed' ? null : item.tag;
            const ref = item.status === 'extra' ? null : item.reference;
            const row = [student.nickname, s.sentence + 1, slice(mine), mine?.category ?? '', item.status, item.credit.toFixed(3), slice(ref), ref?.category ?? '', f1];
            rows.push(compared ? [version.number, version.outlet, ...row] : row);
          }
        }
      }
    }
    const body = stringify(rows, {
      header: true,
      columns: [...(compared ? ['version', 'outlet'] : []), 'nickname', 'sentence', 'span', 'category', 'status', 'score', 'reference_span', 'reference_category', 'student_f1'],
      cast: csvCast,
    });
    const name = activity.title.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '') || 'activity';
    res.attachment(`${name}-results.csv`);
    res.set('Cache-Control', 'no-store');
    res.type('text/csv').send(body);
  }

  /** GET /activities/:activityId/students/:studentId — one student's feedback, as they see it. */
  function student(req: Request, res: Response) {
    const activity = loadedActivity(req);
    const student = activityStore.student(activity.id, idParam(req, 'studentId'));
    if (!student) throw notFound('Student');
    const book = activityCodebook(store, activity);
    res.render('activities/student', {
      activity,
      student,
      codebook: book,
      feedback: feedbackView(activity, book, student.annotation.tags, distributionOf(activity, activityStore.students(activity.id))),
      versions: activity.comparison
        ? lessonVersions(activity).map((v) => ({ ...v, feedback: versionFeedback(v, book, studentAnnotation(student, v.number).tags, distributionOf(activity, activityStore.students(activity.id), v.number)) }))
        : [],
      stylesheets: CLASSROOM_STYLESHEETS,
    });
  }

  /**
   * GET /activities/:activityId/present/:n?reference=0|1&version= — one sentence, full screen: class
   * heatmap against the reference (of a comparison lesson's `version`, 1 by default).
   */
  function present(req: Request, res: Response) {
    const activity = loadedActivity(req);
    const wanted = queryString(req, 'version') ?? '1';
    const version = /^[1-9]$/.test(wanted) ? lessonVersion(activity, Number(wanted)) : undefined;
    if (!version) throw notFound('Version');
    const doc = version.article;
    const index = sentenceIndex(req, doc);
    const range = doc.sentences[index];
    if (!range) throw notFound('Sentence');
    const book = activityCodebook(store, activity);
    const category = categoryFilter(book, queryString(req, 'category'));
    const students = activityStore.students(activity.id);
    const data = dashboardData(activity, book, students, category);
    const heat = version.number === 1 ? data : (data.versions[version.number - 1] ?? { counts: [], levels: [] });
    const showReference = (queryString(req, 'reference') ?? (revealed(activity) ? '1' : '0')) === '1';
    const reference = version.reference.filter((t) => t.sentence === index).sort((a, b) => a.start - b.start);
    const distribution = distributionOf(activity, students, version.number);
    const text = doc.text;
    const names = new Map(categories(book).map((c) => [c.id, c.name]));
    res.render('activities/present', {
      activity,
      codebook: book,
      categories: categories(book),
      index,
      total: doc.sentences.length,
      version: version.total > 1 ? version : null,
      pieces: pieces(text, range, showReference ? reference : [], textWords(doc)[index] ?? []),
      counts: heat.counts[index] ?? [],
      levels: heat.levels[index] ?? [],
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
      stylesheets: CLASSROOM_STYLESHEETS,
      script: 'dashboard',
    });
  }
}
