// `framelens serve`: lock the data folder, listen at once (answering "starting" until every tag is
// loaded), open the data folder, create the demo on first start, serve; on SIGTERM or SIGINT,
// finish the requests in flight, checkpoint and exit.
// Only what listening needs is imported up front; the app and the storage, whose modules take a
// while to load, come once the port is open.
import type http from 'node:http';
import { appServer, type AppServer } from '../web/http-server.js';
import { loadConfig, type Config } from '../config.js';
import { LockError, lockDataDir } from '../storage/lock.js';
import type { ControlAnswer } from '../control/socket.js';
import { StorageError, isNoSpace } from '../storage/durable-file.js';
import { LoadProgress } from '../storage/progress.js';
import type { Store } from '../storage/store.js';
import type { ActivityStore } from '../storage/activities.js';
import type { Pool } from 'pg';
import type { AppStore } from '../storage/app-store.js';

/** Any fixed number: the lock servers starting on one database take to make the demo and the administrator once. */
const FIRST_START_LOCK = 4_019_190_002;

/** How long requests in flight may take to finish once the server is told to stop. */
const STOP_GRACE_MS = 30_000;

/** Opens the data folder completely (tags included); for tests and commands. */
export async function openData(dataDir: string): Promise<Store> {
  const store = await openForServing(dataDir);
  await store.ready;
  return store;
}

/** Opens the data folder; tags go on loading in the background (`store.ready`). */
async function openForServing(dataDir: string, progress?: LoadProgress): Promise<Store> {
  const [{ Store }, { loadShippedCodebooks }, { ensureDemo }] = await Promise.all([
    import('../storage/store.js'),
    import('../storage/shipped-codebooks.js'),
    import('../demo/seed.js'),
  ]);
  const store = await Store.open(dataDir, await loadShippedCodebooks(), progress ? { progress } : {});
  await ensureDemo(store);
  const { ensureAdmin } = await import('../accounts/admin.js');
  await ensureAdmin(store);
  return store;
}

/** For commands that only read: safe beside a running server; no demo, no clean-up, no writes. */
export async function readData(dataDir: string): Promise<Store> {
  const [{ Store }, { loadShippedCodebooks }] = await Promise.all([import('../storage/store.js'), import('../storage/shipped-codebooks.js')]);
  const store = await Store.open(dataDir, await loadShippedCodebooks(), { readOnly: true });
  await store.ready;
  return store;
}

/** What an operator reads when the server cannot start, or stops, because of its data folder. */
export function explainFailure(error: unknown): string[] {
  const message = error instanceof Error ? error.message : String(error);
  if (isNoSpace(error)) {
    // The operator needs the file and the system's words, not the message meant for users.
    const detail = error instanceof StorageError && error.cause instanceof Error ? `${error.path}: ${error.cause.message}` : message;
    return [`the disk holding the data folder is full (${detail}).`, 'Nothing was changed. Free some space and start again.'];
  }
  if (error instanceof LockError) return [message];
  // A corrupt file stops the server; it is never replaced or emptied.
  if (error instanceof StorageError && /[\\/]journal[\\/]\d{8}\.log$/.test(error.path)) {
    return [
      message,
      'Nothing was changed. Restore the data folder from a backup; or, to start without the saves that segment holds, ' +
        'move the segment aside (the saves in it are lost).',
    ];
  }
  if (error instanceof StorageError) {
    return [message, 'Nothing was changed. Restore that file from a backup (or move it aside) and start again.'];
  }
  return [message];
}

/** The page every request gets until the tags are loaded. */
function startingPage(progress: LoadProgress): http.RequestListener {
  return (_req, res) => {
    const done = `${progress.percent}% ${progress.replaying ? 'replayed' : 'loaded'}`;
    res.writeHead(503, {
      'content-type': 'text/html; charset=utf-8',
      'retry-after': '2',
      'cache-control': 'no-store',
    });
    res.end(
      '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
        `<meta http-equiv="refresh" content="2"><title>Framelens is starting</title></head>` +
        `<body><main><h1>Framelens is starting</h1><p>Starting, ${done}. This page reloads by itself.</p></main></body></html>\n`,
    );
  };
}

/** A port that cannot be had is the operator's to fix: one line, naming the port and PORT. */
export function explainListenFailure(error: unknown, host: string, port: number): string | null {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  if (code === 'EADDRINUSE') return `port ${port} on ${host} is in use by another program. Stop it, or start Framelens on another port: PORT=${port + 1} npm start`;
  if (code === 'EACCES') return `port ${port} on ${host} needs privileges this user does not have. Choose a port above 1023: PORT=3000 npm start`;
  if (code === 'EADDRNOTAVAIL') return `${host} is not an address of this machine. Set HOST to one of its addresses (HOST=0.0.0.0 listens on all).`;
  return null;
}

/** The console lines that show how to set Framelens up while nobody administers accounts. */
export function setupLines(base: string, token: string): string[] {
  return [
    'Framelens is not set up yet. Open this one-time link to create the first researcher account,',
    'the administrator, who makes the other accounts and leads the demo project ("Demo: NATO–Russia talks"):',
    `  ${base}/setup/${token}`,
    'Lost it? While Framelens runs, `npx framelens setup-link` prints a new one.',
  ];
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

export async function serveCommand(_args: string[]): Promise<number> {
  const config = loadConfig(process.env);
  const fail = (prefix: string, error: unknown) => {
    const [first, ...rest] = explainFailure(error);
    console.error(`${prefix}: ${first}`);
    for (const line of rest) console.error(line);
  };
  if (process.env.DATABASE_URL) return serveDatabase(config, process.env.DATABASE_URL, fail);
  try {
    await lockDataDir(config.dataDir);
  } catch (error) {
    fail('Framelens cannot start', error);
    return 1;
  }
  // The port is open from the start: until the tags are loaded, every request gets a 503 page
  // saying how far the start has got.
  const progress = new LoadProgress();
  const web: AppServer = appServer(startingPage(progress));
  const port = await openPort(web, config, fail);
  if (port === null) return 1;
  const base = `http://${config.host}:${port}`;
  console.log(`Framelens is starting on ${base}`);
  let store: Store;
  let activities: ActivityStore;
  let app: Parameters<AppServer['serve']>[0];
  try {
    // The data folder is opened (and its tags read) while the app's modules load: on two cores
    // the reads' waits for the disk overlap with compiling the modules.
    const opening = openForServing(config.dataDir, progress);
    const [{ createApp }, { ActivityStore }] = await Promise.all([import('../app.js'), import('../storage/activities.js'), opening]);
    store = await opening;
    activities = await ActivityStore.open(config.dataDir);
    await store.ready;
    const { FileSessionStore } = await import('../web/session.js');
    app = createApp({ config, store, activities, sessionStore: new FileSessionStore(store) });
  } catch (error) {
    fail('Framelens cannot start', error);
    web.server.close();
    return 1;
  }
  web.serve(app);
  console.log(`Framelens is serving ${config.dataDir} on ${base}`);
  // Operators (and the benchmark) see when every tag is in.
  // With the CPU time used so far (every thread of the process), which the benchmark reads.
  const cpu = process.cpuUsage();
  console.log(
    `All tags are loaded: ${store.tagCount().toLocaleString('en')} tags, ${process.uptime().toFixed(2)} s after start, ` +
      `${((cpu.user + cpu.system) / 1e6).toFixed(2)} s of CPU.`,
  );
  store.afterReplay.catch((error: unknown) => {
    // The journal stays and is checkpointed later (or replayed again at the next start).
    console.error(`Framelens: the checkpoint after replaying the journal failed: ${error instanceof Error ? error.message : String(error)}`);
  });
  const publicBase = config.publicUrl ?? base;
  const [{ issueSetupToken }, { runAccountRequest }, { serveControl }] = await Promise.all([
    import('../accounts/users.js'),
    import('../accounts/requests.js'),
    import('../control/socket.js'),
  ]);
  const token = await issueSetupToken(store);
  if (token) for (const line of setupLines(publicBase, token)) console.log(line);
  // `framelens user add` and `framelens setup-link` while the server runs: the commands ask it
  // over DATA_DIR/.control.sock (the server holds the folder's lock).
  const answer = (request: unknown): Promise<ControlAnswer> => runAccountRequest(store, request, publicBase);
  const control = await serveControl(config.dataDir, answer).catch((error: unknown) => {
    console.error(`Framelens: no control socket (${error instanceof Error ? error.message : String(error)}): \`framelens user\` will point to the Accounts page instead.`);
    return null;
  });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // Asked twice: stop now. Every acknowledged save is in the journal, which the next start replays.
      console.error(`Framelens: ${signal} again, exiting without finishing the checkpoint.`);
      process.exit(1);
    }
    stopping = true;
    console.log(`Framelens is stopping (${signal}): finishing the requests in flight, then writing the journal to the tag files.`);
    void Promise.all([web.stop(STOP_GRACE_MS), control?.close()])
      .then(() => store.close())
      .then(
        () => {
          console.log('Framelens stopped.');
          process.exit(0);
        },
        (error: unknown) => {
          fail('Framelens stopped without its checkpoint', error);
          console.error('Every acknowledged save is in the journal: the next start replays it.');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return new Promise<number>(() => {});
}

/** Listens on the configured port; null (and the reason printed) when it cannot. */
async function openPort(web: AppServer, config: Config, fail: (prefix: string, error: unknown) => void): Promise<number | null> {
  try {
    return await listen(web.server, config.port, config.host);
  } catch (error) {
    const plain = explainListenFailure(error, config.host, config.port);
    if (plain === null) fail('Framelens cannot start', error);
    else console.error(`Framelens cannot start: ${plain}`);
    return null;
  }
}

/**
 * `framelens serve` with DATABASE_URL: any number of these processes share one database. No
 * data-folder lock (DATA_DIR keeps only this server's learned suggestion models); sessions and
 * sign-in limits in the database; the demo and the first administrator made once, under a lock,
 * by whichever server starts first on an empty database.
 */
async function serveDatabase(config: Config, url: string, fail: (prefix: string, error: unknown) => void): Promise<number> {
  const web: AppServer = appServer(startingPage(new LoadProgress()));
  const port = await openPort(web, config, fail);
  if (port === null) return 1;
  const base = `http://${config.host}:${port}`;
  const [{ isPostgresUrl, redactUrl }, { PostgresActivities }, { PostgresSessions }, { PostgresRateLimitStore }, { createApp }, session] = await Promise.all([
    import('../storage/postgres/index.js'),
    import('../storage/postgres/activities.js'),
    import('../storage/postgres/sessions.js'),
    import('../storage/postgres/rate-limits.js'),
    import('../app.js'),
    import('../web/session.js'),
  ]);
  const where = redactUrl(url);
  console.log(`Framelens is starting on ${base}, on PostgreSQL at ${where}`);
  if (!isPostgresUrl(url)) {
    console.error(`Framelens cannot start: DATABASE_URL must be a postgres:// URL (it is ${where}).`);
    web.server.close();
    return 1;
  }
  let opened: Awaited<ReturnType<typeof openDatabase>>;
  try {
    opened = await openDatabase(url, config.dataDir);
  } catch (error) {
    fail(`Framelens cannot start on ${where}`, error);
    web.server.close();
    return 1;
  }
  const { study, store } = opened;
  let app: Parameters<AppServer['serve']>[0];
  try {
    await firstStart(study.pool, store);
    const activities = await PostgresActivities.open(study);
    const sessionStore = new session.SharedSessionStore(new PostgresSessions(study.pool, { touchFlushMs: session.TOUCH_FLUSH_MS }));
    app = createApp({ config, store, activities, sessionStore, sharedLimits: (prefix) => new PostgresRateLimitStore(study.pool, prefix) });
  } catch (error) {
    fail(`Framelens cannot start on ${where}`, error);
    await study.close().catch(() => {});
    web.server.close();
    return 1;
  }
  web.serve(app);
  console.log(`Framelens is serving PostgreSQL at ${where} on ${base}`);
  console.log(`All tags are in the database: ${(await store.countTags()).toLocaleString('en')} tags, ${process.uptime().toFixed(1)} s after start.`);
  // The same link on every server started before the first account exists: any of them works, once.
  const token = await store.setupToken(false);
  if (token) for (const line of setupLines(config.publicUrl ?? base, token)) console.log(line);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // Every acknowledged save is committed: nothing is lost by leaving now.
      process.exit(1);
    }
    stopping = true;
    console.log(`Framelens is stopping (${signal}): finishing the requests in flight.`);
    void web
      .stop(STOP_GRACE_MS)
      .then(() => study.close())
      .then(
        () => {
          console.log('Framelens stopped.');
          process.exit(0);
        },
        (error: unknown) => {
          fail('Framelens stopped', error);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return new Promise<number>(() => {});
}

/** The study on PostgreSQL (its schema brought up to date under the migration lock) and the app's store over it. */
async function openDatabase(url: string, dataDir: string) {
  const [{ PostgresDatabase, PostgresAppStore }, { loadShippedCodebooks }] = await Promise.all([
    import('../storage/postgres/index.js'),
    import('../storage/shipped-codebooks.js'),
  ]);
  const shipped = await loadShippedCodebooks();
  const study = await PostgresDatabase.open(url, shipped);
  try {
    return { study, store: await PostgresAppStore.open(study, shipped, dataDir) };
  } catch (error) {
    await study.close().catch(() => {});
    throw error;
  }
}

/**
 * The demo project on an empty database, and the first researcher made administrator, by one
 * server: those starting together wait on a session advisory lock and find it done.
 */
async function firstStart(pool: Pool, store: AppStore): Promise<void> {
  const [{ ensureDemo }, { ensureAdmin }] = await Promise.all([import('../demo/seed.js'), import('../accounts/admin.js')]);
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [FIRST_START_LOCK]);
    try {
      await store.refresh();
      await ensureDemo(store);
      await ensureAdmin(store);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [FIRST_START_LOCK]);
    }
  } catch (error) {
    broken = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.release(broken);
  }
}
