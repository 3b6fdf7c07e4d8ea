// A lowdb adapter for a file whose saves go to the journal (journal.ts) instead of the file:
// write(data) appends what changed since the last write, and read() gives the file with the
// journal's records for it put over it. A checkpoint writes the file later.
import { StorageError, messageOf, readJSONFile } from './durable-file.js';
import type { Journal, JournalRecord } from './journal.js';
import type { SavedData, ShardAdapter } from './shard.js';

/** How a file's content is copied, compared and changed (annotation-changes.ts for tag shards). */
export interface ChangeCodec<T, S> {
  /** Validates a whole file's content (read from the file or from a record of the whole content). */
  parse(content: unknown): T;
  /** A copy of `data` that later changes to `data` leave alone. */
  snapshot(data: T): S;
  restore(snapshot: S): T;
  /** The file's text for a snapshot. */
  serialize(snapshot: S): string;
  /** What changed from `before` to `after` (as JSON, computed at once); null when only the whole content can say it. */
  diff(before: S, after: T): string | null;
  /** `data` with a recorded change applied (validated first: throws when it is not a valid change). */
  apply(data: T, change: unknown): T;
}

/**
 * A file's content with `records` (the journal's, in order) applied to `content`
 * (the file's, or null when there is none). A record that is not valid for it throws a
 * StorageError naming the journal segment and the record's byte offset: the file is innocent.
 */
export function applyRecords<T, S>(codec: ChangeCodec<T, S>, content: T | null, records: JournalRecord[]): T | null {
  let data = content;
  for (const record of records) {
    try {
      const { kind, body } = record.read();
      if (kind === 'full') data = codec.parse(body);
      else if (data === null) throw new Error('it changes a file that is neither on disk nor in an earlier record');
      else data = codec.apply(data, body);
    } catch (error) {
      throw new StorageError(
        record.segment,
        `${record.segment}: the record at byte ${record.offset} (a save to ${record.name}) is invalid (${messageOf(error)}); ` +
          `the journal and ${record.name} were left untouched`,
        { cause: error },
      );
    }
  }
  return data;
}

export interface JournalledFileOptions<T> {
  /** The journal's records for this file, left by an earlier process: read() applies them. */
  records?: JournalRecord[];
  /** The file's content as read earlier, used instead of reading it (a reader beside a running server). */
  content?: T | null;
}

export class JournalledFile<T, S> implements ShardAdapter<T, S> {
  readonly path: string;
  readonly #codec: ChangeCodec<T, S>;
  readonly #journal: Journal | null;
  #records: JournalRecord[];
  readonly #content: { value: T | null } | null;
  /** The Shard writing through this adapter: it knows the content as last written. */
  #shard: SavedData<S> | null = null;
  /** Whether changes have something to build on: the file, or a record of the whole content. */
  #based = false;

  /** Without a `journal` the file is read-only. */
  constructor(path: string, codec: ChangeCodec<T, S>, journal: Journal | null, options: JournalledFileOptions<T> = {}) {
    this.path = path;
    this.#codec = codec;
    this.#journal = journal;
    this.#records = options.records ?? [];
    this.#content = 'content' in options ? { value: options.content ?? null } : null;
  }

  /** The file's content with its records applied; the records are kept (nothing is taken over). */
  #contentNow(): T | null {
    const codec = this.#codec;
    const file = this.#content ? this.#content.value : readJSONFile(this.path, (d) => codec.parse(d));
    return applyRecords(codec, file, this.#records);
  }

  async read(): Promise<T | null> {
    const data = this.#contentNow();
    const first = this.#records[0];
    this.#takeOver(data);
    if (first && data !== null) {
      // What the records made of the file is written by the next checkpoint (as saved by then).
      this.#journal?.adopt(this.path, () => this.#savedText(() => data), first.segmentNumber);
    }
    return data;
  }

  /**
   * Checks the file and its records as read() would, and keeps nothing: `load` reads them again
   * when the data is first used (see deferredShard, which must be given this adapter). Null when
   * there is neither a file nor a record of it. What records make of the file is written by the
   * next checkpoint, which reads it through the shard.
   */
  check(): { data: T; load: () => T } | null {
    const data = this.#contentNow();
    if (data === null) return null;
    const first = this.#records[0];
    if (first) this.#journal?.adopt(this.path, () => this.#savedText(() => this.#load()), first.segmentNumber);
    return { data, load: () => this.#load() };
  }

  /** The content of a checked file, read again and taken over. */
  #load(): T {
    const data = this.#contentNow();
    if (data === null) throw new StorageError(this.path, `${this.path} disappeared while the server ran`);
    this.#takeOver(data);
    return data;
  }

  /** Writes build on `data` from now on; the records are in it. */
  #takeOver(data: T | null): void {
    this.#records = [];
    this.#based = data !== null;
  }

  attach(shard: SavedData<S>): void {
    this.#shard = shard;
  }

  /**
   * The file's content as last saved (never a change not saved yet), for a checkpoint: the
   * Shard's, or `data()` when no Shard writes through this adapter.
   */
  #savedText(data: () => T): string {
    return this.#codec.serialize(this.#shard ? this.#shard.saved() : this.#codec.snapshot(data()));
  }

  snapshot(data: T): S {
    return this.#codec.snapshot(data);
  }

  restore(snapshot: S): T {
    return this.#codec.restore(snapshot);
  }

  async write(data: T): Promise<void> {
    const journal = this.#journal;
    if (!journal) throw new StorageError(this.path, `${this.path}: opened read-only`);
    const codec = this.#codec;
    // Compared with the content as last saved, which the Shard holds while it writes: no copy of
    // every shard is kept between saves.
    const change = this.#based && this.#shard ? codec.diff(this.#shard.saved(), data) : null;
    const text = () => this.#savedText(() => data);
    if (change === null) {
      const whole = codec.serialize(codec.snapshot(data));
      await journal.append(this.path, 'full', whole, text);
    } else {
      await journal.append(this.path, 'change', change, text);
    }
    this.#based = true;
  }
}
