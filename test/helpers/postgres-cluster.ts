// A throw-away PostgreSQL cluster in a temporary folder, on a free port, for tests and benchmarks:
// Debian's binaries (apt-get install postgresql), run as `nobody` when we are root (PostgreSQL
// refuses to run as root). Stopped and removed by `stop()`.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The newest PostgreSQL's bin folder (PG_BIN overrides), or null when none is installed. */
export function postgresBin(): string | null {
  const candidates = process.env.PG_BIN
    ? [process.env.PG_BIN]
    : (existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [])
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => join('/usr/lib/postgresql', v, 'bin'));
  return candidates.find((bin) => existsSync(join(bin, 'initdb')) && existsSync(join(bin, 'pg_ctl'))) ?? null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Cluster {
  /** postgres://framelens@127.0.0.1:PORT/postgres (trust authentication, loopback only). */
  url: string;
  /** The URL of another database on the cluster. */
  urlOf(database: string): string;
  stop(): Promise<void>;
}

/**
 * `durable: false` (tests) turns fsync off: a crash of the machine may lose the cluster, which
 * is thrown away anyway. Benchmarks keep it on, as an operator's database would. `settings`:
 * more of the server's options (`-c name=value`).
 */
export async function startCluster(options: { durable?: boolean; settings?: string[] } = {}): Promise<Cluster> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql)');
  const dir = await mkdtemp(join(tmpdir(), 'framelens-pg-'));
  const asRoot = process.getuid?.() === 0;
  // PostgreSQL will not run as root: the cluster belongs to `nobody`.
  if (asRoot) await chown(dir, 65534, 65534);
  const as = (command: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'nobody', '--', join(bin, command), ...args], { cwd: dir }) : run(join(bin, command), args, { cwd: dir });
  const data = join(dir, 'data');
  try {
    await as('initdb', ['-D', data, '-A', 'trust', '-U', 'framelens', '-E', 'UTF8', '--locale=C', ...(options.durable ? [] : ['--no-sync'])]);
    const port = await freePort();
    const settings = [`-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', '-c max_connections=200'];
    if (!options.durable) settings.push('-c fsync=off', '-c full_page_writes=off');
    settings.push(...(options.settings ?? []));
    await as('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '300', '-o', settings.join(' '), 'start']);
    const urlOf = (database: string) => `postgres://framelens@127.0.0.1:${port}/${database}`;
    return {
      url: urlOf('postgres'),
      urlOf,
      stop: async () => {
        await as('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '120', 'stop']).catch(() => {});
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await as('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => {});
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
