// Articles: import (with a segmentation preview), the article page, deletion.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import { z } from 'zod';
import type { Article } from '../core/model.js';
import { MAX_ARTICLE_BYTES, articleText as underLineEndRule, articleTextProblem, decodeUtf8 } from '../core/article-text.js';
import { segment } from '../core/segmentation.js';
import { looksLikeFurniture } from '../core/furniture.js';
import { progress } from '../core/spans.js';
import { sentenceStrip, summarise } from '../core/summary.js';
import { categories } from '../core/codebook.js';
import { assignedTo, isResearcher } from '../core/access.js';
import type { Store } from '../storage/store.js';
import { newId } from '../storage/store.js';
import { currentUser } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { csrfField, formList, formInt, multipartBody, parseForm } from '../web/forms.js';
import { loadArticle, loadProject, loadedArticle, loadedProject, requireResearcher, researchersOnly } from '../web/load.js';
import { csrf } from '../web/security.js';
import { articleView, codebookOf, visibleAnnotations } from '../web/views.js';
import { seeOther } from '../web/see-other.js';

/** Import forms are multipart (they may carry a file), so their CSRF check runs after parsing. */
export const importUpload: RequestHandler[] = [
  multipartBody(
    // A browser sends a text box's line breaks as CRLF, so a 1 MB article may arrive as up to 2 MB
    // (articleText then says how large it may be); up to 2,000 fields (sentences left out).
    multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_ARTICLE_BYTES, fieldSize: 2 * MAX_ARTICLE_BYTES, files: 1, fields: 2000, parts: 2001 } }).single('file'),
    // The whole body, counted as it arrives: the text, a file of 1 MB, and the fields.
    4 * MAX_ARTICLE_BYTES,
  ),
  csrf.csrfSynchronisedProtection,
];

function isCalendarDate(d: string): boolean {
  const time = Date.parse(d);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === d;
}

const metadata = {
  ...csrfField,
  title: z.string().trim().min(1, 'give the article a title').max(300),
  source: z.string().trim().max(200).default(''),
  url: z
    .string()
    .trim()
    .max(2000)
    .refine((u) => u === '' || /^https?:\/\/[^\s]+$/i.test(u), 'must start with http:// or https://')
    .default(''),
  publishedAt: z
    .string()
    .trim()
    // Date.parse rolls 2021-02-31 over to March 3rd: the date must read back unchanged.
    .refine((d) => d === '' || (/^\d{4}-\d{2}-\d{2}$/.test(d) && isCalendarDate(d)), 'must be a date, YYYY-MM-DD')
    .default(''),
  text: z.string().max(4 * MAX_ARTICLE_BYTES).default(''),
};
const previewForm = z.strictObject(metadata);
const createForm = z.strictObject({
  ...metadata,
  // The previewed text, as base64 of its UTF-8: a browser submits a textarea's (or a hidden
  // field's) line breaks as CRLF, which would shift every offset after the first line.
  previewed: z.string().max(2 * MAX_ARTICLE_BYTES).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'is not the text the preview sent').optional(),
  exclude: formList(formInt(0, 1_000_000), 100_000),
});

/**
 * The article text from an uploaded file, the previewed text or the text box, under the line-end
 * rule (a leading BOM dropped, CRLF and CR made LF: the same for paste and upload); refuses what
 * is not plain UTF-8 text.
 */
function articleText(req: Request, pasted: string, previewed?: string): string {
  let raw = pasted;
  if (req.file && req.file.size > 0) {
    if (!/\.(txt|md|markdown)$/i.test(req.file.originalname)) {
      throw new HttpError(400, 'Upload a plain-text file ending in .txt or .md.');
    }
    const decoded = decodeUtf8(req.file.buffer);
    if (decoded === null) throw new HttpError(400, 'That file is not valid UTF-8 text. Save it as UTF-8 and upload it again.');
    raw = decoded;
  } else if (previewed !== undefined) {
    const decoded = decodeUtf8(Buffer.from(previewed, 'base64'));
    if (decoded === null) throw new HttpError(400, 'The previewed text could not be read: import the article again.');
    raw = decoded;
  }
  const text = underLineEndRule(raw);
  const problem = articleTextProblem(text);
  if (problem) throw new HttpError(problem.kind === 'too-large' ? 413 : 400, problem.message);
  return text;
}

export function articles(store: Store): Router {
  const router = Router();
  const project = loadProject(store);
  const article = loadArticle(store);
  router.get('/projects/:projectId/articles/new', project, newForm);
  router.post('/projects/:projectId/articles/preview', project, researchersOnly, importUpload, preview);
  router.post('/projects/:projectId/articles', project, researchersOnly, importUpload, create);
  router.get('/articles/:articleId', article, show);
  router.get('/articles/:articleId/delete', article, confirmRemove);
  router.post('/articles/:articleId/delete', article, remove);
  return router;

  /** GET /projects/:projectId/articles/new */
  function newForm(req: Request, res: Response) {
    requireResearcher(req);
    res.render('articles/new', { project: loadedProject(req), form: {}, error: null });
  }

  /** POST /projects/:projectId/articles/preview — shows the segmentation before saving. */
  function preview(req: Request, res: Response) {
    requireResearcher(req);
    const project = loadedProject(req);
    const form = parseForm(previewForm, req.body);
    const text = articleText(req, form.text);
    const sentences = segment(text).map((range, index) => {
      const sentence = text.slice(range.start, range.end);
      return { index, text: sentence, suggestExclude: looksLikeFurniture(sentence) };
    });
    res.render('articles/preview', { project, form, previewed: Buffer.from(text, 'utf8').toString('base64'), sentences });
  }

  /** POST /projects/:projectId/articles */
  async function create(req: Request, res: Response) {
    requireResearcher(req);
    const project = loadedProject(req);
    const form = parseForm(createForm, req.body);
    const text = articleText(req, form.text, form.previewed);
    const excluded = new Set(form.exclude);
    const sentences = segment(text).filter((_, i) => !excluded.has(i));
    if (sentences.length === 0) throw new HttpError(400, 'Every sentence was excluded: keep at least one.');
    const article: Article = {
      id: newId(),
      projectId: project.id,
      title: form.title,
      source: form.source,
      url: form.url,
      publishedAt: form.publishedAt,
      text,
      sentences,
      createdAt: new Date().toISOString(),
      createdBy: currentUser(req).id,
    };
    await store.createArticle(article);
    await store.updateProject(project.id, () => {});
    seeOther(res, `/articles/${article.id}`);
  }

  /** GET /articles/:articleId */
  function show(req: Request, res: Response) {
    const article = loadedArticle(req);
    const project = loadedProject(req);
    const user = currentUser(req);
    const codebook = codebookOf(store, project);
    const annotations = visibleAnnotations(store, project, article.id, user.id);
    const cats = categories(codebook);
    res.render('articles/show', {
      project,
      article,
      codebook,
      view: articleView(article, annotations, codebook),
      summary: summarise(new Map([[article.id, article]]), annotations, cats),
      strip: sentenceStrip(article, annotations, cats),
      progress: progress(article, store.annotation(article.id, user.id)),
      canDelete: isResearcher(project, user.id),
      annotatorCount: assignedTo(project, article.id).length,
    });
  }

  /** GET /articles/:articleId/delete — asks for confirmation. */
  function confirmRemove(req: Request, res: Response) {
    requireResearcher(req);
    const article = loadedArticle(req);
    const tags = store.annotations(article.id).reduce((n, a) => n + a.tags.length, 0);
    res.render('articles/remove', { project: loadedProject(req), article, tags });
  }

  /** POST /articles/:articleId/delete */
  async function remove(req: Request, res: Response) {
    requireResearcher(req);
    const article = loadedArticle(req);
    parseForm(z.strictObject({ ...csrfField, confirm: z.literal('yes', 'tick the box to confirm') }), req.body);
    await store.removeArticle(article.id);
    const project = loadedProject(req);
    await store.updateProject(project.id, () => {});
    seeOther(res, `/projects/${article.projectId}`);
  }
}
