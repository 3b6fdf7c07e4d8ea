// Streams several export files into one .zip (fflate), respecting the output's backpressure.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Zip, ZipDeflate } from 'fflate';
import type { ExportFile } from './project.js';

export async function writeZip(files: ExportFile[], out: Writable): Promise<void> {
  let failure: Error | null = null;
  const zip = new Zip((error, chunk, final) => {
    if (error) failure = error;
    else out.write(chunk);
    if (final) out.end();
  });
  for (const file of files) {
    const entry = new ZipDeflate(file.name, { level: 6 });
    zip.add(entry);
    for await (const chunk of file.body()) {
      if (failure) throw failure;
      entry.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      if (out.writableNeedDrain) await once(out, 'drain');
    }
    entry.push(new Uint8Array(0), true);
  }
  zip.end();
  if (failure) throw failure;
}
