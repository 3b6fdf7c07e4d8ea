#!/usr/bin/env node
// The `framelens` command: one verb per subcommand, each in server/commands/.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { garbageCollectionFlags, missingFlags, relaunch, stopWithParent } from './runtime.js';
import { mapStackTraces } from './stack-traces.js';

// Run from the bundle (dist/server, every file in one folder): stack traces name server/*.ts.
if (!import.meta.url.endsWith('.ts')) mapStackTraces(dirname(fileURLToPath(import.meta.url)));

const USAGE = `usage: framelens <command>
  serve                         start the web server (PORT, HOST, DATA_DIR)
  segment FILE|-                print the sentences of a text as JSON lines
  user add NAME --role ROLE [--admin] [--link]   create an account (password from FRAMELENS_PASSWORD
                                or stdin, or a one-time link); works while the server runs
  user reset NAME               print a one-time link to choose a new password
  setup-link                    print a new one-time set-up link (before the first account; works while the server runs)
  agreement FILE|- [--level L] [--json]   agreement statistics on reliability data (CSV)
  export PROJECT --format F --out DIR [--anonymise]   export a project's data
  gold import PROJECT FILE|-    a project's gold standard from a gold JSONL export
  suggest PROJECT [--articles ID,ID,…] [--suggesters rules,learned] [--train-only]
                                suggestions as JSON lines (or train the learned model)
  migrate --from DATA_DIR|postgres://… --to postgres://…|DIR
                                copy a study between a data folder and PostgreSQL, verified
`;

const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
const [command, ...args] = process.argv.slice(2);
// Each command's modules load when it runs: `serve` opens its port before loading the app.
const commands: Record<string, (args: string[]) => Promise<number>> = {
  serve: async (a) => (await import('./commands/serve.js')).serveCommand(a),
  segment: async (a) => (await import('./commands/segment.js')).segmentCommand(a, io),
  user: async (a) => (await import('./commands/user.js')).userCommand(a, io),
  'setup-link': async (a) => (await import('./commands/user.js')).setupLinkCommand(a, io),
  agreement: async (a) => (await import('./commands/agreement.js')).agreementCommand(a, io),
  export: async (a) => (await import('./commands/export.js')).exportCommand(a, io),
  suggest: async (a) => (await import('./commands/suggest.js')).suggestCommand(a, io),
  gold: async (a) => (await import('./commands/gold.js')).goldCommand(a, io),
  migrate: async (a) => (await import('./commands/migrate.js')).migrateCommand(a, io),
};
const run = command === undefined ? undefined : commands[command];
// The server runs under load for hours: it gets the garbage-collector flags for this machine
// (server/runtime.ts), given to Node at start, so it starts again with them if they are missing.
const flags = command === 'serve' ? missingFlags(garbageCollectionFlags()) : [];
if (!run) {
  process.stderr.write(USAGE);
  process.exitCode = command === undefined || command === 'help' || command === '--help' ? 0 : 2;
} else if (flags.length > 0) {
  process.exitCode = await relaunch(flags);
} else {
  // Started by `relaunch`: a parent that dies (SIGKILL) takes the server down with it, gracefully.
  stopWithParent(() => process.kill(process.pid, 'SIGTERM'));
  process.exitCode = await run(args);
}
