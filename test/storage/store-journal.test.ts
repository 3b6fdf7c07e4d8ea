// The Store with its journal: tag shards are lowdb Lows reading and writing through the journal
// (journalled-file.ts). What a save records, what a restart after a crash reads back, what it
// refuses, and the checkpoint that follows; a read-only reader beside the running writer.
import { mkdtemp, open, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Store, packedShards } from '../../server/storage/store.js';
import type { Tag } from '../../server/core/model.js';
import { restart as reopen, storeWithArticle as openWithArticle, tag } from '../helpers/journalled-store.js';
import { encodeRecord, readJournalSync, type SegmentFile } from '../../server/storage/journal.js';
import { StorageError, StorageFullError } from '../../server/storage/durable-file.js';
import { RuleError, addTag, markReviewed, removeTag, unmarkReviewed, updateTag } from '../../server/core/spans.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'framelens-store-journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const segments = async () => (await readdir(join(dir, 'journal')).catch(() => [])).sort();
// A shard's name, as the journal names it, and its text in the article's pack.
const shardPath = (annotator = 'u1') => join(dir, 'tags', 'a1', `${annotator}.json`);
const packPath = () => join(dir, 'tags', 'a1.pack');
const stored = (annotator = 'u1') => packedShards(dir).get(shardPath(annotator)) ?? '';
const storeWithArticle = (options: Parameters<typeof Store.open>[2] = {}) => openWithArticle(dir, options);
const restart = () => reopen(dir);

async function journalBytes(): Promise<number> {
  let total = 0;
  for (const name of await segments()) total += (await stat(join(dir, 'journal', name))).size;
  return total;
}

describe('the store with its journal', () => {
  it('a read-only reader beside the running writer sees saves that are in the journal only', async () => {
    const writer = await storeWithArticle();
    await writer.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t1', 0)));
    await writer.checkpoint();
    await writer.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t2', 10)));
    await writer.updateAnnotation('a1', 'u2', (a) => addTag(a, tag('t3', 20, 'u2')));
    await writer.updateAnnotation('a1', 'u1', (a) => updateTag(a, 't1', { ...tag('t1', 0), note: 'edited' }, '2026-12-01T00:00:00.000Z'));
    expect(await segments()).toHaveLength(1);

    const reader = await Store.open(dir, [], { readOnly: true });
    await reader.ready;
    expect(reader.annotation('a1', 'u1')).toEqual(writer.annotation('a1', 'u1'));
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
    await store.updateAnnotation('a1', 'u2', (a) => addTag(a, tag('t3', 20, 'u2')));
    expect(store.tagCount()).toBe(3);
    // A crash: t1 is in its shard file, t2 and t3 in the journal only.
    const again = await restart();
    expect(again.tagCount()).toBe(3);
    await again.close();
  });

  it('tags of an article deleted just before a crash do not come back with the journal', async () => {
    const store = await storeWithArticle();
    await store.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t1', 0)));
    await store.removeArticle('a1');
    // The crash: the journal still holds the save; the next start replays it, then drops it.
    expect(readJournalSync(dir).records.size).toBe(1);
    const again = await restart();
    expect(again.article('a1')).toBeUndefined();
    expect(again.annotations('a1')).toEqual([]);
    // Its checkpoint does not write them either.
    await again.close();
    expect(await readdir(join(dir, 'tags')).catch(() => [])).toEqual([]);
    expect(await segments()).toEqual([]);
  });

  it('replays every kind of change exactly: tags added, edited and removed, sentences marked and unmarked reviewed', async () => {
    const store = await storeWithArticle();
    await store.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t1', 0)));
    await store.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t2', 10)));
    await store.checkpoint(); // some of it in the file, the rest in the journal
    await store.updateAnnotation('a1', 'u1', (a) => addTag(a, { ...tag('t3', 55), sentence: 1 }));
    await store.updateAnnotation('a1', 'u1', (a) => updateTag(a, 't1', { ...tag('t1', 0), voice: 'quoted', intensity: 2, note: 'n' }, '2026-12-01T00:00:00.000Z'));
    await store.updateAnnotation('a1', 'u1', (a) => removeTag(a, 't2'));
    await store.updateAnnotation('a1', 'u1', (a) => removeTag(a, 't3'));
    await store.updateAnnotation('a1', 'u1', (a) => unmarkReviewed(a, 1));
    await store.updateAnnotation('a1', 'u2', (a) => markReviewed(a, 1));
    const expected = [store.annotation('a1', 'u1'), store.annotation('a1', 'u2')];
    expect(expected[0]?.reviewed).toEqual([0]);
    expect(expected[0]?.tags.map((t) => t.id)).toEqual(['t1']);

    const again = await restart();
    expect([again.annotation('a1', 'u1'), again.annotation('a1', 'u2')]).toEqual(expected);
    await again.close();
    // The checkpoint wrote the same.
    expect(JSON.parse(stored())).toEqual({ schemaVersion: 1, data: expected[0] });
  });

  it('replays a change made inside a tag’s origin (an accepted suggestion marked adjusted in place)', async () => {
    const store = await storeWithArticle();
    const origin = { kind: 'suggestion' as const, suggester: 'rules' as const, score: 0.75, adjusted: false };
    await store.updateAnnotation('a1', 'u1', (a) => addTag(a, { ...tag('t1', 0), origin: { ...origin } }));
    await store.updateAnnotation('a1', 'u1', (a) => {
      const t1 = a.tags[0];
      if (t1?.origin?.kind === 'suggestion') t1.origin.adjusted = true;
    });
    expect(store.annotation('a1', 'u1')?.tags[0]?.origin).toEqual({ ...origin, adjusted: true });
    const again = await restart();
    expect(again.annotation('a1', 'u1')?.tags[0]?.origin).toEqual({ ...origin, adjusted: true });
    await again.close();
  });

  // Issue 14: each save appended the annotator's whole shard (6,400 saves wrote 127 MB).
  it('journals the change, not the shard: a tag save appends about the tag itself', async () => {
    const store = await storeWithArticle();
    // A busy annotator: 40 tags in the shard already, all in its file.
    for (let i = 0; i < 40; i++) {
      await store.updateAnnotation('a1', 'u1', (a) => addTag(a, { ...tag(`old${i}`, i % 40), category: `c${i}`, note: 'x'.repeat(40) }));
    }
    await store.checkpoint();
    const shardBytes = Buffer.byteLength(stored());
    const saved = { ...tag('new', 12), note: 'a note of some length' };
    const before = await journalBytes();
    await store.updateAnnotation('a1', 'u1', (a) => addTag(a, saved));
    const perSave = (await journalBytes()) - before;
    const tagBytes = Buffer.byteLength(JSON.stringify(saved));
    expect(perSave).toBeLessThanOrEqual(4 * tagBytes);
    expect(perSave).toBeLessThan(shardBytes / 5);
    // Removing a tag records its id; editing records the tag.
    const beforeRemove = await journalBytes();
    await store.updateAnnotation('a1', 'u1', (a) => removeTag(a, 'old3'));
    expect((await journalBytes()) - beforeRemove).toBeLessThan(200);
    await store.close();
  });

  it('a new shard is recorded whole first, then by its changes', async () => {
    const store = await storeWithArticle();
    await store.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t1', 0)));
    await store.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t2', 10)));
    const records = readJournalSync(dir).records.get(shardPath()) ?? [];
    expect(records.map((r) => r.kind)).toEqual(['full', 'change']);
    expect(records[1]?.body).toMatchObject({ put: [tag('t2', 10)] });
    await store.close();
  });

  // Issue 14: a record that parses but fails the tag-file schema was reported against an innocent tags/…json.
  it('a record that fails the schema stops the start naming the journal segment and its offset, not the tags file', async () => {
    const store = await storeWithArticle();
    await store.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t1', 0)));
    await store.close();
    const pack = await readFile(packPath());
    const segment = join(dir, 'journal', '00000007.log');
    const good = encodeRecord(JSON.stringify({ path: 'tags/a1/u1.json', change: { put: [tag('t2', 10)], at: '2026-12-01T00:00:00.000Z' } }));
    const bad = encodeRecord(JSON.stringify({ path: 'tags/a1/u1.json', change: { put: [{ ...tag('t3', 20), voice: 'shouting' }], at: 'x' } }));
    await writeFile(segment, Buffer.concat([good, bad]));
    const error: unknown = await restart().then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).path).toBe(segment);
    expect((error as StorageError).message).toMatch(new RegExp(`^${segment}: the record at byte ${good.length} \\(a save to tags/a1/u1\\.json\\) is invalid`));
    expect((error as StorageError).message).toMatch(/voice/);
    expect(await readFile(packPath())).toEqual(pack);
    expect(await readFile(segment)).toEqual(Buffer.concat([good, bad]));
  });

  it('a change record for a shard that exists neither on disk nor whole in the journal is damage, named by segment', async () => {
    const store = await storeWithArticle();
    await store.close();
    const segment = join(dir, 'journal', '00000001.log');
    await writeFile(segment, encodeRecord(JSON.stringify({ path: 'tags/a1/u9.json', change: { put: [tag('t1', 0, 'u9')], at: 'x' } })));
    await expect(restart()).rejects.toThrow(`${segment}: the record at byte 0 (a save to tags/a1/u9.json) is invalid (it changes a file that is neither on disk nor in an earlier record)`);
  });

  // Issue 14: nothing was checkpointed after a replay, so the journal grew from crash to crash.
  it('checkpoints after replaying a crashed journal: the next crash finds it empty', async () => {
    const store = await storeWithArticle();
    for (let i = 0; i < 20; i++) await store.updateAnnotation('a1', `u${i % 3}`, (a) => addTag(a, tag(`t${i}`, i * 2, `u${i % 3}`)));
    expect(await segments()).toEqual(['00000001.log']);
    const expected = [0, 1, 2].map((k) => store.annotation('a1', `u${k}`));
    // Crash, then a start that does nothing but load.
    const again = await restart();
    await again.afterReplay;
    expect(await segments()).toEqual([]);
    for (let k = 0; k < 3; k++) expect(JSON.parse(stored(`u${k}`))).toEqual({ schemaVersion: 1, data: expected[k] });
    // Crash again: nothing to replay, and nothing lost.
    const third = await restart();
    expect([0, 1, 2].map((k) => third.annotation('a1', `u${k}`))).toEqual(expected);
    await third.close();
  });

  // A start checks every tag shard but keeps them on disk until they are used (the garbage
  // collector copied 200,000 tags kept as objects, most of a start's CPU).
  it('a start checks every shard and reads each again when it is first used: content, counts and later saves exact', async () => {
    const store = await storeWithArticle();
    for (let i = 0; i < 6; i++) await store.updateAnnotation('a1', `u${i % 3}`, (a) => addTag(a, tag(`t${i}`, i * 2, `u${i % 3}`)));
    await store.updateAnnotation('a1', 'u1', (a) => markReviewed(a, 0));
    await store.close();
    const expected = [0, 1, 2].map((k) => store.annotation('a1', `u${k}`));

    // A clean start: nothing in the journal.
    const again = await restart();
    expect(again.tagCount()).toBe(6);
    // The first save to a shard nobody has read since the start records the change only.
    await again.updateAnnotation('a1', 'u2', (a) => addTag(a, tag('t6', 30, 'u2')));
    const records = readJournalSync(dir).records.get(shardPath('u2')) ?? [];
    expect(records.map((r) => r.kind)).toEqual(['change']);
    expect(again.tagCount()).toBe(7);
    expect([0, 1].map((k) => again.annotation('a1', `u${k}`))).toEqual(expected.slice(0, 2));
    expect(again.annotation('a1', 'u2').tags.map((t) => t.id)).toEqual(['t2', 't5', 't6']);

    // A crash with that save in the journal only: the next start replays it over a shard it does not keep.
    const third = await restart();
    expect(third.tagCount()).toBe(7);
    await third.afterReplay;
    expect(await segments()).toEqual([]);
    expect(JSON.parse(stored('u2')).data.tags.map((t: Tag) => t.id)).toEqual(['t2', 't5', 't6']);
    await third.updateAnnotation('a1', 'u2', (a) => removeTag(a, 't2'));
    expect(third.annotation('a1', 'u2').tags.map((t) => t.id)).toEqual(['t5', 't6']);
    await third.close();
    const fourth = await restart();
    expect([0, 1].map((k) => fourth.annotation('a1', `u${k}`))).toEqual(expected.slice(0, 2));
    expect(fourth.annotation('a1', 'u2').tags.map((t) => t.id)).toEqual(['t5', 't6']);
    await fourth.close();
  });

  // Packs: a tag shard is an entry in its article's pack, whose checksum a start checks.
  it('a corrupt tag shard still stops the start, naming the pack and the entry, before anything is served', async () => {
    const store = await storeWithArticle();
    await store.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t1', 0)));
    await store.close();
    const bytes = await readFile(packPath());
    const damaged = Buffer.from(bytes.toString('latin1').replace('"hedge"', '"hedgf"'), 'latin1');
    await writeFile(packPath(), damaged);
    await expect(restart()).rejects.toThrow(`${packPath()} is damaged (the entry of annotator u1: the checksum does not match)`);
    expect(await readFile(packPath())).toEqual(damaged);
  });

  it('a start without a journal left behind has nothing to checkpoint', async () => {
    const store = await storeWithArticle();
    await store.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t1', 0)));
    await store.close();
    const again = await restart();
    await again.afterReplay;
    expect(await segments()).toEqual([]);
    await again.close();
  });
});

/** Segments on which the first write holding `marker` lands only in part, as on a full disk. */
function shortWriteOn(marker: string, seen: { records: number }) {
  let failed = false;
  return async (path: string): Promise<SegmentFile> => {
    const handle = await open(path, 'a');
    return {
      async write(buffer: Buffer) {
        if (failed || !buffer.includes(marker)) return handle.write(buffer);
        failed = true;
        seen.records = buffer.toString().split('\n').length - 1;
        // The first records of the batch land whole, the rest does not.
        const { bytesWritten } = await handle.write(buffer.subarray(0, Math.ceil(buffer.length * 0.6)));
        return { bytesWritten };
      },
      truncate: (length: number) => handle.truncate(length),
      datasync: () => handle.datasync(),
      close: () => handle.close(),
    };
  };
}

describe('saves refused for a full disk (issue 14: 6 of 18 refused saves reappeared after a crash)', () => {
  it('are refused with a StorageFullError (507), rolled back in memory, and do not come back after a crash', async () => {
    const seen = { records: 0 };
    const store = await storeWithArticle({ journal: { openSegment: shortWriteOn('refused', seen) } });
    for (let k = 0; k < 6; k++) await store.updateAnnotation('a1', `u${k}`, (a) => addTag(a, tag(`kept${k}`, 0, `u${k}`)));
    const saves = Array.from({ length: 18 }, (_, i) => ({ annotator: `u${i % 6}`, id: `refused${i}` }));
    const results = await Promise.allSettled(
      saves.map(({ annotator, id }, i) => store.updateAnnotation('a1', annotator, (a) => addTag(a, tag(id, 5 + i * 2, annotator)))),
    );
    const refused = saves.filter((_, i) => results[i]?.status === 'rejected');
    const acknowledged = saves.filter((_, i) => results[i]?.status === 'fulfilled');
    // One group commit of several records was cut short: every save in it (and queued behind it) refused.
    expect(seen.records).toBeGreaterThan(1);
    expect(refused.length).toBeGreaterThanOrEqual(seen.records);
    for (const r of results) {
      if (r.status === 'fulfilled') continue;
      const reason = r.reason as unknown;
      expect(reason).toBeInstanceOf(StorageFullError);
      expect((reason as StorageFullError).status).toBe(507);
      expect((reason as StorageFullError).message).toMatch(/storage is full, so nothing was saved/);
    }
    const stored = (s: Store) => [0, 1, 2, 3, 4, 5].flatMap((k) => s.annotation('a1', `u${k}`).tags.map((t) => t.id)).sort();
    const expected = [...[0, 1, 2, 3, 4, 5].map((k) => `kept${k}`), ...acknowledged.map((s) => s.id)].sort();
    // Not visible now, and the journal takes the next save.
    expect(stored(store)).toEqual(expected);
    await store.updateAnnotation('a1', 'u2', (a) => addTag(a, tag('after', 60, 'u2')));

    const again = await restart();
    expect(stored(again)).toEqual([...expected, 'after'].sort());
    await again.close();
  });

  it('a refused duplicate is rolled back without a write', async () => {
    const store = await storeWithArticle();
    await store.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t1', 0)));
    await expect(store.updateAnnotation('a1', 'u1', (a) => addTag(a, tag('t2', 0)))).rejects.toBeInstanceOf(RuleError);
    expect(store.annotation('a1', 'u1').tags.map((t) => t.id)).toEqual(['t1']);
    expect(readJournalSync(dir).records.get(shardPath())).toHaveLength(1);
    await store.close();
  });
});
