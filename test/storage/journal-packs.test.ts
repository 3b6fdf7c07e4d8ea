// Tag packs (tag-pack.ts): a start reads each article's pack once, and takes an entry whose
// checksum matches as valid without parsing it, with the tag count its table gives. Damage to a
// pack (a flipped byte in an entry or in the header, a pack cut short or grown) stops the start
// naming the pack and the entry, and changes nothing. An older data folder (a folder of shard
// files per article, and the sums of those files, file-sums.ts) is packed by the first start, and
// any state a crash can leave on the way (or in a checkpoint's pack rewrite) opens with every tag.
// A start counts tags from the packs and the journal's records without applying them.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { packedShards, type Store } from '../../server/storage/store.js';
import { restart as reopen, storeWithArticle as openWithArticle, tag } from '../helpers/journalled-store.js';
import { FileSums } from '../../server/storage/file-sums.js';
import { encodeRecord, readJournalSync } from '../../server/storage/journal.js';
import { StorageError } from '../../server/storage/durable-file.js';
import { addTag, markReviewed, removeTag } from '../../server/core/spans.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'framelens-journal-packs-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

/** A shard's name (as the journal and the layout before packs name it), the pack, the sums of the older layout. */
const shardPath = (annotator = 'u1') => join(dir, 'tags', 'a1', `${annotator}.json`);
const packPath = () => join(dir, 'tags', 'a1.pack');
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

/**
 * The folder as a version before packs left it: the pack's entries as shard files in tags/a1/,
 * with their sums in tags.sums when `sums` (that version wrote them at every checkpoint).
 */
async function olderLayout(sums = true): Promise<Map<string, string>> {
  const shards = packedShards(dir);
  await mkdir(join(dir, 'tags', 'a1'), { recursive: true });
  const table = FileSums.empty(dir);
  for (const [path, text] of shards) {
    await writeFile(path, text);
    table.record(path, text, (JSON.parse(text) as { data: { tags: unknown[] } }).data.tags.length);
  }
  if (sums) await table.save();
  await rm(packPath());
  return shards;
}

/** The pack with `from` replaced by `to` (of the same length) in its bytes. */
async function patchPack(from: string, to: string): Promise<Buffer> {
  const bytes = (await readFile(packPath())).toString('latin1');
  expect(bytes).toContain(from);
  const patched = Buffer.from(bytes.replace(from, to), 'latin1');
  await writeFile(packPath(), patched);
  return patched;
}

describe('tag packs', () => {
  it('a checkpoint writes one pack per article holding each annotator\'s shard; nothing else is left under tags/', async () => {
    const expected = await study();
    expect((await readdir(join(dir, 'tags'))).sort()).toEqual(['a1.pack']);
    const shards = packedShards(dir);
    expect([...shards.keys()].sort()).toEqual([0, 1, 2].map((k) => shardPath(`u${k}`)));
    for (const k of [0, 1, 2]) expect(JSON.parse(shards.get(shardPath(`u${k}`)) ?? '')).toEqual({ schemaVersion: 1, data: expected[k] });
    expect(existsSync(sumsPath())).toBe(false);
  });

  it('a start takes the pack\'s counts without parsing it, and reads each shard when first used: content and counts exact', async () => {
    const expected = await study();
    const again = await restart();
    expect(again.tagCount()).toBe(5);
    expect(contents(again)).toEqual(expected);
    await again.close();
  });

  it('a flipped byte in an entry stops the start, naming the pack and the entry; nothing is changed', async () => {
    await study();
    const damaged = await patchPack('"t3"', '"t4"');
    const error: unknown = await restart().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).path).toBe(packPath());
    expect((error as StorageError).message).toContain(`${packPath()} is damaged (the entry of annotator u0: the checksum does not match)`);
    expect(await readFile(packPath())).toEqual(damaged);
  });

  it('a flipped byte in the header or its table stops the start, naming the pack', async () => {
    await study();
    const original = await readFile(packPath());
    await patchPack('u1 ', 'u7 ');
    await expect(restart()).rejects.toThrow(`${packPath()} is damaged (the header checksum does not match)`);
    await writeFile(packPath(), original);
    await patchPack('framelens-pack 1 a1 3', 'framelens-pack 1 a1 4');
    await expect(restart()).rejects.toThrow(`${packPath()} is damaged`);
    await writeFile(packPath(), original);
    await patchPack('framelens-pack', 'framelens-pick');
    await expect(restart()).rejects.toThrow(`${packPath()} is damaged (not a pack header)`);
    expect(existsSync(packPath())).toBe(true);
  });

  it('a pack cut short, or grown past its last entry, stops the start naming it', async () => {
    await study();
    const original = await readFile(packPath());
    await writeFile(packPath(), original.subarray(0, original.length - 1));
    await expect(restart()).rejects.toThrow(`${packPath()} is damaged (${original.length - 1} bytes where its table says ${original.length}: cut short)`);
    await writeFile(packPath(), original.subarray(0, 20));
    await expect(restart()).rejects.toThrow(`${packPath()} is damaged`);
    await writeFile(packPath(), Buffer.concat([original, Buffer.from(' ')]));
    await expect(restart()).rejects.toThrow(`${packPath()} is damaged (${original.length + 1} bytes where its table says ${original.length}: bytes after its last entry)`);
    await writeFile(packPath(), original);
    const again = await restart();
    expect(again.tagCount()).toBe(5);
    await again.close();
  });

  it('a pack damaged after the start read it fails the request that reads the shard, naming it; the pack stays', async () => {
    const expected = await study();
    const again = await restart();
    // At once, before the store reads its shards in the background.
    const damaged = Buffer.from(readFileSync(packPath()).toString('latin1').replace('"t4"', '"t5"'), 'latin1'); // u1's entry
    writeFileSync(packPath(), damaged);
    expect(again.annotation('a1', 'u0')).toEqual(expected[0]);
    expect(() => again.annotation('a1', 'u1')).toThrow(`${packPath()} is damaged (the entry of annotator u1: the checksum does not match)`);
    expect(await readFile(packPath())).toEqual(damaged);
  });

  it('a pack holding another article\'s tags is refused; the pack of an article that is gone is removed', async () => {
    await study();
    const store = await restart();
    const a1 = store.article('a1');
    if (!a1) throw new Error('no a1');
    await store.createArticle({ ...a1, id: 'a2' });
    await store.close();
    await writeFile(join(dir, 'tags', 'a2.pack'), await readFile(packPath()));
    await expect(restart()).rejects.toThrow(`${join(dir, 'tags', 'a2.pack')} is damaged (it holds the tags of article a1, not a2)`);
    await rm(join(dir, 'articles', 'a2.json'));
    const again = await restart();
    expect(existsSync(join(dir, 'tags', 'a2.pack'))).toBe(false);
    expect(again.tagCount()).toBe(5);
    await again.close();
  });
});

describe('a checkpoint rewriting a pack', () => {
  it('a crash before the new pack is renamed into place: the old pack and the journal give every acknowledged tag', async () => {
    await study();
    const old = await readFile(packPath());
    const store = await restart();
    await store.updateAnnotation('a1', 'u0', (a) => addTag(a, tag('t9', 40, 'u0')));
    await store.updateAnnotation('a1', 'u2', (a) => removeTag(a, 't2'));
    await store.updateAnnotation('a1', 'u3', (a) => addTag(a, tag('t8', 44, 'u3')));
    const expected = [...contents(store), store.annotation('a1', 'u3')];
    // The crash: the journal holds the saves; the checkpoint had written part of its temporary file.
    await writeFile(join(dir, 'tags', `.a1.pack.${process.pid + 1}.1.tmp`), old.subarray(0, 100));
    const again = await restart();
    expect(again.tagCount()).toBe(6);
    expect([...contents(again), again.annotation('a1', 'u3')]).toEqual(expected);
    await again.afterReplay;
    expect((await readdir(join(dir, 'tags'))).sort()).toEqual(['a1.pack']);
    await again.close();
    const third = await restart();
    expect([...contents(third), third.annotation('a1', 'u3')]).toEqual(expected);
    await third.close();
  });

  it('a crash after the new pack is in place and before the journal is deleted: its records, applied again, change nothing', async () => {
    await study();
    const store = await restart();
    await store.updateAnnotation('a1', 'u0', (a) => addTag(a, tag('t9', 40, 'u0')));
    await store.updateAnnotation('a1', 'u2', (a) => removeTag(a, 't2'));
    const expected = contents(store);
    const journal = join(dir, 'journal');
    const segments = await readdir(journal);
    const kept = await Promise.all(segments.map((name) => readFile(join(journal, name))));
    await store.close();
    // The segments the checkpoint would have deleted, back.
    await Promise.all(segments.map((name, i) => writeFile(join(journal, name), kept[i] ?? '')));
    const again = await restart();
    expect(again.tagCount()).toBe(5);
    expect(contents(again)).toEqual(expected);
    await again.close();
  });

  it('rewrites only the packs of articles with saves, once each, keeping the other annotators\' entries byte for byte', async () => {
    await study();
    const before = packedShards(dir);
    const store = await restart();
    await store.updateAnnotation('a1', 'u0', (a) => addTag(a, tag('t9', 40, 'u0')));
    await store.checkpoint();
    const after = packedShards(dir);
    expect(after.get(shardPath('u1'))).toBe(before.get(shardPath('u1')));
    expect(after.get(shardPath('u2'))).toBe(before.get(shardPath('u2')));
    expect(after.get(shardPath('u0'))).not.toBe(before.get(shardPath('u0')));
    await store.close();
  });
});

describe('a read-only reader beside the running server', () => {
  // framelens export opens the folder read-only while the server saves and checkpoints: its packs
  // are rewritten (renamed into place) and journal segments deleted under the reader's feet.
  it('sees every save acknowledged before it opened, while checkpoints rewrite the packs', async () => {
    const writer = await storeWithArticle({ journal: { segmentBytes: 4096 } });
    const { Store } = await import('../../server/storage/store.js');
    const acknowledged: { annotator: string; id: string }[] = [];
    let stop = false;
    const saving = (async () => {
      for (let i = 0; !stop; i++) {
        const annotator = `u${i % 5}`;
        const id = `t${i}`;
        await writer.updateAnnotation('a1', annotator, (a) => addTag(a, { ...tag(id, i % 40, annotator), category: `c${i}` }));
        acknowledged.push({ annotator, id });
        if (i % 25 === 0) void writer.checkpoint();
      }
    })();
    let reads = 0;
    for (let round = 0; round < 12; round++) {
      await new Promise((r) => setTimeout(r, 20));
      const before = acknowledged.slice();
      const reader = await Store.open(dir, [], { readOnly: true });
      await reader.ready;
      const missing = before.filter(({ annotator, id }) => !reader.annotation('a1', annotator).tags.some((t) => t.id === id));
      expect(missing, `round ${round}`).toEqual([]);
      reads++;
    }
    stop = true;
    await saving;
    await writer.close();
    expect(reads).toBe(12);
    expect(acknowledged.length).toBeGreaterThan(50);
  });
});

describe('a data folder of the layout before packs', () => {
  it('is packed by the first start, trusting the sums that version kept: every tag, and the folder and tags.sums gone', async () => {
    const expected = await study();
    const shards = await olderLayout();
    const again = await restart();
    expect(again.tagCount()).toBe(5);
    expect(contents(again)).toEqual(expected);
    expect((await readdir(join(dir, 'tags'))).sort()).toEqual(['a1.pack']);
    expect(existsSync(sumsPath())).toBe(false);
    expect(packedShards(dir)).toEqual(shards);
    await again.close();
  });

  it('without sums (or with a damaged sums file, with a warning), each shard is checked in full, then packed', async () => {
    const expected = await study();
    await olderLayout(false);
    const again = await restart();
    expect(contents(again)).toEqual(expected);
    await again.close();
    await olderLayout();
    const text = await readFile(sumsPath(), 'utf8');
    await writeFile(sumsPath(), text.replace(/ 2 tags\/a1\/u0\.json/, ' 7 tags/a1/u0.json'));
    const warn = vi.spyOn(console, 'error').mockImplementation(() => {});
    const third = await restart();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining(`${sumsPath()} is damaged`));
    expect(third.tagCount()).toBe(5);
    expect(contents(third)).toEqual(expected);
    await third.close();
  });

  it('a shard that no longer matches its sum is checked in full, never called damaged', async () => {
    const expected = await study();
    await olderLayout();
    const text = await readFile(shardPath('u0'), 'utf8');
    await writeFile(shardPath('u0'), `${text}\n  `); // still valid JSON, but not the summed bytes
    const again = await restart();
    expect(contents(again)).toEqual(expected);
    await again.close();
  });

  it('a damaged shard stops the start naming the file, and nothing is changed: no pack, the folder stays', async () => {
    await study();
    await olderLayout();
    const text = await readFile(shardPath(), 'utf8');
    await writeFile(shardPath(), text.replace('"author"', '"shouting"'));
    await expect(restart()).rejects.toThrow(`${shardPath()} is invalid`);
    await writeFile(shardPath(), text.slice(0, -3));
    await expect(restart()).rejects.toThrow(`${shardPath()} is corrupt`);
    await writeFile(shardPath('u2'), await readFile(shardPath('u0')));
    await writeFile(shardPath(), text);
    await expect(restart()).rejects.toThrow(`${shardPath('u2')}: belongs to annotator u0, not u2`);
    expect(existsSync(packPath())).toBe(false);
    expect((await readdir(join(dir, 'tags', 'a1'))).sort()).toEqual(['u0.json', 'u1.json', 'u2.json']);
  });

  // The upgrade writes the pack durably, then removes the folder: each state a crash can leave.
  it('a crash after the pack was written and before the folder was removed: the folder wins, the pack is written again', async () => {
    const expected = await study();
    const stale = await readFile(packPath());
    await olderLayout();
    // The folder moved on since that pack (as if the pack were older): the folder's content wins.
    const newer = JSON.parse(await readFile(shardPath('u2'), 'utf8')) as { data: { tags: unknown[] } };
    newer.data.tags = [];
    await writeFile(shardPath('u2'), JSON.stringify(newer));
    await writeFile(packPath(), stale);
    const again = await restart();
    expect(again.tagCount()).toBe(4);
    expect(contents(again)).toEqual([expected[0], expected[1], { ...expected[2], tags: [] }]);
    expect((await readdir(join(dir, 'tags'))).sort()).toEqual(['a1.pack']);
    await again.close();
  });

  it('a crash while the pack was written, or while the folder was being removed, opens with every tag', async () => {
    const expected = await study();
    const pack = await readFile(packPath());
    const shards = await olderLayout();
    const pid = process.pid + 1;
    // Cut short inside the temporary file: the folder is all there is.
    await writeFile(join(dir, 'tags', `.a1.pack.${pid}.1.tmp`), pack.subarray(0, 50));
    const again = await restart();
    expect(contents(again)).toEqual(expected);
    await again.close();
    // The pack in place, the folder renamed aside and partly removed.
    await mkdir(join(dir, 'tags', `.a1.${pid}.2.deleting`));
    await writeFile(join(dir, 'tags', `.a1.${pid}.2.deleting`, 'u0.json'), shards.get(shardPath('u0')) ?? '');
    const third = await restart();
    expect(contents(third)).toEqual(expected);
    expect((await readdir(join(dir, 'tags'))).sort()).toEqual(['a1.pack']);
    await third.close();
  });

  it('a read-only reader (export beside a server, or on a folder no server has opened since) reads both layouts; the folder wins', async () => {
    const expected = await study();
    const { Store } = await import('../../server/storage/store.js');
    const packed = await Store.open(dir, [], { readOnly: true });
    await packed.ready;
    expect(contents(packed)).toEqual(expected);
    const stale = await readFile(packPath());
    await olderLayout();
    await writeFile(packPath(), stale);
    await writeFile(shardPath('u2'), JSON.stringify({ schemaVersion: 1, data: { ...expected[2], tags: [] } }));
    const older = await Store.open(dir, [], { readOnly: true });
    await older.ready;
    expect(contents(older)).toEqual([expected[0], expected[1], { ...expected[2], tags: [] }]);
    expect(existsSync(join(dir, 'tags', 'a1'))).toBe(true); // nothing written
  });
});

describe('the sums of the layout before packs', () => {
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
