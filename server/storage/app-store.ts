// The storage interface: what the routes, the commands, exports, accounts and the demo read and
// write, whichever backend keeps the study. Two implement it: the JSON folder (store.ts, the
// embedded default) and PostgreSQL (postgres/app-store.ts, for several servers on one database);
// nothing above this interface knows which one runs. The small documents (the instance, accounts,
// projects, codebooks, articles, stories, gold) are read synchronously, as a backend holds them in
// memory; tags never are: a backend may hold far more tags than a process should, so every read of
// tags is asynchronous (the JSON folder answers from memory at once; a database from its rows).
import type { Annotation, Article, Codebook } from '../core/model.js';
import type { Gold } from '../core/curation/gold.js';
import type { InstanceFile, Project, ProjectsFile, UsersFile } from './schemas.js';
import type { Shard } from './shard.js';
import type { NewStory, Story } from './stories.js';
import type { Activity, Student } from './activity-schemas.js';

/** Curated gold as read: each article's gold standard. */
export interface GoldReader {
  /** Goes up with every change to gold. */
  readonly version: number;
  /** The article's gold as stored, or an empty one (nothing curated yet). Read only. */
  gold(articleId: string): Gold;
  /** Whether anything was ever stored for the article. */
  has(articleId: string): boolean;
}

/** Curated gold, read and changed. */
export interface GoldCollection extends GoldReader {
  /** Applies a synchronous change (which may throw: then nothing is stored) and resolves once stored. */
  update(articleId: string, change: (gold: Gold) => void): Promise<void>;
  /** Replaces the article's gold as a whole (an import). */
  replace(articleId: string, gold: Gold): Promise<void>;
  remove(articleId: string): Promise<void>;
}

/** Each project's stories: articles about one event, their alignment edits and reference. */
export interface StoryCollection {
  /** Goes up with every change, so derived alignments can be cached. */
  readonly version: number;
  /** The project's stories, oldest first. */
  list(projectId: string): Story[];
  story(projectId: string, storyId: string): Story | undefined;
  /** The story holding an article, if any. */
  storyOf(projectId: string, articleId: string): Story | undefined;
  /** Stores a new story; refuses articles that are already in another story. */
  create(value: NewStory): Promise<void>;
  /** Changes one story (checked against the schema and the one-story-per-article rule); resolves once stored. */
  update(projectId: string, storyId: string, change: (story: Story) => void): Promise<void>;
  remove(projectId: string, storyId: string): Promise<void>;
  /** An article was deleted: it leaves its story, and edits naming it go with it. */
  forgetArticle(projectId: string, articleId: string): Promise<void>;
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
  readonly stories: StoryCollection;
  /** Each article's gold standard (curation). */
  readonly curation: GoldCollection;
  /** Resolves once tags can be read and saved. */
  readonly ready: Promise<void>;
  /**
   * Brings the small documents up to date with every change committed before the call, by any
   * server; the app calls it as a request begins. Nothing to do for a backend only this process writes.
   */
  refresh(): Promise<void>;
  /**
   * The set-up link's token while no account administers the others (null once one does). With
   * `fresh` a new one (earlier links stop working); without, the one every server on the study
   * shares while it is unused, where servers share one (PostgreSQL), else a new one.
   */
  setupToken(fresh: boolean): Promise<string | null>;

  updateProject(id: string, change: (project: Project) => void): Promise<void>;
  saveCodebook(codebook: Codebook): Promise<void>;
  createArticle(article: Article): Promise<void>;
  updateArticleMetadata(id: string, metadata: Pick<Article, 'title' | 'source' | 'url' | 'publishedAt'>): Promise<void>;
  removeArticle(id: string): Promise<void>;
  /** Applies a synchronous change to one annotator's annotation; resolves once it is stored. */
  updateAnnotation(articleId: string, annotatorId: string, change: (annotation: Annotation) => void): Promise<void>;
}

/** Classroom activities (lessons) and their students, each student's tags inside their record. */
export interface ActivityCollection {
  /** As AppStore.refresh: the lessons and students as committed by every server (a dashboard's poll sees other servers' saves). */
  refresh(): Promise<void>;
  activity(id: string): Activity | undefined;
  /** All activities (or one teacher's), newest first. */
  activities(teacherId?: string): Activity[];
  /** The activity with this join code, ended or not (the caller decides what an ended one means). */
  byCode(code: string): Activity | undefined;
  create(activity: Activity): Promise<void>;
  /** Applies a synchronous change to an activity; resolves once it is stored. `change` may throw. */
  update(id: string, change: (activity: Activity) => void): Promise<void>;
  /** Removes the activity with all its student data. */
  remove(id: string): Promise<void>;
  students(activityId: string): Student[];
  student(activityId: string, studentId: string): Student | undefined;
  nicknameTaken(activityId: string, nickname: string): boolean;
  /** Adds a student; refuses a nickname already used in the activity (ignoring case and spacing). */
  addStudent(activityId: string, student: Student): Promise<void>;
  /**
   * Applies a synchronous change to a student's annotation of `version` (1: the article; 2 and 3:
   * a comparison lesson's other versions); `change` may throw (nothing is stored then).
   */
  updateStudent(activityId: string, studentId: string, change: (annotation: Annotation) => void, version?: number): Promise<void>;
  /** Deletes every student of an activity (their nicknames and tags); the activity stays. */
  removeStudents(activityId: string): Promise<void>;
}
