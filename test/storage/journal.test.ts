// The tag-save journal on a real temporary folder: group commit, replay after a crash, torn and
// corrupt segments, checkpoints, and a read-only reader beside a running writer.
import { constants } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, readdir, readlink, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal, readJournal } from '../../server/storage/journal.js';
import { StorageError } from '../../server/storage/durable-file.js';
import { Store } from '../../server/storage/store.js';
import type { Tag } from '../../server/core/model.js';
import { addTag } from '../../server/core/spans.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'framelens-journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const segments = async () => (await readdir(join(dir, 'journal')).catch(() => [])).sort();
const file = (name: string) => join(dir, 'tags', 'a1', name);
const read = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as unknown;

describe('the journal', () => {
  it('acknowledges an append once it is in the segment, and leaves the file for a checkpoint', async () => {
    const { journal } = await Journal.open(dir);
    await journal.append(file('u1.json'), JSON.stringify({ n: 1 }));
    expect(await segments()).toEqual(['00000001.log']);
    expect(readJournal(dir).files.get(file('u1.json'))).toEqual({ n: 1 });
    await expect(readFile(file('u1.json'), 'utf8')).rejects.toThrow(/ENOENT/);
    expect(journal.pending).toBe(1);

    await journal.checkpoint();
    expect(await read(file('u1.json'))).toEqual({ n: 1 });
    expect(await segments()).toEqual([]);
    expect(journal.pending).toBe(0);
    await journal.close();
  });

  // fdatasync after each write was the other way; O_DSYNC saves a turn of the event loop per append.
  it.runIf(process.platform === 'linux')('appends with synchronous data writes (O_DSYNC on the open segment)', async () => {
    const { journal } = await Journal.open(dir);
    await journal.append(file('u1.json'), '{"n":1}');
    const segment = join(await realpath(dir), 'journal', '00000001.log');
    const flags: number[] = [];
    for (const fd of await readdir('/proc/self/fd')) {
      if ((await readlink(`/proc/self/fd/${fd}`).catch(() => '')) !== segment) continue;
      const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8');
      flags.push(Number.parseInt(/^flags:\s*([0-7]+)/m.exec(info)?.[1] ?? '0', 8));
    }
    expect(flags).toHaveLength(1);
    expect((flags[0] ?? 0) & constants.O_DSYNC).toBe(constants.O_DSYNC);
    await journal.close();
  });

  it('writes concurrent appends together and keeps the last content per file', async () => {
    const { journal } = await Journal.open(dir);
    await Promise.all(Array.from({ length: 200 }, (_, i) => journal.append(file(`u${i % 10}.json`), JSON.stringify({ n: i }))));
    const lines = (await readFile(join(dir, 'journal', '00000001.log'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(200);
    const files = readJournal(dir).files;
    expect(files.size).toBe(10);
    for (let k = 0; k < 10; k++) expect(files.get(file(`u${k}.json`))).toEqual({ n: 190 + k });
    await journal.close();
    for (let k = 0; k < 10; k++) expect(await read(file(`u${k}.json`))).toEqual({ n: 190 + k });
    expect(await segments()).toEqual([]);
  });

  it('reads what a crashed process left, dropping a record cut short at the end, and checkpoints it', async () => {
    await mkdir(join(dir, 'journal'));
    const records = [
      { path: 'tags/a1/u1.json', data: { n: 1 } },
      { path: 'tags/a1/u2.json', data: { n: 2 } },
      { path: 'tags/a1/u1.json', data: { n: 3 } },
    ];
    await writeFile(join(dir, 'journal', '00000004.log'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    await writeFile(join(dir, 'journal', '00000005.log'), `${JSON.stringify({ path: 'tags/a1/u2.json', data: { n: 4 } })}\n{"path":"tags/a1/u1.json","da`);
    const { journal, files } = await Journal.open(dir);
    expect(files).toEqual(new Map([[file('u1.json'), { n: 3 }], [file('u2.json'), { n: 4 }]]));
    expect(journal.pending).toBe(2);
    // Numbering goes on after the segments left behind, which the next checkpoint writes and deletes.
    await journal.append(file('u3.json'), '{"n":5}');
    expect(await segments()).toEqual(['00000004.log', '00000005.log', '00000006.log']);
    await journal.checkpoint();
    expect(await read(file('u1.json'))).toEqual({ n: 3 });
    expect(await read(file('u2.json'))).toEqual({ n: 4 });
    expect(await read(file('u3.json'))).toEqual({ n: 5 });
    expect(await segments()).toEqual([]);
    await journal.close();
  });

  it('refuses to start on a corrupt record that is not the last, naming the segment and changing nothing', async () => {
    await mkdir(join(dir, 'journal'));
    const segment = join(dir, 'journal', '00000001.log');
    const text = `${JSON.stringify({ path: 'tags/a1/u1.json', data: { n: 1 } })}\nnot json\n${JSON.stringify({ path: 'tags/a1/u1.json', data: { n: 2 } })}\n`;
    await writeFile(segment, text);
    const opening = Journal.open(dir);
    await expect(opening).rejects.toThrow(StorageError);
    await expect(Journal.open(dir)).rejects.toThrow(`${segment} is corrupt (line 2`);
    expect(await readFile(segment, 'utf8')).toBe(text);
    await expect(readFile(file('u1.json'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('refuses a record naming a file outside the data folder', async () => {
    await mkdir(join(dir, 'journal'));
    await writeFile(join(dir, 'journal', '00000001.log'), `${JSON.stringify({ path: '../escape.json', data: {} })}\n`);
    await expect(Journal.open(dir)).rejects.toThrow(/outside the data folder/);
    const { journal } = await Journal.open(join(dir, 'other'));
    await expect(journal.append(join(dir, 'escape.json'), '{}')).rejects.toThrow(/outside the data folder/);
    await journal.close();
  });

  it('checkpoints by itself when a segment is full, while saves go on', async () => {
    const { journal } = await Journal.open(dir, { segmentBytes: 2048 });
    for (let i = 0; i < 100; i++) await journal.append(file(`u${i % 7}.json`), JSON.stringify({ n: i, pad: 'x'.repeat(100) }));
    await journal.checkpoint();
    await journal.append(file('u0.json'), JSON.stringify({ n: 'last' }));
    expect((await segments()).length).toBe(1);
    expect(journal.pending).toBe(1);
    // Files not saved since the checkpoint are up to date on their own.
    for (let k = 1; k < 7; k++) expect(await read(file(`u${k}.json`))).toMatchObject({ n: 99 - ((99 - k) % 7) });
    await journal.close();
    expect(await read(file('u0.json'))).toEqual({ n: 'last' });
  });

  it('checkpoints after a quiet spell', async () => {
    const { journal } = await Journal.open(dir, { idleCheckpointMs: 20 });
    await journal.append(file('u1.json'), '{"n":1}');
    for (let i = 0; i < 100 && journal.pending > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(journal.pending).toBe(0);
    expect(await read(file('u1.json'))).toEqual({ n: 1 });
    await journal.close();
  });

  it('forgets the files of a folder being deleted: no checkpoint brings them back', async () => {
    const { journal } = await Journal.open(dir);
    await journal.append(file('u1.json'), '{"n":1}');
    await journal.append(join(dir, 'tags', 'a2', 'u1.json'), '{"n":2}');
    await journal.forget(join(dir, 'tags', 'a1'));
    await journal.close();
    expect(await readdir(join(dir, 'tags'))).toEqual(['a2']);
  });

  it('refuses appends once closed', async () => {
    const { journal } = await Journal.open(dir);
    await journal.close();
    await expect(journal.append(file('u1.json'), '{}')).rejects.toThrow(/closed/);
  });
});

describe('the store with its journal', () => {
  const text = 'Officials allegedly said the reforms were a coup.';
  const tag = (id: string, start: number): Tag => ({
    id, articleId: 'a1', annotatorId: 'u1', sentence: 0, start, end: start + 4, category: 'hedge', voice: 'author',
    intensity: null, note: '', createdAt: '2026-11-30T00:00:00.000Z', updatedAt: '2026-11-30T00:00:00.000Z',
  });

  async function storeWithArticle() {
    const store = await Store.open(dir, []);
    await store.createArticle({
      id: 'a1', projectId: 'p', title: 'T', source: '', url: '', publishedAt: '', text,
      sentences: [{ start: 0, end: text.length }], createdAt: '2026-11-30T00:00:00.000Z', createdBy: 'u',
    });
    await store.ready;
    return store;
  }

  it('a read-only reader beside the running writer sees saves that are in the journal only', async () => {
    const writer = await storeWithArticle();
    await writer.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t1', 0)));
    await writer.checkpoint();
    await writer.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t2', 10)));
    await writer.updateAnnotation('a1', 'u2', (a) => addTag(a, { ...tag('t3', 20), annotatorId: 'u2' }));
    expect(await segments()).toHaveLength(1);

    const reader = await Store.open(dir, [], { readOnly: true });
    await reader.ready;
    expect(reader.annotation('a1', 'u1').tags.map((t) => t.id)).toEqual(['t1', 't2']);
    expect(reader.annotation('a1', 'u2').tags.map((t) => t.id)).toEqual(['t3']);
    // It wrote nothing: the journal is still the writer's.
    expect(await segments()).toHaveLength(1);
    await writer.close();
  });

  it('counts the tags in shard files and in the journal alike, after a restart', async () => {
    const store = await storeWithArticle();
    await store.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t1', 0)));
    await store.checkpoint();
    await store.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t2', 10)));
    await store.updateAnnotation('a1', 'u2', (a) => addTag(a, { ...tag('t3', 20), annotatorId: 'u2' }));
    expect(store.tagCount()).toBe(3);
    // A crash: t1 is in its shard file, t2 and t3 in the journal only.
    const again = await Store.open(dir, []);
    await again.ready;
    expect(again.tagCount()).toBe(3);
    await again.close();
  });

  it('tags of an article deleted just before a crash do not come back with the journal', async () => {
    const store = await storeWithArticle();
    await store.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t1', 0)));
    await store.removeArticle('a1');
    // The crash: the journal still holds the save; the next start replays it, then drops it.
    expect(readJournal(dir).files.size).toBe(1);
    const again = await Store.open(dir, []);
    await again.ready;
    expect(again.article('a1')).toBeUndefined();
    expect(again.annotations('a1')).toEqual([]);
    // Its checkpoint does not write them either.
    await again.close();
    expect(await readdir(join(dir, 'tags')).catch(() => [])).toEqual([]);
    expect(await segments()).toEqual([]);
  });
});

describe('appending after a torn write', () => {
  it('a segment with a torn end followed by a newer segment replays both', async () => {
    await mkdir(join(dir, 'journal'));
    await writeFile(join(dir, 'journal', '00000001.log'), `${JSON.stringify({ path: 'tags/a1/u1.json', data: { n: 1 } })}\n{"pa`);
    await appendFile(join(dir, 'journal', '00000002.log'), `${JSON.stringify({ path: 'tags/a1/u2.json', data: { n: 2 } })}\n`);
    const { journal } = await Journal.open(dir);
    await journal.close();
    expect(await read(file('u1.json'))).toEqual({ n: 1 });
    expect(await read(file('u2.json'))).toEqual({ n: 2 });
  });
});
