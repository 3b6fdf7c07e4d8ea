// The outlet profile: how much framing each outlet's articles carry, per category, over one
// story or the whole project, with bootstrap intervals, pairwise permutation tests, an SVG
// chart, and CSV / JSON / Markdown / LaTeX downloads like the agreement report.
import { Router, type Request, type Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import { canSeeArticle, isResearcher } from '../core/access.js';
import { categories } from '../core/codebook.js';
import { csvCast } from '../core/export/csv.js';
import { PROFILE_COLUMNS, profileLatex, profileMarkdown, profileRows } from '../core/export/outlet-profile.js';
import type { Article, Codebook } from '../core/model.js';
import { compareOutlets, type OutletComparison } from '../core/stories/compare.js';
import { outletProfiles, type OutletProfile } from '../core/stories/profile.js';
import type { Story } from '../storage/stories.js';
import type { AppStore } from '../storage/app-store.js';
import { storyArticles } from '../stories/alignment.js';
import { profileArticle, referenceOf } from '../stories/tags.js';
import type { ProfileArticle } from '../core/stories/profile.js';
import { currentUser } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { loadProject, loadedProject } from '../web/load.js';
import { queryId, queryString } from '../web/params.js';
import { codebookOf } from '../web/views.js';

/** With more outlets than this, only the pair a reader picks is tested (each pair costs 9,999 permutations). */
export const ALL_PAIRS_UP_TO = 6;

interface Computed {
  profiles: OutletProfile[];
  comparisons: OutletComparison[];
  outlets: string[];
  articles: number;
}

const cache = new Map<string, { version: string; result: Computed }>();
const CACHED = 20;

export function outletProfile(store: AppStore): Router {
  const router = Router();
  const project = loadProject(store);
  router.get('/projects/:projectId/profile', project, show);
  router.get('/projects/:projectId/profile.:format', project, download);
  return router;

  function scope(req: Request): { story: Story | null; articles: Article[] } {
    const project = loadedProject(req);
    const userId = currentUser(req).id;
    const storyId = queryId(req, 'story');
    if (storyId !== undefined) {
      const story = store.stories.story(project.id, storyId);
      if (!story || !story.articles.every((id) => canSeeArticle(project, id, userId))) throw new HttpError(404, 'Story not found.');
      return { story, articles: storyArticles(store, story) };
    }
    return { story: null, articles: store.articles(project.id).filter((a) => canSeeArticle(project, a.id, userId)) };
  }

  async function compute(req: Request): Promise<Computed & { story: Story | null; codebook: Codebook; pair: [string, string] | null; source: 'reference' | 'annotators' }> {
    const project = loadedProject(req);
    const user = currentUser(req);
    const { story, articles } = scope(req);
    const codebook = codebookOf(store, project);
    const ids = categories(codebook).map((c) => c.id);
    const a = queryString(req, 'a');
    const b = queryString(req, 'b');
    const pair: [string, string] | null = a !== undefined && b !== undefined && a !== b ? [a, b] : null;
    const seesAll = isResearcher(project, user.id) || project.open;
    const source = queryString(req, 'tags') === 'annotators' ? 'annotators' : 'reference';
    const key = `${project.id}/${story?.id ?? ''}/${seesAll ? '' : user.id}/${source}/${pair?.join('\u0000') ?? ''}`;
    const version = `${store.version}/${store.stories.version}/${store.curation.version}/${codebook.id}/${articles.map((x) => x.id).join(',')}`;
    const hit = cache.get(key);
    if (hit && hit.version === version) return { ...hit.result, story, codebook, pair, source };
    // Curated gold in the sentences a curator settled, and each article's reference (from its story)
    // where it has one, unless the annotators' tags alone are asked for.
    const reference = (x: Article) => (source === 'reference' ? referenceOf(story ?? store.stories.storyOf(project.id, x.id) ?? null, project, x.id, user.id) : null);
    const profileInput: ProfileArticle[] = [];
    for (const x of articles) profileInput.push(await profileArticle(store, project, x, user.id, reference(x), source === 'reference'));
    const profiles = outletProfiles(profileInput, ids);
    const outlets = profiles.map((p) => p.outlet);
    const pairs: [string, string][] = [];
    if (outlets.length <= ALL_PAIRS_UP_TO) {
      for (let i = 0; i < outlets.length; i++) for (let j = i + 1; j < outlets.length; j++) pairs.push([outlets[i]!, outlets[j]!]);
    } else if (pair && outlets.includes(pair[0]) && outlets.includes(pair[1])) {
      pairs.push(pair);
    }
    const comparisons = pairs.map(([x, y]) => compareOutlets(profileInput, x, y, ids));
    const result = { profiles, comparisons, outlets, articles: articles.length };
    cache.delete(key);
    cache.set(key, { version, result });
    for (const old of cache.keys()) {
      if (cache.size <= CACHED) break;
      cache.delete(old);
    }
    return { ...result, story, codebook, pair, source };
  }

  /** GET /projects/:projectId/profile[?story=][&a=&b=] */
  async function show(req: Request, res: Response) {
    const project = loadedProject(req);
    const computed = await compute(req);
    res.render('stories/profile', {
      project,
      ...computed,
      stories: store.stories.list(project.id),
      allPairs: computed.outlets.length <= ALL_PAIRS_UP_TO,
      query: `?${new URLSearchParams({ ...(computed.story ? { story: computed.story.id } : {}), ...(computed.source === 'annotators' ? { tags: 'annotators' } : {}) }).toString()}`,
    });
  }

  /** GET /projects/:projectId/profile.(csv|json|md|tex)[?story=] */
  async function download(req: Request, res: Response) {
    const project = loadedProject(req);
    const { profiles, comparisons, story, codebook } = await compute(req);
    const names = new Map(categories(codebook).map((c) => [c.id, c.name]));
    const title = story ? story.title : project.name;
    const base = `${title.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 60) || 'project'}-outlet-profile`;
    const format = req.params.format;
    if (format === 'csv') {
      res.attachment(`${base}.csv`).type('text/csv').send(stringify(profileRows(profiles, comparisons), { header: true, columns: PROFILE_COLUMNS, cast: csvCast }));
    } else if (format === 'json') {
      res.attachment(`${base}.json`).json({ scope: story ? { story: story.id, title: story.title } : { project: project.id }, profiles, comparisons });
    } else if (format === 'md') {
      res.attachment(`${base}.md`).type('text/markdown').send(profileMarkdown(title, profiles, comparisons, names));
    } else if (format === 'tex') {
      res.attachment(`${base}.tex`).type('application/x-tex').send(profileLatex(title, profiles, comparisons, names));
    } else {
      throw new HttpError(404, 'Unknown profile format: choose csv, json, md or tex.');
    }
  }
}
