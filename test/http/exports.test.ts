// Exports and import: tags as CSV and JSONL (optionally with pseudonyms), reliability matrices,
// brat, CoNLL and the codebook; JSONL import back into a project — an export → import round trip
// loses nothing, and a file with one bad line stores nothing.
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCodebook, categories } from '../../server/core/codebook.js';
import { krippendorffAlpha } from '../../server/core/agreement/index.js';
import type { ReportRow } from '../../server/core/export/agreement-report.js';
import { words } from '../../server/core/segmentation.js';
import type { Tag } from '../../server/core/model.js';
import { addUser, csrfOf, signIn, type Agent } from '../helpers/app.js';
import {
  addAnnotator,
  bodyOf,
  expectError,
  expectPage,
  importArticle,
  multipart,
  refused,
  savedTagId,
  tag,
  textOf,
  world,
  type Member,
  type World,
} from '../helpers/forms.js';

const execFileAsync = promisify(execFile);

/** python3 is the reader of the consumer test below; .ci/run installs it. */
const hasPython = (() => {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    console.warn('python3 not found: the test that reads exports with Python is skipped (.ci/run installs python3).');
    return false;
  }
})();

let w: World;
let zelda: Member;
let quinn: Member;

const NOTE = 'odd\tnote\nacross lines, "quoted"';

beforeAll(async () => {
  w = await world();
  zelda = await addAnnotator(w, 'zelda');
  quinn = await addAnnotator(w, 'quinn');
  const d = w.demoArticleId;
  // Sentence 1: both tag "Western alliance" as a loaded label; zelda adds a note and intensity.
  savedTagId(await tag(zelda, d, 1, { first: 32, last: 33, category: 'loaded-label', voice: 'quoted', intensity: '2', note: NOTE }));
  savedTagId(await tag(quinn, d, 1, { first: 32, last: 33, category: 'loaded-label' }));
  // Sentence 2: both reviewed it and found nothing.
  for (const m of [zelda, quinn]) expect((await m.post(`/articles/${d}/sentences/2/reviewed`, { reviewed: '1' })).status).toBe(303);
  // Sentence 3: zelda tags scare quotes; quinn found nothing.
  savedTagId(await tag(zelda, d, 3, { first: 5, last: 8, category: 'scare-quotes' }));
  expect((await quinn.post(`/articles/${d}/sentences/3/reviewed`, { reviewed: '1' })).status).toBe(303);
  // Sentence 4: quinn tags "demands" and "stop admitting"; zelda never looked.
  savedTagId(await tag(quinn, d, 4, { first: 18, last: 18, category: 'loaded-language', intensity: '3' }));
  savedTagId(await tag(quinn, d, 4, { first: 20, last: 21, category: 'euphemism-dysphemism', voice: 'paraphrase' }));
}, 60_000);
afterAll(async () => {
  await w.t.cleanup();
});

const exportUrl = (format: string, query = '', projectId = w.projectId) => `/projects/${projectId}/export/${format}${query}`;

async function download(a: Agent, path: string, type: RegExp): Promise<string> {
  const { res, bytes } = await bodyOf(a, path);
  expect(res.status, bytes.toString('utf8').slice(0, 300)).toBe(200);
  expect(res.headers['content-type']).toMatch(type);
  expect(res.headers['content-disposition']).toMatch(/^attachment; filename=/);
  return bytes.toString('utf8');
}

/** A downloaded .zip as file name → text, without its README.txt (checked on its own). */
async function zip(a: Agent, path: string): Promise<Record<string, string>> {
  const { README: readme, ...files } = await zipWithReadme(a, path);
  expect(readme).toMatch(/^Framelens export of the project/);
  return files;
}

async function zipWithReadme(a: Agent, path: string): Promise<Record<string, string> & { README: string }> {
  const { res, bytes } = await bodyOf(a, path);
  expect(res.status, bytes.toString('utf8').slice(0, 300)).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/zip/);
  expect(res.headers['content-disposition']).toMatch(/\.zip"?$/);
  const { 'README.txt': readme, ...files } = unzipSync(new Uint8Array(bytes));
  if (!readme) throw new Error(`no README.txt in ${path}`);
  return { ...Object.fromEntries(Object.entries(files).map(([name, data]) => [name, strFromU8(data)])), README: strFromU8(readme) };
}

type CsvRow = Record<string, string>;
const csvRows = (text: string) => parse(text, { columns: true }) as CsvRow[];
const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const FIELDS = ['project', 'article', 'article_title', 'sentence', 'start', 'end', 'start_cp', 'end_cp', 'text', 'category', 'voice', 'intensity', 'note', 'annotator', 'created', 'updated', 'origin', 'suggester', 'suggestion_score', 'adjusted'];
// In CSV the gold layer's provenance columns close every row (empty on annotators' rows).
const COLUMNS = [...FIELDS, 'agreed_by', 'auto', 'curator', 'contested', 'competing_categories'];

function demoText(): string {
  return w.t.store.article(w.demoArticleId)?.text ?? '';
}

describe('the export page', () => {
  it('offers every download, anonymised variants and the import form', async () => {
    const html = expectPage(await w.researcher.get(`/projects/${w.projectId}/export`));
    for (const f of ['csv', 'jsonl', 'reliability', 'brat', 'conll', 'codebook']) expect(html).toContain(`href="${exportUrl(f)}"`);
    for (const f of ['csv', 'jsonl', 'reliability', 'brat', 'conll']) expect(html).toContain(`href="${exportUrl(f, '?anonymise=1')}"`);
    expect(html).toMatch(new RegExp(`<form method="post" action="/projects/${w.projectId}/import" enctype="multipart/form-data"`));
    expect(csrfOf(html)).toBeTruthy();
  });

  it('states the unit of every format’s offsets, the line-end rule and the CSV formula guard', async () => {
    const text = textOf(expectPage(await w.researcher.get(`/projects/${w.projectId}/export`)));
    expect(text).toContain('start/end count UTF-16 code units');
    expect(text).toContain('start_cp/end_cp count code points');
    expect(text).toContain('brat .ann files have code points');
    expect(text).toContain('CRLF or CR becomes LF');
    expect(text).toContain('a text cell that starts with =, +, -, @, a tab or a carriage return gets a leading \'');
  });

  it('is for researchers: an annotator gets 403, an outsider 404', async () => {
    expectError(await zelda.get(`/projects/${w.projectId}/export`), 403, 'researchers');
    for (const f of ['csv', 'jsonl', 'reliability', 'brat', 'conll', 'codebook']) expect((await quinn.get(exportUrl(f))).status).toBe(403);
    await addUser(w.t, 'outsider', 'researcher');
    const outsider = await signIn(w.t.app, 'outsider');
    expect((await outsider.get(`/projects/${w.projectId}/export`)).status).toBe(404);
    expect((await outsider.get(exportUrl('csv'))).status).toBe(404);
  });

  it('an unknown format is 404', async () => {
    expectError(await w.researcher.get(exportUrl('xml')), 404, 'Unknown export format');
  });
});

describe('tags as CSV and JSONL', () => {
  it('CSV: one row per tag with the documented columns', async () => {
    const text = await download(w.researcher, exportUrl('csv'), /^text\/csv/);
    expect(text.split('\n')[0]).toBe(COLUMNS.join(','));
    const rows = csvRows(text);
    expect(rows).toHaveLength(5);
    for (const r of rows) {
      expect(Object.keys(r)).toEqual(COLUMNS);
      expect(r.project).toBe('Demo: NATO–Russia talks');
      expect(r.article).toBe(w.demoArticleId);
      expect(demoText().slice(Number(r.start), Number(r.end))).toBe(r.text);
      expect(r.created).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(r.updated).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
    const z = rows.filter((r) => r.annotator === 'zelda');
    expect(z.map((r) => [r.sentence, r.text, r.category])).toEqual([
      ['1', 'Western alliance', 'loaded-label'],
      ['3', "will make every effort", 'scare-quotes'],
    ]);
    expect(z[0]).toMatchObject({ voice: 'quoted', intensity: '2', note: NOTE });
    const q = rows.filter((r) => r.annotator === 'quinn');
    expect(q.map((r) => [r.sentence, r.text, r.category, r.voice, r.intensity])).toEqual([
      ['1', 'Western alliance', 'loaded-label', 'author', ''],
      ['4', 'demands', 'loaded-language', 'author', '3'],
      ['4', 'stop admitting', 'euphemism-dysphemism', 'paraphrase', ''],
    ]);
  });

  it('JSONL: the same records, plus the sentences reviewed without tags', async () => {
    const text = await download(w.researcher, exportUrl('jsonl'), /^application\/x-ndjson/);
    const lines = jsonLines(text);
    const tags = lines.filter((l) => 'category' in l);
    const quiet = lines.filter((l) => !('category' in l));
    expect(tags).toHaveLength(5);
    for (const t of tags) expect(Object.keys(t)).toEqual(FIELDS);
    const csv = csvRows(await download(w.researcher, exportUrl('csv'), /^text\/csv/));
    expect(tags.map((t) => `${String(t.annotator)}/${String(t.sentence)}/${String(t.text)}/${String(t.intensity)}/${String(t.note)}`)).toEqual(
      csv.map((r) => `${r.annotator}/${r.sentence}/${r.text}/${r.intensity === '' ? 'null' : r.intensity}/${r.note}`),
    );
    expect(quiet.map((l) => [l.annotator, l.sentence, l.reviewed]).sort()).toEqual([
      ['quinn', 2, true],
      ['quinn', 3, true],
      ['zelda', 2, true],
    ]);
    expect(Object.keys(quiet[0] ?? {})).toEqual(['project', 'article', 'article_title', 'sentence', 'annotator', 'reviewed']);
  });
});

describe('anonymised exports', () => {
  const PSEUDONYM = /annotator-[0-9a-f]{8}/g;

  it('replace names with stable pseudonyms everywhere, and no real name is left', async () => {
    const seen = new Map<string, Set<string>>();
    for (const format of ['csv', 'jsonl'] as const) {
      const first = await download(w.researcher, exportUrl(format, '?anonymise=1'), format === 'csv' ? /^text\/csv/ : /ndjson/);
      const again = await download(w.researcher, exportUrl(format, '?anonymise=1'), /./);
      expect(again).toBe(first);
      expect(first).not.toMatch(/zelda|quinn/i);
      seen.set(format, new Set(first.match(PSEUDONYM)));
    }
    for (const format of ['reliability', 'brat', 'conll'] as const) {
      const files = await zip(w.researcher, exportUrl(format, '?anonymise=1'));
      const all = Object.entries(files).map(([name, text]) => `${name}\n${text}`).join('\n');
      expect(all).not.toMatch(/zelda|quinn/i);
      expect(await zip(w.researcher, exportUrl(format, '?anonymise=1'))).toEqual(files);
      seen.set(format, new Set(all.match(PSEUDONYM)));
    }
    // Two annotators, two pseudonyms, the same in every format.
    const csv = [...(seen.get('csv') ?? [])].sort();
    expect(csv).toHaveLength(2);
    for (const set of seen.values()) expect([...set].sort()).toEqual(csv);
    // zelda's pseudonym is on zelda's rows.
    const rows = csvRows(await download(w.researcher, exportUrl('csv', '?anonymise=1'), /^text\/csv/));
    const named = csvRows(await download(w.researcher, exportUrl('csv'), /^text\/csv/));
    const zeldas = new Set(rows.filter((_, i) => named[i]?.annotator === 'zelda').map((r) => r.annotator));
    expect(zeldas.size).toBe(1);
  });
});

describe('reliability matrices', () => {
  it('one CSV per category: annotators as columns, sentences as rows, 1 / 0 / empty', async () => {
    const files = await zip(w.researcher, exportUrl('reliability'));
    const codebook = w.t.store.codebook('framing');
    if (!codebook) throw new Error('no framing codebook');
    expect(Object.keys(files).sort()).toEqual(categories(codebook).map((c) => `reliability-${c.id}.csv`).sort());
    const matrix = (category: string) => {
      const rows = parse(files[`reliability-${category}.csv`] ?? '', { relaxColumnCount: false }) as string[][];
      const [header, ...units] = rows;
      return { header: header ?? [], units };
    };
    const loaded = matrix('loaded-label');
    expect([...loaded.header].sort()).toEqual(['quinn', 'zelda']);
    // The demo article's 13 sentences, then those of the demo story's two counterparts (nobody annotated them).
    const counterparts = w.t.store.articles(w.projectId).filter((a) => a.id !== w.demoArticleId).reduce((n, a) => n + a.sentences.length, 0);
    expect(loaded.units).toHaveLength(13 + counterparts);
    const z = loaded.header.indexOf('zelda');
    const q = loaded.header.indexOf('quinn');
    const pick = (category: string, unit: number) => {
      const m = matrix(category);
      const row = m.units[unit] ?? [];
      return [row[z], row[q]];
    };
    expect(pick('loaded-label', 0)).toEqual(['1', '1']);
    expect(pick('loaded-label', 1)).toEqual(['0', '0']); // found nothing
    expect(pick('scare-quotes', 2)).toEqual(['1', '0']);
    expect(pick('loaded-language', 3)).toEqual(['', '1']); // zelda never looked
    expect(pick('loaded-language', 4)).toEqual(['', '']);
  });

  it('reproduce the agreement page’s α', async () => {
    const files = await zip(w.researcher, exportUrl('reliability'));
    const report = (await w.researcher.get(`/projects/${w.projectId}/agreement.json`)).body as { rows: ReportRow[] };
    for (const category of ['loaded-label', 'scare-quotes', 'loaded-language']) {
      const [header, ...units] = parse(files[`reliability-${category}.csv`] ?? '') as string[][];
      const alpha = krippendorffAlpha({ coders: header ?? [], units: units.map((u) => u.map((v) => (v === '' ? null : Number(v)))) });
      const row = report.rows.find((r) => r.category === category && r.level === 'sentence' && r.statistic === 'krippendorff_alpha');
      expect(row?.value ?? null).toBe(alpha.value);
    }
  });
});

describe('brat and CoNLL', () => {
  it('brat: annotation.conf, and a .txt and an .ann per article and annotator', async () => {
    const files = await zip(w.researcher, exportUrl('brat'));
    const conf = files['brat/annotation.conf'] ?? '';
    expect(conf).toContain('[entities]\nhedge\npresupposed-fact\n');
    expect(conf).toContain('Voice Arg:<ENTITY>, Value:author|quoted|paraphrase');
    const dir = `brat/Russian-and-NATO-officials-hold-talks-in-Brussels-${w.demoArticleId}`;
    expect(Object.keys(files).sort()).toEqual(['brat/annotation.conf', `${dir}/quinn.ann`, `${dir}/quinn.txt`, `${dir}/zelda.ann`, `${dir}/zelda.txt`].sort());
    expect(files[`${dir}/zelda.txt`]).toBe(demoText());
    const ann = (files[`${dir}/zelda.ann`] ?? '').trimEnd().split('\n');
    expect(ann).toEqual([
      expect.stringMatching(/^T1\tloaded-label \d+ \d+\tWestern alliance$/),
      'A1\tVoice T1 quoted',
      'A2\tIntensity T1 2',
      '#1\tAnnotatorNotes T1\todd note across lines, "quoted"',
      expect.stringMatching(/^T2\tscare-quotes \d+ \d+\twill make every effort$/),
      'A3\tVoice T2 author',
    ]);
    const txt = files[`${dir}/quinn.txt`] ?? '';
    for (const line of (files[`${dir}/quinn.ann`] ?? '').split('\n').filter((l) => l.startsWith('T'))) {
      const [, offsets, text] = line.split('\t');
      const [, start, end] = (offsets ?? '').split(' ');
      expect(txt.slice(Number(start), Number(end))).toBe(text);
    }
  });

  it('CoNLL: a file per article and annotator, a BIO column per category', async () => {
    const files = await zip(w.researcher, exportUrl('conll'));
    const names = Object.keys(files).sort();
    expect(names).toHaveLength(2);
    const quinnFile = files[names.find((n) => n.endsWith('/quinn.conll')) ?? ''] ?? '';
    const lines = quinnFile.split('\n');
    expect(lines[0]).toBe(`# article = ${w.demoArticleId}`);
    expect(lines[2]?.split(' ').slice(0, 7)).toEqual(['#', 'columns', '=', 'token', 'start', 'end', 'start_cp']);
    const columns = (lines[2] ?? '').replace('# columns = ', '').split(' ');
    expect(columns).toHaveLength(5 + 12);
    const blocks = quinnFile.trimEnd().split('\n\n');
    expect(blocks).toHaveLength(13);
    const col = columns.indexOf('euphemism-dysphemism');
    const s4 = (blocks[3] ?? '').split('\n').filter((l) => !(l.startsWith('#') && !l.includes('\t'))).map((l) => l.split('\t'));
    expect(s4.filter((r) => r[col] !== 'O').map((r) => [r[0], r[col]])).toEqual([
      ['stop', 'B-euphemism-dysphemism'],
      ['admitting', 'I-euphemism-dysphemism'],
    ]);
    for (const r of s4) expect(r).toHaveLength(17);
    // quinn tagged sentences 1 and 4, reviewed 2 and 3 without tags, never looked at 5.
    expect(blocks.map((b) => /# reviewed = (\S+)/.exec(b)?.[1]).slice(0, 5)).toEqual(['yes', 'nothing-here', 'nothing-here', 'yes', 'no']);
  });
});

describe('what each format’s readers see (an article with emoji, guarded CSV cells)', () => {
  const TEXT = [
    '=Breaking 🚨: the regime 😀 allegedly crushed the “peaceful” protest.',
    'Officials called it “purely defensive” 👍🏽 in a statement.',
    '-30 degrees hit the city, and the reform is a disaster.',
  ].join('\n');
  let v: World;
  let article = '';
  let pia: Member;
  beforeAll(async () => {
    v = await world();
    pia = await addAnnotator(v, 'pia');
    article = await importArticle(v.researcher, v.projectId, { title: '+Emoji & co', text: TEXT });
    savedTagId(await tag(pia, article, 1, { first: 3, last: 4, category: 'hedge', note: '=1+1 "odd"' }));
    savedTagId(await tag(pia, article, 1, { first: 6, last: 6, category: 'scare-quotes' }));
    savedTagId(await tag(pia, article, 2, { first: 3, last: 4, category: 'scare-quotes', note: '@mention' }));
    savedTagId(await tag(pia, article, 3, { first: 0, last: 1, category: 'loaded-language' }));
  }, 60_000);
  afterAll(async () => {
    await v.t.cleanup();
  });

  const pySlice = (text: string, start: number, end: number) => Array.from(text).slice(start, end).join('');
  /** What pandas users undo: the apostrophe put before = + - @, tab or CR. */
  const unguard = (cell: string) => cell.replace(/^'(?=[=+\-@\t\r])/, '');

  it('brat: the .txt is the stored text byte for byte, and every T line slices it by code points', { timeout: 30_000 }, async () => {
    const files = await zip(v.researcher, exportUrl('brat', '', v.projectId));
    const txt = Object.entries(files).find(([n]) => n.endsWith('/pia.txt'))?.[1] ?? '';
    expect(Buffer.from(txt, 'utf8').equals(Buffer.from(v.t.store.article(article)?.text ?? '', 'utf8'))).toBe(true);
    const ann = Object.entries(files).find(([n]) => n.endsWith('/pia.ann'))?.[1] ?? '';
    const tLines = ann.split('\n').filter((l) => l.startsWith('T'));
    expect(tLines).toHaveLength(4);
    for (const line of tLines) {
      const [, head, text] = line.split('\t');
      const [, start, end] = (head ?? '').split(' ');
      expect(pySlice(txt, Number(start), Number(end)), line).toBe(text);
    }
  });

  it('CSV read as pandas reads it: guarded cells lose their apostrophe, start_cp/end_cp slice the text by code points', { timeout: 30_000 }, async () => {
    const raw = await download(v.researcher, exportUrl('csv', '', v.projectId), /^text\/csv/);
    const rows = csvRows(raw).map((r) => Object.fromEntries(Object.entries(r).map(([k, c]) => [k, unguard(c)])));
    expect(rows).toHaveLength(4);
    for (const r of rows) {
      expect(pySlice(TEXT, Number(r.start_cp), Number(r.end_cp))).toBe(r.text);
      expect(TEXT.slice(Number(r.start), Number(r.end))).toBe(r.text);
      expect(r.article_title).toBe('+Emoji & co');
    }
    expect(rows.map((r) => r.text)).toEqual(['allegedly crushed', 'peaceful', 'purely defensive', '30 degrees']);
    expect(rows.map((r) => r.note)).toEqual(['=1+1 "odd"', '', '@mention', '']);
    // The guard is there in the file.
    expect(raw).toContain(`,'+Emoji & co,`);
    expect(raw).toContain(`,"'=1+1 ""odd""",`);
  });

  it('JSONL: start_cp/end_cp slice by code points; no guard', async () => {
    const lines = jsonLines(await download(v.researcher, exportUrl('jsonl', '', v.projectId), /ndjson/)).filter((l) => 'category' in l);
    for (const l of lines) expect(pySlice(TEXT, Number(l.start_cp), Number(l.end_cp))).toBe(l.text);
    expect(lines.map((l) => l.note)).toContain('=1+1 "odd"');
  });

  it.skipIf(!hasPython)('python3 reads the brat files and the CSV as a researcher’s script would', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'framelens-python-'));
    try {
      const files = await zip(v.researcher, exportUrl('brat', '', v.projectId));
      for (const [name, content] of Object.entries(files)) {
        await mkdir(join(dir, dirname(name)), { recursive: true });
        await writeFile(join(dir, name), content);
      }
      await writeFile(join(dir, 'tags.csv'), await download(v.researcher, exportUrl('csv', '', v.projectId), /^text\/csv/));
      const script = [
        'import csv, glob, os, re, sys',
        'd = sys.argv[1]',
        'checked = 0',
        'for ann in glob.glob(os.path.join(d, "brat", "*", "*.ann")):',
        '    text = open(ann[:-4] + ".txt", encoding="utf-8", newline="").read()',
        '    for line in open(ann, encoding="utf-8"):',
        '        if line.startswith("T"):',
        '            tid, head, span = line.rstrip("\\n").split("\\t")',
        '            kind, start, end = head.split(" ")',
        '            assert text[int(start):int(end)] == span, (line, text[int(start):int(end)])',
        '            checked += 1',
        '    for row in csv.DictReader(open(os.path.join(d, "tags.csv"), encoding="utf-8", newline="")):',
        '        cell = re.sub(r"^\'(?=[=+\\-@\\t\\r])", "", row["text"])',
        '        assert text[int(row["start_cp"]):int(row["end_cp"])] == cell, (row, cell)',
        '        checked += 1',
        'print(checked)',
      ].join('\n');
      const { stdout } = await execFileAsync('python3', ['-c', script, dir], { timeout: 50_000 });
      expect(stdout.trim()).toBe('8');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('README.txt in every archive states the unit of every offset, the line-end rule and the CSV guard', { timeout: 30_000 }, async () => {
    for (const format of ['reliability', 'brat', 'conll']) {
      const { README } = await zipWithReadme(v.researcher, exportUrl(format, '', v.projectId));
      expect(README).toContain('start and end in UTF-16 code units');
      expect(README).toContain('start_cp and end_cp in code points');
      expect(README).toContain('brat .ann files: code points');
      expect(README).toContain('CRLF or a lone CR becomes LF');
      expect(README).toContain("gets a leading apostrophe (')");
    }
  });
});

describe('the codebook', () => {
  it('is the project’s codebook as JSON that can be uploaded again', async () => {
    const text = await download(w.researcher, exportUrl('codebook'), /^application\/json/);
    const { res } = await bodyOf(w.researcher, exportUrl('codebook'));
    expect(res.headers['content-disposition']).toMatch(/codebook-framing\.json"?$/);
    const codebook = parseCodebook(JSON.parse(text));
    expect(codebook.id).toBe('framing');
    expect(categories(codebook)).toHaveLength(12);
    expect(codebook).toEqual(w.t.store.codebook('framing'));
  });
});

describe('JSONL import', () => {
  const importUrl = () => `/projects/${w.projectId}/import`;
  const upload = (a: Agent, content: string) => multipart(a, importUrl(), {}, { name: 'tags.jsonl', content });

  /** A valid tag line for the demo article, changed by `patch`. */
  async function line(patch: Record<string, unknown> = {}): Promise<string> {
    const [first] = jsonLines(await download(w.researcher, exportUrl('jsonl'), /ndjson/));
    return JSON.stringify({ ...first, annotator: 'newcomer', ...patch });
  }

  it('refuses a line that is not JSON, naming the line, and stores nothing', async () => {
    const good = await line();
    const res = await refused(w.t, () => upload(w.researcher, `${good}\n{"article": oops\n`));
    expect(res.status).toBe(400);
    expectError(res, 400, 'line 2: not JSON');
    expect(textOf(res.text)).toContain('Nothing was imported');
  });

  it('refuses a span whose text does not match the article', async () => {
    const content = `${await line()}\n\n${await line({ text: 'Eastern alliance' })}\n`;
    const res = await refused(w.t, () => upload(w.researcher, content));
    expectError(res, 400, 'line 3: the span text does not match the article');
  });

  it('refuses a category that is not in the project’s codebook', async () => {
    const content = await line({ category: 'no-such-category' });
    const res = await refused(w.t, () => upload(w.researcher, content));
    expectError(res, 400, 'line 1: category "no-such-category" is not in the project');
  });

  it('refuses an empty span, a span outside its sentence, a bad field and an invalid new name', async () => {
    const [first] = jsonLines(await download(w.researcher, exportUrl('jsonl'), /ndjson/));
    const start = Number(first?.start);
    const cases: [string, string][] = [
      [await line({ end: start, text: '' }), 'start < end'],
      [await line({ sentence: 2 }), 'not inside sentence 2'],
      [await line({ voice: 'shouted' }), 'line 1: voice'],
      [await line({ annotator: '<script>' }), 'not a valid account name'],
      [await line({ article: 'nope', article_title: 'No such article' }), 'no article "No such article"'],
      [JSON.stringify({ article: w.demoArticleId, article_title: 'x', sentence: 99, annotator: 'newcomer', reviewed: true }), 'no sentence 99'],
    ];
    for (const [content, message] of cases) {
      const res = await refused(w.t, () => upload(w.researcher, content));
      expectError(res, 400, message);
    }
  });

  it('without a file is 400', async () => {
    const res = await refused(w.t, () => multipart(w.researcher, importUrl(), {}));
    expectError(res, 400, 'Choose a .jsonl file');
  });

  it('is for researchers (annotator 403, outsider 404) and needs the CSRF token (403)', async () => {
    const content = await line();
    expect((await refused(w.t, () => upload(zelda, content))).status).toBe(403);
    const outsider = await signIn(w.t.app, 'outsider');
    expect((await refused(w.t, () => upload(outsider, content))).status).toBe(404);
    const noToken = await refused(w.t, () => w.researcher.agent.post(importUrl()).attach('file', Buffer.from(content), 'tags.jsonl'));
    expect(noToken.status).toBe(403);
    const wrongToken = await refused(w.t, () =>
      w.researcher.agent.post(importUrl()).field('_csrf', 'forged').attach('file', Buffer.from(content), 'tags.jsonl'),
    );
    expect(wrongToken.status).toBe(403);
  });
});

describe('an export → import round trip loses nothing', () => {
  it('in the same project: clear the annotators’ work, import, and every export is as before', { timeout: 60_000 }, async () => {
    const before = {
      jsonl: await download(w.researcher, exportUrl('jsonl'), /ndjson/),
      csv: await download(w.researcher, exportUrl('csv'), /^text\/csv/),
      reliability: await zip(w.researcher, exportUrl('reliability')),
      brat: await zip(w.researcher, exportUrl('brat')),
      agreement: (await w.researcher.get(`/projects/${w.projectId}/agreement.json`)).body as unknown,
    };
    for (const m of [zelda, quinn]) {
      await w.t.store.updateAnnotation(w.demoArticleId, m.id, (a) => {
        a.tags = [];
        a.reviewed = [];
      });
    }
    expect(csvRows(await download(w.researcher, exportUrl('csv'), /^text\/csv/))).toEqual([]);

    const res = await multipart(w.researcher, `/projects/${w.projectId}/import`, {}, { name: 'tags.jsonl', content: before.jsonl });
    const html = expectPage(res);
    expect(textOf(html)).toContain('Imported 5 tags, marked 3 sentences reviewed without tags.');

    expect(await download(w.researcher, exportUrl('jsonl'), /ndjson/)).toBe(before.jsonl);
    expect(await download(w.researcher, exportUrl('csv'), /^text\/csv/)).toBe(before.csv);
    expect(await zip(w.researcher, exportUrl('reliability'))).toEqual(before.reliability);
    expect(await zip(w.researcher, exportUrl('brat'))).toEqual(before.brat);
    expect((await w.researcher.get(`/projects/${w.projectId}/agreement.json`)).body).toEqual(before.agreement);

    // Importing the same file again adds nothing.
    const again = expectPage(await multipart(w.researcher, `/projects/${w.projectId}/import`, {}, { name: 'tags.jsonl', content: `\uFEFF${before.jsonl}` }));
    expect(textOf(again)).toContain('Imported 0 tags, skipped 5 already present.');
    expect(await download(w.researcher, exportUrl('jsonl'), /ndjson/)).toBe(before.jsonl);
  });

  it('into a fresh instance with the same article: new annotator accounts, the same records', { timeout: 60_000 }, async () => {
    const jsonl = await download(w.researcher, exportUrl('jsonl'), /ndjson/);
    const fresh = await world();
    try {
      const res = await multipart(fresh.researcher, `/projects/${fresh.projectId}/import`, {}, { name: 'tags.jsonl', content: jsonl });
      const text = textOf(expectPage(res));
      expect(text).toContain('Imported 5 tags');
      expect(text).toMatch(/New annotator accounts \(they need a password link\): (quinn, zelda|zelda, quinn)\./);
      const names = new Set(fresh.t.store.users.data.data.users.map((u) => u.name));
      expect(names).toEqual(new Set(['rita', 'zelda', 'quinn']));
      const project = fresh.t.store.projects.data.data.projects.find((p) => p.id === fresh.projectId);
      expect(project?.members.filter((m) => m.role === 'annotator')).toHaveLength(2);
      const again = await download(fresh.researcher, exportUrl('jsonl', '', fresh.projectId), /ndjson/);
      // Articles are matched by title: only the article id differs — and the order of the
      // annotators, which follows their (new) account ids.
      const strip = (text: string) =>
        jsonLines(text)
          .map(({ article: _article, ...rest }) => JSON.stringify(rest))
          .sort();
      expect(strip(again)).toEqual(strip(jsonl));
      expect(jsonLines(again).every((l) => l.article === fresh.demoArticleId)).toBe(true);
    } finally {
      await fresh.t.cleanup();
    }
  });
});

describe('file names in archives', () => {
  it('never collide, whatever the annotators’ names (other scripts, names alike once made safe)', { timeout: 60_000 }, async () => {
    const v = await world();
    try {
      const names = ['Анна', 'Борис', 'anna b', 'anna.b'];
      for (const name of names) {
        const m = await addAnnotator(v, name);
        savedTagId(await tag(m, v.demoArticleId, 1, { first: 0, last: 1, category: 'hedge' }));
      }
      const brat = await zip(v.researcher, exportUrl('brat', '', v.projectId));
      const anns = Object.keys(brat).filter((n) => n.endsWith('.ann'));
      expect(anns).toHaveLength(4);
      expect(anns.some((n) => n.endsWith('/Анна.ann'))).toBe(true);
      expect(new Set(anns.map((n) => n.toLowerCase())).size).toBe(4);
      const conll = await zip(v.researcher, exportUrl('conll', '', v.projectId));
      expect(Object.keys(conll)).toHaveLength(4);
      const reliability = await zip(v.researcher, exportUrl('reliability', '', v.projectId));
      expect((reliability['reliability-hedge.csv'] ?? '').split('\n')[0]?.split(',').sort()).toEqual([...names].sort());
    } finally {
      await v.t.cleanup();
    }
  });
});

describe('a large project', () => {
  it('streams 20,000 tags completely', { timeout: 120_000 }, async () => {
    const big = await world();
    try {
      const a = await addAnnotator(big, 'alpha');
      const b = await addAnnotator(big, 'beta');
      const article = big.t.store.article(big.demoArticleId);
      const codebook = big.t.store.codebook('framing');
      if (!article || !codebook) throw new Error('no demo article');
      const cats = categories(codebook).map((c) => c.id);
      const now = new Date().toISOString();
      const make = (annotatorId: string, count: number): Tag[] => {
        const out: Tag[] = [];
        for (let s = 0; s < article.sentences.length && out.length < count; s++) {
          const ws = words(article.text, article.sentences[s] ?? { start: 0, end: 0 });
          for (let i = 0; i < ws.length && out.length < count; i++) {
            for (let j = i; j < ws.length && out.length < count; j++) {
              for (const category of cats) {
                if (out.length >= count) break;
                out.push({
                  id: `g${annotatorId.slice(0, 6)}${out.length}`, articleId: article.id, annotatorId, sentence: s,
                  start: ws[i]?.start ?? 0, end: ws[j]?.end ?? 0, category, voice: 'author', intensity: null, note: '', createdAt: now, updatedAt: now,
                });
              }
            }
          }
        }
        return out;
      };
      for (const m of [a, b]) {
        const tags = make(m.id, 10_000);
        expect(tags).toHaveLength(10_000);
        await big.t.store.updateAnnotation(article.id, m.id, (x) => {
          x.tags = tags;
          x.reviewed = [...new Set(tags.map((t) => t.sentence))];
        });
      }
      const csv = csvRows(await download(big.researcher, exportUrl('csv', '', big.projectId), /^text\/csv/));
      expect(csv).toHaveLength(20_000);
      expect(csv.at(-1)?.annotator).toBe([['alpha', a.id], ['beta', b.id]].sort((x, y) => (x[1] ?? '').localeCompare(y[1] ?? ''))[1]?.[0]);
      const jsonl = jsonLines(await download(big.researcher, exportUrl('jsonl', '', big.projectId), /ndjson/));
      expect(jsonl).toHaveLength(20_000);
      const brat = await zip(big.researcher, exportUrl('brat', '', big.projectId));
      const anns = Object.entries(brat).filter(([name]) => name.endsWith('.ann'));
      expect(anns).toHaveLength(2);
      expect(anns.reduce((n, [, text]) => n + text.split('\n').filter((l) => l.startsWith('T')).length, 0)).toBe(20_000);
    } finally {
      await big.t.cleanup();
    }
  });
});
