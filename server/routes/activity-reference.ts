// A classroom activity's reference: the tags an expert would make, each with a rationale, which
// students' tags are compared with. The teacher writes it sentence by sentence with the same form
// as an annotator's, until the activity ends.
import { Router, type Request, type Response } from 'express';
import { categories } from '../core/codebook.js';
import { RuleError } from '../core/spans.js';
import type { Activity, ReferenceTag } from '../storage/activity-schemas.js';
import { LIMITS } from '../storage/activity-schemas.js';
import type { ActivityStore } from '../storage/activities.js';
import type { Store } from '../storage/store.js';
import { loadActivity, loadedActivity } from '../web/load.js';
import { pieces } from '../web/views.js';
import { sentenceEditor, type Place, type Wording } from '../web/editor/editor.js';
import { ClosedError, sentenceIndex } from '../web/editor/sentence.js';
import { fromReference, type EditorFields } from '../web/editor/tags.js';
import { CLASSROOM_STYLESHEETS, activityCodebook, activityPath } from '../web/classroom.js';

const REFERENCE_WORDING: Wording = {
  heading: 'Reference: sentence',
  done: 'reviewed',
  progressLabel: '',
  nothingHere: '',
  undoNothingHere: '',
  addHeading: 'Add a reference tag',
  editHeading: 'Edit reference tag',
  save: 'Add to the reference',
  saveEdit: 'Save changes',
  edit: 'Edit',
  span: 'Span',
  spanHint: 'select words in the sentence, or choose them here',
  category: 'Category',
  voice: 'Voice: whose wording is it?',
  textLabel: 'Rationale',
  textHint: 'one or two sentences students read after the reveal',
  tagsHeading: 'Reference tags on this sentence',
  none: 'None.',
  definitions: 'What each category means',
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

export function activityReference(store: Store, activityStore: ActivityStore): Router {
  const router = Router();
  const activity = loadActivity(activityStore);
  const editor = sentenceEditor({
    kind: 'reference',
    view: 'activities/reference-sentence',
    fields: { intensity: false, text: { name: 'rationale', max: LIMITS.rationale, required: true } },
    wording: REFERENCE_WORDING,
    place,
    checkCanEdit: (req) => editable(loadedActivity(req)),
    add: (req, _place, tag) =>
      activityStore.update(loadedActivity(req).id, (a) => {
        const stored: ReferenceTag = { id: tag.id, sentence: tag.sentence, ...referenceFields(tag) };
        if (a.reference.some((t) => sameTag(t, stored))) throw new RuleError('The reference already has exactly this span with this category.');
        if (a.reference.length >= LIMITS.referenceTags) throw new RuleError(`A reference can have at most ${LIMITS.referenceTags} tags.`);
        a.reference.push(stored);
      }),
    update: (req, _place, id, fields) =>
      activityStore.update(loadedActivity(req).id, (a) => {
        const tag = a.reference.find((t) => t.id === id);
        if (!tag) throw new RuleError('That reference tag no longer exists.');
        if (a.reference.some((t) => t.id !== id && sameTag(t, fields))) throw new RuleError('The reference already has exactly this span with this category.');
        Object.assign(tag, referenceFields(fields));
      }),
    remove: (req, _place, id) =>
      activityStore.update(loadedActivity(req).id, (a) => {
        if (!a.reference.some((t) => t.id === id)) throw new RuleError('That reference tag no longer exists.');
        a.reference = a.reference.filter((t) => t.id !== id);
      }),
  });
  const path = '/activities/:activityId/reference/:n';
  router.get('/activities/:activityId/reference', activity, list);
  router.get(path, activity, editor.show);
  router.post(`${path}/tags`, activity, editor.create);
  router.post(`${path}/tags/:tagId`, activity, editor.update);
  router.post(`${path}/tags/:tagId/delete`, activity, editor.remove);
  router.post(`${path}/undo`, activity, editor.undo);
  return router;

  /** The teacher's sentence: the reference tags on it, editable until the activity ends. */
  function place(req: Request, _res: Response): Place {
    const activity = loadedActivity(req);
    const index = sentenceIndex(req, activity.article);
    return {
      doc: activity.article,
      index,
      codebook: activityCodebook(store, activity),
      base: `${activityPath(activity)}/reference`,
      owner: `${activity.id}:${activity.teacherId}`,
      title: `Reference, sentence ${index + 1} · ${activity.title}`,
      tags: activity.reference
        .filter((t) => t.sentence === index)
        .sort((a, b) => a.start - b.start || a.end - b.end)
        .map(fromReference),
      canEdit: activity.status !== 'ended',
      reviewed: null,
      progress: null,
      others: [],
      after: null,
      page: { activity, stylesheets: CLASSROOM_STYLESHEETS },
    };
  }

  /** GET /activities/:activityId/reference — every sentence with its reference tags. */
  function list(req: Request, res: Response) {
    const activity = loadedActivity(req);
    const book = activityCodebook(store, activity);
    const text = activity.article.text;
    res.render('activities/reference', {
      activity,
      codebook: book,
      categories: categories(book),
      sentences: activity.article.sentences.map((range, index) => {
        const tags = activity.reference.filter((t) => t.sentence === index).sort((a, b) => a.start - b.start);
        return { index, pieces: pieces(text, range, tags), tags: tags.map((t) => ({ ...t, text: text.slice(t.start, t.end) })) };
      }),
      stylesheets: CLASSROOM_STYLESHEETS,
    });
  }
}
