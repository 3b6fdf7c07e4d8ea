// `framelens serve` in its own process, as `npm start` runs it (from the TypeScript source here,
// where `npm start` runs the build): a fresh data folder gets the demo and a set-up link, the
// server says when every tag is loaded, answers on its port and stops cleanly on SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { jsonFolderOnly } from '../helpers/forms.js';
import { spawnServer, type ServerProcess } from '../helpers/server-process.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const CLI = fileURLToPath(new URL('../../server/cli.ts', import.meta.url));

// `framelens serve` on DATA_DIR; on DATABASE_URL: test/storage/serve-database-url.test.ts.
jsonFolderOnly('serves DATA_DIR').describe('framelens serve', () => {
  let dataDir: string;
  let server: ServerProcess;
  let base = '';
  const line = (pattern: RegExp) => server.line(pattern);

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'framelens-serve-'));
    server = spawnServer(['--import', 'tsx', CLI, 'serve'], { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production' }, { timeoutMs: 30_000 });
    base = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(await line(/^Framelens is serving/))?.[1] ?? '';
  });

  afterAll(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates the demo on a fresh data folder and prints the one-time set-up link', async () => {
    const setup = (await line(/\/setup\/[A-Za-z0-9_-]+$/)).trim();
    expect(setup.startsWith(`${base}/setup/`)).toBe(true);
    // The demo article and the demo story's two constructed counterparts.
    expect(await readdir(join(dataDir, 'articles'))).toHaveLength(3);
    expect((await fetch(setup)).status).toBe(200);
  });

  it('says when every tag is loaded, and answers', async () => {
    expect(await line(/^All tags are loaded: [\d,]+ tags, [\d.]+ s after start, [\d.]+ s of CPU\.$/)).toBeTruthy();
    const signin = await fetch(`${base}/signin`);
    expect(signin.status).toBe(200);
    expect(await signin.text()).toContain('name="_csrf"');
  });

  it('says on the sign-in page how to set Framelens up, and `framelens setup-link` gives a new link while it runs', async () => {
    const signin = await (await fetch(`${base}/signin`)).text();
    expect(signin).toContain('Framelens is not set up yet');
    expect(signin).toContain('npx framelens setup-link');
    expect(await line(/framelens setup-link/)).toContain('prints a new one');
    const first = (await line(/\/setup\/[A-Za-z0-9_-]+$/)).trim();
    const command = spawn(process.execPath, ['--import', 'tsx', CLI, 'setup-link'], {
      env: { ...process.env, DATA_DIR: dataDir, PORT: new URL(base).port, HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    command.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    command.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    expect(await new Promise((resolve) => command.once('exit', resolve)), out).toBe(0);
    const fresh = /(http:\/\/\S+\/setup\/[A-Za-z0-9_-]+)/.exec(out)?.[1] ?? '';
    expect(fresh.startsWith(`${base}/setup/`), out).toBe(true);
    expect((await fetch(fresh)).status).toBe(200);
    // Only the newest set-up link works.
    expect((await fetch(first)).status).toBe(404);
  });

  // If closing hung, a fallback would end the process with status 0 after 10 s: the timeout
  // keeps that from passing for a clean stop.
  it('stops with status 0 on SIGTERM', { timeout: 8_000 }, async () => {
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });
});
