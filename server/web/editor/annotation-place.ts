// The sentence editor on a project's article: what an annotator's own tags (routes/sentences.ts)
// and a curator's gold (routes/curation-sentences.ts) have in common. Both tag the sentence in
// the URL with the project's codebook, with an intensity and a note, and serve the same six
// routes; they differ in whose tags they show and what the page around them holds.
import type { Request, RequestHandler, Router } from 'express';
import type { Article, Codebook } from '../../core/model.js';
import type { Project } from '../../storage/schemas.js';
import type { AppStore } from '../../storage/app-store.js';
import { loadedArticle, loadedProject } from '../load.js';
import { codebookOf } from '../views.js';
import type { Place, sentenceEditor } from './editor.js';
import type { FieldSpec } from './form.js';
import { sentenceIndex } from './sentence.js';
import type { EditorTag } from './tags.js';

/** An annotator's tag and a gold span alike: an intensity, and a note of up to 2,000 characters. */
export const ANNOTATION_FIELDS: FieldSpec = { intensity: true, text: { name: 'note', max: 2000, required: false } };

/** The sentence a request tags: its article (loaded), project, index (from `:n`) and codebook. */
export interface ArticleSentence {
  article: Article;
  project: Project;
  index: number;
  codebook: Codebook;
}

export function articleSentence(store: AppStore, req: Request): ArticleSentence {
  const article = loadedArticle(req);
  const project = loadedProject(req);
  return { article, project, index: sentenceIndex(req, article), codebook: codebookOf(store, project) };
}

/** What a place on an article sets itself; the rest comes from the sentence. */
export type OwnPlace = Omit<Place, 'doc' | 'index' | 'codebook' | 'base' | 'title'>;

/**
 * The editor's place on `at`: sentences under `${prefix}/${article id}/sentences`, the page titled
 * "`heading` n · article title", the tags in text order.
 */
export function annotationPlace(at: ArticleSentence, prefix: string, heading: string, own: OwnPlace): Place {
  return {
    ...own,
    doc: at.article,
    index: at.index,
    codebook: at.codebook,
    base: `${prefix}/${at.article.id}/sentences`,
    title: `${heading} ${at.index + 1} · ${at.article.title}`,
    tags: [...own.tags].sort(inTextOrder),
  };
}

function inTextOrder(a: EditorTag, b: EditorTag): number {
  return a.start - b.start || a.end - b.end;
}

/** The editor's routes on a sentence path (`…/:n`): the page, add, edit, delete, "nothing here" and undo. */
export function annotationRoutes(router: Router, path: string, load: RequestHandler | RequestHandler[], editor: ReturnType<typeof sentenceEditor>): void {
  router.get(path, load, editor.show);
  router.post(`${path}/tags`, load, editor.create);
  router.post(`${path}/tags/:tagId`, load, editor.update);
  router.post(`${path}/tags/:tagId/delete`, load, editor.remove);
  router.post(`${path}/reviewed`, load, editor.review);
  router.post(`${path}/undo`, load, editor.undo);
}
