// `framelens serve` as a process, from its start to its stop:
//   - the port answers at once, with a 503 "starting, N% replayed" page while the journal left by
//     a crash is read (held here by a named pipe as a segment, so the test does not race the start);
//   - SIGTERM with keep-alive clients saving: no new requests are taken, the ones in flight finish
//     (with "Connection: close"), the checkpoint runs, the process exits, no acknowledged save lost.
// Issue 14: the port was closed during a 6 s replay; after SIGTERM the server went on answering
// for 10 s, then exited without a checkpoint.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openData, readData } from '../../server/commands/serve.js';
import { createUser } from '../../server/accounts/users.js';
import { adoptOrphanProjects } from '../../server/demo/seed.js';
import { words } from '../../server/core/segmentation.js';
import { encodeRecord } from '../../server/storage/journal.js';
import { spawnServer, type ServerProcess } from '../helpers/server-process.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

const CLI = fileURLToPath(new URL('../../server/cli.ts', import.meta.url));
const PASSWORD = 'correct horse battery staple';

type Server = ServerProcess & { base: () => Promise<string> };

function serve(dataDir: string): Server {
  const server = spawnServer(['--import', 'tsx', CLI, 'serve'], { DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production' });
  const base = async () => /on (http:\/\/127\.0\.0\.1:\d+)/.exec(await server.line(/^Framelens is (starting|serving) .*on http/))?.[1] ?? '';
  return { ...server, base };
}

let dataDir = '';
let server: Server | null = null;
afterEach(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
  server = null;
  await rm(dataDir, { recursive: true, force: true });
});

async function get(url: string): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(url, { redirect: 'manual' });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('while it starts', () => {
  it('the port answers at once: 503 with "starting, N% replayed" and Retry-After, until the tags are loaded', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'framelens-starting-'));
    await mkdir(join(dataDir, 'journal'));
    const record = (n: number) =>
      encodeRecord(JSON.stringify({
        path: 'tags/gone/u1.json',
        full: { schemaVersion: 1, data: { articleId: 'gone', annotatorId: 'u1', reviewed: [], tags: [], updatedAt: String(n) } },
      }));
    await writeFile(join(dataDir, 'journal', '00000001.log'), Buffer.concat([record(1), record(2)]));
    // The second segment is a named pipe: reading it waits until the test writes into it.
    const pipe = join(dataDir, 'journal', '00000002.log');
    execFileSync('mkfifo', [pipe]);
    server = serve(dataDir);
    const base = await server.base();

    // The port is open before the app's modules are even loaded: every answer is the 503 page,
    // "loaded" until the start has found the journal, then "replayed" (held by the pipe).
    let starting = await get(`${base}/signin`);
    for (const deadline = Date.now() + 60_000; !/replayed/.test(starting.text) && Date.now() < deadline; ) {
      expect(starting.status).toBe(503);
      expect(starting.text).toMatch(/Starting, \d{1,2}% loaded\./);
      await new Promise((r) => setTimeout(r, 50));
      starting = await get(`${base}/signin`);
    }
    expect(starting.status).toBe(503);
    expect(starting.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(starting.headers.get('content-type')).toMatch(/^text\/html/);
    expect(starting.text).toMatch(/<html lang="en">/);
    expect(starting.text).toMatch(/<title>Framelens is starting<\/title>/);
    expect(starting.text).toMatch(/Starting, \d{1,2}% replayed\./);
    expect(server.lines.some((l) => /^Framelens is serving/.test(l))).toBe(false);

    // The rest of the journal arrives: the start goes on and the app answers.
    const writer = await open(pipe, 'w');
    await writer.write(record(3));
    await writer.close();
    await server.line(/^All tags are loaded/);
    expect((await get(`${base}/signin`)).status).toBe(200);
    // And the journal it replayed is checkpointed away.
    for (const deadline = Date.now() + 30_000; (await readdir(join(dataDir, 'journal'))).length > 0; ) {
      if (Date.now() > deadline) throw new Error('the journal was not checkpointed after the replay');
      await new Promise((r) => setTimeout(r, 50));
    }
  });
});

/** A browser-like client on its own keep-alive connection. */
class Client {
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  readonly base: string;
  readonly cookies = new Map<string, string>();
  cookie = '';
  csrf = '';

  constructor(base: string) {
    this.base = base;
  }

  request(method: string, path: string, form?: Record<string, string>) {
    const body = form ? new URLSearchParams(form).toString() : undefined;
    return new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
      const req = http.request(`${this.base}${path}`, {
        method,
        agent: this.agent,
        headers: { cookie: this.cookie, ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } : {}) },
      }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (s: string) => (text += s));
        res.on('end', () => {
          // Every cookie, as a browser keeps them: the session's and the signed-out forms' CSRF cookie.
          for (const pair of (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0] ?? '')) {
            const name = pair.slice(0, pair.indexOf('='));
            this.cookies.set(name, pair);
          }
          this.cookie = [...this.cookies.values()].join('; ');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text });
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  /**
   * A POST whose headers reach the server now and whose body is sent by `finish`: the server has
   * taken it in (and counts it in flight) once `received` resolves, since Node answers
   * "100 Continue" just before it hands the request to the app.
   */
  held(path: string, form: Record<string, string>) {
    const body = new URLSearchParams(form).toString();
    let answered!: Promise<{ status: number; headers: http.IncomingHttpHeaders }>;
    const received = new Promise<void>((resolveReceived, reject) => {
      const req = http.request(`${this.base}${path}`, {
        method: 'POST',
        agent: this.agent,
        headers: { cookie: this.cookie, expect: '100-continue', 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
      });
      answered = new Promise((resolve, rejectAnswer) => {
        req.on('response', (res) => {
          res.resume().on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
        });
        req.on('error', rejectAnswer);
      });
      req.on('continue', () => resolveReceived());
      req.on('error', reject);
      req.flushHeaders();
      this.finishHeld = () => req.end(body);
    });
    return { received, finish: () => (this.finishHeld(), answered) };
  }

  finishHeld = () => {};

  async signIn(name: string): Promise<void> {
    const page = await this.request('GET', '/signin');
    const token = (text: string) => /name="_csrf" value="([^"]+)"/.exec(text)?.[1] ?? '';
    const signedIn = await this.request('POST', '/signin', { _csrf: token(page.text), name, password: PASSWORD, next: '/' });
    if (signedIn.status !== 303) throw new Error(`sign-in answered ${signedIn.status}`);
    this.csrf = token((await this.request('GET', '/account')).text);
  }
}

describe('SIGTERM under load', () => {
  it('stops taking requests, finishes those in flight, checkpoints and exits; no acknowledged save is lost', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'framelens-stopping-'));
    const setup = await openData(dataDir);
    const rita = await createUser(setup, 'rita', 'researcher', PASSWORD);
    await adoptOrphanProjects(setup, rita.id);
    const article = setup.articles()[0];
    if (!article) throw new Error('no demo article');
    // Spans nobody has tagged yet, spread over sentences: one list per client.
    const spans = article.sentences.flatMap((range, s) =>
      words(article.text, range).flatMap((_, first, all) => [0, 1].filter((d) => first + d < all.length).map((d) => ({ n: s + 1, first, last: first + d }))),
    );
    await setup.close();

    server = serve(dataDir);
    const base = await server.base();
    await server.line(/^All tags are loaded/);
    const clients = Array.from({ length: 20 }, () => new Client(base));
    for (const client of clients) await client.signIn('rita');

    let stoppingSeen = Number.POSITIVE_INFINITY;
    const acknowledged: { id: string; at: number; close: boolean }[] = [];
    let lastResponse = 0;
    let closes = 0;
    const categories = ['hedge', 'loaded-label', 'euphemism'];
    const work = clients.map(async (client, c) => {
      // Each client takes its own spans, so no save is refused as a duplicate.
      const mine = spans.filter((_, k) => k % clients.length === c);
      for (let k = 0; ; k++) {
        const span = mine[k % mine.length];
        if (!span) return;
        const category = categories[Math.floor(k / mine.length) % categories.length] ?? 'hedge';
        let res;
        try {
          res = await client.request('POST', `/articles/${article.id}/sentences/${span.n}/tags`, {
            _csrf: client.csrf, first: String(span.first), last: String(span.last), category, voice: 'author', intensity: '', note: `${c}-${k}`,
          });
        } catch {
          return; // the connection was closed: the server takes no more requests
        }
        lastResponse = performance.now();
        const close = res.headers.connection === 'close';
        if (close) closes++;
        if (res.status === 303) {
          const id = /[?&]saved=([A-Za-z0-9_-]+)/.exec(String(res.headers.location))?.[1] ?? '';
          acknowledged.push({ id, at: performance.now(), close });
        } else if (res.status !== 409) {
          expect(res.status).toBe(503);
          return;
        }
        if (close) return;
      }
    });
    // Saves flow; then SIGTERM, with one save surely in flight: its headers are in, its body not yet
    // (however slow this machine is, the server holds it when the signal lands).
    while (acknowledged.length < 300) await new Promise((r) => setTimeout(r, 20));
    const holder = new Client(base);
    await holder.signIn('rita');
    const lastWord = spans.filter((x) => x.first === x.last).at(-1);
    if (!lastWord) throw new Error('no one-word span');
    const held = holder.held(`/articles/${article.id}/sentences/${lastWord.n}/tags`, {
      _csrf: holder.csrf, first: String(lastWord.first), last: String(lastWord.last), category: 'reporting-verb', voice: 'author', intensity: '', note: 'held',
    });
    await held.received;
    server.child.kill('SIGTERM');
    const stopping = server.line(/^Framelens is stopping \(SIGTERM\)/).then(() => (stoppingSeen = performance.now()));
    await stopping;
    const heldAnswer = await held.finish();
    // The request in flight is answered, saved, and told that the connection closes.
    expect(heldAnswer.status).toBe(303);
    expect(heldAnswer.headers.connection).toBe('close');
    const heldId = /[?&]saved=([A-Za-z0-9_-]+)/.exec(String(heldAnswer.headers.location))?.[1] ?? '';
    acknowledged.push({ id: heldId, at: performance.now(), close: true });
    closes++;
    await Promise.all(work);
    const { code, at: exitedAt } = await server.exited;

    expect(code, server.lines.join('\n')).toBe(0);
    expect(server.lines).toContain('Framelens stopped.');
    // Only requests in flight when the server took the signal were answered after it (one per
    // client at most), and those said "Connection: close".
    const afterStop = acknowledged.filter((a) => a.at > stoppingSeen);
    expect(afterStop.length).toBeLessThanOrEqual(clients.length + 1);
    expect(closes).toBeGreaterThan(0);
    // It exited soon after the last answer (not after a fixed wait), with the checkpoint done.
    expect(exitedAt - lastResponse).toBeLessThan(30_000);
    expect(await readdir(join(dataDir, 'journal'))).toEqual([]);
    const after = await readData(dataDir);
    const stored = new Set(after.annotations(article.id).flatMap((a) => a.tags.map((t) => t.id)));
    const lost = acknowledged.filter((a) => !stored.has(a.id));
    expect(lost).toEqual([]);
    for (const client of [...clients, holder]) client.agent.destroy();
  });
});
