// Inter-annotator agreement for researchers: per category, at the sentence, span and token level,
// with intervals, a pairwise matrix and the sentences to discuss; downloadable for a paper.
import { Router, type Request, type Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import { csvCast } from '../core/export/csv.js';
import { REPORT_COLUMNS, latexTable, markdownTable, reportRows } from '../core/export/agreement-report.js';
import { computeAgreement } from '../services/agreement.js';
import type { AppStore } from '../storage/app-store.js';
import { HttpError } from '../web/errors.js';
import { loadProject, loadedProject, requireResearcher } from '../web/load.js';
import { queryId, queryString } from '../web/params.js';
import { userNames } from '../web/views.js';
import { suggestionReport } from '../suggest/report.js';
import { LiveSuggestions } from '../suggest/live.js';

export function agreement(store: AppStore): Router {
  const router = Router();
  const project = loadProject(store);
  router.get('/projects/:projectId/agreement', project, show);
  router.get('/projects/:projectId/agreement.:format', project, download);
  return router;

  async function load(req: Request) {
    requireResearcher(req);
    const project = loadedProject(req);
    const articleId = queryId(req, 'article');
    if (articleId !== undefined && store.article(articleId)?.projectId !== project.id) throw new HttpError(404, 'Article not found.');
    const gold = queryString(req, 'gold') === '1';
    return { project, articleId, gold, report: await computeAgreement(store, project, articleId, gold) };
  }

  /** GET /projects/:projectId/agreement[?article=] */
  async function show(req: Request, res: Response) {
    const { project, articleId, report, gold } = await load(req);
    // The live suggestion quality scores the learned suggester too: read its model if no page has yet.
    await LiveSuggestions.of(store).prepare(project, store.codebookOf(project));
    const articles = store.articles(project.id);
    res.render('agreement/show', {
      project,
      codebook: store.codebookOf(project),
      articles,
      articleId: articleId ?? null,
      report,
      gold,
      suggestions: await suggestionReport(store, project),
      names: userNames(store),
      sentenceText: (id: string, index: number) => {
        const article = store.article(id);
        const range = article?.sentences[index];
        return article && range ? article.text.slice(range.start, range.end) : '';
      },
      articleTitle: (id: string) => store.article(id)?.title ?? '',
      spanText: (id: string, start: number, end: number) => store.article(id)?.text.slice(start, end) ?? '',
    });
  }

  /** GET /projects/:projectId/agreement.(csv|json|md|tex) */
  async function download(req: Request, res: Response) {
    const { project, articleId, report, gold } = await load(req);
    const base = `${project.name.replace(/[^A-Za-z0-9_-]+/g, '-') || 'project'}-agreement${articleId ? `-${articleId}` : ''}${gold ? '-with-gold' : ''}`;
    const format = req.params.format;
    if (format === 'csv') {
      res.attachment(`${base}.csv`).type('text/csv').send(stringify(reportRows(report), { header: true, columns: REPORT_COLUMNS, cast: csvCast }));
    } else if (format === 'json') {
      res.attachment(`${base}.json`).json({ annotators: report.annotators.length, rows: reportRows(report) });
    } else if (format === 'md') {
      res.attachment(`${base}.md`).type('text/markdown').send(markdownTable(report));
    } else if (format === 'tex') {
      res.attachment(`${base}.tex`).type('application/x-tex').send(latexTable(report));
    } else {
      throw new HttpError(404, 'Unknown report format: choose csv, json, md or tex.');
    }
  }
}
