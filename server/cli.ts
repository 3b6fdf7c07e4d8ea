#!/usr/bin/env node
// The `framelens` command: one verb per subcommand, each in server/commands/.
import { serveCommand } from './commands/serve.js';
import { segmentCommand } from './commands/segment.js';
import { userCommand } from './commands/user.js';
import { agreementCommand } from './commands/agreement.js';
import { exportCommand } from './commands/export.js';
import { suggestCommand } from './commands/suggest.js';
import { tuneGarbageCollection } from './runtime.js';

const USAGE = `usage: framelens <command>
  serve                         start the web server (PORT, HOST, DATA_DIR)
  segment FILE|-                print the sentences of a text as JSON lines
  user add NAME --role ROLE [--admin] [--link]   create an account (password from FRAMELENS_PASSWORD
                                or stdin, or a one-time link); works while the server runs
  user reset NAME               print a one-time link to choose a new password
  agreement FILE|- [--level L] [--json]   agreement statistics on reliability data (CSV)
  export PROJECT --format F --out DIR [--anonymise]   export a project's data
  suggest PROJECT [--articles ID,ID,…] [--suggesters rules,learned] [--train-only]
                                suggestions as JSON lines (or train the learned model)
`;

tuneGarbageCollection();
const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
const [command, ...args] = process.argv.slice(2);
const commands: Record<string, (args: string[]) => Promise<number>> = {
  serve: serveCommand,
  segment: (a) => segmentCommand(a, io),
  user: (a) => userCommand(a, io),
  agreement: (a) => agreementCommand(a, io),
  export: (a) => exportCommand(a, io),
  suggest: (a) => suggestCommand(a, io),
};
const run = command === undefined ? undefined : commands[command];
if (!run) {
  process.stderr.write(USAGE);
  process.exitCode = command === undefined || command === 'help' || command === '--help' ? 0 : 2;
} else {
  process.exitCode = await run(args);
}
