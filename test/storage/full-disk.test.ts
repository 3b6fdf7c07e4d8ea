// A real full disk: a small tmpfs, filled. Mounting one needs root with CAP_SYS_ADMIN (as in our
// CI containers); where that is not allowed these tests are skipped, and the injected failures of
// journal.test.ts, store-journal.test.ts and lock.test.ts cover the same paths.
// Issue 14: a save refused for lack of space answered a generic 500, and starting on a full disk
// advised restoring a backup and left an empty .lock behind.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readData } from '../../server/commands/serve.js';
import { expectError, jsonWorld, tag } from '../helpers/forms.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 60_000 });

const CLI = fileURLToPath(new URL('../../server/cli.ts', import.meta.url));

function mount(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function canMount(): boolean {
  if (process.platform !== 'linux') return false;
  const probe = mkdtempSync(join(tmpdir(), 'framelens-tmpfs-probe-'));
  const mounted = mount(probe, '64k');
  if (mounted) execFileSync('umount', [probe]);
  rmSync(probe, { recursive: true, force: true });
  return mounted;
}

/** Fills the file system holding `dir` with a file of its own, leaving `reserve` bytes free. */
async function fill(dir: string, reserve = 0): Promise<void> {
  const spare = join(dir, '.spare');
  if (reserve > 0) await writeFile(spare, Buffer.alloc(reserve, 1));
  const handle = await open(join(dir, '.filler'), 'a');
  try {
    for (const size of [1 << 20, 64 << 10, 4096, 1]) {
      const chunk = Buffer.alloc(size, 1);
      for (;;) {
        const written = await handle.write(chunk).then((r) => r.bytesWritten, () => 0);
        if (written < size) break;
      }
    }
  } finally {
    await handle.close();
  }
  if (reserve > 0) await unlink(spare);
}

// Writing to /dev/full fails with ENOSPC: a journal segment linked to it is a disk that is full.
describe.runIf(process.platform === 'linux')('a tag save on a full disk (journal segment on /dev/full)', () => {
  it('answers 507 with the sentence, the message beside the form and the input kept; nothing is stored', async () => {
    const w = await jsonWorld();
    try {
      await w.t.store.checkpoint();
      const journal = join(w.t.dataDir, 'journal');
      expect(await readdir(journal)).toEqual([]);
      // The checkpoint closed segment 1 (numbering goes on from there): the next one is 00000002.log.
      await symlink('/dev/full', join(journal, '00000002.log'));
      const res = await tag(w.researcher, w.demoArticleId, 1, { first: 0, last: 0, category: 'hedge', note: 'refused' });
      expectError(res, 507, "The server's storage is full, so nothing was saved.");
      expect(res.text).toMatch(/<textarea[^>]*name="note"[^>]*>refused<\/textarea>/);
      expect(w.t.store.annotation(w.demoArticleId, w.researcherId).tags).toEqual([]);
      await unlink(join(journal, '00000002.log'));
    } finally {
      await w.t.cleanup();
    }
  });
});

describe.runIf(canMount())('on a full disk (tmpfs)', () => {
  let mountPoint = '';
  beforeEach(async () => {
    mountPoint = await mkdtemp(join(tmpdir(), 'framelens-full-'));
    if (!mount(mountPoint, '8m')) throw new Error('mount failed');
  });
  afterEach(async () => {
    execFileSync('umount', ['-l', mountPoint]);
    await rm(mountPoint, { recursive: true, force: true });
  });

  it('tag saves answer 507 saying the storage is full and nothing was saved; refused saves do not come back', async () => {
    const dataDir = join(mountPoint, 'data');
    const w = await jsonWorld(dataDir);
    const saved: string[] = [];
    try {
      await fill(mountPoint);
      let full = null;
      // The journal's last page may take a few more records; then the disk says no.
      for (let i = 0; i < 300 && full === null; i++) {
        const res = await tag(w.researcher, w.demoArticleId, 1 + (i % 3), { first: i % 4, last: i % 4, category: ['hedge', 'loaded-label', 'euphemism'][Math.floor(i / 4) % 3] ?? 'hedge', note: `save ${i}` });
        if (res.status === 303) saved.push(`save ${i}`);
        else full = res;
      }
      if (full === null) throw new Error('the disk never filled up');
      expectError(full, 507, /storage is full, so nothing was saved/);
      expect(full.text).toContain('id="tag-form"');
    } finally {
      // The crash: the server is gone; space is freed; the next start reads the journal.
      await unlink(join(mountPoint, '.filler'));
    }
    const again = await readData(dataDir);
    const notes = again.annotation(w.demoArticleId, w.researcherId).tags.map((t) => t.note);
    expect(notes.sort()).toEqual(saved.sort());
  });

  /** Runs `framelens serve` on `dataDir` and returns its exit code and output. */
  function serve(dataDir: string): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve'], {
        env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
      child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.once('error', reject);
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });
  }

  it.each([
    ['the lock file cannot be written', 0],
    ['the first data file cannot be written', 4096],
  ])('starting the server when %s says the disk is full, advises no restore and leaves no .lock', async (_, reserve) => {
    const dataDir = join(mountPoint, 'data');
    await mkdir(dataDir);
    await fill(mountPoint, reserve);
    const { code, output } = await serve(dataDir);
    expect(code, output).toBe(1);
    expect(output).toMatch(/Framelens cannot start: the disk holding the data folder is full/);
    expect(output).toMatch(/Free some space and start again/);
    expect(output).not.toMatch(/Restore that file|backup|nothing was saved/);
    expect(output).toMatch(/\((\/.*: )?ENOSPC: no space left on device/);
    expect((await readdir(dataDir)).filter((name) => name === '.lock')).toEqual([]);
  });
});
