// The study a command works on, whichever backend keeps it: PostgreSQL when given a postgres://
// URL (DATABASE_URL, or migrate's --from), else the data folder. A command sees the storage
// interface (AppStore) and the classroom activities beside it, never the backend.
import type { ActivityCollection, AppStore } from '../storage/app-store.js';

export interface OpenedStudy {
  store: AppStore;
  /**
   * The study's classroom activities, opened when asked. A folder's are opened as a server opens
   * them (stale temporary files removed): ask only while holding the folder's lock.
   */
  activities(): Promise<ActivityCollection>;
  /**
   * Whether a change was committed since the study was opened (a database may be served
   * meanwhile). A folder says no: it is read under its lock, or beside a server it cannot see.
   */
  changedSinceOpened(): Promise<boolean>;
  close(): Promise<void>;
}

export interface StudyLocation {
  /** A postgres:// URL: the study is in that database. */
  url?: string | undefined;
  /** The data folder: the study's, or with `url` this process's own (learned suggestion models). */
  dataDir: string;
  /**
   * The folder is only read, safe beside a running server (no demo, no clean-up, no writes). The
   * caller of a writable folder holds its lock.
   */
  readOnly?: boolean;
}

/** Opens the study, its tags loaded (a database's are read where they are). */
export async function openStudy(at: StudyLocation): Promise<OpenedStudy> {
  if (at.url !== undefined) return openDatabase(at.url, at.dataDir);
  const { openData, readData } = await import('./serve.js');
  const store = at.readOnly ? await readData(at.dataDir) : await openData(at.dataDir);
  return {
    store,
    activities: async () => {
      const { ActivityStore } = await import('../storage/activities.js');
      return ActivityStore.open(at.dataDir);
    },
    changedSinceOpened: async () => false,
    close: () => store.close(),
  };
}

async function openDatabase(url: string, dataDir: string): Promise<OpenedStudy> {
  const [{ PostgresDatabase, PostgresAppStore, isPostgresUrl }, { PostgresActivities }, { loadShippedCodebooks }] = await Promise.all([
    import('../storage/postgres/index.js'),
    import('../storage/postgres/activities.js'),
    import('../storage/shipped-codebooks.js'),
  ]);
  if (!isPostgresUrl(url)) throw new Error('DATABASE_URL must be a postgres:// URL');
  const shipped = await loadShippedCodebooks();
  const database = await PostgresDatabase.open(url, shipped, { max: 2 });
  try {
    const opened = await database.fingerprint();
    const store = await PostgresAppStore.open(database, shipped, dataDir);
    return {
      store,
      activities: () => PostgresActivities.open(database),
      changedSinceOpened: async () => (await database.fingerprint()) !== opened,
      close: () => database.close(),
    };
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
}
