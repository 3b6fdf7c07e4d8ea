// The export formats as pure functions: tag records, brat standoff, CoNLL columns, and the
// agreement report as rows, Markdown and LaTeX.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Annotation, Article, Category, Tag } from '../../../server/core/model.js';
import { segment, words } from '../../../server/core/segmentation.js';
import { TAG_COLUMNS, jsonlRecords, tagRecords, type TagRecord } from '../../../server/core/export/tags.js';
import { bratAnn, bratConf } from '../../../server/core/export/brat.js';
import { conll } from '../../../server/core/export/conll.js';
import { exportedText } from '../../../server/core/offsets.js';
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

const run = promisify(execFile);

/** pdflatex (Debian's texlive-latex-base) compiles the LaTeX report; .ci/run installs it. */
const pdflatex = (() => {
  try {
    execFileSync('pdflatex', ['--version'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    console.warn('pdflatex not found: the test that compiles the LaTeX report is skipped (apt-get install texlive-latex-base; .ci/run does).');
    return false;
  }
})();

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
    expect(TAG_COLUMNS).toEqual(['project', 'article', 'article_title', 'sentence', 'start', 'end', 'start_cp', 'end_cp', 'text', 'category', 'voice', 'intensity', 'note', 'annotator', 'created', 'updated']);
  });

  it('numbers sentences from 1, carries the span text and the annotator’s name', () => {
    const [first] = records();
    expect(first).toEqual({
      project: 'Study', article: 'x', article_title: 'First', sentence: 1, start: 4, end: 20, start_cp: 4, end_cp: 20, text: 'regime allegedly', category: 'emphasis',
      voice: 'author', intensity: null, note: '', annotator: 'anna', created: '2024-02-01T10:00:00.000Z', updated: '2024-02-02T10:00:00.000Z',
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

/** An article with characters of two UTF-16 code units early on (Python counts them once). */
const EMOJI_TEXT = [
  'Breaking 🚨: the regime 😀 allegedly crushed the “peaceful” protest.',
  'Officials called it “purely defensive”... in a statement 👍🏽.',
  'Critics say the reform is a disaster!!',
].join('\n');

function articleWith(id: string, text: string): Article {
  return { ...article(id), text, sentences: segment(text) };
}

/** A tag on raw offsets (UTF-16) of sentence s. */
function rawTag(a: Article, s: number, start: number, end: number, category: string, extra: Partial<Tag> = {}): Tag {
  return {
    id: `t${++serial}`, articleId: a.id, annotatorId: 'u', sentence: s, start, end, category,
    voice: 'author', intensity: null, note: '', createdAt: '', updatedAt: '', ...extra,
  };
}

/** `text[start:end]` as Python slices a str: by code points. */
const pySlice = (text: string, start: number, end: number) => Array.from(text).slice(start, end).join('');

describe('offsets in code points beside UTF-16', () => {
  const a = articleWith('e', EMOJI_TEXT);
  const at = (needle: string, s: number) => {
    const i = EMOJI_TEXT.indexOf(needle);
    return rawTag(a, s, i, i + needle.length, 'hedge');
  };
  const tags = [at('allegedly crushed', 0), at('“peaceful”', 0), at('“purely defensive”', 1), at('statement 👍🏽', 1), at('disaster', 2)];

  it('tag records: start/end slice the text as JavaScript does, start_cp/end_cp as Python does', () => {
    const records = [...tagRecords('S', [a], () => [ann(a, 'u', tags)], (id) => id)];
    expect(records).toHaveLength(5);
    for (const r of records) {
      expect(EMOJI_TEXT.slice(r.start, r.end)).toBe(r.text);
      expect(pySlice(EMOJI_TEXT, r.start_cp, r.end_cp)).toBe(r.text);
    }
    // Two emoji before "allegedly": two code points fewer.
    expect(records[0]).toMatchObject({ text: 'allegedly crushed', start: 27, start_cp: 25 });
  });

  it('brat: every T line reads its text from the .txt by code points (brat and Python)', () => {
    const lines = bratAnn(a, ann(a, 'u', tags)).split('\n').filter((l) => l.startsWith('T'));
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      const [, head, text] = line.split('\t');
      const [, start, end] = (head ?? '').split(' ');
      expect(pySlice(EMOJI_TEXT, Number(start), Number(end))).toBe(text);
    }
    expect(lines[0]).toBe('T1\thedge 25 42\tallegedly crushed');
  });

  it('brat: a text stored with CRLF (imported before the line-end rule) is written with LF and offsets count that text', () => {
    const crlf = articleWith('c', EMOJI_TEXT.replace(/\n/g, '\r\n'));
    const i = crlf.text.indexOf('disaster');
    const view = exportedText(crlf.text);
    expect(view.text).toBe(EMOJI_TEXT);
    const [line] = bratAnn(crlf, ann(crlf, 'u', [rawTag(crlf, 2, i, i + 8, 'hedge')])).split('\n');
    const [, head] = (line ?? '').split('\t');
    const [, start, end] = (head ?? '').split(' ');
    expect(pySlice(view.text, Number(start), Number(end))).toBe('disaster');
  });
});

interface ConllSentence {
  comments: Map<string, string[]>;
  rows: string[][];
}

/**
 * Reads a .conll file as a consumer would: blank lines end sentences; a line starting with `#`
 * and holding no tab is a comment (`# key = value`); every other line is a token with the
 * columns the header names.
 */
function readConll(text: string): { header: Map<string, string[]>; columns: string[]; sentences: ConllSentence[] } {
  expect(text.endsWith('\n\n')).toBe(true);
  const [head, ...blocks] = text.trimEnd().split('\n\n').map((b) => b.split('\n'));
  const parse = (lines: string[]) => {
    const comments = new Map<string, string[]>();
    const rows: string[][] = [];
    for (const line of lines) {
      if (line.startsWith('#') && !line.includes('\t')) {
        expect(rows, 'comments come before the tokens').toHaveLength(0);
        const m = /^# ([\w-]+) = (.*)$/.exec(line);
        if (!m?.[1]) throw new Error(`bad comment line: ${line}`);
        comments.set(m[1], [...(comments.get(m[1]) ?? []), m[2] ?? '']);
      } else rows.push(line.split('\t'));
    }
    return { comments, rows };
  };
  const first = parse(head ?? []);
  const header = first.comments;
  const columns = (header.get('columns')?.[0] ?? '').split(' ');
  // The file's first block holds the header comments and then sentence 1.
  const sentences = [{ comments: new Map([...first.comments].filter(([k]) => !['article', 'offsets', 'columns'].includes(k))), rows: first.rows }, ...blocks.map(parse)];
  for (const s of sentences) for (const r of s.rows) expect(r, r.join('|')).toHaveLength(columns.length);
  return { header, columns, sentences };
}

/** BIO is valid: every I-x follows a B-x or an I-x. */
function expectValidBio(labels: string[], where: string): void {
  labels.forEach((label, i) => {
    expect(label, where).toMatch(/^(O|[BI]-[\w-]+)$/);
    if (label.startsWith('I-')) expect(labels[i - 1], `${where}: ${label} at token ${i + 1}`).toMatch(new RegExp(`^[BI]-${label.slice(2)}$`));
  });
}

/** Every non-space character of each sentence is in exactly one token; no token holds a space. */
function expectCoverage(a: Article, sentences: ConllSentence[]): void {
  a.sentences.forEach((range, s) => {
    const rows = sentences[s]?.rows ?? [];
    const covered = new Int32Array(range.end - range.start);
    for (const [token, start, end, startCp, endCp] of rows) {
      expect(a.text.slice(Number(start), Number(end))).toBe(token);
      expect(pySlice(a.text, Number(startCp), Number(endCp))).toBe(token);
      expect(token).not.toMatch(/\s/);
      for (let i = Number(start); i < Number(end); i++) covered[i - range.start]!++;
    }
    for (let i = range.start; i < range.end; i++) {
      expect(covered[i - range.start], `sentence ${s + 1}, character ${i} "${a.text[i]}"`).toBe(/\s/.test(a.text[i] ?? '') ? 0 : 1);
    }
  });
}

describe('CoNLL columns', () => {
  const a = article('x');
  const annotation = ann(a, 'u', [tagOf(a, 'u', 0, 1, 3, 'loaded'), tagOf(a, 'u', 0, 2, 2, 'hedge'), tagOf(a, 'u', 2, 5, 6, 'loaded')], [1]);
  const out = conll(a, annotation, ['hedge', 'loaded'], wordsOf);
  const file = readConll(out);

  it('starts with the article, the offsets’ units and the columns; then a block per sentence', () => {
    expect(out.split('\n').slice(0, 3)).toEqual([
      '# article = x',
      '# offsets = start end: UTF-16 code units; start_cp end_cp: code points (Python str indexes); end exclusive',
      '# columns = token start end start_cp end_cp hedge loaded',
    ]);
    expect(file.sentences).toHaveLength(3);
    expect(file.sentences.map((s) => s.comments.get('sentence'))).toEqual([['1'], ['2'], ['3']]);
    expect(file.sentences.map((s) => s.comments.get('text')?.[0])).toEqual(TEXT.split('\n'));
  });

  it('says which sentences were reviewed: yes (tags), nothing-here (reviewed without tags), no (never looked)', () => {
    expect(file.sentences.map((s) => s.comments.get('reviewed'))).toEqual([['yes'], ['nothing-here'], ['yes']]);
    const none = readConll(conll(a, ann(a, 'u', [], []), ['hedge'], wordsOf));
    expect(none.sentences.map((s) => s.comments.get('reviewed'))).toEqual([['no'], ['no'], ['no']]);
  });

  it('one token per line: token, offsets in both units, then B-/I-/O per category; punctuation is a token', () => {
    expect(file.sentences[0]?.rows).toEqual([
      ['The', '0', '3', '0', '3', 'O', 'O'],
      ['regime', '4', '10', '4', '10', 'O', 'B-loaded'],
      ['allegedly', '11', '20', '11', '20', 'B-hedge', 'I-loaded'],
      ['crushed', '21', '28', '21', '28', 'O', 'I-loaded'],
      ['the', '29', '32', '29', '32', 'O', 'O'],
      ['peaceful', '33', '41', '33', '41', 'O', 'O'],
      ['protest', '42', '49', '42', '49', 'O', 'O'],
      ['.', '49', '50', '49', '50', 'O', 'O'],
    ]);
    expect(file.sentences[2]?.rows.slice(-3).map((r) => [r[0], r[6]])).toEqual([['a', 'B-loaded'], ['disaster', 'I-loaded'], ['.', 'O']]);
    expectCoverage(a, file.sentences);
  });

  it('every non-space character is in a token, and BIO is valid, whatever the spans (quotes, mid-word starts, emoji)', () => {
    const e = articleWith('e', EMOJI_TEXT);
    const i = (needle: string) => EMOJI_TEXT.indexOf(needle);
    const tags = [
      rawTag(e, 0, i('“peaceful”'), i('“peaceful”') + 10, 'scare-quotes'),
      rawTag(e, 1, i('“purely'), i('defensive”') + 10, 'scare-quotes'),
      // Starts inside a word: "ged" of "allegedly".
      rawTag(e, 0, i('allegedly') + 4, i('crushed') + 7, 'hedge'),
      // Ends inside a word, and a second hedge that shares its last token.
      rawTag(e, 0, i('regime'), i('allegedly') + 2, 'hedge'),
      rawTag(e, 1, i('statement'), i('👍🏽') + 4, 'hedge'),
    ];
    const f = readConll(conll(e, ann(e, 'u', tags), ['hedge', 'scare-quotes'], wordsOf));
    expectCoverage(e, f.sentences);
    const [, , , , , ...categories] = f.columns;
    f.sentences.forEach((s, n) => categories.forEach((c, k) => expectValidBio(s.rows.map((r) => r[5 + k] ?? ''), `sentence ${n + 1}, ${c}`)));
    const s2 = f.sentences[1]?.rows ?? [];
    // “purely defensive”: the opening quote is a token and carries the B-.
    expect(s2.slice(3, 7).map((r) => [r[0], r[6]])).toEqual([['“', 'B-scare-quotes'], ['purely', 'I-scare-quotes'], ['defensive', 'I-scare-quotes'], ['”', 'I-scare-quotes']]);
    expect(s2.map((r) => r[0])).toContain('...');
    expect(s2.map((r) => r[0])).toContain('👍🏽');
    const s1 = f.sentences[0]?.rows ?? [];
    expect(s1.map((r) => r[0]).slice(0, 3)).toEqual(['Breaking', '🚨', ':']);
    // The two hedges share "allegedly": one run, and the comment keeps both spans.
    expect(s1.filter((r) => r[5] !== 'O').map((r) => [r[0], r[5]])).toEqual([['regime', 'B-hedge'], ['😀', 'I-hedge'], ['allegedly', 'I-hedge'], ['crushed', 'I-hedge']]);
    expect(f.sentences[0]?.comments.get('overlap')).toEqual([`hedge ${i('regime')}-${i('allegedly') + 2} ${i('allegedly') + 4}-${i('crushed') + 7}`]);
    expect(f.sentences[2]?.rows.map((r) => r[0]).slice(-2)).toEqual(['disaster', '!!']);
  });

  it('tags of one category that only touch each other stay two runs: B- then B-', () => {
    const f = readConll(conll(a, ann(a, 'u', [tagOf(a, 'u', 0, 1, 1, 'loaded'), tagOf(a, 'u', 0, 2, 3, 'loaded')]), ['loaded'], wordsOf));
    expect(f.sentences[0]?.rows.slice(1, 4).map((r) => r[5])).toEqual(['B-loaded', 'B-loaded', 'I-loaded']);
    expect(f.sentences[0]?.comments.get('overlap')).toBeUndefined();
  });
});

describe('the agreement report as tables', () => {
  const cats: Category[] = [
    { id: 'a-b', name: 'Fear & loathing — again', definition: '', span: '', example: '', colour: '#112233', key: 'f' },
    { id: 'pct', name: '100% sure_thing #1 {x} $y ^2 ~ a\\b <c>', definition: '', span: '', example: '', colour: '#445566', key: 'p' },
    { id: 'pipe', name: 'this | that', definition: '', span: '', example: '', colour: '#778899', key: 't' },
    { id: 'intl', name: '«Ελληνικά» αβγ <y> *bold* [link](x) `code` Анна 😀 e\u0301', definition: '', span: '', example: '', colour: '#778899', key: 'i' },
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

  it('reportRows: ten rows per category, eleven overall (with span identification), the report columns', () => {
    const rows = reportRows(report);
    expect(rows).toHaveLength(4 * 10 + 11);
    for (const r of rows) expect(Object.keys(r).sort()).toEqual([...REPORT_COLUMNS].sort());
    expect(rows.slice(0, 11).map((r) => `${r.category}/${r.level}/${r.statistic}`)).toEqual([
      'overall/sentence/krippendorff_alpha',
      'overall/sentence/observed_agreement',
      'overall/sentence/fleiss_kappa',
      'overall/sentence/gwet_ac1',
      'overall/sentence/cohen_kappa',
      'overall/sentence/scott_pi',
      'overall/span/span_f1_exact',
      'overall/span/span_f1_overlap',
      'overall/span/span_f1_identification',
      'overall/span/unitizing_alpha',
      'overall/token/krippendorff_alpha',
    ]);
    expect(new Set(rows.map((r) => r.category))).toEqual(new Set(['overall', 'a-b', 'pct', 'pipe', 'intl']));
    const alpha = rows.find((r) => r.category === 'a-b' && r.statistic === 'krippendorff_alpha' && r.level === 'sentence');
    expect(alpha?.value).toBe(report.categories[0]?.sentence.report.statistics.krippendorff_alpha.value);
    expect(alpha?.ci_low).toBe(report.categories[0]?.sentence.report.statistics.krippendorff_alpha_ci95.low);
    expect(alpha?.units).toBe(6);
    for (const r of rows) {
      if (r.value === null) expect(r.note.length, `${r.category}/${r.statistic}`).toBeGreaterThan(0);
      else expect(Number.isFinite(r.value)).toBe(true);
    }
    // The overall span F1 says what it is; the identification row says what the SI scorer is.
    const overall = (statistic: string) => rows.find((r) => r.category === 'overall' && r.statistic === statistic);
    expect(overall('span_f1_overlap')?.note).toMatch(/labels matched.*not the SemEval SI score/);
    expect(overall('span_f1_identification')?.note).toMatch(/^labels ignored, as the SemEval-2020 T11 span identification \(SI\) scorer; mean over 1 annotator pair/);
  });

  it('undefined is undefined in every row with its reason: an unused category’s span F1 and AC1 are never 1', () => {
    const rows = reportRows(report).filter((r) => r.category === 'pipe');
    const row = (statistic: string, level = 'span') => rows.find((r) => r.statistic === statistic && r.level === level);
    expect(row('span_f1_overlap')).toMatchObject({ value: null, note: 'no annotator tagged this category on an article another annotator reviewed too' });
    expect(row('span_f1_exact')?.value).toBeNull();
    expect(row('gwet_ac1', 'sentence')).toMatchObject({ value: null, note: expect.stringMatching(/^only one category occurs/) });
    expect(row('unitizing_alpha')?.value).toBeNull();
  });

  it('an undefined α keeps its reason in the note even when there is a prevalence warning', () => {
    const row = reportRows(report).find((r) => r.category === 'pipe' && r.level === 'sentence' && r.statistic === 'krippendorff_alpha');
    expect(row?.value).toBeNull();
    expect(row?.note).toMatch(/no variation/);
    expect(row?.note).toMatch(/rarer class/);
  });

  it('markdownTable: a header, an alignment row and one row per category; HTML and Markdown marks escaped; undefined figures listed with their reason', () => {
    const md = markdownTable(report);
    const lines = md.split('\n').filter((l) => l.startsWith('|'));
    expect(lines).toHaveLength(2 + 5);
    expect(lines[0]).toBe('| Category | α | 95% CI | A_o | AC1 | Span F1 | α_U | Units |');
    expect(lines[1]).toBe('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    expect(lines[2]).toMatch(/^\| All categories \| /);
    expect(md).toContain('| this \\| that |');
    for (const line of lines) expect(line.split(/(?<!\\)\|/).length - 2).toBe(8);
    expect(md).toContain('2 annotators');
    // No raw HTML a Markdown renderer would pass through, no emphasis or link from a name.
    expect(md).not.toMatch(/<[a-z]/i);
    expect(md).toContain('| «Ελληνικά» αβγ &lt;y&gt; \\*bold\\* \\[link\\](x) \\`code\\` Анна 😀 é |'.normalize('NFC').replace('é', 'e\u0301'));
    expect(md).toContain('Fear &amp; loathing — again');
    expect(md).toContain('labels matched');
    expect(md).toMatch(/Span identification F1 \(labels ignored, the SemEval-2020 T11 SI score\): \d\.\d{3}, mean over 1 annotator pairs\./);
    expect(md).toContain('- this \\| that, AC1: only one category occurs, so chance agreement is undefined');
    expect(md).toContain('- this \\| that, Span F1: no annotator tagged this category on an article another annotator reviewed too');
  });

  it('latexTable: a document with T1 fonts and UTF-8 input, names escaped, a balanced 8-column tabular, undefined figures listed', () => {
    const tex = latexTable(report);
    expect(tex).toContain('\\usepackage[T1]{fontenc}');
    expect(tex).toContain('\\usepackage[utf8]{inputenc}');
    expect(tex).toContain('Fear \\& loathing — again &');
    expect(tex).toContain('100\\% sure\\_thing \\#1 \\{x\\} \\$y \\^{}2 \\~{} a\\textbackslash{}b \\textless{}c\\textgreater{} &');
    expect(tex).toContain('«Ελληνικά» αβγ \\textless{}y\\textgreater{} *bold* [link](x) `code` Анна 😀 é &');
    // Greek from the math font; Cyrillic and emoji, which pdflatex's base fonts lack, declared too.
    expect(tex).toContain('\\DeclareUnicodeCharacter{03B1}{\\ensuremath{\\alpha}}');
    expect(tex).toContain('\\DeclareUnicodeCharacter{0395}{\\ensuremath{\\mathrm{E}}}');
    expect(tex).toContain('\\DeclareUnicodeCharacter{0410}{?}');
    expect(tex).toContain('\\DeclareUnicodeCharacter{1F600}{?}');
    expect(tex).not.toContain('DeclareUnicodeCharacter{00AB}'); // « is in T1
    expect(tex).not.toMatch(/[^\\]&amp;/);
    const begins = tex.match(/\\begin\{(\w+)\}/g) ?? [];
    const ends = tex.match(/\\end\{(\w+)\}/g) ?? [];
    expect(begins.map((b) => b.replace('begin', ''))).toEqual([...ends].reverse().map((e) => e.replace('end', '')));
    expect(tex).toContain('\\begin{tabular}{lrrrrrrr}');
    const body = tex.split('\n').filter((l) => l.endsWith('\\\\'));
    expect(body).toHaveLength(1 + 5);
    for (const row of body) expect(row.split(/(?<!\\)&/).length).toBe(8);
    expect(tex).toContain('this \\textbar{} that & -- & -- & ');
    const open = (tex.match(/(?<!\\)\{/g) ?? []).length;
    const close = (tex.match(/(?<!\\)\}/g) ?? []).length;
    expect(open).toBe(close);
    expect(tex).toContain('\\caption{');
    expect(tex).toContain('this \\textbar{} that, AC1: only one category occurs');
  });

  it.skipIf(!pdflatex)('latexTable compiles with pdflatex (names with «», Greek, <y>, Cyrillic, emoji)', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'framelens-tex-'));
    try {
      await writeFile(join(dir, 'agreement.tex'), latexTable(report));
      const result = await run('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', '-no-shell-escape', 'agreement.tex'], { cwd: dir, timeout: 110_000 }).catch(
        (error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }),
      );
      expect(result.stdout).not.toMatch(/^! /m);
      expect((await stat(join(dir, 'agreement.pdf'))).size).toBeGreaterThan(1000);
      const log = await readFile(join(dir, 'agreement.log'), 'utf8');
      expect(log).not.toMatch(/Missing character|not set up for use with LaTeX/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
