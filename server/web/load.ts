// `load` steps: find the record a route is about, or answer 404. A record the user may not
// see is answered exactly like one that does not exist.
import type { Request, RequestHandler } from 'express';
import type { Article } from '../core/model.js';
import type { Project } from '../storage/schemas.js';
import type { AppStore } from '../storage/app-store.js';
import type { Activity } from '../storage/activity-schemas.js';
import type { ActivityCollection } from '../storage/app-store.js';
import { canSeeArticle, roleIn } from '../core/access.js';
import { currentUser, requireTeacher } from './auth.js';
import { HttpError, notFound } from './errors.js';
import { idParam } from './params.js';

declare global {
  namespace Express {
    interface Request {
      project?: Project;
      article?: Article;
      activity?: Activity;
    }
  }
}

export function findProject(store: AppStore, id: string): Project | undefined {
  return store.projects.data.data.projects.find((p) => p.id === id);
}

export function loadProject(store: AppStore): RequestHandler {
  return (req, _res, next) => {
    const project = findProject(store, idParam(req, 'projectId'));
    if (!project || !roleIn(project, currentUser(req).id)) throw notFound('Project');
    req.project = project;
    next();
  };
}

export function loadArticle(store: AppStore): RequestHandler {
  return (req, _res, next) => {
    const article = store.article(idParam(req, 'articleId'));
    const project = article && findProject(store, article.projectId);
    if (!article || !project || !canSeeArticle(project, article.id, currentUser(req).id)) throw notFound('Article');
    req.article = article;
    req.project = project;
    next();
  };
}

/** The classroom activity in the URL, if it is the signed-in teacher's; anyone else's is "not found". */
export function loadActivity(activityStore: ActivityCollection): RequestHandler {
  return (req, _res, next) => {
    const user = requireTeacher(req);
    const activity = activityStore.activity(idParam(req, 'activityId'));
    if (!activity || activity.teacherId !== user.id) throw notFound('Activity');
    req.activity = activity;
    next();
  };
}

export function requireResearcher(req: Request): void {
  const project = loadedProject(req);
  if (roleIn(project, currentUser(req).id) !== 'researcher') {
    throw new HttpError(403, 'Only the project’s researchers can do this.');
  }
}

/** Middleware form of requireResearcher, to run before an upload is read. */
export const researchersOnly: RequestHandler = (req, _res, next) => {
  requireResearcher(req);
  next();
};

export function loadedProject(req: Request): Project {
  if (!req.project) throw notFound('Project');
  return req.project;
}

export function loadedArticle(req: Request): Article {
  if (!req.article) throw notFound('Article');
  return req.article;
}

export function loadedActivity(req: Request): Activity {
  if (!req.activity) throw notFound('Activity');
  return req.activity;
}
