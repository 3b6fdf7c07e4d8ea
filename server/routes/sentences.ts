// The sentence view and everything an annotator does on it: tag, edit, delete, mark reviewed.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { Article, Tag } from '../core/model.js';
import { VOICES, VOICE_LABELS } from '../core/model.js';
import { categories } from '../core/codebook.js';
import { canAnnotate } from '../core/access.js';
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
import type { Store } from '../storage/store.js';
import { newId } from '../storage/store.js';
import { currentUser } from '../web/auth.js';
import { HttpError, notFound } from '../web/errors.js';
import { csrfField, emptyForm, formInt, parseForm } from '../web/forms.js';
import { loadArticle, loadedArticle, loadedProject } from '../web/load.js';
import { InputError, echo, sentenceIndex, sentencePath, sentenceView, spanOf } from '../web/sentence-editor.js';
import { idParam, queryId } from '../web/params.js';
import { LAYOUT, cachedFragment, codebookOf, freshFragment, pieces, userNames, visibleAnnotations } from '../web/views.js';
import { seeOther } from '../web/see-other.js';

const tagForm = z.strictObject({
  ...csrfField,
  first: formInt(0, 10_000),
  last: formInt(0, 10_000),
  category: z.string().max(64),
  voice: z.enum(VOICES),
  intensity: z.enum(['', '1', '2', '3']).default('').transform((v) => (v === '' ? null : v === '1' ? 1 : v === '2' ? 2 : 3)),
  note: z.string().max(2000).default(''),
});
type TagForm = z.infer<typeof tagForm>;

const reviewForm = z.strictObject({ ...csrfField, reviewed: z.enum(['0', '1']) });

/** `signedIn` runs first on every sentence path: the router sits before the public routes. */
export function sentences(store: Store, signedIn: RequestHandler[]): Router {
  const router = Router();
  router.use('/articles/:articleId/sentences', ...signedIn);
  const article = loadArticle(store);
  router.get('/articles/:articleId/sentences/:n', article, show);
  router.post('/articles/:articleId/sentences/:n/tags', article, create);
  router.post('/articles/:articleId/sentences/:n/tags/:tagId', article, update);
  router.post('/articles/:articleId/sentences/:n/tags/:tagId/delete', article, remove);
  router.post('/articles/:articleId/sentences/:n/reviewed', article, review);
  return router;

  function checkCanAnnotate(req: Request): void {
    if (!canAnnotate(loadedProject(req), loadedArticle(req).id, currentUser(req).id)) {
      throw new HttpError(403, 'You are not assigned to annotate this article.');
    }
  }

  /** Turns the form into tag fields, checking the words and the category against this sentence. */
  function fieldsOf(req: Request, article: Article, index: number, form: TagForm): TagFields {
    const span = spanOf(article, index, form, codebookOf(store, loadedProject(req)));
    return { ...span, category: form.category, voice: form.voice, intensity: form.intensity, note: form.note.trim() };
  }

  /** GET /articles/:articleId/sentences/:n */
  function show(req: Request, res: Response) {
    render(req, res, 200, null, null);
  }

  function render(req: Request, res: Response, status: number, error: string | null, form: Record<string, unknown> | null) {
    const article = loadedArticle(req);
    const project = loadedProject(req);
    const user = currentUser(req);
    const index = sentenceIndex(req, article);
    const view = sentenceView(article, index);
    const codebook = codebookOf(store, project);
    const mine = store.annotation(article.id, user.id);
    const myTags = mine.tags.filter((t) => t.sentence === index).sort((a, b) => a.start - b.start || a.end - b.end);
    const others = visibleAnnotations(store, project, article.id, user.id)
      .filter((a) => a.annotatorId !== user.id)
      .flatMap((a) => a.tags.filter((t) => t.sentence === index));
    const editId = queryId(req, 'edit');
    const editing = editId === undefined ? null : (myTags.find((t) => t.id === editId) ?? null);
    res.status(status).render('sentences/show', {
      project,
      article,
      codebook,
      categories: categories(codebook),
      index,
      total: article.sentences.length,
      pieces: pieces(article.text, view.range, myTags, view.words),
      words: view.choices,
      previous: view.previous,
      next: view.next,
      progress: progress(article, mine),
      reviewed: reviewedSentences(mine).has(index),
      myTags: myTags.map(view.tagView),
      otherTags: others.map(view.tagView),
      // Names are shown only beside other annotators' tags (none in a blind project).
      names: others.length > 0 ? userNames(store) : new Map<string, string>(),
      editing: editing && view.tagView(editing),
      savedId: queryId(req, 'saved') ?? null,
      canAnnotate: canAnnotate(project, article.id, user.id),
      voices: VOICES.map((v) => ({ value: v, label: VOICE_LABELS[v] })),
      error,
      form,
      fragment: req.app.enabled('view cache') ? cachedFragment : freshFragment,
      layout: LAYOUT,
    });
  }

  /** Runs a change; a broken rule re-renders the sentence with the message and the user's input. */
  async function attempt(req: Request, res: Response, status: number, change: () => Promise<string>) {
    try {
      seeOther(res, await change());
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
      render(req, res, error instanceof InputError ? 400 : status, error.message, echo(req));
    }
  }

  function backTo(article: Article, index: number, tagId?: string) {
    return sentencePath(`/articles/${article.id}/sentences`, index, tagId);
  }

  /** POST /articles/:articleId/sentences/:n/tags */
  async function create(req: Request, res: Response) {
    checkCanAnnotate(req);
    const article = loadedArticle(req);
    const index = sentenceIndex(req, article);
    const annotatorId = currentUser(req).id;
    await attempt(req, res, 409, async () => {
      const fields = fieldsOf(req, article, index, parseForm(tagForm, req.body));
      const now = new Date().toISOString();
      const tag: Tag = { id: newId(), articleId: article.id, annotatorId, sentence: index, ...fields, createdAt: now, updatedAt: now };
      await store.updateAnnotation(article.id, annotatorId, (annotation) => addTag(annotation, tag));
      return backTo(article, index, tag.id);
    });
  }

  /** POST /articles/:articleId/sentences/:n/tags/:tagId */
  async function update(req: Request, res: Response) {
    checkCanAnnotate(req);
    const article = loadedArticle(req);
    const index = sentenceIndex(req, article);
    const tagId = idParam(req, 'tagId');
    const annotatorId = currentUser(req).id;
    if (!store.annotation(article.id, annotatorId).tags.some((t) => t.id === tagId && t.sentence === index)) {
      throw notFound('Tag');
    }
    await attempt(req, res, 409, async () => {
      const fields = fieldsOf(req, article, index, parseForm(tagForm, req.body));
      const now = new Date().toISOString();
      await store.updateAnnotation(article.id, annotatorId, (annotation) => updateTag(annotation, tagId, fields, now));
      return backTo(article, index, tagId);
    });
  }

  /** POST /articles/:articleId/sentences/:n/tags/:tagId/delete */
  async function remove(req: Request, res: Response) {
    checkCanAnnotate(req);
    const article = loadedArticle(req);
    const index = sentenceIndex(req, article);
    const tagId = idParam(req, 'tagId');
    const annotatorId = currentUser(req).id;
    parseForm(emptyForm, req.body);
    if (!store.annotation(article.id, annotatorId).tags.some((t) => t.id === tagId && t.sentence === index)) {
      throw notFound('Tag');
    }
    await store.updateAnnotation(article.id, annotatorId, (annotation) => removeTag(annotation, tagId));
    seeOther(res, backTo(article, index));
  }

  /** POST /articles/:articleId/sentences/:n/reviewed — "reviewed, nothing to tag here" (or undo). */
  async function review(req: Request, res: Response) {
    checkCanAnnotate(req);
    const article = loadedArticle(req);
    const index = sentenceIndex(req, article);
    const form = parseForm(reviewForm, req.body);
    const annotatorId = currentUser(req).id;
    await attempt(req, res, 409, async () => {
      await store.updateAnnotation(article.id, annotatorId, (annotation) =>
        form.reviewed === '1' ? markReviewed(annotation, index) : unmarkReviewed(annotation, index),
      );
      const next = form.reviewed === '1' && index + 1 < article.sentences.length ? index + 1 : index;
      return backTo(article, next);
    });
  }
}
