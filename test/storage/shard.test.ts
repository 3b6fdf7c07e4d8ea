// A shard is a lowdb Low reading and writing through an adapter (issue 14, item 7: Low only held
// `.data`, Low.read/Low.write were never called, and two write-coalescing queues were stacked).
import { Low } from 'lowdb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deferredShard, openShardWith, readShardWith, type ShardAdapter } from '../../server/storage/shard.js';

interface Doc {
  items: string[];
}

/** An adapter in memory that records what lowdb asks of it; each write takes `writeMs`. */
class RecordingAdapter implements ShardAdapter<Doc, string> {
  readonly path = '/memory/doc.json';
  reads = 0;
  readonly writes: string[] = [];
  stored: string | null;
  writing = 0;
  overlapped = false;
  readonly writeMs: number;

  constructor(stored: Doc | null, writeMs = 5) {
    this.stored = stored === null ? null : JSON.stringify(stored);
    this.writeMs = writeMs;
  }

  async read(): Promise<Doc | null> {
    this.reads++;
    return this.stored === null ? null : JSON.parse(this.stored);
  }

  async write(data: Doc): Promise<void> {
    if (++this.writing > 1) this.overlapped = true;
    const text = JSON.stringify(data);
    await new Promise((r) => setTimeout(r, this.writeMs));
    this.writes.push(text);
    this.stored = text;
    this.writing--;
  }

  snapshot(data: Doc): string {
    return JSON.stringify(data);
  }

  restore(snapshot: string): Doc {
    return JSON.parse(snapshot);
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a shard on lowdb', () => {
  it('reads through Low.read and the adapter, and writes through Low.write', async () => {
    const read = vi.spyOn(Low.prototype, 'read');
    const write = vi.spyOn(Low.prototype, 'write');
    const adapter = new RecordingAdapter({ items: ['a'] });
    const shard = await openShardWith(adapter, () => ({ items: [] }));
    expect(read).toHaveBeenCalledTimes(1);
    expect(adapter.reads).toBe(1);
    expect(shard.exists).toBe(true);
    expect(shard.data).toEqual({ items: ['a'] });
    await shard.update((d) => void d.items.push('b'));
    expect(write).toHaveBeenCalledTimes(1);
    expect(adapter.writes).toEqual([JSON.stringify({ items: ['a', 'b'] })]);
  });

  it("keeps lowdb's default data when the adapter finds no file", async () => {
    const adapter = new RecordingAdapter(null);
    const shard = await openShardWith(adapter, () => ({ items: ['default'] }));
    expect(shard.exists).toBe(false);
    expect(shard.data).toEqual({ items: ['default'] });
    expect(adapter.writes).toEqual([]);
    await expect(readShardWith(new RecordingAdapter(null))).rejects.toThrow(/disappeared/);
  });

  it('has one write queue: one write in flight, the updates made meanwhile share the next, each resolved by its own write', async () => {
    const adapter = new RecordingAdapter({ items: [] }, 30);
    const shard = await openShardWith(adapter, () => ({ items: [] }));
    const resolvedAfter: number[] = [];
    const updates = Array.from({ length: 50 }, (_, i) =>
      shard.update((d) => void d.items.push(String(i))).then(() => resolvedAfter.push(adapter.writes.length)),
    );
    await Promise.all(updates);
    expect(adapter.overlapped).toBe(false);
    // The first update went out alone; the 49 made while it was written went out together.
    expect(adapter.writes.map((w) => (JSON.parse(w) as Doc).items.length)).toEqual([1, 50]);
    // The first caller did not wait for the second write.
    expect(resolvedAfter[0]).toBe(1);
    expect(resolvedAfter.slice(1).every((n) => n === 2)).toBe(true);
  });

  it('a deferred shard reads its data when first used, once, then reads and writes like any other', async () => {
    const adapter = new RecordingAdapter({ items: ['a'] });
    let loads = 0;
    const shard = deferredShard(adapter, () => {
      loads++;
      return { items: ['a'] };
    });
    expect(shard.loaded).toBe(false);
    expect(shard.exists).toBe(true);
    expect(loads).toBe(0);
    expect(shard.data).toEqual({ items: ['a'] });
    expect(shard.loaded).toBe(true);
    await shard.update((d) => void d.items.push('b'));
    await expect(shard.update(() => { throw new Error('refused'); })).rejects.toThrow('refused');
    expect(shard.data).toEqual({ items: ['a', 'b'] });
    expect(loads).toBe(1);
    // lowdb's read is not asked for: the data was read (and checked) by whoever made the shard.
    expect(adapter.reads).toBe(0);
    expect(adapter.writes).toEqual([JSON.stringify({ items: ['a', 'b'] })]);
  });

  it('a deferred shard first used by an update reads its data then', async () => {
    const adapter = new RecordingAdapter({ items: [] });
    const shard = deferredShard(adapter, () => ({ items: ['x'] }));
    await shard.update((d) => void d.items.push('y'));
    expect(adapter.writes).toEqual([JSON.stringify({ items: ['x', 'y'] })]);
  });
});
