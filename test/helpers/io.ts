// A command's standard streams as a test hands them to `xCommand(args, io)`: standard input from a
// string (or raw bytes), and what the command printed, read back as text.
import { PassThrough, Readable } from 'node:stream';
import type { IO } from '../../server/commands/io.js';

export interface CapturedIo extends IO {
  /** All the command has written to standard output so far. */
  out(): string;
  /** All the command has written to standard error so far. */
  err(): string;
}

export function capturedIo(stdin: string | Uint8Array = ''): CapturedIo {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  // Buffers joined at the end, so that a character split across two writes is decoded whole.
  const outChunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => outChunks.push(c));
  stderr.on('data', (c: Buffer) => errChunks.push(c));
  return {
    stdin: Readable.from([typeof stdin === 'string' ? Buffer.from(stdin, 'utf8') : Buffer.from(stdin)]),
    stdout,
    stderr,
    out: () => Buffer.concat(outChunks).toString('utf8'),
    err: () => Buffer.concat(errChunks).toString('utf8'),
  };
}
