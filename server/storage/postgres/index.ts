// PostgreSQL, the shared store for several app servers: the one module that talks to it (`pg`).
export { PostgresDatabase, redactUrl, type PostgresOptions } from './database.js';
export { PostgresAppStore } from './app-store.js';
export { SchemaError, loadMigrations, migrateSchema, MIGRATIONS_DIR, type Migration, type MigrationResult } from './schema.js';

/** Whether a --from/--to or DATABASE_URL names a PostgreSQL database rather than a folder. */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}
export { importStudy, TargetNotEmptyError } from './import-study.js';
