// The storage interface (AppStore) on PostgreSQL, for any number of servers on one database. The
// small documents (the instance, accounts, projects, codebooks, articles, stories, gold) are kept
// in memory and brought up to date by refresh(), which the app runs at the start of every request
// (migration 005's change counters: one statement when nothing changed). Tags are never kept:
// every read of them is a statement or a cursor on the database (database.ts), so a process
// exporting a 200,000-tag study holds one article's tags, or one cursor page, at a time; every
// save goes through the database's save queue. A change is a transaction that locks what it
// changes, then refreshes.
import type pg from 'pg';
import type { Annotation, Article, Codebook } from '../../core/model.js';
import type { AppStore } from '../app-store.js';
import { instanceFile, type InstanceFile, type Project, type ProjectsFile, type UsersFile } from '../schemas.js';
import type { Shard } from '../shard.js';
import { NotFoundError, projectCodebook } from '../store.js';
import { NOT_SEEN, Refresh, moved, readCounters, type Seen } from './changes.js';
import { PostgresGold } from './gold.js';
import { parseArticle, parseCodebookDoc, parseProjects, parseUsers } from './rows.js';
import { PostgresStories } from './stories.js';
import type { PostgresDatabase } from './database.js';

const TABLES = ['instance', 'users', 'projects', 'codebooks', 'articles'] as const;
type Table = (typeof TABLES)[number];

/** A document held in memory, changed through the database (the Shard a route knows). */
class Document<T> implements Shard<T> {
  readonly path: string;
  /** Always in memory (refresh() keeps it current). */
  readonly loaded = true;
  readonly #read: () => T;
  readonly #write: (mutate: (data: T) => void) => Promise<void>;
  readonly #written: () => boolean;

  constructor(path: string, read: () => T, write: (mutate: (data: T) => void) => Promise<void>, written: () => boolean) {
    this.path = path;
    this.#read = read;
    this.#write = write;
    this.#written = written;
  }

  /**
   * Whether the document was ever written, as a file's existence says in the JSON folder: its
   * table's change counter has moved. (So a study whose projects were all deleted does not get
   * the demo again.)
   */
  get exists(): boolean {
    return this.#written();
  }

  get data(): T {
    return this.#read();
  }

  update(mutate: (data: T) => void): Promise<void> {
    return this.#write(mutate);
  }
}

function byCreation(a: Article, b: Article): number {
  return a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);
}

export class PostgresAppStore implements AppStore {
  /** The PostgreSQL layer: its pool, transactions and save queue. */
  readonly study: PostgresDatabase;
  readonly dataDir: string;
  readonly ready: Promise<void> = Promise.resolve();
  readonly instance: Shard<InstanceFile>;
  readonly users: Shard<UsersFile>;
  readonly projects: Shard<ProjectsFile>;
  readonly stories: PostgresStories;
  readonly curation: PostgresGold;
  readonly #shipped: Map<string, Codebook>;
  #instance: InstanceFile = { schemaVersion: 1, data: { sessionSecret: '', createdAt: '' } };
  #accounts: UsersFile = { schemaVersion: 1, data: { users: [], setupTokenHash: null } };
  #projects: ProjectsFile = { schemaVersion: 1, data: { projects: [] } };
  readonly #uploaded = new Map<string, Codebook>();
  readonly #articles = new Map<string, Article>();
  #seen: Record<Table, Seen> = { instance: NOT_SEEN, users: NOT_SEEN, projects: NOT_SEEN, codebooks: NOT_SEEN, articles: NOT_SEEN };
  readonly #refresh = new Refresh(() => this.#read());
  #reads = 0;

  private constructor(study: PostgresDatabase, shipped: Codebook[], dataDir: string, stories: PostgresStories, gold: PostgresGold) {
    this.study = study;
    this.#shipped = new Map(shipped.map((c) => [c.id, c]));
    this.dataDir = dataDir;
    this.stories = stories;
    this.curation = gold;
    this.instance = new Document('postgres:instance', () => this.#instance, (mutate) => this.#changeInstance(mutate), () => this.#seen.instance.version > 0);
    this.users = new Document('postgres:users', () => this.#accounts, (mutate) => this.#changeAccounts(mutate), () => this.#seen.users.version > 0);
    this.projects = new Document('postgres:projects', () => this.#projects, (mutate) => this.#changeProjects(mutate), () => this.#seen.projects.version > 0);
  }

  /**
   * Over an open PostgresDatabase; `dataDir` is this server's own folder for learned suggestion
   * models. Reads every small document once.
   */
  static async open(study: PostgresDatabase, shipped: Codebook[], dataDir: string): Promise<PostgresAppStore> {
    const store = new PostgresAppStore(study, shipped, dataDir, await PostgresStories.open(study), await PostgresGold.open(study));
    await store.refresh();
    return store;
  }

  /** Brings every small document up to date with every change committed before this call, by any server. */
  async refresh(): Promise<void> {
    // One statement when nothing changed (every collection's counters at once), shared with the
    // lessons' check and the requests running beside this one.
    const now = await this.study.changes.read();
    await Promise.all([
      moved(TABLES, this.#seen, now) ? this.#refresh.run() : undefined,
      this.stories.refreshIfMoved(now),
      this.curation.refreshIfMoved(now),
    ]);
  }

  /**
   * Tags change on other servers without telling this one, so a report derived from them is never
   * reused from one read of the version to the next.
   */
  get version(): number {
    return ++this.#reads;
  }

  get #pool(): pg.Pool {
    return this.study.pool;
  }

  async #read(): Promise<void> {
    const now = await readCounters(this.#pool, TABLES);
    if (TABLES.every((t) => now[t].version === this.#seen[t].version)) return;
    await this.study.transaction(async (client) => {
      const counters = await readCounters(client, TABLES);
      const moved = (t: Table) => counters[t].version !== this.#seen[t].version;
      if (moved('instance') || moved('users')) {
        const { rows } = await client.query<{ session_secret: string; created_at: string; setup_token_hash: string | null }>(
          'SELECT session_secret, created_at, setup_token_hash FROM instance',
        );
        const row = rows[0];
        if (!row) throw new Error('the database has no instance row');
        this.#instance = instanceFile.parse({ schemaVersion: 1, data: { sessionSecret: row.session_secret, createdAt: row.created_at } });
        const users = await client.query('SELECT * FROM users ORDER BY position');
        this.#accounts = { schemaVersion: 1, data: { users: parseUsers(users.rows, row.setup_token_hash), setupTokenHash: row.setup_token_hash } };
      }
      if (moved('projects')) {
        const { rows } = await client.query<{ doc: unknown }>('SELECT doc FROM projects ORDER BY position');
        this.#projects = { schemaVersion: 1, data: { projects: parseProjects(rows.map((r) => r.doc)) } };
      }
      if (moved('codebooks')) {
        const { rows } = await client.query<{ doc: unknown }>('SELECT doc FROM codebooks');
        this.#uploaded.clear();
        for (const row of rows) {
          const codebook = parseCodebookDoc(row.doc);
          this.#uploaded.set(codebook.id, codebook);
        }
      }
      if (moved('articles')) {
        // Articles are the largest documents: only those changed are read again.
        if (counters.articles.deletions !== this.#seen.articles.deletions) {
          const { rows } = await client.query<{ id: string }>('SELECT id FROM articles');
          const kept = new Set(rows.map((r) => r.id));
          for (const id of [...this.#articles.keys()]) if (!kept.has(id)) this.#articles.delete(id);
        }
        const { rows } = await client.query('SELECT * FROM articles WHERE changed > $1', [this.#seen.articles.version]);
        for (const row of rows) {
          const article = parseArticle(row);
          this.#articles.set(article.id, article);
        }
      }
      this.#seen = counters;
    }, 'ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  // Documents changed through the database, then read back

  async #changeInstance(mutate: (data: InstanceFile) => void): Promise<void> {
    await this.study.transaction(async (client) => {
      const { rows } = await client.query<{ session_secret: string; created_at: string }>('SELECT session_secret, created_at FROM instance FOR UPDATE');
      const row = rows[0];
      if (!row) throw new Error('the database has no instance row');
      const file = instanceFile.parse({ schemaVersion: 1, data: { sessionSecret: row.session_secret, createdAt: row.created_at } });
      mutate(file);
      const checked = instanceFile.parse(file);
      await client.query('UPDATE instance SET session_secret = $1, created_at = $2', [checked.data.sessionSecret, checked.data.createdAt]);
    });
    await this.refresh();
  }

  async #changeAccounts(mutate: (data: UsersFile) => void): Promise<void> {
    await this.study.updateAccounts((accounts) => {
      const file: UsersFile = { schemaVersion: 1, data: accounts };
      mutate(file);
      accounts.users = file.data.users;
      accounts.setupTokenHash = file.data.setupTokenHash;
    });
    await this.refresh();
  }

  async #changeProjects(mutate: (data: ProjectsFile) => void): Promise<void> {
    await this.study.transaction(async (client) => {
      // Every project is read and may change: no other change to projects runs meanwhile, on any server.
      await client.query('LOCK TABLE projects IN SHARE ROW EXCLUSIVE MODE');
      const { rows } = await client.query<{ doc: unknown }>('SELECT doc FROM projects ORDER BY position');
      const file: ProjectsFile = { schemaVersion: 1, data: { projects: parseProjects(rows.map((r) => r.doc)) } };
      const before = new Map(file.data.projects.map((p) => [p.id, JSON.stringify(p)]));
      mutate(file);
      const after = parseProjects(file.data.projects);
      const kept = new Set(after.map((p) => p.id));
      const gone = [...before.keys()].filter((id) => !kept.has(id));
      if (gone.length > 0) await client.query('DELETE FROM projects WHERE id = ANY($1::text[])', [gone]);
      for (const project of after) {
        const doc = JSON.stringify(project);
        if (before.get(project.id) === doc) continue;
        await client.query('INSERT INTO projects (id, doc) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc', [project.id, doc]);
      }
    });
    await this.refresh();
  }

  // Projects, codebooks, articles

  project(id: string): Project | undefined {
    return this.#projects.data.projects.find((p) => p.id === id);
  }

  async updateProject(id: string, change: (project: Project) => void): Promise<void> {
    await this.study.updateProject(id, change);
    await this.refresh();
  }

  codebook(id: string): Codebook | undefined {
    return this.#shipped.get(id) ?? this.#uploaded.get(id);
  }

  codebooks(): Codebook[] {
    return [...this.#shipped.values(), ...[...this.#uploaded.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))];
  }

  codebookOf(project: { codebookId: string }): Codebook {
    return projectCodebook(project, (id) => this.codebook(id));
  }

  async saveCodebook(codebook: Codebook): Promise<void> {
    await this.study.saveCodebook(codebook);
    await this.refresh();
  }

  article(id: string): Article | undefined {
    return this.#articles.get(id);
  }

  articles(projectId?: string): Article[] {
    return [...this.#articles.values()].filter((a) => projectId === undefined || a.projectId === projectId).sort(byCreation);
  }

  async createArticle(article: Article): Promise<void> {
    await this.study.createArticle(article);
    await this.refresh();
  }

  async updateArticleMetadata(id: string, metadata: Pick<Article, 'title' | 'source' | 'url' | 'publishedAt'>): Promise<void> {
    const { rowCount } = await this.#pool.query('UPDATE articles SET title = $2, source = $3, url = $4, published_at = $5 WHERE id = $1', [
      id,
      metadata.title,
      metadata.source,
      metadata.url,
      metadata.publishedAt,
    ]);
    if (!rowCount) throw new NotFoundError('That article no longer exists.');
    await this.refresh();
  }

  async removeArticle(id: string): Promise<void> {
    const projectId = this.#articles.get(id)?.projectId;
    if (projectId !== undefined) await this.stories.forgetArticle(projectId, id);
    // Its annotations, tags and gold go with it (ON DELETE CASCADE).
    await this.study.removeArticle(id);
    await this.refresh();
  }

  async setupToken(fresh: boolean): Promise<string | null> {
    const token = await this.study.setupToken(fresh);
    await this.refresh();
    return token;
  }

  // Tags: never held, always read where they are

  readAnnotation(articleId: string, annotatorId: string): Promise<Annotation> {
    return this.study.annotation(articleId, annotatorId);
  }

  readAnnotationsBy(annotatorId: string, articleIds: readonly string[]): Promise<Annotation[]> {
    return this.study.annotationsBy(annotatorId, articleIds);
  }

  readAnnotations(articleId: string): Promise<Annotation[]> {
    return this.study.annotations(articleId);
  }

  eachAnnotation(articleIds: readonly string[]): AsyncIterable<Annotation> {
    return this.study.eachAnnotation(articleIds);
  }

  countTags(): Promise<number> {
    return this.study.tagCount();
  }

  updateAnnotation(articleId: string, annotatorId: string, change: (annotation: Annotation) => void): Promise<void> {
    return this.study.updateAnnotation(articleId, annotatorId, change);
  }
}
