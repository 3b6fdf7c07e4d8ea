// Articles: import (with a segmentation preview), the article page, deletion.
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { Article } from '../core/model.js';
import { MAX_ARTICLE_BYTES, articleText as underLineEndRule, articleTextProblem, decodeUtf8 } from '../core/article-text.js';
import { segment } from '../core/segmentation.js';
import { looksLikeFurniture } from '../core/furniture.js';
import { progress } from '../core/spans.js';
import { sentenceStrip, summarise } from '../core/summary.js';
import { categories } from '../core/codebook.js';
import { assignedTo, isResearcher } from '../core/access.js';
import type { AppStore } from '../storage/app-store.js';
import { newId } from '../storage/store.js';
import { currentUser } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { FormError, FormView, csrfField, forgiving, formList, formInt, multipartBody, parseForm, readForm } from '../web/forms.js';
import { flash } from '../web/flash.js';
import { ID } from '../storage/schemas.js';
import { loadArticle, loadProject, loadedArticle, loadedProject, requireResearcher, researchersOnly } from '../web/load.js';
import { csrf } from '../web/security.js';
import { articleView, codebookOf, visibleAnnotations } from '../web/views.js';
import { seeOther } from '../web/see-other.js';

/** Import forms are multipart (they may carry a file), so their CSRF check runs after parsing. */
export const importUpload: RequestHandler[] = [
  multipartBody(
    // A browser sends a text box's line breaks as CRLF, so a 1 MB article may arrive as up to 2 MB
    // (articleText then says how large it may be); up to 2,000 fields (sentences left out).
    (multer) =>
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

export const metadata = {
  ...csrfField,
  title: z.string().trim().min(1, 'Give the article a title.').max(300),
  source: z.string().trim().max(200).default(''),
  url: z
    .string()
    .trim()
    .max(2000)
    .refine((u) => u === '' || /^https?:\/\/[^\s]+$/i.test(u), 'The address must start with http:// or https://.')
    .default(''),
  publishedAt: z
    .string()
    .trim()
    // Date.parse rolls 2021-02-31 over to March 3rd: the date must read back unchanged.
    .refine((d) => d === '' || (/^\d{4}-\d{2}-\d{2}$/.test(d) && isCalendarDate(d)), 'Give the publication date as a real date, YYYY-MM-DD, or leave it empty.')
    .default(''),
  text: z.string().max(4 * MAX_ARTICLE_BYTES).default(''),
};
/**
 * The import form names the article's id before it is saved (`articleId`, a hidden field the
 * preview carries on): sending the same import twice (Back, then Save again, even when the
 * browser sends the import form again to show the preview) finds the article saved the first
 * time instead of making a second one. The preview may be shown again with its ticks kept.
 */
const articleId = z.string().regex(ID).optional();
const exclude = formList(formInt(0, 1_000_000), 100_000);
// The previewed text, as base64 of its UTF-8: a browser submits a textarea's (or a hidden
// field's) line breaks as CRLF, which would shift every offset after the first line.
const previewed = z.string().max(2 * MAX_ARTICLE_BYTES).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'is not the text the preview sent').optional();
const previewForm = z.strictObject({ ...metadata, articleId, previewed, exclude: exclude.optional() });
const createForm = z.strictObject({ ...metadata, articleId, previewed, exclude });
/** What the import form calls its fields (fields without a label are hidden ones: a plain 400). */
const LABELS = { title: 'Title', source: 'Source', url: 'Address (URL)', publishedAt: 'Publication date', text: 'Text', file: 'File' };

/** The text of an uploaded file, or null without one; refuses what is not plain UTF-8 text. */
function fileText(req: Request): string | null {
  if (!req.file || req.file.size === 0) return null;
  if (!/\.(txt|md|markdown)$/i.test(req.file.originalname)) {
    throw new FormError({ file: 'Upload a plain-text file ending in .txt or .md.' });
  }
  const decoded = decodeUtf8(req.file.buffer);
  if (decoded === null) throw new FormError({ file: 'That file is not valid UTF-8 text. Save it as UTF-8 and upload it again.' });
  return decoded;
}

/**
 * The article text from an uploaded file, the previewed text or the text box, under the line-end
 * rule (a leading BOM dropped, CRLF and CR made LF: the same for paste and upload); refuses what
 * is not an article.
 */
function articleText(req: Request, pasted: string, previewed?: string): string {
  let raw = fileText(req);
  const field = raw === null ? 'text' : 'file';
  if (raw === null && previewed !== undefined) {
    raw = decodeUtf8(Buffer.from(previewed, 'base64'));
    if (raw === null) throw new HttpError(400, 'The previewed text could not be read: import the article again.');
  }
  const text = underLineEndRule(raw ?? pasted);
  const problem = articleTextProblem(text);
  if (problem) throw new FormError({ [problem.kind === 'empty' ? 'text' : field]: problem.message }, problem.kind === 'too-large' ? 413 : 400);
  return text;
}

/**
 * Reads the import form. A problem with the metadata sends the form back with the text kept,
 * the uploaded file's text included (a browser never keeps a chosen file).
 */
function readImport<T extends { text: string; previewed?: string | undefined }>(schema: z.ZodType<T>, req: Request): { form: T; text: string } {
  let form: T;
  try {
    form = readForm(schema, req.body, LABELS);
  } catch (error) {
    if (!(error instanceof FormError)) throw error;
    let uploaded: string | null = null;
    try {
      uploaded = fileText(req);
    } catch {
      // The file has its own problem: the form asks for it again.
    }
    const body: unknown = req.body;
    throw new FormError(error.fields, error.status, { values: uploaded === null ? body : { ...(typeof body === 'object' ? body : {}), text: uploaded } });
  }
  return { form, text: articleText(req, form.text, form.previewed) };
}

export function articles(store: AppStore): Router {
  const router = Router();
  const project = loadProject(store);
  const article = loadArticle(store);
  /** Articles being saved, by id: a second send of the same preview waits for the first. */
  const saving = new Map<string, Promise<void>>();
  router.get('/projects/:projectId/articles/new', project, newForm);
  router.post('/projects/:projectId/articles/preview', project, researchersOnly, importUpload, forgiving('import', preview, importPage));
  router.post('/projects/:projectId/articles', project, researchersOnly, importUpload, forgiving('import', create, importPage));
  router.get('/articles/:articleId', article, show);
  router.get('/articles/:articleId/delete', article, confirmRemove);
  router.post('/articles/:articleId/delete', article, remove);
  return router;

  /** GET /projects/:projectId/articles/new */
  function newForm(req: Request, res: Response) {
    requireResearcher(req);
    res.render('articles/new', { project: loadedProject(req), articleId: newId() });
  }

  /** A form sent back: the import form, or the preview when the problem is in its ticks. */
  function importPage(req: Request, res: Response) {
    const sent: unknown = res.locals.form;
    if (sent instanceof FormView && sent.name === 'preview') return preview(req, res);
    newForm(req, res);
  }

  /** POST /projects/:projectId/articles/preview — shows the segmentation before saving. */
  function preview(req: Request, res: Response) {
    requireResearcher(req);
    const project = loadedProject(req);
    const { form, text } = readImport(previewForm, req);
    const ticked = new Set(form.exclude ?? []);
    const sentences = segment(text).map((range, index) => {
      const sentence = text.slice(range.start, range.end);
      return { index, text: sentence, exclude: form.exclude ? ticked.has(index) : looksLikeFurniture(sentence) };
    });
    // Kept in the browser's cache (private, never shared): Back from the saved article shows this
    // preview again instead of "Confirm form resubmission"; its Save then finds the article saved.
    res.set('Cache-Control', 'private, max-age=0');
    res.render('articles/preview', {
      project,
      fields: form,
      previewed: Buffer.from(text, 'utf8').toString('base64'),
      sentences,
      articleId: form.articleId ?? newId(),
    });
  }

  /** POST /projects/:projectId/articles */
  async function create(req: Request, res: Response) {
    requireResearcher(req);
    const project = loadedProject(req);
    const { form, text } = readImport(createForm, req);
    const id = form.articleId ?? newId();
    await saving.get(id);
    const saved = store.article(id);
    if (saved) {
      // The same preview sent again (Back, then Save): the article is there already.
      if (saved.projectId !== project.id) throw new HttpError(409, 'This import form belongs to another project: import the article again from this one.');
      flash(req, `“${saved.title}” was already saved: here it is. Nothing was saved twice.`);
      return seeOther(res, `/articles/${saved.id}`);
    }
    const excluded = new Set(form.exclude);
    const sentences = segment(text).filter((_, i) => !excluded.has(i));
    if (sentences.length === 0) throw new FormError({ exclude: 'Every sentence is ticked to be left out: keep at least one.' }, 400, { form: 'preview' });
    const article: Article = {
      id,
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
    const done = (async () => {
      await store.createArticle(article);
      await store.updateProject(project.id, () => {});
    })();
    saving.set(id, done.catch(() => {}));
    try {
      await done;
    } finally {
      saving.delete(id);
    }
    flash(req, `“${article.title}” saved with ${sentences.length} sentence${sentences.length === 1 ? '' : 's'}.`);
    seeOther(res, `/articles/${article.id}`);
  }

  /** GET /articles/:articleId */
  async function show(req: Request, res: Response) {
    const article = loadedArticle(req);
    const project = loadedProject(req);
    const user = currentUser(req);
    const codebook = codebookOf(store, project);
    const annotations = await visibleAnnotations(store, project, article.id, user.id);
    const cats = categories(codebook);
    res.render('articles/show', {
      project,
      article,
      codebook,
      view: articleView(article, annotations, codebook),
      summary: summarise(new Map([[article.id, article]]), annotations, cats),
      strip: sentenceStrip(article, annotations, cats),
      progress: progress(article, await store.readAnnotation(article.id, user.id)),
      canDelete: isResearcher(project, user.id),
      annotatorCount: assignedTo(project, article.id).length,
    });
  }

  /** GET /articles/:articleId/delete — asks for confirmation. */
  async function confirmRemove(req: Request, res: Response) {
    requireResearcher(req);
    const article = loadedArticle(req);
    const tags = (await store.readAnnotations(article.id)).reduce((n, a) => n + a.tags.length, 0);
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
