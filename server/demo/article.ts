// The demo article (the seed article Framelens was conceived around), read and segmented as a
// researcher's import would: its own module, so that the seed and the demo story both use it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEMO_DIR } from '../paths.js';
import type { Range } from '../core/model.js';
import { segment } from '../core/segmentation.js';

const ARTICLE_FILE = join(DEMO_DIR, 'sputnik-nato-talks.txt');
/** Not article text: the outlet's name on the first line and the blog's trailing furniture. */
const NOT_ARTICLE = new Set(['Sputnik', 'No comments:', 'Post a Comment']);

/** The demo article's text, title, source and sentences, imported as a researcher would. */
export async function demoArticle(): Promise<{ title: string; source: string; text: string; sentences: Range[] }> {
  const text = await readFile(ARTICLE_FILE, 'utf8');
  return {
    title: 'Russian and NATO officials hold talks in Brussels',
    source: 'Sputnik',
    text,
    sentences: segment(text).filter((r) => !NOT_ARTICLE.has(text.slice(r.start, r.end).trim())),
  };
}
