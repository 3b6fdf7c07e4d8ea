// One process owns a data folder: the server (or a command that writes) holds DATA_DIR/.lock,
// holding its process id, for as long as it runs. A lock left by a process that died is taken over.
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';

export class LockError extends Error {}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

export async function lockDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, '.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      try {
        await handle.writeFile(`${process.pid}\n`);
        await handle.close();
      } catch (error) {
        // A full disk lets the file be created but not written: leave no empty lock behind.
        await handle.close().catch(() => {});
        await unlink(path).catch(() => {});
        throw error;
      }
      // Released when this process ends, however it ends short of a crash (then the next start takes it over).
      process.once('exit', () => {
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      });
      return;
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
        throw new LockError(`${dataDir} is in use by another Framelens process (pid ${pid}). Stop it first: one process owns a data folder.`);
      }
      await unlink(path).catch(() => {});
    }
  }
  throw new LockError(`could not lock ${dataDir}`);
}
