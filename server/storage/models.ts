// Learned suggestion models, one file per project: DATA_DIR/models/<projectId>.json, replaced
// whole and durably (temp file, fsync, rename, directory fsync) like every other stored file.
// A model is derived data: a missing or unreadable one is trained again, never an error.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseModel, type LearnedModel } from '../core/suggest/model.js';
import { writeDurably } from './durable-file.js';
import { ID } from './schemas.js';

export function modelPath(dataDir: string, projectId: string): string {
  if (!ID.test(projectId)) throw new Error('invalid project id');
  return join(dataDir, 'models', `${projectId}.json`);
}

/** The project's stored model, or null when there is none or it cannot be read (it is retrained). */
export async function readModel(dataDir: string, projectId: string): Promise<LearnedModel | null> {
  let text: string;
  try {
    text = await readFile(modelPath(dataDir, projectId), 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return null;
    throw error;
  }
  try {
    return parseModel(JSON.parse(text));
  } catch {
    return null;
  }
}

/** Stores the project's model, replacing the last one atomically. */
export async function saveModel(dataDir: string, projectId: string, model: LearnedModel): Promise<void> {
  // No clean-up of stale temp files here: `framelens suggest` may run beside the server, whose
  // write in flight would look stale to it. Whoever owns the data folder may clean models/.
  await writeDurably(modelPath(dataDir, projectId), JSON.stringify(model));
}
