// The data-folder lock on a disk that is full: the lock file can be created but not written.
// Issue 14: starting on a full disk left an empty .lock behind and advised restoring a backup.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import * as fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { lockDataDir } from '../../server/storage/lock.js';
import { explainFailure } from '../../server/commands/serve.js';
import { StorageError, StorageFullError } from '../../server/storage/durable-file.js';

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, open: vi.fn(actual.open) };
});

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'framelens-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const noSpace = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });

describe('lockDataDir on a full disk', () => {
  it('fails with the disk error and leaves no empty .lock behind', async () => {
    const actual = await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises');
    vi.mocked(fs.open).mockImplementationOnce(async (path, flags) => {
      const handle = await actual.open(path, flags);
      handle.writeFile = async () => {
        throw noSpace();
      };
      return handle;
    });
    const data = join(dir, 'data');
    await expect(lockDataDir(data)).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(await readdir(data)).toEqual([]);
    // Once there is room again, the folder locks as usual.
    await lockDataDir(data);
    expect(await readdir(data)).toEqual(['.lock']);
  });
});

describe('what an operator is told when the server cannot start', () => {
  it('a full disk is said to be full, without the advice for a corrupt file', () => {
    for (const error of [noSpace(), new StorageFullError('/data/instance.json', { cause: noSpace() })]) {
      const text = explainFailure(error).join('\n');
      expect(text).toMatch(/disk holding the data folder is full/);
      expect(text).toMatch(/Free some space and start again/);
      expect(text).not.toMatch(/Restore that file|backup/);
    }
  });

  it('a damaged journal segment is named, with what moving it aside costs', () => {
    const segment = '/data/journal/00000003.log';
    const text = explainFailure(new StorageError(segment, `${segment} is damaged at byte 12 (the checksum does not match)`)).join('\n');
    expect(text).toMatch(/^\/data\/journal\/00000003.log is damaged at byte 12/);
    expect(text).toMatch(/Restore the data folder from a backup/);
    expect(text).toMatch(/the saves in it are lost/);
  });

  it('a corrupt file is named, with the advice to restore it', () => {
    const text = explainFailure(new StorageError('/data/users.json', '/data/users.json is corrupt (not valid JSON)')).join('\n');
    expect(text).toMatch(/^\/data\/users.json is corrupt/);
    expect(text).toMatch(/Restore that file from a backup/);
  });
});
