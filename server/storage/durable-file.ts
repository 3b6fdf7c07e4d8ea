// A lowdb adapter whose write() resolves only once the data is on disk.
//
// lowdb's own JSONFile (via steno) renames a fixed `.<name>.tmp` over the target
// and never fsyncs, so an acknowledged save can vanish or tear on power loss.
// Here every physical write is: unique temp file -> fsync -> rename -> fsync dir.
import { readFileSync } from 'node:fs';
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

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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

/** Replaces the file at `path` with `text`: temp file, fdatasync, rename, directory fsync. */
export async function writeDurably(path: string, text: string): Promise<void> {
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
    await handle.writeFile(text, 'utf8');
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
  await syncDir(dirname(path));
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** One per file path with a write in flight: the write after the current one, if any. */
interface Queue {
  next: { data: unknown; text: string | undefined; waiters: Waiter[] } | null;
  idle: Promise<void>;
}

// Keyed by absolute path, so two adapters on the same file in this process still
// take turns. Other processes are not coordinated: one server process owns the files.
const queues = new Map<string, Queue>();

/** Takes a file's new content instead of the file itself, durably (journal.ts). */
export interface WriteAheadLog {
  append(path: string, text: string): Promise<void>;
}

export class DurableJSONFile<T> implements Adapter<T> {
  readonly #path: string;
  readonly #parse: (data: unknown) => T;
  readonly #log: WriteAheadLog | undefined;

  /** With a `log`, writes go to it, and it brings the file up to date later. */
  constructor(path: string, parse: (data: unknown) => T, log?: WriteAheadLog) {
    this.#path = resolve(path);
    this.#parse = parse;
    this.#log = log;
  }

  /** null when the file does not exist; a StorageError naming the file when it cannot be used. */
  async read(): Promise<T | null> {
    const path = this.#path;
    let text: string;
    try {
      // Synchronous: small shard files, read mostly at start-up by the thousand, where the promise
      // machinery of fs/promises costs more than the read itself.
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return null;
      throw new StorageError(path, `${path}: cannot read: ${messageOf(error)}`, { cause: error });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new StorageError(path, `${path} is corrupt (not valid JSON: ${messageOf(error)}); the file was left untouched`, {
        cause: error,
      });
    }
    return this.parse(json);
  }

  /** Validates content read for this file; a StorageError naming the file when it is invalid. */
  parse(json: unknown): T {
    try {
      return this.#parse(json);
    } catch (error) {
      const path = this.#path;
      throw new StorageError(path, `${path} is invalid (${messageOf(error)}); the file was left untouched`, {
        cause: error,
      });
    }
  }

  /**
   * Resolves once a physical write containing `data` (or newer data) is durable.
   * At most one physical write per file is in flight; calls made meanwhile share
   * the next one, which serialises whatever data the latest call passed. `text`,
   * when the caller has it, is `data` as JSON already.
   */
  write(data: T, text?: string): Promise<void> {
    if (this.#log) return this.#log.append(this.#path, text ?? JSON.stringify(data));
    return new Promise((resolve, reject) => {
      const queue = queues.get(this.#path);
      if (queue === undefined) {
        this.#drain({ data, text, waiters: [{ resolve, reject }] });
      } else if (queue.next === null) {
        queue.next = { data, text, waiters: [{ resolve, reject }] };
      } else {
        queue.next.data = data;
        queue.next.text = text;
        queue.next.waiters.push({ resolve, reject });
      }
    });
  }

  #drain(first: NonNullable<Queue['next']>): void {
    const path = this.#path;
    let markIdle = () => {};
    const queue: Queue = { next: first, idle: new Promise((r) => (markIdle = r)) };
    queues.set(path, queue);
    const run = async () => {
      for (let batch = queue.next; batch !== null; batch = queue.next) {
        queue.next = null;
        try {
          // The latest call's data goes out. Compact JSON rather than lowdb's 2-space
          // indent: up to 5x faster to produce and smaller on disk; nobody edits these by hand.
          await writeDurably(path, batch.text ?? JSON.stringify(batch.data));
          for (const waiter of batch.waiters) waiter.resolve();
        } catch (error) {
          const failure = new StorageError(path, `${path}: save failed: ${messageOf(error)}`, { cause: error });
          for (const waiter of batch.waiters) waiter.reject(failure);
        }
      }
      queues.delete(path);
      markIdle();
    };
    void run();
  }
}

/** Deletes a file and makes the deletion durable; a missing file is fine. */
export async function removeFileDurably(path: string): Promise<void> {
  const absolute = resolve(path);
  await queues.get(absolute)?.idle;
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
 */
export async function cleanStaleTempFiles(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
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
