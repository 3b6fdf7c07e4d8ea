// `framelens export PROJECT --format F --out DIR [--anonymise]`: the web downloads as files.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCommand } from '../../../server/commands/export.js';
import { parseCodebook } from '../../../server/core/codebook.js';
import { addAnnotator, savedTagId, tag, world, type World } from '../../helpers/forms.js';
import { capturedIo } from '../../helpers/io.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let w: World;
let out = '';
const saved = process.env.DATA_DIR;

async function run(args: string[]): Promise<Run> {
  const io = capturedIo();
  process.env.DATA_DIR = w.t.dataDir;
  try {
    const code = await exportCommand(args, io);
    await new Promise((r) => setImmediate(r));
    return { code, stdout: io.out(), stderr: io.err() };
  } finally {
    if (saved === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = saved;
  }
}

async function files(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      if (entry.isDirectory()) await walk(join(d, entry.name));
      else found.push(relative(dir, join(d, entry.name)));
    }
  };
  await walk(dir);
  return found.sort();
}

beforeAll(async () => {
  w = await world();
  const anna = await addAnnotator(w, 'anna');
  const ben = await addAnnotator(w, 'ben');
  savedTagId(await tag(anna, w.demoArticleId, 1, { first: 32, last: 33, category: 'loaded-label' }));
  savedTagId(await tag(ben, w.demoArticleId, 1, { first: 32, last: 33, category: 'loaded-label' }));
  savedTagId(await tag(ben, w.demoArticleId, 3, { first: 5, last: 8, category: 'scare-quotes' }));
  expect((await anna.post(`/articles/${w.demoArticleId}/sentences/3/reviewed`, { reviewed: '1' })).status).toBe(303);
  out = await mkdtemp(join(tmpdir(), 'framelens-export-'));
}, 60_000);
afterAll(async () => {
  await w.t.cleanup();
  await rm(out, { recursive: true, force: true });
});

describe('framelens export', () => {
  it('--format all writes every export and the agreement report', async () => {
    const dir = join(out, 'all');
    const r = await run([w.projectId, '--format', 'all', '--out', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const written = await files(dir);
    expect(r.stdout).toBe(`Wrote ${written.length} files to ${dir}\n`);
    for (const name of ['README.txt', 'tags.csv', 'tags.jsonl', 'codebook-framing.json', 'agreement.csv', 'agreement.json', 'agreement.md', 'agreement.tex', 'brat/annotation.conf']) {
      expect(written).toContain(name);
    }
    expect(written.filter((f) => /^reliability-[a-z-]+\.csv$/.test(f))).toHaveLength(12);
    expect(written.filter((f) => /^brat\/[^/]+\/(anna|ben)\.(txt|ann)$/.test(f))).toHaveLength(4);
    expect(written.filter((f) => /^conll\/[^/]+\/(anna|ben)\.conll$/.test(f))).toHaveLength(2);

    const csv = parse(await readFile(join(dir, 'tags.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(csv.map((row) => `${row.annotator}:${row.sentence}:${row.category}`).sort()).toEqual(['anna:1:loaded-label', 'ben:1:loaded-label', 'ben:3:scare-quotes']);
    const jsonl = (await readFile(join(dir, 'tags.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(jsonl).toHaveLength(4); // three tags, anna's reviewed sentence 3
    expect(parseCodebook(JSON.parse(await readFile(join(dir, 'codebook-framing.json'), 'utf8'))).id).toBe('framing');
    const agreement = JSON.parse(await readFile(join(dir, 'agreement.json'), 'utf8')) as { annotators: number; rows: unknown[] };
    expect(agreement.annotators).toBe(2);
    expect(agreement.rows).toHaveLength(131);
    expect(await readFile(join(dir, 'agreement.md'), 'utf8')).toMatch(/^\| Category \| α \|/);
    expect(await readFile(join(dir, 'agreement.tex'), 'utf8')).toContain('\\begin{tabular}');
    const rel = parse(await readFile(join(dir, 'reliability-scare-quotes.csv'), 'utf8')) as string[][];
    expect([...(rel[0] ?? [])].sort()).toEqual(['anna', 'ben']);
  });

  it('the web download and the file are the same', async () => {
    const dir = join(out, 'csv');
    expect((await run([w.projectId, '--format', 'csv', '--out', dir])).code).toBe(0);
    expect(await files(dir)).toEqual(['tags.csv']);
    // A format the web sends as a .zip comes with the archive's README.txt.
    const brat = join(out, 'brat-only');
    expect((await run([w.projectId, '--format', 'brat', '--out', brat])).code).toBe(0);
    expect((await files(brat))[0]).toBe('README.txt');
    const web = await w.researcher.get(`/projects/${w.projectId}/export/csv`);
    expect(await readFile(join(dir, 'tags.csv'), 'utf8')).toBe(web.text);
  });

  it('finds the project by name too, and --anonymise leaves no real name', async () => {
    const dir = join(out, 'anon');
    const r = await run(['demo: nato–russia talks', '--format', 'jsonl', '--out', dir, '--anonymise']);
    expect(r.code).toBe(0);
    const text = await readFile(join(dir, 'tags.jsonl'), 'utf8');
    expect(text).not.toMatch(/"annotator":"(anna|ben)"/);
    expect(new Set(text.match(/annotator-[0-9a-f]{8}/g))).toHaveProperty('size', 2);
  });

  it('--format agreement writes the four report files only', async () => {
    const dir = join(out, 'agreement');
    expect((await run([w.projectId, '--format', 'agreement', '--out', dir])).code).toBe(0);
    expect(await files(dir)).toEqual(['agreement.csv', 'agreement.json', 'agreement.md', 'agreement.tex']);
  });

  it('an unknown project: exit 1 with a message naming the projects', async () => {
    const dir = join(out, 'none');
    const r = await run(['no-such-project', '--format', 'csv', '--out', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no project "no-such-project"');
    expect(r.stderr).toContain(w.projectId);
    expect(r.stdout).toBe('');
    await expect(readdir(dir)).rejects.toThrow();
  });

  it('takes a project id that starts with "-" (as 1 in 64 ids made before did), positional, after -- or as --project', { timeout: 30_000 }, async () => {
    const source = w.t.store.project(w.projectId);
    if (!source) throw new Error('no demo project');
    const id = '-Dash_id0123';
    await w.t.store.projects.update((file) => {
      file.data.projects.push({ ...structuredClone(source), id, name: 'Dashed' });
    });
    for (const [n, args] of [
      [id, '--format', 'codebook', '--out', join(out, 'dash1')],
      ['--format', 'codebook', '--out', join(out, 'dash2'), '--', id],
      ['--project', id, '--format', 'codebook', '--out', join(out, 'dash3')],
    ].entries()) {
      const r = await run(args);
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.code).toBe(0);
      expect(await files(join(out, `dash${n + 1}`))).toEqual(['codebook-framing.json']);
    }
    // An option this command does not know is still a usage error, and so is a second project.
    expect((await run([id, '--bogus', '--out', join(out, 'x')])).code).toBe(2);
    expect((await run([id, w.projectId, '--out', join(out, 'x')])).code).toBe(2);
  });

  it('new ids never start with "-"', async () => {
    const { newId } = await import('../../../server/storage/store.js');
    const ids = Array.from({ length: 20_000 }, newId);
    expect(ids.filter((x) => x.startsWith('-'))).toEqual([]);
    expect(ids.every((x) => /^[A-Za-z0-9_][A-Za-z0-9_-]{11}$/.test(x))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('bad usage: exit 2 with the usage line', async () => {
    for (const args of [
      [],
      [w.projectId],
      [w.projectId, '--format', 'csv'],
      [w.projectId, '--format', 'pdf', '--out', join(out, 'x')],
      [w.projectId, '--out', join(out, 'x'), '--bogus'],
      [w.projectId, '--out'],
    ]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain('usage: framelens export PROJECT --format');
    }
    expect(process.env.DATA_DIR).toBe(saved);
  });
});
