// What the routes, exports, accounts and the demo read and write: one interface, whichever backend
// keeps the study. The small documents (the instance, accounts, projects, codebooks, articles,
// stories, gold) are read synchronously, as a backend holds them in memory; tags never are: a
// backend may hold far more tags than a process should, so every read of tags is asynchronous
// (the JSON folder answers from memory at once; a database from its rows).
import type { Annotation, Article, Codebook } from '../core/model.js';
import type { Gold } from '../core/curation/gold.js';
import type { CategoryCounts, CountFilter } from './contract.js';
import type { GoldFiles } from './gold-files.js';
import type { InstanceFile, Project, ProjectsFile, UsersFile } from './schemas.js';
import type { Shard } from './shard.js';
import type { StoryStore } from './stories.js';

/** Curated gold as read: each article's gold standard. */
export interface GoldReader {
  /** Goes up with every change to gold. */
  readonly version: number;
  /** The article's gold as stored, or an empty one (nothing curated yet). Read only. */
  gold(articleId: string): Gold;
  /** Whether anything was ever stored for the article. */
  has(articleId: string): boolean;
}

/**
 * What exports, summaries and reports read: the study's small documents and its tags. A command
 * reading a study (an export) needs no more, whichever backend holds it.
 */
export interface StudyReader {
  readonly instance: { readonly data: InstanceFile };
  readonly users: { readonly data: UsersFile };
  readonly projects: { readonly data: ProjectsFile };
  readonly curation: GoldReader;
  /** Goes up with every change to articles or tags, so derived reports can be cached. */
  readonly version: number;

  project(id: string): Project | undefined;
  codebook(id: string): Codebook | undefined;
  codebooks(): Codebook[];
  /** The codebook a project (or activity) uses; the default one if its own is gone. */
  codebookOf(project: { codebookId: string }): Codebook;
  article(id: string): Article | undefined;
  articles(projectId?: string): Article[];

  /** One annotator's tags and reviewed sentences on one article (empty before their first save). Read only. */
  readAnnotation(articleId: string, annotatorId: string): Promise<Annotation>;
  /** One annotator's annotations of `articleIds`, in that order (empty ones where they saved nothing). Read only. */
  readAnnotationsBy(annotatorId: string, articleIds: readonly string[]): Promise<Annotation[]>;
  /** Every annotator's annotation of one article. Read only. */
  readAnnotations(articleId: string): Promise<Annotation[]>;
  /**
   * Every annotation of `articleIds`, article by article in the order given, then by annotator
   * id: what an export or a report walks, a page of tags at a time where the backend can.
   */
  eachAnnotation(articleIds: readonly string[]): AsyncIterable<Annotation>;
  /** Per category, over the tags of `articleIds` narrowed by `filter`, counted where the tags are. */
  categoryCounts(articleIds: readonly string[], filter?: CountFilter): Promise<Map<string, CategoryCounts>>;
  /** How many tags are stored, over every article and annotator. */
  countTags(): Promise<number>;
}

/** What the app reads and changes. */
export interface AppStore extends StudyReader {
  /** Where learned suggestion models are kept (a folder of the server's own). */
  readonly dataDir: string;
  readonly instance: Shard<InstanceFile>;
  readonly users: Shard<UsersFile>;
  readonly projects: Shard<ProjectsFile>;
  /** Stories: articles about one event, and their alignment edits. */
  readonly stories: StoryStore;
  /** Each article's gold standard (curation). */
  readonly curation: GoldFiles;
  /** Resolves once tags can be read and saved. */
  readonly ready: Promise<void>;

  updateProject(id: string, change: (project: Project) => void): Promise<void>;
  saveCodebook(codebook: Codebook): Promise<void>;
  createArticle(article: Article): Promise<void>;
  updateArticleMetadata(id: string, metadata: Pick<Article, 'title' | 'source' | 'url' | 'publishedAt'>): Promise<void>;
  removeArticle(id: string): Promise<void>;
  /** Applies a synchronous change to one annotator's annotation; resolves once it is stored. */
  updateAnnotation(articleId: string, annotatorId: string, change: (annotation: Annotation) => void): Promise<void>;
}
