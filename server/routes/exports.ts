// Downloads for researchers: tags (CSV, JSONL), reliability matrices, brat, CoNLL, the codebook,
// optionally with annotators replaced by stable pseudonyms; and JSONL import back into a project.
import { pipeline } from 'node:stream/promises';
import { Router, type Request, type Response } from 'express';
import multer from 'multer';
import type { Store } from '../storage/store.js';
import { exportFiles, isFormat, projectData, FORMATS } from '../exports/project.js';
import { importTags, ImportError } from '../exports/import.js';
import { writeZip } from '../exports/zip.js';
import { HttpError } from '../web/errors.js';
import { emptyForm, multipartBody, parseForm } from '../web/forms.js';
import { loadProject, loadedProject, requireResearcher, researchersOnly } from '../web/load.js';
import { queryString } from '../web/params.js';
import { csrf } from '../web/security.js';
import { codebookOf } from '../web/views.js';

const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

export function exports(store: Store): Router {
  const router = Router();
  const project = loadProject(store);
  const upload = multipartBody(
    multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_IMPORT_BYTES, fieldSize: 1024, files: 1, fields: 5, parts: 6 } }).single('file'),
    MAX_IMPORT_BYTES + 64 * 1024,
  );
  router.get('/projects/:projectId/export', project, show);
  router.get('/projects/:projectId/export/:format', project, download);
  router.post('/projects/:projectId/import', project, researchersOnly, upload, csrf.csrfSynchronisedProtection, importJsonl);
  return router;

  /** GET /projects/:projectId/export */
  function show(req: Request, res: Response) {
    requireResearcher(req);
    res.render('exports/show', { project: loadedProject(req), formats: FORMATS, result: null, error: null });
  }

  /** GET /projects/:projectId/export/:format[?anonymise=1] — one file, or a .zip of several. */
  async function download(req: Request, res: Response) {
    requireResearcher(req);
    const project = loadedProject(req);
    const format = req.params.format;
    if (typeof format !== 'string' || !isFormat(format)) throw new HttpError(404, `Unknown export format: choose ${FORMATS.join(', ')}.`);
    const data = projectData(store, project, codebookOf(store, project), { anonymise: queryString(req, 'anonymise') === '1' });
    const files = exportFiles(store, data, format);
    const base = project.name.replace(/[^A-Za-z0-9_-]+/g, '-') || 'project';
    const [only] = files;
    try {
      if (files.length === 1 && only) {
        const type = only.name.endsWith('.csv') ? 'text/csv' : only.name.endsWith('.jsonl') ? 'application/x-ndjson' : 'application/json';
        res.attachment(`${base}-${only.name}`).type(type);
        await pipeline(only.body(), res);
      } else {
        res.attachment(`${base}-${format}.zip`).type('application/zip');
        await writeZip(files, res);
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
    try {
      const result = await importTags(store, project, req.file.buffer.toString('utf8'));
      res.render('exports/show', { project, formats: FORMATS, result, error: null });
    } catch (error) {
      if (!(error instanceof ImportError)) throw error;
      res.status(400).render('exports/show', { project, formats: FORMATS, result: null, error: error.message });
    }
  }
}
