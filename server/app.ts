// The app factory: settings, middleware, the route table, one 404 and one error handler.
// No I/O happens here; the caller opens the store and listens.
import express from 'express';
import type { Config } from './config.js';
import type { ActivityCollection, AppStore } from './storage/app-store.js';
import { PUBLIC_DIR, VIEWS_DIR } from './paths.js';
import { loadUser, requireUser } from './web/auth.js';
import { HttpError, errorHandler, fallThrough } from './web/errors.js';
import { BLANK_FORM, closeUnreadBodies, urlencodedForms } from './web/forms.js';
import { flashes } from './web/flash.js';
import { PendingLinks } from './accounts/pending-links.js';
import { csrfProtection, fromOwnPages, PasswordGuard, securityHeaders, type SharedLimits } from './web/security.js';
import { sessions, type SessionStore } from './web/session.js';
import { findUserByName } from './accounts/users.js';
import { renderView } from './web/view-engine.js';
import { accounts } from './routes/accounts.js';
import { adminAccounts } from './routes/admin-accounts.js';
import { agreement } from './routes/agreement.js';
import { exports } from './routes/exports.js';
import { activities as activityRoutes } from './routes/activities.js';
import { activityReference } from './routes/activity-reference.js';
import { activityResults } from './routes/activity-results.js';
import { articles } from './routes/articles.js';
import { codebooks } from './routes/codebooks.js';
import { curation } from './routes/curation.js';
import { curationSentences } from './routes/curation-sentences.js';
import { dashboard } from './routes/dashboard.js';
import { home } from './routes/home.js';
import { lesson } from './routes/lesson.js';
import { projects } from './routes/projects.js';
import { sentences } from './routes/sentences.js';
import { summaries } from './routes/summary.js';
import { stories } from './routes/stories.js';
import { storyImport } from './routes/story-import.js';
import { storyLinks } from './routes/story-links.js';
import { outletProfile } from './routes/outlet-profile.js';
import { articleDetails } from './routes/article-details.js';

/**
 * The routes that take multipart uploads: each checks the CSRF token after parsing, and before
 * parsing, that the request comes from our own pages (a forged cross-site upload is not read).
 */
const UPLOADS = [
  /^\/projects\/[^/]+\/articles(\/preview)?$/,
  /^\/projects\/[^/]+\/import(\/spans)?$/,
  /^\/projects\/[^/]+\/curation\/import$/,
  /^\/projects\/[^/]+\/stories\/import$/,
  /^\/codebooks$/,
];

const isUpload = (req: express.Request) => req.method === 'POST' && Boolean(req.is('multipart/form-data')) && UPLOADS.some((route) => route.test(req.path));

/** Every form posts urlencoded or multipart data; anything else (JSON, XML …) is refused unread. */
const formsOnly: express.RequestHandler = (req, _res, next) => {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.is(['application/x-www-form-urlencoded', 'multipart/form-data'])) {
    next(new HttpError(415, 'Framelens accepts only form submissions (urlencoded or multipart).'));
    return;
  }
  next();
};

export interface AppOptions {
  config: Config;
  store: AppStore;
  /** Classroom activities and their students. */
  activities: ActivityCollection;
  /** Browser sessions: the data folder's session log (FileSessionStore), or shared ones. */
  sessionStore: SessionStore;
  /** Where the sign-in limits count when several servers share them; this process's memory when absent. */
  sharedLimits?: SharedLimits;
}

export function createApp({ config, store, activities, sessionStore, sharedLimits }: AppOptions): express.Express {
  const app = express();
  app.set('views', VIEWS_DIR);
  app.engine('ejs', renderView);
  app.set('view engine', 'ejs');
  // Compiled templates are kept in production and tests; re-read on every request in development.
  app.set('view cache', process.env.NODE_ENV !== 'development');
  app.set('trust proxy', config.trustProxy);
  app.set('x-powered-by', false);
  // Pages are per user and session (CSRF tokens, own tags): an ETag would never be reused, only
  // cost a SHA-1 of every page. Static files keep theirs (express.static).
  app.set('etag', false);
  if (config.publicUrl) app.set('public url', config.publicUrl);
  // Every view may ask for its form (web/forms.ts); a form sent back with problems overrides this.
  app.locals.form = BLANK_FORM;

  app.use(securityHeaders({ secureCookies: config.secureCookies }));
  app.use('/public', express.static(PUBLIC_DIR, { maxAge: config.production ? '1h' : 0 }));
  // Every page is per user (their own tags, their session's form tokens): the browser must not
  // keep one, so Back and a reload show the tags as they are now. Routes may say otherwise.
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  // An upload from another site is refused before anything else is done for it: while the store
  // and the session are read (PostgreSQL: round trips), its body would keep arriving.
  app.use((req, _res, next) => {
    if (isUpload(req) && !fromOwnPages(req, config.publicUrl)) next(new HttpError(403, 'This form did not come from Framelens: the upload was refused unread.'));
    else next();
  });
  // What other servers changed (PostgreSQL), seen before this request reads anything. The check
  // runs while the body and the session are read (neither reads the store), one wait fewer.
  const refreshed = new WeakMap<express.Request, Promise<unknown>>();
  app.use((req, _res, next) => {
    refreshed.set(req, Promise.all([store.refresh(), activities.refresh()]).then(() => undefined, (error: unknown) => error ?? new Error('refresh failed')));
    next();
  });
  app.use(urlencodedForms());
  app.use(sessions({ secret: store.instance.data.data.sessionSecret, secureCookies: config.secureCookies, store: sessionStore }));
  app.use((req, _res, next) => {
    void (refreshed.get(req) ?? Promise.resolve()).then((error) => next(error));
  });
  app.use(formsOnly);
  const csrf = csrfProtection({ secret: store.instance.data.data.sessionSecret, secureCookies: config.secureCookies });
  app.use(csrf.tokens);
  // The upload forms are multipart: their token is checked after the body is parsed, in their own
  // routes. Any other multipart request has no parsed body, so the check below refuses it.
  app.use((req, res, next) => {
    if (isUpload(req)) next();
    else csrf.check(req, res, next);
  });
  // Wrong passwords at sign-in and at a password change, per account and address (README).
  const passwords = new PasswordGuard((name) => findUserByName(store, name) !== undefined, sharedLimits);
  app.use(loadUser(store));
  app.use(flashes);
  // One-time links shown to the person who made them until used (accounts/pending-links.ts).
  const links = new PendingLinks(store);
  // Most pages need the tags, which load just after start-up.
  const tagsLoaded: express.RequestHandler = (_req, _res, next) => {
    store.ready.then(() => next(), next);
  };

  // The sentence view first: annotators load it and post to it all day, so its requests should
  // not walk past every other route. It asks for a signed-in user itself, on its own paths only.
  app.use(sentences(store, [requireUser, tagsLoaded]));

  // Public: signing in, first-start set-up, one-time links
  app.use(accounts(store, sessionStore, passwords, links));
  // Public: classroom students join with a code and a nickname (no account)
  app.use(lesson(store, activities));

  // Everything below needs a signed-in user, and most of it the tags
  app.use(requireUser);
  app.use(tagsLoaded);
  app.use(home(store));
  app.use(projects(store, passwords, links));
  app.use(adminAccounts(store, sessionStore, passwords, links));
  app.use(dashboard(store));
  app.use(summaries(store));
  app.use(agreement(store));
  app.use(curation(store));
  app.use(curationSentences(store));
  app.use(exports(store));
  app.use(articles(store));
  app.use(articleDetails(store));
  app.use(storyImport(store));
  app.use(stories(store));
  app.use(storyLinks(store));
  app.use(outletProfile(store));
  app.use(codebooks(store));
  app.use(activityRoutes(store, activities, sessionStore));
  app.use(activityReference(store, activities));
  app.use(activityResults(store, activities));

  app.use(fallThrough);
  app.use(closeUnreadBodies);
  // An error page shows no form, so a visitor gets no CSRF cookie with it.
  app.use(((error, _req, res, next) => {
    csrf.noCookieForErrors(res);
    next(error);
  }) satisfies express.ErrorRequestHandler);
  app.use(errorHandler({ log: config.log }));
  return app;
}
