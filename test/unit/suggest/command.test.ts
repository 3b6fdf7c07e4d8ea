// `framelens suggest PROJECT [--articles ID,ID,…] [--suggesters rules,learned] [--train-only]`
// on a data folder made for the test: the JSON lines' exact format, a planted cue learned from
// the project's tags and suggested in a new article, the stored model, and the errors.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suggestCommand } from '../../../server/commands/suggest.js';
import { openData } from '../../../server/commands/serve.js';
import { segment } from '../../../server/core/segmentation.js';
import { addTag } from '../../../server/core/spans.js';
import type { Article, Tag } from '../../../server/core/model.js';
import { modelPath } from '../../../server/storage/models.js';
import { newId } from '../../../server/storage/store.js';
import { ROOT } from '../../../server/paths.js';
import { capturedIo } from '../../helpers/io.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let dir = '';
let projectId = '';
let emptyProjectId = '';
const articles: Article[] = [];
let fresh: Article;
let neutral: Article;
/** The demo article (the project had it before the test's own). */
const allArticles: Article[] = [];
const saved = process.env.DATA_DIR;

async function run(args: string[]): Promise<Run> {
  const io = capturedIo();
  process.env.DATA_DIR = dir;
  try {
    const code = await suggestCommand(args, io);
    await new Promise((r) => setImmediate(r));
    return { code, stdout: io.out(), stderr: io.err() };
  } finally {
    if (saved === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = saved;
  }
}

const lines = (stdout: string): Record<string, unknown>[] => stdout.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'framelens-suggest-'));
  const store = await openData(dir);
  const demo = store.projects.data.data.projects[0];
  if (!demo) throw new Error('no demo project');
  projectId = demo.id;
  const now = new Date().toISOString();
  const make = async (text: string, project = projectId): Promise<Article> => {
    const article: Article = { id: newId(), projectId: project, title: 'A test article', source: '', url: '', publishedAt: '', text, sentences: segment(text), createdAt: now, createdBy: 'system' };
    await store.createArticle(article);
    return article;
  };
  // A lone annotator tags a planted cue ("glorbish") as loaded language in ten articles.
  for (let i = 0; i < 10; i++) {
    const article = await make(`The council called the budget glorbish on day ${i + 1}. The board discussed the census on day ${i + 1}. The mayor called the tariff glorbish again.`);
    articles.push(article);
    await store.updateAnnotation(article.id, 'annotator1', (annotation) => {
      for (const m of article.text.matchAll(/glorbish/g)) {
        const sentence = article.sentences.findIndex((s) => s.start <= m.index && m.index < s.end);
        const tag: Tag = { id: newId(), articleId: article.id, annotatorId: 'annotator1', sentence, start: m.index, end: m.index + 8, category: 'loaded-language', voice: 'author', intensity: null, note: '', createdAt: now, updatedAt: now };
        addTag(annotation, tag);
      }
    });
  }
  allArticles.push(...store.articles(projectId).filter((a) => !articles.includes(a)));
  fresh = await make('The union called the timetable glorbish on Friday. Officials allegedly hid the report.');
  neutral = await make('The meeting lasted three hours.');
  await store.projects.update((file) => {
    emptyProjectId = newId();
    file.data.projects.push({ ...demo, id: emptyProjectId, name: 'Empty project', members: [] });
  });
  await store.close();
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('framelens suggest', () => {
  it('trains first when there is no model, stores it, and prints every suggestion as a JSON line in the exact format', async () => {
    expect(existsSync(modelPath(dir, projectId))).toBe(false);
    const result = await run([projectId]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(existsSync(modelPath(dir, projectId))).toBe(true);
    const out = lines(result.stdout);
    expect(out.length).toBeGreaterThan(0);
    const byId = new Map([...allArticles, ...articles, fresh, neutral].map((a) => [a.id, a]));
    for (const line of out) {
      expect(Object.keys(line)).toEqual(['article', 'sentence', 'start', 'end', 'text', 'category', 'score', 'suggester']);
      const article = byId.get(String(line.article));
      if (!article) throw new Error(`unknown article ${String(line.article)}`);
      const { sentence, start, end, score } = line;
      if (typeof sentence !== 'number' || typeof start !== 'number' || typeof end !== 'number' || typeof score !== 'number') throw new Error('not numbers');
      const range = article.sentences[sentence];
      expect(range).toBeDefined();
      expect(start).toBeGreaterThanOrEqual(range?.start ?? Infinity);
      expect(end).toBeLessThanOrEqual(range?.end ?? -1);
      expect(end).toBeGreaterThan(start);
      expect(line.text).toBe(article.text.slice(start, end));
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
      expect(['rules', 'learned']).toContain(line.suggester);
    }
  }, 120_000);

  it('suggests the learned cue in a new article, beside the rules', async () => {
    const result = await run([projectId, '--articles', fresh.id]);
    expect(result.code).toBe(0);
    const out = lines(result.stdout);
    expect(out.every((l) => l.article === fresh.id)).toBe(true);
    expect(out.map((l) => [l.text, l.category, l.suggester])).toEqual(
      expect.arrayContaining([
        ['glorbish', 'loaded-language', 'learned'],
        ['allegedly', 'hedge', 'rules'],
      ]),
    );
    const rulesOnly = lines((await run([projectId, '--articles', fresh.id, '--suggesters', 'rules'])).stdout);
    expect(rulesOnly.every((l) => l.suggester === 'rules')).toBe(true);
    expect(rulesOnly.some((l) => l.text === 'glorbish')).toBe(false);
  }, 120_000);

  it('exits 0 with no output when there is nothing to suggest', async () => {
    const result = await run([projectId, '--articles', neutral.id, '--suggesters', 'rules']);
    expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('--train-only trains and stores the model, replacing the last one', async () => {
    const before = await readFile(modelPath(dir, projectId), 'utf8');
    const result = await run([projectId, '--train-only']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Trained the learned suggester of "Demo: NATO–Russia talks" on 10 articles \(20 sentences, 20 spans\) in [\d.]+ s; stored .*models\/.*\.json\n$/);
    const after = JSON.parse(await readFile(modelPath(dir, projectId), 'utf8')) as { trainedAt: string };
    expect(after.trainedAt).not.toBe((JSON.parse(before) as { trainedAt: string }).trainedAt);
  }, 120_000);

  it('says what is wrong: usage, unknown suggester, project or article, nothing to learn from', async () => {
    expect((await run([])).code).toBe(2);
    const badSuggester = await run([projectId, '--suggesters', 'rules,oracle']);
    expect(badSuggester.code).toBe(2);
    expect(badSuggester.stderr).toContain('unknown suggester oracle');
    const noProject = await run(['nope']);
    expect(noProject.code).toBe(1);
    expect(noProject.stderr).toContain('no project "nope"');
    const noArticle = await run([projectId, '--articles', `${fresh.id},missing`]);
    expect(noArticle.code).toBe(1);
    expect(noArticle.stderr).toContain('no article "missing"');
    const empty = await run([emptyProjectId, '--train-only']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('no accepted tags');
    expect((await run([emptyProjectId])).code).toBe(0);
  }, 120_000);

  it('is a subcommand of the framelens command', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server/cli.ts'), 'suggest', projectId, '--articles', fresh.id, '--suggesters', 'rules'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    expect(lines(stdout).map((l) => l.text)).toContain('allegedly');
  }, 120_000);
});
