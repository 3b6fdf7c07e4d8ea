// A study in PostgreSQL as exports and reports read it (StudyReader): the small documents
// (accounts, projects, codebooks, articles, gold) read once, in one snapshot, when it opens;
// tags never held: each read of them is a statement (or a cursor) on the database, so a process
// exporting a 200,000-tag study holds one article's tags, or one cursor page, at a time.
import type { Article, Codebook } from '../../core/model.js';
import { emptyGold, type Gold } from '../../core/curation/gold.js';
import type { GoldReader, StudyReader } from '../app-store.js';
import type { InstanceFile, Project, ProjectsFile, UsersFile } from '../schemas.js';
import { projectCodebook } from '../store.js';
import type { PostgresStudyStore } from './store.js';
import { PostgresTagReads } from './tag-reads.js';
import { readDocumentsWith } from './study.js';

class GoldSnapshot implements GoldReader {
  readonly version = 0;
  readonly #gold: Map<string, Gold>;

  constructor(gold: Gold[]) {
    this.#gold = new Map(gold.map((g) => [g.articleId, g]));
  }

  gold(articleId: string): Gold {
    return this.#gold.get(articleId) ?? emptyGold(articleId);
  }

  has(articleId: string): boolean {
    return this.#gold.has(articleId);
  }
}

export class PostgresStudyReader extends PostgresTagReads implements StudyReader {
  /** The documents are a snapshot: nothing this reader shows changes while it is used. */
  readonly version = 0;
  readonly instance: { readonly data: InstanceFile };
  readonly users: { readonly data: UsersFile };
  readonly projects: { readonly data: ProjectsFile };
  readonly curation: GoldReader;
  readonly #codebooks: Map<string, Codebook>;
  readonly #articles: Article[];
  readonly #byId: Map<string, Article>;

  private constructor(
    study: PostgresStudyStore,
    documents: { instance: InstanceFile; users: UsersFile; projects: ProjectsFile; codebooks: Codebook[]; articles: Article[]; gold: Gold[] },
  ) {
    super(study);
    this.instance = { data: documents.instance };
    this.users = { data: documents.users };
    this.projects = { data: documents.projects };
    this.curation = new GoldSnapshot(documents.gold);
    this.#codebooks = new Map(documents.codebooks.map((c) => [c.id, c]));
    this.#articles = documents.articles;
    this.#byId = new Map(documents.articles.map((a) => [a.id, a]));
  }

  /** Reads the small documents of the study `study` opens, all in one snapshot. */
  static async open(study: PostgresStudyStore): Promise<PostgresStudyReader> {
    // Shipped and uploaded codebooks: an uploaded one is never changed, only added.
    const codebooks = await study.codebooks();
    const documents = await study.transaction(readDocumentsWith, 'ISOLATION LEVEL REPEATABLE READ READ ONLY');
    return new PostgresStudyReader(study, {
      instance: { schemaVersion: 1, data: documents.instance },
      users: { schemaVersion: 1, data: documents.accounts },
      projects: { schemaVersion: 1, data: { projects: documents.projects } },
      codebooks,
      articles: documents.articles,
      gold: documents.gold,
    });
  }

  project(id: string): Project | undefined {
    return this.projects.data.data.projects.find((p) => p.id === id);
  }

  codebook(id: string): Codebook | undefined {
    return this.#codebooks.get(id);
  }

  codebooks(): Codebook[] {
    return [...this.#codebooks.values()];
  }

  codebookOf(project: { codebookId: string }): Codebook {
    return projectCodebook(project, (id) => this.#codebooks.get(id));
  }

  article(id: string): Article | undefined {
    return this.#byId.get(id);
  }

  articles(projectId?: string): Article[] {
    return projectId === undefined ? [...this.#articles] : this.#articles.filter((a) => a.projectId === projectId);
  }

}
