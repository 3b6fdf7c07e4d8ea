// A project's learned suggester: what it learns from (the accepted tags in the store), training
// it in a worker and storing it, and finding the stored one. Shared by `framelens suggest` and,
// later, the server's background retraining.
import type { Annotation, Article, Codebook } from '../core/model.js';
import { goldLayer } from '../core/curation/layer.js';
import { modelFits, trainingSet, type LabelledArticle, type LearnedModel } from '../core/suggest/index.js';
import { readModel, saveModel } from '../storage/models.js';
import type { Project } from '../storage/schemas.js';
import type { AppStore } from '../storage/app-store.js';
import { trainInWorker } from './train.js';

/**
 * The project's accepted tags, article by article (core/suggest/training-data.ts says which):
 * curated gold on the sentences a curator settled, the annotators' agreed tags elsewhere.
 */
export async function projectTrainingSet(store: AppStore, project: Project): Promise<LabelledArticle[]> {
  const articles = store.articles(project.id);
  const byId = new Map(articles.map((a) => [a.id, a]));
  const annotations = new Map<string, Annotation[]>();
  for await (const a of store.eachAnnotation(articles.map((x) => x.id))) annotations.set(a.articleId, [...(annotations.get(a.articleId) ?? []), a]);
  return trainingSet(articles, (articleId) => annotations.get(articleId) ?? [], { gold: (articleId) => curatedGold(store, byId.get(articleId)) });
}

/**
 * The article's gold on its curated sentences, or null before any. Contested spans count under
 * their gold category: the place is framing, only its category is disputed, and leaving it out
 * would teach the model (and score a suggestion there) as if nothing were there.
 */
function curatedGold(store: AppStore, article: Article | undefined): Annotation | null {
  if (!article || !store.curation.has(article.id)) return null;
  const layer = goldLayer(store.curation.gold(article.id), article.sentences.length, { scope: 'curated', contested: 'include' });
  return layer.reviewed.length > 0 ? layer : null;
}

/** Where a project's reference comes from: sentences (and articles) of curated gold and of annotators' agreed tags. */
export interface ReferenceSource {
  gold: { articles: number; sentences: number };
  agreed: { articles: number; sentences: number };
}

export function referenceSource(set: readonly LabelledArticle[]): ReferenceSource {
  const source: ReferenceSource = { gold: { articles: 0, sentences: 0 }, agreed: { articles: 0, sentences: 0 } };
  for (const a of set) {
    const curated = a.curated?.length ?? 0;
    const agreed = a.annotated.length - curated;
    if (curated > 0) {
      source.gold.articles++;
      source.gold.sentences += curated;
    }
    if (agreed > 0) {
      source.agreed.articles++;
      source.agreed.sentences += agreed;
    }
  }
  return source;
}

export interface Trained {
  model: LearnedModel;
  seconds: number;
}

/** Trains the project's model in a worker and stores it; null when there is nothing to learn from. */
export async function trainProjectModel(store: AppStore, project: Project, codebook: Codebook): Promise<Trained | null> {
  const articles = await projectTrainingSet(store, project);
  if (!articles.some((a) => a.spans.length > 0)) return null;
  const started = performance.now();
  const model = await trainInWorker(articles, codebook);
  await saveModel(store.dataDir, project.id, model);
  return { model, seconds: (performance.now() - started) / 1000 };
}

/** The stored model if it fits the project's codebook, else null. */
export async function storedProjectModel(store: AppStore, project: Project, codebook: Codebook): Promise<LearnedModel | null> {
  const model = await readModel(store.dataDir, project.id);
  return model && modelFits(model, codebook) ? model : null;
}
