// `framelens segment FILE`: prints the sentences of a UTF-8 text file (`-` for
// standard input), one JSON object per line: {"start":0,"end":42,"text":"…"}.
import { readFile } from 'node:fs/promises';
import { segment } from '../core/segmentation.js';
import { readBytes, type IO } from './io.js';

const USAGE = 'usage: framelens segment FILE   (FILE "-" reads standard input)\n';

/** Runs the command; resolves to the process exit code (0 ok, 1 bad input, 2 usage or unreadable file). */
export async function segmentCommand(args: string[], io: IO): Promise<number> {
  const [file, ...extra] = args;
  if (file === undefined || extra.length > 0) {
    io.stderr.write(`framelens segment: ${file === undefined ? 'missing FILE argument' : 'too many arguments'}\n${USAGE}`);
    return 2;
  }

  let bytes: Uint8Array;
  try {
    bytes = file === '-' ? await readBytes(io.stdin) : await readFile(file);
  } catch (error) {
    io.stderr.write(`framelens segment: cannot read ${file === '-' ? 'standard input' : file}: ${describe(error)}\n`);
    return 2;
  }

  let text: string;
  try {
    // A leading byte order mark is dropped; offsets count from the character after it.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    io.stderr.write(`framelens segment: ${file === '-' ? 'standard input' : file} is not valid UTF-8\n`);
    return 1;
  }

  let out = '';
  for (const { start, end } of segment(text)) {
    out += JSON.stringify({ start, end, text: text.slice(start, end) }) + '\n';
  }
  try {
    if (out !== '') await write(io.stdout, out);
  } catch (error) {
    io.stderr.write(`framelens segment: cannot write the output: ${describe(error)}\n`);
    return 1;
  }
  return 0;
}

/** Resolves once the stream has taken the text, so a caller may exit right after. */
function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error?: Error | null) => (error ? reject(error) : resolve()));
  });
}

function describe(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
