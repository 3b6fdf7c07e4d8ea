// HTTP plumbing for the benchmarks: spawning servers and timing their start, reading their
// memory from /proc, signing in like a browser, and running autocannon.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

export interface Spawned {
  child: ChildProcess;
  pid: number;
  port: number;
  base: string;
  /** Milliseconds from spawn() until the first HTTP answer. */
  startMs: number;
  /** Kilobytes, read right after the first answer. */
  rssKb: number;
  /** CPU milliseconds the process used until the first answer. */
  cpuMs: number;
  output: string[];
}

/** VmRSS and VmHWM (peak) of a process, in kB. */
export function memoryOf(pid: number): { rssKb: number; peakKb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssKb: field('VmRSS'), peakKb: field('VmHWM') };
}

/** CPU time (user + system) a process has used so far, in milliseconds: robust to a busy machine, unlike wall time. */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces, so split after its closing parenthesis).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
  return ticks * 10; // USER_HZ is 100 on Linux
}

/**
 * Spawns `node args…`, waits for a line matching `portLine` (its first group is the port),
 * then for an HTTP answer on `probe`. Fails after `timeoutMs`.
 */
export async function spawnServer(
  args: string[],
  env: NodeJS.ProcessEnv,
  portLine: RegExp,
  probe = '/',
  timeoutMs = 60_000,
): Promise<Spawned> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not spawn node ${args.join(' ')}`);
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line within ${timeoutMs} ms:\n${output.join('')}`)), timeoutMs);
    const lines = createInterface({ input: child.stdout ?? process.stdin });
    const log = process.env.BENCH_SERVER_LOG;
    lines.on('line', (line) => {
      if (log) appendFileSync(log, line + '\n');
      output.push(line);
      const match = portLine.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output.join('\n')}`));
    });
  });
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    try {
      const response = await fetch(base + probe, { redirect: 'manual' });
      await response.arrayBuffer();
      break;
    } catch (error) {
      if (performance.now() - started > timeoutMs) throw error;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  const startMs = performance.now() - started;
  return { child, pid, port, base, startMs, rssKb: memoryOf(pid).rssKb, cpuMs: cpuMsOf(pid), output };
}

/** Waits until the server has printed a line matching `pattern`; resolves with the milliseconds since it was spawned. */
export async function waitForLine(server: Spawned, pattern: RegExp, timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  while (!server.output.some((line) => pattern.test(line))) {
    if (server.child.exitCode !== null) throw new Error(`the server exited (${server.child.exitCode}) before printing ${pattern}`);
    if (performance.now() - started > timeoutMs) throw new Error(`no line matching ${pattern} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return server.startMs + performance.now() - started;
}

/** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export async function stopServer(server: Spawned, graceMs = 30_000): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export interface Session {
  name: string;
  /** `framelens.sid=…` (and the CSRF cookie), ready for a Cookie header. */
  cookie: string;
  csrf: string;
}

/**
 * The Cookie header after `response`: its Framelens cookies replace those of the same name in
 * `jar`. The sign-in page sets only the double-submit CSRF cookie (no session until sign-in), so
 * the sign-in POST must carry that one.
 */
function cookieFrom(response: Response, jar: string): string {
  const cookies = new Map(jar.split('; ').filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf('=')), pair]));
  for (const header of response.headers.getSetCookie()) {
    const pair = header.split(';')[0] ?? '';
    const name = pair.slice(0, pair.indexOf('='));
    if (name.includes('framelens')) cookies.set(name, pair);
  }
  return [...cookies.values()].join('; ');
}

export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token on the page');
  return match[1];
}

/** Signs in as a browser would: GET /signin for a session and token, POST /signin, then a page for the new token. */
export async function signIn(base: string, name: string, password: string): Promise<Session> {
  const page = await fetch(`${base}/signin`, { redirect: 'manual' });
  let cookie = cookieFrom(page, '');
  const form = new URLSearchParams({ _csrf: csrfOf(await page.text()), name, password, next: '/' });
  const submitted = await fetch(`${base}/signin`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
  });
  await submitted.arrayBuffer();
  if (submitted.status !== 303) throw new Error(`sign-in as ${name} answered ${submitted.status}`);
  cookie = cookieFrom(submitted, cookie);
  // The session id (and with it the CSRF token) changes at sign-in.
  const account = await fetch(`${base}/account`, { redirect: 'manual', headers: { cookie } });
  if (account.status !== 200) throw new Error(`/account as ${name} answered ${account.status}`);
  return { name, cookie: cookieFrom(account, cookie), csrf: csrfOf(await account.text()) };
}

export interface LoadResult {
  /** Responses with the expected status, per second. */
  rate: number;
  ok: number;
  other: Record<string, number>;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
  seconds: number;
  /** Server CPU milliseconds per response (all statuses), when the server's pid was given. */
  cpuMsPerResponse: number;
}

/** Runs autocannon with one dynamic request and counts only responses with status `expect`. */
export async function load(
  url: string,
  connections: number,
  seconds: number,
  expect: number,
  next: (request: autocannon.Request) => autocannon.Request,
  serverPid?: number,
): Promise<LoadResult> {
  const cpuBefore = serverPid === undefined ? NaN : cpuMsOf(serverPid);
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    timeout: 20,
    requests: [{ setupRequest: (request) => next(request) }],
  });
  const cpuMs = serverPid === undefined ? NaN : cpuMsOf(serverPid) - cpuBefore;
  const other: Record<string, number> = {};
  let ok = 0;
  let responses = 0;
  for (const [status, { count }] of Object.entries(result.statusCodeStats)) {
    responses += Number(count);
    if (Number(status) === expect) ok += Number(count);
    else other[status] = Number(count);
  }
  return {
    rate: ok / result.duration,
    ok,
    other,
    errors: result.errors,
    timeouts: result.timeouts,
    p50: result.latency.p50,
    p99: result.latency.p99,
    seconds: result.duration,
    cpuMsPerResponse: cpuMs / responses,
  };
}
