// Matched-article corpora come in as one JSON file per article — `title`, `source`, `date`,
// `url`, `paragraphs` (other fields, such as a `note`, are kept only if named here) — or as a
// zip of such files. Everything is checked before anything is stored: one bad file and
// nothing is imported. Pure apart from unzipping in memory.
import { unzipSync } from 'fflate';
import { z } from 'zod';

export class StoryImportError extends Error {}

export const MAX_ARTICLE_BYTES = 1024 * 1024;
export const MAX_STORY_FILES = 50;
/** What a zip may unpack to in all: its entries declare their sizes, checked before inflating. */
const MAX_UNZIPPED_BYTES = 20 * 1024 * 1024;

const articleJson = z.object({
  title: z.string().trim().min(1, 'is empty').max(300),
  source: z.string().trim().min(1, 'is empty: name the outlet').max(200),
  date: z
    .string()
    .trim()
    .refine((d) => d === '' || (/^\d{4}-\d{2}-\d{2}$/.test(d) && new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d), 'must be a date, YYYY-MM-DD')
    .default(''),
  url: z
    .string()
    .trim()
    .max(2000)
    .refine((u) => u === '' || /^https?:\/\/[^\s]+$/i.test(u), 'must start with http:// or https://')
    .default(''),
  paragraphs: z.array(z.string().max(MAX_ARTICLE_BYTES)).min(1, 'holds no paragraph').max(10_000),
  /** Where the text comes from, e.g. that it is a constructed example: becomes the story's note. */
  note: z.string().trim().max(2000).optional(),
});

export interface ImportedArticle {
  file: string;
  title: string;
  source: string;
  publishedAt: string;
  url: string;
  /** The paragraphs joined by blank lines, as the article's text. */
  text: string;
  note: string;
}

export interface UploadedFile {
  name: string;
  bytes: Uint8Array;
}

function decode(name: string, bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    throw new StoryImportError(`${name}: not UTF-8 text.`);
  }
}

/** One article file parsed, or a message naming the file and the field. */
export function parseArticleFile(name: string, bytes: Uint8Array): ImportedArticle {
  let json: unknown;
  try {
    json = JSON.parse(decode(name, bytes));
  } catch (error) {
    if (error instanceof StoryImportError) throw error;
    throw new StoryImportError(`${name}: not JSON.`);
  }
  const parsed = articleJson.safeParse(json);
  if (!parsed.success) {
    throw new StoryImportError(`${name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'the file'} ${i.message}`).join('; ')}`);
  }
  const a = parsed.data;
  const text = a.paragraphs.map((p) => p.trim()).filter((p) => p !== '').join('\n\n');
  if (text === '') throw new StoryImportError(`${name}: every paragraph is empty.`);
  if (Buffer.byteLength(text, 'utf8') > MAX_ARTICLE_BYTES) throw new StoryImportError(`${name}: the article is larger than 1 MB.`);
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFD]/.test(text)) throw new StoryImportError(`${name}: the paragraphs hold binary data, not text.`);
  return { file: name, title: a.title, source: a.source, publishedAt: a.date, url: a.url, text, note: a.note ?? '' };
}

/** The .json files of a zip, in name order; folders, hidden files and macOS metadata are skipped. */
export function unzipArticles(name: string, bytes: Uint8Array): UploadedFile[] {
  let total = 0;
  let count = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes, {
      filter: (file) => {
        const base = file.name.split('/').pop() ?? '';
        if (!base.toLowerCase().endsWith('.json') || base.startsWith('.') || file.name.startsWith('__MACOSX/')) return false;
        count++;
        total += file.originalSize;
        if (count > MAX_STORY_FILES) throw new StoryImportError(`${name}: more than ${MAX_STORY_FILES} articles; a story compares a few outlets.`);
        if (file.originalSize > MAX_ARTICLE_BYTES * 2 || total > MAX_UNZIPPED_BYTES) throw new StoryImportError(`${name}: ${file.name} is too large once unpacked.`);
        return true;
      },
    });
  } catch (error) {
    if (error instanceof StoryImportError) throw error;
    throw new StoryImportError(`${name}: not a zip file that can be read.`);
  }
  return Object.keys(entries)
    .sort()
    .map((entry) => ({ name: entry, bytes: entries[entry]! }));
}

/** Every article of the uploaded files (JSON files, or zips of them), in the order given. */
export function importedArticles(files: readonly UploadedFile[]): ImportedArticle[] {
  const all = files.flatMap((f) => (/\.zip$/i.test(f.name) ? unzipArticles(f.name, f.bytes) : [f]));
  if (all.length === 0) throw new StoryImportError('Choose article files (.json) or a zip of them.');
  if (all.length > MAX_STORY_FILES) throw new StoryImportError(`More than ${MAX_STORY_FILES} articles; a story compares a few outlets.`);
  const problems: string[] = [];
  const articles: ImportedArticle[] = [];
  for (const f of all) {
    if (!/\.json$/i.test(f.name)) {
      problems.push(`${f.name}: not a .json or .zip file.`);
      continue;
    }
    try {
      articles.push(parseArticleFile(f.name, f.bytes));
    } catch (error) {
      if (!(error instanceof StoryImportError)) throw error;
      problems.push(error.message);
    }
  }
  if (problems.length > 0) throw new StoryImportError(`Nothing was imported:\n${problems.slice(0, 10).join('\n')}`);
  if (articles.length < 2) throw new StoryImportError('A story needs at least two articles.');
  return articles;
}
