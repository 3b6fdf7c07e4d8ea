// One JSON file held in memory (a lowdb Low) with durable, all-or-nothing updates.
import { Low } from 'lowdb';
import { DurableJSONFile, type WriteAheadLog } from './durable-file.js';

export interface Shard<T> {
  readonly path: string;
  /** The current value. Read it freely; change it only inside update(). */
  readonly data: T;
  /** Whether the file was on disk when the shard was opened. */
  readonly exists: boolean;
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

/** Updates applied in memory that the next save will carry, and the state before them. */
interface Batch<T> {
  before: T;
  waiters: Waiter[];
}

class LowShard<T> implements Shard<T> {
  readonly path: string;
  readonly exists: boolean;
  readonly #db: Low<T>;
  #pending: Batch<T> | null = null;
  #saving = false;

  constructor(path: string, db: Low<T>, exists: boolean) {
    this.path = path;
    this.#db = db;
    this.exists = exists;
  }

  get data(): T {
    return this.#db.data;
  }

  update(mutate: (data: T) => void): Promise<void> {
    // A deep copy per update (~1 ms per 150 KB of JSON) is the price of rolling back
    // a throwing mutator exactly, without undoing other callers' queued changes.
    const before = structuredClone(this.#db.data);
    try {
      const result: unknown = mutate(this.#db.data);
      if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
        throw new TypeError(`${this.path}: update() mutators must be synchronous`);
      }
    } catch (error) {
      this.#db.data = before;
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.#pending ??= { before, waiters: [] };
      this.#pending.waiters.push({ resolve, reject });
      if (!this.#saving) void this.#save();
    });
  }

  /** One save at a time; updates made during a save go out together in the next one. */
  async #save(): Promise<void> {
    this.#saving = true;
    for (let batch = this.#pending; batch !== null; batch = this.#pending) {
      this.#pending = null;
      try {
        await this.#db.write();
      } catch (error) {
        const queued = this.#pending as Batch<T> | null;
        this.#pending = null;
        this.#db.data = batch.before;
        for (const waiter of [...batch.waiters, ...(queued?.waiters ?? [])]) waiter.reject(error);
        break;
      }
      for (const waiter of batch.waiters) waiter.resolve();
    }
    this.#saving = false;
  }
}

export interface ShardOptions {
  /** Saves go to this log, which brings the file up to date later (journal.ts). */
  log?: WriteAheadLog;
  /**
   * The content to use instead of the file's (a read-only reader's view of a journalled file
   * whose latest content is in the journal); validated by `parse` all the same.
   */
  content?: unknown;
}

/**
 * Opens the JSON file at `path`, validated by `parse`. An absent file starts as
 * `initial()` and is first written by the first update(); a corrupt or invalid
 * file rejects with a StorageError naming it (and is left as it is).
 */
export async function openShard<T>(
  path: string,
  parse: (d: unknown) => T,
  initial: () => T,
  options: ShardOptions = {},
): Promise<Shard<T>> {
  const file = new DurableJSONFile(path, parse, options.log);
  const stored = 'content' in options ? file.parse(options.content) : await file.read();
  return new LowShard(path, new Low(file, stored ?? initial()), stored !== null);
}
