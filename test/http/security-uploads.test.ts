// Security, issue 14 item 8: an upload sent without a length (Transfer-Encoding: chunked) is
// counted as it arrives and refused at the cap, and the server stops reading it; a forged
// cross-site upload is refused before its body is read. Bytes are counted on the server's socket.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import request from 'supertest';
import { PASSWORD, csrfOf, listen, type Listening } from '../helpers/app.js';
import { world, type World } from '../helpers/forms.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const MB = 1024 * 1024;

/** The cookies a response sets, as a Cookie header. */
function cookiesOf(res: request.Response): string {
  return [res.headers['set-cookie'] ?? []]
    .flat()
    .map((c: string) => c.split(';')[0])
    .join('; ');
}

interface Sent {
  /** The status line of the answer, or '' if none came. */
  status: string;
  /** Bytes the client handed to its socket before the server stopped it. */
  sent: number;
  /** Bytes the server read from the connection. */
  read: number;
}

/**
 * Streams a chunked multipart body of `total` bytes (one text field) to `path` on a raw socket,
 * reading the answer as it comes, the way a browser does while it uploads.
 */
function chunkedUpload(l: Listening, path: string, headers: Record<string, string>, total: number): Promise<Sent> {
  return new Promise((resolve, reject) => {
    let serverSocket: net.Socket | undefined;
    l.server.once('connection', (s: net.Socket) => {
      serverSocket = s;
    });
    const url = new URL(l.base);
    const socket = net.connect(Number(url.port), url.hostname);
    const boundary = 'framelensTestBoundary';
    let answer = '';
    let sent = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      // The server's side closes a moment later; its count is final once it has.
      const read = () => resolve({ status: answer.split('\r\n')[0] ?? '', sent, read: serverSocket?.bytesRead ?? -1 });
      if (serverSocket && !serverSocket.destroyed) serverSocket.once('close', read);
      else read();
    };
    const timer = setTimeout(() => reject(new Error(`no end after ${sent} bytes; answer so far: ${answer.slice(0, 80)}`)), 45_000);
    socket.on('data', (d: Buffer) => {
      answer += d.toString('latin1');
      // The whole answer (headers and the error page) is in: stop sending, as a browser would.
      if (/<\/html>/.test(answer)) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
    const head = Object.entries({
      Host: url.host,
      'Content-Type': `multipart/form-data; boundary=${boundary}`,
      'Transfer-Encoding': 'chunked',
      ...headers,
    })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n`);
    const chunk = (b: Buffer) => {
      socket.write(`${b.length.toString(16)}\r\n`);
      socket.write(b);
      return socket.write('\r\n');
    };
    chunk(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="title"\r\n\r\nBig\r\n--${boundary}\r\nContent-Disposition: form-data; name="text"\r\n\r\n`));
    const piece = Buffer.alloc(64 * 1024, 'a');
    const pump = () => {
      while (!done && sent < total) {
        sent += piece.length;
        if (!chunk(piece)) {
          socket.once('drain', pump);
          return;
        }
      }
      if (!done) socket.write(`0\r\n\r\n`);
    };
    pump();
  });
}

describe('chunked multipart uploads (no Content-Length)', () => {
  let w: World;
  let l: Listening;
  let cookie = '';
  let token = '';
  beforeAll(async () => {
    w = await world();
    l = await listen(w.t.app);
    // The researcher's browser, by hand: its session cookie and its CSRF token.
    const page = await request(w.t.app).get('/signin');
    const signedIn = await request(w.t.app)
      .post('/signin')
      .set('Cookie', cookiesOf(page))
      .type('form')
      .send({ _csrf: csrfOf(page.text), name: 'rita', password: PASSWORD });
    cookie = cookiesOf(signedIn);
    token = csrfOf((await request(w.t.app).get('/account').set('Cookie', cookie)).text);
    expect(cookie).toContain('framelens.sid=');
  });
  afterAll(async () => {
    await l.close();
    await w.t.cleanup();
  });

  it.each(['articles', 'articles/preview'])('a 20 MB body to /projects/P/%s → 413 after little more than the 4 MB cap was read; the app still answers', async (route) => {
    const result = await chunkedUpload(l, `/projects/${w.projectId}/${route}`, { Cookie: cookie, 'X-CSRF-Token': token }, 20 * MB);
    if (process.env.SHOW_BYTES) console.info(route, result);
    expect(result.status).toBe("HTTP/1.1 413 Payload Too Large");
    // The cap is 4 MB; the server may hold a little more in its buffers, never the 20 MB.
    expect(result.read).toBeGreaterThan(4 * MB);
    expect(result.read).toBeLessThan(5 * MB);
    expect((await w.researcher.get('/account')).status).toBe(200);
  });

  it('a forged cross-site upload (Sec-Fetch-Site or Origin says so) → 403 before its body is read', async () => {
    const forged: Record<string, string>[] = [{ 'Sec-Fetch-Site': 'cross-site' }, { 'Sec-Fetch-Site': 'same-site' }, { Origin: 'https://evil.example' }];
    for (const headers of forged) {
      const result = await chunkedUpload(l, `/projects/${w.projectId}/articles`, { Cookie: cookie, ...headers }, 20 * MB);
      if (process.env.SHOW_BYTES) console.info(headers, result);
      expect(result.status, JSON.stringify(headers)).toBe("HTTP/1.1 403 Forbidden");
      expect(result.read, JSON.stringify(headers)).toBeLessThan(1 * MB);
    }
    // Our own pages' uploads still go through (same origin).
    const own = await request(l.server)
      .post(`/projects/${w.projectId}/articles/preview`)
      .set('Cookie', cookie)
      .set('Sec-Fetch-Site', 'same-origin')
      .field('_csrf', token)
      .field('title', 'Small')
      .field('text', 'One sentence. Two sentences.');
    expect(own.status).toBe(200);
  });

  it('tight part limits: 2,001 fields, or a second file → refused (400/413), nothing stored', async () => {
    const before = w.t.store.articles().length;
    let many = request(w.t.app).post(`/projects/${w.projectId}/articles`).set('Cookie', cookie).field('_csrf', token).field('title', 'Many');
    for (let i = 0; i < 2001; i++) many = many.field('exclude', String(i));
    expect([400, 413]).toContain((await many).status);
    const twoFiles = await request(w.t.app)
      .post(`/projects/${w.projectId}/articles`)
      .set('Cookie', cookie)
      .field('_csrf', token)
      .field('title', 'Two')
      .attach('file', Buffer.from('One. Two.'), 'a.txt')
      .attach('file', Buffer.from('Three. Four.'), 'b.txt');
    expect([400, 413]).toContain(twoFiles.status);
    const longTitle = await request(w.t.app)
      .post(`/projects/${w.projectId}/articles`)
      .set('Cookie', cookie)
      .field('_csrf', token)
      .field('title', 't'.repeat(2 * MB + 1))
      .field('text', 'One. Two.');
    expect(longTitle.status).toBe(413);
    expect(w.t.store.articles()).toHaveLength(before);
  });
});
