import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentCommand } from '../../server/commands/segment.js';
import { capturedIo } from '../helpers/io.js';

async function run(args: string[], stdin: Uint8Array | string = '') {
  const io = capturedIo(stdin);
  const code = await segmentCommand(args, io);
  return { code, stdout: io.out(), stderr: io.err() };
}

function parseLines(out: string): { start: number; end: number; text: string }[] {
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { start: number; end: number; text: string });
}

const ARTICLE = 'Talks in Brussels\n"We are ready. Talks go on," he said. The U.S. agreed 😀.\n';

describe('framelens segment', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'framelens-segment-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints one JSON object per sentence for a FILE', async () => {
    const file = join(dir, 'article.txt');
    await writeFile(file, ARTICLE, 'utf8');
    const { code, stdout, stderr } = await run([file]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const sentences = parseLines(stdout);
    expect(sentences.map((s) => s.text)).toEqual([
      'Talks in Brussels',
      '"We are ready.',
      'Talks go on," he said.',
      'The U.S. agreed 😀.',
    ]);
    for (const s of sentences) expect(ARTICLE.slice(s.start, s.end)).toBe(s.text);
    expect(stdout.endsWith('\n')).toBe(true);
    expect(stdout.split('\n')[0]).toBe(JSON.stringify({ start: 0, end: 17, text: 'Talks in Brussels' }));
  });

  it('reads standard input for -', async () => {
    const { code, stdout } = await run(['-'], ARTICLE);
    expect(code).toBe(0);
    expect(parseLines(stdout)).toHaveLength(4);
  });

  it('prints nothing for an empty file', async () => {
    const { code, stdout } = await run(['-'], '');
    expect(code).toBe(0);
    expect(stdout).toBe('');
  });

  it('exits 2 without a FILE argument', async () => {
    const { code, stdout, stderr } = await run([]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/missing FILE/);
  });

  it('exits 2 with too many arguments', async () => {
    const { code, stderr } = await run(['a.txt', 'b.txt']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/too many arguments/);
  });

  it('exits 2 for a missing file, naming it', async () => {
    const missing = join(dir, 'missing.txt');
    const { code, stdout, stderr } = await run([missing]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(missing);
    expect(stderr).toMatch(/no such file/);
  });

  it('exits 1 for invalid UTF-8', async () => {
    const file = join(dir, 'latin1.txt');
    await writeFile(file, Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x2e, 0x0a])); // "Café." in Latin-1
    const fromFile = await run([file]);
    expect(fromFile.code).toBe(1);
    expect(fromFile.stdout).toBe('');
    expect(fromFile.stderr).toMatch(/not valid UTF-8/);
    const fromStdin = await run(['-'], new Uint8Array([0xff, 0xfe, 0x41]));
    expect(fromStdin.code).toBe(1);
    expect(fromStdin.stderr).toMatch(/standard input is not valid UTF-8/);
  });
});
