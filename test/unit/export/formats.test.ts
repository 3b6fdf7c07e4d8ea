// The export formats as pure functions: tag records, brat standoff, CoNLL columns, and the
// agreement report as rows, Markdown and LaTeX.
import { describe, expect, it } from 'vitest';
import type { Annotation, Article, Category, Tag } from '../../../server/core/model.js';
import { segment, words } from '../../../server/core/segmentation.js';
import { TAG_COLUMNS, jsonlRecords, tagRecords, type TagRecord } from '../../../server/core/export/tags.js';
import { bratAnn, bratConf } from '../../../server/core/export/brat.js';
import { conll } from '../../../server/core/export/conll.js';
import { REPORT_COLUMNS, latexTable, markdownTable, reportRows } from '../../../server/core/export/agreement-report.js';
import { makeStudy } from '../../../server/core/study/units.js';
import { studyAgreement } from '../../../server/core/study/agreement.js';

const TEXT = ['The regime allegedly crushed the peaceful protest.', 'Officials said the economy is booming.', 'Critics say the reform is a disaster.'].join('\n');

function article(id: string, title = `Article ${id}`): Article {
  return { id, projectId: 'p', title, source: '', url: '', publishedAt: '', text: TEXT, sentences: segment(TEXT), createdAt: '2024-01-01T00:00:00Z', createdBy: 'r' };
}

let serial = 0;
function tagOf(a: Article, annotatorId: string, s: number, first: number, last: number, category: string, extra: Partial<Tag> = {}): Tag {
  const ws = words(a.text, a.sentences[s] ?? { start: 0, end: 0 });
  const from = ws[first];
  const to = ws[last];
  if (!from || !to) throw new Error('no such words');
  return {
    id: `t${++serial}`, articleId: a.id, annotatorId, sentence: s, start: from.start, end: to.end, category,
    voice: 'author', intensity: null, note: '', createdAt: '2024-02-01T10:00:00.000Z', updatedAt: '2024-02-02T10:00:00.000Z', ...extra,
  };
}

function ann(a: Article, annotatorId: string, tags: Tag[], reviewed: number[] = []): Annotation {
  return { articleId: a.id, annotatorId, reviewed, tags, updatedAt: '' };
}

const wordsOf = (a: Article, r: { start: number; end: number }) => words(a.text, r);

describe('tag records', () => {
  const x = article('x', 'First');
  const y = article('y', 'Second');
  const annotations = new Map<string, Annotation[]>([
    [
      'x',
      [
        ann(x, 'u2', [tagOf(x, 'u2', 2, 3, 3, 'hedge', { voice: 'quoted', intensity: 2, note: 'why, "so"' })]),
        ann(x, 'u1', [tagOf(x, 'u1', 1, 0, 0, 'loaded'), tagOf(x, 'u1', 0, 1, 2, 'hedge'), tagOf(x, 'u1', 0, 1, 2, 'emphasis')]),
      ],
    ],
    ['y', [ann(y, 'u1', [tagOf(y, 'u1', 0, 2, 2, 'hedge')])]],
  ]);
  const names = new Map([['u1', 'anna'], ['u2', 'ben']]);
  const records = () => [...tagRecords('Study', [x, y], (id) => annotations.get(id) ?? [], (id) => names.get(id) ?? id)];

  it('has one record per tag with exactly the export columns', () => {
    const all = records();
    expect(all).toHaveLength(5);
    for (const r of all) expect(Object.keys(r)).toEqual(TAG_COLUMNS);
    expect(TAG_COLUMNS).toEqual(['project', 'article', 'article_title', 'sentence', 'start', 'end', 'text', 'category', 'voice', 'intensity', 'note', 'annotator', 'created', 'updated', 'origin', 'suggester', 'suggestion_score', 'adjusted']);
  });

  it('numbers sentences from 1, carries the span text and the annotator’s name', () => {
    const [first] = records();
    expect(first).toEqual({
      project: 'Study', article: 'x', article_title: 'First', sentence: 1, start: 4, end: 20, text: 'regime allegedly', category: 'emphasis',
      voice: 'author', intensity: null, note: '', annotator: 'anna', created: '2024-02-01T10:00:00.000Z', updated: '2024-02-02T10:00:00.000Z',
      origin: 'manual', suggester: null, suggestion_score: null, adjusted: null,
    } satisfies TagRecord);
    const quoted = records().find((r) => r.annotator === 'ben');
    expect(quoted).toMatchObject({ sentence: 3, text: 'reform', voice: 'quoted', intensity: 2, note: 'why, "so"' });
    for (const r of records()) expect(TEXT.slice(r.start, r.end)).toBe(r.text);
  });

  it('orders article by article, annotator by annotator, then in text order (ties by category)', () => {
    expect(records().map((r) => `${r.article}/${r.annotator}/${r.start}/${r.category}`)).toEqual([
      'x/anna/4/emphasis',
      'x/anna/4/hedge',
      'x/anna/51/loaded',
      'x/ben/106/hedge',
      'y/anna/11/hedge',
    ]);
  });

  it('JSONL records add the sentences reviewed without tags, after each annotator’s tags', () => {
    const z = article('z', 'Third');
    const own = ann(z, 'u1', [tagOf(z, 'u1', 1, 0, 0, 'hedge')], [2, 0, 1, 7]);
    const out = [...jsonlRecords('Study', [z], () => [own], (id) => names.get(id) ?? id)];
    expect(out.map((r) => ('category' in r ? `tag ${r.sentence}` : `reviewed ${r.sentence}`))).toEqual(['tag 2', 'reviewed 1', 'reviewed 3']);
    expect(out[1]).toEqual({ project: 'Study', article: 'z', article_title: 'Third', sentence: 1, annotator: 'anna', reviewed: true });
    // The CSV records are the tags only.
    expect([...tagRecords('Study', [z], () => [own], (id) => id)]).toHaveLength(1);
  });

  it('is lazy: records are produced one at a time', () => {
    let asked = 0;
    const gen = tagRecords('Study', [x, y], (id) => {
      asked++;
      return annotations.get(id) ?? [];
    }, (id) => id);
    expect(asked).toBe(0);
    gen.next();
    expect(asked).toBe(1);
  });
});

describe('brat standoff', () => {
  const a = article('x');
  const tags = [
    tagOf(a, 'u', 2, 3, 3, 'hedge', { intensity: 3, note: 'a\tnote\r\nwith lines' }),
    tagOf(a, 'u', 0, 2, 2, 'hedge', { voice: 'paraphrase' }),
    tagOf(a, 'u', 0, 1, 3, 'loaded-label'),
  ];
  const ann1 = ann(a, 'u', tags);

  it('writes T, A and # lines whose offsets match the .txt', () => {
    const lines = bratAnn(a, ann1).split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1)).toEqual([
      'T1\tloaded-label 4 28\tregime allegedly crushed',
      'A1\tVoice T1 author',
      'T2\thedge 11 20\tallegedly',
      'A2\tVoice T2 paraphrase',
      'T3\thedge 106 112\treform',
      'A3\tVoice T3 author',
      'A4\tIntensity T3 3',
      '#3\tAnnotatorNotes T3\ta note with lines',
    ]);
    for (const line of lines.filter((l) => l.startsWith('T'))) {
      const [, typeAndOffsets, text] = line.split('\t');
      const [, start, end] = (typeAndOffsets ?? '').split(' ');
      expect(a.text.slice(Number(start), Number(end))).toBe(text);
    }
    // Every line has the brat field structure: id TAB fields (TAB text).
    for (const line of lines.slice(0, -1)) {
      expect(line).toMatch(/^(T\d+\t[\w-]+ \d+ \d+\t[^\t\n]+|A\d+\t(Voice|Intensity) T\d+ \S+|#\d+\tAnnotatorNotes T\d+\t[^\t\n\r]*)$/);
    }
  });

  it('is empty for an annotation without tags', () => {
    expect(bratAnn(a, ann(a, 'u', [], [0, 1]))).toBe('');
  });

  it('annotation.conf declares the categories and the attributes', () => {
    const conf = bratConf(['hedge', 'loaded-label']);
    const section = (name: string) => {
      const m = new RegExp(`\\[${name}\\]\\n([\\s\\S]*?)(?:\\n\\[|$)`).exec(conf);
      return (m?.[1] ?? '').split('\n').filter((l) => l.trim() !== '');
    };
    expect(section('entities')).toEqual(['hedge', 'loaded-label']);
    expect(section('relations')).toEqual([]);
    expect(section('events')).toEqual([]);
    expect(section('attributes')).toEqual(['Voice Arg:<ENTITY>, Value:author|quoted|paraphrase', 'Intensity Arg:<ENTITY>, Value:1|2|3']);
  });
});

describe('CoNLL columns', () => {
  const a = article('x');
  const annotation = ann(a, 'u', [tagOf(a, 'u', 0, 1, 3, 'loaded'), tagOf(a, 'u', 0, 2, 2, 'hedge'), tagOf(a, 'u', 2, 5, 6, 'loaded')]);
  const out = conll(a, annotation, ['hedge', 'loaded'], wordsOf);
  const blocks = out.trimEnd().split('\n\n');

  it('starts with the article and the columns, then one block per sentence separated by a blank line', () => {
    expect(out.split('\n').slice(0, 3)).toEqual(['# article = x', '# columns = token start end hedge loaded', '# sentence = 1']);
    expect(blocks).toHaveLength(3);
    expect(blocks[1]?.split('\n')[0]).toBe('# sentence = 2');
    expect(blocks[2]?.split('\n')[0]).toBe('# sentence = 3');
    expect(out.endsWith('\n\n')).toBe(true);
  });

  it('has one token per line: token, start, end, then B-/I-/O per category column', () => {
    const rows = (blocks[0] ?? '').split('\n').slice(3).map((l) => l.split('\t'));
    expect(rows).toEqual([
      ['The', '0', '3', 'O', 'O'],
      ['regime', '4', '10', 'O', 'B-loaded'],
      ['allegedly', '11', '20', 'B-hedge', 'I-loaded'],
      ['crushed', '21', '28', 'O', 'I-loaded'],
      ['the', '29', '32', 'O', 'O'],
      ['peaceful', '33', '41', 'O', 'O'],
      ['protest', '42', '49', 'O', 'O'],
    ]);
    const second = (blocks[1] ?? '').split('\n').slice(1).map((l) => l.split('\t'));
    expect(second.every((r) => r[3] === 'O' && r[4] === 'O' && r.length === 5)).toBe(true);
    const third = (blocks[2] ?? '').split('\n').slice(1).map((l) => l.split('\t'));
    expect(third.slice(-2).map((r) => [r[0], r[4]])).toEqual([['a', 'B-loaded'], ['disaster', 'I-loaded']]);
    for (const block of blocks) {
      for (const r of block.split('\n').filter((l) => !l.startsWith('#')).map((l) => l.split('\t'))) {
        expect(TEXT.slice(Number(r[1]), Number(r[2]))).toBe(r[0]);
      }
    }
  });
});

describe('the agreement report as tables', () => {
  const cats: Category[] = [
    { id: 'a-b', name: 'Fear & loathing — again', definition: '', span: '', example: '', colour: '#112233', key: 'f' },
    { id: 'pct', name: '100% sure_thing #1 {x} $y ^2 ~ a\\b <c>', definition: '', span: '', example: '', colour: '#445566', key: 'p' },
    { id: 'pipe', name: 'this | that', definition: '', span: '', example: '', colour: '#778899', key: 't' },
  ];
  const x = article('x');
  const y = article('y');
  const study = makeStudy(
    [x, y],
    [
      ann(x, 'u1', [tagOf(x, 'u1', 0, 2, 2, 'a-b'), tagOf(x, 'u1', 1, 0, 0, 'pct')], [0, 1, 2]),
      ann(x, 'u2', [tagOf(x, 'u2', 0, 2, 2, 'a-b')], [0, 1, 2]),
      ann(y, 'u1', [tagOf(y, 'u1', 2, 3, 3, 'a-b')], [0, 1, 2]),
      ann(y, 'u2', [tagOf(y, 'u2', 2, 3, 3, 'a-b'), tagOf(y, 'u2', 0, 0, 0, 'pct')], [0, 1, 2]),
    ],
  );
  const report = studyAgreement(study, cats, { words: wordsOf, resamples: 50 });

  it('reportRows: ten rows per category and overall, with the report columns', () => {
    const rows = reportRows(report);
    expect(rows).toHaveLength(40);
    for (const r of rows) expect(Object.keys(r).sort()).toEqual([...REPORT_COLUMNS].sort());
    expect(rows.slice(0, 10).map((r) => `${r.category}/${r.level}/${r.statistic}`)).toEqual([
      'overall/sentence/krippendorff_alpha',
      'overall/sentence/observed_agreement',
      'overall/sentence/fleiss_kappa',
      'overall/sentence/gwet_ac1',
      'overall/sentence/cohen_kappa',
      'overall/sentence/scott_pi',
      'overall/span/span_f1_exact',
      'overall/span/span_f1_overlap',
      'overall/span/unitizing_alpha',
      'overall/token/krippendorff_alpha',
    ]);
    expect(new Set(rows.map((r) => r.category))).toEqual(new Set(['overall', 'a-b', 'pct', 'pipe']));
    const alpha = rows.find((r) => r.category === 'a-b' && r.statistic === 'krippendorff_alpha' && r.level === 'sentence');
    expect(alpha?.value).toBe(report.categories[0]?.sentence.report.statistics.krippendorff_alpha.value);
    expect(alpha?.ci_low).toBe(report.categories[0]?.sentence.report.statistics.krippendorff_alpha_ci95.low);
    expect(alpha?.units).toBe(6);
    for (const r of rows) {
      if (r.value === null) expect(r.note.length, `${r.category}/${r.statistic}`).toBeGreaterThan(0);
      else expect(Number.isFinite(r.value)).toBe(true);
    }
  });

  it('an undefined α keeps its reason in the note even when there is a prevalence warning', () => {
    const row = reportRows(report).find((r) => r.category === 'pipe' && r.level === 'sentence' && r.statistic === 'krippendorff_alpha');
    expect(row?.value).toBeNull();
    expect(row?.note).toMatch(/no variation/);
    expect(row?.note).toMatch(/rarer class/);
  });

  it('markdownTable: a header, an alignment row and one row per category; pipes escaped', () => {
    const md = markdownTable(report);
    const lines = md.split('\n').filter((l) => l.startsWith('|'));
    expect(lines).toHaveLength(2 + 4);
    expect(lines[0]).toBe('| Category | α | 95% CI | A_o | AC1 | Span F1 | α_U | Units |');
    expect(lines[1]).toBe('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    expect(lines[2]).toMatch(/^\| All categories \| /);
    expect(md).toContain('| this \\| that |');
    for (const line of lines) expect(line.split(/(?<!\\)\|/).length - 2).toBe(8);
    expect(md).toContain('2 annotators');
  });

  it('latexTable: escapes &, %, _, #, {}, $ in names and has a balanced, 8-column tabular', () => {
    const tex = latexTable(report);
    expect(tex).toContain('Fear \\& loathing — again &');
    expect(tex).toContain('100\\% sure\\_thing \\#1 \\{x\\} \\$y \\^{}2 \\~{} a\\textbackslash{}b \\textless{}c\\textgreater{} &');
    expect(tex).not.toMatch(/[^\\]&amp;/);
    const begins = tex.match(/\\begin\{(\w+)\}/g) ?? [];
    const ends = tex.match(/\\end\{(\w+)\}/g) ?? [];
    expect(begins.map((b) => b.replace('begin', ''))).toEqual([...ends].reverse().map((e) => e.replace('end', '')));
    expect(tex).toContain('\\begin{tabular}{lrrrrrrr}');
    const body = tex.split('\n').filter((l) => l.endsWith('\\\\'));
    expect(body).toHaveLength(1 + 4);
    for (const row of body) expect(row.split(/(?<!\\)&/).length).toBe(8);
    // Undefined figures are "--"; the only "—" left is the one in a category name.
    expect(tex.match(/—/g)).toHaveLength(1);
    expect(tex).toContain('this \\textbar{} that & -- & -- & ');
    // Braces balance (escaped ones excluded).
    const open = (tex.match(/(?<!\\)\{/g) ?? []).length;
    const close = (tex.match(/(?<!\\)\}/g) ?? []).length;
    expect(open).toBe(close);
    expect(tex).toContain('\\caption{');
  });
});
