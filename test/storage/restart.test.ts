// Restart after a crash in the middle of deleting an article: the tags folder had been renamed
// aside (`tags/.<articleId>.<pid>.<n>.deleting`) but not yet removed. The next start must open
// the data folder normally and finish the removal.
import { existsSync as exists } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeJsonApp, signIn, type JsonTestApp } from '../helpers/app.js';
import { importArticle, jsonWorld, savedTagId, tag, type World } from '../helpers/forms.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const TEXT = ['The regime allegedly crushed the peaceful protest.', 'Officials said the economy is booming.'].join('\n');

describe('a crash mid-delete leaves tags/.<id>.<pid>.<n>.deleting behind', () => {
  let w: World<JsonTestApp>;
  beforeAll(async () => {
    w = await jsonWorld();
  });
  afterAll(async () => {
    await w.t.cleanup();
  });

  it('the next start opens the data folder and removes the leftover; other tags stay', async () => {
    const dir = w.t.dataDir;
    const kept = savedTagId(await tag(w.researcher, w.demoArticleId, 1, { first: 0, last: 0, category: 'hedge' }));
    const doomed = await importArticle(w.researcher, w.projectId, { title: 'Doomed', text: TEXT });
    savedTagId(await tag(w.researcher, doomed, 1, { first: 2, last: 2, category: 'hedge' }));
    await w.t.store.checkpoint();
    const shard = join(dir, 'tags', doomed, `${w.researcherId}.json`);
    const content = await readFile(shard, 'utf8');
    expect((await w.researcher.post(`/articles/${doomed}/delete`, { confirm: 'yes' })).status).toBe(303);
    expect(await exists(join(dir, 'tags', doomed))).toBe(false);

    // What the crash left: the folder renamed aside by another (now dead) process, still full
    // (a copy of the real shard; one for an article that still exists, too).
    const pid = process.pid === 1234 ? 1235 : 1234;
    const leftovers = [`.${doomed}.${pid}.0.deleting`, `.${w.demoArticleId}.${pid}.7.deleting`];
    for (const name of leftovers) {
      await mkdir(join(dir, 'tags', name), { recursive: true });
      await writeFile(join(dir, 'tags', name, `${w.researcherId}.json`), content);
    }

    const again = await makeJsonApp(dir);
    for (const name of leftovers) expect(await exists(join(dir, 'tags', name))).toBe(false);
    expect((await readdir(join(dir, 'tags'))).filter((n) => n.startsWith('.'))).toEqual([]);
    expect(again.store.article(doomed)).toBeUndefined();
    expect(again.store.annotations(doomed)).toEqual([]);
    expect(again.store.annotation(w.demoArticleId, w.researcherId).tags.map((t) => t.id)).toEqual([kept]);
    // And it serves: the kept tag is on its sentence page.
    const rita = await signIn(again.app, 'rita');
    const page = await rita.get(`/articles/${w.demoArticleId}/sentences/1`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(kept);
  });
});
