// What a start need not parse again: for each journalled file (tag shard), the CRC-32 and length
// of bytes this server validated — written by a checkpoint from checked data, or read, parsed and
// checked at a start — and a count the file's adapter keeps with them (a shard's tag count).
// A start that finds a file's bytes matching its sum knows them valid without parsing them, and
// knows the count without reading the tags; parsing and checking 20,000 shards was most of a start.
//
// A sum is a cache, never the truth: the file is written first and its sum later, so a crash in
// between leaves a file that does not match its sum. A mismatch (or no sum, or a damaged sums
// file) only means "check this file in full", as every start did before; it never calls a file
// damaged. A match means the bytes are ones that were valid (a CRC-32 lets random damage through
// once in 4 billion).
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

export class FileSums {
  readonly path: string;
  readonly #root: string;
  /** By path relative to the data folder, with `/` between folders (as written in the file). */
  readonly #sums: Map<string, Sum>;
  /** Goes up with every change; `#saved` is the version last written. */
  #version = 0;
  #saved = 0;
  #saving: Promise<void> = Promise.resolve();

  private constructor(root: string, sums: Map<string, Sum>) {
    this.#root = resolve(root);
    this.path = join(this.#root, NAME);
    this.#sums = sums;
  }

  /** No sums: every file is checked in full (and summed as it is). */
  static empty(root: string): FileSums {
    return new FileSums(root, new Map());
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
    const sum = this.#sums.get(this.#name(path));
    if (sum === undefined || sum.bytes !== bytes.length || sum.crc !== crc32(bytes)) return null;
    return sum.count;
  }

  /** Records that `content` (the file's bytes, or its text as UTF-8) at `path` is valid, with `count`. */
  record(path: string, content: Buffer | string, count: number): void {
    const bytes = typeof content === 'string' ? Buffer.byteLength(content) : content.length;
    this.#sums.set(this.#name(path), { crc: crc32(content), bytes, count });
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
    for (const path of this.#sums.keys()) {
      if (path === name || path.startsWith(prefix)) {
        this.#sums.delete(path);
        this.#version++;
      }
    }
  }

  /** Forgets the sums of files not in `paths` (gone since they were summed). */
  retain(paths: Iterable<string>): void {
    const names = new Set<string>();
    for (const path of paths) names.add(this.#name(path));
    for (const path of this.#sums.keys()) {
      if (!names.has(path)) {
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
      for (const [name, sum] of this.#sums) lines.push(`${hex8(sum.crc)} ${sum.bytes} ${sum.count} ${name}\n`);
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

const HEX8 = /^[0-9a-f]{8}$/;
const DIGITS = /^\d{1,15}$/;

/** The sums in a tags.sums text, or null when it is damaged. */
function parseSums(text: string): Map<string, Sum> | null {
  const newline = text.indexOf('\n');
  if (newline !== HEADER.length + 8 || !text.startsWith(HEADER)) return null;
  const body = text.slice(newline + 1);
  if (text.slice(HEADER.length, newline) !== hex8(crc32(Buffer.from(body, 'latin1')))) return null;
  const sums = new Map<string, Sum>();
  if (body === '') return sums;
  if (!body.endsWith('\n')) return null;
  // Paths are UTF-8 (tag shards' are ASCII ids): the checksum was over the bytes, read as latin1.
  for (const line of Buffer.from(body, 'latin1').toString('utf8').slice(0, -1).split('\n')) {
    // "<crc> <length> <count> <name>", split by hand: one regular expression with groups per line
    // was ~40 ms of a start.
    const second = line.indexOf(' ', 9);
    const third = second < 0 ? -1 : line.indexOf(' ', second + 1);
    if (line[8] !== ' ' || third < 0 || third === line.length - 1) return null;
    const crc = line.slice(0, 8);
    const bytes = line.slice(9, second);
    const count = line.slice(second + 1, third);
    if (!HEX8.test(crc) || !DIGITS.test(bytes) || !DIGITS.test(count)) return null;
    sums.set(line.slice(third + 1), { crc: Number.parseInt(crc, 16), bytes: Number(bytes), count: Number(count) });
  }
  return sums;
}
