// The sentence view and everything an annotator does on it: tag, edit, delete, mark reviewed,
// undo. The editor itself is shared (web/editor/); this is where an annotator's tags live.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Tag } from '../core/model.js';
import { canAnnotate } from '../core/access.js';
import { addTag, markReviewed, progress, removeTag, reviewedSentences, unmarkReviewed, updateTag } from '../core/spans.js';
import type { Store } from '../storage/store.js';
import { currentUser } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { loadArticle, loadedArticle, loadedProject } from '../web/load.js';
import { sentenceEditor, type Place, type Wording } from '../web/editor/editor.js';
import { sentenceIndex } from '../web/editor/sentence.js';
import { fromTag, tagFields } from '../web/editor/tags.js';
import { codebookOf, userNames, visibleAnnotations } from '../web/views.js';

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

/** `signedIn` runs first on every sentence path: the router sits before the public routes. */
export function sentences(store: Store, signedIn: RequestHandler[]): Router {
  const router = Router();
  router.use('/articles/:articleId/sentences', ...signedIn);
  const article = loadArticle(store);
  const editor = sentenceEditor({
    kind: 'annotation',
    view: 'sentences/show',
    fields: { intensity: true, text: { name: 'note', max: 2000, required: false } },
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
        };
        addTag(annotation, stored);
      }),
    update: (req, _place, id, fields) => change(req, (annotation) => updateTag(annotation, id, tagFields(fields), new Date().toISOString())),
    remove: (req, _place, id) => change(req, (annotation) => removeTag(annotation, id)),
    review: (req, p, reviewed) => change(req, (annotation) => (reviewed ? markReviewed(annotation, p.index) : unmarkReviewed(annotation, p.index))),
  });
  const path = '/articles/:articleId/sentences/:n';
  router.get(path, article, editor.show);
  router.post(`${path}/tags`, article, editor.create);
  router.post(`${path}/tags/:tagId`, article, editor.update);
  router.post(`${path}/tags/:tagId/delete`, article, editor.remove);
  router.post(`${path}/reviewed`, article, editor.review);
  router.post(`${path}/undo`, article, editor.undo);
  return router;

  function change(req: Request, apply: Parameters<Store['updateAnnotation']>[2]): Promise<void> {
    return store.updateAnnotation(loadedArticle(req).id, currentUser(req).id, apply);
  }

  function checkCanEdit(req: Request): void {
    if (!canAnnotate(loadedProject(req), loadedArticle(req).id, currentUser(req).id)) {
      throw new HttpError(403, 'You are not assigned to annotate this article.');
    }
  }

  /** The annotator's sentence: their tags, and other annotators' where the project shows them. */
  function place(req: Request, _res: Response): Place {
    const article = loadedArticle(req);
    const project = loadedProject(req);
    const user = currentUser(req);
    const index = sentenceIndex(req, article);
    const mine = store.annotation(article.id, user.id);
    const others = visibleAnnotations(store, project, article.id, user.id)
      .filter((a) => a.annotatorId !== user.id)
      .flatMap((a) => a.tags.filter((t) => t.sentence === index));
    // Names are looked up only when there are other annotators' tags to show (none in a blind project).
    const names = others.length > 0 ? userNames(store) : new Map<string, string>();
    return {
      doc: article,
      index,
      codebook: codebookOf(store, project),
      base: `/articles/${article.id}/sentences`,
      owner: `${article.id}:${user.id}`,
      title: `Sentence ${index + 1} · ${article.title}`,
      tags: mine.tags
        .filter((t) => t.sentence === index)
        .sort((a, b) => a.start - b.start || a.end - b.end)
        .map(fromTag),
      canEdit: canAnnotate(project, article.id, user.id),
      reviewed: reviewedSentences(mine).has(index),
      progress: progress(article, mine),
      others: others.map((t) => ({ ...fromTag(t), by: names.get(t.annotatorId) ?? 'unknown' })),
      after: null,
      page: { article, project },
    };
  }
}
