// `npm start`: serve from dist/. The server is bundled (scripts/build.mjs, a few seconds) only
// when a source is newer than the last build; otherwise it starts at once. The bundled command
// line is loaded into this very process (npm's script execs it), so a process manager's SIGTERM
// to `npm start` reaches the server, which stops gracefully.
import { pathToFileURL } from 'node:url';
import { build, buildReason, entryOf } from './build.mjs';

const reason = buildReason();
if (reason !== null) {
  console.log(`Framelens: building the server (${reason})…`);
  const status = await build();
  if (status !== 0) {
    console.error('Framelens: the build failed (the messages above say where); nothing was started.');
    process.exit(status);
  }
}
// The command line reads its command from argv: `framelens serve`, with any arguments given.
const entry = entryOf();
process.argv = [process.argv[0] ?? process.execPath, entry, 'serve', ...process.argv.slice(2)];
await import(pathToFileURL(entry).href);
