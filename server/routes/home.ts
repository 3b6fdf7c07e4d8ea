// The home page: an annotator's assigned articles with progress and a "continue" link;
// a researcher's projects; the projects a named curator curates.
import { emptyAnnotation } from '../core/model.js';
import { Router, type Request, type Response } from 'express';
import { assignedTo, roleIn } from '../core/access.js';
import { progress } from '../core/spans.js';
import { canCurate } from '../core/curation/settings.js';
import type { AppStore } from '../storage/app-store.js';
import { currentUser } from '../web/auth.js';

export function home(store: AppStore): Router {
  const router = Router();
  router.get('/', show);
  return router;

  /** GET / */
  async function show(req: Request, res: Response) {
    const user = currentUser(req);
    const all = store.projects.data.data.projects;
    const projects = all.filter((p) => roleIn(p, user.id));
    // A curator named in a project they are no researcher of (often no member at all, so its
    // project page is closed to them) reaches its curation from here.
    const curating = all.filter((p) => roleIn(p, user.id) !== 'researcher' && canCurate(p, user.id));
    const assigned = projects.flatMap((project) =>
      store
        .articles(project.id)
        .filter((a) => assignedTo(project, a.id).includes(user.id))
        .map((article) => ({ project, article })),
    );
    const mine = await store.readAnnotationsBy(user.id, assigned.map((a) => a.article.id));
    const assignments = assigned.map((a, i) => ({ ...a, progress: progress(a.article, mine[i] ?? emptyAnnotation(a.article.id, user.id)) }));
    const next = assignments.find((a) => a.progress.nextSentence !== null) ?? null;
    res.render('home', {
      projects: projects.map((p) => ({ project: p, role: roleIn(p, user.id), articles: store.articles(p.id).length })),
      curating: curating.map((p) => ({ project: p, articles: store.articles(p.id).length })),
      assignments,
      next,
    });
  }
}
