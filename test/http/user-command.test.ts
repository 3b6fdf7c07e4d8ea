// `framelens user add|reset` while a server holds the data folder: the command asks the server
// over DATA_DIR/.control.sock, and the account (of any role, with a password or a one-time link)
// is made by the server; without a socket, the command names the web page to use instead.
import { spawn, type ChildProcess } from 'node:child_process';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { PASSWORD, addUser, makeJsonApp, snapshot, type JsonTestApp } from '../helpers/app.js';
import { jsonFolderOnly } from '../helpers/forms.js';
import { capturedIo } from '../helpers/io.js';
import { userCommand } from '../../server/commands/user.js';
import { runAccountRequest } from '../../server/accounts/requests.js';
import { askServer, controlPath, serveControl } from '../../server/control/socket.js';
import { findUserByName } from '../../server/accounts/users.js';

let t: JsonTestApp;
let holder: ChildProcess | null = null;
let control: { close: () => Promise<void> } | null = null;

/** A live process that "holds" the folder, as a running server does. */
async function holdFolder(dataDir: string): Promise<void> {
  holder = await new Promise<ChildProcess>((resolve, reject) => {
    const c = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    c.once('spawn', () => resolve(c));
    c.once('error', reject);
  });
  await writeFile(join(dataDir, '.lock'), `${holder.pid ?? ''}\n`);
}

async function run(args: string[], env: Record<string, string> = {}, stdin = '') {
  const io = capturedIo(stdin);
  const code = await userCommand(args, io, { DATA_DIR: t.dataDir, PORT: '3999', ...env });
  return { code, out: io.out(), err: io.err() };
}

beforeEach(async () => {
  t = await makeJsonApp();
  await addUser(t, 'rita', 'researcher');
  await holdFolder(t.dataDir);
});
afterEach(async () => {
  await control?.close();
  control = null;
  holder?.kill('SIGKILL');
  holder = null;
  await t.cleanup();
});

// The command reaches a server through DATA_DIR's control socket (not built for DATABASE_URL).
jsonFolderOnly('its control socket').describe('framelens user while the server runs', () => {
  it('makes a teacher with a one-time link through the control socket; the link works once', async () => {
    control = await serveControl(t.dataDir, (r) => runAccountRequest(t.store, r, 'http://framelens.test'));
    // Only the server's own user may open the socket.
    expect((await stat(controlPath(t.dataDir))).mode & 0o777).toBe(0o600);
    const made = await run(['add', 'Tina Teacher', '--role', 'teacher', '--link']);
    expect(made.err).toBe('');
    expect(made.code).toBe(0);
    expect(made.out).toContain('Created teacher "Tina Teacher".');
    const link = /http:\/\/framelens\.test(\/link\/[A-Za-z0-9_-]+)/.exec(made.out)?.[1] ?? '';
    expect(link).not.toBe('');
    expect(findUserByName(t.store, 'Tina Teacher')?.role).toBe('teacher');
    expect((await request(t.app).get(link)).status).toBe(200);
  });

  it('makes an account with a password from standard input, and a reset link; refusals exit 1 with the reason', async () => {
    control = await serveControl(t.dataDir, (r) => runAccountRequest(t.store, r, 'http://framelens.test'));
    const made = await run(['add', 'anna', '--role', 'annotator'], {}, `${PASSWORD}\n`);
    expect(made.code).toBe(0);
    expect(findUserByName(t.store, 'anna')?.passwordHash).not.toBe('');
    const again = await run(['add', 'anna', '--role', 'annotator'], {}, `${PASSWORD}\n`);
    expect(again.code).toBe(1);
    expect(again.err).toContain('The name "anna" is taken.');
    const weak = await run(['add', 'ben', '--role', 'annotator'], {}, 'short\n');
    expect(weak.code).toBe(1);
    expect(weak.err).toMatch(/at least 10 characters/);
    const reset = await run(['reset', 'anna']);
    expect(reset.code).toBe(0);
    expect(reset.out).toMatch(/One-time link for anna[\s\S]*\/link\/[A-Za-z0-9_-]{20,}/);
    const unknown = await run(['reset', 'nobody']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('No account is called "nobody".');
  });

  it('answers a request that is not one of ours with a refusal, not a crash', async () => {
    const before = await snapshot(t);
    control = await serveControl(t.dataDir, (r) => runAccountRequest(t.store, r, 'http://framelens.test'));
    expect(await askServer(t.dataDir, { command: 'user add', name: 'x', role: 'root', admin: true, password: null })).toEqual({
      ok: false,
      message: 'That request is not one Framelens knows.',
    });
    await control.close();
    control = null;
    // Closing removes the socket file too, and nothing else changed.
    expect(await snapshot(t)).toEqual(before);
  });

  it('without a control socket, says where in the web to make the account, and changes nothing', async () => {
    const before = await snapshot(t);
    const refused = await run(['add', 'tina', '--role', 'teacher', '--link']);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`pid ${holder?.pid ?? ''}`);
    expect(refused.err).toContain('open Accounts (http://127.0.0.1:3999/accounts), fill in "New account"');
    expect(await snapshot(t)).toEqual(before);
  });
});
