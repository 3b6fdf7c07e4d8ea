// The researcher's dashboard: progress per annotator per article, last activity, tags per category.
import { Router, type Request, type Response } from 'express';
import { annotatorsOf, assignedTo } from '../core/access.js';
import { categories } from '../core/codebook.js';
import { progress } from '../core/spans.js';
import type { Store } from '../storage/store.js';
import { loadProject, loadedProject, requireResearcher } from '../web/load.js';
import { codebookOf, userNames } from '../web/views.js';

export function dashboard(store: Store): Router {
  const router = Router();
  router.get('/projects/:projectId/dashboard', loadProject(store), show);
  return router;

  /** GET /projects/:projectId/dashboard */
  function show(req: Request, res: Response) {
    requireResearcher(req);
    const project = loadedProject(req);
    const articles = store.articles(project.id);
    const cats = categories(codebookOf(store, project));
    const annotators = annotatorsOf(project).map((userId) => {
      let lastActivity = '';
      const perCategory = new Map(cats.map((c) => [c.id, 0]));
      const cells = articles.map((article) => {
        const annotation = store.annotation(article.id, userId);
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
