// One sentence editor, configured by the three places that tag a sentence: an annotator's
// annotation (routes/sentences.ts), a student's lesson (routes/lesson.ts) and a teacher's
// reference (routes/activity-reference.ts). It shows the sentence with its tags and the tag
// form, and creates, edits, deletes, marks "nothing to tag here" and undoes.
//
// Every change answers in one of two ways. A plain form gets 303 See Other to the sentence
// (POST/redirect/GET, landing on the sentence's anchor). A script that asks for JSON (Accept:
// application/json) gets what changed, the editor's region rendered again with an announcement,
// and the page never reloads.
import type { Request, Response } from 'express';
import type { Codebook, Range } from '../../core/model.js';
import { VOICES, VOICE_LABELS } from '../../core/model.js';
import { categories, findCategory } from '../../core/codebook.js';
import { RuleError, type Progress } from '../../core/spans.js';
import { ActivityError } from '../../storage/activities.js';
import { StorageFullError } from '../../storage/durable-file.js';
import { newId } from '../../storage/store.js';
import { HttpError } from '../errors.js';
import { FormError, FormView, emptyForm, parseForm, readForm, type FieldLabels } from '../forms.js';
import { idParam, queryId } from '../params.js';
import { seeOther } from '../see-other.js';
import { LAYOUT, cachedFragment, freshFragment, pieces } from '../views.js';
import { RecentChanges, type Change } from './changes.js';
import { reviewForm, suggestionForm, tagFormSchema, undoForm, type FieldSpec, type TagInput } from './form.js';
import { suggestionKey } from '../../core/suggest/design.js';
import type { Suggestion } from '../../core/suggest/index.js';
import { ClosedError, InputError, echo, sentenceView, spanOf, type EditedText } from './sentence.js';
import { sameFields, type EditorFields, type EditorTag } from './tags.js';

/** The words an editor uses: an annotator's, a student's (plainer) or a teacher's. */
export interface Wording {
  heading: string;
  /** What a looked-at sentence is called: "reviewed", "done". */
  done: string;
  progressLabel: string;
  nothingHere: string;
  undoNothingHere: string;
  /** What marking a sentence done announces after "Sentence n" (default: "nothing to tag here"). */
  markedDone?: string;
  addHeading: string;
  editHeading: string;
  save: string;
  saveEdit: string;
  edit: string;
  span: string;
  spanHint: string;
  category: string;
  voice: string;
  textLabel: string;
  textHint: string;
  tagsHeading: string;
  none: string;
  definitions: string;
}

/** An annotator's words; the other editors change only what differs. */
export const ANNOTATOR_WORDING: Wording = {
  heading: 'Sentence',
  done: 'reviewed',
  progressLabel: 'Sentences you reviewed',
  nothingHere: 'Reviewed — nothing to tag here',
  undoNothingHere: 'Undo “reviewed”',
  addHeading: 'Add a tag',
  editHeading: 'Edit tag',
  save: 'Save tag',
  saveEdit: 'Save changes',
  edit: 'Edit',
  span: 'Span',
  spanHint: 'select words in the sentence, or choose them here',
  category: 'Category',
  voice: 'Voice: whose wording is it?',
  textLabel: 'Note',
  textHint: 'optional',
  tagsHeading: 'Your tags on this sentence',
  none: 'None yet.',
  definitions: 'What each category means',
};

/** Where a request tags: the text, the sentence, whose tags, and what the page around it shows. */
export interface Place {
  doc: EditedText;
  index: number;
  codebook: Codebook;
  /** `/articles/:id/sentences`: the sentence is `${base}/${index + 1}`. */
  base: string;
  /** Identifies this user's work on this text, for remembering the last change. */
  owner: string;
  /** The page's title (the browser tab). */
  title: string;
  /** This user's tags on this sentence, in text order. */
  tags: EditorTag[];
  canEdit: boolean;
  /** Whether the sentence counts as looked at; null where "nothing to tag here" does not apply. */
  reviewed: boolean | null;
  progress: Progress | null;
  /** Other people's tags on this sentence, where this user may see them, with their names. */
  others: (EditorTag & { by: string })[];
  /** The suggestions this user is offered on this sentence (text order), where the project shows them. */
  suggestions?: Suggestion[];
  /** Where "next" leads from the last sentence (a lesson's overview), if anywhere. */
  after: { href: string; label: string } | null;
  /** Locals only the page around the editor reads (crumbs, the lesson bar). */
  page: Record<string, unknown>;
  /**
   * A view rendered at the end of the region and with every change (an element with its own id),
   * so that it stays current when the script moves or saves in place: curation's panel.
   */
  panel?: { view: string; locals: unknown };
}

export interface EditorSpec {
  /** Names the editor in cached fragments: 'annotation', 'lesson', 'reference'. */
  kind: string;
  /** The page view, which includes views/editor/_region.ejs. */
  view: string;
  fields: FieldSpec;
  wording: Wording;
  /**
   * The request's place; null when it has already been answered (a student sent to join). For an
   * edit (`edits`) it may leave out what only the page shows (other annotators' tags): an edit that
   * answers with the page reads the place again.
   */
  place(req: Request, res: Response, edits?: boolean): Promise<Place | null>;
  /** Refuses (403) a user who may not change tags here, or not now. */
  checkCanEdit(req: Request, place: Place): void;
  /** Stores a new tag (or one brought back by an undo, with its id). */
  add(req: Request, place: Place, tag: EditorTag): Promise<void>;
  update(req: Request, place: Place, id: string, fields: EditorFields): Promise<void>;
  remove(req: Request, place: Place, id: string): Promise<void>;
  /** Marks the sentence "nothing to tag here" (or not); absent where that does not apply. */
  review?(req: Request, place: Place, reviewed: boolean): Promise<void>;
  /** Where marking a sentence done leads (default: the next sentence); null stays. */
  onward?(req: Request, place: Place): Promise<number | null>;
  /** Stores a rejected suggestion; absent where there are no suggestions. */
  reject?(req: Request, place: Place, suggestion: Suggestion): Promise<void>;
}

/** A refusal a user can act on (a duplicate, a closed lesson): the form comes back with it. */
function isRefusal(error: unknown): error is Error {
  return error instanceof RuleError || error instanceof ActivityError || error instanceof StorageFullError;
}

/** A refused change's status: the user's input 400, a closed editor 403, a full disk 507 (nothing was saved), a broken rule 409. */
function refusalStatus(error: Error): number {
  if (error instanceof InputError) return 400;
  if (error instanceof ClosedError) return 403;
  if (error instanceof StorageFullError) return 507;
  return 409;
}

/** Whether the request is the script's (it asks for JSON) rather than a plain form's or link's. */
function wantsJson(req: Request): boolean {
  return req.accepts(['html', 'json']) === 'json';
}

/** What the page shows besides the stored tags. */
interface State {
  editing: EditorTag | null;
  /** The submitted fields of a refused form. */
  form: Record<string, unknown> | null;
  error: string | null;
  /** A refused form's message per field, by the id of the field's input (FormError). */
  problems: Record<string, string>;
  announcement: { message: string; change: string; label: string } | null;
  savedId: string | null;
}

const EMPTY: State = { editing: null, form: null, error: null, problems: {}, announcement: null, savedId: null };

/** The id of the input (or group) each tag-form field's message is shown by, in views/editor/_region.ejs. */
const FIELD_IDS: Record<string, string> = { category: 'categories', voice: 'voice' };

const clip = (s: string, max = 80) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
const str = (value: unknown) => (typeof value === 'string' ? value : '');

export function sentenceEditor(spec: EditorSpec) {
  const changes = new RecentChanges();
  const w = spec.wording;
  const tagForm = tagFormSchema(spec.fields, `Write a ${w.textLabel.toLowerCase()}: ${w.textHint}.`);
  const labels: FieldLabels = {
    first: 'First word',
    last: 'Last word',
    marks: 'Quotation marks',
    category: w.category,
    voice: 'Voice',
    intensity: 'Intensity',
    [spec.fields.text.name]: w.textLabel,
  };
  return { show, create, update, remove, review, undo, settled, accept, reject };

  function keyOf(place: Place): string {
    return `${place.owner}:${place.index}`;
  }

  function sentenceUrl(place: Place, index = place.index): string {
    return `${place.base}/${index + 1}`;
  }

  /** "Hedge / doubt marker “allegedly”": a tag as the announcements name it. */
  function describe(place: Place, tag: Range & { category: string }): string {
    const name = findCategory(place.codebook, tag.category)?.name ?? tag.category;
    return `${name} “${clip(place.doc.text.slice(tag.start, tag.end))}”`;
  }

  function announce(place: Place, change: Change): State['announcement'] {
    const tag = change.after ?? change.before;
    if (!tag) return null;
    const d = describe(place, tag);
    const message = change.undoes
      ? change.after === null
        ? `Undone: ${d} is removed.`
        : change.before === null
          ? `Undone: ${d} is back.`
          : `Undone: ${d} is as it was.`
      : change.after === null
        ? `Deleted: ${d}.`
        : change.before === null
          ? `Saved: ${d}.`
          : `Changed: ${d}.`;
    return { message, change: change.id, label: change.undoes ? 'Redo' : 'Undo' };
  }

  /** The region's view model (views/editor/_region.ejs). */
  function viewOf(req: Request, res: Response, place: Place, state: State) {
    const view = sentenceView(place.doc, place.index);
    const book = place.codebook;
    const offered = place.canEdit ? (place.suggestions ?? []) : [];
    const nameOf = (category: string) => findCategory(book, category)?.name ?? category;
    const suggestions = offered.map((s, i) => ({ ...view.tagView(s), id: `s${i}`, key: suggestionKey(s), name: nameOf(s.category), suggester: s.suggester, score: s.score }));
    const marks = suggestions.length > 0 ? [...place.tags, ...suggestions.map((s) => ({ id: s.id, category: s.category, start: s.start, end: s.end, ghost: true }))] : place.tags;
    const tagged = (t: EditorTag) => ({ ...view.tagView(t), note: t.text, name: findCategory(book, t.category)?.name ?? t.category, voiceLabel: VOICE_LABELS[t.voice] });
    const editing = state.editing && tagged(state.editing);
    const f = state.form;
    const text = spec.fields.text.name;
    const form = f
      ? { first: str(f.first), last: str(f.last), marks: ['1', 'on'].includes(str(f.marks)), category: str(f.category), voice: str(f.voice) || 'author', intensity: str(f.intensity), text: str(f[text]) }
      : editing
        ? { first: String(editing.first), last: String(editing.last), marks: editing.marks, category: editing.category, voice: editing.voice, intensity: editing.intensity === null ? '' : String(editing.intensity), text: editing.note }
        : { first: '', last: '', marks: false, category: '', voice: 'author', intensity: '', text: '' };
    return {
      kind: spec.kind,
      wording: spec.wording,
      fields: spec.fields,
      base: place.base,
      index: place.index,
      total: place.doc.sentences.length,
      canEdit: place.canEdit,
      reviewed: place.reviewed,
      progress: place.progress,
      pieces: labelGhosts(view.withMarks(pieces(place.doc.text, view.range, marks, view.words)), suggestions),
      suggestions,
      hasSuggestions: place.canEdit && place.suggestions !== undefined,
      words: view.choices,
      previous: view.previous,
      next: view.next,
      after: place.after,
      tags: place.tags.map(tagged),
      others: place.others.map((t) => ({ ...tagged(t), by: t.by })),
      editing,
      form,
      error: state.error,
      announcement: state.announcement,
      savedId: state.savedId,
      codebook: book,
      categories: categories(book),
      voices: VOICES.map((v) => ({ value: v, label: VOICE_LABELS[v] })),
      csrfToken: str(res.locals.csrfToken),
      fragment: req.app.enabled('view cache') ? cachedFragment : freshFragment,
      problems: new FormView(Object.keys(state.problems).length > 0 ? 'tag' : null, f ?? {}, state.problems),
      panel: place.panel ?? null,
    };
  }

  /**
   * The page; for the script, JSON with what happened and either the whole region (`html`) or,
   * after a change that leaves the form as it is, only the parts that changed (`parts`).
   */
  function answer(
    req: Request,
    res: Response,
    place: Place,
    status: number,
    state: State,
    extra: { next?: string | null; message?: string; partsOnly?: boolean } = {},
  ) {
    const { partsOnly = false, ...more } = extra;
    const e = viewOf(req, res, place, state);
    res.vary('Accept');
    if (!wantsJson(req)) {
      res.status(status).render(spec.view, { ...place.page, e, title: place.title, layout: LAYOUT });
      return;
    }
    res.render(partsOnly ? 'editor/changed' : 'editor/region', { e }, (error: Error | null, html?: string) => {
      if (error) return req.next?.(error);
      res.status(status).json({
        url: sentenceUrl(place),
        title: place.title,
        [partsOnly ? 'parts' : 'html']: html,
        error: state.error,
        message: state.announcement?.message ?? null,
        ...more,
      });
    });
  }

  /** The place again after a change, so the answer shows the stored state. */
  async function fresh(req: Request, res: Response, place: Place): Promise<Place> {
    return (await spec.place(req, res)) ?? place;
  }

  /** After a change: the plain form goes back to the sentence; the script gets the new region. */
  async function changed(req: Request, res: Response, place: Place, change: Change) {
    const savedId = change.after?.id ?? null;
    if (!wantsJson(req)) {
      const query = `${savedId ? `saved=${savedId}&` : ''}done=${change.id}`;
      seeOther(res, `${sentenceUrl(place)}?${query}#sentence`);
      return;
    }
    // After an edit the form goes back to adding a tag: the whole region. Otherwise only what changed.
    const edited = change.before !== null && change.after !== null && !change.undoes;
    answer(req, res, await fresh(req, res, place), 200, { ...EMPTY, savedId, announcement: announce(place, change) }, { partsOnly: !edited });
  }

  /** A refused change: the sentence again, with the message beside the form and the input kept. */
  async function refused(
    req: Request,
    res: Response,
    place: Place,
    status: number,
    message: string,
    keepInput: boolean,
    editing: EditorTag | null = null,
    fields: Readonly<Record<string, string>> = {},
  ) {
    const problems = Object.fromEntries(Object.entries(fields).map(([field, text]) => [FIELD_IDS[field] ?? field, text]));
    answer(req, res, await fresh(req, res, place), status, { ...EMPTY, editing, error: message, problems, form: keepInput ? echo(req) : null });
  }

  /**
   * The form's fields, checked: a bad field is the user's 400, shown with the form and a plain
   * message by each field at fault (a FormError); a body no form of ours sends stays a plain 400.
   */
  function fieldsOf(req: Request, place: Place): EditorFields {
    let input: TagInput;
    try {
      input = readForm(tagForm, req.body, labels);
    } catch (error) {
      if (error instanceof HttpError && !(error instanceof FormError)) throw new InputError(error.message);
      throw error;
    }
    const problems: Record<string, string> = {};
    if (!findCategory(place.codebook, input.category)) problems.category = input.category === '' ? 'Choose a category.' : 'Choose a category from the codebook.';
    let span: Range | null = null;
    try {
      span = spanOf(place.doc, place.index, input);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.first ??= error.message;
    }
    if (span === null || Object.keys(problems).length > 0) throw new FormError(problems);
    return { ...span, category: input.category, voice: input.voice, intensity: input.intensity, text: input.text };
  }

  /** Runs a change; a refusal re-renders the sentence with its message and the user's input. */
  async function attempt(req: Request, res: Response, place: Place, editing: EditorTag | null, change: () => Promise<Change>) {
    try {
      await changed(req, res, place, await change());
    } catch (error) {
      if (error instanceof FormError) return refused(req, res, place, error.status, error.message, true, editing, error.fields);
      if (!isRefusal(error)) throw error;
      await refused(req, res, place, refusalStatus(error), error.message, true, editing);
    }
  }

  /** The place; when the user may not edit it now, the sentence is answered with the reason (a ClosedError) or an error page. */
  async function placeFor(req: Request, res: Response, edits: boolean): Promise<Place | null> {
    const place = await spec.place(req, res, edits);
    if (!place || !edits) return place;
    try {
      spec.checkCanEdit(req, place);
    } catch (error) {
      if (!(error instanceof ClosedError)) throw error;
      await refused(req, res, place, 403, error.message, false);
      return null;
    }
    return place;
  }

  /** GET …/:n — the sentence; `?edit=` opens a tag in the form, `?done=` announces the last change. */
  async function show(req: Request, res: Response) {
    const place = await placeFor(req, res, false);
    if (!place) return;
    const editId = queryId(req, 'edit');
    const editing = editId === undefined ? null : (place.tags.find((t) => t.id === editId) ?? null);
    const doneId = queryId(req, 'done');
    const last = doneId === undefined ? undefined : changes.last(keyOf(place), doneId);
    answer(req, res, place, 200, {
      ...EMPTY,
      editing: place.canEdit ? editing : null,
      error: editId !== undefined && !editing ? 'The tag you opened is no longer on this sentence: it was deleted, perhaps in another tab.' : null,
      announcement: last ? announce(place, last) : null,
      savedId: queryId(req, 'saved') ?? null,
    });
  }

  /** POST …/:n/tags */
  async function create(req: Request, res: Response) {
    const place = await placeFor(req, res, true);
    if (!place) return;
    await attempt(req, res, place, null, async () => {
      const tag: EditorTag = { id: newId(), sentence: place.index, ...fieldsOf(req, place), createdAt: null };
      await spec.add(req, place, tag);
      return changes.record(keyOf(place), null, tag);
    });
  }

  /** The tag in the URL among this user's tags on this sentence, or a note that it is gone. */
  async function ownTag(req: Request, res: Response, place: Place, keepInput: boolean): Promise<EditorTag | null> {
    const tagId = idParam(req, 'tagId');
    const tag = place.tags.find((t) => t.id === tagId);
    if (tag) return tag;
    const message = keepInput
      ? 'That tag is no longer on this sentence: it was deleted, perhaps in another tab. Your changes are kept below: save them as a new tag.'
      : 'That tag is no longer on this sentence: it was already deleted, perhaps in another tab. Nothing was changed.';
    await refused(req, res, place, 404, message, keepInput);
    return null;
  }

  /** POST …/:n/tags/:tagId */
  async function update(req: Request, res: Response) {
    const place = await placeFor(req, res, true);
    if (!place) return;
    const before = await ownTag(req, res, place, true);
    if (!before) return;
    await attempt(req, res, place, before, async () => {
      const fields = fieldsOf(req, place);
      await spec.update(req, place, before.id, fields);
      return changes.record(keyOf(place), before, { ...before, ...fields });
    });
  }

  /** POST …/:n/tags/:tagId/delete */
  async function remove(req: Request, res: Response) {
    const place = await placeFor(req, res, true);
    if (!place) return;
    parseForm(emptyForm, req.body);
    const before = await ownTag(req, res, place, false);
    if (!before) return;
    await attempt(req, res, place, null, async () => {
      await spec.remove(req, place, before.id);
      return changes.record(keyOf(place), before, null);
    });
  }

  /** POST …/:n/reviewed — "nothing to tag here" (then on to the next sentence), or its undo. */
  async function review(req: Request, res: Response) {
    const place = await placeFor(req, res, true);
    if (!place) return;
    const mark = spec.review;
    if (!mark || place.reviewed === null) throw new InputError('This editor has no “nothing to tag here”.');
    const form = parseForm(reviewForm, req.body);
    try {
      await mark(req, place, form.reviewed === '1');
    } catch (error) {
      if (!isRefusal(error)) throw error;
      await refused(req, res, place, 409, error.message, false);
      return;
    }
    const ahead = spec.onward ? await spec.onward(req, await fresh(req, res, place)) : place.index + 1 < place.doc.sentences.length ? place.index + 1 : null;
    const onward = form.reviewed === '1' && ahead !== null ? ahead : place.index;
    if (!wantsJson(req)) {
      seeOther(res, `${sentenceUrl(place, onward)}#sentence`);
      return;
    }
    const message =
      form.reviewed === '1' ? `Sentence ${place.index + 1}: ${spec.wording.markedDone ?? 'nothing to tag here'}.` : `Sentence ${place.index + 1} is no longer marked “${spec.wording.done}”.`;
    answer(req, res, await fresh(req, res, place), 200, EMPTY, { next: onward === place.index ? null : sentenceUrl(place, onward), message });
  }

  /**
   * After a change a page made through its own form inside the region (curation's accept,
   * reject, contest): a plain form goes to `onward` (default: the sentence), the script gets the
   * region again with `message` announced, and moves on to `onward` if given.
   */
  async function settled(req: Request, res: Response, message: string, onward: string | null = null) {
    const place = await placeFor(req, res, false);
    if (!place) return;
    if (!wantsJson(req)) {
      seeOther(res, onward ?? `${sentenceUrl(place)}#sentence`);
      return;
    }
    answer(req, res, place, 200, EMPTY, { message, next: onward });
  }

  /** Puts the stored tags back as they were before `change`; refuses if they moved on since. */
  async function revert(req: Request, place: Place, change: Change): Promise<void> {
    const { before, after } = change;
    const now = after && place.tags.find((t) => t.id === after.id);
    if (after && (!now || !sameFields(now, after))) throw new RuleError('That tag has changed since, so nothing was undone.');
    if (before && !after && place.tags.some((t) => t.id === before.id)) throw new RuleError('That tag is already back.');
    if (!before && after) await spec.remove(req, place, after.id);
    else if (before && !after) await spec.add(req, place, before);
    else if (before && after) await spec.update(req, place, before.id, before);
  }

  /** POST …/:n/undo — undoes this user's last change on this sentence (and an undo is redone). */
  async function undo(req: Request, res: Response) {
    const place = await placeFor(req, res, true);
    if (!place) return;
    const form = parseForm(undoForm, req.body);
    const key = keyOf(place);
    const change = changes.last(key, form.change);
    if (!change) {
      await refused(req, res, place, 409, 'Nothing to undo: that change is no longer the last one on this sentence.', false);
      return;
    }
    try {
      await revert(req, place, change);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      changes.forget(key);
      await refused(req, res, place, 409, error.message, false);
      return;
    }
    await changed(req, res, place, changes.record(key, change.after, change.before, !change.undoes));
  }

  /** The offered suggestion a form names; a refusal when it is no longer offered. */
  function offeredSuggestion(req: Request, place: Place): Suggestion {
    const form = parseForm(suggestionForm, req.body);
    const found = (place.suggestions ?? []).find((s) => suggestionKey(s) === form.suggestion);
    if (!found) throw new RuleError('That suggestion is no longer offered here: it was accepted or rejected already, perhaps in another tab, or the suggestions have been retrained.');
    return found;
  }

  /**
   * POST …/:n/suggestions/accept — the suggestion becomes a tag (its origin says so), opened in
   * the form to adjust: the plain form lands on it with ?edit=, the script gets the region so.
   */
  async function accept(req: Request, res: Response) {
    const place = await placeFor(req, res, true);
    if (!place) return;
    let tag: EditorTag;
    let change: Change;
    try {
      const s = offeredSuggestion(req, place);
      const origin = { kind: 'suggestion' as const, suggester: s.suggester, score: s.score, adjusted: false };
      tag = { id: newId(), sentence: place.index, start: s.start, end: s.end, category: s.category, voice: 'author', intensity: null, text: '', createdAt: null, origin };
      await spec.add(req, place, tag);
      change = changes.record(keyOf(place), null, tag);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      await refused(req, res, place, 409, error.message, false);
      return;
    }
    if (!wantsJson(req)) {
      seeOther(res, `${sentenceUrl(place)}?edit=${tag.id}&saved=${tag.id}&done=${change.id}#sentence`);
      return;
    }
    const now = await fresh(req, res, place);
    const announcement = announce(place, change);
    const message = `Accepted: ${describe(place, tag)}. It is open below to adjust; Esc leaves it as it is.`;
    answer(req, res, now, 200, { ...EMPTY, editing: now.tags.find((t) => t.id === tag.id) ?? tag, savedId: tag.id, announcement: announcement && { ...announcement, message } });
  }

  /** POST …/:n/suggestions/reject — the suggestion is stored as rejected and no longer offered. */
  async function reject(req: Request, res: Response) {
    const place = await placeFor(req, res, true);
    if (!place) return;
    const store = spec.reject;
    if (!store) throw new InputError('This editor has no suggestions.');
    let s: Suggestion;
    try {
      s = offeredSuggestion(req, place);
      await store(req, place, s);
    } catch (error) {
      if (!isRefusal(error)) throw error;
      await refused(req, res, place, 409, error.message, false);
      return;
    }
    if (!wantsJson(req)) {
      seeOther(res, `${sentenceUrl(place)}#sentence`);
      return;
    }
    answer(req, res, await fresh(req, res, place), 200, EMPTY, { message: `Rejected: ${describe(place, s)}.`, partsOnly: true });
  }
}

/** Marks the first and last piece of each suggestion (the outline's ends; its category is written after the last). */
function labelGhosts<P extends { tags: { id: string; ghost?: boolean; label?: string; first?: boolean }[] }>(drawn: P[], suggestions: { id: string; name: string }[]): P[] {
  if (suggestions.length === 0) return drawn;
  const names = new Map(suggestions.map((s) => [s.id, s.name]));
  const started = new Set<string>();
  for (const piece of drawn) {
    for (const t of piece.tags) {
      if (!t.ghost || started.has(t.id)) continue;
      started.add(t.id);
      t.first = true;
    }
  }
  const seen = new Set<string>();
  for (let i = drawn.length - 1; i >= 0; i--) {
    for (const t of drawn[i]?.tags ?? []) {
      if (!t.ghost || seen.has(t.id)) continue;
      seen.add(t.id);
      t.label = names.get(t.id) ?? '';
    }
  }
  return drawn;
}
