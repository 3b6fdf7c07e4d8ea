// brat standoff: per article and annotator a `.txt` with the article text and an `.ann` with
// one text-bound annotation per tag, its voice and intensity as attributes and its note as an
// AnnotatorNotes comment (https://brat.nlplab.org/standoff.html). Offsets are code points of the
// `.txt`, as brat and Python's `text[start:end]` count them.
import type { Annotation, Article } from '../model.js';
import { exportedText, normaliseLineEnds, type ExportedText } from '../offsets.js';

/** brat lines cannot hold tabs or line breaks. */
function oneLine(text: string): string {
  return text.replace(/[\t\r\n]+/g, ' ');
}

export function bratAnn(article: Article, annotation: Annotation, view: ExportedText = exportedText(article.text)): string {
  const lines: string[] = [];
  let attribute = 0;
  const tags = [...annotation.tags].sort((a, b) => a.start - b.start || a.end - b.end || a.category.localeCompare(b.category));
  tags.forEach((tag, i) => {
    const id = `T${i + 1}`;
    const text = oneLine(normaliseLineEnds(article.text.slice(tag.start, tag.end)).text);
    lines.push(`${id}\t${tag.category} ${view.toCodePoint(tag.start)} ${view.toCodePoint(tag.end)}\t${text}`);
    lines.push(`A${++attribute}\tVoice ${id} ${tag.voice}`);
    if (tag.intensity !== null) lines.push(`A${++attribute}\tIntensity ${id} ${tag.intensity}`);
    if (tag.note) lines.push(`#${i + 1}\tAnnotatorNotes ${id}\t${oneLine(tag.note)}`);
  });
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** `annotation.conf` declaring the codebook's categories and the attributes, so brat can open the files. */
export function bratConf(categoryIds: string[]): string {
  return [
    '[entities]',
    ...categoryIds,
    '',
    '[relations]',
    '',
    '[events]',
    '',
    '[attributes]',
    `Voice Arg:<ENTITY>, Value:author|quoted|paraphrase`,
    `Intensity Arg:<ENTITY>, Value:1|2|3`,
    '',
  ].join('\n');
}
