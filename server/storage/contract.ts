// The storage contract a study's data is kept under, whichever backend keeps it: the JSON folder
// (json-folder.ts, the embedded default) or PostgreSQL (postgres/). Asynchronous throughout,
// since a database answers over a socket; every change is a synchronous callback applied inside
// one transaction (or one queued save), and a promise resolves only once the change is stored.
import type { Annotation, Article, Codebook } from '../core/model.js';
import type { Project, User } from './schemas.js';

/** The secret signing sessions and deriving pseudonyms, made once per instance. */
export interface Instance {
  sessionSecret: string;
  createdAt: string;
}

/** Every account, and the one-time set-up token's hash while no account exists. */
export interface Accounts {
  users: User[];
  setupTokenHash: string | null;
}

export type Backend = 'json-folder' | 'postgres';

/** How one category was tagged over some articles (the figures of a summary's row). */
export interface CategoryCounts {
  tags: number;
  articles: number;
  annotators: number;
  /** Distinct (article, sentence) pairs with such a tag. */
  sentences: number;
}

/** Narrows counts to one article or one annotator (as core/summary.ts's SummaryFilter). */
export interface CountFilter {
  articleId?: string | undefined;
  annotatorId?: string | undefined;
}

export interface StudyStore {
  readonly backend: Backend;

  instance(): Promise<Instance>;

  accounts(): Promise<Accounts>;
  user(id: string): Promise<User | undefined>;
  /**
   * Changes the accounts as one: `change` sees every account (names must stay unique), may throw
   * to refuse (nothing is stored), and runs alone among account changes of every process.
   */
  updateAccounts(change: (accounts: Accounts) => void): Promise<void>;

  projects(): Promise<Project[]>;
  project(id: string): Promise<Project | undefined>;
  /** Stores a new project; an id in use is refused. */
  addProject(project: Project): Promise<void>;
  /** Changes one project (NotFoundError when it is gone); balanced assignment is kept current. */
  updateProject(id: string, change: (project: Project) => void): Promise<void>;

  /** Shipped and uploaded codebooks. */
  codebooks(): Promise<Codebook[]>;
  codebook(id: string): Promise<Codebook | undefined>;
  /** Stores an uploaded codebook; an id in use (shipped ones included) is refused. */
  saveCodebook(codebook: Codebook): Promise<void>;

  article(id: string): Promise<Article | undefined>;
  /** In the order they were created (then by id). */
  articles(projectId?: string): Promise<Article[]>;
  createArticle(article: Article): Promise<void>;
  /** Removes the article and every annotator's tags on it. */
  removeArticle(id: string): Promise<void>;

  /** One annotator's tags and reviewed sentences on one article (empty before their first save). */
  annotation(articleId: string, annotatorId: string): Promise<Annotation>;
  /** Every annotator's annotation of one article. */
  annotations(articleId: string): Promise<Annotation[]>;
  /**
   * Applies `change` to one annotator's annotation and stamps its updatedAt; resolves once stored.
   * Concurrent changes, from any process, are applied one after the other: none is lost. If
   * `change` throws, nothing is stored. NotFoundError when the article is gone. `change` may run
   * more than once (PostgreSQL runs it again on the latest annotation when another save came
   * first), and only its last run counts: it changes nothing but the annotation it is given.
   */
  updateAnnotation(articleId: string, annotatorId: string, change: (annotation: Annotation) => void): Promise<void>;
  /** How many tags are stored, over every article and annotator. */
  tagCount(): Promise<number>;

  /**
   * Per category, over the tags of `articleIds` (narrowed by `filter`): counted where the tags
   * are (PostgreSQL: one aggregate query), so no process holds every tag to count them.
   */
  categoryCounts(articleIds: readonly string[], filter?: CountFilter): Promise<Map<string, CategoryCounts>>;
  /**
   * Every annotation of `articleIds`, one at a time: article by article in the order given, then
   * by annotator id. PostgreSQL reads them through a cursor in one snapshot, a page at a time, so
   * an export or an agreement report holds one page of tags in memory, not the study's.
   */
  eachAnnotation(articleIds: readonly string[]): AsyncIterable<Annotation>;

  close(): Promise<void>;
}
