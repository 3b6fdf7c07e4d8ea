// Browser sessions on disk as an append-only log (DATA_DIR/sessions.log): a sign-in appends one
// line, a sign-out another, instead of rewriting every session as sessions.json did (each change
// rewrote and fsynced the whole file, and every anonymous visitor added a session to it).
//
// A line is `<CRC-32 of the JSON, 8 hex digits> <json>\n`, the JSON one of
//   {"set":sid,"record":{expires,data}}   a session started or changed
//   {"del":sid}                           a session ended
//   {"touch":sid,"expires":n}             a session used again (written in batches)
// Appends are group-committed (one write and one fdatasync per batch). When the log holds many
// more lines than live sessions, it is compacted: the live sessions are written to a new file
// that replaces the log.
import { open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { z } from 'zod';
import { parse, sessionRecord, type StoredSessionData } from './schemas.js';

export interface SessionRecord {
  /** Epoch milliseconds after which the session is dead (idle expiry). */
  expires: number;
  data: StoredSessionData;
}

const line = z.union([
  z.strictObject({ set: z.string().min(1).max(200), record: sessionRecord }),
  z.strictObject({ del: z.string().min(1).max(200) }),
  z.strictObject({ touch: z.string().min(1).max(200), expires: z.number() }),
]);
type Line = z.infer<typeof line>;

/** Compaction runs once the log has this many lines more than twice the live sessions. */
const COMPACT_SLACK = 2000;

function encode(entry: Line): string {
  const json = JSON.stringify(entry);
  return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
}

async function syncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Some platforms cannot open or fsync a directory.
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'ENOTSUP') throw error;
  } finally {
    await handle?.close();
  }
}

interface Pending {
  lines: string[];
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
  /** Undo for the changes in memory if the batch cannot be written (a session that was not saved is not usable). */
  undo: (() => void)[];
}

/** What replaying a log found. */
interface Replay {
  sessions: Map<string, SessionRecord>;
  lines: number;
  /** Length of the log up to its last complete line (a crash may cut the last one short). */
  validBytes: number;
  /** A complete line that does not check out: where, and why. */
  damage: string | null;
}

function replay(text: Buffer, now: number): Replay {
  const sessions = new Map<string, SessionRecord>();
  let lines = 0;
  let offset = 0;
  while (offset < text.length) {
    const end = text.indexOf(0x0a, offset);
    if (end < 0) break; // a torn tail: the crash came during its write, and it was never acknowledged
    const raw = text.toString('utf8', offset, end);
    const space = raw.indexOf(' ');
    const json = raw.slice(space + 1);
    let entry: Line | null = null;
    if (space === 8 && parseInt(raw.slice(0, 8), 16) === crc32(json)) {
      try {
        entry = line.parse(JSON.parse(json));
      } catch {
        entry = null;
      }
    }
    if (entry === null) return { sessions, lines, validBytes: offset, damage: `byte ${offset}: the line does not match its checksum or is not a session record` };
    if ('set' in entry) sessions.set(entry.set, entry.record);
    else if ('del' in entry) sessions.delete(entry.del);
    else {
      const record = sessions.get(entry.touch);
      if (record) record.expires = entry.expires;
    }
    lines++;
    offset = end + 1;
  }
  for (const [sid, record] of sessions) if (record.expires <= now) sessions.delete(sid);
  return { sessions, lines, validBytes: offset, damage: null };
}

export class SessionLog {
  readonly path: string;
  readonly #sessions: Map<string, SessionRecord>;
  readonly #readOnly: boolean;
  #handle: FileHandle | null = null;
  /** Bytes of the log that are written and synced: a failed batch is cut back to this. */
  #size: number;
  #lines: number;
  #pending: Pending | null = null;
  #writing: Promise<void> | null = null;
  /** Sessions whose new expiry is not written yet. */
  readonly #touched = new Set<string>();
  #touchTimer: NodeJS.Timeout | null = null;
  /** A batch failed: the log no longer matches memory, so the next write rewrites it whole. */
  #mustCompact = false;
  #closed = false;

  private constructor(path: string, sessions: Map<string, SessionRecord>, size: number, lines: number, readOnly: boolean) {
    this.path = path;
    this.#sessions = sessions;
    this.#size = size;
    this.#lines = lines;
    this.#readOnly = readOnly;
  }

  /**
   * Reads the log. A line cut short by a crash is dropped (it was never acknowledged). A complete
   * line that is damaged fails safe: every session ends (an ended session must not come back),
   * the damaged log is kept beside as `sessions.log.damaged-<time>`, and a warning names it.
   * A sessions.json from before the log is read once and replaced.
   */
  static async open(dataDir: string, options: { readOnly?: boolean } = {}): Promise<SessionLog> {
    const path = join(dataDir, 'sessions.log');
    const readOnly = options.readOnly === true;
    let text: Buffer | null = null;
    try {
      text = await readFile(path);
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
    }
    if (text === null) {
      const log = new SessionLog(path, await SessionLog.#fromJson(dataDir), 0, 0, readOnly);
      if (!readOnly) {
        await log.#compact();
        await rm(join(dataDir, 'sessions.json'), { force: true });
        await syncDir(dataDir);
      }
      return log;
    }
    const found = replay(text, Date.now());
    if (found.damage !== null) {
      if (readOnly) return new SessionLog(path, new Map(), 0, 0, true);
      const aside = `${path}.damaged-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await rename(path, aside);
      process.emitWarning(`${path}, ${found.damage}. Every session was ended (people sign in again); the damaged log is kept as ${aside}.`);
      const log = new SessionLog(path, new Map(), 0, 0, false);
      await log.#compact();
      return log;
    }
    const log = new SessionLog(path, found.sessions, found.validBytes, found.lines, readOnly);
    if (!readOnly && found.validBytes < text.length) {
      const handle = await open(path, 'r+');
      try {
        await handle.truncate(found.validBytes);
        await handle.datasync();
      } finally {
        await handle.close();
      }
    }
    return log;
  }

  /** The sessions of a sessions.json (the store before this log), signed-in ones only. */
  static async #fromJson(dataDir: string): Promise<Map<string, SessionRecord>> {
    const sessions = new Map<string, SessionRecord>();
    let json: unknown;
    try {
      json = JSON.parse(await readFile(join(dataDir, 'sessions.json'), 'utf8'));
    } catch {
      return sessions; // none, or unreadable: people sign in again
    }
    const now = Date.now();
    for (const [sid, record] of Object.entries(safeSessions(json) ?? {})) {
      if (record.expires > now && (record.data.userId !== undefined || record.data.student !== undefined)) sessions.set(sid, record);
    }
    return sessions;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** A live session, or undefined. */
  get(sid: string): SessionRecord | undefined {
    const record = this.#sessions.get(sid);
    return record && record.expires > Date.now() ? record : undefined;
  }

  /** Every live session. */
  *entries(): IterableIterator<[string, SessionRecord]> {
    const now = Date.now();
    for (const [sid, record] of this.#sessions) if (record.expires > now) yield [sid, record];
  }

  /** Starts or changes a session; resolves once it is on disk. */
  set(sid: string, record: SessionRecord): Promise<void> {
    const before = this.#sessions.get(sid);
    this.#sessions.set(sid, record);
    this.#touched.delete(sid);
    return this.#append([encode({ set: sid, record })], () => {
      if (this.#sessions.get(sid) !== record) return;
      if (before) this.#sessions.set(sid, before);
      else this.#sessions.delete(sid);
    });
  }

  /**
   * Ends sessions; resolves once that is on disk. They are gone from memory at once, even if the
   * write fails. With `purge`, the log is rewritten too, so that no earlier line about them (or
   * about any ended session) is left in the file: for data that must be deleted, not just ended.
   */
  remove(sids: Iterable<string>, options: { purge?: boolean } = {}): Promise<void> {
    const lines: string[] = [];
    for (const sid of sids) {
      if (!this.#sessions.delete(sid)) continue;
      this.#touched.delete(sid);
      lines.push(encode({ del: sid }));
    }
    if (options.purge) this.#mustCompact = true;
    return lines.length === 0 && !options.purge ? Promise.resolve() : this.#append(lines, null);
  }

  /** Ends every session `which` picks (see remove for `purge`). */
  removeWhere(which: (record: SessionRecord, sid: string) => boolean, options: { purge?: boolean } = {}): Promise<void> {
    return this.remove(
      [...this.#sessions].filter(([sid, record]) => which(record, sid)).map(([sid]) => sid),
      options,
    );
  }

  /** Moves a session's expiry in memory; the new expiry is written within `flushMs`, with others. */
  touch(sid: string, expires: number, flushMs: number): void {
    const record = this.#sessions.get(sid);
    if (!record) return;
    record.expires = expires;
    this.#touched.add(sid);
    this.#touchTimer ??= setTimeout(() => {
      this.#touchTimer = null;
      this.#flushTouches().catch(() => {});
    }, flushMs).unref();
  }

  #flushTouches(): Promise<void> {
    const lines: string[] = [];
    for (const sid of this.#touched) {
      const record = this.#sessions.get(sid);
      if (record) lines.push(encode({ touch: sid, expires: record.expires }));
    }
    this.#touched.clear();
    return lines.length === 0 ? Promise.resolve() : this.#append(lines, null);
  }

  /** Writes what is pending and closes the file; later changes are refused. */
  async close(): Promise<void> {
    if (this.#touchTimer) clearTimeout(this.#touchTimer);
    this.#touchTimer = null;
    if (!this.#readOnly && !this.#closed) await this.#flushTouches().catch(() => {});
    this.#closed = true;
    while (this.#writing) await this.#writing.catch(() => {});
    await this.#handle?.close();
    this.#handle = null;
  }

  #append(lines: string[], undo: (() => void) | null): Promise<void> {
    if (this.#readOnly) return Promise.reject(new Error(`${this.path}: opened read-only`));
    if (this.#closed) return Promise.reject(new Error(`${this.path}: closed`));
    return new Promise((resolve, reject) => {
      this.#pending ??= { lines: [], waiters: [], undo: [] };
      this.#pending.lines.push(...lines);
      this.#pending.waiters.push({ resolve, reject });
      if (undo) this.#pending.undo.push(undo);
      this.#writing ??= this.#drain();
    });
  }

  /** One batch at a time: what arrives during a write goes out together in the next one. */
  async #drain(): Promise<void> {
    for (let batch = this.#pending; batch !== null; batch = this.#pending) {
      this.#pending = null;
      try {
        if (this.#mustCompact || this.#lines + batch.lines.length > 2 * this.#sessions.size + COMPACT_SLACK) {
          // Memory already holds the batch's changes: the compacted log includes them.
          await this.#compact();
        } else {
          await this.#write(batch.lines);
        }
        for (const w of batch.waiters) w.resolve();
      } catch (error) {
        for (const u of batch.undo) u();
        this.#mustCompact = true;
        for (const w of batch.waiters) w.reject(error);
      }
    }
    // Cleared in the same step that found nothing pending: a change made by a waiter resumed
    // above starts the next drain instead of waiting for this one.
    this.#writing = null;
  }

  async #write(lines: string[]): Promise<void> {
    const text = Buffer.from(lines.join(''), 'utf8');
    this.#handle ??= await open(this.path, 'a');
    try {
      await this.#handle.write(text);
      await this.#handle.datasync();
    } catch (error) {
      // A short write (full disk) must not leave half a line for the next batch to follow.
      await this.#handle.truncate(this.#size).catch(() => {});
      throw error;
    }
    this.#size += text.length;
    this.#lines += lines.length;
  }

  /** Replaces the log with one line per live session. */
  async #compact(): Promise<void> {
    const now = Date.now();
    for (const [sid, record] of this.#sessions) if (record.expires <= now) this.#sessions.delete(sid);
    const lines = [...this.#sessions].map(([sid, record]) => encode({ set: sid, record }));
    const text = Buffer.from(lines.join(''), 'utf8');
    const temp = join(dirname(this.path), '.sessions.log.compacting');
    const handle = await open(temp, 'w');
    try {
      await handle.write(text);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await this.#handle?.close();
    this.#handle = null;
    await rename(temp, this.path);
    await syncDir(dirname(this.path));
    this.#size = text.length;
    this.#lines = lines.length;
    this.#touched.clear();
    this.#mustCompact = false;
  }
}

function safeSessions(json: unknown): Record<string, SessionRecord> | null {
  try {
    return parse.sessions(json).data.sessions;
  } catch {
    return null;
  }
}
