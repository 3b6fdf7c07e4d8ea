// The codebooks that ship with Framelens (server/codebooks/*.json), validated like uploads.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCodebook } from '../core/codebook.js';
import type { Codebook } from '../core/model.js';
import { CODEBOOKS_DIR } from '../paths.js';

export async function loadShippedCodebooks(dir = CODEBOOKS_DIR): Promise<Codebook[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  return Promise.all(
    names.map(async (name) => {
      const path = join(dir, name);
      try {
        return parseCodebook(JSON.parse(await readFile(path, 'utf8')));
      } catch (error) {
        throw new Error(`${path}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
  );
}
