// What an operator meets when `framelens serve` cannot start: a busy port is one line naming
// the port and the PORT variable; a folder another Framelens process holds names that process.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { explainListenFailure } from '../../server/commands/serve.js';
import { jsonFolderOnly } from '../helpers/forms.js';

vi.setConfig({ testTimeout: 60_000 });

const CLI = fileURLToPath(new URL('../../server/cli.ts', import.meta.url));
let dataDir: string;
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'framelens-first-start-'));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await rm(dataDir, { recursive: true, force: true });
});

function serve(env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve'], {
    env: { ...process.env, DATA_DIR: dataDir, HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out, err })));
}

jsonFolderOnly('the data folder’s lock and first start').describe('framelens serve refuses to start', () => {
  it('on a busy port: one line naming the port and PORT, exit 1, no stack trace', async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => busy.close(() => resolve())));
    const address = busy.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const result = await serve({ PORT: String(port) });
    expect(result.code).toBe(1);
    expect(result.err.trim().split('\n')).toEqual([
      `Framelens cannot start: port ${port} on 127.0.0.1 is in use by another program. Stop it, or start Framelens on another port: PORT=${port + 1} npm start`,
    ]);
  });

  it('on a folder another Framelens process owns: names the process, not a corrupt file', async () => {
    let holder: ChildProcess | null = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    cleanups.push(() => void holder?.kill('SIGKILL'));
    await new Promise((resolve) => holder?.once('spawn', resolve));
    await writeFile(join(dataDir, '.lock'), `${holder.pid ?? ''}\n`);
    const result = await serve({ PORT: '0' });
    expect(result.code).toBe(1);
    expect(result.err).toContain(`is in use by another Framelens process (pid ${holder.pid ?? ''})`);
    expect(result.err).not.toMatch(/backup|corrupt/i);
    holder.kill('SIGKILL');
    holder = null;
  });
});

describe('explainListenFailure', () => {
  const failure = (code: string) => Object.assign(new Error(code), { code });
  it('names the port and the variable for the usual causes, and leaves others to the general message', () => {
    expect(explainListenFailure(failure('EADDRINUSE'), '127.0.0.1', 3000)).toContain('PORT=3001 npm start');
    expect(explainListenFailure(failure('EACCES'), '0.0.0.0', 80)).toContain('port 80 on 0.0.0.0 needs privileges');
    expect(explainListenFailure(failure('EADDRNOTAVAIL'), '10.9.9.9', 3000)).toContain('Set HOST');
    expect(explainListenFailure(new Error('other'), '127.0.0.1', 3000)).toBeNull();
  });
});
