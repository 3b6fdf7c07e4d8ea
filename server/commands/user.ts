// `framelens user add NAME --role ROLE`: create an account from the shell. The password is read
// from FRAMELENS_PASSWORD or standard input (never from the command line, where `ps` shows it).
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { AccountError, createUser } from '../accounts/users.js';
import { adoptOrphanProjects } from '../demo/seed.js';
import { ROLES, type Role } from '../storage/schemas.js';
import { openData } from './serve.js';
import { LockError, lockDataDir } from '../storage/lock.js';
import type { IO } from './io.js';
import { readAll } from './io.js';

function isRole(value: string): value is Role {
  return ROLES.some((r) => r === value);
}

export async function userCommand(args: string[], io: IO): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { role: { type: 'string', default: 'annotator' } } });
  const [verb, name] = positionals;
  if (verb !== 'add' || !name) {
    io.stderr.write('usage: framelens user add NAME --role researcher|annotator|teacher\n');
    return 2;
  }
  const role = values.role ?? 'annotator';
  if (!isRole(role)) {
    io.stderr.write(`unknown role "${role}": choose researcher, annotator or teacher\n`);
    return 2;
  }
  const password = process.env.FRAMELENS_PASSWORD ?? (await readAll(io.stdin)).split(/\r?\n/)[0] ?? '';
  const dataDir = loadConfig(process.env).dataDir;
  try {
    await lockDataDir(dataDir);
  } catch (error) {
    if (!(error instanceof LockError)) throw error;
    io.stderr.write(`${error.message}\nWhile the server runs, add people from a project's Members section instead.\n`);
    return 1;
  }
  const store = await openData(dataDir);
  try {
    const first = store.users.data.data.users.length === 0;
    const user = await createUser(store, name, role, password);
    if (first && role === 'researcher') await adoptOrphanProjects(store, user.id);
    io.stdout.write(`Created ${role} "${user.name}".\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof AccountError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return 1;
  }
}
