// brat standoff: per article and annotator a `.txt` with the article text and an `.ann` with
// one text-bound annotation per tag, its voice and intensity as attributes and its note as an
// AnnotatorNotes comment (https://brat.nlplab.org/standoff.html).
import type { Annotation, Article } from '../model.js';

/** brat lines cannot hold tabs or line breaks. */
function oneLine(text: string): string {
  return text.replace(/[\t\r\n]+/g, ' ');
}

export function bratAnn(article: Article, annotation: Annotation): string {
  const lines: string[] = [];
  let attribute = 0;
  const tags = [...annotation.tags].sort((a, b) => a.start - b.start || a.end - b.end || a.category.localeCompare(b.category));
  tags.forEach((tag, i) => {
    const id = `T${i + 1}`;
    lines.push(`${id}\t${tag.category} ${tag.start} ${tag.end}\t${oneLine(article.text.slice(tag.start, tag.end))}`);
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
