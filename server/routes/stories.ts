// Stories: the articles of a project that tell one event, side by side. The project lists its
// stories; a story's page shows its aligned groups, one column per outlet, with framing tags,
// "only in" sentences and word-choice contrasts.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { canSeeArticle, isResearcher } from '../core/access.js';
import type { NewStory, Story } from '../storage/stories.js';
import { MAX_STORY_ARTICLES } from '../storage/stories.js';
import type { AppStore } from '../storage/app-store.js';
import { newId } from '../storage/store.js';
import { storyAlignment } from '../stories/alignment.js';
import { articleTags, curatedGoldOf, referenceOf, type ArticleTags } from '../stories/tags.js';
import { outletName, SHOWN_CONTRASTS, storyContrasts, storyRows } from '../stories/view.js';
import { currentUser } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { csrfField, emptyForm, formList, parseForm } from '../web/forms.js';
import { loadProject, loadedProject, requireResearcher } from '../web/load.js';
import { queryString } from '../web/params.js';
import { loadStory, loadedStory } from '../web/load-story.js';
import { ID } from '../storage/schemas.js';
import { codebookOf, userNames } from '../web/views.js';
import { seeOther } from '../web/see-other.js';

const storyForm = z.strictObject({
  ...csrfField,
  title: z.string().trim().min(1, 'give the story a title').max(300),
  note: z.string().trim().max(2000).default(''),
  articles: formList(z.string().regex(ID, 'is not an article'), MAX_STORY_ARTICLES),
  /** The article read first (the first column); defaults to the earliest imported. */
  pivot: z.string().regex(ID).optional(),
});

export function stories(store: AppStore): Router {
  const router = Router();
  const project = loadProject(store);
  const story = [project, loadStory(store)];
  router.get('/projects/:projectId/stories', project, list);
  router.get('/projects/:projectId/stories/new', project, newForm);
  router.post('/projects/:projectId/stories', project, create);
  router.get('/projects/:projectId/stories/:storyId', story, show);
  router.get('/projects/:projectId/stories/:storyId/edit', story, edit);
  router.post('/projects/:projectId/stories/:storyId', story, update);
  router.get('/projects/:projectId/stories/:storyId/delete', story, confirmRemove);
  router.post('/projects/:projectId/stories/:storyId/delete', story, remove);
  return router;

  /** The project's stories the user may see, each with its articles. */
  function visibleStories(req: Request) {
    const project = loadedProject(req);
    const userId = currentUser(req).id;
    return store.stories
      .list(project.id)
      .filter((s) => s.articles.every((id) => canSeeArticle(project, id, userId)))
      .map((s) => ({ story: s, articles: s.articles.flatMap((id) => store.article(id) ?? []) }));
  }

  /** Articles a story may take: the project's articles in no other story (`story`'s own stay eligible). */
  function eligibleArticles(req: Request, story?: Story) {
    const project = loadedProject(req);
    return store.articles(project.id).filter((a) => {
      const holder = store.stories.storyOf(project.id, a.id);
      return !holder || holder.id === story?.id;
    });
  }

  /** The form's articles, checked against the project, pivot first. */
  function chosenArticles(req: Request, form: z.infer<typeof storyForm>, story?: Story): string[] {
    const eligible = new Set(eligibleArticles(req, story).map((a) => a.id));
    const chosen = [...new Set(form.articles)];
    if (chosen.length < 2) throw new HttpError(400, 'Choose at least two articles: a story compares how outlets told one event.');
    const bad = chosen.find((id) => !eligible.has(id));
    if (bad !== undefined) throw new HttpError(409, 'One of those articles is not in this project or already belongs to another story.');
    // Keep the story's present order, then the project's import order.
    const order = [...(story?.articles ?? []), ...store.articles(loadedProject(req).id).map((a) => a.id)];
    chosen.sort((x, y) => order.indexOf(x) - order.indexOf(y));
    if (form.pivot !== undefined) {
      if (!chosen.includes(form.pivot)) throw new HttpError(400, 'The article read first must be one of the story’s articles.');
      chosen.splice(chosen.indexOf(form.pivot), 1);
      chosen.unshift(form.pivot);
    }
    return chosen;
  }

  /** GET /projects/:projectId/stories */
  function list(req: Request, res: Response) {
    const project = loadedProject(req);
    res.render('stories/list', { project, stories: visibleStories(req), researcher: isResearcher(project, currentUser(req).id), outletName });
  }

  /** GET /projects/:projectId/stories/new */
  function newForm(req: Request, res: Response) {
    requireResearcher(req);
    res.render('stories/new', { project: loadedProject(req), articles: eligibleArticles(req), story: null });
  }

  /** POST /projects/:projectId/stories */
  async function create(req: Request, res: Response) {
    requireResearcher(req);
    const project = loadedProject(req);
    const form = parseForm(storyForm, req.body);
    const story: NewStory = {
      id: newId(),
      projectId: project.id,
      title: form.title,
      note: form.note,
      articles: chosenArticles(req, form),
      edits: [],
      createdAt: new Date().toISOString(),
      createdBy: currentUser(req).id,
    };
    await store.stories.create(story);
    seeOther(res, `/projects/${project.id}/stories/${story.id}`);
  }

  /** GET /projects/:projectId/stories/:storyId */
  async function show(req: Request, res: Response) {
    const project = loadedProject(req);
    const story = loadedStory(req);
    const user = currentUser(req);
    const alignment = storyAlignment(store, story);
    // Curated gold, else the reference, where there is either, unless the reader asks for the annotators' tags.
    const wanted = queryString(req, 'tags') === 'annotators' ? 'annotators' : 'reference';
    const hasReference = alignment.articles.some((a) => referenceOf(story, project, a.id, user.id) !== null);
    const hasGold = alignment.articles.some((a) => curatedGoldOf(store, project, a, user.id) !== null);
    const answers = wanted === 'reference';
    const tags = new Map<string, ArticleTags>();
    for (const a of alignment.articles) tags.set(a.id, await articleTags(store, project, a, user.id, answers ? referenceOf(story, project, a.id, user.id) : null, answers));
    const contrasts = storyContrasts(alignment, tags);
    const outlets = new Map(alignment.articles.map((a) => [a.id, outletName(a)]));
    res.render('stories/show', {
      project,
      story,
      codebook: codebookOf(store, project),
      articles: alignment.articles,
      outlets,
      tags,
      rows: storyRows(alignment, tags),
      contrasts: contrasts.slice(0, SHOWN_CONTRASTS),
      contrastCount: contrasts.length,
      removed: alignment.merged.removed,
      stale: alignment.merged.stale.length,
      names: userNames(store),
      canEdit: isResearcher(project, user.id),
      hasReference,
      hasGold,
      showing: hasReference || hasGold ? wanted : 'annotators',
      sentenceText: (articleId: string, index: number) => {
        const article = alignment.articles.find((a) => a.id === articleId);
        const range = article?.sentences[index];
        return article && range ? article.text.slice(range.start, range.end) : '';
      },
    });
  }

  /** GET /projects/:projectId/stories/:storyId/edit */
  function edit(req: Request, res: Response) {
    requireResearcher(req);
    const story = loadedStory(req);
    res.render('stories/new', { project: loadedProject(req), articles: eligibleArticles(req, story), story });
  }

  /** POST /projects/:projectId/stories/:storyId */
  async function update(req: Request, res: Response) {
    requireResearcher(req);
    const project = loadedProject(req);
    const story = loadedStory(req);
    const form = parseForm(storyForm, req.body);
    const articles = chosenArticles(req, form, story);
    await store.stories.update(project.id, story.id, (s) => {
      s.title = form.title;
      s.note = form.note;
      s.articles = articles;
    });
    seeOther(res, `/projects/${project.id}/stories/${story.id}`);
  }

  /** GET /projects/:projectId/stories/:storyId/delete */
  function confirmRemove(req: Request, res: Response) {
    requireResearcher(req);
    res.render('stories/remove', { project: loadedProject(req), story: loadedStory(req) });
  }

  /** POST /projects/:projectId/stories/:storyId/delete — the articles and their tags stay. */
  async function remove(req: Request, res: Response) {
    requireResearcher(req);
    parseForm(emptyForm, req.body);
    const project = loadedProject(req);
    await store.stories.remove(project.id, loadedStory(req).id);
    seeOther(res, `/projects/${project.id}/stories`);
  }
}
