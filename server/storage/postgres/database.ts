// The PostgreSQL layer under PostgresAppStore (app-store.ts, the app's storage interface on a
// database): the connection pool, the schema brought up to date at open, transactions, the save
// queue, and the statements the app store's changes and tag reads run. Nothing of the study is
// kept here: every answer is read from the database, so any number of servers share one study
// and a save through one is seen by the next request to any other. Every change is one
// transaction that locks the rows it reads before changing them (accounts: the instance row; a
// project: its row), so concurrent changes from any process are applied one after the other, and
// a promise resolves only after COMMIT. Tag saves, the bulk of the writes, are written in groups
// (saves.ts).
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { emptyAnnotation, type Annotation, type Article, type Codebook } from '../../core/model.js';
import { RuleError } from '../../core/spans.js';
import type { Accounts, Project, User } from '../schemas.js';
import { NotFoundError, rebalance } from '../store.js';
import { loadMigrations, migrateSchema, type MigrationResult } from './schema.js';
import { USER_COLUMNS, annotationsQuery, articleColumns, parseAnnotation, parseArticle, parseCodebookDoc, parseProjects, parseUsers, userColumns } from './rows.js';
import { Batched } from './batch.js';
import { Counters } from './changes.js';
import { SaveQueue } from './saves.js';
import { requestReads, type RequestReads } from './request-reads.js';

/** PostgreSQL's error codes the store answers in the app's terms. */
const UNIQUE_VIOLATION = '23505';

function codeOf(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

/** Articles in the order the JSON folder lists them (JavaScript's comparison, not the database's collation). */
function byCreation(a: Article, b: Article): number {
  return a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);
}

const ARTICLES_ANNOTATIONS = annotationsQuery('a.article_id = ANY($1::text[])');


function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A postgres:// URL with its password hidden, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}

export interface PostgresOptions {
  /** Connections in the pool (default 10). */
  max?: number;
}

export class PostgresDatabase {
  readonly pool: pg.Pool;
  readonly #shipped: Map<string, Codebook>;
  /** What opening did to the schema. */
  readonly schema: MigrationResult;

  /** Every table's change counters, one statement for the requests that ask at once (changes.ts). */
  readonly changes: Counters;
  readonly #saves: SaveQueue;
  /**
   * Every sentence page, and every save (which answers with its sentence), reads its article's
   * annotations: those asked at once are read by one statement. Callers of one article share the
   * annotations read, which they only read (as the JSON folder's callers share its own).
   */
  readonly #articleReads: Batched<string, Annotation[]>;
  /**
   * One annotator's annotation of an article (what a save's request reads) is read by the
   * statement that reads the requests' sessions and change counters (request-reads.ts).
   */
  readonly #reads: RequestReads;

  private constructor(pool: pg.Pool, shipped: Codebook[], schema: MigrationResult) {
    this.pool = pool;
    this.changes = new Counters(pool);
    this.#articleReads = new Batched(async (articleIds) => {
      const { rows } = await pool.query({ name: 'framelens-annotations', text: ARTICLES_ANNOTATIONS, values: [articleIds] });
      const read = new Map<string, Annotation[]>();
      for (const annotation of rows.map(parseAnnotation)) {
        const list = read.get(annotation.articleId);
        if (list) list.push(annotation);
        else read.set(annotation.articleId, [annotation]);
      }
      return read;
    });
    this.#saves = new SaveQueue(pool, (work) => this.transaction(work));
    // Read as the save queue knows them: an annotation it wrote (or read) last comes back without its tags.
    this.#reads = requestReads(pool);
    this.#reads.serveAnnotations(this.#saves);
    this.#shipped = new Map(shipped.map((c) => [c.id, c]));
    this.schema = schema;
  }

  /**
   * Connects, brings the schema up to date (under the migration lock) and makes the instance's
   * secret on first use. Throws SchemaError when the database is newer than this code.
   */
  static async open(url: string, shippedCodebooks: Codebook[], options: PostgresOptions = {}): Promise<PostgresDatabase> {
    const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, application_name: 'framelens' });
    // An idle connection the server drops (a restart) must not crash the process; the pool replaces it.
    pool.on('error', () => {});
    try {
      const migrations = await loadMigrations();
      const schema = await migrateSchema(pool, migrations);
      const secret = randomBytes(32).toString('hex');
      // Only when there is none: an insert that conflicts still fires the change-counter trigger
      // (BEFORE INSERT), which would make every running server read the accounts again.
      await pool.query('INSERT INTO instance (session_secret, created_at) SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM instance) ON CONFLICT DO NOTHING', [
        secret,
        new Date().toISOString(),
      ]);
      return new PostgresDatabase(pool, shippedCodebooks, schema);
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
  }

  /** Runs `work` in one transaction on one connection; resolves after COMMIT. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>, mode = ''): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(`BEGIN ${mode}`);
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollback: unknown) => {
          broken = rollback instanceof Error ? rollback : new Error(String(rollback));
        });
        throw error;
      }
    } finally {
      client.release(broken);
    }
  }

  async #accounts(client: pg.Pool | pg.PoolClient, lock = false): Promise<Accounts> {
    // The lock first, on its own: a statement that waits for a row lock sees the other tables as
    // they were when it began, so reading the users in the locking statement missed the accounts
    // the transaction it waited for had just committed (two set-ups through two servers at once
    // both made an administrator). Under READ COMMITTED the next statement sees them.
    if (lock) await client.query('SELECT 1 FROM instance FOR UPDATE');
    // One statement: the users and the set-up token of one moment.
    const { rows } = await client.query(
      `SELECT i.setup_token_hash, coalesce((SELECT json_agg(u ORDER BY u.position) FROM users u), '[]'::json) AS users
       FROM instance i`,
    );
    const row: unknown = rows[0];
    const setupTokenHash = row && typeof row === 'object' && 'setup_token_hash' in row && typeof row.setup_token_hash === 'string' ? row.setup_token_hash : null;
    const users = row && typeof row === 'object' && 'users' in row && Array.isArray(row.users) ? row.users : [];
    return { users: parseUsers(users, setupTokenHash), setupTokenHash };
  }

  async updateAccounts(change: (accounts: Accounts) => void): Promise<void> {
    await this.transaction(async (client) => {
      // The instance row is the accounts' lock: account changes run one at a time across servers.
      const before = await this.#accounts(client, true);
      const after = structuredClone(before);
      change(after);
      const checked = parseUsers(after.users.map((u, i) => userRowOf(u, i)), after.setupTokenHash);
      const kept = new Set(checked.map((u) => u.id));
      const gone = before.users.filter((u) => !kept.has(u.id)).map((u) => u.id);
      if (gone.length > 0) await client.query('DELETE FROM users WHERE id = ANY($1::text[])', [gone]);
      const old = new Map(before.users.map((u, i) => [u.id, JSON.stringify(userColumns(u, i))]));
      for (const [i, user] of checked.entries()) {
        const columns = userColumns(user, i);
        if (old.get(user.id) === JSON.stringify(columns)) continue;
        await client.query(
          `INSERT INTO users (${USER_COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (id) DO UPDATE SET position = excluded.position, name = excluded.name, role = excluded.role,
             password_hash = excluded.password_hash, created_at = excluded.created_at,
             reset_token_hash = excluded.reset_token_hash, reset_token_expires_at = excluded.reset_token_expires_at,
             admin = excluded.admin, deactivated_at = excluded.deactivated_at, last_sign_in_at = excluded.last_sign_in_at`,
          columns,
        );
      }
      // A token set here is known only by its hash: the shared one (setupToken) is forgotten.
      if (after.setupTokenHash !== before.setupTokenHash) await client.query('UPDATE instance SET setup_token_hash = $1, setup_token = NULL', [after.setupTokenHash]);
    });
  }

  /**
   * The set-up link's token while no account administers the others (null once one does): the
   * one every server shares while it is unused, or with `fresh` a new one (earlier links stop
   * working). Under the accounts' lock, so servers starting together print the same link.
   */
  async setupToken(fresh: boolean): Promise<string | null> {
    return this.transaction(async (client) => {
      const accounts = await this.#accounts(client, true);
      if (accounts.users.some((u) => u.admin === true)) return null;
      const { rows } = await client.query<{ setup_token: string | null }>('SELECT setup_token FROM instance');
      const shared = rows[0]?.setup_token ?? null;
      if (!fresh && shared !== null && accounts.setupTokenHash === sha256(shared)) return shared;
      const token = randomBytes(24).toString('base64url');
      await client.query('UPDATE instance SET setup_token_hash = $1, setup_token = $2', [sha256(token), token]);
      return token;
    });
  }

  async updateProject(id: string, change: (project: Project) => void): Promise<void> {
    await this.transaction(async (client) => {
      const { rows } = await client.query<{ doc: unknown }>('SELECT doc FROM projects WHERE id = $1 FOR UPDATE', [id]);
      const [project] = parseProjects(rows.map((r) => r.doc));
      if (!project) throw new NotFoundError('That project no longer exists.');
      change(project);
      if (project.assignment.mode === 'balanced') {
        const articles = await this.#articles(client, id);
        rebalance(project, () => articles.map((a) => a.id));
      }
      const [checked] = parseProjects([project]);
      await client.query('UPDATE projects SET doc = $2 WHERE id = $1', [id, JSON.stringify(checked)]);
    });
  }

  async saveCodebook(codebook: Codebook): Promise<void> {
    const refused = new RuleError(`A codebook with the id "${codebook.id}" exists already; choose another id.`);
    if (this.#shipped.has(codebook.id)) throw refused;
    // Stored as the JSON folder stores it: the uploaded file, schemaVersion included.
    const checked = { schemaVersion: 1, ...parseCodebookDoc({ schemaVersion: 1, ...codebook }) };
    try {
      await this.pool.query('INSERT INTO codebooks (id, doc) VALUES ($1, $2)', [checked.id, JSON.stringify(checked)]);
    } catch (error) {
      throw codeOf(error) === UNIQUE_VIOLATION ? refused : error;
    }
  }

  async #articles(client: pg.Pool | pg.PoolClient, projectId?: string): Promise<Article[]> {
    const { rows } =
      projectId === undefined
        ? await client.query('SELECT * FROM articles')
        : await client.query('SELECT * FROM articles WHERE project_id = $1', [projectId]);
    return rows.map(parseArticle).sort(byCreation);
  }

  async createArticle(article: Article): Promise<void> {
    const checked = parseArticle(articleRowOf(article));
    try {
      await this.pool.query(
        'INSERT INTO articles (id, project_id, title, source, url, published_at, text, sentences, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
        articleColumns(checked),
      );
    } catch (error) {
      if (codeOf(error) === UNIQUE_VIOLATION) throw new RuleError(`An article with the id "${article.id}" exists already.`);
      throw error;
    }
  }

  async removeArticle(id: string): Promise<void> {
    // Its annotations and tags go with it (ON DELETE CASCADE); a save under way finishes first
    // (it holds a key-share lock on the article's row) and one starting after finds no article.
    await this.pool.query('DELETE FROM articles WHERE id = $1', [id]);
  }

  async annotation(articleId: string, annotatorId: string): Promise<Annotation> {
    return (await this.#reads.annotation(articleId, annotatorId)) ?? emptyAnnotation(articleId, annotatorId);
  }

  async annotations(articleId: string): Promise<Annotation[]> {
    return (await this.#articleReads.get(articleId)) ?? [];
  }

  /** One annotator's annotations of `articleIds`, in that order (empty where none is stored): one statement. */
  async annotationsBy(annotatorId: string, articleIds: readonly string[]): Promise<Annotation[]> {
    const { rows } = await this.pool.query(ANNOTATIONS_BY, [annotatorId, articleIds]);
    const found = new Map(rows.map(parseAnnotation).map((a) => [a.articleId, a]));
    return articleIds.map((id) => found.get(id) ?? emptyAnnotation(id, annotatorId));
  }

  async updateAnnotation(articleId: string, annotatorId: string, change: (annotation: Annotation) => void): Promise<void> {
    await this.#saves.save(articleId, annotatorId, change);
  }

  async tagCount(): Promise<number> {
    const { rows } = await this.pool.query<{ count: number }>('SELECT count(*)::int AS count FROM tags');
    return rows[0]?.count ?? 0;
  }

  async *eachAnnotation(articleIds: readonly string[]): AsyncIterable<Annotation> {
    // A cursor in a read-only snapshot: the process holds one page of annotations at a time.
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(`DECLARE framelens_annotations NO SCROLL CURSOR FOR ${EACH_ANNOTATION}`, [articleIds]);
      for (;;) {
        const { rows } = await client.query(`FETCH ${CURSOR_PAGE} FROM framelens_annotations`);
        for (const row of rows) yield parseAnnotation(row);
        if (rows.length < CURSOR_PAGE) break;
      }
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      // Also when the caller stops early: the snapshot and the cursor end here.
      if (!broken) await client.query('ROLLBACK').catch((e: unknown) => (broken = e instanceof Error ? e : new Error(String(e))));
      client.release(broken);
    }
  }

  /**
   * A value that changes with every committed change to the study: each table's change counters,
   * and the annotations' count and version sum (every save draws a new version from a sequence).
   */
  async fingerprint(): Promise<string> {
    const { rows } = await this.pool.query<{ fingerprint: string }>(
      `SELECT (SELECT string_agg(name || ':' || version || ':' || deletions, ',' ORDER BY name) FROM framelens_changes)
        || '/' || (SELECT count(*) || ':' || coalesce(sum(version), 0) FROM annotations) AS fingerprint`,
    );
    return rows[0]?.fingerprint ?? '';
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

const ANNOTATIONS_BY = annotationsQuery('a.annotator_id = $1 AND a.article_id = ANY($2::text[])');

/** Annotations a cursor page holds (each with its tags). */
const CURSOR_PAGE = 200;

/** The annotations of the articles $1, article by article in the order given, then by annotator. */
const EACH_ANNOTATION = annotationsQuery('a.article_id = ANY($1::text[])', 'array_position($1::text[], a.article_id), a.annotator_id COLLATE "C"');

/** A user as the row parseUsers reads, to validate a changed account the way it is read back. */
function userRowOf(user: User, position: number): Record<string, unknown> {
  return {
    id: user.id,
    position,
    name: user.name,
    role: user.role,
    password_hash: user.passwordHash,
    created_at: user.createdAt,
    reset_token_hash: user.resetToken?.hash ?? null,
    reset_token_expires_at: user.resetToken?.expiresAt ?? null,
    admin: user.admin ?? null,
    deactivated_at: user.deactivatedAt ?? null,
    last_sign_in_at: user.lastSignInAt ?? null,
  };
}

function articleRowOf(a: Article): Record<string, unknown> {
  return {
    id: a.id,
    project_id: a.projectId,
    title: a.title,
    source: a.source,
    url: a.url,
    published_at: a.publishedAt,
    text: a.text,
    sentences: a.sentences,
    created_at: a.createdAt,
    created_by: a.createdBy,
  };
}
