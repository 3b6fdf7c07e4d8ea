// A lowdb adapter for one JSON file whose write() resolves only once the data is on disk.
//
// lowdb's own JSONFile (via steno) renames a fixed `.<name>.tmp` over the target
// and never fsyncs, so an acknowledged save can vanish or tear on power loss.
// Here every physical write is: unique temp file -> fsync -> rename -> fsync dir.
// Writes are not coalesced here: a Shard (shard.ts) keeps one write per file in flight and lets
// the changes made meanwhile share the next one.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Adapter } from 'lowdb';

export class StorageError extends Error {
  readonly path: string;

  constructor(path: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StorageError';
    this.path = path;
  }
}

/**
 * A write refused because the disk (or the user's quota) is full: nothing of it was kept. The web
 * layer answers 507 Insufficient Storage with this message, which is meant for the user.
 */
export class StorageFullError extends StorageError {
  readonly status = 507;
  readonly refusal = true;

  constructor(path: string, options?: ErrorOptions) {
    super(path, "The server's storage is full, so nothing was saved. Try again later; if this goes on, tell whoever runs this Framelens server.", options);
    this.name = 'StorageFullError';
  }
}

export function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** Whether `error` (or what caused it) says the disk or the quota is full. */
export function isNoSpace(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof StorageFullError) return true;
    const code = errorCode(e);
    if (code === 'ENOSPC' || code === 'EDQUOT') return true;
  }
  return false;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The error a failed write of `path` rejects with: StorageFullError for a full disk. */
export function writeFailure(path: string, error: unknown): StorageError {
  if (isNoSpace(error)) return error instanceof StorageFullError ? error : new StorageFullError(path, { cause: error });
  return new StorageError(path, `${path}: save failed: ${messageOf(error)}`, { cause: error });
}

// `.<name>.<pid>.<counter>.tmp` (a file being written) and `.<name>.<pid>.<counter>.deleting`
// (a directory being removed). The pid keeps names unique across processes, the
// counter within one; both let cleanStaleTempFiles spare this process's own work.
const TEMP_NAME = /^\..+\.(\d+)\.\d+\.(tmp|deleting)$/;
let counter = 0;

function tempPath(path: string, suffix: 'tmp' | 'deleting'): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${++counter}.${suffix}`);
}

/**
 * A rename or unlink is only durable once the directory holding the entry is
 * fsynced; without it a power cut can bring back the old file (or none at all)
 * after we have already acknowledged the save.
 */
export async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Some platforms (Windows, some network file systems) cannot open or fsync a directory.
    const code = errorCode(error);
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'ENOTSUP') throw error;
  } finally {
    await handle?.close();
  }
}

/** mkdir -p, then fsync each parent that gained an entry so the new directories survive a crash. */
export async function makeDirDurably(dir: string): Promise<void> {
  // undefined when a concurrent write just created it: its parent is still synced
  // here, as that write may not have finished syncing it yet.
  const first = (await mkdir(dir, { recursive: true })) ?? dir;
  for (let d = dir; ; d = dirname(d)) {
    await syncDir(dirname(d));
    if (d === first || dirname(d) === d) break;
  }
}

/**
 * Replaces the file at `path` with `text`: temp file, fdatasync, rename, directory fsync. With
 * `syncDir: false` the caller fsyncs the directory itself (once for many files) before relying on it.
 */
export async function writeDurably(path: string, text: string | Buffer, options: { syncDir?: boolean } = {}): Promise<void> {
  const temp = tempPath(path, 'tmp');
  let handle: FileHandle | undefined;
  try {
    try {
      handle = await open(temp, 'wx');
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
      await makeDirDurably(dirname(path));
      handle = await open(temp, 'wx');
    }
    await handle.writeFile(text);
    // fdatasync also flushes the size and block metadata needed to read the data back.
    await handle.datasync();
    await handle.close();
    handle = undefined;
    await rename(temp, path);
  } catch (error) {
    await handle?.close().catch(() => {});
    await rm(temp, { force: true }).catch(() => {});
    throw error;
  }
  if (options.syncDir !== false) await syncDir(dirname(path));
}

/**
 * Reads and validates the JSON file at `path`: null when it does not exist, a StorageError naming
 * it when it cannot be read, is not JSON or fails `parse`.
 */
export function readJSONFile<T>(path: string, parse: (data: unknown) => T): T | null {
  const bytes = readFileBytes(path);
  return bytes === null ? null : parseJSONBytes(path, bytes, parse);
}

/** The bytes of the file at `path`: null when it does not exist, a StorageError naming it when it cannot be read. */
export function readFileBytes(path: string): Buffer | null {
  try {
    // Synchronous: small shard files, read mostly at start-up by the thousand, where the promise
    // machinery of fs/promises costs more than the read itself.
    return readFileSync(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw new StorageError(path, `${path}: cannot read: ${messageOf(error)}`, { cause: error });
  }
}

/** A file descriptor open for reading the file at `path`, or null when there is none; a StorageError names it when it cannot be opened. */
export function openToRead(path: string): number | null {
  try {
    return openSync(path, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw new StorageError(path, `${path}: cannot read: ${messageOf(error)}`, { cause: error });
  }
}

/**
 * Whole files read into one buffer that grows as needed and is shared by every read through it:
 * the bytes a read gives are valid until the next. A start reads 20,000 tag shards (or 1,000
 * packs), and a buffer of its own for each (outside the heap) made the garbage collector run far
 * more often (~0.3 s of a start).
 */
export class SharedReadBuffer {
  #buffer: Buffer;

  constructor(size = 1 << 16) {
    this.#buffer = Buffer.allocUnsafe(size);
  }

  /** The bytes of the file at `path`, or null when there is none; a StorageError names it when it cannot be read. */
  read(path: string): Buffer | null {
    const fd = openToRead(path);
    if (fd === null) return null;
    try {
      let length = 0;
      for (;;) {
        if (length === this.#buffer.length) {
          const larger = Buffer.allocUnsafe(2 * this.#buffer.length);
          this.#buffer.copy(larger, 0, 0, length);
          this.#buffer = larger;
        }
        const read = readSync(fd, this.#buffer, length, this.#buffer.length - length, null);
        if (read === 0) return this.#buffer.subarray(0, length);
        length += read;
      }
    } catch (error) {
      throw new StorageError(path, `${path}: cannot read: ${messageOf(error)}`, { cause: error });
    } finally {
      closeSync(fd);
    }
  }
}

const shared = new SharedReadBuffer();

/** readFileBytes into one buffer shared by every call (see SharedReadBuffer): valid until the next call. */
export function readFileShared(path: string): Buffer | null {
  return shared.read(path);
}

/** Parses and validates the bytes read from the file at `path` (see readJSONFile). */
export function parseJSONBytes<T>(path: string, bytes: Buffer, parse: (data: unknown) => T): T {
  const text = bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StorageError(path, `${path} is corrupt (not valid JSON: ${messageOf(error)}); the file was left untouched`, {
      cause: error,
    });
  }
  return parseFile(path, json, parse);
}

/** Validates content read for the file at `path`; a StorageError naming the file when it is invalid. */
export function parseFile<T>(path: string, json: unknown, parse: (data: unknown) => T): T {
  try {
    return parse(json);
  } catch (error) {
    throw new StorageError(path, `${path} is invalid (${messageOf(error)}); the file was left untouched`, { cause: error });
  }
}

/** The write in flight per file (absolute path): a second write, or a delete, waits for it. */
const writing = new Map<string, Promise<void>>();

export class DurableJSONFile<T> implements Adapter<T> {
  readonly path: string;
  readonly #parse: (data: unknown) => T;

  constructor(path: string, parse: (data: unknown) => T) {
    this.path = resolve(path);
    this.#parse = parse;
  }

  /** null when the file does not exist; a StorageError naming the file when it cannot be used. */
  async read(): Promise<T | null> {
    return readJSONFile(this.path, this.#parse);
  }

  /**
   * Replaces the file with `data` (compact JSON) and resolves once that is durable. Two writes of
   * one file in this process take turns (other processes are not coordinated: one server process
   * owns the files); none is skipped.
   */
  write(data: T): Promise<void> {
    // Serialised now: `data` may change while an earlier write of this file finishes. Compact JSON
    // rather than lowdb's 2-space indent: up to 5x faster to produce and smaller on disk; nobody
    // edits these by hand.
    const text = JSON.stringify(data);
    const path = this.path;
    const write = (writing.get(path) ?? Promise.resolve()).then(() =>
      writeDurably(path, text).catch((error: unknown) => {
        throw writeFailure(path, error);
      }),
    );
    const settled = write.catch(() => {});
    writing.set(path, settled);
    void settled.then(() => writing.get(path) === settled && writing.delete(path));
    return write;
  }

  /** The data as JSON: a copy that later changes to `data` leave alone (a Shard keeps it for rollback). */
  snapshot(data: T): string {
    return JSON.stringify(data);
  }

  /** The data a snapshot holds, as a new object. */
  restore(snapshot: string): T {
    // Our own serialisation of data that was valid: parsed back, not re-validated.
    return JSON.parse(snapshot);
  }
}

/** Deletes a file and makes the deletion durable; a missing file is fine. */
export async function removeFileDurably(path: string): Promise<void> {
  const absolute = resolve(path);
  await writing.get(absolute);
  try {
    await unlink(absolute);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  await syncDir(dirname(absolute));
}

/**
 * Deletes a directory tree. It is first renamed aside (atomic), so a crash part-way
 * through never leaves a half-deleted directory under its real name; a leftover
 * `.deleting` directory is removed by cleanStaleTempFiles.
 */
export async function removeDirDurably(path: string): Promise<void> {
  const absolute = resolve(path);
  const aside = tempPath(absolute, 'deleting');
  try {
    await rename(absolute, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  await syncDir(dirname(absolute));
  await rm(aside, { recursive: true, force: true });
}

/**
 * Removes temp files (and aside directories) left in `dir` by a process that died
 * mid-write. Call at start-up. Entries of the current process are spared, since
 * they may belong to a write in flight. Returns how many entries were removed.
 * `listed`: the folder's entries, when the caller has just read them (a start reads ~1,000
 * tag folders, and listing each twice was a thousand more trips to the disk).
 */
export async function cleanStaleTempFiles(dir: string, listed?: string[]): Promise<number> {
  let names: string[];
  try {
    names = listed ?? (await readdir(dir));
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return 0;
    throw error;
  }
  let removed = 0;
  for (const name of names) {
    const match = TEMP_NAME.exec(name);
    if (match === null || Number(match[1]) === process.pid) continue;
    await rm(join(dir, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
