// A project's learned suggester: what it learns from (the accepted tags in the store), training
// it in a worker and storing it, and finding the stored one. Shared by `framelens suggest` and,
// later, the server's background retraining.
import type { Codebook } from '../core/model.js';
import { modelFits, trainingSet, type LabelledArticle, type LearnedModel } from '../core/suggest/index.js';
import { readModel, saveModel } from '../storage/models.js';
import type { Project } from '../storage/schemas.js';
import type { Store } from '../storage/store.js';
import { trainInWorker } from './train.js';

/** The project's accepted tags, article by article (core/suggest/training-data.ts says which). */
export function projectTrainingSet(store: Store, project: Project): LabelledArticle[] {
  return trainingSet(store.articles(project.id), (articleId) => store.annotations(articleId));
}

export interface Trained {
  model: LearnedModel;
  seconds: number;
}

/** Trains the project's model in a worker and stores it; null when there is nothing to learn from. */
export async function trainProjectModel(store: Store, project: Project, codebook: Codebook): Promise<Trained | null> {
  const articles = projectTrainingSet(store, project);
  if (!articles.some((a) => a.spans.length > 0)) return null;
  const started = performance.now();
  const model = await trainInWorker(articles, codebook);
  await saveModel(store.dataDir, project.id, model);
  return { model, seconds: (performance.now() - started) / 1000 };
}

/** The stored model if it fits the project's codebook, else null. */
export async function storedProjectModel(store: Store, project: Project, codebook: Codebook): Promise<LearnedModel | null> {
  const model = await readModel(store.dataDir, project.id);
  return model && modelFits(model, codebook) ? model : null;
}
