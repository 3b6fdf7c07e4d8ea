// Uploaded files as named texts: each file, or each entry of an uploaded .zip, decoded as UTF-8.
import { unzipSync } from 'fflate';
import { decodeUtf8 } from '../core/article-text.js';
import type { NamedText } from '../core/import/brat.js';

export interface Upload {
  name: string;
  bytes: Uint8Array;
}

/** What the files of one import may hold, unpacked: a corpus of thousands of articles fits. */
export const MAX_UNPACKED_BYTES = 256 * 1024 * 1024;
export const MAX_FILES = 20_000;

export function readUploads(uploads: readonly Upload[]): { files: NamedText[]; problems: string[] } {
  const problems: string[] = [];
  const files: NamedText[] = [];
  let total = 0;
  const add = (name: string, bytes: Uint8Array) => {
    if (bytes.length === 0) return void problems.push(`${name}: the file is empty`);
    const text = decodeUtf8(bytes);
    if (text === null) return void problems.push(`${name}: not UTF-8 text`);
    files.push({ name, text });
  };
  for (const upload of uploads) {
    if (!/\.zip$/i.test(upload.name)) {
      total += upload.bytes.length;
      add(upload.name, upload.bytes);
      continue;
    }
    let entries: Record<string, Uint8Array>;
    try {
      // Sizes are checked from the archive's directory before anything is inflated.
      entries = unzipSync(upload.bytes, {
        filter: (entry) => {
          if (entry.name.endsWith('/') || /(^|\/)(__MACOSX\/|\.)/.test(entry.name)) return false;
          total += entry.originalSize;
          if (total > MAX_UNPACKED_BYTES) throw new RangeError(`unpacked, the files hold more than ${MAX_UNPACKED_BYTES / 1024 / 1024} MB`);
          return true;
        },
      });
    } catch (error) {
      problems.push(`${upload.name}: ${error instanceof RangeError ? error.message : 'not a .zip archive that can be read'}`);
      continue;
    }
    for (const [name, bytes] of Object.entries(entries)) add(`${upload.name}/${name}`, bytes);
  }
  if (files.length > MAX_FILES) problems.push(`More than ${MAX_FILES} files: import the corpus in parts.`);
  if (uploads.length === 0) problems.push('Choose the files to import.');
  return { files, problems };
}
