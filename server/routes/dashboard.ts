// The researcher's dashboard: progress per annotator per article, last activity, tags per category.
import { Router, type Request, type Response } from 'express';
import { annotatorsOf, assignedTo } from '../core/access.js';
import { categories } from '../core/codebook.js';
import { progress } from '../core/spans.js';
import { emptyAnnotation } from '../core/model.js';
import type { AppStore } from '../storage/app-store.js';
import { loadProject, loadedProject, requireResearcher } from '../web/load.js';
import { codebookOf, userNames } from '../web/views.js';

export function dashboard(store: AppStore): Router {
  const router = Router();
  router.get('/projects/:projectId/dashboard', loadProject(store), show);
  return router;

  /** GET /projects/:projectId/dashboard */
  async function show(req: Request, res: Response) {
    requireResearcher(req);
    const project = loadedProject(req);
    const articles = store.articles(project.id);
    const cats = categories(codebookOf(store, project));
    const members = annotatorsOf(project);
    const theirs = await Promise.all(members.map((userId) => store.readAnnotationsBy(userId, articles.map((a) => a.id))));
    const annotators = members.map((userId, m) => {
      let lastActivity = '';
      const perCategory = new Map(cats.map((c) => [c.id, 0]));
      const cells = articles.map((article, i) => {
        const annotation = theirs[m]?.[i] ?? emptyAnnotation(article.id, userId);
        if (annotation.updatedAt > lastActivity) lastActivity = annotation.updatedAt;
        for (const tag of annotation.tags) {
          perCategory.set(tag.category, (perCategory.get(tag.category) ?? 0) + 1);
        }
        return { assigned: assignedTo(project, article.id).includes(userId), progress: progress(article, annotation) };
      });
      const tags = [...perCategory.values()].reduce((a, b) => a + b, 0);
      return { userId, cells, lastActivity, perCategory, tags };
    });
    res.render('projects/dashboard', { project, articles, annotators, categories: cats, names: userNames(store) });
  }
}
