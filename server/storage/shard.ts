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

/** Updates applied in memory that the next save will carry, and the state (as JSON) before them. */
interface Batch {
  before: string;
  waiters: Waiter[];
}

class LowShard<T> implements Shard<T> {
  readonly path: string;
  readonly exists: boolean;
  readonly #db: Low<T>;
  readonly #file: DurableJSONFile<T>;
  /** `data` as JSON, as of the last update: the state to roll back to, and what the next save writes. */
  #text: string | null = null;
  #pending: Batch | null = null;
  #saving = false;

  constructor(path: string, db: Low<T>, file: DurableJSONFile<T>, exists: boolean) {
    this.path = path;
    this.#db = db;
    this.#file = file;
    this.exists = exists;
  }

  get data(): T {
    return this.#db.data;
  }

  update(mutate: (data: T) => void): Promise<void> {
    // The JSON of the state before, to roll back a throwing mutator exactly without undoing
    // other callers' queued changes. The save needs the JSON after anyway, so each update
    // serialises once (a deep copy per update cost twice that).
    const before = this.#text ?? JSON.stringify(this.#db.data);
    try {
      const result: unknown = mutate(this.#db.data);
      if (typeof (result as PromiseLike<unknown> | undefined)?.then === 'function') {
        throw new TypeError(`${this.path}: update() mutators must be synchronous`);
      }
    } catch (error) {
      this.#restore(before);
      return Promise.reject(error);
    }
    this.#text = JSON.stringify(this.#db.data);
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
        await this.#file.write(this.#db.data, this.#text ?? undefined);
      } catch (error) {
        const queued = this.#pending as Batch | null;
        this.#pending = null;
        this.#restore(batch.before);
        for (const waiter of [...batch.waiters, ...(queued?.waiters ?? [])]) waiter.reject(error);
        break;
      }
      for (const waiter of batch.waiters) waiter.resolve();
    }
    this.#saving = false;
  }

  #restore(text: string): void {
    // Our own serialisation of data that was valid: parsed back, not re-validated.
    this.#db.data = JSON.parse(text);
    this.#text = text;
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
  return new LowShard(path, new Low(file, stored ?? initial()), file, stored !== null);
}
