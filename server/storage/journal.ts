// Group commit for the files that take most writes (tag shards).
//
// A durable rewrite of a shard costs its own fsyncs, and with 50 annotators saving at once the
// disk's fsync queue sets the latency (p99 ~60 ms on these machines). Instead a save appends a
// record of what it changed to a journal; saves arriving while one append is being written go out
// together in the next append and share its sync. A save is acknowledged once its record is on
// disk. The files themselves are rewritten later, by a checkpoint (each into the file that holds
// it: a tag shard into its article's pack, see CheckpointWriter), which then deletes the journal
// segments it has made redundant:
//   - when the open segment passes `segmentBytes`,
//   - after `idleCheckpointMs` without a save,
//   - after a start that read records left by a crash,
//   - at close().
// The segments on disk never hold much more than `maxBytes`: past it, appends wait for the
// checkpoint under way. That bounds the work of a start after a crash.
//
// Layout: DATA_DIR/journal/<8-digit sequence>.log, records one after another, each
//   <payload length: 8 hex digits> <CRC-32 of the payload: 8 hex digits> <payload>\n
// with a JSON payload, {"path":"tags/<article>/<annotator>.json","change":…,"count":n} or
// {…,"full":…,"count":n} (what `change`, `full` and `count` hold is the business of the file's
// adapter, journalled-file.ts; records written before counts were have none).
// A record cut short by a crash holds no newline (nor does any payload: it is compact JSON), so
// it is told apart from damage: a complete record that fails its checksum, or any bytes after a
// tear. Damage stops the start, naming the segment and the byte offset, and changes nothing.
import { constants, readFileSync, readdirSync, statSync } from 'node:fs';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { crc32 } from 'node:zlib';
import { StorageError, errorCode, makeDirDurably, messageOf, syncDir, writeDurably, writeFailure } from './durable-file.js';

// A checkpoint rewrites every file with a record in the segments it closes: the longer a segment,
// the more saves to one file a checkpoint writes as one (the same trade-off as a database's WAL
// size between checkpoints). A start after a crash reads and checks up to `maxBytes` of records
// (~400 bytes per tag save): 4 MB segments (~10,000 saves) keep that within the start's target
// (see README, Storage); saves spread over every shard (the saves bench) make a checkpoint rewrite
// ~0.8 shards per save, where 16 MB segments made it ~0.45, and an annotator saving to one shard
// makes it a handful per checkpoint either way.
const SEGMENT_BYTES = 4 * 1024 * 1024;
/** The defaults: the bench measures a start after a crash at `maxBytes`. */
export const JOURNAL_LIMITS = { segmentBytes: SEGMENT_BYTES, maxBytes: 2 * SEGMENT_BYTES };
const IDLE_CHECKPOINT_MS = 60_000;
/** Files rewritten at once by a checkpoint while saves go on: enough to keep the disk busy, few enough to leave CPU and disk to saves. */
const CHECKPOINT_WRITERS = 2;
/** … and when the checkpoint is what everything waits for (at close, after a replay, when saves wait for room). */
const URGENT_WRITERS = 16;
const SEGMENT_NAME = /^(\d{8})\.log$/;
const HEADER_BYTES = 18; // "llllllll cccccccc "
const NEWLINE = 0x0a;
// Segments are opened for synchronous data writes (O_DSYNC) where the platform has them: an
// append is on disk when its write returns, one trip through the thread pool instead of two
// (write, then fdatasync). Under load the main thread is busy with incoming saves when the write
// completes, and the fdatasync could only start once it had turned round to it.
const SYNC_APPEND =
  constants.O_DSYNC === undefined ? null : constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC;

/** What the journal needs of an open segment (a FileHandle; tests put a failing one in its place). */
export interface SegmentFile {
  write(buffer: Buffer): Promise<{ bytesWritten: number }>;
  truncate(length: number): Promise<void>;
  datasync(): Promise<void>;
  close(): Promise<void>;
}

export interface JournalOptions {
  /** A checkpoint starts when the open segment passes this many bytes. */
  segmentBytes?: number;
  /** Appends wait for a checkpoint while the segments hold this many bytes (default: 2 segments). */
  maxBytes?: number;
  idleCheckpointMs?: number;
  /** Opens a segment for appending. */
  openSegment?: (path: string) => Promise<SegmentFile>;
  /** How a checkpoint writes files (default: each file rewritten durably on its own). */
  writer?: CheckpointWriter;
}

/**
 * How a checkpoint writes the files it has records for: each into the file that holds it (itself,
 * or for a tag shard its article's pack, tag-pack.ts), one write per such file per checkpoint.
 */
export interface CheckpointWriter {
  /** The file that holds `path` on disk. */
  unitOf(path: string): string;
  /**
   * Writes `files` (each path's content as of the checkpoint) into `unit`, durably but for the
   * fsync of its folder, which the checkpoint does once per folder: returns that folder.
   */
  write(unit: string, files: Map<string, FileContent>): Promise<string>;
}

/** Each file rewritten whole, on its own. */
const FILE_WRITER: CheckpointWriter = {
  unitOf: (path) => path,
  async write(unit, files) {
    const content = files.get(unit);
    if (content) await writeDurably(unit, content.text, { syncDir: false });
    return dirname(unit);
  },
};

/**
 * A file's content for a checkpoint to write: its text, and the count its adapter keeps with it
 * (recorded with the file in its pack's table, so that a start knows it without parsing the file).
 */
export interface FileContent {
  text: string;
  count: number;
}

/** What gives a file's content for a checkpoint: a function, or an object (one per file a start adopts, rather than a closure). */
export interface ContentSource {
  content(): FileContent;
}

function contentOf(source: (() => FileContent) | ContentSource): FileContent {
  return typeof source === 'function' ? source() : source.content();
}

/** How far a start has got through the journal (for the "starting" page). */
export interface ReadProgress {
  /** Called with the bytes of all segments, then with the bytes read and checked so far. */
  journalBytes(total: number): void;
  journalRead(bytes: number): void;
}

/** What the segments on disk hold, in order, grouped by file. */
export interface JournalContents {
  segments: number[];
  bytes: number;
  records: Map<string, JournalRecord[]>;
}

function segmentPath(dir: string, segment: number): string {
  return join(dir, `${String(segment).padStart(8, '0')}.log`);
}

function listSegments(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw error;
  }
  return names
    .map((name) => SEGMENT_NAME.exec(name)?.[1])
    .filter((n) => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** The segments in `root`/journal, oldest first. */
export function journalSegments(root: string): number[] {
  return listSegments(join(root, 'journal'));
}

/** A record's bytes: header (length, CRC-32), payload, newline. */
export function encodeRecord(payload: string): Buffer {
  const length = Buffer.byteLength(payload);
  const record = Buffer.allocUnsafe(HEADER_BYTES + length + 1);
  record.write(payload, HEADER_BYTES, 'utf8');
  const checksum = crc32(record.subarray(HEADER_BYTES, HEADER_BYTES + length));
  record.write(`${hex8(length)} ${hex8(checksum)} `, 0, 'latin1');
  record[HEADER_BYTES + length] = NEWLINE;
  return record;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function damaged(segment: string, offset: number, what: string): StorageError {
  return new StorageError(
    segment,
    `${segment} is damaged at byte ${offset} (${what}). The journal was left untouched; ` +
      'the records before that byte are intact, the ones from it on hold acknowledged saves that cannot be read.',
  );
}

/** The rest of `buffer` from `offset` is NUL bytes: space a crash allocated but never wrote. */
function zeroTail(buffer: Buffer, offset: number): boolean {
  for (let i = offset; i < buffer.length; i++) if (buffer[i] !== 0) return false;
  return true;
}

const HEX = new Int8Array(256).fill(-1);
for (let d = 0; d < 16; d++) HEX['0123456789abcdef'.charCodeAt(d)] = d;
const SPACE = 0x20;

/** The number written as 8 lowercase hex digits at `at`, or -1. */
function hexAt(buffer: Buffer, at: number): number {
  let n = 0;
  for (let i = at; i < at + 8; i++) {
    const digit = HEX[buffer[i] ?? 0] ?? -1;
    if (digit < 0) return -1;
    n = n * 16 + digit;
  }
  return n;
}

/** Whether the bytes from `offset` to the end could be the start of a header ("hhhhhhhh hhhhhhhh "). */
function headerPrefix(buffer: Buffer, offset: number): boolean {
  for (let i = offset; i < buffer.length; i++) {
    const at = i - offset;
    const byte = buffer[i] ?? 0;
    if (at === 8 || at === 17 ? byte !== SPACE : (HEX[byte] ?? -1) < 0) return false;
  }
  return true;
}

/**
 * Reads the records of one segment, in order, up to a torn tail: a write cut short by a crash,
 * never acknowledged (a prefix of a record, hence without a newline, or NUL bytes a crash
 * allocated but never wrote). Anything else that is not a whole, intact record throws a
 * StorageError naming the segment and the byte offset. `visit` gets each payload's bytes.
 * Decodes the records starting from `from` up to `to`, and returns where the next one starts, or
 * -1 once the segment is done (a caller can decode a long segment in slices).
 */
export function decodeSegment(
  buffer: Buffer,
  segment: string,
  visit: (payload: Buffer, offset: number) => void,
  from = 0,
  to = Number.POSITIVE_INFINITY,
): number {
  let offset = from;
  while (offset < buffer.length) {
    if (offset >= to) return offset;
    if (zeroTail(buffer, offset)) return -1;
    if (buffer.length - offset < HEADER_BYTES) {
      if (headerPrefix(buffer, offset)) return -1; // cut short inside the header
      throw damaged(segment, offset, 'not a record header');
    }
    const length = hexAt(buffer, offset);
    const checksum = hexAt(buffer, offset + 9);
    if (length < 0 || checksum < 0 || buffer[offset + 8] !== SPACE || buffer[offset + 17] !== SPACE) {
      throw damaged(segment, offset, 'not a record header');
    }
    const start = offset + HEADER_BYTES;
    const end = start + length;
    const newline = buffer.indexOf(NEWLINE, start);
    if (newline < 0) {
      // The last record, without its newline: cut short, perhaps followed by NUL bytes. Cut
      // inside the record, it was never acknowledged; cut just before its newline, it is whole
      // and its checksum decides.
      let written = buffer.length;
      while (written > start && buffer[written - 1] === 0) written--;
      if (written < end) return -1;
      if (written > end) throw damaged(segment, offset, 'the record is not as long as its header says');
    } else if (newline !== end) {
      throw damaged(segment, offset, 'the record is not as long as its header says');
    }
    const payload = buffer.subarray(start, end);
    if (crc32(payload) !== checksum) throw damaged(segment, offset, 'the checksum does not match');
    visit(payload, offset);
    offset = end + 1;
  }
  return -1;
}

/**
 * One record read back: the file it is for, where it lies, and (parsed each time it is asked for,
 * so that a start holds bytes rather than parsed records) what the file's adapter wrote. The
 * payload is kept as bounds into the segment's buffer, not as a Buffer view of its own: a start
 * holds ~100,000 records until their files are first used (or checkpointed), and a view or a
 * parsed body per record was that many more objects for the garbage collector to copy.
 */
export class JournalRecord {
  /** Absolute path of the file, and the path the record names (relative to the data folder). */
  readonly file: string;
  readonly name: string;
  /** The segment holding it (path), its number, and the record's byte offset in it. */
  readonly segment: string;
  readonly segmentNumber: number;
  readonly offset: number;
  readonly #buffer: Buffer;
  readonly #end: number;

  /** The payload is `buffer` from the record's header end to `end`. */
  constructor(file: string, name: string, segment: string, segmentNumber: number, offset: number, buffer: Buffer, end: number) {
    this.file = file;
    this.name = name;
    this.segment = segment;
    this.segmentNumber = segmentNumber;
    this.offset = offset;
    this.#buffer = buffer;
    this.#end = end;
  }

  get kind(): 'change' | 'full' {
    return this.read().kind;
  }

  get body(): unknown {
    return this.read().body;
  }

  /**
   * What the record holds: a change to the file, or its whole content, and the count the file's
   * adapter gave with it (undefined in a record written before counts were).
   */
  read(): { kind: 'change' | 'full'; body: unknown; count: number | undefined } {
    let payload: unknown;
    try {
      payload = JSON.parse(this.#buffer.toString('utf8', this.offset + HEADER_BYTES, this.#end));
    } catch (error) {
      throw damaged(this.segment, this.offset, `not JSON: ${messageOf(error)}`);
    }
    if (typeof payload !== 'object' || payload === null || !('path' in payload) || payload.path !== this.name) {
      throw damaged(this.segment, this.offset, 'not a journal record');
    }
    const count: unknown = 'count' in payload ? payload.count : undefined;
    if ((count !== undefined && !Number.isSafeInteger(count)) || (typeof count === 'number' && count < 0) || Object.keys(payload).length !== (count === undefined ? 2 : 3)) {
      throw damaged(this.segment, this.offset, 'not a journal record');
    }
    const counted = typeof count === 'number' ? count : undefined;
    if ('change' in payload) return { kind: 'change', body: payload.change, count: counted };
    if ('full' in payload) return { kind: 'full', body: payload.full, count: counted };
    throw damaged(this.segment, this.offset, 'not a journal record');
  }
}

const PATH_PREFIX = Buffer.from('{"path":"');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The path a payload names: read straight from the bytes as the journal writes it, else parsed. */
function payloadPath(payload: Buffer, segment: string, offset: number): unknown {
  const close = payload.indexOf(QUOTE, PATH_PREFIX.length);
  // Compared byte by byte: a Buffer view per record (subarray) cost more than the rest of this.
  let plain = close > 0 && payload.compare(PATH_PREFIX, 0, PATH_PREFIX.length, 0, PATH_PREFIX.length) === 0;
  for (let i = PATH_PREFIX.length; plain && i < close; i++) plain = payload[i] !== BACKSLASH;
  if (plain) {
    return payload.toString('utf8', PATH_PREFIX.length, close);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch (error) {
    throw damaged(segment, offset, `not JSON: ${messageOf(error)}`);
  }
  return typeof parsed === 'object' && parsed !== null && 'path' in parsed ? parsed.path : undefined;
}

/** A name of plain folder names (no `.`, `..` or empty part), as the journal writes them. */
const PLAIN_NAME = /^(?!\.\.?(?:\/|$))[^/\\]+(?:\/(?!\.\.?(?:\/|$))[^/\\]+)*$/;

/** The file a record names, which must lie inside the data folder. */
function recordFile(root: string, segment: string, offset: number, value: unknown): string {
  if (typeof value !== 'string' || value === '' || isAbsolute(value)) throw damaged(segment, offset, 'the record names no valid file');
  // The usual case without path.resolve and path.relative (a start names ~20,000 files).
  if (sep === '/' && PLAIN_NAME.test(value)) return root.endsWith('/') ? root + value : `${root}/${value}`;
  const path = resolve(root, value);
  const inside = relative(root, path);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) throw damaged(segment, offset, 'the record names a file outside the data folder');
  return path;
}

/** What reads one segment's records into `contents`, a slice at a time. */
function segmentReader(root: string, contents: JournalContents, number: number, path: string, buffer: Buffer) {
  // A few thousand files take most records: their paths are checked once, and their records share
  // one copy of each path string (a string per record would outlive the read, as the records do).
  const files = new Map<string, { file: string; name: string }>();
  const visit = (payload: Buffer, offset: number) => {
    const named = payloadPath(payload, path, offset);
    let known = typeof named === 'string' ? files.get(named) : undefined;
    if (known === undefined) {
      known = { file: recordFile(root, path, offset, named), name: String(named) };
      files.set(known.name, known);
    }
    const record = new JournalRecord(known.file, known.name, path, number, offset, buffer, offset + HEADER_BYTES + payload.length);
    const list = contents.records.get(known.file);
    if (list) list.push(record);
    else contents.records.set(known.file, [record]);
  };
  contents.segments.push(number);
  let at = 0;
  /** Reads up to `bytes` more; false once the segment is done. */
  return (bytes = Number.POSITIVE_INFINITY): boolean => {
    const from = at;
    at = decodeSegment(buffer, path, visit, at, at + bytes);
    contents.bytes += (at < 0 ? buffer.length : at) - from;
    return at >= 0;
  };
}

/** Bytes decoded between two turns of the event loop while a start reads the journal. */
const SLICE_BYTES = 1 << 20;

/**
 * Reads every segment in `root`/journal. A segment deleted meanwhile (by a running server's
 * checkpoint) is skipped: its records are in their files by then.
 */
export async function readJournal(root: string, progress?: ReadProgress): Promise<JournalContents> {
  const dir = join(root, 'journal');
  const contents: JournalContents = { segments: [], bytes: 0, records: new Map() };
  const numbers = listSegments(dir);
  let total = 0;
  for (const n of numbers) total += await stat(segmentPath(dir, n)).then((s) => s.size, () => 0);
  progress?.journalBytes(total);
  for (const number of numbers) {
    const path = segmentPath(dir, number);
    let buffer: Buffer;
    try {
      buffer = await readFile(path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') continue;
      throw new StorageError(path, `${path}: cannot read: ${messageOf(error)}`, { cause: error });
    }
    const read = segmentReader(resolve(root), contents, number, path, buffer);
    // A slice at a time, letting the server answer ("starting …") in between.
    for (let more = true; more; ) {
      more = read(SLICE_BYTES);
      progress?.journalRead(contents.bytes);
      await new Promise((r) => setImmediate(r));
    }
  }
  return contents;
}

/** readJournal, synchronously (for tools and tests). */
export function readJournalSync(root: string): JournalContents {
  const dir = join(root, 'journal');
  const contents: JournalContents = { segments: [], bytes: 0, records: new Map() };
  for (const number of listSegments(dir)) {
    const path = segmentPath(dir, number);
    let buffer: Buffer;
    try {
      buffer = readFileSync(path);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') continue;
      throw new StorageError(path, `${path}: cannot read: ${messageOf(error)}`, { cause: error });
    }
    segmentReader(resolve(root), contents, number, path, buffer)();
  }
  return contents;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** A record waiting for the next append. */
interface Queued {
  path: string;
  record: Buffer;
  content: () => FileContent;
  waiter: Waiter;
}

/**
 * A file with records not yet in the file itself: its content as of the latest one (`content`), and
 * the oldest segment holding one of them (a checkpoint closing that segment must write the file).
 */
interface Dirty {
  content: (() => FileContent) | ContentSource;
  first: number;
  /** Goes up with every record, so a checkpoint sees whether one came while it wrote the file. */
  version: number;
}

async function openSegmentFile(path: string): Promise<SegmentFile> {
  return open(path, SYNC_APPEND ?? 'a');
}

export class Journal {
  readonly #root: string;
  readonly #dir: string;
  readonly #segmentBytes: number;
  readonly #maxBytes: number;
  readonly #idleMs: number;
  readonly #openSegment: (path: string) => Promise<SegmentFile>;
  readonly #writer: CheckpointWriter;
  #segment: number;
  #handle: SegmentFile | null = null;
  /** Bytes in the open segment, and in all segments on disk (by segment). */
  #bytes = 0;
  readonly #sizes = new Map<number, number>();
  #totalBytes = 0;
  #queued: Queued[] = [];
  #flushQueued = false;
  /** Appends and segment switches run one after another, in order. */
  #chain: Promise<unknown> = Promise.resolve();
  readonly #dirty = new Map<string, Dirty>();
  #checkpointing: Promise<void> | null = null;
  #idleTimer: NodeJS.Timeout | null = null;
  #closed = false;
  /** Adds writers to the checkpoint under way. */
  #hurry = () => {};
  /** Set when a failed append could not be taken back: nothing more is appended. */
  #broken: StorageError | null = null;

  private constructor(root: string, contents: JournalContents, options: JournalOptions) {
    this.#root = resolve(root);
    this.#dir = join(this.#root, 'journal');
    this.#segment = (contents.segments.at(-1) ?? 0) + 1;
    this.#segmentBytes = options.segmentBytes ?? SEGMENT_BYTES;
    this.#maxBytes = options.maxBytes ?? 2 * this.#segmentBytes;
    this.#idleMs = options.idleCheckpointMs ?? IDLE_CHECKPOINT_MS;
    this.#openSegment = options.openSegment ?? openSegmentFile;
    this.#writer = options.writer ?? FILE_WRITER;
    for (const segment of contents.segments) {
      const size = segmentSize(segmentPath(this.#dir, segment));
      this.#sizes.set(segment, size);
      this.#totalBytes += size;
    }
  }

  /**
   * Opens the journal in `root` and reads what a previous process left in it, checked record by
   * record. Those records are newer than the files they are for: whoever reads the files puts
   * them over what it reads, then hands the result back with `adopt` (or calls `forget`); a
   * checkpoint writes it. Written here instead, a long journal would hold up the start by
   * thousands of fsyncs.
   */
  static async open(
    root: string,
    options: JournalOptions = {},
    progress?: ReadProgress,
  ): Promise<{ journal: Journal; contents: JournalContents }> {
    const contents = await readJournal(root, progress);
    const journal = new Journal(root, contents, options);
    await makeDirDurably(journal.#dir);
    return { journal, contents };
  }

  /** Files whose latest content is in the journal only (not yet checkpointed). */
  get pending(): number {
    return this.#dirty.size;
  }

  /** Bytes in the segments on disk. */
  get bytes(): number {
    return this.#totalBytes;
  }

  /** The journal folder, for error messages. */
  get dir(): string {
    return this.#dir;
  }

  /**
   * Takes over a file whose content a start put together from its records: `content` gives it,
   * and the next checkpoint writes it. `first` is the oldest segment with a record for it.
   */
  adopt(path: string, content: (() => FileContent) | ContentSource, first: number): void {
    // A record's own path (see JournalRecord.file) is absolute and plain already: kept as it is.
    const absolute = sep === '/' && path.startsWith('/') && PLAIN_NAME.test(path.slice(1)) ? path : resolve(path);
    this.#dirty.set(absolute, { content, first, version: 0 });
  }

  /**
   * Resolves once a record of `kind` with `body` (JSON) and `count` (the count of the file's content
   * with it applied) is on disk for the file at `path`. `content` gives the file's whole content
   * with this record applied, for the checkpoint that writes it.
   */
  append(path: string, kind: 'change' | 'full', body: string, count: number, content: () => FileContent): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the journal is closed'));
    if (this.#broken) return Promise.reject(this.#broken);
    const absolute = resolve(path);
    const name = relative(this.#root, absolute);
    if (name === '' || name.startsWith('..') || isAbsolute(name)) return Promise.reject(new Error(`${path} is outside the data folder`));
    // The body is JSON already: spliced in as it is rather than escaped as a string.
    const record = encodeRecord(`{"path":${JSON.stringify(name.split(sep).join('/'))},"${kind}":${body},"count":${count}}`);
    const enqueue = () =>
      new Promise<void>((resolve, reject) => {
        this.#queued.push({ path: absolute, record, content, waiter: { resolve, reject } });
        if (!this.#flushQueued) {
          this.#flushQueued = true;
          void this.#serial(() => this.#flush());
        }
      });
    // Past the limit, wait for the checkpoint that makes room (it deletes the segments it closes).
    if (this.#totalBytes < this.#maxBytes) return enqueue();
    return this.#makeRoom().then(enqueue);
  }

  async #makeRoom(): Promise<void> {
    while (this.#totalBytes >= this.#maxBytes) {
      if (this.#closed) throw new Error('the journal is closed');
      this.#autoCheckpoint();
      this.#hurry();
      try {
        await this.#checkpointing;
      } catch (error) {
        // No room can be made (the checkpoint cannot write the files): the save is refused.
        throw writeFailure(this.#dir, error);
      }
    }
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
    if (this.#broken) {
      for (const q of batch) q.waiter.reject(this.#broken);
      return;
    }
    const records = batch.length === 1 ? (batch[0] as Queued).record : Buffer.concat(batch.map((q) => q.record));
    const before = this.#bytes;
    try {
      if (!this.#handle) {
        this.#handle = await this.#openSegment(segmentPath(this.#dir, this.#segment));
        // The new segment's directory entry must be durable before a record in it is acknowledged.
        await syncDir(this.#dir);
        this.#sizes.set(this.#segment, 0);
      }
      const { bytesWritten } = await this.#handle.write(records);
      // Short only when the disk is full (or the quota reached): the rest did not fit.
      if (bytesWritten !== records.length) {
        throw Object.assign(new Error(`only ${bytesWritten} of ${records.length} bytes were written`), { code: 'ENOSPC' });
      }
      if (SYNC_APPEND === null) await this.#handle.datasync();
    } catch (error) {
      const failure = writeFailure(this.#dir, error);
      // Whatever part of the batch reached the disk must go: complete records in it would be
      // replayed at the next start, bringing back saves that were refused.
      await this.#takeBack(before, failure);
      for (const q of batch) q.waiter.reject(failure);
      return;
    }
    this.#bytes += records.length;
    this.#totalBytes += records.length;
    this.#sizes.set(this.#segment, this.#bytes);
    for (const q of batch) {
      const dirty = this.#dirty.get(q.path);
      if (dirty) {
        dirty.content = q.content;
        dirty.version++;
      } else {
        this.#dirty.set(q.path, { content: q.content, first: this.#segment, version: 0 });
      }
    }
    for (const q of batch) q.waiter.resolve();
    this.#scheduleIdleCheckpoint();
    if (this.#bytes >= this.#segmentBytes) this.#autoCheckpoint();
  }

  /** Cuts the open segment back to `length` bytes after a failed append. */
  async #takeBack(length: number, failure: StorageError): Promise<void> {
    const handle = this.#handle;
    if (!handle) return;
    try {
      await handle.truncate(length);
      await handle.datasync();
    } catch (error) {
      this.#broken = new StorageError(
        this.#dir,
        `${segmentPath(this.#dir, this.#segment)}: a failed append (${failure.message}) could not be taken back (${messageOf(error)}); ` +
          'no more saves are taken. Stop the server, cut the segment back to ' +
          `${length} bytes, and start again.`,
        { cause: error },
      );
      console.error(`Framelens: ${this.#broken.message}`);
    }
  }

  /** Closes the open segment (the next append opens the next one); returns the closed one. */
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
   * Writes every file with a record in the journal, then deletes the segments this made
   * redundant: everything acknowledged before the call is in its file when it resolves. Saves go
   * on meanwhile, into the next segment.
   */
  checkpoint(writers = CHECKPOINT_WRITERS): Promise<void> {
    // After the one under way, if any: it may have closed its segment before this call's saves.
    const run = (this.#checkpointing ?? Promise.resolve()).catch(() => {}).then(() => this.#checkpoint(writers));
    this.#checkpointing = run;
    const done = () => {
      if (this.#checkpointing === run) this.#checkpointing = null;
    };
    run.then(done, done);
    return run;
  }

  /**
   * A checkpoint with many writers, for when little else is going on or everything waits for it:
   * after a start that replayed records left by a crash (appends may be waiting for room).
   */
  checkpointNow(): Promise<void> {
    return this.checkpoint(URGENT_WRITERS);
  }

  /** A checkpoint the journal starts by itself: none if one is under way already. */
  #autoCheckpoint(): void {
    if (!this.#checkpointing) this.checkpoint().catch(() => {});
  }

  async #checkpoint(writers: number): Promise<void> {
    // Queued behind the appends already waiting, so their records are in the segment it closes.
    const last = await this.#serial(() => this.#nextSegment());
    // Grouped by the file that holds them on disk: one write of each per checkpoint.
    const units = new Map<string, [string, Dirty][]>();
    for (const item of this.#dirty) {
      if (item[1].first > last) continue;
      const unit = this.#writer.unitOf(item[0]);
      const group = units.get(unit);
      if (group) group.push(item);
      else units.set(unit, [item]);
    }
    const pending = [...units];
    // Each folder is fsynced once, after all its files are renamed, rather than once per file
    // (a checkpoint may rewrite thousands of files in a few hundred folders).
    const folders = new Set<string>();
    const written: [string, Dirty, number][] = [];
    let next = 0;
    const writer = async () => {
      for (let item = pending[next++]; item !== undefined; item = pending[next++]) {
        const [unit, group] = item;
        const files = new Map<string, FileContent>();
        const versions = group.map(([path, dirty]) => {
          files.set(path, contentOf(dirty.content));
          return dirty.version;
        });
        folders.add(await this.#writer.write(unit, files));
        group.forEach(([path, dirty], i) => written.push([path, dirty, versions[i] ?? 0]));
      }
    };
    if (pending.length > 0) {
      let active = 0;
      let failure: unknown = null;
      let finish = () => {};
      const finished = new Promise<void>((resolve) => (finish = resolve));
      const start = () => {
        active++;
        writer()
          .catch((error: unknown) => (failure ??= error))
          .finally(() => --active === 0 && finish());
      };
      for (let i = 0; i < writers; i++) start();
      // Saves waiting for room (see append) get more writers: nothing else matters then.
      this.#hurry = () => {
        while (active > 0 && active < URGENT_WRITERS && next < pending.length) start();
      };
      await finished;
      this.#hurry = () => {};
      if (failure) throw failure;
    }
    for (const folder of folders) await syncDir(folder);
    for (const [path, dirty, version] of written) {
      if (this.#dirty.get(path) !== dirty) continue; // forgotten meanwhile
      // The file now holds everything up to `version`; records that came since are in later segments.
      if (dirty.version === version) this.#dirty.delete(path);
      else dirty.first = last + 1;
    }
    for (const segment of listSegments(this.#dir)) {
      if (segment > last) continue;
      await unlink(segmentPath(this.#dir, segment));
      this.#totalBytes -= this.#sizes.get(segment) ?? 0;
      this.#sizes.delete(segment);
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
    await this.checkpointNow();
  }
}

function segmentSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
