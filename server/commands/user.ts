// `framelens user add NAME --role ROLE [--admin] [--link]` and `framelens user reset NAME`: accounts
// from the shell. The password is read from FRAMELENS_PASSWORD or standard input (never from the
// command line, where `ps` shows it); with --link the account gets a one-time link instead.
// While the server runs it holds the data folder, so the request goes to it over its control
// socket (control/socket.ts); otherwise the command opens the folder itself. With DATABASE_URL the
// command works on the database directly, beside any running servers: they see the change on
// their next request (the change counters), as they see one another's.
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config.js';
import { runAccountRequest, type AccountAnswer, type AccountRequest } from '../accounts/requests.js';
import { ROLES, type Role } from '../storage/schemas.js';
import { openStudy, type OpenedStudy } from './open-study.js';
import { LockError, lockDataDir } from '../storage/lock.js';
import { ControlUnavailable, askServer, controlPath } from '../control/socket.js';
import type { IO } from './io.js';
import { readAll } from './io.js';

const USAGE = `usage: framelens user add NAME --role researcher|annotator|teacher [--admin] [--link]
       framelens user reset NAME
  add     creates an account; its password comes from FRAMELENS_PASSWORD or the first line of
          standard input, or with --link it gets a one-time link to choose one
  reset   prints a one-time link to choose a new password
  --admin the account may manage accounts (the Accounts page)
`;

function isRole(value: string): value is Role {
  return ROLES.some((r) => r === value);
}

/** Where the links the command prints point: PUBLIC_URL, else the address the server listens on. */
function baseOf(config: Config): string {
  return config.publicUrl ?? `http://${config.host}:${config.port}`;
}

/**
 * `framelens setup-link`: a new one-time set-up link while nobody administers accounts (the one
 * printed at start was lost). Asks the running server, or opens the data folder itself.
 */
export async function setupLinkCommand(args: string[], io: IO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (args.length > 0) {
    io.stderr.write('usage: framelens setup-link   (prints a new one-time link to set Framelens up)\n');
    return 2;
  }
  return carryOut(loadConfig(env), { command: 'setup link' }, io, env.DATABASE_URL);
}

export async function userCommand(args: string[], io: IO, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { role: { type: 'string', default: 'annotator' }, admin: { type: 'boolean', default: false }, link: { type: 'boolean', default: false } },
  });
  const [verb, name] = positionals;
  if ((verb !== 'add' && verb !== 'reset') || !name || positionals.length > 2) {
    io.stderr.write(USAGE);
    return 2;
  }
  const config = loadConfig(env);
  let request: AccountRequest;
  if (verb === 'add') {
    const role = values.role ?? 'annotator';
    if (!isRole(role)) {
      io.stderr.write(`unknown role "${role}": choose researcher, annotator or teacher\n`);
      return 2;
    }
    const password = values.link ? null : (env.FRAMELENS_PASSWORD ?? (await readAll(io.stdin)).split(/\r?\n/)[0] ?? '');
    request = { command: 'user add', name, role, admin: values.admin === true, password };
  } else {
    request = { command: 'user reset', name };
  }
  return carryOut(config, request, io, env.DATABASE_URL);
}

/** Carries out `request` on the database (`url`), on the data folder, or through the server that holds it. */
async function carryOut(config: Config, request: AccountRequest, io: IO, url: string | undefined): Promise<number> {
  if (url) return onDatabase(config, url, request, io);
  try {
    await lockDataDir(config.dataDir);
  } catch (error) {
    if (!(error instanceof LockError)) throw error;
    return viaServer(config, error, request, io);
  }
  const study = await openStudy({ dataDir: config.dataDir });
  try {
    return answer(await runAccountRequest(study.store, request, baseOf(config)), io);
  } finally {
    await study.close();
  }
}

/** The data folder is the running server's: ask it over its control socket. */
async function viaServer(config: Config, locked: LockError, request: AccountRequest, io: IO): Promise<number> {
  try {
    return answer(await askServer(config.dataDir, request), io);
  } catch (error) {
    if (!(error instanceof ControlUnavailable)) throw error;
    io.stderr.write(
      `${locked.message}\n` +
        `It did not answer on ${controlPath(config.dataDir)} (${error.message}).\n` +
        `While it runs, an administrator makes accounts in the web instead: sign in, open Accounts ` +
        `(${baseOf(config)}/accounts), fill in "New account" and send the one-time link it shows.\n`,
    );
    return 1;
  }
}

/** On PostgreSQL: the accounts are changed in the database, under the same lock the servers take. */
async function onDatabase(config: Config, url: string, request: AccountRequest, io: IO): Promise<number> {
  const { isPostgresUrl, redactUrl } = await import('../storage/postgres/index.js');
  if (!isPostgresUrl(url)) {
    io.stderr.write(`DATABASE_URL must be a postgres:// URL (it is ${redactUrl(url)}).\n`);
    return 2;
  }
  let study: OpenedStudy;
  try {
    study = await openStudy({ url, dataDir: config.dataDir });
  } catch (error) {
    io.stderr.write(`Framelens cannot open the database at ${redactUrl(url)}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  try {
    return answer(await runAccountRequest(study.store, request, baseOf(config)), io);
  } finally {
    await study.close();
  }
}

function answer({ ok, message }: AccountAnswer, io: IO): number {
  (ok ? io.stdout : io.stderr).write(`${message}\n`);
  return ok ? 0 : 1;
}
