// One file per article holding every annotator's tag shard: a start reads 1,000 packs rather than
// 20,000 shard files (opening, reading and closing those was a quarter of a start's CPU).
//
// Layout: DATA_DIR/tags/<articleId>.pack,
//   framelens-pack 1 <articleId> <entries> <table bytes> <CRC-32: 8 hex digits>\n
//   <annotatorId> <length> <CRC-32 of the entry: 8 hex digits> <tag count>\n …   (the table)
//   the entries' bytes, one after another in the table's order
// Each entry is exactly the JSON a shard file `tags/<articleId>/<annotatorId>.json` held (the
// journal still names shards so). The header's CRC-32 covers the header line up to it and the
// table; each entry's covers its bytes. The table comes first so that one shard is read with two
// reads (table, entry) when it is first used, not the whole pack.
//
// A pack is only ever written whole (temp file, fsync, rename, fsync the folder) from content the
// server parsed and checked, so the CRCs vouch for it: a start takes an entry whose CRC matches as
// valid without parsing it, and knows its tag count from the table. Anything else (a CRC that does
// not match, a table that does not parse, a file longer or shorter than the table says) is damage:
// it stops the start naming the pack and the entry, and nothing is changed.
import { closeSync, readSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { crc32 } from 'node:zlib';
import { SharedReadBuffer, StorageError, messageOf, openToRead, writeDurably } from './durable-file.js';
import type { CheckpointWriter, FileContent } from './journal.js';
import type { FileSource } from './journalled-file.js';
import { ID } from './schemas.js';

const MAGIC = 'framelens-pack 1 ';
const NEWLINE = 0x0a;
/** Ids are short (schemas.ts ID): a header line longer than this is not one. */
const MAX_HEADER = 256;

/** The pack of an article's tags. */
export function packPath(dataDir: string, articleId: string): string {
  return join(dataDir, 'tags', `${articleId}.pack`);
}

/** The article and annotator of a tag shard's journal name (`<tagsDir>/<articleId>/<annotatorId>.json`), if it is one. */
export function shardOf(tagsDir: string, path: string): { articleId: string; annotatorId: string } | null {
  const parts = relative(tagsDir, path).split(sep);
  const [articleId, name] = parts;
  if (parts.length !== 2 || articleId === undefined || !name?.endsWith('.json')) return null;
  const annotatorId = name.slice(0, -'.json'.length);
  return ID.test(articleId) && ID.test(annotatorId) ? { articleId, annotatorId } : null;
}

/** How messages name one annotator's entry in a pack. */
export function entryName(pack: string, annotatorId: string): string {
  return `${pack} (the entry of annotator ${annotatorId})`;
}

/** One annotator's shard in a pack: where its bytes lie, and its tag count. */
export interface PackEntry {
  annotatorId: string;
  /** Byte offset in the pack, and length. */
  start: number;
  length: number;
  crc: number;
  count: number;
}

/** What a pack's writer puts in it per annotator: the shard's JSON (text or bytes) and its tag count. */
export interface PackContent {
  annotatorId: string;
  bytes: Buffer | string;
  count: number;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** A pack's bytes, its entries in the order given (sorted by annotator by the callers, for stable files). */
export function encodePack(articleId: string, contents: readonly PackContent[]): Buffer {
  const bodies = contents.map((c) => (typeof c.bytes === 'string' ? Buffer.from(c.bytes) : c.bytes));
  const table = contents.map((c, i) => {
    const body = bodies[i] as Buffer;
    return `${c.annotatorId} ${body.length} ${hex8(crc32(body))} ${c.count}\n`;
  }).join('');
  const tableBytes = Buffer.from(table);
  const prefix = `${MAGIC}${articleId} ${contents.length} ${tableBytes.length} `;
  const crc = crc32(tableBytes, crc32(prefix));
  return Buffer.concat([Buffer.from(`${prefix}${hex8(crc)}\n`), tableBytes, ...bodies]);
}

function damaged(path: string, what: string): StorageError {
  return new StorageError(path, `${path} is damaged (${what}); the file was left untouched. Restore it from a backup.`);
}

const DECIMAL = /^(0|[1-9]\d{0,14})$/;
const HEX8 = /^[0-9a-f]{8}$/;

/**
 * The header of a pack (from its first bytes): its entries, and where the entries' bytes begin;
 * or how many bytes it needs, when `buffer` holds fewer. Throws on damage.
 */
function parseHeader(path: string, articleId: string, buffer: Buffer): { entries: PackEntry[]; dataStart: number } | number {
  const have = buffer.length;
  const newline = buffer.indexOf(NEWLINE, 0);
  if (newline < 0) {
    if (have >= MAX_HEADER) throw damaged(path, 'no header line');
    return MAX_HEADER; // read more
  }
  const line = buffer.toString('latin1', 0, newline);
  const fields = line.startsWith(MAGIC) ? line.slice(MAGIC.length).split(' ') : [];
  const [id, entriesText, tableText, crcText] = fields;
  if (fields.length !== 4 || !DECIMAL.test(entriesText ?? '') || !DECIMAL.test(tableText ?? '') || !HEX8.test(crcText ?? '')) {
    throw damaged(path, 'not a pack header');
  }
  const tableBytes = Number(tableText);
  const tableStart = newline + 1;
  const dataStart = tableStart + tableBytes;
  if (dataStart > have) return dataStart; // read more
  const prefixLength = line.length - 8;
  const crc = crc32(buffer.subarray(tableStart, dataStart), crc32(buffer.subarray(0, prefixLength)));
  if (hex8(crc) !== crcText) throw damaged(path, 'the header checksum does not match');
  if (id !== articleId) throw damaged(path, `it holds the tags of article ${id}, not ${articleId}`);
  const lines = buffer.toString('utf8', tableStart, dataStart).split('\n');
  if (lines.pop() !== '' || lines.length !== Number(entriesText)) throw damaged(path, 'the table does not list its entries');
  const entries: PackEntry[] = [];
  let start = dataStart;
  const seen = new Set<string>();
  for (const entry of lines) {
    const [annotatorId, length, entryCrc, count, ...rest] = entry.split(' ');
    if (annotatorId === undefined || annotatorId === '' || seen.has(annotatorId) || rest.length > 0 || !DECIMAL.test(length ?? '') || !HEX8.test(entryCrc ?? '') || !DECIMAL.test(count ?? '')) {
      throw damaged(path, `the table's line "${entry}" is not an entry`);
    }
    seen.add(annotatorId);
    entries.push({ annotatorId, start, length: Number(length), crc: parseInt(entryCrc ?? '', 16), count: Number(count) });
    start += Number(length);
  }
  return { entries, dataStart };
}

/** The end of a pack's last entry: the pack's length. */
function endOf(entries: readonly PackEntry[], dataStart: number): number {
  const last = entries.at(-1);
  return last ? last.start + last.length : dataStart;
}

/**
 * The entries of a whole pack read into `buffer`, each checked against its CRC-32, the header
 * against its own, and the file's length against the table. Throws a StorageError naming the pack
 * (and the annotator, for an entry) on any damage.
 */
export function decodePack(path: string, articleId: string, buffer: Buffer): PackEntry[] {
  const header = parseHeader(path, articleId, buffer);
  if (typeof header === 'number') throw damaged(path, `cut short: ${buffer.length} bytes, not even its header`);
  const { entries, dataStart } = header;
  const end = endOf(entries, dataStart);
  if (buffer.length !== end) throw damaged(path, `${buffer.length} bytes where its table says ${end}: ${buffer.length < end ? 'cut short' : 'bytes after its last entry'}`);
  for (const entry of entries) checkEntry(path, buffer.subarray(entry.start, entry.start + entry.length), entry);
  return entries;
}

function checkEntry(path: string, bytes: Buffer, entry: PackEntry): void {
  if (bytes.length !== entry.length) throw damaged(path, `the entry of annotator ${entry.annotatorId} is cut short`);
  if (crc32(bytes) !== entry.crc) throw damaged(path, `the entry of annotator ${entry.annotatorId}: the checksum does not match`);
}

function readAt(fd: number, buffer: Buffer, offset: number, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const read = readSync(fd, buffer, offset + done, length - done, position + done);
    if (read === 0) break;
    done += read;
  }
  return done;
}

/** The buffer whole packs are read into (a pack's own, apart from other files' reads during an upgrade). */
const packBuffer = new SharedReadBuffer(1 << 17);

/**
 * The bytes of the pack at `path` in a buffer shared by every call (valid until the next one), or
 * null when there is no pack. A StorageError names it when it cannot be read.
 */
export function readPackShared(path: string): Buffer | null {
  return packBuffer.read(path);
}

/**
 * One annotator's entry of the pack at `path`, checked against the header's and its own CRC-32:
 * a copy of its bytes, or null when there is no pack or no such entry. Reads the header and the
 * entry only, through one open file (a checkpoint renaming a new pack into place meanwhile changes
 * nothing for this read).
 */
export function readPackEntry(path: string, articleId: string, annotatorId: string): Buffer | null {
  const fd = openToRead(path);
  if (fd === null) return null;
  try {
    let head = Buffer.allocUnsafe(4096);
    let have = readAt(fd, head, 0, head.length, 0);
    for (;;) {
      const header = parseHeader(path, articleId, head.subarray(0, have));
      if (typeof header !== 'number') {
        const entry = header.entries.find((e) => e.annotatorId === annotatorId);
        if (!entry) return null;
        const bytes = Buffer.allocUnsafe(entry.length);
        checkEntry(path, bytes.subarray(0, readAt(fd, bytes, 0, entry.length, entry.start)), entry);
        return bytes;
      }
      if (have < head.length) throw damaged(path, 'cut short inside its header');
      const larger = Buffer.allocUnsafe(Math.max(header, 2 * head.length));
      head.copy(larger, 0, 0, have);
      head = larger;
      have += readAt(fd, head, have, head.length - have, have);
    }
  } catch (error) {
    if (error instanceof StorageError) throw error;
    throw new StorageError(path, `${path}: cannot read: ${messageOf(error)}`, { cause: error });
  } finally {
    closeSync(fd);
  }
}

/**
 * One annotator's shard in its article's pack, as a journalled file reads it (journalled-file.ts):
 * `trustedCount` is the tag count the pack's table gave for an entry whose checksum a start
 * checked (null for a shard not in the pack when the start read it).
 */
export class PackedShard implements FileSource {
  readonly pack: string;
  readonly articleId: string;
  readonly annotatorId: string;
  readonly trustedCount: number | null;

  constructor(pack: string, articleId: string, annotatorId: string, trustedCount: number | null) {
    this.pack = pack;
    this.articleId = articleId;
    this.annotatorId = annotatorId;
    this.trustedCount = trustedCount;
  }

  get name(): string {
    return entryName(this.pack, this.annotatorId);
  }

  bytes(): Buffer | null {
    return readPackEntry(this.pack, this.articleId, this.annotatorId);
  }
}

/**
 * How a checkpoint writes tag shards (journal.ts): the shards it has records for, named
 * `tags/<articleId>/<annotatorId>.json` by the journal, go into their article's pack, rewritten
 * whole and durably (temp file, fsync, rename; the checkpoint fsyncs the folder) with the other
 * annotators' entries copied from the pack as it was. Any other file is rewritten on its own.
 */
export class PackWriter implements CheckpointWriter {
  readonly #tagsDir: string;

  /** `tagsDir`: DATA_DIR/tags, absolute, as the journal names files. */
  constructor(tagsDir: string) {
    this.#tagsDir = tagsDir;
  }

  unitOf(path: string): string {
    const shard = shardOf(this.#tagsDir, path);
    return shard ? packPath(dirname(this.#tagsDir), shard.articleId) : path;
  }

  async write(unit: string, files: Map<string, FileContent>): Promise<string> {
    if (!unit.endsWith('.pack')) {
      const content = files.get(unit);
      if (content) await writeDurably(unit, content.text, { syncDir: false });
      return dirname(unit);
    }
    const articleId = basename(unit, '.pack');
    const entries = new Map<string, PackContent>();
    // The pack as it is: checked in full (damage stops the checkpoint, and the journal keeps the
    // saves), its entries copied before the next await (the read buffer is shared).
    const old = readPackShared(unit);
    if (old !== null) {
      for (const entry of decodePack(unit, articleId, old)) {
        entries.set(entry.annotatorId, { annotatorId: entry.annotatorId, bytes: old.subarray(entry.start, entry.start + entry.length), count: entry.count });
      }
    }
    for (const [path, content] of files) {
      const shard = shardOf(this.#tagsDir, path);
      if (shard?.articleId !== articleId) throw new Error(`${path} is no tag shard of ${unit}`);
      entries.set(shard.annotatorId, { annotatorId: shard.annotatorId, bytes: content.text, count: content.count });
    }
    const sorted = [...entries.values()].sort((a, b) => (a.annotatorId < b.annotatorId ? -1 : a.annotatorId > b.annotatorId ? 1 : 0));
    await writeDurably(unit, encodePack(articleId, sorted), { syncDir: false });
    return dirname(unit);
  }
}
