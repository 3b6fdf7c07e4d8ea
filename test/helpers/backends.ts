// The same storage cases on both backends: a collection opened in a JSON data folder, and opened on
// a PostgreSQL database (each open on a store of its own, as each server has), PostgreSQL skipped
// when the run has none.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe } from 'vitest';
import { PostgresDatabase } from '../../server/storage/postgres/index.js';
import { createDatabase, postgresUrl } from './postgres.js';

const SLOW = 120_000;

export interface Backend<T> {
  /** The collection opened (once more, on the same data: one more server). */
  open(): Promise<T>;
  /** Closes what was opened and removes the data. */
  close(): Promise<void>;
}

/** The collection in a new data folder. */
export async function jsonFolderBackend<T>(prefix: string, open: (dir: string) => Promise<T>): Promise<Backend<T>> {
  const dir = await mkdtemp(join(tmpdir(), `framelens-${prefix}-`));
  return { open: () => open(dir), close: () => rm(dir, { recursive: true, force: true }) };
}

/** The collection on a new database; `open` is told whether its store is the database's first. `opened` lists what was opened. */
export async function postgresBackend<T>(prefix: string, open: (store: PostgresDatabase, first: boolean) => Promise<T>): Promise<Backend<T> & { opened: T[] }> {
  const database = await createDatabase(prefix);
  const stores: PostgresDatabase[] = [];
  const opened: T[] = [];
  return {
    opened,
    open: async () => {
      const store = await PostgresDatabase.open(database.url, [], { max: 4 });
      stores.push(store);
      const collection = await open(store, stores.length === 1);
      opened.push(collection);
      return collection;
    },
    close: async () => {
      for (const store of stores) await store.close();
      await database.drop();
    },
  };
}

/**
 * `describe(title on backend)` for each backend, each test on a backend made for it and opened
 * once; `cases` registers the tests, reading the opened collection with `opened()`.
 */
export function onEachBackend<T>(title: string, backends: { jsonFolder: () => Promise<Backend<T>>; postgres: () => Promise<Backend<T>> }, cases: (opened: () => T) => void): void {
  const each: [string, () => Promise<Backend<T>>, boolean][] = [
    ['the JSON folder', backends.jsonFolder, true],
    ['PostgreSQL', backends.postgres, postgresUrl !== null],
  ];
  for (const [name, make, available] of each) {
    describe.skipIf(!available)(`${title} on ${name}`, () => {
      let backend: Backend<T>;
      let collection: T;
      beforeEach(async () => {
        backend = await make();
        collection = await backend.open();
      }, SLOW);
      afterEach(async () => {
        await backend.close();
      }, SLOW);
      cases(() => collection);
    });
  }
}
