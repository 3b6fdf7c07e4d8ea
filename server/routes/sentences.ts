// The sentence view and everything an annotator does on it: tag, edit, delete, mark reviewed,
// undo. The editor itself is shared (web/editor/); this is where an annotator's tags live.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Tag } from '../core/model.js';
import { canAnnotate } from '../core/access.js';
import { addTag, markReviewed, progress, removeTag, reviewedSentences, unmarkReviewed, updateTag } from '../core/spans.js';
import type { AppStore } from '../storage/app-store.js';
import { currentUser } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { loadArticle, loadedArticle, loadedProject } from '../web/load.js';
import { ANNOTATOR_WORDING, sentenceEditor, type Place } from '../web/editor/editor.js';
import { ANNOTATION_FIELDS, annotationPlace, annotationRoutes, articleSentence } from '../web/editor/annotation-place.js';
import { fromTag, tagFields } from '../web/editor/tags.js';
import { codebookOf, userNames, visibleAnnotations } from '../web/views.js';
import { offeredIn, pendingSuggestions, seesSuggestions } from '../core/suggest/design.js';
import { LiveSuggestions } from '../suggest/live.js';

/** `signedIn` runs first on every sentence path: the router sits before the public routes. */
export function sentences(store: AppStore, signedIn: RequestHandler[]): Router {
  const router = Router();
  router.use('/articles/:articleId/sentences', ...signedIn);
  const load = loadArticle(store);
  const live = LiveSuggestions.of(store);
  // The project's learned model is read before its first page (later pages find it in memory).
  const article: RequestHandler[] = [
    load,
    (req, _res, next) => {
      const project = loadedProject(req);
      if (project.suggestions?.mode !== 'learned' && project.suggestions?.mode !== 'both') return next();
      live.prepare(project, codebookOf(store, project)).then(() => next(), next);
    },
  ];
  const editor = sentenceEditor({
    kind: 'annotation',
    view: 'sentences/show',
    fields: ANNOTATION_FIELDS,
    wording: ANNOTATOR_WORDING,
    place,
    checkCanEdit,
    add: (req, _place, tag) =>
      change(req, (annotation) => {
        const now = new Date().toISOString();
        const stored: Tag = {
          id: tag.id,
          articleId: loadedArticle(req).id,
          annotatorId: currentUser(req).id,
          sentence: tag.sentence,
          ...tagFields(tag),
          createdAt: tag.createdAt ?? now,
          updatedAt: now,
          origin: tag.origin ?? { kind: 'manual' },
        };
        addTag(annotation, stored);
      }),
    update: (req, _place, id, fields) =>
      change(req, (annotation) => {
        const tag = annotation.tags.find((t) => t.id === id);
        const was = tag && { start: tag.start, end: tag.end, category: tag.category };
        updateTag(annotation, id, tagFields(fields), new Date().toISOString());
        // An accepted suggestion whose span or category the annotator changed counts as adjusted.
        const origin = tag?.origin;
        if (tag && was && origin?.kind === 'suggestion' && (fields.start !== was.start || fields.end !== was.end || fields.category !== was.category)) {
          tag.origin = { ...origin, adjusted: true };
        }
      }),
    remove: (req, _place, id) => change(req, (annotation) => removeTag(annotation, id)),
    review: (req, p, reviewed) => change(req, (annotation) => (reviewed ? markReviewed(annotation, p.index) : unmarkReviewed(annotation, p.index))),
    reject: (req, _place, s) =>
      change(req, (annotation) => {
        const rejected = annotation.rejected ?? [];
        rejected.push({ sentence: s.sentence, start: s.start, end: s.end, category: s.category, suggester: s.suggester, score: s.score, at: new Date().toISOString() });
        annotation.rejected = rejected;
      }),
  });
  const path = '/articles/:articleId/sentences/:n';
  annotationRoutes(router, path, article, editor);
  router.post(`${path}/suggestions/accept`, article, editor.accept);
  router.post(`${path}/suggestions/reject`, article, editor.reject);
  return router;

  async function change(req: Request, apply: Parameters<AppStore['updateAnnotation']>[2]): Promise<void> {
    await store.updateAnnotation(loadedArticle(req).id, currentUser(req).id, apply);
    live.tagsChanged(loadedProject(req));
  }

  function checkCanEdit(req: Request): void {
    if (!canAnnotate(loadedProject(req), loadedArticle(req).id, currentUser(req).id)) {
      throw new HttpError(403, 'You are not assigned to annotate this article.');
    }
  }

  /**
   * The annotator's sentence: their tags, and other annotators' where the project shows them (not
   * for an edit, which reads only the annotator's own: a save costs one annotation's read, not the
   * article's).
   */
  async function place(req: Request, _res: Response, edits = false): Promise<Place> {
    const at = articleSentence(store, req);
    const { article, project, index, codebook } = at;
    const user = currentUser(req);
    const all = edits ? [] : await visibleAnnotations(store, project, article.id, user.id);
    const mine = all.find((a) => a.annotatorId === user.id) ?? (await store.readAnnotation(article.id, user.id));
    const others = all
      .filter((a) => a.annotatorId !== user.id)
      .flatMap((a) => a.tags.filter((t) => t.sentence === index));
    // Names are looked up only when there are other annotators' tags to show (none in a blind project).
    const names = others.length > 0 ? userNames(store) : new Map<string, string>();
    const settings = project.suggestions;
    const suggestions =
      settings && seesSuggestions(settings, project.id, user.id) && offeredIn(mine, index, settings.since)
        ? pendingSuggestions(live.forSentence(project, codebook, article, index), mine.tags, mine.rejected ?? [])
        : undefined;
    return annotationPlace(at, '/articles', 'Sentence', {
      owner: `${article.id}:${user.id}`,
      tags: mine.tags.filter((t) => t.sentence === index).map(fromTag),
      canEdit: canAnnotate(project, article.id, user.id),
      reviewed: reviewedSentences(mine).has(index),
      progress: progress(article, mine),
      others: others.map((t) => ({ ...fromTag(t), by: names.get(t.annotatorId) ?? 'unknown' })),
      ...(suggestions ? { suggestions } : {}),
      after: null,
      page: { article, project },
    });
  }
}
