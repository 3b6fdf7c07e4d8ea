// Group commit for the files that take most writes (tag shards).
//
// A durable rewrite of a shard costs its own fsyncs, and with 50 annotators saving at once the
// disk's fsync queue sets the latency (p99 ~60 ms on these machines). Instead a save appends the
// shard's new content to a journal; saves arriving while one append is being synced go out
// together in the next append and share one sync. A save is acknowledged once its journal
// record is on disk. The shard files themselves are rewritten later, by a checkpoint, which then
// deletes the journal segments it has made redundant:
//   - when the current segment passes SEGMENT_BYTES,
//   - after IDLE_CHECKPOINT_MS without a save,
//   - at close().
// Opening a data folder reads whatever segments a crash left behind (the last record per file
// wins): the store puts their content over the shards it reads, and the next checkpoint writes
// them. A record cut short by the crash was never acknowledged and is dropped.
//
// Layout: DATA_DIR/journal/<8-digit sequence>.log, one JSON record per line:
//   {"path":"tags/<article>/<annotator>.json","data":<the file's whole content>}
import { constants, readFileSync, readdirSync } from 'node:fs';
import { type FileHandle, open, unlink } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { StorageError, makeDirDurably, syncDir, writeDurably } from './durable-file.js';

// Rewriting a shard costs about as much CPU as a save itself, so checkpoints are kept rare: the
// longer a segment, the more saves to one shard a checkpoint writes as one (the same trade-off as
// a database's WAL size between checkpoints). The price is reading up to this much at a start
// after a crash (about a second).
const SEGMENT_BYTES = 256 * 1024 * 1024;
const IDLE_CHECKPOINT_MS = 60_000;
/** Shards rewritten at once by a checkpoint: enough to keep the disk busy, few enough to leave CPU and disk to saves. */
const CHECKPOINT_WRITERS = 2;
const SEGMENT_NAME = /^(\d{8})\.log$/;
// Segments are opened for synchronous data writes (O_DSYNC) where the platform has them: an
// append is on disk when its write returns, one trip through the thread pool instead of two
// (write, then fdatasync). Under load the main thread is busy with incoming saves when the write
// completes, and the fdatasync could only start once it had turned round to it.
const SYNC_APPEND =
  constants.O_DSYNC === undefined ? null : constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC;

export interface JournalOptions {
  segmentBytes?: number;
  idleCheckpointMs?: number;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** A shard's latest journalled content that its file does not have yet. */
interface Dirty {
  text: string;
  segment: number;
}

/** What the segments on disk hold: the last record per file (absolute path → content). */
export interface JournalContents {
  segments: number[];
  files: Map<string, unknown>;
  /** The segment holding each file's last record. */
  segmentOf: Map<string, number>;
}

function segmentPath(dir: string, segment: number): string {
  return join(dir, `${String(segment).padStart(8, '0')}.log`);
}

function listSegments(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return [];
    throw error;
  }
  return names
    .map((name) => SEGMENT_NAME.exec(name)?.[1])
    .filter((n) => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** The file a record names, which must lie inside the data folder. */
function recordPath(root: string, segment: string, value: unknown): string {
  if (typeof value !== 'string' || value === '' || isAbsolute(value)) {
    throw new StorageError(segment, `${segment}: a record names no valid file; the journal was left untouched`);
  }
  const path = resolve(root, value);
  if (relative(root, path).startsWith('..')) {
    throw new StorageError(segment, `${segment}: a record names a file outside the data folder; the journal was left untouched`);
  }
  return path;
}

/**
 * Reads every segment in `root`/journal. A line that is not a complete record is allowed only at
 * the end of a segment (a write cut short, never acknowledged); anywhere else the journal is
 * corrupt and a StorageError names the segment. A segment deleted meanwhile (by a running
 * server's checkpoint) is skipped: its records are in their files by then.
 */
export function readJournal(root: string): JournalContents {
  const dir = join(root, 'journal');
  const segments: number[] = [];
  const files = new Map<string, unknown>();
  const segmentOf = new Map<string, number>();
  for (const segment of listSegments(dir)) {
    const path = segmentPath(dir, segment);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') continue;
      throw new StorageError(path, `${path}: cannot read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    segments.push(segment);
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] ?? '';
      if (line === '') continue;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        record = null;
      }
      if (typeof record !== 'object' || record === null || !('path' in record) || !('data' in record)) {
        const last = lines.slice(i + 1).every((l) => l === '');
        if (last) break;
        throw new StorageError(path, `${path} is corrupt (line ${i + 1} is not a journal record); the file was left untouched`);
      }
      const file = recordPath(root, path, record.path);
      files.set(file, record.data);
      segmentOf.set(file, segment);
    }
  }
  return { segments, files, segmentOf };
}

/** A record waiting for the next append. */
interface Queued {
  path: string;
  text: string;
  line: string;
  waiter: Waiter;
}

export class Journal {
  readonly #root: string;
  readonly #dir: string;
  readonly #segmentBytes: number;
  readonly #idleMs: number;
  #segment: number;
  #handle: FileHandle | null = null;
  #bytes = 0;
  #queued: Queued[] = [];
  #flushQueued = false;
  /** Appends and segment switches run one after another, in order. */
  #chain: Promise<unknown> = Promise.resolve();
  readonly #dirty = new Map<string, Dirty>();
  #checkpointing: Promise<void> | null = null;
  #idleTimer: NodeJS.Timeout | null = null;
  #closed = false;

  private constructor(root: string, segment: number, options: JournalOptions) {
    this.#root = resolve(root);
    this.#dir = join(this.#root, 'journal');
    this.#segment = segment;
    this.#segmentBytes = options.segmentBytes ?? SEGMENT_BYTES;
    this.#idleMs = options.idleCheckpointMs ?? IDLE_CHECKPOINT_MS;
  }

  /**
   * Opens the journal in `root` and reads what a previous process left in it: `files` holds each
   * journalled file's last content, newer than the file itself. The reader of those files must
   * put it over what it reads (or `forget` the file); the next checkpoint writes it. Written
   * here instead, a long journal would hold up the start by thousands of fsyncs.
   */
  static async open(root: string, options: JournalOptions = {}): Promise<{ journal: Journal; files: Map<string, unknown> }> {
    const { segments, files, segmentOf } = readJournal(root);
    const journal = new Journal(root, (segments.at(-1) ?? 0) + 1, options);
    await makeDirDurably(journal.#dir);
    for (const [path, content] of files) {
      journal.#dirty.set(path, { text: JSON.stringify(content), segment: segmentOf.get(path) ?? 0 });
    }
    return { journal, files };
  }

  /** Files whose latest content is in the journal only (not yet checkpointed). */
  get pending(): number {
    return this.#dirty.size;
  }

  /** Resolves once `text` (JSON) is on disk as the next content of the file at `path`. */
  append(path: string, text: string): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the journal is closed'));
    const absolute = resolve(path);
    const name = relative(this.#root, absolute);
    if (name.startsWith('..') || isAbsolute(name)) return Promise.reject(new Error(`${path} is outside the data folder`));
    return new Promise<void>((resolve, reject) => {
      // The content is JSON already: spliced in as it is rather than escaped as a string.
      const line = `{"path":${JSON.stringify(name.split(sep).join('/'))},"data":${text}}\n`;
      this.#queued.push({ path: absolute, text, line, waiter: { resolve, reject } });
      if (!this.#flushQueued) {
        this.#flushQueued = true;
        void this.#serial(() => this.#flush());
      }
    });
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(task);
    this.#chain = run.catch(() => {});
    return run;
  }

  /** One synchronous write for every record queued since the last one (group commit). */
  async #flush(): Promise<void> {
    this.#flushQueued = false;
    const batch = this.#queued;
    this.#queued = [];
    const records = Buffer.from(batch.map((q) => q.line).join(''));
    try {
      if (!this.#handle) {
        this.#handle = await open(segmentPath(this.#dir, this.#segment), SYNC_APPEND ?? 'a');
        // The new segment's directory entry must be durable before a record in it is acknowledged.
        await syncDir(this.#dir);
      }
      const { bytesWritten } = await this.#handle.write(records);
      // Short only when the disk is full or failing: the records that did not fit are not on disk.
      if (bytesWritten !== records.length) throw new Error(`only ${bytesWritten} of ${records.length} bytes were written`);
      if (SYNC_APPEND === null) await this.#handle.datasync();
    } catch (error) {
      // What was written of this batch may be torn: later records go to a new segment, so the
      // tear stays at the end of this one, where a replay expects and drops it.
      await this.#nextSegment().catch(() => {});
      const failure = new StorageError(this.#dir, `journal append failed: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
      for (const q of batch) q.waiter.reject(failure);
      return;
    }
    this.#bytes += records.length;
    for (const q of batch) this.#dirty.set(q.path, { text: q.text, segment: this.#segment });
    for (const q of batch) q.waiter.resolve();
    this.#scheduleIdleCheckpoint();
    if (this.#bytes >= this.#segmentBytes) this.#autoCheckpoint();
  }

  /** Closes the current segment (the next append opens the next one); returns the closed one. */
  async #nextSegment(): Promise<number> {
    const closed = this.#segment;
    const handle = this.#handle;
    this.#handle = null;
    this.#segment++;
    this.#bytes = 0;
    await handle?.close();
    return closed;
  }

  #scheduleIdleCheckpoint(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      this.#autoCheckpoint();
    }, this.#idleMs);
    this.#idleTimer.unref();
  }

  /**
   * Writes every file whose journalled content is newer than the file, then deletes the segments
   * this made redundant: everything acknowledged before the call is in its file when it resolves.
   * Saves go on meanwhile, into the next segment.
   */
  checkpoint(): Promise<void> {
    // After the one under way, if any: it may have closed its segment before this call's saves.
    const run = (this.#checkpointing ?? Promise.resolve()).catch(() => {}).then(() => this.#checkpoint());
    this.#checkpointing = run;
    run.then(
      () => this.#checkpointing === run && (this.#checkpointing = null),
      () => this.#checkpointing === run && (this.#checkpointing = null),
    );
    return run;
  }

  /** A checkpoint the journal starts by itself: none if one is under way already. */
  #autoCheckpoint(): void {
    if (!this.#checkpointing) this.checkpoint().catch(() => {});
  }

  async #checkpoint(): Promise<void> {
    // Queued behind the appends already waiting, so their records are in the segment it closes.
    const last = await this.#serial(() => this.#nextSegment());
    const pending = [...this.#dirty].filter(([, dirty]) => dirty.segment <= last);
    let next = 0;
    const writer = async () => {
      for (let item = pending[next++]; item !== undefined; item = pending[next++]) {
        const [path, dirty] = item;
        await writeDurably(path, dirty.text);
        // A newer save meanwhile keeps its entry: it belongs to a later segment.
        if (this.#dirty.get(path) === dirty) this.#dirty.delete(path);
      }
    };
    await Promise.all(Array.from({ length: CHECKPOINT_WRITERS }, writer));
    for (const segment of listSegments(this.#dir)) {
      if (segment <= last) await unlink(segmentPath(this.#dir, segment));
    }
    await syncDir(this.#dir);
  }

  /**
   * Forgets what is journalled for a file, or for the files under a folder (about to be deleted),
   * so that no checkpoint writes them again; resolves once a checkpoint under way is done with them.
   */
  async forget(fileOrFolder: string): Promise<void> {
    const path = resolve(fileOrFolder);
    const prefix = path + sep;
    const drop = () => {
      for (const dirty of this.#dirty.keys()) if (dirty === path || dirty.startsWith(prefix)) this.#dirty.delete(dirty);
    };
    drop();
    await this.#checkpointing?.catch(() => {});
    drop();
  }

  /** Refuses further appends, checkpoints everything: the journal is empty afterwards. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
    await this.checkpoint();
  }
}

/** The segments in `root`/journal, oldest first. */
export function journalSegments(root: string): number[] {
  return listSegments(join(root, 'journal'));
}
