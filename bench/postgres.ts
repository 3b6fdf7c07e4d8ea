// PostgreSQL bench (BENCH_ONLY=postgres), on a throw-away cluster with fsync on (as an operator's
// database would run), skipped with a note when PostgreSQL is not installed:
//   - tag saves at 50 clients through the storage interface (AppStore): PostgreSQL in one process
//     vs the JSON folder (journal, group commit) in one process, then PostgreSQL in two processes
//     (25 clients each) vs one. No HTTP: the storage layer's own rates, each process a
//     bench/pg-worker.ts (the HTTP rows below measure the whole request);
//   - the 200,000-tag bench study copied into PostgreSQL (framelens migrate's path), and the
//     resident memory of a process that opens it and reads what pages read, beside a process
//     that opens the JSON folder (which holds every tag in memory);
//   - the agreement report and the CSV export of that study, each in a process that opens it as
//     `framelens export` does, from PostgreSQL beside the JSON folder: the same bytes from both
//     (memory in the log line: peak RSS, and the heap held after a collection; no target);
//   - the RSS of `framelens serve` on that database having served an annotator 50 pages, beside the
//     same server on the JSON folder;
//   - last (they add tags), tag saves through HTTP at 50 clients, the whole request as a browser
//     makes it: `framelens serve` on the JSON folder, one on PostgreSQL, then two on the database
//     (25 clients each), with the CPU a save cost the app processes, the database's processes
//     and the load generator. BENCH_PG_HTTP_ONLY=1 runs only these, on a tenth of the study;
//     BENCH_PG_STATEMENTS=1 adds to each run the statements that cost the database most
//     (pg_stat_statements) and the WAL written a save (records, bytes, full-page images).
//   `node --import tsx bench/pg-profile.ts` shows the statements one save request sends.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type autocannon from 'autocannon';
import pg from 'pg';
import { PostgresAppStore, PostgresDatabase, importStudy } from '../server/storage/postgres/index.js';
import { loadShippedCodebooks } from '../server/storage/shipped-codebooks.js';
import { Store } from '../server/storage/store.js';
import { readStudy, summarise } from '../server/storage/study-copy.js';
import type { AppStore } from '../server/storage/app-store.js';
import { postgresBin, startCluster, type Cluster } from '../test/helpers/postgres-cluster.js';
import { PASSWORD, generateStudy, type Study, type StudyOptions } from './study.js';
import { cpuMsOf, load, memoryOf, signIn, spawnServer, stopServer, waitForLine, type Session, type Spawned } from './http.js';
import { garbageCollectionFlags } from '../server/runtime.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLIENTS = 50;
const SECONDS = 5;
const ROUNDS = 2;
const ARTICLES = 50;

export interface PostgresRow {
  figure: string;
  value: string;
  baseline: string;
  ratio: string;
  target: string;
  pass: boolean;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

interface Worker {
  result: Promise<string>;
  ready: Promise<void>;
  go(): void;
}

function worker(args: string[]): Worker {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(ROOT, 'bench/pg-worker.ts'), ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  let readyResolve: () => void = () => {};
  const ready = new Promise<void>((resolve) => (readyResolve = resolve));
  const result = new Promise<string>((resolve, reject) => {
    let last = '';
    lines.on('line', (line) => {
      if (line === 'ready') readyResolve();
      else last = line;
    });
    child.once('exit', (code) => (code === 0 ? resolve(last) : reject(new Error(`bench/pg-worker.ts ${args.join(' ')} exited with ${code}`))));
  });
  return { result, ready, go: () => child.stdin.end('go\n') };
}

/** Saves per second over `processes` workers of `CLIENTS / processes` clients each, started together. */
async function saveRate(backend: 'json' | 'postgres', target: string, processes: number, round: number): Promise<number> {
  const workers = Array.from({ length: processes }, (_, i) => worker(['saves', backend, target, String(CLIENTS / processes), String(SECONDS), `r${round}p${i}`]));
  await Promise.all(workers.map((w) => w.ready));
  for (const w of workers) w.go();
  const results = (await Promise.all(workers.map((w) => w.result))).map((line): { saves: number; seconds: number } => JSON.parse(line));
  return results.reduce((n, r) => n + r.saves / r.seconds, 0);
}

async function createDatabase(cluster: Cluster, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  return cluster.urlOf(name);
}

async function addArticles(store: AppStore): Promise<void> {
  let text = '';
  const sentences: { start: number; end: number }[] = [];
  for (let i = 0; i < 20; i++) {
    const sentence = `Sentence number ${i} says what the officials allegedly said.`;
    if (text) text += ' ';
    sentences.push({ start: text.length, end: text.length + sentence.length });
    text += sentence;
  }
  for (let i = 0; i < ARTICLES; i++) {
    await store.createArticle({
      id: `bench-${i}`, projectId: 'bench', title: `Bench ${i}`, source: '', url: '', publishedAt: '', text, sentences,
      createdAt: new Date(Date.UTC(2026, 10, 30, 0, 0, i)).toISOString(), createdBy: 'bench',
    });
  }
}

/** `generated`: the bench study when another section made it already (otherwise it is made here). */
export async function postgresBench(log: (...args: unknown[]) => void, tmp: string, options: StudyOptions, generated: Study | null): Promise<PostgresRow[]> {
  if (!postgresBin()) {
    log('  skipped: PostgreSQL is not installed (apt-get install postgresql); no PostgreSQL rows in this run');
    return [];
  }
  const rows: PostgresRow[] = [];
  // BENCH_PG_STATEMENTS=1: the HTTP rows also print what each statement cost (pg_stat_statements).
  const statements = Boolean(process.env.BENCH_PG_STATEMENTS);
  const cluster = await startCluster({ durable: true, settings: statements ? ['-c shared_preload_libraries=pg_stat_statements', '-c pg_stat_statements.track=all', '-c pg_stat_statements.track_planning=on'] : [] });
  try {
    if (process.env.BENCH_PG_HTTP_ONLY) {
      // While working on the save path: only the HTTP save rows, on a tenth of the study (as many
      // tags per article, so a sentence page reads as much).
      const small = await generateStudy(join(tmp, 'pg-bench-small'), { ...options, articles: options.articles / 10, tags: options.tags / 10 });
      const folder = await Store.open(small.dataDir, await loadShippedCodebooks(), { readOnly: true });
      await folder.ready;
      const url = await createDatabase(cluster, 'small');
      const target = await PostgresDatabase.open(url, await loadShippedCodebooks());
      const whole = await readStudy(folder, new Set((await loadShippedCodebooks()).map((c) => c.id)));
      await importStudy(target, whole, summarise(whole));
      await target.close();
      await folder.close();
      return await httpSaves(log, cluster, small, url, tmp);
    }
    const shipped = await loadShippedCodebooks();
    const jsonDir = join(tmp, 'pg-bench-json');
    const json = await Store.open(jsonDir, shipped);
    await json.ready;
    await addArticles(json);
    await json.close();
    const savesUrl = await createDatabase(cluster, 'saves');
    const pgDatabase = await PostgresDatabase.open(savesUrl, shipped);
    await addArticles(await PostgresAppStore.open(pgDatabase, shipped, ''));
    await pgDatabase.close();

    const rates = { json: [] as number[], one: [] as number[], two: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      rates.json.push(await saveRate('json', jsonDir, 1, round));
      rates.one.push(await saveRate('postgres', savesUrl, 1, round));
      rates.two.push(await saveRate('postgres', savesUrl, 2, round));
      log(`  round ${round + 1}: JSON folder ${fmt(rates.json[round] ?? 0)}/s, PostgreSQL 1 process ${fmt(rates.one[round] ?? 0)}/s, 2 processes ${fmt(rates.two[round] ?? 0)}/s`);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const [jsonRate, oneRate, twoRate] = [mean(rates.json), mean(rates.one), mean(rates.two)];
    rows.push({
      figure: `PostgreSQL: tag saves, ${CLIENTS} clients, 1 process (storage interface, no HTTP)`,
      value: `${fmt(oneRate)}/s`,
      baseline: `${fmt(jsonRate)}/s JSON folder, same harness`,
      ratio: `${fmt(oneRate / jsonRate, 2)}×`,
      target: '≥ 0.7×',
      pass: oneRate / jsonRate >= 0.7,
    });
    rows.push({
      figure: `PostgreSQL: tag saves, ${CLIENTS} clients over 2 processes`,
      value: `${fmt(twoRate)}/s`,
      baseline: `${fmt(oneRate)}/s in 1 process`,
      ratio: `${fmt(twoRate / oneRate, 2)}×`,
      target: '≥ 1.3× (2 cores shared with the database)',
      pass: twoRate / oneRate >= 1.3,
    });

    if (!generated) log(`  generating the ${fmt(options.tags)}-tag bench study…`);
    const study = generated ?? (await generateStudy(join(tmp, 'pg-bench-study'), options));
    const folder = await Store.open(study.dataDir, shipped, { readOnly: true });
    await folder.ready;
    const whole = await readStudy(folder, new Set(shipped.map((c) => c.id)));
    const studyUrl = await createDatabase(cluster, 'study');
    const target = await PostgresDatabase.open(studyUrl, shipped);
    const started = performance.now();
    const copied = await importStudy(target, whole, summarise(whole));
    const seconds = (performance.now() - started) / 1000;
    await target.close();
    log(`  copied into PostgreSQL in one verified transaction: ${fmt(copied.counts.tags)} tags, ${fmt(copied.counts.articles)} articles in ${fmt(seconds, 1)} s`);
    const rss = async (backend: 'json' | 'postgres', at: string) => {
      const w = worker(['rss', backend, at]);
      const parsed: { rssMb: number; tags: number } = JSON.parse(await w.result);
      return parsed;
    };
    const onPg = await rss('postgres', studyUrl);
    const onJson = await rss('json', study.dataDir);
    rows.push({
      figure: `PostgreSQL: RSS of a process over ${fmt(onPg.tags)} tags`,
      value: `${fmt(onPg.rssMb)} MB`,
      baseline: `${fmt(onJson.rssMb)} MB JSON folder (${fmt(onJson.tags)} tags in memory)`,
      ratio: `${fmt(onPg.rssMb / onJson.rssMb, 2)}×`,
      target: '< 150 MB',
      pass: onPg.rssMb < 150 && onPg.tags === onJson.tags,
    });

    // The agreement report and the CSV export of the study's project, each in a process of its
    // own that opens the study as `framelens export` does: the same bytes from both backends.
    const report = async (backend: 'json' | 'postgres', at: string, what: 'agreement' | 'csv') => {
      const parsed: { ms: number; cpuMs: number; sha: string; peakRssMb: number; heldHeapMb: number } = JSON.parse(await worker(['report', backend, at, study.projectId, what]).result);
      return parsed;
    };
    for (const what of ['agreement', 'csv'] as const) {
      const onFolder = await report('json', study.dataDir, what);
      const onDatabase = await report('postgres', studyUrl, what);
      const name = what === 'agreement' ? 'agreement report (α, AC1, F1 with intervals)' : 'CSV export';
      log(
        `  ${name}: PostgreSQL ${fmt(onDatabase.ms)} ms (CPU ${fmt(onDatabase.cpuMs)} ms, RSS peak ${fmt(onDatabase.peakRssMb)} MB, heap held after ${fmt(onDatabase.heldHeapMb)} MB), ` +
          `JSON folder ${fmt(onFolder.ms)} ms (CPU ${fmt(onFolder.cpuMs)} ms, RSS peak ${fmt(onFolder.peakRssMb)} MB, heap held after ${fmt(onFolder.heldHeapMb)} MB); ` +
          `same result: ${onDatabase.sha === onFolder.sha ? 'yes' : 'NO'}`,
      );
      rows.push({
        figure: `PostgreSQL: ${name} of the ${fmt(copied.counts.tags)}-tag study (wall)`,
        value: `${fmt(onDatabase.ms)} ms`,
        baseline: `${fmt(onFolder.ms)} ms JSON folder (tags loaded first)`,
        ratio: `${fmt(onDatabase.ms / onFolder.ms, 2)}×`,
        target: 'the same bytes',
        pass: onDatabase.sha === onFolder.sha,
      });
    }

    // `framelens serve` over the study, as an annotator uses it (the project page, then 50
    // sentence pages), then its RSS: on PostgreSQL, beside the same server on the JSON folder.
    const servedRss = async (env: NodeJS.ProcessEnv, ready: RegExp) => {
      const server = await spawnServer(
        [...garbageCollectionFlags(), join(ROOT, 'dist/server/cli.js'), 'serve'],
        { ...process.env, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production', ...env },
        /on http:\/\/127\.0\.0\.1:(\d+)/,
        '/signin',
        300_000,
      );
      try {
        await waitForLine(server, ready, 300_000);
        const session = await signIn(server.base, 'annotator1', PASSWORD);
        const get = async (path: string) => {
          const response = await fetch(server.base + path, { redirect: 'manual', headers: { cookie: session.cookie } });
          await response.arrayBuffer();
          if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
        };
        await get(`/projects/${study.projectId}`);
        for (let i = 0; i < 50; i++) {
          const article = study.articles[i % study.articles.length];
          if (article) await get(`/articles/${article.id}/sentences/${(i % article.words.length) + 1}`);
        }
        return memoryOf(server.pid).rssKb / 1024;
      } finally {
        await stopServer(server);
      }
    };
    const servingPg = await servedRss({ DATABASE_URL: studyUrl, DATA_DIR: join(tmp, 'pg-bench-models') }, /^All tags are in the database/);
    const servingJson = await servedRss({ DATA_DIR: study.dataDir }, /^All tags are loaded/);
    log(`  framelens serve, after the project page and 50 sentence pages: PostgreSQL ${fmt(servingPg)} MB RSS, JSON folder ${fmt(servingJson)} MB`);
    rows.push({
      figure: `PostgreSQL: RSS of framelens serve over the ${fmt(copied.counts.tags)}-tag study, having served pages`,
      value: `${fmt(servingPg)} MB`,
      baseline: `${fmt(servingJson)} MB the same server on the JSON folder`,
      ratio: `${fmt(servingPg / servingJson, 2)}×`,
      target: '< 150 MB',
      pass: servingPg < 150,
    });

    // Last, since they add tags: saves through HTTP, the whole request (sessions, the per-request
    // check of the change counters, the route's reads, the save) as an annotator's browser makes them.
    rows.push(...(await httpSaves(log, cluster, study, studyUrl, tmp)));
  } finally {
    await cluster.stop();
  }
  return rows;
}

/** The pid of the cluster's postmaster. */
async function postmasterOf(cluster: Cluster): Promise<number> {
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  const { rows } = await client.query<{ data_directory: string }>('SHOW data_directory');
  await client.end();
  return Number(readFileSync(join(rows[0]?.data_directory ?? '', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/**
 * CPU milliseconds the cluster has used so far: the postmaster's own, its running children's
 * (backends, WAL writer, checkpointer…), and those of the children that exited (the kernel adds
 * them to the postmaster's once reaped), so that a pool's connection closed or opened during a
 * measurement is counted either way.
 */
function clusterCpuMs(postmaster: number): number {
  const fieldsOf = (pid: number) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  };
  const own = fieldsOf(postmaster);
  // utime, stime, cutime, cstime: fields 14-17 of stat, in ticks of 10 ms.
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = fieldsOf(Number(entry));
      if (Number(fields[1]) === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks * 10;
}

/**
 * Transactions the database has committed in `url`'s database (a statement outside BEGIN is one),
 * as its statistics say: they are flushed about once a second, so they are read after a pause.
 */
async function transactionsOf(url: string): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = current_database()');
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** CPU milliseconds used so far by those of `pids` still running. */
function cpuOf(pids: number[]): number {
  let ms = 0;
  for (const pid of pids) {
    try {
      ms += cpuMsOf(pid);
    } catch {
      // exited
    }
  }
  return ms;
}

const HTTP_SECONDS = 6;
const WARM_SECONDS = 2;

/**
 * Tag saves through HTTP at 50 clients: `framelens serve` on the JSON folder, one on PostgreSQL,
 * then two on the same database (25 clients each), in rounds; with the CPU each save cost the
 * app processes, the database's processes and the load generator.
 */
async function httpSaves(log: (...args: unknown[]) => void, cluster: Cluster, study: Study, studyUrl: string, tmp: string): Promise<PostgresRow[]> {
  // BENCH_PG_CPU_PROF=DIR: each server writes its CPU profile in DIR as it stops (JSON folder, A, B).
  const profile = process.env.BENCH_PG_CPU_PROF;
  const start = (env: NodeJS.ProcessEnv) =>
    spawnServer(
      [...garbageCollectionFlags(), ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []), join(ROOT, 'dist/server/cli.js'), 'serve'],
      { ...process.env, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production', ...env },
      /on http:\/\/127\.0\.0\.1:(\d+)/,
      '/signin',
      300_000,
    );
  const servers: Spawned[] = [];
  let statistics: pg.Client | null = null;
  try {
    if (process.env.BENCH_PG_STATEMENTS) {
      // Its own connection, made before the servers start: the pg_stat_statements reset and reads are not theirs.
      statistics = new pg.Client({ connectionString: studyUrl });
      await statistics.connect();
      await statistics.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    }
    const json = await start({ DATA_DIR: study.dataDir });
    servers.push(json);
    await waitForLine(json, /^All tags are loaded/, 300_000);
    const pgA = await start({ DATABASE_URL: studyUrl, DATA_DIR: join(tmp, 'pg-bench-models-a') });
    servers.push(pgA);
    const pgB = await start({ DATABASE_URL: studyUrl, DATA_DIR: join(tmp, 'pg-bench-models-b') });
    servers.push(pgB);
    const postmaster = await postmasterOf(cluster);
    const signInAll = async (server: Spawned) => {
      const sessions: Session[] = [];
      for (let i = 0; i < study.annotators.length; i++) sessions.push(await signIn(server.base, `annotator${i + 1}`, PASSWORD));
      return sessions;
    };
    // Sessions live in the database: those made through A serve on B too.
    const jsonSessions = await signInAll(json);
    const pgSessions = await signInAll(pgA);
    let turn = 0;
    const tagRequest = (sessions: Session[]) => (request: autocannon.Request) => {
      const session = sessions[turn++ % sessions.length] as Session;
      const article = study.articles[Math.floor(Math.random() * study.articles.length)] ?? study.articles[0];
      if (!article) throw new Error('no article');
      const n = Math.floor(Math.random() * article.words.length);
      const first = Math.floor(Math.random() * (article.words[n] ?? 1));
      const body = new URLSearchParams({ _csrf: session.csrf, first: String(first), last: String(first), category: study.categories[turn % study.categories.length] ?? '', voice: 'author', intensity: '', note: '' });
      return {
        ...request,
        method: 'POST',
        path: `/articles/${article.id}/sentences/${n + 1}/tags`,
        headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
      };
    };
    interface Measured {
      rate: number;
      appCpuMs: number;
      dbCpuMs: number;
      /** Statements run by the database (transactions committed, each statement its own but BEGIN…COMMIT). */
      statements: number;
      loaderCpuMs: number;
      refused: number;
      servers: number;
      /** The slower server's, where there are two. */
      p50: number;
      p99: number;
      /** BENCH_PG_STATEMENTS: the statements that cost the database most, a line each. */
      top: string[];
    }
    // Each session sticks to one server, as the README's proxy set-up routes them (by session cookie).
    const saves = (targets: Spawned[], sessions: Session[], seconds: number) =>
      Promise.all(targets.map((t, i) => load(t.base, CLIENTS / targets.length, seconds, 303, tagRequest(sessions.filter((_, n) => n % targets.length === i)))));
    const measure = async (targets: Spawned[], sessions: Session[], seconds: number): Promise<Measured> => {
      const app = cpuOf(targets.map((t) => t.pid));
      const db = clusterCpuMs(postmaster);
      const committed = await transactionsOf(studyUrl);
      const walBefore = statistics ? await walOf(statistics) : null;
      if (statistics) await statistics.query('SELECT pg_stat_statements_reset()');
      const loader = process.cpuUsage();
      const results = await saves(targets, sessions, seconds);
      const used = process.cpuUsage(loader);
      const ok = results.reduce((n, r) => n + r.ok, 0);
      const top = statistics ? await topStatements(statistics, ok) : [];
      if (statistics && walBefore) {
        const after = await walOf(statistics);
        top.push(
          `WAL ${fmt((after.bytes - walBefore.bytes) / ok)} B a save, ${fmt((after.fpi - walBefore.fpi) / ok, 3)} full-page images a save, ${fmt((after.records - walBefore.records) / ok, 1)} records a save; ` +
            `checkpoints ${after.checkpoints - walBefore.checkpoints}; autovacuum runs ${after.vacuums - walBefore.vacuums}, autoanalyze ${after.analyzes - walBefore.analyzes}`,
        );
      }
      return {
        servers: targets.length,
        p50: Math.max(...results.map((r) => r.p50)),
        p99: Math.max(...results.map((r) => r.p99)),
        top,
        rate: results.reduce((n, r) => n + r.rate, 0),
        appCpuMs: (cpuOf(targets.map((t) => t.pid)) - app) / ok,
        dbCpuMs: (clusterCpuMs(postmaster) - db) / ok,
        statements: ((await transactionsOf(studyUrl)) - committed) / ok,
        loaderCpuMs: (used.user + used.system) / 1000 / ok,
        refused: results.reduce((n, r) => n + Object.values(r.other).reduce((a, b) => a + b, 0) + r.errors + r.timeouts, 0),
      };
    };
    // Each run is measured after WARM_SECONDS of the same load: the first save of an annotation on
    // a server reads it, and the runs before (the other set-up's) changed the annotations its
    // cache holds. Measured in its steady state, not in the other set-up's wake.
    const run = async (targets: Spawned[], sessions: Session[]) => {
      await saves(targets, sessions, WARM_SECONDS);
      return measure(targets, sessions, HTTP_SECONDS);
    };
    const runs = { json: [] as Measured[], one: [] as Measured[], two: [] as Measured[] };
    const line = (m: Measured) =>
      `${fmt(m.rate)}/s (CPU a save: app ${fmt(m.appCpuMs, 2)} ms, database ${fmt(m.dbCpuMs, 2)} ms, load generator ${fmt(m.loaderCpuMs, 2)} ms; ` +
      `${m.statements ? `${fmt(m.statements, 2)} transactions a save` : 'no statements on JSON'}${m.refused ? `; ${m.refused} not 303` : ''}; ` +
      `latency p50 ${fmt(m.p50)} ms, p99 ${fmt(m.p99)} ms${m.servers > 1 ? ', the slower server\'s' : ''})` +
      (m.statements ? m.top.map((t) => `\n                    ${t}`).join('') : '');
    for (let round = 0; round < ROUNDS; round++) {
      runs.json.push(await run([json], jsonSessions));
      runs.one.push(await run([pgA], pgSessions));
      runs.two.push(await run([pgA, pgB], pgSessions));
      const [j, o, t] = [runs.json[round], runs.one[round], runs.two[round]] as Measured[];
      log(`  HTTP round ${round + 1}: JSON folder ${line(j as Measured)}`);
      log(`                PostgreSQL 1 process ${line(o as Measured)}`);
      log(`                PostgreSQL 2 processes ${line(t as Measured)}`);
    }
    const mean = (xs: Measured[]) => xs.reduce((a, m) => a + m.rate, 0) / xs.length;
    const [jsonRate, oneRate, twoRate] = [mean(runs.json), mean(runs.one), mean(runs.two)];
    return [
      {
        figure: `PostgreSQL: tag save POSTs, ${CLIENTS} clients, 1 framelens serve (HTTP, 303s/s)`,
        value: `${fmt(oneRate)}/s`,
        baseline: `${fmt(jsonRate)}/s framelens serve on the JSON folder`,
        ratio: `${fmt(oneRate / jsonRate, 2)}×`,
        target: '≥ 0.7×',
        pass: oneRate / jsonRate >= 0.7,
      },
      {
        figure: `PostgreSQL: tag save POSTs, ${CLIENTS} clients over 2 framelens serve (HTTP, each session on one server)`,
        value: `${fmt(twoRate)}/s`,
        baseline: `${fmt(oneRate)}/s 1 process`,
        ratio: `${fmt(twoRate / oneRate, 2)}×`,
        target: '≥ 1.3× (2 cores shared with the database and the load generator)',
        pass: twoRate / oneRate >= 1.3,
      },
    ];
  } finally {
    for (const server of servers) await stopServer(server);
    await statistics?.end();
  }
}

/** The cluster's WAL written so far, its checkpoints, and the autovacuum runs on this database. */
async function walOf(client: pg.Client): Promise<{ bytes: number; fpi: number; records: number; checkpoints: number; vacuums: number; analyzes: number }> {
  const { rows } = await client.query<{ bytes: string; fpi: string; records: string; checkpoints: string; vacuums: string; analyzes: string }>(
    `SELECT w.wal_bytes::text AS bytes, w.wal_fpi::text AS fpi, w.wal_records::text AS records,
       (SELECT (checkpoints_timed + checkpoints_req)::text FROM pg_stat_bgwriter) AS checkpoints,
       (SELECT sum(autovacuum_count)::text FROM pg_stat_user_tables) AS vacuums,
       (SELECT sum(autoanalyze_count)::text FROM pg_stat_user_tables) AS analyzes
     FROM pg_stat_wal w`,
  );
  const r = rows[0];
  return { bytes: Number(r?.bytes), fpi: Number(r?.fpi), records: Number(r?.records), checkpoints: Number(r?.checkpoints), vacuums: Number(r?.vacuums), analyzes: Number(r?.analyzes) };
}

/** The statements that cost the database most since the last reset, with their cost a save. */
async function topStatements(client: pg.Client, saves: number): Promise<string[]> {
  const { rows } = await client.query<{ query: string; calls: string; total: number; mean: number; plan: number; rows: string }>(
    `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 70) AS query, calls::text, total_exec_time AS total, mean_exec_time AS mean, mean_plan_time AS plan, rows::text
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
       ORDER BY total_exec_time DESC LIMIT 6`,
  );
  return rows.map(
    (r) => `${fmt(r.total / saves, 3)} ms a save · ${fmt(Number(r.calls) / saves, 3)} calls a save · ${fmt(r.mean, 2)} ms a call (+ ${fmt(r.plan, 2)} ms planning) · ${fmt(Number(r.rows) / Math.max(1, Number(r.calls)), 1)} rows a call · ${r.query}`,
  );
}
