// What one tag save costs on PostgreSQL, statement by statement: `framelens serve` with
// DATABASE_URL on a throw-away cluster, an annotator signed in, then N tag saves (POST …/tags)
// one after the other with log_statement = all, and the statements the server's connections ran
// for them, counted by kind. Run as
//   node --import tsx bench/pg-profile.ts [SAVES]
// (a diagnostic, not a bench row: it prints what a save request sends to the database). With
// PROFILE_CPU_DIR=DIR it runs the built server (npm run build first) with --cpu-prof instead, and
// 20 clients save for 10 s: the server's CPU profile is written in DIR as it stops.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createFirstAdmin } from '../server/accounts/admin.js';
import { createUser } from '../server/accounts/users.js';
import { PostgresAppStore } from '../server/storage/postgres/app-store.js';
import { PostgresDatabase } from '../server/storage/postgres/index.js';
import { loadShippedCodebooks } from '../server/storage/shipped-codebooks.js';
import { startCluster } from '../test/helpers/postgres-cluster.js';
import { signIn, spawnServer, stopServer } from './http.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SAVES = Number(process.argv[2] ?? 5);
const PASSWORD = 'correct horse battery staple';
const PAIRS = Array.from({ length: 8 }, (_, first) => Array.from({ length: 8 - first }, (_, n) => [first, first + n] as const)).flat();

const cluster = await startCluster();
const dir = await mkdtemp(join(tmpdir(), 'framelens-pg-profile-'));
try {
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query('CREATE DATABASE profile');
  const { rows } = await admin.query<{ data_directory: string }>('SHOW data_directory');
  const logFile = join(dirname(rows[0]?.data_directory ?? ''), 'server.log');
  const url = cluster.urlOf('profile');
  const cpuProfile = process.env.PROFILE_CPU_DIR;
  const server = await spawnServer(
    cpuProfile ? [`--cpu-prof`, `--cpu-prof-dir=${cpuProfile}`, join(ROOT, 'dist/server/cli.js'), 'serve'] : ['--import', 'tsx', join(ROOT, 'server/cli.ts'), 'serve'],
    { ...process.env, DATABASE_URL: url, DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production' },
    /on http:\/\/127\.0\.0\.1:(\d+)/,
    '/signin',
    120_000,
  );
  const shipped = await loadShippedCodebooks();
  const study = await PostgresDatabase.open(url, shipped, { max: 2 });
  const store = await PostgresAppStore.open(study, shipped, dir);
  await createFirstAdmin(store, 'Rita', PASSWORD);
  const anna = await createUser(store, 'anna', 'annotator', PASSWORD);
  const projectId = store.projects.data.data.projects[0]?.id ?? '';
  await store.updateProject(projectId, (p) => {
    p.members.push({ userId: anna.id, role: 'annotator' });
  });
  const articleId = store.articles(projectId)[0]?.id ?? '';
  const sentences = Math.min(10, store.article(articleId)?.sentences.length ?? 1);
  await study.close();
  try {
    const session = await signIn(server.base, 'anna', PASSWORD);
    const post = async (i: number) => {
      // Distinct spans: sentence, then a (first, last) pair of its first 8 words.
      const pair = Math.floor(i / sentences) % PAIRS.length;
      const [first, last] = PAIRS[pair] ?? [0, 0];
      const body = new URLSearchParams({ _csrf: session.csrf, first: String(first), last: String(last), category: 'hedge', voice: 'author', intensity: '', note: '' });
      const response = await fetch(`${server.base}/articles/${articleId}/sentences/${(i % sentences) + 1}/tags`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
      });
      await response.arrayBuffer();
      if (response.status !== 303) throw new Error(`save ${i} answered ${response.status}`);
    };
    await post(0); // the first save reads the annotation; the rest are what a session's saves cost
    if (cpuProfile) await underLoad(post);
    else await statementsOf(admin, logFile, post);
  } finally {
    await stopServer(server);
    await admin.end();
  }
} finally {
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
}

/** 20 clients saving for 10 s, for the server's CPU profile (written as it stops). */
async function underLoad(post: (i: number) => Promise<void>): Promise<void> {
  let i = 100;
  let done = 0;
  const deadline = Date.now() + 10_000;
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (Date.now() < deadline) {
        await post(i++).catch(() => {}); // a span saved already (409) costs a request too
        done++;
      }
    }),
  );
  console.log(`${done} saves under load; the profile is in ${process.env.PROFILE_CPU_DIR}`);
}

/** SAVES saves one after the other with log_statement = all, and the statements they sent, by kind. */
async function statementsOf(admin: pg.Client, logFile: string, post: (i: number) => Promise<void>): Promise<void> {
  await admin.query("ALTER SYSTEM SET log_statement = 'all'");
  await admin.query('SELECT pg_reload_conf()');
  await new Promise((r) => setTimeout(r, 500));
  const from = readFileSync(logFile, 'utf8').length;
  for (let i = 1; i <= SAVES; i++) await post(i);
  await admin.query("ALTER SYSTEM SET log_statement = 'none'");
  await admin.query('SELECT pg_reload_conf()');
  const statements = readFileSync(logFile, 'utf8')
    .slice(from)
    .split('\n')
    .map((line) => /LOG:\s+((?:statement|execute [^:]*):\s*.*)$/.exec(line)?.[1])
    .filter((s): s is string => s !== undefined && !/ALTER SYSTEM|pg_reload_conf/.test(s));
  const kinds = new Map<string, number>();
  for (const s of statements) {
    const kind = s.replace(/\s+/g, ' ').slice(0, process.env.PROFILE_WIDE ? 400 : 110);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  console.log(`${statements.length} statements for ${SAVES} saves (${(statements.length / SAVES).toFixed(1)} a save):`);
  for (const [kind, n] of [...kinds].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(4)}  ${kind}`);
}
