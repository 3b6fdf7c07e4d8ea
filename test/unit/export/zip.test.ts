// writeZip: several streamed files into one valid .zip, with backpressure, and no hang when the
// download is closed before it finishes.
import { PassThrough, Readable, Writable } from 'node:stream';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { writeZip } from '../../../server/exports/zip.js';
import type { ExportFile } from '../../../server/exports/project.js';

function collect(out: PassThrough): Promise<Buffer> {
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve, reject) => {
    out.on('end', () => resolve(Buffer.concat(chunks)));
    out.on('error', reject);
  });
}

const lines = (n: number) =>
  Readable.from(
    (function* () {
      for (let i = 0; i < n; i++) yield `line ${i}, with some text to compress ${'x'.repeat(i % 50)}\n`;
    })(),
  );

describe('writeZip', () => {
  it('writes every file, streamed, into a zip that unzips to the same content (UTF-8 names too)', async () => {
    const files: ExportFile[] = [
      { name: 'a/one.txt', body: () => Readable.from(['hello ', Buffer.from('world')]) },
      { name: 'a/Анна.ann', body: () => Readable.from(['T1\thedge 0 5\thello\n']) },
      { name: 'big.csv', body: () => lines(20_000) },
      { name: 'empty.txt', body: () => Readable.from([]) },
    ];
    // A small buffer, so backpressure is exercised.
    const out = new PassThrough({ highWaterMark: 1024 });
    const done = collect(out);
    await writeZip(files, out);
    const unzipped = unzipSync(new Uint8Array(await done));
    expect(Object.keys(unzipped)).toEqual(['a/one.txt', 'a/Анна.ann', 'big.csv', 'empty.txt']);
    expect(strFromU8(unzipped['a/one.txt'] ?? new Uint8Array())).toBe('hello world');
    expect(strFromU8(unzipped['a/Анна.ann'] ?? new Uint8Array())).toBe('T1\thedge 0 5\thello\n');
    const big = strFromU8(unzipped['big.csv'] ?? new Uint8Array()).split('\n');
    expect(big).toHaveLength(20_001);
    expect(big[19_999]).toMatch(/^line 19999, /);
    expect(unzipped['empty.txt']).toHaveLength(0);
  });

  it('stops (rejects) when the download is closed mid-way instead of waiting for it forever', async () => {
    let source: Readable | null = null;
    const endless = () => {
      source = new Readable({
        read() {
          this.push(`${'y'.repeat(4096)}\n`);
        },
      });
      return source;
    };
    // A client that reads nothing and then goes away.
    const out = new Writable({ highWaterMark: 1024, write: () => undefined });
    setTimeout(() => out.destroy(), 50);
    await expect(writeZip([{ name: 'endless.txt', body: endless }], out)).rejects.toThrow(/closed/);
    // The file being read is let go too.
    expect((source as Readable | null)?.destroyed).toBe(true);
  });
});
