// The pack format (tag-pack.ts) on its own: what is written reads back byte for byte, one entry
// reads with its header alone, and every damage is named.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PackWriter, decodePack, encodePack, packPath, readPackEntry, readPackShared } from '../../server/storage/tag-pack.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'framelens-tag-pack-'));
  await mkdir(join(dir, 'tags'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const shard = (annotatorId: string, n: number) => `{"schemaVersion":1,"data":{"annotatorId":"${annotatorId}","n":"${'é'.repeat(n)}"}}`;
const contents = (count: number) => Array.from({ length: count }, (_, i) => ({ annotatorId: `u${String(i).padStart(3, '0')}`, bytes: shard(`u${i}`, i), count: i }));

describe('tag packs', () => {
  it('decode what encode wrote: every entry byte for byte, with its count', () => {
    const written = contents(5);
    const pack = encodePack('a1', written);
    const entries = decodePack('p', 'a1', pack);
    expect(entries.map((e) => [e.annotatorId, pack.toString('utf8', e.start, e.start + e.length), e.count])).toEqual(written.map((c) => [c.annotatorId, c.bytes, c.count]));
    expect(decodePack('p', 'a1', encodePack('a1', []))).toEqual([]);
  });

  it('read one entry through the header (also past the first read of a long table), or null when there is no such entry or pack', async () => {
    const path = packPath(dir, 'a1');
    const written = contents(300); // a table of ~9 KB
    await writeFile(path, encodePack('a1', written));
    for (const c of [written[0], written[150], written[299]]) expect(readPackEntry(path, 'a1', c?.annotatorId ?? '')?.toString()).toBe(c?.bytes);
    expect(readPackEntry(path, 'a1', 'nobody')).toBeNull();
    expect(readPackEntry(packPath(dir, 'a2'), 'a2', 'u000')).toBeNull();
    expect(readPackShared(packPath(dir, 'a2'))).toBeNull();
  });

  it('name every damage: the header, an entry, the length, another article', async () => {
    const path = packPath(dir, 'a1');
    const pack = encodePack('a1', contents(3));
    const at = (text: string) => pack.indexOf(text);
    const flipped = (offset: number) => {
      const copy = Buffer.from(pack);
      copy[offset] = (copy[offset] ?? 0) ^ 1;
      return copy;
    };
    // Every single flipped byte is caught, wherever it is.
    for (let offset = 0; offset < pack.length; offset++) expect(() => decodePack(path, 'a1', flipped(offset))).toThrow(`${path} is damaged`);
    expect(() => decodePack(path, 'a1', flipped(at('"u2"')))).toThrow(`${path} is damaged (the entry of annotator u002: the checksum does not match)`);
    expect(() => decodePack(path, 'a1', flipped(at('u001 ')))).toThrow(`${path} is damaged (the header checksum does not match)`);
    expect(() => decodePack(path, 'a2', pack)).toThrow(`${path} is damaged (it holds the tags of article a1, not a2)`);
    expect(() => decodePack(path, 'a1', pack.subarray(0, pack.length - 1))).toThrow('cut short');
    expect(() => decodePack(path, 'a1', Buffer.alloc(0))).toThrow(`${path} is damaged`);
    // One entry read alone checks the header and that entry.
    await writeFile(path, flipped(at('"u2"')));
    expect(readPackEntry(path, 'a1', 'u001')?.toString()).toBe(shard('u1', 1));
    expect(() => readPackEntry(path, 'a1', 'u002')).toThrow('the entry of annotator u002: the checksum does not match');
    await writeFile(path, flipped(at('u001 ')));
    expect(() => readPackEntry(path, 'a1', 'u000')).toThrow('the header checksum does not match');
    await writeFile(path, pack.subarray(0, pack.length - 2));
    expect(() => readPackEntry(path, 'a1', 'u002')).toThrow('cut short');
  });

  it('a checkpoint writer puts the shards it is given into their pack, keeping the other entries as they were', async () => {
    const tags = join(dir, 'tags');
    const writer = new PackWriter(tags);
    const shardPath = (a: string, u: string) => join(tags, a, `${u}.json`);
    expect(writer.unitOf(shardPath('a1', 'u1'))).toBe(packPath(dir, 'a1'));
    expect(writer.unitOf(join(dir, 'users.json'))).toBe(join(dir, 'users.json'));
    await writer.write(packPath(dir, 'a1'), new Map([[shardPath('a1', 'u2'), { text: shard('u2', 2), count: 2 }], [shardPath('a1', 'u1'), { text: shard('u1', 1), count: 1 }]]));
    await writer.write(packPath(dir, 'a1'), new Map([[shardPath('a1', 'u0'), { text: shard('u0', 0), count: 0 }], [shardPath('a1', 'u2'), { text: shard('u2', 9), count: 9 }]]));
    const pack = await readFile(packPath(dir, 'a1'));
    expect(decodePack('p', 'a1', pack).map((e) => [e.annotatorId, pack.toString('utf8', e.start, e.start + e.length), e.count])).toEqual([
      ['u0', shard('u0', 0), 0],
      ['u1', shard('u1', 1), 1],
      ['u2', shard('u2', 9), 9],
    ]);
    await expect(writer.write(packPath(dir, 'a1'), new Map([[shardPath('a2', 'u1'), { text: '{}', count: 0 }]]))).rejects.toThrow('is no tag shard of');
    // A damaged pack is not written over: the checkpoint fails, and the journal keeps the saves.
    await writeFile(packPath(dir, 'a1'), pack.subarray(1));
    await expect(writer.write(packPath(dir, 'a1'), new Map([[shardPath('a1', 'u1'), { text: shard('u1', 3), count: 3 }]]))).rejects.toThrow('is damaged');
    expect((await readdir(tags)).sort()).toEqual(['a1.pack']);
  });
});
