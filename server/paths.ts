// Where the project's own files are, whether running from server/*.ts (tests, tsx) or dist/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('Framelens: cannot find the project folder (no package.json above the code).');
    dir = parent;
  }
  return dir;
}

export const ROOT = projectRoot();
export const VIEWS_DIR = join(ROOT, 'views');
export const PUBLIC_DIR = join(ROOT, 'public');
export const CODEBOOKS_DIR = join(ROOT, 'server', 'codebooks');
export const DEMO_DIR = join(ROOT, 'server', 'demo');
