// A lowdb adapter for a file whose saves go to the journal (journal.ts) instead of the file:
// write(data) appends what changed since the last write, and read() gives the file with the
// journal's records for it put over it. A checkpoint writes the file later.
import { StorageError, messageOf, parseJSONBytes, readFileShared, readJSONFile } from './durable-file.js';
import type { ContentSource, FileContent, Journal, JournalRecord } from './journal.js';
import type { DeferredAdapter, SavedData, ShardAdapter } from './shard.js';

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
  /** Throws when a recorded change is not a valid one (what apply() checks first). */
  check(change: unknown): void;
  /**
   * What a start keeps of a file it does not keep in memory (a tag shard's tag count): recorded
   * with every journal record and in a tag pack's table, so that a start knows it without applying records.
   */
  count(content: T | S): number;
}

/** The error for a record that is not valid for its file: the journal segment is named, not the file. */
function invalidRecord(record: JournalRecord, error: unknown): StorageError {
  return new StorageError(
    record.segment,
    `${record.segment}: the record at byte ${record.offset} (a save to ${record.name}) is invalid (${messageOf(error)}); ` +
      `the journal and ${record.name} were left untouched`,
    { cause: error },
  );
}

/**
 * A file's content with `records` (the journal's, in order) applied to `content`
 * (the file's, or null when there is none). A record that is not valid for it throws a
 * StorageError naming the journal segment and the record's byte offset: the file is innocent.
 */
export function applyRecords<T, S>(codec: ChangeCodec<T, S>, content: T | null, records: readonly JournalRecord[]): T | null {
  let data = content;
  for (const record of records) {
    try {
      const { kind, body } = record.read();
      if (kind === 'full') data = codec.parse(body);
      else if (data === null) throw new Error('it changes a file that is neither on disk nor in an earlier record');
      else data = codec.apply(data, body);
    } catch (error) {
      throw invalidRecord(record, error);
    }
  }
  return data;
}

/**
 * Where a file's bytes are kept when not in a file of their own (a tag shard's entry in its
 * article's pack, tag-pack.ts).
 */
export interface FileSource {
  /** What error messages name (the pack and the entry). */
  readonly name: string;
  /**
   * The count kept with the bytes when they are known valid without parsing them (a pack's
   * checksums vouch for what the server wrote); null when they must be parsed and checked.
   */
  readonly trustedCount: number | null;
  /** The bytes, checked against their checksum; null when there are none. */
  bytes(): Buffer | null;
}

export interface JournalledFileOptions<T> {
  /** Where the file's bytes are read from, instead of the file at its path. */
  source?: FileSource;
  /** The journal's records for this file, left by an earlier process: read() applies them. */
  records?: readonly JournalRecord[];
  /** The file's content as read earlier, used instead of reading it (a reader beside a running server). */
  content?: T | null;
}

export class JournalledFile<T, S> implements ShardAdapter<T, S>, DeferredAdapter<T, S>, ContentSource {
  readonly path: string;
  readonly #codec: ChangeCodec<T, S>;
  readonly #journal: Journal | null;
  #records: readonly JournalRecord[];
  /** The count check() found: what load() must find. */
  #checked = -1;
  readonly #content: { value: T | null } | null;
  readonly #source: FileSource | null;
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
    this.#source = options.source ?? null;
  }

  /** The file's bytes (valid until the next read: a start reads thousands), or null. */
  #bytes(): Buffer | null {
    return this.#source ? this.#source.bytes() : readFileShared(this.path);
  }

  /** The file's content, parsed and validated: null when there is none. */
  #readFile(): T | null {
    const codec = this.#codec;
    if (!this.#source) return readJSONFile(this.path, (d) => codec.parse(d));
    const bytes = this.#source.bytes();
    return bytes === null ? null : parseJSONBytes(this.#source.name, bytes, (d) => codec.parse(d));
  }

  /** The file's content with its records applied; the records are kept (nothing is taken over). */
  #contentNow(): T | null {
    const file = this.#content ? this.#content.value : this.#readFile();
    return applyRecords(this.#codec, file, this.#records);
  }

  async read(): Promise<T | null> {
    const data = this.#contentNow();
    const first = this.#records[0];
    this.#takeOver(data);
    if (first && data !== null) {
      // What the records made of the file is written by the next checkpoint (as saved by then).
      this.#journal?.adopt(this.path, () => this.#savedContent(() => data), first.segmentNumber);
    }
    return data;
  }

  /**
   * Checks the file and its records, and keeps nothing: load() reads the file and applies the
   * records when the data is first used (see deferredShard, which is given this adapter).
   * Returns the codec's count of the content with the records applied; null when there is
   * neither a file nor a record of it. What records make of the file is written by the next
   * checkpoint, which reads it through the shard. `verify` is called on every whole content parsed.
   *
   * The file is parsed and validated unless its source vouches for its bytes (a pack entry whose
   * checksum matches: see tag-pack.ts). Each record is read and validated (its JSON, the codec's
   * check of a change, the codec's parse of a whole content) but not applied: the count is the one
   * the last record gives. Records written before records held counts are applied here, as before.
   */
  check(verify: (data: T) => void = () => {}): number | null {
    const codec = this.#codec;
    // A shard whose source vouches for it is not parsed here; any other is read and checked in full.
    let count: number | null = this.#content ? null : (this.#source?.trustedCount ?? null);
    const bytes = this.#content || count !== null ? null : this.#bytes();
    let based = count !== null;
    if (this.#content?.value) {
      based = true;
      count = codec.count(this.#content.value);
    } else if (bytes !== null) {
      based = true;
      const data = parseJSONBytes(this.#source?.name ?? this.path, bytes, (d) => codec.parse(d));
      verify(data);
      count = codec.count(data);
    }
    for (const record of this.#records) {
      try {
        const { kind, body, count: recorded } = record.read();
        if (kind === 'full') {
          const data = codec.parse(body);
          verify(data);
          count = codec.count(data);
          based = true;
        } else if (!based) {
          throw new Error('it changes a file that is neither on disk nor in an earlier record');
        } else {
          codec.check(body);
          count = recorded ?? null;
        }
      } catch (error) {
        throw invalidRecord(record, error);
      }
    }
    if (!based) return null;
    let expected = count;
    if (expected === null) {
      // A journal from before records held counts: its changes are applied to count.
      const data = this.#contentNow();
      if (data === null) return null;
      expected = codec.count(data);
    }
    this.#checked = expected;
    const first = this.#records[0];
    // Named by the record's path (the journal's own string for the file: no copy per file).
    if (first) this.#journal?.adopt(first.file, this, first.segmentNumber);
    return expected;
  }

  /** For the checkpoint that writes what the records made of a checked file. */
  content(): FileContent {
    return this.#savedContent(() => this.load());
  }

  /** The content of a checked file, read again (with its records applied) and taken over. */
  load(): T {
    const count = this.#checked;
    if (count < 0) throw new Error(`${this.path}: load() before check()`);
    const data = this.#contentNow();
    if (data === null) throw new StorageError(this.path, `${this.path} disappeared while the server ran`);
    // The records say what they make of the file; anything else is not what the start counted.
    const found = this.#codec.count(data);
    if (found !== count) {
      const where = this.#records.length > 0 ? ` with the journal's records for it (${this.#records[0]?.segment} on)` : '';
      throw new StorageError(
        this.path,
        `${this.path}${where} holds ${found}, not the ${count} counted at the start (the file changed since, or the journal's counts are wrong); nothing was changed`,
      );
    }
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
  #savedContent(data: () => T): FileContent {
    const saved = this.#shard ? this.#shard.saved() : this.#codec.snapshot(data());
    return { text: this.#codec.serialize(saved), count: this.#codec.count(saved) };
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
    const content = () => this.#savedContent(() => data);
    const count = codec.count(data);
    if (change === null) {
      const whole = codec.serialize(codec.snapshot(data));
      await journal.append(this.path, 'full', whole, count, content);
    } else {
      await journal.append(this.path, 'change', change, count, content);
    }
    this.#based = true;
  }
}
