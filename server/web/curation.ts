// What the curation pages share: the load steps (anyone who may not curate gets 404, exactly as
// for a project that does not exist), the annotators who count and how they are named, each
// article's candidates and a short "now" for the curator's changes.
import type { Request, RequestHandler } from 'express';
import type { Annotation, Article } from '../core/model.js';
import { annotatorsOf } from '../core/access.js';
import { words } from '../core/segmentation.js';
import { articleCandidates, sentenceCandidates, type SentenceCandidates } from '../core/curation/candidates.js';
import { isCurated, type Actor, type Gold } from '../core/curation/gold.js';
import { canCurate, curationSettings } from '../core/curation/settings.js';
import type { Project } from '../storage/schemas.js';
import type { AppStore } from '../storage/app-store.js';
import { currentUser } from './auth.js';
import { notFound } from './errors.js';
import { findProject } from './load.js';
import { idParam } from './params.js';
import { userNames } from './views.js';

/** The project in the URL, if the user may curate it. */
export function loadCurationProject(store: AppStore): RequestHandler {
  return (req, _res, next) => {
    const project = findProject(store, idParam(req, 'projectId'));
    if (!project || !canCurate(project, currentUser(req).id)) throw notFound('Project');
    req.project = project;
    next();
  };
}

/** The article in the URL, if the user may curate its project. */
export function loadCurationArticle(store: AppStore): RequestHandler {
  return (req, _res, next) => {
    const article = store.article(idParam(req, 'articleId'));
    const project = article && findProject(store, article.projectId);
    if (!article || !project || !canCurate(project, currentUser(req).id)) throw notFound('Article');
    req.article = article;
    req.project = project;
    next();
  };
}

export function curationPath(project: { id: string }): string {
  return `/projects/${project.id}/curation`;
}

export function sentencePath(article: { id: string }, index: number): string {
  return `/curation/articles/${article.id}/sentences/${index + 1}`;
}

/** The user and the time of a change. */
export function actorOf(req: Request): Actor {
  return { by: currentUser(req).id, at: new Date().toISOString() };
}

/** The project's annotators' annotations of the article: whose tags curation counts. */
export async function countedAnnotations(store: AppStore, project: Project, articleId: string): Promise<Annotation[]> {
  const members = new Set(annotatorsOf(project));
  return (await store.readAnnotations(articleId)).filter((a) => members.has(a.annotatorId));
}

function candidateOptions(project: Project, article: Article) {
  const { overlap } = curationSettings(project);
  return { overlap, words: (s: number) => words(article.text, article.sentences[s] ?? { start: 0, end: 0 }) };
}

export async function articleContexts(store: AppStore, project: Project, article: Article): Promise<SentenceCandidates[]> {
  return articleCandidates(await countedAnnotations(store, project, article.id), article.sentences.length, candidateOptions(project, article));
}

export async function sentenceContext(store: AppStore, project: Project, article: Article, index: number): Promise<SentenceCandidates> {
  return sentenceCandidates(await countedAnnotations(store, project, article.id), index, candidateOptions(project, article));
}

/**
 * How curation pages name people: annotators by account name, or as "Annotator 1, 2 …" (in the
 * project's order) when the project anonymises them for curation; curators always by name.
 */
export function curationNames(store: AppStore, project: Project): { annotator: (id: string) => string; person: (id: string) => string } {
  const names = userNames(store);
  const order = annotatorsOf(project);
  const anonymise = curationSettings(project).anonymise;
  const annotator = (id: string) => {
    if (!anonymise) return names.get(id) ?? id;
    const i = order.indexOf(id);
    return i < 0 ? 'Former annotator' : `Annotator ${i + 1}`;
  };
  const annotatorIds = new Set(order);
  return { annotator, person: (id) => (annotatorIds.has(id) ? annotator(id) : (names.get(id) ?? id)) };
}

/**
 * The next sentence after `from` (wrapping round; -1 to start at the first) that needs the
 * curator: not curated, and reviewed by someone or holding gold. Null when none is left.
 */
export function nextNeedingAttention(gold: Gold, contexts: readonly SentenceCandidates[], from: number): number | null {
  const n = contexts.length;
  for (let step = 1; step <= n; step++) {
    const s = (from + step) % n;
    if (s === from) break;
    if (isCurated(gold, s)) continue;
    if ((contexts[s]?.reviewers.length ?? 0) > 0 || gold.spans.some((g) => g.sentence === s)) return s;
  }
  return null;
}

/** An article's curation in figures: what the dashboard lists. */
export interface ArticleProgress {
  article: Article;
  sentences: number;
  curated: number;
  /** Sentences not curated that someone reviewed or that hold gold. */
  left: number;
  contested: number;
  auto: number;
  spans: number;
  finished: boolean;
  next: number | null;
}

export function articleProgress(gold: Gold, contexts: readonly SentenceCandidates[], article: Article): ArticleProgress {
  const n = article.sentences.length;
  let curated = 0;
  let left = 0;
  const withGold = new Set(gold.spans.map((s) => s.sentence));
  for (let s = 0; s < n; s++) {
    if (isCurated(gold, s)) curated++;
    else if ((contexts[s]?.reviewers.length ?? 0) > 0 || withGold.has(s)) left++;
  }
  return {
    article,
    sentences: n,
    curated,
    left,
    contested: gold.spans.filter((s) => s.status === 'contested').length,
    auto: gold.spans.filter((s) => s.status === 'auto').length,
    spans: gold.spans.length,
    finished: gold.finished !== null,
    next: nextNeedingAttention(gold, contexts, -1),
  };
}
