// The sums of tag shards kept by versions before packs (tag-pack.ts), read now only by the start
// that packs such a data folder: for each shard file, the CRC-32 and length of bytes that version
// validated, and the shard's tag count. A shard whose bytes match their sum is packed without being
// parsed; any other is parsed and checked in full, then packed. The file goes once every folder is
// packed. (Writing sums is kept for the tests, which build folders as those versions left them.)
//
// A sum is a cache, never the truth: that version wrote the file first and its sum later, so a
// crash in between left a file that does not match its sum. A mismatch (or no sum, or a damaged
// sums file) only means "check this file in full"; it never calls a file damaged. A match means
// the bytes are ones that were valid (a CRC-32 lets random damage through once in 4 billion).
//
// Layout: DATA_DIR/tags.sums,
//   framelens-sums 1 <CRC-32 of the lines below: 8 hex digits>\n
//   <CRC-32: 8 hex digits> <length> <count> <path relative to DATA_DIR>\n …
import { readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { crc32 } from 'node:zlib';
import { errorCode, messageOf, writeDurably } from './durable-file.js';

const NAME = 'tags.sums';
const HEADER = 'framelens-sums 1 ';

interface Sum {
  crc: number;
  bytes: number;
  count: number;
}

/**
 * The sums by name. A start reads ~20,000 and keeps them: three numbers per file in one growing
 * Float64Array rather than an object each (the garbage collector copies every object a start keeps).
 */
class SumTable {
  readonly #index = new Map<string, number>();
  #values = new Float64Array(3 * 1024);
  #used = 0;
  /** Slots of deleted sums, used again. */
  readonly #free: number[] = [];

  get size(): number {
    return this.#index.size;
  }

  get(name: string): Sum | undefined {
    const slot = this.#index.get(name);
    if (slot === undefined) return undefined;
    const at = 3 * slot;
    return { crc: this.#values[at] ?? 0, bytes: this.#values[at + 1] ?? 0, count: this.#values[at + 2] ?? 0 };
  }

  /** Whether the sum of `name` is `crc` over `bytes` bytes; its count then, else -1. */
  match(name: string, bytes: number, crc: () => number): number {
    const slot = this.#index.get(name);
    if (slot === undefined) return -1;
    const at = 3 * slot;
    if (this.#values[at + 1] !== bytes || this.#values[at] !== crc()) return -1;
    return this.#values[at + 2] ?? -1;
  }

  set(name: string, crc: number, bytes: number, count: number): void {
    let slot = this.#index.get(name);
    if (slot === undefined) {
      slot = this.#free.pop() ?? this.#used++;
      if (3 * this.#used > this.#values.length) {
        const larger = new Float64Array(2 * this.#values.length);
        larger.set(this.#values);
        this.#values = larger;
      }
      this.#index.set(name, slot);
    }
    const at = 3 * slot;
    this.#values[at] = crc;
    this.#values[at + 1] = bytes;
    this.#values[at + 2] = count;
  }

  delete(name: string): boolean {
    const slot = this.#index.get(name);
    if (slot === undefined) return false;
    this.#index.delete(name);
    this.#free.push(slot);
    return true;
  }

  names(): IterableIterator<string> {
    return this.#index.keys();
  }
}

export class FileSums {
  readonly path: string;
  readonly #root: string;
  /** By path relative to the data folder, with `/` between folders (as written in the file). */
  readonly #sums: SumTable;
  /** Goes up with every change; `#saved` is the version last written. */
  #version = 0;
  #saved = 0;
  #saving: Promise<void> = Promise.resolve();

  private constructor(root: string, sums: SumTable) {
    this.#root = resolve(root);
    this.path = join(this.#root, NAME);
    this.#sums = sums;
  }

  /** No sums: every file is checked in full (and summed as it is). */
  static empty(root: string): FileSums {
    return new FileSums(root, new SumTable());
  }

  /**
   * Reads DATA_DIR/tags.sums. Missing, it is empty; damaged, it is ignored (with a warning): every
   * file is then checked in full, and the sums are written again.
   */
  static read(root: string): FileSums {
    const absolute = resolve(root);
    const path = join(absolute, NAME);
    let text: string;
    try {
      text = readFileSync(path, 'latin1');
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') console.error(`Framelens: ${path} cannot be read (${messageOf(error)}); every tag shard is checked in full.`);
      return FileSums.empty(absolute);
    }
    const sums = parseSums(text);
    if (sums === null) {
      console.error(`Framelens: ${path} is damaged; every tag shard is checked in full, and the file is written again.`);
      const empty = FileSums.empty(absolute);
      empty.#version++; // written again at the next save()
      return empty;
    }
    return new FileSums(absolute, sums);
  }

  /** The name a file is summed under. */
  #name(path: string): string {
    const inside = path.startsWith(this.#root) && path[this.#root.length] === sep ? path.slice(this.#root.length + 1) : relative(this.#root, resolve(path));
    return sep === '/' ? inside : inside.split(sep).join('/');
  }

  /** The count kept with `bytes`, if they are the bytes summed for the file at `path`; else null. */
  check(path: string, bytes: Buffer): number | null {
    const count = this.#sums.match(this.#name(path), bytes.length, () => crc32(bytes));
    return count < 0 ? null : count;
  }

  /** Records that `content` (the file's bytes, or its text as UTF-8) at `path` is valid, with `count`. */
  record(path: string, content: Buffer | string, count: number): void {
    const bytes = typeof content === 'string' ? Buffer.byteLength(content) : content.length;
    this.#sums.set(this.#name(path), crc32(content), bytes, count);
    this.#version++;
  }

  /** How many files have a sum. */
  get size(): number {
    return this.#sums.size;
  }

  /** Forgets the sums of a file, or of every file under a folder. */
  forget(fileOrFolder: string): void {
    const name = this.#name(fileOrFolder);
    const prefix = `${name}/`;
    for (const path of [...this.#sums.names()]) {
      if (path === name || path.startsWith(prefix)) {
        this.#sums.delete(path);
        this.#version++;
      }
    }
  }

  /** Writes the sums (durably) if they changed since the last save. */
  save(): Promise<void> {
    const run = this.#saving.catch(() => {}).then(async () => {
      const version = this.#version;
      if (version === this.#saved) return;
      const lines: string[] = [];
      for (const name of this.#sums.names()) {
        const sum = this.#sums.get(name);
        if (sum) lines.push(`${hex8(sum.crc)} ${sum.bytes} ${sum.count} ${name}\n`);
      }
      const body = lines.join('');
      await writeDurably(this.path, `${HEADER}${hex8(crc32(body))}\n${body}`);
      this.#saved = version;
    });
    this.#saving = run;
    return run;
  }
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

const LOWER_HEX = new Int8Array(128).fill(-1);
for (let d = 0; d < 16; d++) LOWER_HEX['0123456789abcdef'.charCodeAt(d)] = d;
const ZERO = 0x30;

/** The number `text` writes from `from` to `to` in lowercase hex (exactly 8 digits), or -1. */
function hexIn(text: string, from: number, to: number): number {
  if (to - from !== 8) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const digit = LOWER_HEX[text.charCodeAt(i)] ?? -1;
    if (digit < 0) return -1;
    n = n * 16 + digit;
  }
  return n;
}

/** The number `text` writes from `from` to `to` in decimal (1 to 15 digits), or -1. */
function decimalIn(text: string, from: number, to: number): number {
  if (to <= from || to - from > 15) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    n = n * 10 + digit;
  }
  return n;
}

/** The sums in a tags.sums text, or null when it is damaged. */
function parseSums(text: string): SumTable | null {
  const newline = text.indexOf('\n');
  if (newline !== HEADER.length + 8 || !text.startsWith(HEADER)) return null;
  const body = text.slice(newline + 1);
  if (text.slice(HEADER.length, newline) !== hex8(crc32(Buffer.from(body, 'latin1')))) return null;
  const sums = new SumTable();
  if (body === '') return sums;
  if (!body.endsWith('\n')) return null;
  // Paths are UTF-8 (tag shards' are ASCII ids): the checksum was over the bytes, read as latin1.
  const lines = Buffer.from(body, 'latin1').toString('utf8');
  // "<crc> <length> <count> <name>\n", read in place: a regular expression with groups, or a
  // string per field, per line was ~40 ms of a start.
  for (let start = 0; start < lines.length; ) {
    const end = lines.indexOf('\n', start);
    const second = lines.indexOf(' ', start + 9);
    const third = second < 0 || second > end ? -1 : lines.indexOf(' ', second + 1);
    if (lines.charCodeAt(start + 8) !== 0x20 || third < 0 || third >= end - 1) return null;
    const crc = hexIn(lines, start, start + 8);
    const bytes = decimalIn(lines, start + 9, second);
    const count = decimalIn(lines, second + 1, third);
    if (crc < 0 || bytes < 0 || count < 0) return null;
    sums.set(lines.slice(third + 1, end), crc, bytes, count);
    start = end + 1;
  }
  return sums;
}
