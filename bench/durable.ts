// A raw durable write: the same steps as server/storage/durable-file.ts writeDurably
// (unique temp file, write, fdatasync, close, rename over the target, fsync the folder),
// without the app around it.
import { open, rename } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

let counter = 0;

export async function durableWrite(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${++counter}.tmp`);
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
