// Codebooks: every category with its definition and example; researchers upload their own.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { categories, parseCodebook } from '../core/codebook.js';
import { categoryShades } from '../core/contrast.js';
import type { Codebook } from '../core/model.js';
import type { AppStore } from '../storage/app-store.js';
import { currentUser } from '../web/auth.js';
import { HttpError, notFound } from '../web/errors.js';
import { FormError, csrfField, forgiving, multipartBody, readForm } from '../web/forms.js';
import { flash } from '../web/flash.js';
import { RuleError } from '../core/spans.js';
import { csrf } from '../web/security.js';
import { seeOther } from '../web/see-other.js';

const MAX_CODEBOOK_BYTES = 256 * 1024;
const uploadForm = z.strictObject({ ...csrfField, json: z.string().max(MAX_CODEBOOK_BYTES).default('') });
const CODEBOOK_ID = /^[a-z0-9-]{1,40}$/;

/**
 * Category colours as classes, so pages need no inline styles (the CSP forbids them): the colour,
 * the highlight's base and the line that keeps 3:1 on the page (see core/contrast.ts).
 */
export function codebookCss(codebook: Codebook): string {
  return categories(codebook)
    .map((c) => {
      const { colour, fill, line } = categoryShades(c.colour);
      return `.c-${c.id}{--c:${colour};--c-fill:${fill};--c-line:${line}}`;
    })
    .join('\n');
}

export function codebooks(store: AppStore): Router {
  const router = Router();
  const upload = multipartBody(
    (multer) =>
      multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_CODEBOOK_BYTES, fieldSize: MAX_CODEBOOK_BYTES, files: 1, fields: 10, parts: 11 } }).single('file'),
    2 * MAX_CODEBOOK_BYTES + 64 * 1024,
  );
  router.get('/codebooks', list);
  router.post('/codebooks', upload, csrf.csrfSynchronisedProtection, forgiving('upload', create, list));
  router.get('/codebooks/:codebookId/style.css', style);
  router.get('/codebooks/:codebookId', show);
  return router;

  function load(req: Request): Codebook {
    const id = req.params.codebookId;
    const codebook = typeof id === 'string' && CODEBOOK_ID.test(id) ? store.codebook(id) : undefined;
    if (!codebook) throw notFound('Codebook');
    return codebook;
  }

  /** GET /codebooks */
  function list(req: Request, res: Response) {
    res.render('codebooks/list', { codebooks: store.codebooks(), canUpload: currentUser(req).role === 'researcher' });
  }

  /** GET /codebooks/:codebookId */
  function show(req: Request, res: Response) {
    res.render('codebooks/show', { codebook: load(req) });
  }

  /** GET /codebooks/:codebookId/style.css */
  function style(req: Request, res: Response) {
    res.type('text/css').set('Cache-Control', 'no-cache').send(codebookCss(load(req)));
  }

  /** POST /codebooks — a JSON file or pasted JSON, validated before anything is stored. */
  async function create(req: Request, res: Response) {
    if (currentUser(req).role !== 'researcher') throw new HttpError(403, 'Only researchers can upload codebooks.');
    const form = readForm(uploadForm, req.body, { json: 'The pasted JSON' });
    const fromFile = req.file !== undefined && req.file.size > 0;
    const field = fromFile ? 'file' : 'json';
    const text = fromFile && req.file ? req.file.buffer.toString('utf8') : form.json;
    if (text.trim() === '') throw new FormError({ file: 'Choose a codebook file, or paste its JSON below.' });
    let codebook: Codebook;
    try {
      codebook = parseCodebook(JSON.parse(text));
    } catch (error) {
      const message = error instanceof SyntaxError ? `That is not valid JSON: ${error.message}` : error instanceof Error ? error.message : 'Invalid codebook.';
      throw new FormError({ [field]: fromFile ? `${req.file?.originalname ?? 'The file'}: ${message}` : message });
    }
    const taken = `A codebook with the id "${codebook.id}" exists already; give yours another id.`;
    if (store.codebook(codebook.id)) throw new FormError({ [field]: taken }, 409);
    try {
      await store.saveCodebook(codebook);
    } catch (error) {
      // Another upload with the same id got there first.
      if (error instanceof RuleError) throw new FormError({ [field]: taken }, 409);
      throw error;
    }
    flash(req, `Codebook “${codebook.name}” uploaded.`);
    seeOther(res, `/codebooks/${codebook.id}`);
  }
}
