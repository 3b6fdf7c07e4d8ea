// A classroom activity's reference: the tags an expert would make, each with a rationale, which
// students' tags are compared with. The teacher writes it sentence by sentence with the same form
// as an annotator's, until the activity ends; a "compare outlets" lesson has one per version
// (`/activities/:id/reference` for version 1, `/activities/:id/versions/:version/reference` after).
import { Router, type Request, type Response } from 'express';
import { categories } from '../core/codebook.js';
import { RuleError } from '../core/spans.js';
import type { Activity, ReferenceTag } from '../storage/activity-schemas.js';
import { LIMITS } from '../storage/activity-schemas.js';
import type { ActivityCollection } from '../storage/app-store.js';
import type { AppStore } from '../storage/app-store.js';
import { loadActivity, loadedActivity } from '../web/load.js';
import { pieces } from '../web/views.js';
import { ANNOTATOR_WORDING, sentenceEditor, type Place, type Wording } from '../web/editor/editor.js';
import { ClosedError, sentenceIndex } from '../web/editor/sentence.js';
import { fromReference, type EditorFields } from '../web/editor/tags.js';
import { CLASSROOM_STYLESHEETS, activityCodebook, activityPath, lessonVersion, type LessonVersion } from '../web/classroom.js';
import { notFound } from '../web/errors.js';

const REFERENCE_WORDING: Wording = {
  ...ANNOTATOR_WORDING,
  heading: 'Reference: sentence',
  progressLabel: '',
  nothingHere: '',
  undoNothingHere: '',
  addHeading: 'Add a reference tag',
  editHeading: 'Edit reference tag',
  save: 'Add to the reference',
  textLabel: 'Rationale',
  textHint: 'one or two sentences students read after the reveal',
  tagsHeading: 'Reference tags on this sentence',
  none: 'None.',
};

type SpanKey = { start: number; end: number; category: string };

function sameTag(a: SpanKey, b: SpanKey): boolean {
  return a.start === b.start && a.end === b.end && a.category === b.category;
}

/** An ended activity's reference is shown read only again, with the reason (403), when a form is sent. */
function editable(activity: Activity): void {
  if (activity.status === 'ended') throw new ClosedError('This activity has ended: its reference can no longer be changed.');
}

function referenceFields(fields: EditorFields) {
  return { start: fields.start, end: fields.end, category: fields.category, voice: fields.voice, rationale: fields.text };
}

/** The version a request is about: 1 on `/reference`, else `:version` of a comparison lesson, or 404. */
function versionNumber(req: Request, activity: Activity): number {
  const param = req.params.version;
  if (param === undefined) return 1;
  const number = activity.comparison && /^[2-9]$/.test(String(param)) ? Number(param) : 0;
  if (!lessonVersion(activity, number)) throw notFound('Version');
  return number;
}

/** The reference tags of a version, as stored (changing the list changes the activity). */
function referenceOf(activity: Activity, number: number): ReferenceTag[] {
  if (number === 1) return activity.reference;
  const version = activity.comparison?.versions[number - 2];
  if (!version) throw notFound('Version');
  return version.reference;
}

/** Where a version's reference is written. */
function referencePath(activity: Activity, number: number): string {
  return number === 1 ? `${activityPath(activity)}/reference` : `${activityPath(activity)}/versions/${number}/reference`;
}

export function activityReference(store: AppStore, activityStore: ActivityCollection): Router {
  const router = Router();
  const activity = loadActivity(activityStore);
  const editor = sentenceEditor({
    kind: 'reference',
    view: 'activities/reference-sentence',
    fields: { intensity: false, text: { name: 'rationale', max: LIMITS.rationale, required: true } },
    wording: REFERENCE_WORDING,
    place,
    checkCanEdit: (req) => editable(loadedActivity(req)),
    add: (req, _place, tag) => {
      const number = versionNumber(req, loadedActivity(req));
      return activityStore.update(loadedActivity(req).id, (a) => {
        const reference = referenceOf(a, number);
        const stored: ReferenceTag = { id: tag.id, sentence: tag.sentence, ...referenceFields(tag) };
        if (reference.some((t) => sameTag(t, stored))) throw new RuleError('The reference already has exactly this span with this category.');
        if (reference.length >= LIMITS.referenceTags) throw new RuleError(`A reference can have at most ${LIMITS.referenceTags} tags.`);
        reference.push(stored);
      });
    },
    update: (req, _place, id, fields) => {
      const number = versionNumber(req, loadedActivity(req));
      return activityStore.update(loadedActivity(req).id, (a) => {
        const reference = referenceOf(a, number);
        const tag = reference.find((t) => t.id === id);
        if (!tag) throw new RuleError('That reference tag no longer exists.');
        if (reference.some((t) => t.id !== id && sameTag(t, fields))) throw new RuleError('The reference already has exactly this span with this category.');
        Object.assign(tag, referenceFields(fields));
      });
    },
    remove: (req, _place, id) => {
      const number = versionNumber(req, loadedActivity(req));
      return activityStore.update(loadedActivity(req).id, (a) => {
        const reference = referenceOf(a, number);
        const at = reference.findIndex((t) => t.id === id);
        if (at < 0) throw new RuleError('That reference tag no longer exists.');
        reference.splice(at, 1);
      });
    },
  });
  const reference = (rest = '') => [`/activities/:activityId/reference${rest}`, `/activities/:activityId/versions/:version/reference${rest}`];
  router.get(reference(), activity, list);
  router.get(reference('/:n'), activity, editor.show);
  router.post(reference('/:n/tags'), activity, editor.create);
  router.post(reference('/:n/tags/:tagId'), activity, editor.update);
  router.post(reference('/:n/tags/:tagId/delete'), activity, editor.remove);
  router.post(reference('/:n/undo'), activity, editor.undo);
  return router;

  /** The request's version with its number, its text and its reference. */
  function versionAt(req: Request): { activity: Activity; number: number; version: LessonVersion; reference: ReferenceTag[]; base: string } {
    const activity = loadedActivity(req);
    const number = versionNumber(req, activity);
    const version = lessonVersion(activity, number);
    if (!version) throw notFound('Version');
    return { activity, number, version, reference: referenceOf(activity, number), base: referencePath(activity, number) };
  }

  /** The teacher's sentence: the reference tags on it, editable until the activity ends. */
  async function place(req: Request, _res: Response): Promise<Place> {
    const { activity, number, version, reference, base } = versionAt(req);
    const index = sentenceIndex(req, version.article);
    const of = version.total > 1 ? ` of version ${number} (${version.outlet})` : '';
    return {
      doc: version.article,
      index,
      codebook: activityCodebook(store, activity),
      base,
      owner: number === 1 ? `${activity.id}:${activity.teacherId}` : `${activity.id}:${activity.teacherId}:${number}`,
      title: `Reference${of}, sentence ${index + 1} · ${activity.title}`,
      tags: reference
        .filter((t) => t.sentence === index)
        .sort((a, b) => a.start - b.start || a.end - b.end)
        .map(fromReference),
      canEdit: activity.status !== 'ended',
      reviewed: null,
      progress: null,
      others: [],
      after: null,
      page: { activity, stylesheets: CLASSROOM_STYLESHEETS, referenceBase: base, versionLabel: version.total > 1 ? version.label : null },
    };
  }

  /** GET /activities/:activityId[/versions/:version]/reference — every sentence with its reference tags. */
  function list(req: Request, res: Response) {
    const { activity, version, reference, base } = versionAt(req);
    const book = activityCodebook(store, activity);
    const text = version.article.text;
    res.render('activities/reference', {
      activity,
      codebook: book,
      categories: categories(book),
      referenceBase: base,
      versionLabel: version.total > 1 ? version.label : null,
      sentences: version.article.sentences.map((range, index) => {
        const tags = reference.filter((t) => t.sentence === index).sort((a, b) => a.start - b.start);
        return { index, pieces: pieces(text, range, tags), tags: tags.map((t) => ({ ...t, text: text.slice(t.start, t.end) })) };
      }),
      stylesheets: CLASSROOM_STYLESHEETS,
    });
  }
}
