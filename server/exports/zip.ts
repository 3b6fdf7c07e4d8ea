// Streams several export files into one .zip (fflate), respecting the output's backpressure.
import type { Writable } from 'node:stream';
import { Zip, ZipDeflate } from 'fflate';
import type { ExportFile } from './project.js';

export class DownloadClosed extends Error {}

/**
 * Waits until `out` wants more. Rejects if it is closed or fails first: a client that goes away
 * mid-download never emits 'drain', and waiting for it would hold the export open forever.
 */
function drained(out: Writable): Promise<void> {
  if (out.destroyed || out.writableEnded) return Promise.reject(new DownloadClosed('the download was closed before it finished'));
  if (!out.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      cleanup();
      resolve();
    };
    const closed = () => {
      cleanup();
      reject(new DownloadClosed('the download was closed before it finished'));
    };
    const cleanup = () => {
      out.off('drain', done);
      out.off('close', closed);
      out.off('error', closed);
    };
    out.on('drain', done);
    out.on('close', closed);
    out.on('error', closed);
  });
}

export async function writeZip(files: ExportFile[], out: Writable): Promise<void> {
  let failure: Error | null = null;
  const zip = new Zip((error, chunk, final) => {
    if (error) failure = error;
    else if (!out.destroyed) out.write(chunk);
    if (final && !out.destroyed) out.end();
  });
  for (const file of files) {
    const entry = new ZipDeflate(file.name, { level: 6 });
    zip.add(entry);
    const body = file.body();
    try {
      for await (const chunk of body) {
        if (failure) throw failure;
        entry.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
        await drained(out);
      }
    } finally {
      body.destroy();
    }
    entry.push(new Uint8Array(0), true);
    await drained(out);
  }
  zip.end();
  if (failure) throw failure;
}
