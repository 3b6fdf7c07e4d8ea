// The tag-save journal on a real temporary folder: record framing and checksums, group commit,
// replay after a crash, torn and damaged segments, failed appends taken back, checkpoints, the
// size limit, and a read-only reader beside a running writer.
import { constants } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, readdir, readlink, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal, encodeRecord, readJournalSync, type SegmentFile } from '../../server/storage/journal.js';
import { StorageError, StorageFullError } from '../../server/storage/durable-file.js';

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
const segment = (n: number) => join(dir, 'journal', `${String(n).padStart(8, '0')}.log`);

/** Appends a record of the whole content `value` for `path`. */
function put(journal: Journal, path: string, value: unknown): Promise<void> {
  const text = JSON.stringify(value);
  return journal.append(path, 'full', text, 0, () => ({ text, count: 0 }));
}

/** What a restart would find for each file: its last whole-content record. */
function lastContents(): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [path, records] of readJournalSync(dir).records) out.set(path, records.at(-1)?.body);
  return out;
}

/** A segment's bytes made of these records (each `{path, full}`). */
function segmentOf(...records: { path: string; full: unknown }[]): Buffer {
  return Buffer.concat(records.map((r) => encodeRecord(JSON.stringify(r))));
}

describe('journal records', () => {
  it('carry their length and a CRC-32 of the payload', () => {
    const payload = '{"path":"tags/a1/u1.json","full":{"n":"ü"}}';
    const record = encodeRecord(payload);
    const bytes = Buffer.byteLength(payload);
    expect(record.toString('latin1', 0, 18)).toBe(`${bytes.toString(16).padStart(8, '0')} ${crc32(payload).toString(16).padStart(8, '0')} `);
    expect(record.subarray(18, 18 + bytes).toString()).toBe(payload);
    expect(record.at(-1)).toBe(0x0a);
    expect(record.length).toBe(18 + bytes + 1);
  });
});

describe('the journal', () => {
  it('acknowledges an append once it is in the segment, and leaves the file for a checkpoint', async () => {
    const { journal } = await Journal.open(dir);
    await put(journal, file('u1.json'), { n: 1 });
    expect(await segments()).toEqual(['00000001.log']);
    expect(lastContents().get(file('u1.json'))).toEqual({ n: 1 });
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
    await put(journal, file('u1.json'), { n: 1 });
    const path = join(await realpath(dir), 'journal', '00000001.log');
    const flags: number[] = [];
    for (const fd of await readdir('/proc/self/fd')) {
      if ((await readlink(`/proc/self/fd/${fd}`).catch(() => '')) !== path) continue;
      const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8');
      flags.push(Number.parseInt(/^flags:\s*([0-7]+)/m.exec(info)?.[1] ?? '0', 8));
    }
    expect(flags).toHaveLength(1);
    expect((flags[0] ?? 0) & constants.O_DSYNC).toBe(constants.O_DSYNC);
    await journal.close();
  });

  it('writes concurrent appends together and keeps every record in order', async () => {
    const { journal } = await Journal.open(dir);
    await Promise.all(Array.from({ length: 200 }, (_, i) => put(journal, file(`u${i % 10}.json`), { n: i })));
    const lines = (await readFile(segment(1), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(200);
    const records = readJournalSync(dir).records;
    expect(records.size).toBe(10);
    for (let k = 0; k < 10; k++) {
      expect(records.get(file(`u${k}.json`))?.map((r) => r.body)).toEqual(Array.from({ length: 20 }, (_, j) => ({ n: k + 10 * j })));
    }
    await journal.close();
    for (let k = 0; k < 10; k++) expect(await read(file(`u${k}.json`))).toEqual({ n: 190 + k });
    expect(await segments()).toEqual([]);
  });

  it('reads what a crashed process left, dropping a record cut short at the end, and checkpoints what it is handed back', async () => {
    await mkdir(join(dir, 'journal'));
    await writeFile(
      segment(4),
      segmentOf({ path: 'tags/a1/u1.json', full: { n: 1 } }, { path: 'tags/a1/u2.json', full: { n: 2 } }, { path: 'tags/a1/u1.json', full: { n: 3 } }),
    );
    const cut = encodeRecord(JSON.stringify({ path: 'tags/a1/u1.json', full: { n: 99 } }));
    await writeFile(segment(5), Buffer.concat([segmentOf({ path: 'tags/a1/u2.json', full: { n: 4 } }), cut.subarray(0, cut.length - 5)]));
    const { journal, contents } = await Journal.open(dir);
    expect(contents.segments).toEqual([4, 5]);
    const last = new Map([...contents.records].map(([path, records]) => [path, records.at(-1)]));
    expect(last.get(file('u1.json'))).toMatchObject({ body: { n: 3 }, segmentNumber: 4, offset: segmentOf(
      { path: 'tags/a1/u1.json', full: { n: 1 } }, { path: 'tags/a1/u2.json', full: { n: 2 } },
    ).length });
    expect(last.get(file('u2.json'))).toMatchObject({ body: { n: 4 }, segmentNumber: 5, offset: 0 });
    // Whoever reads the files hands their new content back; the next checkpoint writes it.
    journal.adopt(file('u1.json'), () => ({ text: '{"n":3}', count: 0 }), 4);
    journal.adopt(file('u2.json'), () => ({ text: '{"n":4}', count: 0 }), 4);
    expect(journal.pending).toBe(2);
    // Numbering goes on after the segments left behind, which the next checkpoint deletes.
    await put(journal, file('u3.json'), { n: 5 });
    expect(await segments()).toEqual(['00000004.log', '00000005.log', '00000006.log']);
    await journal.checkpoint();
    expect(await read(file('u1.json'))).toEqual({ n: 3 });
    expect(await read(file('u2.json'))).toEqual({ n: 4 });
    expect(await read(file('u3.json'))).toEqual({ n: 5 });
    expect(await segments()).toEqual([]);
    await journal.close();
  });

  it.each([
    ['inside the header', (r: Buffer) => r.subarray(0, 11)],
    ['inside the payload', (r: Buffer) => r.subarray(0, 40)],
    ['just before the newline', (r: Buffer) => r.subarray(0, r.length - 1)],
    ['and left NUL bytes behind', (r: Buffer) => Buffer.concat([r.subarray(0, 30), Buffer.alloc(4096)])],
  ])('takes a last record cut short %s for a write never acknowledged', async (_, cut) => {
    await mkdir(join(dir, 'journal'));
    const last = encodeRecord(JSON.stringify({ path: 'tags/a1/u1.json', full: { n: 2 } }));
    await writeFile(segment(1), Buffer.concat([segmentOf({ path: 'tags/a1/u1.json', full: { n: 1 } }), cut(last)]));
    const records = readJournalSync(dir).records.get(file('u1.json')) ?? [];
    // Cut just before its newline, the record is whole, and its checksum says so.
    expect(records.map((r) => r.body)).toEqual(_ === 'just before the newline' ? [{ n: 1 }, { n: 2 }] : [{ n: 1 }]);
  });

  // Issue 14: a complete record with one bad byte was taken for a torn write and dropped, and with
  // it an acknowledged save.
  it.each([
    ['in the payload of the last record', (b: Buffer, last: number) => (b[last + 30] = 'X'.charCodeAt(0))],
    ['in the newline ending the last record', (b: Buffer) => (b[b.length - 1] = 0x20)],
    ['in the length of the last record', (b: Buffer, last: number) => (b[last + 7] = b[last + 7] === 0x31 ? 0x32 : 0x31)],
    ['in the checksum of the last record', (b: Buffer, last: number) => (b[last + 10] = b[last + 10] === 0x31 ? 0x32 : 0x31)],
    ['in the payload of the first record', (b: Buffer) => (b[25] = 'X'.charCodeAt(0))],
    ['that makes a newline inside a record', (b: Buffer) => (b[30] = 0x0a)],
  ])('refuses to start on a bad byte %s, naming the segment and the offset and changing nothing', async (_, damage) => {
    await mkdir(join(dir, 'journal'));
    const first = segmentOf({ path: 'tags/a1/u1.json', full: { n: 1 } });
    const bytes = Buffer.concat([first, segmentOf({ path: 'tags/a1/u1.json', full: { n: 2 } })]);
    damage(bytes, first.length);
    await writeFile(segment(3), bytes);
    const error: unknown = await Journal.open(dir).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).path).toBe(segment(3));
    expect((error as StorageError).message).toMatch(new RegExp(`^${segment(3)} is damaged at byte (0|${first.length}) \\(`));
    expect((error as StorageError).message).toMatch(/left untouched/);
    expect(await readFile(segment(3))).toEqual(bytes);
    await expect(readFile(file('u1.json'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('refuses a record naming a file outside the data folder', async () => {
    await mkdir(join(dir, 'journal'));
    await writeFile(segment(1), segmentOf({ path: '../escape.json', full: {} }));
    await expect(Journal.open(dir)).rejects.toThrow(/outside the data folder/);
    const { journal } = await Journal.open(join(dir, 'other'));
    await expect(put(journal, join(dir, 'escape.json'), {})).rejects.toThrow(/outside the data folder/);
    await journal.close();
  });

  it('checkpoints by itself when a segment is full, while saves go on', async () => {
    const { journal } = await Journal.open(dir, { segmentBytes: 2048 });
    for (let i = 0; i < 100; i++) await put(journal, file(`u${i % 7}.json`), { n: i, pad: 'x'.repeat(100) });
    await journal.checkpoint();
    await put(journal, file('u0.json'), { n: 'last' });
    expect((await segments()).length).toBe(1);
    expect(journal.pending).toBe(1);
    // Files not saved since the checkpoint are up to date on their own.
    for (let k = 1; k < 7; k++) expect(await read(file(`u${k}.json`))).toMatchObject({ n: 99 - ((99 - k) % 7) });
    await journal.close();
    expect(await read(file('u0.json'))).toEqual({ n: 'last' });
  });

  // Records are changes: a checkpoint that deletes a segment must have written every file with a
  // record in it, whatever came for that file meanwhile.
  it('a save during a checkpoint goes to the next segment; the files and that segment hold everything', async () => {
    const { journal } = await Journal.open(dir);
    await put(journal, file('u1.json'), { n: 1 });
    const checkpoint = journal.checkpoint();
    await new Promise((r) => setImmediate(r)); // the checkpoint has closed segment 1
    await put(journal, file('u1.json'), { n: 2 });
    await checkpoint;
    expect(await segments()).toEqual(['00000002.log']);
    // A crash now: the file, with the records left put over it, is the latest save.
    const left = readJournalSync(dir).records.get(file('u1.json'));
    expect(left?.map((r) => r.body)).toEqual([{ n: 2 }]);
    expect(journal.pending).toBeLessThanOrEqual(1);
    await journal.close();
    expect(await read(file('u1.json'))).toEqual({ n: 2 });
  });

  it('checkpoints after a quiet spell', async () => {
    const { journal } = await Journal.open(dir, { idleCheckpointMs: 20 });
    await put(journal, file('u1.json'), { n: 1 });
    for (let i = 0; i < 500 && journal.pending > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(journal.pending).toBe(0);
    expect(await read(file('u1.json'))).toEqual({ n: 1 });
    await journal.close();
  });

  it('never lets its segments grow much past maxBytes: appends wait for the checkpoint', async () => {
    const { journal } = await Journal.open(dir, { segmentBytes: 4096, maxBytes: 3 * 4096 });
    let largest = 0;
    const sizes = async () => {
      let total = 0;
      for (const name of await segments()) total += (await stat(join(dir, 'journal', name)).catch(() => ({ size: 0 }))).size;
      return total;
    };
    for (let round = 0; round < 40; round++) {
      await Promise.all(Array.from({ length: 10 }, (_, i) => put(journal, file(`u${i}.json`), { round, pad: 'x'.repeat(200) })));
      largest = Math.max(largest, journal.bytes, await sizes());
    }
    // One batch of 10 records (~2.6 KB) may go past the limit before appends wait.
    expect(largest).toBeLessThan(3 * 4096 + 3000);
    await journal.close();
    for (let i = 0; i < 10; i++) expect(await read(file(`u${i}.json`))).toMatchObject({ round: 39 });
  });

  it('forgets the files of a folder being deleted: no checkpoint brings them back', async () => {
    const { journal } = await Journal.open(dir);
    await put(journal, file('u1.json'), { n: 1 });
    await put(journal, join(dir, 'tags', 'a2', 'u1.json'), { n: 2 });
    await journal.forget(join(dir, 'tags', 'a1'));
    await journal.close();
    expect(await readdir(join(dir, 'tags'))).toEqual(['a2']);
  });

  it('refuses appends once closed', async () => {
    const { journal } = await Journal.open(dir);
    await journal.close();
    await expect(put(journal, file('u1.json'), {})).rejects.toThrow(/closed/);
  });

  it('a segment with a torn end followed by a newer segment replays both', async () => {
    await mkdir(join(dir, 'journal'));
    const torn = encodeRecord('{"path":"tags/a1/u1.json","full":{"n":0}}').subarray(0, 20);
    await writeFile(segment(1), Buffer.concat([segmentOf({ path: 'tags/a1/u1.json', full: { n: 1 } }), torn]));
    await writeFile(segment(2), segmentOf({ path: 'tags/a1/u2.json', full: { n: 2 } }));
    expect(lastContents()).toEqual(new Map([[file('u1.json'), { n: 1 }], [file('u2.json'), { n: 2 }]]));
  });
});

/** Segment files that fail like a full disk: the `failAt`-th write puts only part of its bytes on disk. */
function failingSegments(failAt: (n: number) => boolean, options: { truncateFails?: boolean } = {}) {
  let writes = 0;
  return async (path: string): Promise<SegmentFile> => {
    const handle = await open(path, 'a');
    return {
      async write(buffer: Buffer) {
        if (!failAt(++writes)) return handle.write(buffer);
        // What a full disk does: the first part of the batch lands, the rest does not.
        const { bytesWritten } = await handle.write(buffer.subarray(0, Math.floor(buffer.length * 0.7)));
        return { bytesWritten };
      },
      truncate: async (length: number) => {
        if (options.truncateFails) throw Object.assign(new Error('EIO: i/o error, ftruncate'), { code: 'EIO' });
        await handle.truncate(length);
      },
      datasync: () => handle.datasync(),
      close: () => handle.close(),
    };
  };
}

describe('a failed append (issue 14: refused saves came back after a crash)', () => {
  it('is taken back: the segment is cut to its length before the batch, and its records never replay', async () => {
    const { journal } = await Journal.open(dir, { openSegment: failingSegments((n) => n === 2) });
    await put(journal, file('u0.json'), { n: 'acknowledged' });
    const before = (await stat(segment(1))).size;
    // 18 saves in one batch, written only in part.
    const results = await Promise.allSettled(Array.from({ length: 18 }, (_, i) => put(journal, file(`u${i}.json`), { n: `refused ${i}` })));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    const reason = (results[0] as PromiseRejectedResult).reason as unknown;
    expect(reason).toBeInstanceOf(StorageFullError);
    expect((reason as StorageFullError).status).toBe(507);
    expect((await stat(segment(1))).size).toBe(before);
    // The journal goes on in the same segment.
    await put(journal, file('u1.json'), { n: 'after' });
    // A crash now: nothing refused comes back.
    const replayed = lastContents();
    expect(replayed).toEqual(new Map([[file('u0.json'), { n: 'acknowledged' }], [file('u1.json'), { n: 'after' }]]));
    await journal.close();
  });

  it('that cannot be taken back stops the journal: every later save is refused', async () => {
    const { journal } = await Journal.open(dir, { openSegment: failingSegments((n) => n === 1, { truncateFails: true }) });
    const errors: string[] = [];
    const original = console.error;
    console.error = (message: string) => errors.push(message);
    try {
      await expect(put(journal, file('u1.json'), { n: 1 })).rejects.toBeInstanceOf(StorageFullError);
    } finally {
      console.error = original;
    }
    expect(errors.join('\n')).toMatch(/could not be taken back/);
    await expect(put(journal, file('u1.json'), { n: 2 })).rejects.toThrow(/could not be taken back.*no more saves are taken/);
  });
});
