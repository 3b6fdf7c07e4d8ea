// The built server, as `npm start` and the `framelens` command run it: scripts/build.mjs bundles
// server/ into a folder of its own under dist/ (so the test never touches the dist/server a
// developer runs), and that bundle starts, finds its views, static files and shipped data from
// there, loads multer on the first upload, and starts the training worker from its own file.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { agentFor, csrfOf } from '../helpers/app.js';
import { jsonFolderOnly } from '../helpers/forms.js';
import { spawnServer, type ServerProcess } from '../helpers/server-process.js';

// Bundling takes a few seconds, and the server two Node starts (it starts itself again with its
// garbage-collector flags): generous limits, as on a loaded machine.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 180_000 });

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PASSWORD = 'a long and unusual passphrase';

interface Metafile {
  outputs: Record<string, { entryPoint?: string; inputs: Record<string, unknown> }>;
}

/** Runs `bundle(ROOT, outDir)` from scripts/build.mjs in a Node of its own; resolves with the metafile. */
function bundleInto(outDir: string): Promise<Metafile> {
  const code = `const { bundle } = await import(${JSON.stringify(pathToFileURL(join(ROOT, 'scripts', 'build.mjs')).href)});
    const metafile = await bundle(${JSON.stringify(ROOT)}, ${JSON.stringify(outDir)});
    if (metafile === null) process.exit(1);
    process.stdout.write(JSON.stringify(metafile));`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', (status) => {
      if (status !== 0) reject(new Error(`the build failed (${status}):\n${err}`));
      else resolve(JSON.parse(out) as Metafile);
    }),
  );
}

// The bundle serving DATA_DIR: it builds and starts once per run, in the json project.
jsonFolderOnly('serves DATA_DIR').describe('the bundled server', () => {
  const outRoot = join(ROOT, 'dist', `test-bundle-${process.pid}`);
  const outDir = join(outRoot, 'server');
  let metafile: Metafile;
  let dataDir: string;
  let server: ServerProcess;
  let base = '';
  const line = (pattern: RegExp) => server.line(pattern);

  beforeAll(async () => {
    metafile = await bundleInto(outDir);
    dataDir = await mkdtemp(join(tmpdir(), 'framelens-bundle-'));
    server = spawnServer([join(outDir, 'cli.js'), 'serve'], { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production' });
    base = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(await line(/^Framelens is serving/))?.[1] ?? '';
    await line(/^All tags are loaded/);
  });

  afterAll(async () => {
    await server?.stop();
    await rm(outRoot, { recursive: true, force: true });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('is one bundle: express and zod inside it, native and lazily loaded packages outside', () => {
    const inputs = Object.values(metafile.outputs).flatMap((o) => Object.keys(o.inputs));
    expect(inputs).toContain('server/cli.ts');
    expect(inputs.some((i) => i.startsWith('node_modules/express/'))).toBe(true);
    expect(inputs.some((i) => i.startsWith('node_modules/zod/'))).toBe(true);
    for (const external of ['argon2', 'multer', 'qrcode', 'natural', 'pg']) {
      expect(inputs.filter((i) => i.startsWith(`node_modules/${external}/`))).toEqual([]);
    }
    // Every file sits in one folder: the worker's relative URL (server/suggest/train.ts) holds.
    for (const file of Object.keys(metafile.outputs)) expect(dirname(join(ROOT, file))).toBe(outDir);
  });

  it('serves the sign-in page from its views, and the static files', async () => {
    const signin = await fetch(`${base}/signin`);
    expect(signin.status).toBe(200);
    const html = await signin.text();
    expect(html).toContain('name="_csrf"');
    expect(html).toContain('Framelens is not set up yet');
    const css = await fetch(`${base}/public/css/app.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    expect(await css.text()).toBe(readFileSync(join(ROOT, 'public', 'css', 'app.css'), 'utf8'));
  });

  it('sets up the first account, and imports an uploaded file through multer, loaded on first use', async () => {
    const setup = /(\/setup\/[A-Za-z0-9_-]+)$/.exec(await line(/\/setup\/[A-Za-z0-9_-]+$/))?.[1] ?? '';
    const browser = agentFor(base);
    const form = await browser.get(setup);
    expect(form.status).toBe(200);
    const created = await browser.agent.post(setup).type('form').send({ _csrf: csrfOf(form.text), name: 'rita', password: PASSWORD, confirm: PASSWORD });
    expect(created.status).toBe(303);
    // The demo project, which the set-up account leads, from its home page.
    const home = await browser.get('/');
    expect(home.status).toBe(200);
    const projectId = /href="\/projects\/([A-Za-z0-9_-]+)"/.exec(home.text)?.[1];
    expect(projectId).toBeDefined();
    const token = csrfOf((await browser.get('/account')).text);
    const upload = await browser.agent
      .post(`/projects/${projectId ?? ''}/articles`)
      .field('_csrf', token)
      .field('title', 'Uploaded through the bundle')
      .attach('file', Buffer.from('The regime allegedly crushed the protest. Critics disagree.', 'utf8'), 'report.txt');
    expect(upload.status, upload.text).toBe(303);
    const location = String(upload.headers.location ?? '');
    expect(location).toMatch(/^\/articles\/[A-Za-z0-9_-]+/);
    // Split into its two sentences by `natural`, which the bundle loads from node_modules.
    const article = await browser.get(location);
    expect(article.status).toBe(200);
    expect(article.text).toContain('Uploaded through the bundle');
    expect(article.text).toContain('2 sentences');
  });

  it('starts the training worker from its own file, which trains a model', async () => {
    const codebook: unknown = JSON.parse(readFileSync(join(ROOT, 'server', 'codebooks', 'framing.json'), 'utf8'));
    const text = 'The regime allegedly crushed the protest.';
    const articles = [{ id: 'a', text, sentences: [{ start: 0, end: text.length }], annotated: [0], spans: [{ sentence: 0, start: 11, end: 20, category: 'hedge' }] }];
    const worker = new Worker(join(outDir, 'train-worker.js'), { workerData: { articles, codebook, options: { now: '2026-01-01T00:00:00.000Z' } } });
    const message = await new Promise<unknown>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(message).toMatchObject({ model: { trainedAt: '2026-01-01T00:00:00.000Z' } });
  });
});
