// Downloads for researchers: tags (CSV, JSONL), reliability matrices, brat, CoNLL, the codebook,
// optionally with annotators replaced by stable pseudonyms; and imports: JSONL back into a
// project, and spans from other tools (brat, SemEval-2020 Task 11, CSV) through a check step.
import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { categories } from '../core/codebook.js';
import type { Project } from '../storage/schemas.js';
import type { AppStore } from '../storage/app-store.js';
import { ARCHIVES, exportFiles, isFormat, projectData, readmeFile, FORMATS } from '../exports/project.js';
import { importTags, ImportError } from '../exports/import.js';
import { Held } from '../exports/held.js';
import { SPAN_FORMATS, applySpanImport, checkSpanImport, isSpanFormat, type SpanImportPlan } from '../exports/span-import.js';
import { readUploads } from '../exports/uploads.js';
import { writeZip } from '../exports/zip.js';
import { currentUser } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { csrfField, emptyForm, formFlag, formList, multipartBody, parseForm } from '../web/forms.js';
import { loadProject, loadedProject, requireResearcher, researchersOnly } from '../web/load.js';
import { queryString } from '../web/params.js';
import { csrf } from '../web/security.js';

const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

const spanUploadForm = z.strictObject({
  ...csrfField,
  format: z.string().max(20),
  annotator: z.string().max(100).default(''),
});

const spanChoicesForm = z.strictObject({
  ...csrfField,
  // Per label, in the order the check page lists them: a category id, "-" to leave it out, or
  // "" not chosen yet.
  category: formList(z.string().max(64), 10_000),
  crossing: z.enum(['split', 'refuse']).optional(),
  reviewed: formFlag,
});

/** A check page's choices for the form: the suggestions first, the researcher's once they chose. */
interface SpanChoicesShown {
  categories: string[];
  crossing: string;
  reviewed: boolean;
}

export function exports(store: AppStore): Router {
  const router = Router();
  const project = loadProject(store);
  const upload = multipartBody(
    (multer) =>
      multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_IMPORT_BYTES, fieldSize: 1024, files: 1, fields: 5, parts: 6 } }).single('file'),
    MAX_IMPORT_BYTES + 64 * 1024,
  );
  const spanUpload = multipartBody(
    (multer) =>
      multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_IMPORT_BYTES, fieldSize: 1024, files: 20_000, fields: 5, parts: 20_005 } }).array('files'),
    MAX_IMPORT_BYTES + 1024 * 1024,
  );
  // Checked imports waiting for the researcher's choices: an hour each, twenty at most.
  const held = new Held<SpanImportPlan>({ ttlMs: 60 * 60 * 1000, max: 20 });
  router.get('/projects/:projectId/export', project, show);
  router.get('/projects/:projectId/export/:format', project, download);
  router.post('/projects/:projectId/import', project, researchersOnly, upload, csrf.csrfSynchronisedProtection, importJsonl);
  router.post('/projects/:projectId/import/spans', project, researchersOnly, spanUpload, csrf.csrfSynchronisedProtection, checkSpans);
  router.post('/projects/:projectId/import/spans/:token', project, researchersOnly, importSpans);
  return router;

  function page(res: Response, project: Project, extra: Record<string, unknown> = {}) {
    res.render('exports/show', { project, formats: FORMATS, spanFormats: SPAN_FORMATS, result: null, spanResult: null, error: null, ...extra });
  }

  /** GET /projects/:projectId/export */
  function show(req: Request, res: Response) {
    requireResearcher(req);
    page(res, loadedProject(req));
  }

  /** GET /projects/:projectId/export/:format[?anonymise=1] — one file, or a .zip of several. */
  async function download(req: Request, res: Response) {
    requireResearcher(req);
    const project = loadedProject(req);
    const format = req.params.format;
    if (typeof format !== 'string' || !isFormat(format)) throw new HttpError(404, `Unknown export format: choose ${FORMATS.join(', ')}.`);
    const data = projectData(store, project, store.codebookOf(project), { anonymise: queryString(req, 'anonymise') === '1' });
    const files = await exportFiles(store, data, format);
    const base = project.name.replace(/[^A-Za-z0-9_-]+/g, '-') || 'project';
    const [only] = files;
    try {
      if (!ARCHIVES.includes(format) && only) {
        const type = only.name.endsWith('.csv') ? 'text/csv' : only.name.endsWith('.jsonl') ? 'application/x-ndjson' : 'application/json';
        res.attachment(`${base}-${only.name}`).type(type);
        await pipeline(only.body(), res);
      } else {
        res.attachment(`${base}-${format}.zip`).type('application/zip');
        await writeZip([readmeFile(project), ...files], res);
      }
    } catch (error) {
      // Once the download has started there is no error page to send: cut the connection, so
      // the client sees a failed download rather than a truncated file that looks complete.
      if (!res.headersSent) throw error;
      res.destroy();
    }
  }

  /** POST /projects/:projectId/import — tags from a JSONL export; annotators matched by name. */
  async function importJsonl(req: Request, res: Response) {
    requireResearcher(req);
    const project = loadedProject(req);
    parseForm(emptyForm, req.body);
    if (!req.file) throw new HttpError(400, 'Choose a .jsonl file exported from Framelens.');
    if (req.file.size === 0) throw new HttpError(400, 'That file is empty: choose a .jsonl file exported from Framelens.');
    try {
      const result = await importTags(store, project, req.file.buffer.toString('utf8'));
      page(res, project, { result });
    } catch (error) {
      if (!(error instanceof ImportError)) throw error;
      res.status(400);
      page(res, project, { error: error.message });
    }
  }

  /** POST /projects/:projectId/import/spans — reads and checks the files; shows what needs a choice. */
  function checkSpans(req: Request, res: Response) {
    requireResearcher(req);
    const project = loadedProject(req);
    const form = parseForm(spanUploadForm, req.body);
    if (!isSpanFormat(form.format)) throw new HttpError(400, `Choose the files' format: ${SPAN_FORMATS.join(', ')}.`);
    const uploads = Array.isArray(req.files) ? req.files.map((f) => ({ name: f.originalname, bytes: f.buffer })) : [];
    try {
      const read = readUploads(uploads);
      if (read.problems.length > 0) throw new ImportError(`Nothing was imported:\n${read.problems.slice(0, 30).join('\n')}`);
      const plan = checkSpanImport(store, project, form.format, read.files, form.annotator);
      const token = held.put(currentUser(req).id, plan);
      const shown: SpanChoicesShown = { categories: plan.labels.map((l) => l.suggested ?? ''), crossing: '', reviewed: plan.format !== 'csv' };
      res.render('exports/spans', { project, plan, token, shown, codebookCategories: categories(store.codebookOf(project)), error: null });
    } catch (error) {
      if (!(error instanceof ImportError)) throw error;
      res.status(400);
      page(res, project, { error: error.message });
    }
  }

  /** POST /projects/:projectId/import/spans/:token — applies the choices: all the spans, or nothing. */
  async function importSpans(req: Request, res: Response) {
    requireResearcher(req);
    const project = loadedProject(req);
    const token = String(req.params.token ?? '');
    const plan = /^[A-Za-z0-9_-]{24}$/.test(token) ? held.get(token, currentUser(req).id) : undefined;
    if (!plan || plan.projectId !== project.id) {
      throw new HttpError(404, 'This import has expired (an hour passed, or the server restarted): upload the files again.');
    }
    const form = parseForm(spanChoicesForm, req.body);
    if (form.category.length !== plan.labels.length) throw new HttpError(400, 'The form does not match this import: upload the files again.');
    const chosen = new Map<string, string | null>();
    plan.labels.forEach((l, i) => {
      const value = form.category[i] ?? '';
      if (value !== '') chosen.set(l.label, value === '-' ? null : value);
    });
    try {
      const spanResult = await applySpanImport(store, project, plan, { categories: chosen, crossing: form.crossing ?? null, markReviewed: form.reviewed }, currentUser(req).id);
      held.delete(token);
      page(res, project, { spanResult });
    } catch (error) {
      if (!(error instanceof ImportError)) throw error;
      const shown: SpanChoicesShown = { categories: plan.labels.map((_, i) => form.category[i] ?? ''), crossing: form.crossing ?? '', reviewed: form.reviewed };
      res.status(400).render('exports/spans', { project, plan, token, shown, codebookCategories: categories(store.codebookOf(project)), error: error.message });
    }
  }
}
