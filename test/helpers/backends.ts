// The same storage cases on both backends: a collection opened in a JSON data folder, and opened on
// a PostgreSQL database (each open on a store of its own, as each server has), PostgreSQL skipped
// when the run has none.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe } from 'vitest';
import type { Codebook } from '../../server/core/model.js';
import { PostgresDatabase } from '../../server/storage/postgres/index.js';
import { createDatabase, postgresUrl } from './postgres.js';

const SLOW = 120_000;

export interface Backend<T> {
  /** The collection opened (once more, on the same data: one more server). */
  open(): Promise<T>;
  /** Closes what was opened and opens the same data again, as after a restart. */
  reopen(): Promise<T>;
  /** Closes what was opened and removes the data. */
  close(): Promise<void>;
}

/** The collection in a new data folder; `close`, where given, closes an opened collection. */
export async function jsonFolderBackend<T>(prefix: string, open: (dir: string) => Promise<T>, close?: (collection: T) => Promise<void>): Promise<Backend<T>> {
  const dir = await mkdtemp(join(tmpdir(), `framelens-${prefix}-`));
  const opened: T[] = [];
  const closeAll = async () => {
    for (const collection of opened.splice(0)) await close?.(collection);
  };
  const openOne = async () => {
    const collection = await open(dir);
    opened.push(collection);
    return collection;
  };
  return backend(openOne, closeAll, () => rm(dir, { recursive: true, force: true }));
}

/**
 * The collection on a new database, its stores given the `shipped` codebooks; `open` is told
 * whether its store is the first ever opened on the database. `opened` lists what is open.
 */
export async function postgresBackend<T>(
  prefix: string,
  open: (store: PostgresDatabase, first: boolean) => Promise<T>,
  shipped: Codebook[] = [],
): Promise<Backend<T> & { opened: T[] }> {
  const database = await createDatabase(prefix);
  const stores: PostgresDatabase[] = [];
  const opened: T[] = [];
  let first = true;
  const closeAll = async () => {
    opened.length = 0;
    for (const store of stores.splice(0)) await store.close();
  };
  const openOne = async () => {
    const store = await PostgresDatabase.open(database.url, shipped, { max: 4 });
    stores.push(store);
    const collection = await open(store, first);
    first = false;
    opened.push(collection);
    return collection;
  };
  return { opened, ...backend(openOne, closeAll, () => database.drop()) };
}

/** A backend from how it opens one more collection, closes all it opened, and removes its data. */
function backend<T>(open: () => Promise<T>, closeAll: () => Promise<void>, remove: () => Promise<void>): Backend<T> {
  return {
    open,
    reopen: async () => {
      await closeAll();
      return open();
    },
    close: async () => {
      await closeAll();
      await remove();
    },
  };
}

/**
 * `describe(title on backend)` for each backend, each test on a backend made for it and opened
 * once; `cases` registers the tests, reading the opened collection with `opened()` and restarting
 * it with `reopen()` (after which `opened()` is the reopened one).
 */
export function onEachBackend<T>(
  title: string,
  backends: { jsonFolder: () => Promise<Backend<T>>; postgres: () => Promise<Backend<T>> },
  cases: (opened: () => T, reopen: () => Promise<T>) => void,
): void {
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
      cases(
        () => collection,
        async () => {
          collection = await backend.reopen();
          return collection;
        },
      );
    });
  }
}
