// Summary per category for a project, filterable by article and annotator, as a page and as CSV.
import { Router, type Request, type Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import { csvCast } from '../core/export/csv.js';
import { categories } from '../core/codebook.js';
import { Summariser, type CategorySummary } from '../core/summary.js';
import type { AppStore } from '../storage/app-store.js';
import { currentUser } from '../web/auth.js';
import { loadProject, loadedProject } from '../web/load.js';
import { queryId } from '../web/params.js';
import { codebookOf, userNames } from '../web/views.js';
import { canSeeArticle, isResearcher, visibleAnnotators } from '../core/access.js';
import { notFound } from '../web/errors.js';

export function summaries(store: AppStore): Router {
  const router = Router();
  const project = loadProject(store);
  router.get('/projects/:projectId/summary', project, show);
  router.get('/projects/:projectId/summary.csv', project, download);
  return router;

  async function compute(req: Request) {
    const project = loadedProject(req);
    const user = currentUser(req);
    const articleId = queryId(req, 'article');
    const annotatorId = queryId(req, 'annotator');
    const researcher = isResearcher(project, user.id);
    // Only articles this user may see count; blind projects count only the user's own tags.
    const articles = store.articles(project.id).filter((a) => canSeeArticle(project, a.id, user.id));
    if (articleId !== undefined && !articles.some((a) => a.id === articleId)) throw notFound('Article');
    const visible = new Map(articles.map((a) => [a.id, a]));
    const codebook = codebookOf(store, project);
    // The tags are read a page at a time and counted as they come (never all held at once).
    const summariser = new Summariser(visible, categories(codebook), { articleId, annotatorId });
    const seen = new Set<string>();
    for await (const annotation of store.eachAnnotation(articles.map((a) => a.id))) {
      if (visibleAnnotators(project, user.id, [annotation.annotatorId]).length === 0) continue;
      seen.add(annotation.annotatorId);
      summariser.add(annotation);
    }
    const summary = summariser.result();
    const annotatorIds = [...seen];
    return { project, codebook, summary, articles, annotatorIds, articleId, annotatorId, researcher };
  }

  /** GET /projects/:projectId/summary */
  async function show(req: Request, res: Response) {
    const data = await compute(req);
    res.render('summary/show', { ...data, names: userNames(store), maxTags: Math.max(1, ...data.summary.map((s) => s.tags)) });
  }

  /** GET /projects/:projectId/summary.csv — one row per category and top phrase. */
  async function download(req: Request, res: Response) {
    const { project, summary } = await compute(req);
    const rows = summary.flatMap((s: CategorySummary) => {
      const base = [s.category.id, s.category.name, s.tags, s.articles, s.annotators, s.sentences];
      return s.phrases.length === 0 ? [[...base, '', '']] : s.phrases.map((p) => [...base, p.phrase, p.count]);
    });
    const csv = stringify(rows, {
      header: true,
      columns: ['category', 'category_name', 'tags', 'articles', 'annotators', 'sentences', 'phrase', 'phrase_count'],
      cast: csvCast,
    });
    res.attachment(`${project.name.replace(/[^A-Za-z0-9_-]+/g, '-') || 'project'}-summary.csv`);
    res.type('text/csv').send(csv);
  }
}
