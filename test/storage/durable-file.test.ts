import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  cleanStaleTempFiles,
  DurableJSONFile,
  removeDirDurably,
  removeFileDurably,
  StorageError,
} from '../../server/storage/durable-file.js';
import { openShard } from '../../server/storage/shard.js';

interface ListFile {
  schemaVersion: 1;
  items: string[];
}

function parseList(data: unknown): ListFile {
  const file = data as Partial<ListFile> | null;
  if (file?.schemaVersion !== 1 || !Array.isArray(file.items) || !file.items.every((i) => typeof i === 'string')) {
    throw new Error('expected { schemaVersion: 1, items: string[] }');
  }
  return file as ListFile;
}

const empty = (): ListFile => ({ schemaVersion: 1, items: [] });

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'framelens-storage-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectStorageError(promise: Promise<unknown>, path: string, text: RegExp) {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StorageError);
  expect((error as StorageError).path).toBe(path);
  expect((error as StorageError).message).toContain(path);
  expect((error as StorageError).message).toMatch(text);
}

describe('DurableJSONFile', () => {
  test('round trip', async () => {
    const path = join(dir, 'a.json');
    const file = new DurableJSONFile(path, parseList);
    await file.write({ schemaVersion: 1, items: ['x', 'ü'] });
    expect(await file.read()).toEqual({ schemaVersion: 1, items: ['x', 'ü'] });
    expect(await new DurableJSONFile(path, parseList).read()).toEqual({ schemaVersion: 1, items: ['x', 'ü'] });
  });

  test('an absent file reads as null', async () => {
    expect(await new DurableJSONFile(join(dir, 'missing.json'), parseList).read()).toBeNull();
  });

  test.each([
    ['truncated', '{"schemaVersion":1,"items":["a"'],
    ['empty', ''],
    ['NUL bytes', '\0\0\0\0'],
  ])('a corrupt file (%s) is reported by name and left byte-identical', async (_, content) => {
    const path = join(dir, 'corrupt.json');
    await writeFile(path, content);
    await expectStorageError(new DurableJSONFile(path, parseList).read(), path, /corrupt.*untouched/);
    await expectStorageError(openShard(path, parseList, empty), path, /corrupt/);
    expect(await readFile(path, 'utf8')).toBe(content);
  });

  test('valid JSON that fails validation is reported by name with the reason', async () => {
    const path = join(dir, 'invalid.json');
    await writeFile(path, '{"schemaVersion":2,"items":[]}');
    await expectStorageError(new DurableJSONFile(path, parseList).read(), path, /expected \{ schemaVersion: 1/);
    expect(await readFile(path, 'utf8')).toBe('{"schemaVersion":2,"items":[]}');
  });

  test('an unreadable path (a directory) is an error naming it, not null', async () => {
    const path = join(dir, 'actually-a-dir.json');
    await mkdir(path);
    await expectStorageError(new DurableJSONFile(path, parseList).read(), path, /cannot read/);
  });

  test('creates missing parent directories and leaves no temp files', async () => {
    const path = join(dir, 'deep', 'er', 'a.json');
    const file = new DurableJSONFile(path, parseList);
    await Promise.all(Array.from({ length: 50 }, (_, i) => file.write({ schemaVersion: 1, items: [String(i)] })));
    await file.write({ schemaVersion: 1, items: ['last'] });
    expect(await file.read()).toEqual({ schemaVersion: 1, items: ['last'] });
    expect(await readdir(join(dir, 'deep', 'er'))).toEqual(['a.json']);
  });

  test('concurrent writes of one file take turns: all resolve and the last one stays', async () => {
    const path = join(dir, 'c.json');
    // Not coalesced here (a Shard does that); two adapters on one file still take turns.
    const files = [new DurableJSONFile(path, parseList), new DurableJSONFile(path, parseList)];
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => files[i % 2]!.write({ schemaVersion: 1, items: [String(i)] })),
    );
    expect(await files[0]!.read()).toEqual({ schemaVersion: 1, items: ['199'] });
  });

  test('a failed write rejects with a StorageError and leaves the old file intact', async () => {
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, 'not a directory');
    const path = join(blocker, 'a.json');
    await expectStorageError(new DurableJSONFile(path, parseList).write(empty()), path, /save failed/);
    expect(await readFile(blocker, 'utf8')).toBe('not a directory');
  });
});

describe('openShard', () => {
  test('an absent file starts from initial() and is not written until the first update', async () => {
    const path = join(dir, 's.json');
    const shard = await openShard(path, parseList, empty);
    expect(shard.exists).toBe(false);
    expect(shard.data).toEqual(empty());
    expect(await readdir(dir)).toEqual([]);
    await shard.update((d) => {
      d.items.push('a');
    });
    const again = await openShard(path, parseList, empty);
    expect(again.exists).toBe(true);
    expect(again.data.items).toEqual(['a']);
  });

  test('200 concurrent updates on one shard are all on disk', async () => {
    const path = join(dir, 'one.json');
    const shard = await openShard(path, parseList, empty);
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        shard.update((d) => {
          d.items.push(`item-${i}`);
        }),
      ),
    );
    const fresh = await openShard(path, parseList, empty);
    expect(new Set(fresh.data.items)).toEqual(new Set(Array.from({ length: 200 }, (_, i) => `item-${i}`)));
    expect(fresh.data.items).toHaveLength(200);
    expect(await readdir(dir)).toEqual(['one.json']);
  });

  test('200 concurrent updates over 20 shards are all on disk', async () => {
    const paths = Array.from({ length: 20 }, (_, s) => join(dir, `shard-${s}.json`));
    const shards = await Promise.all(paths.map((p) => openShard(p, parseList, empty)));
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        shards[i % 20]!.update((d) => {
          d.items.push(`item-${i}`);
        }),
      ),
    );
    for (const [s, path] of paths.entries()) {
      const fresh = await openShard(path, parseList, empty);
      expect(fresh.data.items.sort()).toEqual(
        Array.from({ length: 10 }, (_, k) => `item-${s + 20 * k}`).sort(),
      );
    }
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  test('a failed save rejects, rolls memory back, and rejects the updates queued behind it', async () => {
    const blocker = join(dir, 'blocker');
    const shard = await openShard(join(blocker, 'sub', 's.json'), parseList, empty);
    await writeFile(blocker, 'not a directory'); // now the shard's directory cannot be created
    const results = await Promise.allSettled(
      ['a', 'b', 'c'].map((item) =>
        shard.update((d) => {
          d.items.push(item);
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(StorageError);
    expect(shard.data).toEqual(empty());
  });

  test('a save that succeeds after a failed one starts from the rolled-back state', async () => {
    const parent = join(dir, 'later');
    const path = join(parent, 's.json');
    const shard = await openShard(path, parseList, empty);
    await writeFile(parent, 'in the way');
    await expect(shard.update((d) => void d.items.push('lost'))).rejects.toBeInstanceOf(StorageError);
    await rm(parent);
    await shard.update((d) => void d.items.push('kept'));
    expect(shard.data.items).toEqual(['kept']);
    expect((await new DurableJSONFile(path, parseList).read())?.items).toEqual(['kept']);
  });

  test('a throwing mutator is rolled back alone; concurrent updates still land', async () => {
    const path = join(dir, 't.json');
    const shard = await openShard(path, parseList, empty);
    const first = shard.update((d) => void d.items.push('a'));
    const bad = shard.update((d) => {
      d.items.push('half-done');
      throw new Error('nope');
    });
    const third = shard.update((d) => void d.items.push('c'));
    await expect(bad).rejects.toThrow('nope');
    await Promise.all([first, third]);
    expect(shard.data.items).toEqual(['a', 'c']);
    expect((await new DurableJSONFile(path, parseList).read())?.items).toEqual(['a', 'c']);
  });

  test('an async mutator is refused and rolled back', async () => {
    const shard = await openShard(join(dir, 'async.json'), parseList, empty);
    const asyncMutator = async (d: ListFile) => {
      d.items.push('sync part');
    };
    await expect(shard.update(asyncMutator)).rejects.toThrow(/synchronous/);
    expect(shard.data.items).toEqual([]);
  });
});

describe('deletes and start-up cleanup', () => {
  test('removeFileDurably removes a file and ignores a missing one', async () => {
    const path = join(dir, 'gone.json');
    const shard = await openShard(path, parseList, empty);
    const saving = shard.update((d) => void d.items.push('x'));
    await removeFileDurably(path); // waits for the save in flight, so the file stays gone
    await saving;
    expect(await readdir(dir)).toEqual([]);
    await removeFileDurably(path);
  });

  test('removeDirDurably removes a tree and ignores a missing one', async () => {
    const sub = join(dir, 'tags', 'article1');
    await new DurableJSONFile(join(sub, 'a.json'), parseList).write(empty());
    await removeDirDurably(sub);
    expect(await readdir(join(dir, 'tags'))).toEqual([]);
    await removeDirDurably(sub);
  });

  test('cleanStaleTempFiles removes other processes’ leftovers only', async () => {
    const stale = ['.a.json.999999.3.tmp', '.b.json.12.1.tmp'];
    const ours = `.c.json.${process.pid}.7.tmp`;
    const keep = ['a.json', '.a.json.tmp', 'notes.tmp', ours];
    for (const name of [...stale, ...keep]) await writeFile(join(dir, name), '{');
    await mkdir(join(dir, '.tags.999999.4.deleting', 'x'), { recursive: true });
    expect(await cleanStaleTempFiles(dir)).toBe(3);
    expect((await readdir(dir)).sort()).toEqual(keep.sort());
    expect(await cleanStaleTempFiles(join(dir, 'missing'))).toBe(0);
  });
});
