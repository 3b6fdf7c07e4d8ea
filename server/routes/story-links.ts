// A story's alignment links: researchers add and remove them (plain forms, POST-redirect-GET;
// the page's script sends the same forms by fetch), a page of ranked candidates to link one
// sentence to, and the alignment as CSV or JSON.
import { Router, type Request, type Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { Article } from '../core/model.js';
import type { SentenceRef } from '../core/stories/align.js';
import { linkKey } from '../core/stories/evaluate.js';
import { csvCast } from '../core/export/csv.js';
import type { AppStore } from '../storage/app-store.js';
import { storyAlignment } from '../stories/alignment.js';
import { alignmentRecords, ALIGNMENT_COLUMNS } from '../stories/alignment-export.js';
import { outletName } from '../stories/view.js';
import { currentUser } from '../web/auth.js';
import { HttpError } from '../web/errors.js';
import { csrfField, parseForm } from '../web/forms.js';
import { loadProject, loadedProject, requireResearcher } from '../web/load.js';
import { loadStory, loadedStory } from '../web/load-story.js';
import { queryId, queryString } from '../web/params.js';
import { seeOther } from '../web/see-other.js';
import { userNames } from '../web/views.js';

/** `<articleId>:<sentence number>`, 1-based as the page shows it. */
const sentenceField = z
  .string()
  .max(80)
  .regex(/^[A-Za-z0-9_-]{1,64}:[1-9][0-9]{0,5}$/, 'must name a sentence')
  .transform((v): SentenceRef => {
    const [article, n] = v.split(':');
    return { article: article ?? '', sentence: Number(n) - 1 };
  });

const linkForm = z.strictObject({
  ...csrfField,
  a: sentenceField,
  b: sentenceField,
  action: z.enum(['add', 'remove']),
  /** Where to go back to: the story (default) or the candidates page of the first sentence. */
  back: z.enum(['story', 'candidates']).default('story'),
});

export function storyLinks(store: AppStore): Router {
  const router = Router();
  const story = [loadProject(store), loadStory(store)];
  router.get('/projects/:projectId/stories/:storyId/link', story, candidates);
  router.post('/projects/:projectId/stories/:storyId/links', story, change);
  router.get('/projects/:projectId/stories/:storyId/alignment.:format', story, download);
  return router;

  function sentenceOf(articles: Article[], ref: SentenceRef): Article {
    const article = articles.find((a) => a.id === ref.article);
    if (!article || ref.sentence >= article.sentences.length) throw new HttpError(400, 'That sentence is not in this story.');
    return article;
  }

  /** GET …/link?article=&sentence= — the other outlets' sentences, most likely partners first. */
  function candidates(req: Request, res: Response) {
    requireResearcher(req);
    const project = loadedProject(req);
    const story = loadedStory(req);
    const alignment = storyAlignment(store, story);
    const articleId = queryId(req, 'article');
    const number = queryString(req, 'sentence');
    if (articleId === undefined || number === undefined || !/^[1-9][0-9]{0,5}$/.test(number)) throw new HttpError(400, 'Name a sentence: ?article=…&sentence=….');
    const from: SentenceRef = { article: articleId, sentence: Number(number) - 1 };
    const article = sentenceOf(alignment.articles, from);
    const linked = new Set(alignment.merged.links.map(linkKey));
    const isLinked = (to: SentenceRef) => linked.has(linkKey({ a: from, b: to })) || linked.has(linkKey({ a: to, b: from }));
    const text = (a: Article, i: number) => a.text.slice(a.sentences[i]!.start, a.sentences[i]!.end);
    const others = alignment.articles
      .filter((a) => a.id !== article.id)
      .map((other) => ({
        article: other,
        outlet: outletName(other),
        sentences: other.sentences
          .map((_, index) => {
            const to = { article: other.id, sentence: index };
            return { index, text: text(other, index), score: alignment.score(from, to), linked: isLinked(to) };
          })
          .sort((x, y) => Number(y.linked) - Number(x.linked) || y.score - x.score || x.index - y.index),
      }));
    res.render('stories/link', { project, story, article, outlet: outletName(article), sentence: from.sentence, text: text(article, from.sentence), others });
  }

  /** POST …/links — adds or removes one link; the edit survives re-alignment (core/stories/edits.ts). */
  async function change(req: Request, res: Response) {
    requireResearcher(req);
    const project = loadedProject(req);
    const story = loadedStory(req);
    const form = parseForm(linkForm, req.body);
    const alignment = storyAlignment(store, story);
    const a = sentenceOf(alignment.articles, form.a);
    const b = sentenceOf(alignment.articles, form.b);
    if (a.id === b.id) throw new HttpError(400, 'Link sentences of two different articles.');
    const at = new Date().toISOString();
    await store.stories.update(project.id, story.id, (s) => {
      s.edits.push({
        action: form.action,
        a: { article: a.id, start: a.sentences[form.a.sentence]!.start },
        b: { article: b.id, start: b.sentences[form.b.sentence]!.start },
        by: currentUser(req).id,
        at,
      });
    });
    const base = `/projects/${project.id}/stories/${story.id}`;
    seeOther(
      res,
      form.back === 'candidates'
        ? `${base}/link?article=${a.id}&sentence=${form.a.sentence + 1}`
        : `${base}#s-${a.id}-${form.a.sentence + 1}`,
    );
  }

  /** GET …/alignment.(csv|json) */
  function download(req: Request, res: Response) {
    const project = loadedProject(req);
    const story = loadedStory(req);
    const alignment = storyAlignment(store, story);
    const records = alignmentRecords(story, alignment, userNames(store));
    const base = `${story.title.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 60) || 'story'}-alignment`;
    if (req.params.format === 'csv') {
      res.attachment(`${base}.csv`).type('text/csv').send(stringify(records.sentences, { header: true, columns: ALIGNMENT_COLUMNS, cast: csvCast }));
    } else if (req.params.format === 'json') {
      res.attachment(`${base}.json`).json({ project: project.id, ...records });
    } else {
      throw new HttpError(404, 'Unknown alignment format: choose csv or json.');
    }
  }
}
