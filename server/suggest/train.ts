// Training the learned suggester off the main thread: a worker_threads Worker runs
// core/suggest/model.ts's trainModel and hands back the model (plain data), so a server keeps
// answering requests while a project's model is trained.
import { Worker } from 'node:worker_threads';

import type { Codebook } from '../core/model.js';
import { parseModel, type LearnedModel } from '../core/suggest/model.js';
import type { LabelledArticle } from '../core/suggest/types.js';

const entry = new URL(import.meta.url.endsWith('.ts') ? './train-worker.ts' : './train-worker.js', import.meta.url);

/**
 * From TypeScript sources (tests, tsx) the worker registers tsx before loading its entry; from
 * the built dist/ it loads the compiled entry directly.
 */
function startWorker(workerData: unknown): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData });
  const code = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(code, { eval: true, workerData });
}

/** Trains a model in a worker thread; rejects with the worker's error. */
export function trainInWorker(articles: readonly LabelledArticle[], codebook: Codebook, options: { now?: string } = {}): Promise<LearnedModel> {
  return new Promise((resolve, reject) => {
    const worker = startWorker({ articles, codebook: { schemaVersion: 1, ...codebook }, options });
    let settled = false;
    worker.once('message', (message: unknown) => {
      settled = true;
      if (typeof message === 'object' && message !== null && 'model' in message) {
        try {
          resolve(parseModel(message.model));
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      } else {
        const text = typeof message === 'object' && message !== null && 'error' in message ? String(message.error) : 'no model';
        reject(new Error(`training failed: ${text}`));
      }
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`the training worker exited with code ${code} before answering`));
    });
  });
}

