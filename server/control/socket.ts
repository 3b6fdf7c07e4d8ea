// The running server's control socket, DATA_DIR/.control.sock: how the command line asks the
// server for a change to the data folder the server holds (`framelens user add` while it runs).
// A Unix socket that only the server's own user may open (mode 0600): whoever can connect can
// read the data folder anyway, so the file's permissions are the authentication. One JSON
// request per connection, one JSON answer, each on a line.
import net from 'node:net';
import { chmod, unlink } from 'node:fs/promises';
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';

export const CONTROL_SOCKET = '.control.sock';

/** A Unix socket's path is at most 107 bytes on Linux (longer ones are cut short, silently). */
const MAX_SOCKET_PATH = 107;
/** A request is a few hundred bytes; anything much larger is not one of ours. */
const MAX_REQUEST = 64 * 1024;
const IDLE_MS = 30_000;

export interface ControlAnswer {
  ok: boolean;
  /** What the command line prints. */
  message: string;
}

export type ControlHandler = (request: unknown) => Promise<ControlAnswer>;

export function controlPath(dataDir: string): string {
  return join(dataDir, CONTROL_SOCKET);
}

/** Why the control socket cannot be used in `dataDir`, or null. */
export function controlProblem(dataDir: string): string | null {
  const path = controlPath(dataDir);
  if (process.platform === 'win32') return 'control sockets need a Unix system';
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) return `the path ${path} is longer than a Unix socket's ${MAX_SOCKET_PATH} bytes`;
  return null;
}

function isCode(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}

/**
 * Listens on DATA_DIR/.control.sock, answering each request with `handle`. The caller must hold
 * the data folder's lock (so any socket file there is a dead server's, and is replaced). Resolves
 * with a `close` function.
 */
export async function serveControl(dataDir: string, handle: ControlHandler): Promise<{ close: () => Promise<void> }> {
  const problem = controlProblem(dataDir);
  if (problem) throw new Error(problem);
  const path = controlPath(dataDir);
  const server = net.createServer((socket) => {
    let received = '';
    let answered = false;
    const reply = (answer: ControlAnswer) => {
      answered = true;
      socket.end(`${JSON.stringify(answer)}\n`);
    };
    socket.setEncoding('utf8');
    socket.setTimeout(IDLE_MS, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: string) => {
      if (answered) return;
      received += chunk;
      if (received.length > MAX_REQUEST) {
        reply({ ok: false, message: 'The request is too large.' });
        return;
      }
      const end = received.indexOf('\n');
      if (end < 0) return;
      let request: unknown;
      try {
        request = JSON.parse(received.slice(0, end));
      } catch {
        reply({ ok: false, message: 'The request is not JSON.' });
        return;
      }
      answered = true;
      handle(request).then(reply, (error: unknown) => {
        reply({ ok: false, message: `The server could not do it: ${error instanceof Error ? error.message : String(error)}` });
      });
    });
  });
  await unlink(path).catch((error: unknown) => {
    if (!isCode(error, 'ENOENT')) throw error;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // The socket is made with mode 0600 from the start: the umask applies while listen binds it,
    // which it does before returning.
    const umask = process.umask(0o177);
    try {
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    } finally {
      process.umask(umask);
    }
  });
  await chmod(path, 0o600);
  const removeFile = () => {
    try {
      unlinkSync(path);
    } catch {
      // gone already
    }
  };
  // A server that exits without closing (process.exit) leaves no socket behind.
  process.once('exit', removeFile);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        process.off('exit', removeFile);
        server.close(() => resolve());
      }),
  };
}

/** The running server did not answer on its control socket. */
export class ControlUnavailable extends Error {}

/** Sends one request to the server running on `dataDir`, and resolves with its answer. */
export function askServer(dataDir: string, request: unknown, timeoutMs = 60_000): Promise<ControlAnswer> {
  const problem = controlProblem(dataDir);
  if (problem) return Promise.reject(new ControlUnavailable(problem));
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(controlPath(dataDir));
    let received = '';
    socket.setEncoding('utf8');
    socket.setTimeout(timeoutMs, () => socket.destroy(new ControlUnavailable(`no answer within ${timeoutMs / 1000} s`)));
    socket.once('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.once('error', (error) => {
      reject(error instanceof ControlUnavailable ? error : new ControlUnavailable(isCode(error, 'ENOENT') ? 'it has no control socket' : error.message));
    });
    socket.once('end', () => {
      try {
        const answer: unknown = JSON.parse(received);
        if (typeof answer === 'object' && answer !== null && 'ok' in answer && 'message' in answer && typeof answer.ok === 'boolean' && typeof answer.message === 'string') {
          resolve({ ok: answer.ok, message: answer.message });
          return;
        }
      } catch {
        // below
      }
      reject(new ControlUnavailable('its answer could not be read'));
    });
  });
}
