// Reading the SemEval-2020 Task 11 corpus format (the Propaganda Techniques Corpus): each article
// as `article<ID>.txt`, its spans in tab-separated label files, one per line:
// `<ID><TAB><technique><TAB><start><TAB><end>` (technique classification), or `<ID><TAB><start>
// <TAB><end>` (span identification, no technique), with offsets in code points of the article.
import type { NamedText } from './brat.js';
import { rawText, wholeNumber, type SourceRead, type SourceSpan, type SourceText } from './source.js';

/** The label of spans from span-identification files, which name no technique. */
export const SI_LABEL = 'propaganda';

const ARTICLE = /(?:^|\/)article(\d+)\.txt$/i;

export function readSemeval(files: readonly NamedText[]): SourceRead {
  const problems: string[] = [];
  const ignored: string[] = [];
  const articles = new Map<string, { doc: SourceText; raw: ReturnType<typeof rawText> }>();
  const labelFiles: NamedText[] = [];
  for (const f of files) {
    const id = ARTICLE.exec(f.name)?.[1];
    if (id !== undefined) {
      if (articles.has(id)) problems.push(`${f.name}: article ${id} is there twice`);
      const raw = rawText(f.text);
      articles.set(id, { doc: { kind: 'text', name: f.name, text: raw.text, spans: [] }, raw });
    } else if (/\.(labels|tsv)$/i.test(f.name)) labelFiles.push(f);
    else ignored.push(`${f.name}: neither article<ID>.txt nor a .labels or .tsv file`);
  }
  for (const f of labelFiles) {
    f.text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === '') return;
      const where = `${f.name} line ${i + 1}`;
      const fields = line.split('\t').map((x) => x.trim());
      const [id, ...rest] = fields;
      const technique = rest.length === 3 ? (rest[0] ?? '') : rest.length === 2 ? SI_LABEL : null;
      const start = wholeNumber(rest.at(-2) ?? '');
      const end = wholeNumber(rest.at(-1) ?? '');
      if (!id || technique === null || technique === '' || start === null || end === null) {
        problems.push(`${where}: expected "ID<TAB>technique<TAB>start<TAB>end" (or "ID<TAB>start<TAB>end")`);
        return;
      }
      const article = articles.get(id);
      if (!article) {
        problems.push(`${where}: no article${id}.txt among the files`);
        return;
      }
      if (!(start < end) || end > article.raw.codePoints) {
        problems.push(`${where}: ${start}–${end} is empty or outside the ${article.raw.codePoints} characters of article${id}.txt`);
        return;
      }
      const span: SourceSpan = {
        where,
        label: technique,
        start: article.raw.fromCodePoint(start),
        end: article.raw.fromCodePoint(end),
        voice: 'author',
        intensity: null,
        note: '',
        annotator: null,
      };
      article.doc.spans.push(span);
    });
  }
  const documents = [...articles.values()].map((a) => a.doc);
  if (documents.length === 0 && problems.length === 0) problems.push('No article<ID>.txt file: upload the articles with their label files (or a .zip of them).');
  return { documents, problems, ignored };
}
