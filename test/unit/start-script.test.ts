// `npm start` (scripts/start.mjs) on a tree shaped like Framelens, with a stand-in for esbuild
// that notes each build and a stand-in server: a built tree starts without building; a newer
// source makes it build first; and SIGTERM to the npm process reaches the server.
// test/http/bundle.test.ts runs the real build.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 60_000 });

const SCRIPTS = fileURLToPath(new URL('../../scripts/', import.meta.url));
let root: string;
let npm: ChildProcess | null = null;

// Notes what it was asked to build, and reports the existing stand-in server as its only output.
const FAKE_ESBUILD = `import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
export async function build(options) {
  appendFileSync(join(options.absWorkingDir, 'builds'), JSON.stringify({ entryPoints: options.entryPoints, format: options.format, bundle: options.bundle }) + '\\n');
  return { metafile: { inputs: {}, outputs: { 'dist/server/cli.js': {} } } };
}
`;
// Stands in for dist/server/cli.js: notes a SIGTERM before stopping, and says how it was started.
// The handler comes first: the test signals as soon as it reads the line, and on a busy machine
// the stand-in may be descheduled between printing it and the next statement.
const FAKE_SERVER = `import { writeFileSync } from 'node:fs';
process.on('SIGTERM', () => { writeFileSync(new URL('../../stopped', import.meta.url), 'SIGTERM'); process.exit(0); });
console.log('serving: ' + process.argv.slice(2).join(' '));
setInterval(() => {}, 1000);
`;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'framelens-start-'));
  await mkdir(join(root, 'scripts'));
  for (const name of ['build.mjs', 'start.mjs']) await copyFile(join(SCRIPTS, name), join(root, 'scripts', name));
  await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'start-test', private: true, type: 'module', scripts: { start: 'exec node scripts/start.mjs' } }));
  await mkdir(join(root, 'server'));
  await writeFile(join(root, 'server', 'cli.ts'), '// the source\n');
  await writeFile(join(root, 'tsconfig.json'), '{}');
  await mkdir(join(root, 'node_modules', 'esbuild'), { recursive: true });
  await writeFile(join(root, 'node_modules', 'esbuild', 'index.js'), FAKE_ESBUILD);
  await writeFile(join(root, 'node_modules', 'esbuild', 'package.json'), JSON.stringify({ type: 'module', main: 'index.js' }));
  await mkdir(join(root, 'dist', 'server'), { recursive: true });
  await writeFile(join(root, 'dist', 'server', 'cli.js'), FAKE_SERVER);
  // Built a minute after the sources were last written.
  const past = new Date(Date.now() - 120_000);
  for (const file of ['server/cli.ts', 'tsconfig.json', 'package.json', 'scripts/build.mjs']) await utimes(join(root, file), past, past);
  await writeFile(join(root, 'dist', '.built'), '');
  const built = new Date(Date.now() - 60_000);
  await utimes(join(root, 'dist', '.built'), built, built);
});
afterEach(async () => {
  // SIGTERM, as a process manager stops it (npm passes it on); SIGKILL to npm alone would leave
  // the stand-in server running.
  const running = npm;
  if (running && running.exitCode === null && running.signalCode === null) {
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  }
  npm = null;
  await rm(root, { recursive: true, force: true });
});

/** Runs `npm start` in the tree until the server says it serves; resolves with its output. */
async function start(): Promise<{ out: () => string; exited: Promise<number | null> }> {
  const child = spawn('npm', ['start', '--silent'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  npm = child;
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await expect.poll(() => out, { timeout: 30_000 }).toContain('serving: serve');
  return { out: () => out, exited };
}

describe('npm start', () => {
  it('on a built tree starts the server without building; SIGTERM to npm stops the server', async () => {
    const run = await start();
    expect(existsSync(join(root, 'builds'))).toBe(false);
    expect(run.out()).not.toContain('building');
    npm?.kill('SIGTERM');
    await run.exited;
    await expect.poll(() => existsSync(join(root, 'stopped')), { timeout: 10_000 }).toBe(true);
    expect(await readFile(join(root, 'stopped'), 'utf8')).toBe('SIGTERM');
  });

  it('bundles first when a source is newer than the last build, and not again after', async () => {
    await writeFile(join(root, 'server', 'cli.ts'), '// changed\n');
    const first = await start();
    expect(first.out()).toContain('Framelens: building the server (server/cli.ts changed since the last build)');
    expect(JSON.parse(await readFile(join(root, 'builds'), 'utf8'))).toMatchObject({ entryPoints: { cli: 'server/cli.ts' }, format: 'esm', bundle: true });
    npm?.kill('SIGTERM');
    await first.exited;
    const second = await start();
    expect((await readFile(join(root, 'builds'), 'utf8')).trim().split('\n')).toHaveLength(1);
    expect(second.out()).not.toContain('building');
  });

  it('builds again when the build script or package.json changed, as after a pull', async () => {
    await utimes(join(root, 'package.json'), new Date(), new Date());
    const run = await start();
    expect(run.out()).toContain('Framelens: building the server (package.json changed since the last build)');
    expect(existsSync(join(root, 'builds'))).toBe(true);
  });
});
