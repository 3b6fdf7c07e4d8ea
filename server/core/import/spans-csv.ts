// Reading a CSV of spans on the project's articles: a header row, then one span per row.
// Columns: `article` (an article's id, or its exact title; failing that, `article_title` if there
// is one, as in Framelens' tags.csv from another instance), `category` (or `label`), and the
// offsets as `start`,`end` (UTF-16 code units, as Framelens writes them) or `start_cp`,`end_cp`
// (code points, as Python counts); `start`/`end` win when both are there. Optional: `text`
// (checked against the article), `annotator`, `voice`, `intensity`, `note`. Framelens' own tags.csv
// is such a file: a cell it guarded with a leading `'` (before = + - @, tab or CR) is read back
// without it.
import { parse } from 'csv-parse/sync';
import type { Article, Intensity, Voice } from '../model.js';
import { VOICES } from '../model.js';
import { codePoints } from '../offsets.js';
import type { NamedText } from './brat.js';
import { wholeNumber, type SourceArticle, type SourceRead } from './source.js';

const MAX_NOTE = 2000;

/** Undoes the CSV formula guard (core/export/csv.ts). */
export function unguard(cell: string): string {
  return cell.replace(/^'(?=[=+\-@\t\r])/, '');
}

function isVoice(value: string): value is Voice {
  return VOICES.some((v) => v === value);
}

/** An article by id, or by a title only one article has. */
export type ArticleLookup = (ref: string) => Article | 'ambiguous' | undefined;

export function readSpansCsv(files: readonly NamedText[], findArticle: ArticleLookup): SourceRead {
  const problems: string[] = [];
  const ignored: string[] = [];
  const byArticle = new Map<string, SourceArticle>();
  for (const f of files) {
    if (!/\.csv$/i.test(f.name)) {
      ignored.push(`${f.name}: not a .csv file`);
      continue;
    }
    let rows: Record<string, string>[];
    try {
      rows = parse(f.text, { columns: true, bom: true, skip_empty_lines: true });
    } catch (error) {
      problems.push(`${f.name}: not a CSV file that can be read: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const columns = new Set(Object.keys(rows[0] ?? {}));
    const label = columns.has('category') ? 'category' : columns.has('label') ? 'label' : null;
    const [startColumn, endColumn] = columns.has('start') && columns.has('end') ? ['start', 'end'] : ['start_cp', 'end_cp'];
    const missing = [
      columns.has('article') ? null : 'article',
      label ? null : 'category (or label)',
      columns.has(startColumn) && columns.has(endColumn) ? null : 'start and end (or start_cp and end_cp)',
    ].filter(Boolean);
    if (rows.length === 0) problems.push(`${f.name}: no spans (a header row, then one span per row)`);
    else if (missing.length > 0) problems.push(`${f.name}: the header has no column ${missing.join(', ')}`);
    if (rows.length === 0 || missing.length > 0) continue;
    const inCodePoints = startColumn === 'start_cp';
    const points = new Map<string, ReturnType<typeof codePoints>>();
    rows.forEach((row, i) => {
      // The header is line 1; each row one line (quoted line breaks aside).
      const where = `${f.name} row ${i + 2}`;
      const cell = (name: string) => unguard(row[name] ?? '');
      const ref = cell('article');
      const byRef = findArticle(ref);
      const article = byRef === undefined && columns.has('article_title') ? findArticle(cell('article_title')) : byRef;
      if (article === 'ambiguous') return void problems.push(`${where}: several articles are titled "${ref}": give the article's id`);
      if (!article) return void problems.push(`${where}: no article "${ref}" in this project (give its id or exact title)`);
      let start = wholeNumber(row[startColumn] ?? '');
      let end = wholeNumber(row[endColumn] ?? '');
      if (start === null || end === null) return void problems.push(`${where}: ${startColumn} and ${endColumn} must be whole numbers`);
      if (inCodePoints) {
        let p = points.get(article.id);
        if (!p) points.set(article.id, (p = codePoints(article.text)));
        if (end > p.length) return void problems.push(`${where}: ${start}–${end} lies outside the article's ${p.length} characters`);
        start = p.fromCodePoint(start);
        end = p.fromCodePoint(end);
      }
      if (!(start < end) || end > article.text.length) return void problems.push(`${where}: ${start}–${end} is empty or outside the article`);
      const text = cell('text');
      if (columns.has('text') && article.text.slice(start, end) !== text) {
        return void problems.push(`${where}: the text "${text}" does not match the article there ("${article.text.slice(start, end)}")`);
      }
      const voice = cell('voice') || 'author';
      if (!isVoice(voice)) return void problems.push(`${where}: voice must be ${VOICES.join(', ')}`);
      const rawIntensity = cell('intensity');
      if (!['', '1', '2', '3'].includes(rawIntensity)) return void problems.push(`${where}: intensity must be 1, 2, 3 or empty`);
      const intensity: Intensity | null = rawIntensity === '1' ? 1 : rawIntensity === '2' ? 2 : rawIntensity === '3' ? 3 : null;
      const note = cell('note');
      if (note.length > MAX_NOTE) return void problems.push(`${where}: the note is longer than ${MAX_NOTE} characters`);
      const labelText = cell(label ?? '').trim();
      if (labelText === '') return void problems.push(`${where}: no ${label}`);
      let doc = byArticle.get(article.id);
      if (!doc) byArticle.set(article.id, (doc = { kind: 'article', name: article.title, articleId: article.id, spans: [] }));
      doc.spans.push({ where, label: labelText, start, end, voice, intensity, note, annotator: columns.has('annotator') ? cell('annotator').trim() || null : null });
    });
  }
  const documents = [...byArticle.values()];
  if (documents.length === 0 && problems.length === 0) problems.push('No CSV file of spans among the files.');
  return { documents, problems, ignored };
}
