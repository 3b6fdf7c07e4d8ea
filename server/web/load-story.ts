// The `load` step for a story: the project's story in the URL, or 404. A member sees a story
// only when they may see every article in it; a story they may not see is "not found".
import type { Request, RequestHandler } from 'express';
import { canSeeArticle } from '../core/access.js';
import type { Story } from '../storage/stories.js';
import type { AppStore } from '../storage/app-store.js';
import { currentUser } from './auth.js';
import { notFound } from './errors.js';
import { loadedProject } from './load.js';
import { idParam } from './params.js';

declare global {
  namespace Express {
    interface Request {
      story?: Story;
    }
  }
}

/** Runs after loadProject. */
export function loadStory(store: AppStore): RequestHandler {
  return (req, _res, next) => {
    const project = loadedProject(req);
    const story = store.stories.story(project.id, idParam(req, 'storyId'));
    const userId = currentUser(req).id;
    if (!story || !story.articles.every((id) => canSeeArticle(project, id, userId))) throw notFound('Story');
    req.story = story;
    next();
  };
}

export function loadedStory(req: Request): Story {
  if (!req.story) throw notFound('Story');
  return req.story;
}
