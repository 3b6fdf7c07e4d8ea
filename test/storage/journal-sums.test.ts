// The sums of tag shards (file-sums.ts) and the journal's counts: a start takes a shard whose
// bytes match their sum as checked without parsing it, and counts tags from the sums and the
// journal's records without applying them. A sum is a cache: any state a crash can leave (a
// shard written and its sum not, a sums file missing or damaged, records from before counts)
// must open with the same tags and counts as a start that parses everything, and damage must
// still stop the start.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Store } from '../../server/storage/store.js';
import { restart as reopen, storeWithArticle as openWithArticle, tag } from '../helpers/journalled-store.js';
import { FileSums } from '../../server/storage/file-sums.js';
import { encodeRecord, readJournalSync } from '../../server/storage/journal.js';
import { addTag, markReviewed, removeTag } from '../../server/core/spans.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'framelens-journal-sums-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

const shardPath = (annotator = 'u1') => join(dir, 'tags', 'a1', `${annotator}.json`);
const sumsPath = () => join(dir, 'tags.sums');
const storeWithArticle = (options: Parameters<typeof Store.open>[2] = {}) => openWithArticle(dir, options);
const restart = () => reopen(dir);

/** Three annotators' tags, checkpointed (u0: 2 tags, u1: 2 and a reviewed sentence, u2: 1), closed. */
async function study() {
  const store = await storeWithArticle();
  for (let i = 0; i < 5; i++) await store.updateAnnotation('a1', `u${i % 3}`, (a) => addTag(a, tag(`t${i}`, i * 4, `u${i % 3}`)));
  await store.updateAnnotation('a1', 'u1', (a) => markReviewed(a, 0));
  await store.close();
  return [0, 1, 2].map((k) => store.annotation('a1', `u${k}`));
}

const contents = (store: Store) => [0, 1, 2].map((k) => store.annotation('a1', `u${k}`));

describe('sums of tag shards', () => {
  it('are written by a checkpoint and match the shards it wrote', async () => {
    await study();
    const sums = FileSums.read(dir);
    for (const k of [0, 1, 2]) {
      const bytes = await readFile(shardPath(`u${k}`));
      expect(sums.check(shardPath(`u${k}`), bytes)).toBe(JSON.parse(bytes.toString()).data.tags.length);
      expect(sums.check(shardPath(`u${k}`), Buffer.concat([bytes, Buffer.from(' ')]))).toBeNull();
    }
  });

  it('a folder without sums (an older version) opens with every tag, and is summed by that start', async () => {
    const expected = await study();
    await rm(sumsPath());
    const again = await restart();
    expect(contents(again)).toEqual(expected);
    expect(again.tagCount()).toBe(5);
    await again.close();
    expect(FileSums.read(dir).check(shardPath('u0'), await readFile(shardPath('u0')))).toBe(2);
  });

  // A crash after a checkpoint renamed a shard into place and before it wrote the sums.
  it('a shard that no longer matches its sum is checked in full, never called damaged: tags and counts exact', async () => {
    const expected = await study();
    const oldSums = await readFile(sumsPath());
    const store = await restart();
    await store.updateAnnotation('a1', 'u0', (a) => addTag(a, tag('t9', 40, 'u0')));
    await store.updateAnnotation('a1', 'u2', (a) => removeTag(a, 't2'));
    await store.close();
    await writeFile(sumsPath(), oldSums);
    const again = await restart();
    expect(again.tagCount()).toBe(5);
    expect(again.annotation('a1', 'u0').tags.map((t) => t.id)).toEqual(['t0', 't3', 't9']);
    expect(again.annotation('a1', 'u1')).toEqual(expected[1]);
    expect(again.annotation('a1', 'u2').tags).toEqual([]);
    await again.close();
  });

  it('sums of shards that are gone are dropped by the next start', async () => {
    await study();
    await rm(shardPath('u2'));
    const again = await restart();
    expect(again.tagCount()).toBe(4);
    await again.close();
    const text = await readFile(sumsPath(), 'utf8');
    expect(text).toContain('tags/a1/u0.json');
    expect(text).not.toContain('tags/a1/u2.json');
  });

  it('a damaged sums file is ignored with a warning: every shard is checked in full, and the sums are written again', async () => {
    const expected = await study();
    const text = await readFile(sumsPath(), 'utf8');
    // A count changed: the file's own checksum no longer matches, so no count in it is trusted.
    await writeFile(sumsPath(), text.replace(/ 2 tags\/a1\/u0\.json/, ' 7 tags/a1/u0.json'));
    const warn = vi.spyOn(console, 'error').mockImplementation(() => {});
    const again = await restart();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(`${sumsPath()} is damaged`));
    expect(again.tagCount()).toBe(5);
    expect(contents(again)).toEqual(expected);
    await again.close();
    const lines = (t: string) => t.split('\n').slice(1).sort();
    expect(lines(await readFile(sumsPath(), 'utf8'))).toEqual(lines(text));
  });

  it('a shard damaged after it was summed still stops the start, naming the file', async () => {
    await study();
    const text = await readFile(shardPath(), 'utf8');
    await writeFile(shardPath(), text.replace('"author"', '"shouting"'));
    await expect(restart()).rejects.toThrow(`${shardPath()} is invalid`);
    await writeFile(shardPath(), text.slice(0, -3));
    await expect(restart()).rejects.toThrow(`${shardPath()} is corrupt`);
  });

  // A start reads a summed shard with one read of its summed length + 1 bytes (checkFile): a file
  // longer or shorter than its sum, even by bytes that leave the summed ones intact, is read to its
  // end and checked in full.
  it('a shard with bytes appended after its summed length is checked in full: sound, it is summed again; damaged, it stops the start', async () => {
    const expected = await study();
    const text = await readFile(shardPath(), 'utf8');
    await writeFile(shardPath(), `${text}\n  `); // still valid JSON, but not the summed bytes
    const again = await restart();
    expect(contents(again)).toEqual(expected);
    await again.close();
    // Summed anew by the full check: at its new length.
    expect(FileSums.read(dir).checkFile(shardPath())).toBe(2);
    expect(FileSums.read(dir).check(shardPath(), Buffer.from(text))).toBeNull();
    await writeFile(shardPath(), `${text}x`); // the summed bytes, then damage
    await expect(restart()).rejects.toThrow(`${shardPath()} is corrupt`);
  });

  it('a shard cut short of its summed length is checked in full: damage stops the start, a valid shorter file is summed again', async () => {
    const expected = await study();
    const text = await readFile(shardPath(), 'utf8');
    await writeFile(shardPath(), text.slice(0, -1));
    await expect(restart()).rejects.toThrow(`${shardPath()} is corrupt`);
    // Summed as the same JSON with two trailing spaces: the file, without them, is shorter than
    // its sum, and valid.
    await writeFile(shardPath(), text);
    const sums = FileSums.read(dir);
    sums.record(shardPath(), `${text}  `, 2);
    await sums.save();
    const again = await restart();
    expect(contents(again)).toEqual(expected);
    await again.close();
    expect(FileSums.read(dir).checkFile(shardPath())).toBe(2);
    expect(FileSums.read(dir).check(shardPath(), Buffer.from(`${text}  `))).toBeNull();
  });

  it('a summed shard that belongs to another annotator is refused when its sum no longer vouches for it', async () => {
    await study();
    await writeFile(shardPath('u2'), await readFile(shardPath('u0')));
    await expect(restart()).rejects.toThrow(`${shardPath('u2')}: belongs to annotator u0, not u2`);
  });
  it('keep every sum exact through forgetting and recording again (slots used again), and read back as written', async () => {
    const sums = FileSums.empty(dir);
    const bytes = (k: number) => Buffer.from(`{"shard":${k}}`.repeat(1 + (k % 7)));
    // Past the table's first capacity, with CRCs above 2^31 among them.
    for (let k = 0; k < 3000; k++) sums.record(shardPath(`u${k}`), bytes(k), k);
    for (let k = 0; k < 3000; k += 3) sums.forget(shardPath(`u${k}`));
    for (let k = 3000; k < 3500; k++) sums.record(shardPath(`u${k}`), bytes(k), k);
    sums.record(shardPath('u1'), bytes(99_999), 7); // a changed file: its sum replaced
    expect(sums.size).toBe(3000 - 1000 + 500);
    await sums.save();
    const again = FileSums.read(dir);
    expect(again.size).toBe(2500);
    for (let k = 0; k < 3500; k++) {
      const expected = k === 1 ? null : k < 3000 && k % 3 === 0 ? null : k;
      expect(again.check(shardPath(`u${k}`), bytes(k))).toBe(expected);
    }
    expect(again.check(shardPath('u1'), bytes(99_999))).toBe(7);
    // Same bytes under another length, or other bytes of the same length: no match.
    expect(again.check(shardPath('u2'), bytes(9))).toBeNull();
    expect(again.check(shardPath('u2'), Buffer.from(bytes(2).toString().replace('2', '3')))).toBeNull();
  });
});

describe('counts in journal records', () => {
  it('a start after a crash counts from the records without applying them, and applies them when the shard is first used', async () => {
    await study();
    const store = await restart();
    await store.updateAnnotation('a1', 'u0', (a) => addTag(a, tag('t9', 40, 'u0')));
    await store.updateAnnotation('a1', 'u0', (a) => removeTag(a, 't0'));
    await store.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t8', 44)));
    const records = readJournalSync(dir).records.get(shardPath('u0')) ?? [];
    expect(records.map((r) => r.read().count)).toEqual([3, 2]);
    const after = contents(store);
    // The crash: the journal holds the three saves.
    const again = await restart();
    expect(again.tagCount()).toBe(6);
    expect(contents(again)).toEqual(after);
    await again.afterReplay;
    expect(again.tagCount()).toBe(6);
    await again.close();
  });

  it('records written before records held counts are applied at the start, as before: counts exact', async () => {
    await study();
    const segment = join(dir, 'journal', '00000001.log');
    const at = '2026-12-01T00:00:00.000Z';
    await writeFile(segment, Buffer.concat([
      encodeRecord(JSON.stringify({ path: 'tags/a1/u0.json', change: { put: [tag('t7', 60, 'u0')], at } })),
      encodeRecord(JSON.stringify({ path: 'tags/a1/u2.json', change: { del: ['t2'], at } })),
    ]));
    const again = await restart();
    expect(again.tagCount()).toBe(5);
    expect(again.annotation('a1', 'u0').tags.map((t) => t.id)).toEqual(['t0', 't3', 't7']);
    expect(again.annotation('a1', 'u2').tags).toEqual([]);
    await again.close();
  });

  it('a record that fails the schema stops the start though its shard is not read, naming the segment', async () => {
    await study();
    const segment = join(dir, 'journal', '00000001.log');
    const bad = encodeRecord(JSON.stringify({ path: 'tags/a1/u0.json', change: { put: [{ ...tag('t7', 60, 'u0'), voice: 'shouting' }], at: 'x' }, count: 3 }));
    await writeFile(segment, bad);
    await expect(restart()).rejects.toThrow(`${segment}: the record at byte 0 (a save to tags/a1/u0.json) is invalid`);
  });

  it('a shard that does not hold what its records counted fails when it is read, not silently', async () => {
    await study();
    const segment = join(dir, 'journal', '00000001.log');
    // Says 9 tags after adding one to u0's two.
    await writeFile(segment, encodeRecord(JSON.stringify({ path: 'tags/a1/u0.json', change: { put: [tag('t7', 60, 'u0')], at: '2026-12-01T00:00:00.000Z' }, count: 9 })));
    const again = await restart();
    expect(() => again.annotation('a1', 'u0')).toThrow(`holds 3, not the 9 counted at the start`);
    await expect(again.afterReplay).rejects.toThrow('holds 3');
  });
});
