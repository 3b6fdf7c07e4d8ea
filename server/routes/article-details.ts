// An article's details — title, outlet (source), URL, date — edited after import (its text and
// sentences never change: tags point into them).
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { AppStore } from '../storage/app-store.js';
import { loadArticle, loadedArticle, loadedProject, requireResearcher } from '../web/load.js';
import { parseForm } from '../web/forms.js';
import { seeOther } from '../web/see-other.js';
import { metadata } from './articles.js';

const { text: _text, ...fields } = metadata;
const detailsForm = z.strictObject(fields);

export function articleDetails(store: AppStore): Router {
  const router = Router();
  const article = loadArticle(store);
  router.get('/articles/:articleId/details', article, edit);
  router.post('/articles/:articleId/details', article, update);
  return router;

  /** GET /articles/:articleId/details */
  function edit(req: Request, res: Response) {
    requireResearcher(req);
    const project = loadedProject(req);
    const article = loadedArticle(req);
    res.render('articles/details', { project, article, story: store.stories.storyOf(project.id, article.id) ?? null });
  }

  /** POST /articles/:articleId/details */
  async function update(req: Request, res: Response) {
    requireResearcher(req);
    const article = loadedArticle(req);
    const form = parseForm(detailsForm, req.body);
    await store.updateArticleMetadata(article.id, { title: form.title, source: form.source, url: form.url, publishedAt: form.publishedAt });
    seeOther(res, `/articles/${article.id}`);
  }
}
