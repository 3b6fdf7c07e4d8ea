// `framelens serve`: open the data folder, create the demo on first start, listen.
import { createApp } from '../app.js';
import { serverFor } from '../web/http-server.js';
import { loadConfig } from '../config.js';
import { ensureDemo } from '../demo/seed.js';
import { issueSetupToken } from '../accounts/users.js';
import { ensureAdmin } from '../accounts/admin.js';
import { runAccountRequest } from '../accounts/requests.js';
import { serveControl } from '../control/socket.js';
import { Store } from '../storage/store.js';
import { ActivityStore } from '../storage/activities.js';
import { loadShippedCodebooks } from '../storage/shipped-codebooks.js';
import { lockDataDir } from '../storage/lock.js';

/** Opens the data folder completely (tags included); for tests and commands. */
export async function openData(dataDir: string): Promise<Store> {
  const store = await openForServing(dataDir);
  await store.ready;
  return store;
}

/** Opens the data folder; tags go on loading in the background (`store.ready`). */
async function openForServing(dataDir: string): Promise<Store> {
  const store = await Store.open(dataDir, await loadShippedCodebooks());
  await ensureDemo(store);
  await ensureAdmin(store);
  return store;
}

/** For commands that only read: safe beside a running server; no demo, no clean-up, no writes. */
export async function readData(dataDir: string): Promise<Store> {
  const store = await Store.open(dataDir, await loadShippedCodebooks(), { readOnly: true });
  await store.ready;
  return store;
}

export async function serveCommand(_args: string[]): Promise<number> {
  const config = loadConfig(process.env);
  let store: Store;
  let activities: ActivityStore;
  try {
    await lockDataDir(config.dataDir);
    store = await openForServing(config.dataDir);
    activities = await ActivityStore.open(config.dataDir);
  } catch (error) {
    // A corrupt file stops the server; it is never replaced or emptied.
    console.error(`Framelens cannot start: ${error instanceof Error ? error.message : String(error)}`);
    console.error('Nothing was changed. Restore that file from a backup (or move it aside) and start again.');
    return 1;
  }
  store.ready.catch((error: unknown) => {
    // A corrupt tag file found after start-up stops the server all the same; it is never replaced.
    console.error(`Framelens stops: ${error instanceof Error ? error.message : String(error)}`);
    console.error('Nothing was changed. Restore that file from a backup (or move it aside) and start again.');
    process.exit(1);
  });
  const app = createApp({ config, store, activities });
  const server = serverFor(app).listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const base = `http://${config.host}:${port}`;
  console.log(`Framelens is serving ${config.dataDir} on ${base}`);
  // Pages that need tags wait for them; operators (and the benchmark) see when they are all in.
  void store.ready.then(() => {
    console.log(`All tags are loaded: ${store.tagCount().toLocaleString('en')} tags, ${process.uptime().toFixed(1)} s after start.`);
  }, () => {});
  const token = await issueSetupToken(store);
  if (token) {
    console.log(`No accounts yet. Open this one-time link to create the first researcher account:\n  ${base}/setup/${token}`);
  }
  // `framelens user add` while the server runs: the command asks the server over DATA_DIR/.control.sock.
  await serveControl(config.dataDir, (request) => runAccountRequest(store, request, config.publicUrl ?? base)).catch((error: unknown) => {
    console.error(`Framelens: no control socket (${error instanceof Error ? error.message : String(error)}): \`framelens user\` will point to the Accounts page instead.`);
  });
  const stop = () => {
    // Journalled tag saves are on disk already; writing them to their shards now makes the next
    // start quicker. If that takes too long, the next start does it instead.
    server.close(() => void store.close().finally(() => process.exit(0)));
    setTimeout(() => process.exit(0), 10_000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise<number>(() => {});
}
