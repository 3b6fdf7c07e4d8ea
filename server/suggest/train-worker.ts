// The worker thread that trains a learned suggestion model (see train.ts): it receives the
// training articles and the codebook, answers with the model or an error message, and ends.
import { parentPort, workerData } from 'node:worker_threads';
import { parseCodebook } from '../core/codebook.js';
import { trainModel } from '../core/suggest/model.js';
import { parseTrainingArticles } from './training-input.js';

const input: unknown = workerData;
try {
  if (typeof input !== 'object' || input === null || !('articles' in input) || !('codebook' in input)) throw new Error('the worker needs articles and a codebook');
  const options = 'options' in input && typeof input.options === 'object' && input.options !== null ? input.options : {};
  const now = 'now' in options && typeof options.now === 'string' ? options.now : new Date().toISOString();
  const model = trainModel(parseTrainingArticles(input.articles), parseCodebook(input.codebook), { now });
  parentPort?.postMessage({ model });
} catch (error) {
  parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) });
}
