// Reading other tools' files as pure functions: brat standoff, SemEval-2020 Task 11, a CSV of
// spans; where a span lies among sentences; which category a label suggests.
import { describe, expect, it } from 'vitest';
import type { Article, Category } from '../../server/core/model.js';
import { segment } from '../../server/core/segmentation.js';
import { readBrat } from '../../server/core/import/brat.js';
import { SI_LABEL, readSemeval } from '../../server/core/import/semeval.js';
import { readSpansCsv, unguard } from '../../server/core/import/spans-csv.js';
import { place, suggestCategory } from '../../server/core/import/source.js';

const cp = (text: string, needle: string) => Array.from(text.slice(0, text.indexOf(needle))).length;

describe('brat standoff', () => {
  // CRLF line ends and a BOM: the offsets count code points of the file as it is.
  const raw = '\uFEFFSummit 😀 ends.\r\nTalks were “tense”.\r\n';
  const text = 'Summit 😀 ends.\nTalks were “tense”.\n';

  it('maps code points of the raw .txt to UTF-16 offsets of the text under the line-end rule', () => {
    const ann = [
      `T1\tHedge ${cp(raw, 'ends')} ${cp(raw, 'ends') + 4}\tends`,
      `T2\tQuotes ${cp(raw, '“tense”')} ${cp(raw, '“tense”') + 7}\t“tense”`,
      'A1\tVoice T2 quoted',
      'A2\tIntensity T2 3',
      '#1\tAnnotatorNotes T2\tdistancing',
    ].join('\n');
    const read = readBrat([{ name: 'd.txt', text: raw }, { name: 'd.ann', text: ann }]);
    expect(read.problems).toEqual([]);
    const [doc] = read.documents;
    expect(doc?.kind === 'text' && doc.text).toBe(text);
    expect(doc?.spans.map((s) => [text.slice(s.start, s.end), s.label, s.voice, s.intensity, s.note])).toEqual([
      ['ends', 'Hedge', 'author', null, ''],
      ['“tense”', 'Quotes', 'quoted', 3, 'distancing'],
    ]);
  });

  it('a discontinuous annotation becomes a span per fragment; other lines are listed as left out', () => {
    const t = 'one two three four';
    const ann = ['T1\tX 0 3;8 13\tone three', 'R1\tRel Arg1:T1 Arg2:T1', 'E1\tEv:T1', 'A1\tNegated T1'].join('\n');
    const read = readBrat([{ name: 'd.txt', text: t }, { name: 'd.ann', text: ann }, { name: 'annotation.conf', text: '' }, { name: 'README.txt', text: 'x' }]);
    expect(read.problems).toEqual([]);
    expect(read.documents[0]?.spans.map((s) => t.slice(s.start, s.end))).toEqual(['one', 'three']);
    expect(read.ignored).toEqual(['d.ann line 2: relation R1', 'd.ann line 3: event E1', 'd.ann line 4: attribute A1 (Negated)', 'README.txt: a .txt without an .ann beside it']);
  });
});

describe('SemEval-2020 Task 11', () => {
  it('reads technique-classification and span-identification lines, offsets in code points', () => {
    const a = 'Title 😀\n\nThey are traitors, he said.\n';
    const labels = `7\tName_Calling,Labeling\t${cp(a, 'traitors')}\t${cp(a, 'traitors') + 8}\n7\t${cp(a, 'They')}\t${cp(a, 'They') + 4}\n`;
    const read = readSemeval([{ name: 'article7.txt', text: a }, { name: 'article7.labels', text: labels }]);
    expect(read.problems).toEqual([]);
    expect(read.documents[0]?.spans.map((s) => [a.slice(s.start, s.end), s.label])).toEqual([
      ['traitors', 'Name_Calling,Labeling'],
      ['They', SI_LABEL],
    ]);
  });
});

describe('a CSV of spans', () => {
  const text = 'Moscow 😀 warns of =war.';
  const article: Article = { id: 'a1', projectId: 'p', title: 'T', source: '', url: '', publishedAt: '', text, sentences: segment(text), createdAt: '', createdBy: '' };
  const find = (ref: string) => (ref === 'a1' || ref === 'T' ? article : undefined);

  it('takes UTF-16 start/end, or code points, and undoes the formula guard', () => {
    const i = text.indexOf('=war');
    const csv = `article,category,start,end,text\nT,hedge,${i},${i + 4},'=war\n`;
    const read = readSpansCsv([{ name: 's.csv', text: csv }], find);
    expect(read.problems).toEqual([]);
    expect(read.documents[0]?.spans.map((s) => text.slice(s.start, s.end))).toEqual(['=war']);
    const byCp = readSpansCsv([{ name: 's.csv', text: `article,label,start_cp,end_cp\na1,x,${cp(text, 'warns')},${cp(text, 'warns') + 5}\n` }], find);
    expect(byCp.documents[0]?.spans.map((s) => text.slice(s.start, s.end))).toEqual(['warns']);
    expect(unguard("'-x")).toBe('-x');
    expect(unguard("'x")).toBe("'x");
  });
});

describe('placing spans and suggesting categories', () => {
  const sentences = [{ start: 0, end: 10 }, { start: 11, end: 20 }, { start: 25, end: 30 }];

  it('inside one sentence, crossing (with its parts per sentence) or outside all', () => {
    expect(place(sentences, 2, 8)).toEqual({ kind: 'inside', sentence: 0 });
    expect(place(sentences, 5, 15)).toEqual({ kind: 'crossing', pieces: [{ sentence: 0, start: 5, end: 10 }, { sentence: 1, start: 11, end: 15 }] });
    // Onto a gap (a line left out): only the part in a sentence is kept when split.
    expect(place(sentences, 18, 23)).toEqual({ kind: 'crossing', pieces: [{ sentence: 1, start: 18, end: 20 }] });
    expect(place(sentences, 21, 24)).toEqual({ kind: 'outside' });
  });

  it('suggests the category whose id or name the label is, ignoring case and punctuation', () => {
    const cats: Category[] = [
      { id: 'loaded-language', name: 'Evaluative wording', definition: '', span: '', example: '', colour: '#000000', key: 'l' },
      { id: 'hedge', name: 'Hedge / doubt marker', definition: '', span: '', example: '', colour: '#000000', key: 'h' },
    ];
    expect(suggestCategory('Loaded_Language', cats)).toBe('loaded-language');
    expect(suggestCategory('HEDGE', cats)).toBe('hedge');
    expect(suggestCategory('hedge/doubt marker', cats)).toBe('hedge');
    expect(suggestCategory('Doubt', cats)).toBeNull();
  });
});
