// Curation of a project as a whole: the dashboard (articles curated, sentences left, contested),
// the settings (k, the overlap rule, anonymised names, curators), the automatic merge, the
// contested spans, each annotator's quality against gold and their feedback, and gold JSONL
// import. The sentence-by-sentence work is in curation-sentences.ts.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { emptyAnnotation, type Codebook, type Range, type Tag } from '../core/model.js';
import { annotatorsOf, roleIn } from '../core/access.js';
import { categories, findCategory } from '../core/codebook.js';
import { words } from '../core/segmentation.js';
import { compareTags } from '../core/classroom/feedback.js';
import { compared } from '../core/curation/compared.js';
import { mergeGold } from '../core/curation/merge.js';
import { finishCuration, reopenCuration } from '../core/curation/operations.js';
import { qualityAgainstGold, type Interval, type ScoredF1 } from '../core/curation/quality.js';
import { GoldImportError, parseGoldJsonl } from '../core/curation/jsonl.js';
import { canCurate, canSeeGold, curationSettings, mergeSettingsOf, type CurationSettings } from '../core/curation/settings.js';
import { findUserByName } from '../accounts/users.js';
import type { Project } from '../storage/schemas.js';
import type { AppStore } from '../storage/app-store.js';
import { newId } from '../storage/store.js';
import { currentUser } from '../web/auth.js';
import { comparisonView } from '../web/classroom.js';
import { HttpError, notFound } from '../web/errors.js';
import { csrfField, emptyForm, formFlag, multipartBody, parseForm } from '../web/forms.js';
import { findProject, loadedArticle, loadedProject, requireResearcher } from '../web/load.js';
import { idParam } from '../web/params.js';
import { csrf } from '../web/security.js';
import { seeOther } from '../web/see-other.js';
import { codebookOf, userNames } from '../web/views.js';
import { actorOf, articleContexts, articleProgress, countedAnnotations, curationNames, curationPath, loadCurationArticle, loadCurationProject } from '../web/curation.js';

const MAX_IMPORT_BYTES = 64 * 1024 * 1024;
/** Bootstrap resamples of the quality page (the interval is the 2.5 and 97.5 percentiles). */
const RESAMPLES = 1000;

const settingsForm = z.strictObject({
  ...csrfField,
  agree: z.string().regex(/^(majority|[1-9][0-9]?)$/, 'is “majority” or a number of annotators from 1 to 99'),
  overlap: z
    .string()
    .trim()
    .regex(/^(|0?\.[0-9]{1,3}|1|1\.0+)$/, 'is empty (same words only) or a share between 0 and 1, such as 0.5')
    .refine((v) => v === '' || Number(v) > 0, 'must be above 0'),
  anonymise: formFlag,
  curators: z.string().max(2000).default(''),
});

function figure(value: number | null): string {
  return value === null ? '—' : value.toFixed(3);
}

function range(i: Interval): string {
  return i.low === null ? '—' : `${i.low.toFixed(3)}–${i.high.toFixed(3)}`;
}

function scoredView(s: ScoredF1) {
  return {
    precision: figure(s.precision.value),
    recall: figure(s.recall.value),
    f1: figure(s.f1.value),
    precisionCi: range(s.interval.precision),
    recallCi: range(s.interval.recall),
    f1Ci: range(s.interval.f1),
  };
}

export function curation(store: AppStore): Router {
  const router = Router();
  const project = loadCurationProject(store);
  const article = loadCurationArticle(store);
  const upload = multipartBody(
    (multer) =>
      multer({ storage: multer.memoryStorage(), limits: { fileSize: MAX_IMPORT_BYTES, fieldSize: 1024, files: 1, fields: 5, parts: 6 } }).single('file'),
    MAX_IMPORT_BYTES + 64 * 1024,
  );
  const base = '/projects/:projectId/curation';
  router.get(base, project, show);
  router.post(`${base}/settings`, project, updateSettings);
  router.post(`${base}/merge`, project, merge);
  router.get(`${base}/contested`, project, contested);
  router.get(`${base}/quality`, project, quality);
  router.get(`${base}/feedback/:annotatorId`, feedbackAccess, feedback);
  router.post(`${base}/import`, project, upload, csrf.csrfSynchronisedProtection, importGold);
  router.post('/curation/articles/:articleId/finish', article, finish);
  return router;

  /** GET /projects/:projectId/curation */
  async function show(req: Request, res: Response) {
    const p = loadedProject(req);
    const rows = [];
    for (const a of store.articles(p.id)) rows.push(articleProgress(store.curation.gold(a.id), await articleContexts(store, p, a), a));
    const settings = curationSettings(p);
    const names = userNames(store);
    const done = typeof req.query.done === 'string' ? store.article(req.query.done) : undefined;
    res.render('curation/show', {
      project: p,
      rows,
      totals: {
        articles: rows.length,
        curated: rows.filter((r) => r.finished || (r.sentences > 0 && r.curated === r.sentences)).length,
        left: rows.reduce((n, r) => n + r.left, 0),
        contested: rows.reduce((n, r) => n + r.contested, 0),
        auto: rows.reduce((n, r) => n + r.auto, 0),
      },
      settings: { ...settings, curatorNames: settings.curators.map((id) => names.get(id) ?? id).join(', ') },
      researcher: roleIn(p, currentUser(req).id) === 'researcher',
      annotators: annotatorsOf(p).map((id) => ({ id, name: curationNames(store, p).annotator(id) })),
      merged: typeof req.query.merged === 'string' ? req.query.merged : null,
      imported: typeof req.query.imported === 'string' ? req.query.imported : null,
      done: done?.projectId === p.id ? done : null,
      error: null,
    });
  }

  /** POST /projects/:projectId/curation/settings — researchers only. */
  async function updateSettings(req: Request, res: Response) {
    requireResearcher(req);
    const form = parseForm(settingsForm, req.body);
    const curators: string[] = [];
    for (const name of form.curators.split(',').map((n) => n.trim()).filter((n) => n !== '')) {
      const user = findUserByName(store, name);
      if (!user) throw new HttpError(400, `No account is called “${name}”: name curators by their account names, separated by commas.`);
      if (!curators.includes(user.id)) curators.push(user.id);
    }
    if (curators.length > 100) throw new HttpError(400, 'Name at most 100 curators.');
    const settings: CurationSettings = {
      agree: form.agree === 'majority' ? 'majority' : Number(form.agree),
      overlap: form.overlap === '' ? null : Number(form.overlap),
      anonymise: form.anonymise,
      curators,
    };
    await store.updateProject(loadedProject(req).id, (p) => {
      p.curation = settings;
    });
    seeOther(res, `${curationPath(loadedProject(req))}#settings`);
  }

  /** POST /projects/:projectId/curation/merge — the automatic merge over every article. */
  async function merge(req: Request, res: Response) {
    parseForm(emptyForm, req.body);
    const p = loadedProject(req);
    const settings = mergeSettingsOf(curationSettings(p));
    const actor = { by: 'auto-merge', at: new Date().toISOString() };
    let added = 0;
    let removed = 0;
    for (const a of store.articles(p.id)) {
      const contexts = await articleContexts(store, p, a);
      await store.curation.update(a.id, (gold) => {
        const result = mergeGold(gold, contexts, settings, actor, newId);
        added += result.added;
        removed += result.removed;
      });
    }
    seeOther(res, `${curationPath(p)}?merged=${added}-${removed}`);
  }

  /** POST /curation/articles/:articleId/finish — "curation finished" for the article, or reopened. */
  async function finish(req: Request, res: Response) {
    const form = parseForm(z.strictObject({ ...csrfField, finished: z.enum(['0', '1']) }), req.body);
    const a = loadedArticle(req);
    await store.curation.update(a.id, (gold) => (form.finished === '1' ? finishCuration : reopenCuration)(gold, actorOf(req)));
    seeOther(res, `${curationPath(loadedProject(req))}#article-${a.id}`);
  }

  /** GET /projects/:projectId/curation/contested — every contested span, with its competing categories and reason. */
  function contested(req: Request, res: Response) {
    const p = loadedProject(req);
    const codebook = codebookOf(store, p);
    const names = curationNames(store, p);
    const name = (id: string) => findCategory(codebook, id)?.name ?? id;
    const spans = store.articles(p.id).flatMap((a) =>
      store.curation
        .gold(a.id)
        .spans.filter((s) => s.status === 'contested')
        .sort((x, y) => x.start - y.start)
        .map((s) => ({
          article: a,
          sentence: s.sentence,
          text: a.text.slice(s.start, s.end),
          category: s.category,
          competing: (s.contest?.categories ?? []).map(name),
          reason: s.contest?.reason ?? '',
          by: s.decidedBy === null ? '' : names.person(s.decidedBy),
          sources: s.sources.map((x) => `${names.annotator(x.annotatorId)}: ${name(x.category)}`),
        })),
    );
    res.render('curation/contested', { project: p, spans });
  }

  /** GET /projects/:projectId/curation/quality[?scope=all] — each annotator against gold, with bootstrap intervals. */
  async function quality(req: Request, res: Response) {
    const p = loadedProject(req);
    const codebook = codebookOf(store, p);
    const scope = req.query.scope === 'all' ? 'all' : 'curated';
    const report = await qualityReport(p, codebook, scope);
    const names = curationNames(store, p);
    const name = (id: string) => findCategory(codebook, id)?.name ?? id;
    res.render('curation/quality', {
      project: p,
      scope,
      resamples: report.resamples,
      annotators: report.annotators.map((a) => ({
        id: a.annotatorId,
        name: names.annotator(a.annotatorId),
        articles: a.articles,
        sentences: a.sentences,
        levels: [a.overall, ...a.categories]
          .filter((l) => l.category === null || l.exact.reference_spans + l.exact.candidate_spans > 0)
          .map((l) => ({ name: l.category === null ? 'All categories' : name(l.category), gold: l.exact.reference_spans, tags: l.exact.candidate_spans, exact: scoredView(l.exact), overlap: scoredView(l.overlap) })),
      })),
    });
  }

  async function qualityReport(p: Project, codebook: Codebook, scope: 'curated' | 'all') {
    const inputs = [];
    for (const a of store.articles(p.id)) inputs.push({ gold: store.curation.gold(a.id), sentenceCount: a.sentences.length, annotations: await countedAnnotations(store, p, a.id) });
    return qualityAgainstGold(inputs, { scope, categories: categories(codebook).map((c) => c.id), resamples: RESAMPLES, seed: 1 });
  }

  /** Curators see anyone's feedback; an annotator their own, once the project is open. */
  function feedbackAccess(req: Request, _res: Response, next: () => void) {
    const p = findProject(store, idParam(req, 'projectId'));
    const user = currentUser(req);
    const annotatorId = idParam(req, 'annotatorId');
    if (!p || !(canCurate(p, user.id) || (annotatorId === user.id && canSeeGold(p, user.id)))) throw notFound('Project');
    if (!annotatorsOf(p).includes(annotatorId)) throw notFound('Annotator');
    req.project = p;
    next();
  }

  /** GET /projects/:projectId/curation/feedback/:annotatorId — one annotator's tags beside gold, article by article. */
  async function feedback(req: Request, res: Response) {
    const p = loadedProject(req);
    const annotatorId = idParam(req, 'annotatorId');
    const codebook = codebookOf(store, p);
    const all = store.articles(p.id);
    const theirs = await store.readAnnotationsBy(annotatorId, all.map((a) => a.id));
    const articles = all.flatMap((a, i) => {
      const gold = store.curation.gold(a.id);
      const annotation = theirs[i] ?? emptyAnnotation(a.id, annotatorId);
      const c = compared(gold, annotation, a.sentences.length);
      if (c.sentences.length === 0) return [];
      const reference = c.reference.map((s) => ({ id: s.id, sentence: s.sentence, start: s.start, end: s.end, category: s.category, voice: s.voice, rationale: s.note }));
      const tags: Tag[] = c.tags;
      const sentenceWords: Range[][] = a.sentences.map((r) => words(a.text, r));
      const result = compareTags(sentenceWords, reference, tags);
      return [{ article: a, compared: c.sentences.length, view: comparisonView(a, codebook, reference, tags, result, null) }];
    });
    const curator = canCurate(p, currentUser(req).id);
    res.render('curation/feedback', { project: p, name: curator ? curationNames(store, p).annotator(annotatorId) : 'You', articles, curator });
  }

  /** POST /projects/:projectId/curation/import — gold from a gold JSONL export (replaces each article's gold named in it). */
  async function importGold(req: Request, res: Response) {
    requireResearcher(req);
    const p = loadedProject(req);
    parseForm(emptyForm, req.body);
    if (!req.file) throw new HttpError(400, 'Choose a gold .jsonl file exported from Framelens.');
    const users = store.users.data.data.users;
    let golds;
    try {
      golds = parseGoldJsonl(req.file.buffer.toString('utf8'), { articles: store.articles(p.id), idOf: (name) => users.find((u) => u.name === name)?.id ?? (name === 'auto-merge' ? name : undefined) });
    } catch (error) {
      if (!(error instanceof GoldImportError)) throw error;
      throw new HttpError(400, error.message);
    }
    for (const gold of golds) await store.curation.replace(gold.articleId, gold);
    seeOther(res, `${curationPath(p)}?imported=${golds.length}`);
  }
}
