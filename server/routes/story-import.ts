// Importing a whole story: article files in the matched-article JSON format (server/stories/
// import.ts), or a zip of them. Each becomes an article of the project with its metadata, and
// together they become a new story.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Article } from '../core/model.js';
import { segment } from '../core/segmentation.js';
import type { AppStore } from '../storage/app-store.js';
import { newId } from '../storage/store.js';
import { importedArticles, MAX_STORY_FILES, StoryImportError } from '../stories/import.js';
import { currentUser } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { csrfField, multipartBody, parseForm } from '../web/forms.js';
import { loadProject, loadedProject, requireResearcher, researchersOnly } from '../web/load.js';
import { csrf } from '../web/security.js';
import { seeOther } from '../web/see-other.js';

const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;

const importForm = z.strictObject({
  ...csrfField,
  title: z.string().trim().max(300).default(''),
  note: z.string().trim().max(2000).default(''),
});

export function storyImport(store: AppStore): Router {
  const router = Router();
  const project = loadProject(store);
  const upload = multipartBody(
    (multer) =>
      multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_UPLOAD_BYTES, fieldSize: 4096, files: MAX_STORY_FILES, fields: 5, parts: MAX_STORY_FILES + 5 } }).array('files', MAX_STORY_FILES),
    2 * MAX_UPLOAD_BYTES,
  );
  router.get('/projects/:projectId/stories/import', project, form);
  router.post('/projects/:projectId/stories/import', project, researchersOnly, upload, csrf.csrfSynchronisedProtection, create);
  return router;

  /** GET /projects/:projectId/stories/import */
  function form(req: Request, res: Response) {
    requireResearcher(req);
    res.render('stories/import', { project: loadedProject(req) });
  }

  /** POST /projects/:projectId/stories/import */
  async function create(req: Request, res: Response) {
    requireResearcher(req);
    const project = loadedProject(req);
    const fields = parseForm(importForm, req.body);
    const files = Array.isArray(req.files) ? req.files : [];
    let imported;
    try {
      imported = importedArticles(files.filter((f) => f.size > 0).map((f) => ({ name: f.originalname, bytes: f.buffer })));
    } catch (error) {
      if (error instanceof StoryImportError) throw new HttpError(400, error.message);
      throw error;
    }
    const user = currentUser(req).id;
    const articles: Article[] = imported.map((a) => ({
      id: newId(),
      projectId: project.id,
      title: a.title,
      source: a.source,
      url: a.url,
      publishedAt: a.publishedAt,
      text: a.text,
      sentences: segment(a.text),
      createdAt: new Date().toISOString(),
      createdBy: user,
    }));
    if (articles.some((a) => a.sentences.length === 0)) throw new HttpError(400, 'An article has no sentence.');
    for (const article of articles) await store.createArticle(article);
    await store.updateProject(project.id, () => {});
    const notes = [...new Set(imported.map((a) => a.note).filter((n) => n !== ''))];
    const story = {
      id: newId(),
      projectId: project.id,
      title: fields.title || articles[0]!.title,
      note: (fields.note || notes.join(' ')).slice(0, 2000),
      articles: articles.map((a) => a.id),
      edits: [],
      createdAt: new Date().toISOString(),
      createdBy: user,
    };
    await store.stories.create(story);
    seeOther(res, `/projects/${project.id}/stories/${story.id}`);
  }
}
