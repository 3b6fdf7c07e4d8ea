// The curation of one sentence: gold on top (edited with the same sentence editor as an
// annotator's tags: keys, in-place saves, undo), each annotator's spans in a row aligned under
// the words, and the candidates with how many reviewers tagged them, to accept, reject or mark
// contested. "Mark sentence curated" moves on to the next sentence that needs attention.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Range } from '../core/model.js';
import { VOICE_LABELS } from '../core/model.js';
import { categories, findCategory } from '../core/codebook.js';
import { words as wordsOf } from '../core/segmentation.js';
import { acceptCandidate, addSpan, contestCandidate, editSpan, markContested, markSentenceCurated, rejectCandidate, removeSpan, resolveContest, unmarkSentenceCurated } from '../core/curation/operations.js';
import type { SentenceCandidates } from '../core/curation/candidates.js';
import { isCurated, keyOf, variantKeys, type Gold, type GoldSpan } from '../core/curation/gold.js';
import { RuleError } from '../core/spans.js';
import type { Store } from '../storage/store.js';
import { newId } from '../storage/store.js';
import { csrfField, formInt, formList, parseForm } from '../web/forms.js';
import { loadedArticle, loadedProject } from '../web/load.js';
import { ANNOTATOR_WORDING, sentenceEditor, type Place, type Wording } from '../web/editor/editor.js';
import { ANNOTATION_FIELDS, annotationPlace, annotationRoutes, articleSentence } from '../web/editor/annotation-place.js';
import { sentenceIndex } from '../web/editor/sentence.js';
import type { EditorFields, EditorTag } from '../web/editor/tags.js';
import { codebookOf } from '../web/views.js';
import { actorOf, articleContexts, curationNames, curationPath, loadCurationArticle, nextNeedingAttention, sentenceContext, sentencePath } from '../web/curation.js';

export const CURATION_WORDING: Wording = {
  ...ANNOTATOR_WORDING,
  heading: 'Curation: sentence',
  done: 'curated',
  progressLabel: 'Sentences curated',
  nothingHere: 'Mark sentence curated',
  undoNothingHere: 'Reopen the sentence',
  markedDone: 'curated',
  addHeading: 'Add a gold span',
  editHeading: 'Edit gold span',
  save: 'Add to gold',
  tagsHeading: 'Gold on this sentence',
  none: 'No gold span yet.',
};

const STATUS_LABELS: Record<GoldSpan['status'], string> = {
  auto: 'auto (not confirmed)',
  accepted: 'accepted',
  edited: 'edited',
  added: 'added',
  contested: 'contested',
};

const candidateForm = z.strictObject({ ...csrfField, start: formInt(0, 10_000_000), end: formInt(0, 10_000_000), category: z.string().min(1).max(64) });
const contestForm = z.strictObject({
  ...csrfField,
  start: formInt(0, 10_000_000).optional(),
  end: formInt(0, 10_000_000).optional(),
  category: z.string().max(64).optional(),
  competing: formList(z.string().max(64), 50),
  reason: z.string().max(500),
});
const resolveForm = z.strictObject({ ...csrfField, resolved: z.string().min(1).max(64), reason: z.string().max(500).default('') });
const curatedForm = z.strictObject({ ...csrfField, curated: z.enum(['0', '1']) });

function goldTagOf(span: GoldSpan): EditorTag {
  return { id: span.id, sentence: span.sentence, start: span.start, end: span.end, category: span.category, voice: span.voice, intensity: span.intensity, text: span.note, createdAt: span.createdAt };
}

function goldFields(fields: EditorFields) {
  return { start: fields.start, end: fields.end, category: fields.category, voice: fields.voice, intensity: fields.intensity, note: fields.text };
}

function wantsJson(req: Request): boolean {
  return req.accepts(['html', 'json']) === 'json';
}

export function curationSentences(store: Store): Router {
  const router = Router();
  const article = loadCurationArticle(store);
  const editor = sentenceEditor({
    kind: 'curation',
    view: 'curation/sentence',
    fields: ANNOTATION_FIELDS,
    wording: CURATION_WORDING,
    place,
    checkCanEdit: () => {},
    add: (req, p, tag) => change(req, (gold, range) => addSpan(gold, p.index, goldFields(tag), range, actorOf(req), tag.id, context(req, p.index))),
    update: (req, _p, id, fields) => change(req, (gold, range) => editSpan(gold, id, goldFields(fields), range, actorOf(req))),
    remove: (req, _p, id) => change(req, (gold) => removeSpan(gold, id, actorOf(req))),
    review: (req, p, curated) =>
      change(req, (gold) => (curated ? markSentenceCurated : unmarkSentenceCurated)(gold, p.index, p.doc.sentences.length, actorOf(req))),
    onward: (req, p) => {
      const a = loadedArticle(req);
      return nextNeedingAttention(store.curation.gold(a.id), articleContexts(store, loadedProject(req), a), p.index);
    },
  });
  const path = '/curation/articles/:articleId/sentences/:n';
  annotationRoutes(router, path, article, editor);
  router.post(`${path}/tags/:tagId/contest`, article, contestSpan);
  router.post(`${path}/tags/:tagId/resolve`, article, resolve);
  router.post(`${path}/curated`, article, curated);
  router.post(`${path}/candidates/accept`, article, accept);
  router.post(`${path}/candidates/reject`, article, reject);
  router.post(`${path}/candidates/contest`, article, contest);
  return router;

  function change(req: Request, apply: (gold: Gold, sentence: Range) => unknown): Promise<void> {
    const a = loadedArticle(req);
    const index = sentenceIndex(req, a);
    const range = a.sentences[index] ?? { start: 0, end: 0 };
    return store.curation.update(a.id, (gold) => {
      apply(gold, range);
    });
  }

  function context(req: Request, index: number): SentenceCandidates {
    return sentenceContext(store, loadedProject(req), loadedArticle(req), index);
  }

  /** "Distancing quotes “will make every effort”": a candidate or span as announcements name it. */
  function named(req: Request, key: { start: number; end: number; category: string }): string {
    const name = findCategory(codebookOf(store, loadedProject(req)), key.category)?.name ?? key.category;
    const text = loadedArticle(req).text.slice(key.start, key.end);
    return `${name} “${text.length > 80 ? `${text.slice(0, 79)}…` : text}”`;
  }

  function spanKey(req: Request, spanId: string) {
    return store.curation.gold(loadedArticle(req).id).spans.find((x) => x.id === spanId) ?? { start: 0, end: 0, category: '' };
  }

  /** POST …/candidates/accept */
  async function accept(req: Request, res: Response) {
    const form = parseForm(candidateForm, req.body);
    const index = sentenceIndex(req, loadedArticle(req));
    await change(req, (gold) => acceptCandidate(gold, context(req, index), { sentence: index, ...form }, actorOf(req), newId()));
    editor.settled(req, res, `Accepted into gold: ${named(req, form)}.`);
  }

  /** POST …/candidates/reject */
  async function reject(req: Request, res: Response) {
    const form = parseForm(candidateForm, req.body);
    const index = sentenceIndex(req, loadedArticle(req));
    await change(req, (gold) => rejectCandidate(gold, context(req, index), { sentence: index, ...form }, actorOf(req)));
    editor.settled(req, res, `Rejected: ${named(req, form)}.`);
  }

  /** POST …/candidates/contest — the candidate into gold as contested, with competing categories and a reason. */
  async function contest(req: Request, res: Response) {
    const form = parseForm(contestForm, req.body);
    const index = sentenceIndex(req, loadedArticle(req));
    if (form.start === undefined || form.end === undefined || !form.category) throw new RuleError('Choose the candidate to mark contested.');
    const key = { sentence: index, start: form.start, end: form.end, category: form.category };
    await change(req, (gold) => contestCandidate(gold, context(req, index), key, { categories: form.competing, reason: form.reason }, actorOf(req), newId()));
    editor.settled(req, res, `Marked contested: ${named(req, key)}.`);
  }

  /** POST …/tags/:tagId/contest — a gold span marked contested (or its contest changed). */
  async function contestSpan(req: Request, res: Response) {
    const form = parseForm(contestForm, req.body);
    const spanId = String(req.params.tagId);
    await change(req, (gold) => markContested(gold, spanId, { categories: form.competing, reason: form.reason }, actorOf(req)));
    editor.settled(req, res, `Marked contested: ${named(req, spanKey(req, spanId))}.`);
  }

  /** POST …/tags/:tagId/resolve — a contest settled on one of its categories. */
  async function resolve(req: Request, res: Response) {
    const form = parseForm(resolveForm, req.body);
    const spanId = String(req.params.tagId);
    await change(req, (gold) => resolveContest(gold, spanId, form.resolved, actorOf(req), form.reason));
    editor.settled(req, res, `Contest resolved: ${named(req, spanKey(req, spanId))}.`);
  }

  /** POST …/curated — mark the sentence curated (then the next needing attention) or reopen it. */
  async function curated(req: Request, res: Response) {
    const form = parseForm(curatedForm, req.body);
    const a = loadedArticle(req);
    const index = sentenceIndex(req, a);
    await change(req, (gold) => (form.curated === '1' ? markSentenceCurated : unmarkSentenceCurated)(gold, index, a.sentences.length, actorOf(req)));
    const next = form.curated === '1' ? nextNeedingAttention(store.curation.gold(a.id), articleContexts(store, loadedProject(req), a), index) : index;
    const onward = next === null ? `${curationPath(loadedProject(req))}?done=${a.id}` : next === index ? null : `${sentencePath(a, next)}#sentence`;
    const message = form.curated === '1' ? `Sentence ${index + 1} is curated.${next === null ? ' Nothing else in this article needs attention.' : ''}` : `Sentence ${index + 1} is open again.`;
    // The script stays on the sentence when nothing is left (the dashboard is no sentence to load in place).
    editor.settled(req, res, message, next === null && wantsJson(req) ? null : onward);
  }

  /** The curator's sentence: gold as the editor's tags, and the curation panel's view model. */
  function place(req: Request, _res: Response): Place {
    const at = articleSentence(store, req);
    const { article: a, project, index, codebook } = at;
    const gold = store.curation.gold(a.id);
    const spans = gold.spans.filter((s) => s.sentence === index).sort((x, y) => x.start - y.start || x.end - y.end);
    const curatedCount = a.sentences.filter((_, s) => isCurated(gold, s)).length;
    const ctx = context(req, index);
    const names = curationNames(store, project);
    const range = a.sentences[index] ?? { start: 0, end: 0 };
    const words = wordsOf(a.text, range);
    const name = (id: string) => findCategory(codebook, id)?.name ?? id;
    const keyLetter = (id: string) => findCategory(codebook, id)?.key.toUpperCase() ?? '?';
    const text = (r: Range) => a.text.slice(r.start, r.end);
    const cells = (marks: { start: number; end: number; category: string }[]) =>
      words.map((w) => marks.filter((m) => m.start < w.end && w.start < m.end).map((m) => ({ id: m.category, key: keyLetter(m.category), name: name(m.category) })));
    const annotatorIds = [...new Set([...ctx.reviewers, ...ctx.tags.map((t) => t.annotatorId)])];
    const inGold = (c: { start: number; end: number; category: string; variants: Range[] }) => {
      const keys = new Set(variantKeys({ sentence: index, ...c }));
      return spans.find((s) => keys.has(keyOf(s)) || (s.origin !== null && keyOf(s.origin) === keyOf({ sentence: index, ...c })));
    };
    const rejected = (c: { start: number; end: number; category: string }) => gold.rejections.some((r) => r.sentence === index && r.start === c.start && r.end === c.end && r.category === c.category);
    const curation = {
      path: curationPath(project),
      here: sentencePath(a, index),
      curated: isCurated(gold, index),
      finished: gold.finished !== null,
      words: words.map(text),
      rows: [
        { label: 'Gold', gold: true, reviewed: true, cells: cells(spans) },
        ...annotatorIds.map((id) => ({
          label: names.annotator(id),
          gold: false,
          reviewed: ctx.reviewers.includes(id),
          cells: cells(ctx.tags.filter((t) => t.annotatorId === id)),
        })),
      ],
      reviewers: ctx.reviewers.length,
      candidates: ctx.candidates.map((c) => {
        const held = inGold(c);
        return {
          start: c.start,
          end: c.end,
          category: c.category,
          name: name(c.category),
          text: text(c),
          count: c.annotators.length,
          annotators: c.annotators.map(names.annotator),
          variants: c.variants.length,
          voices: c.voices.map((v) => `${VOICE_LABELS[v.voice]} ${v.count}`).join(', '),
          intensities: c.intensities.map((x) => `${x.intensity === null ? 'not rated' : x.intensity} ${x.count}`).join(', '),
          state: held ? STATUS_LABELS[held.status] : rejected(c) ? 'rejected' : '',
          confirmable: !held || held.status === 'auto',
          rejectable: !rejected(c),
          // The same words tagged with other categories: what a contest would weigh.
          rivals: [...new Set(ctx.candidates.filter((o) => o.start === c.start && o.end === c.end && o.category !== c.category).map((o) => o.category))],
        };
      }),
      spans: spans.map((s) => ({
        id: s.id,
        text: text(s),
        category: s.category,
        name: name(s.category),
        status: s.status,
        statusLabel: STATUS_LABELS[s.status],
        agreedBy: [...new Set(s.sources.filter((x) => x.category === s.category).map((x) => names.annotator(x.annotatorId)))],
        reviewers: s.reviewers.length,
        decidedBy: s.decidedBy === null ? null : names.person(s.decidedBy),
        decidedAt: s.decidedAt,
        contest: s.contest && { categories: s.contest.categories.map((c) => ({ id: c, name: name(c) })), reason: s.contest.reason },
        history: gold.history
          .filter((e) => e.span === s.id)
          .map((e) => ({ at: e.at, by: names.person(e.by), action: e.action, reason: e.reason, category: e.after ? name(e.after.category) : null, text: e.after ? text(e.after) : null })),
      })),
      categories: categories(codebook),
    };
    return annotationPlace(at, '/curation/articles', 'Curation, sentence', {
      owner: `curation:${a.id}:${actorOf(req).by}`,
      tags: spans.map(goldTagOf),
      canEdit: true,
      reviewed: isCurated(gold, index),
      progress: { reviewed: curatedCount, total: a.sentences.length, nextSentence: nextNeedingAttention(gold, articleContexts(store, project, a), index) },
      others: [],
      after: { href: curationPath(project), label: 'Curation dashboard' },
      page: { article: a, project, curation },
      panel: { view: '../curation/_panel', locals: curation },
    });
  }
}


