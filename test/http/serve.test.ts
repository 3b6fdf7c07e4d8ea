// `framelens serve` as `npm start` runs it: a fresh data folder gets the demo and a set-up link,
// the server says when every tag is loaded, answers on its port and stops cleanly on SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../server/cli.ts', import.meta.url));

describe('framelens serve', () => {
  let dataDir: string;
  let child: ChildProcess;
  const lines: string[] = [];
  let base = '';

  /** Resolves with the first line of output matching `pattern`. */
  async function line(pattern: RegExp): Promise<string> {
    for (let waited = 0; waited < 30_000; waited += 10) {
      const found = lines.find((l) => pattern.test(l));
      if (found !== undefined) return found;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no line matching ${pattern}; output so far:\n${lines.join('\n')}`);
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'framelens-serve-'));
    child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve'], {
      env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [child.stdout, child.stderr]) if (stream) createInterface({ input: stream }).on('line', (l) => lines.push(l));
    base = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(await line(/^Framelens is serving/))?.[1] ?? '';
  }, 60_000);

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates the demo on a fresh data folder and prints the one-time set-up link', async () => {
    const setup = await line(/\/setup\/[A-Za-z0-9_-]+$/);
    expect(setup.trim().startsWith(`${base}/setup/`)).toBe(true);
    expect(await readdir(join(dataDir, 'articles'))).toHaveLength(1);
    const page = await fetch(setup.trim());
    expect(page.status).toBe(200);
  });

  it('says when every tag is loaded, and answers', async () => {
    expect(await line(/^All tags are loaded: \d+ tags, [\d.]+ s after start\.$/)).toBeTruthy();
    const signin = await fetch(`${base}/signin`);
    expect(signin.status).toBe(200);
    expect(await signin.text()).toContain('name="_csrf"');
  });

  it('stops with status 0 on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 30_000);
});
