// `framelens gold import`: a gold JSONL export read back into a project on a data folder no
// server holds; a bad file stores nothing; the data folder's lock is taken.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goldCommand } from '../../../server/commands/gold.js';
import { goldLines } from '../../../server/core/curation/jsonl.js';
import { addSpan, markSentenceCurated } from '../../../server/core/curation/operations.js';
import { makeJsonApp, addUser, demoArticleId, demoProjectId, type JsonTestApp } from '../../helpers/app.js';
import { openData } from '../../../server/commands/serve.js';
import { capturedIo } from '../../helpers/io.js';

let t: JsonTestApp;
let exported = '';
const saved = process.env.DATA_DIR;

async function run(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capturedIo(stdin);
  process.env.DATA_DIR = t.dataDir;
  try {
    const code = await goldCommand(args, io);
    await new Promise((r) => setImmediate(r));
    return { code, stdout: io.out(), stderr: io.err() };
  } finally {
    if (saved === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = saved;
  }
}

beforeAll(async () => {
  t = await makeJsonApp();
  const rita = await addUser(t, 'rita', 'researcher');
  const articleId = demoArticleId(t.store);
  const article = t.store.article(articleId)!;
  const actor = { by: rita, at: '2026-12-06T10:00:00.000Z' };
  await t.store.curation.update(articleId, (gold) => {
    const range = article.sentences[0]!;
    addSpan(gold, 0, { start: range.start, end: range.start + 7, category: 'hedge', voice: 'author', intensity: 2, note: 'n' }, range, actor, 'g1');
    markSentenceCurated(gold, 0, article.sentences.length, actor);
  });
  const name = (id: string) => t.store.users.data.data.users.find((u) => u.id === id)?.name ?? id;
  exported = [...goldLines('Demo', article, t.store.curation.gold(articleId), { name })].join('\n');
  await t.store.close();
});

afterAll(async () => {
  await t.cleanup();
});

describe('framelens gold import', () => {
  it('refuses a bad file and stores nothing, then imports a good one losslessly', async () => {
    const projectId = demoProjectId(t.store);
    const before = t.store.curation.gold(demoArticleId(t.store));
    const bad = await run(['import', projectId, '-'], '{"record":"span"}\n');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/line 1/);
    const good = await run(['import', projectId, '-'], exported);
    expect(good.stderr).toBe('');
    expect(good.code).toBe(0);
    expect(good.stdout).toContain('1 article');
    const reopened = await openData(t.dataDir);
    expect(reopened.curation.gold(demoArticleId(reopened))).toEqual(before);
    await reopened.close();
    expect((await run(['export'])).code).toBe(2);
  });
});
