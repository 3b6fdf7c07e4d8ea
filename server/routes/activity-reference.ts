// A classroom activity's reference: the tags an expert would make, each with a rationale, which
// students' tags are compared with. The teacher writes it sentence by sentence with the same form
// as an annotator's, until the activity ends.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { VOICES, VOICE_LABELS } from '../core/model.js';
import { categories } from '../core/codebook.js';
import { RuleError } from '../core/spans.js';
import type { Activity, ReferenceTag } from '../storage/activity-schemas.js';
import { LIMITS } from '../storage/activity-schemas.js';
import { ActivityError, type ActivityStore } from '../storage/activities.js';
import type { Store } from '../storage/store.js';
import { newId } from '../storage/store.js';
import { HttpError, notFound } from '../web/errors.js';
import { csrfField, emptyForm, formInt, parseForm } from '../web/forms.js';
import { loadActivity, loadedActivity } from '../web/load.js';
import { pieces } from '../web/views.js';
import { InputError, echo, sentenceIndex, sentenceView, spanOf } from '../web/sentence-editor.js';
import { idParam, queryId } from '../web/params.js';
import { CLASSROOM_STYLESHEETS, activityCodebook, activityPath } from '../web/classroom.js';
import { seeOther } from '../web/see-other.js';

const referenceForm = z.strictObject({
  ...csrfField,
  first: formInt(0, 10_000),
  last: formInt(0, 10_000),
  category: z.string().max(64),
  voice: z.enum(VOICES).default('author'),
  rationale: z.string().max(LIMITS.rationale),
});

type SpanKey = { start: number; end: number; category: string };

function sameTag(a: SpanKey, b: SpanKey): boolean {
  return a.start === b.start && a.end === b.end && a.category === b.category;
}

function editable(activity: Activity): void {
  if (activity.status === 'ended') throw new HttpError(403, 'This activity has ended: its reference can no longer be changed.');
}

/** The reference tag in the URL, which must be on the sentence in the URL. */
function tagOf(req: Request, activity: Activity, index: number): string {
  const tagId = idParam(req, 'tagId');
  if (!activity.reference.some((t) => t.id === tagId && t.sentence === index)) throw notFound('Reference tag');
  return tagId;
}

export function activityReference(store: Store, activityStore: ActivityStore): Router {
  const router = Router();
  const activity = loadActivity(activityStore);
  router.get('/activities/:activityId/reference', activity, list);
  router.get('/activities/:activityId/reference/:n', activity, show);
  router.post('/activities/:activityId/reference/:n/tags', activity, create);
  router.post('/activities/:activityId/reference/:n/tags/:tagId', activity, update);
  router.post('/activities/:activityId/reference/:n/tags/:tagId/delete', activity, remove);
  return router;

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

  /** GET /activities/:activityId/reference/:n — the sentence editor (same form as the annotator's). */
  function show(req: Request, res: Response) {
    render(req, res, 200, null, null);
  }

  function render(req: Request, res: Response, status: number, error: string | null, form: Record<string, unknown> | null) {
    const activity = loadedActivity(req);
    const index = sentenceIndex(req, activity.article);
    const view = sentenceView(activity.article, index);
    const book = activityCodebook(store, activity);
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
      stylesheets: CLASSROOM_STYLESHEETS,
      script: 'annotate',
    });
  }

  function fieldsOf(activity: Activity, index: number, form: z.infer<typeof referenceForm>) {
    const span = spanOf(activity.article, index, form, activityCodebook(store, activity));
    const rationale = form.rationale.trim();
    if (rationale === '') throw new RuleError('Write a rationale: one or two sentences on why an expert tags this.');
    return { sentence: index, ...span, category: form.category, voice: form.voice, rationale };
  }

  /** Runs a change; a broken rule re-renders the sentence with the message and the teacher's input. */
  async function attempt(req: Request, res: Response, change: () => Promise<string>) {
    try {
      seeOther(res, await change());
    } catch (error) {
      if (!(error instanceof RuleError) && !(error instanceof ActivityError)) throw error;
      render(req, res, error instanceof InputError ? 400 : 409, error.message, echo(req));
    }
  }

  /** POST /activities/:activityId/reference/:n/tags */
  async function create(req: Request, res: Response) {
    const activity = loadedActivity(req);
    editable(activity);
    const index = sentenceIndex(req, activity.article);
    await attempt(req, res, async () => {
      const tag: ReferenceTag = { id: newId(), ...fieldsOf(activity, index, parseForm(referenceForm, req.body)) };
      await activityStore.update(activity.id, (a) => {
        if (a.reference.some((t) => sameTag(t, tag))) throw new RuleError('The reference already has exactly this span with this category.');
        if (a.reference.length >= LIMITS.referenceTags) throw new RuleError(`A reference can have at most ${LIMITS.referenceTags} tags.`);
        a.reference.push(tag);
      });
      return `${activityPath(activity)}/reference/${index + 1}?saved=${tag.id}#tag-${tag.id}`;
    });
  }

  /** POST /activities/:activityId/reference/:n/tags/:tagId */
  async function update(req: Request, res: Response) {
    const activity = loadedActivity(req);
    editable(activity);
    const index = sentenceIndex(req, activity.article);
    const tagId = tagOf(req, activity, index);
    await attempt(req, res, async () => {
      const fields = fieldsOf(activity, index, parseForm(referenceForm, req.body));
      await activityStore.update(activity.id, (a) => {
        const tag = a.reference.find((t) => t.id === tagId);
        if (!tag) throw new RuleError('That reference tag no longer exists.');
        if (a.reference.some((t) => t.id !== tagId && sameTag(t, fields))) throw new RuleError('The reference already has exactly this span with this category.');
        Object.assign(tag, fields);
      });
      return `${activityPath(activity)}/reference/${index + 1}?saved=${tagId}#tag-${tagId}`;
    });
  }

  /** POST /activities/:activityId/reference/:n/tags/:tagId/delete */
  async function remove(req: Request, res: Response) {
    const activity = loadedActivity(req);
    editable(activity);
    const index = sentenceIndex(req, activity.article);
    const tagId = tagOf(req, activity, index);
    parseForm(emptyForm, req.body);
    await activityStore.update(activity.id, (a) => {
      a.reference = a.reference.filter((t) => t.id !== tagId);
    });
    seeOther(res, `${activityPath(activity)}/reference/${index + 1}`);
  }
}
