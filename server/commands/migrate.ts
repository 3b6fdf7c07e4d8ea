// `framelens migrate --from DATA_DIR --to postgres://…` (and back): copies a study between the JSON
// folder and PostgreSQL, verifies every count and every tag's checksum, and says what it moved.
// The source is read through the storage interface (AppStore), whichever backend it is. The
// target must hold no study; a failure part-way leaves it as it was: into PostgreSQL, one
// transaction under the app store's (whose changes are a transaction each); into a folder, a new
// folder written through the folder's store appears by a rename only once read back and verified.
import { readdir, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { LockError, lockDataDir } from '../storage/lock.js';
import { differences, readStudy, summarise, writeStudyToFolder, type Study, type StudySummary } from '../storage/study-copy.js';
import type { IO } from './io.js';
import { openStudy, type StudyLocation } from './open-study.js';

const USAGE = `usage: framelens migrate --from DATA_DIR --to postgres://USER@HOST:PORT/DATABASE
       framelens migrate --from postgres://USER@HOST:PORT/DATABASE --to NEW_DIR
`;

async function entries(dir: string): Promise<string[] | null> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return null;
    throw error;
  }
}

async function shippedCodebooks() {
  const { loadShippedCodebooks } = await import('../storage/shipped-codebooks.js');
  return loadShippedCodebooks();
}

/** Every shipped codebook's id: they come with Framelens and are not copied. */
async function shippedIds(): Promise<Set<string>> {
  return new Set((await shippedCodebooks()).map((c) => c.id));
}

/** How often a database source is read again when servers saved into it during the read. */
const READ_ATTEMPTS = 3;

/**
 * Reads a study, classroom activities included. A source folder is locked meanwhile (`lock`), so
 * no server runs on it. A database may be served meanwhile, and is read in several statements: a
 * read during which a change was committed is read again, so the copy is the study of one moment.
 */
async function readFrom(at: StudyLocation, lock: boolean): Promise<Study> {
  if (at.url === undefined) {
    if ((await entries(at.dataDir)) === null) throw new Error(`there is no data folder at ${at.dataDir}`);
    if (lock) await lockDataDir(at.dataDir);
  }
  for (let attempt = 1; ; attempt++) {
    const study = await openStudy({ ...at, readOnly: true });
    try {
      const read = await readStudy(study.store, await shippedIds(), await study.activities());
      if (!(await study.changedSinceOpened())) return read;
    } finally {
      await study.close();
    }
    if (attempt === READ_ATTEMPTS) {
      throw new Error(`the study changed while it was read, ${READ_ATTEMPTS} times over: servers are saving into it. Stop them (or wait for a quiet moment) and run migrate again`);
    }
  }
}

/** Writes a new folder beside `dir`, reads it back, and renames it to `dir` once it matches. */
async function writeFolder(dir: string, study: Study, expected: StudySummary): Promise<StudySummary> {
  const existing = await entries(dir);
  if (existing !== null && existing.length > 0) throw new Error(`${dir} is not empty; migrate copies into a new (or empty) folder only`);
  const [{ Store }, { ActivityStore }] = await Promise.all([import('../storage/store.js'), import('../storage/activities.js')]);
  const shipped = await shippedCodebooks();
  const building = join(dirname(dir), `.${basename(dir)}.migrating-${process.pid}`);
  await rm(building, { recursive: true, force: true });
  try {
    const store = await Store.open(building, shipped);
    await store.ready;
    try {
      await writeStudyToFolder(store, study, await ActivityStore.open(building));
    } finally {
      await store.close();
    }
    const copied = summarise(await readFrom({ dataDir: building }, false));
    const problems = differences(expected, copied);
    if (problems.length > 0) throw new Error(`the copy does not match the source, nothing was written to ${dir}: ${problems.join('; ')}`);
    if (existing !== null) await rmdir(dir);
    await rename(building, dir);
    return copied;
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    throw error;
  }
}

function report(io: IO, from: string, to: string, summary: StudySummary): void {
  const { counts } = summary;
  const rows: [string, number, string][] = [
    ['accounts', counts.accounts, ''],
    ['projects', counts.projects, ''],
    ['codebooks', counts.codebooks, 'uploaded (the shipped ones come with Framelens)'],
    ['articles', counts.articles, ''],
    ['annotations', counts.annotations, "an annotator's work on an article"],
    ['tags', counts.tags, ''],
    ['reviewed', counts.reviewed, 'sentences marked reviewed'],
    ['stories', counts.stories, 'articles of a project that tell one event, with their alignment edits'],
    ['gold', counts.gold, 'articles with a curated gold standard'],
    ['activities', counts.activities, 'classroom activities'],
    ['students', counts.students, 'their students, with their tags'],
  ];
  io.stdout.write(`Copied the study from ${from} to ${to}:\n`);
  for (const [what, n, note] of rows) io.stdout.write(`  ${what.padEnd(12)}${String(n).padStart(9)}${note ? `  ${note}` : ''}\n`);
  io.stdout.write(`Verified: every count matches, and each of the ${counts.tags} tags has the same sha256 checksum at both ends.\n`);
  io.stdout.write(`Study checksum: ${summary.checksum}\n`);
}

export async function migrateCommand(args: string[], io: IO): Promise<number> {
  let values: { from?: string; to?: string };
  try {
    ({ values } = parseArgs({ args, options: { from: { type: 'string' }, to: { type: 'string' } } }));
  } catch (error) {
    io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const { from, to } = values;
  const { PostgresDatabase, importStudy, isPostgresUrl, redactUrl } = await import('../storage/postgres/index.js');
  if (!from || !to || isPostgresUrl(from) === isPostgresUrl(to)) {
    io.stderr.write(`${from && to ? 'one of --from and --to is a data folder, the other a postgres:// URL\n' : ''}${USAGE}`);
    return 2;
  }
  try {
    if (isPostgresUrl(to)) {
      const dir = resolve(from);
      const study = await readFrom({ dataDir: dir }, true);
      const expected = summarise(study);
      const store = await PostgresDatabase.open(to, await shippedCodebooks(), { max: 2 });
      try {
        report(io, dir, redactUrl(to), await importStudy(store, study, expected));
      } finally {
        await store.close();
      }
      io.stdout.write('Not copied: browser sessions (everyone signs in again) and learned suggestion models (trained again).\n');
    } else {
      const dir = resolve(to);
      // The server's own folder, which a database's study never writes to while it is read.
      const study = await readFrom({ url: from, dataDir: loadConfig(process.env).dataDir }, false);
      const expected = summarise(study);
      report(io, redactUrl(from), dir, await writeFolder(dir, study, expected));
    }
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`framelens migrate: ${message}\n${error instanceof LockError ? '' : 'Nothing was changed at the target.\n'}`);
    return 1;
  }
}
