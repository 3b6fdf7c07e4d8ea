// One file's data held in memory (a lowdb Low) with durable, all-or-nothing updates. Low reads and
// writes through an adapter: a JSON file rewritten whole (durable-file.ts) or, for tag shards, the
// journal (journalled-file.ts). This is the one place where writes to a file are queued.
import { Low, type Adapter } from 'lowdb';
import { DurableJSONFile, StorageError } from './durable-file.js';

/** What a Shard tells its adapter: the data as last saved. */
export interface SavedData<S> {
  /**
   * A snapshot of the data as of the last save that succeeded: the state a write in flight (or
   * the next one) started from. Not a save under way, nor changes not saved yet.
   */
  saved(): S;
}

/**
 * A lowdb adapter a Shard saves through. Besides lowdb's read() and write(data), it copies the
 * data for rollback, in whatever form suits it (JSON text for a whole file, a copy of the tags
 * for the journal, which compares it with the data to write only what changed).
 */
export interface ShardAdapter<T, S = unknown> extends Adapter<T> {
  /** The file, for error messages. */
  readonly path: string;
  /** A copy of `data` as it is now, unaffected by later changes to `data`. */
  snapshot(data: T): S;
  /** The data a snapshot holds, as a new object (the snapshot stays as it was). */
  restore(snapshot: S): T;
  /** Called once by the Shard that reads and writes through this adapter. */
  attach?(shard: SavedData<S>): void;
}

/** An adapter whose data a deferred shard reads (synchronously) when it is first used. */
export interface DeferredAdapter<T, S = unknown> extends ShardAdapter<T, S> {
  load(): T;
}

export interface Shard<T> {
  readonly path: string;
  /** The current value. Read it freely; change it only inside update(). */
  readonly data: T;
  /** Whether the file (or its journalled content) was there when the shard was opened. */
  readonly exists: boolean;
  /** Whether `data` is in memory (a deferred shard reads it when first used). */
  readonly loaded: boolean;
  /**
   * Applies `mutate` to `data` at once, then resolves when a save including it is on
   * disk. `mutate` must be synchronous (lowdb's update() does not await it either,
   * typicode/lowdb#596). If `mutate` throws, or the save fails, `data` is restored
   * to its state before the change and the promise rejects: a change that was not
   * saved is never visible. A failed save also rejects the updates queued behind it,
   * since they were made on top of the lost state. After a rollback `data` is a new
   * object, so do not keep references into it across an await.
   */
  update(mutate: (data: T) => void): Promise<void>;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Updates applied in memory that the next write will carry, and the state before them. */
interface Batch<S> {
  before: S;
  waiters: Waiter[];
}

class LowShard<T, S> implements Shard<T>, SavedData<S> {
  readonly exists: boolean;
  #db: Low<T> | null;
  /** Reads the data of a deferred shard, until it is first used. */
  #load: (() => T) | DeferredAdapter<T, S> | null;
  readonly #adapter: ShardAdapter<T, S>;
  #pending: Batch<S> | null = null;
  /** The batch being written. */
  #writing: Batch<S> | null = null;

  /** `db`: the Low holding the data, or (deferred) what reads the data when it is first used. */
  constructor(db: Low<T> | (() => T) | DeferredAdapter<T, S>, adapter: ShardAdapter<T, S>, exists: boolean) {
    this.#db = db instanceof Low ? db : null;
    this.#load = db instanceof Low ? null : db;
    this.#adapter = adapter;
    this.exists = exists;
    adapter.attach?.(this);
  }

  /** The Low holding the data: a deferred shard's is made (and its data read) here, once. */
  get #low(): Low<T> {
    if (this.#db === null) {
      const load = this.#load;
      if (load === null) throw new Error(`${this.path}: no data and nothing to read it from`);
      this.#db = new Low<T>(this.#adapter, typeof load === 'function' ? load() : load.load());
      this.#load = null;
    }
    return this.#db;
  }

  get loaded(): boolean {
    return this.#db !== null;
  }

  saved(): S {
    // A batch's `before` is the data as the save before it left it.
    const batch = this.#writing ?? this.#pending;
    return batch ? batch.before : this.#adapter.snapshot(this.#low.data);
  }

  get path(): string {
    return this.#adapter.path;
  }

  get data(): T {
    return this.#low.data;
  }

  update(mutate: (data: T) => void): Promise<void> {
    const db = this.#low;
    // The state before, to roll back a throwing mutator exactly without undoing other callers'
    // queued changes.
    const before = this.#adapter.snapshot(db.data);
    try {
      const result: unknown = mutate(db.data);
      if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
        throw new TypeError(`${this.path}: update() mutators must be synchronous`);
      }
    } catch (error) {
      db.data = this.#adapter.restore(before);
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.#pending ??= { before, waiters: [] };
      this.#pending.waiters.push({ resolve, reject });
      if (!this.#writing) void this.#save();
    });
  }

  /** One write at a time; updates made during a write go out together in the next one. */
  async #save(): Promise<void> {
    const db = this.#low;
    for (let batch = this.#pending; batch !== null; batch = this.#pending) {
      this.#pending = null;
      this.#writing = batch;
      try {
        await db.write();
      } catch (error) {
        const queued = this.#pending as Batch<S> | null;
        this.#pending = null;
        this.#writing = null;
        db.data = this.#adapter.restore(batch.before);
        for (const waiter of [...batch.waiters, ...(queued?.waiters ?? [])]) waiter.reject(error);
        return;
      }
      this.#writing = null;
      for (const waiter of batch.waiters) waiter.resolve();
    }
  }
}

/**
 * Opens the file behind `adapter` through lowdb: `initial()` is lowdb's default data, kept when
 * there is no file, which is then first written by the first update(). A corrupt or invalid file
 * rejects with a StorageError naming it (and is left as it is).
 */
export async function openShardWith<T, S>(adapter: ShardAdapter<T, S>, initial: () => T): Promise<Shard<T>> {
  const fallback = initial();
  const db = new Low<T>(adapter, fallback);
  await db.read();
  return new LowShard(db, adapter, db.data !== fallback);
}

/**
 * Opens a file that must exist (one just listed in its folder). lowdb's Low takes its default data
 * before it reads, and such a file has none: its data is read through the same adapter first.
 */
export async function readShardWith<T, S>(adapter: ShardAdapter<T, S>): Promise<Shard<T>> {
  const data = await adapter.read();
  if (data === null) throw new StorageError(adapter.path, `${adapter.path} disappeared while it was being read`);
  return new LowShard(new Low<T>(adapter, data), adapter, true);
}

/**
 * A shard of a file that exists and was checked already, whose data `load` reads (synchronously)
 * when it is first used: a start checks every tag shard and keeps none of them in memory, since
 * keeping 200,000 tags as objects cost it more than reading them (the garbage collector copies
 * every survivor). The adapter is used as by readShardWith once the data is read.
 */
export function deferredShard<T, S>(adapter: ShardAdapter<T, S>, load: () => T): Shard<T>;
/** The same, with the adapter's own load() (no closure per shard: a start makes 20,000). */
export function deferredShard<T, S>(adapter: DeferredAdapter<T, S>): Shard<T>;
export function deferredShard<T, S>(adapter: ShardAdapter<T, S> | DeferredAdapter<T, S>, load?: () => T): Shard<T> {
  if (load) return new LowShard(load, adapter, true);
  if (!('load' in adapter)) throw new TypeError(`${adapter.path}: a deferred shard needs a load()`);
  return new LowShard(adapter, adapter, true);
}

/** A JSON file rewritten whole on every save, validated by `parse` (see openShardWith). */
export function openShard<T>(path: string, parse: (d: unknown) => T, initial: () => T): Promise<Shard<T>> {
  return openShardWith(new DurableJSONFile(path, parse), initial);
}

/** A JSON file that must exist, validated by `parse` (see readShardWith). */
export function readShard<T>(path: string, parse: (d: unknown) => T): Promise<Shard<T>> {
  return readShardWith(new DurableJSONFile(path, parse));
}
