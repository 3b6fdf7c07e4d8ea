// The storage contract over the JSON folder (store.ts): everything is in the process's memory, so
// each answer is ready at once; a change resolves once its shard (or journal record) is on disk.
import type { Annotation, Article, Codebook } from '../core/model.js';
import { RuleError } from '../core/spans.js';
import type { Accounts, CategoryCounts, CountFilter, Instance, StudyStore } from './contract.js';
import type { Project, User } from './schemas.js';
import type { Store } from './store.js';

/** Copies, so that a caller never holds the store's own objects (the PostgreSQL side cannot share them). */
const copy = <T>(value: T): T => structuredClone(value);

export class JsonFolderStudyStore implements StudyStore {
  readonly backend = 'json-folder' as const;
  readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  async instance(): Promise<Instance> {
    return copy(this.store.instance.data.data);
  }

  async accounts(): Promise<Accounts> {
    return copy(this.store.users.data.data);
  }

  async user(id: string): Promise<User | undefined> {
    return copy(this.store.users.data.data.users.find((u) => u.id === id));
  }

  async updateAccounts(change: (accounts: Accounts) => void): Promise<void> {
    await this.store.users.update((file) => change(file.data));
  }

  async projects(): Promise<Project[]> {
    return copy(this.store.projects.data.data.projects);
  }

  async project(id: string): Promise<Project | undefined> {
    return copy(this.store.project(id));
  }

  async addProject(project: Project): Promise<void> {
    await this.store.projects.update((file) => {
      if (file.data.projects.some((p) => p.id === project.id)) throw new RuleError(`A project with the id "${project.id}" exists already.`);
      file.data.projects.push(copy(project));
    });
  }

  async updateProject(id: string, change: (project: Project) => void): Promise<void> {
    await this.store.updateProject(id, change);
  }

  async codebooks(): Promise<Codebook[]> {
    return copy(this.store.codebooks());
  }

  async codebook(id: string): Promise<Codebook | undefined> {
    return copy(this.store.codebook(id));
  }

  async saveCodebook(codebook: Codebook): Promise<void> {
    await this.store.saveCodebook(copy(codebook));
  }

  async article(id: string): Promise<Article | undefined> {
    return copy(this.store.article(id));
  }

  async articles(projectId?: string): Promise<Article[]> {
    return copy(this.store.articles(projectId));
  }

  async createArticle(article: Article): Promise<void> {
    if (this.store.article(article.id)) throw new RuleError(`An article with the id "${article.id}" exists already.`);
    await this.store.createArticle(copy(article));
  }

  async removeArticle(id: string): Promise<void> {
    await this.store.removeArticle(id);
  }

  async annotation(articleId: string, annotatorId: string): Promise<Annotation> {
    await this.store.ready;
    return copy(this.store.annotation(articleId, annotatorId));
  }

  async annotations(articleId: string): Promise<Annotation[]> {
    await this.store.ready;
    return copy(this.store.annotations(articleId));
  }

  async updateAnnotation(articleId: string, annotatorId: string, change: (annotation: Annotation) => void): Promise<void> {
    await this.store.updateAnnotation(articleId, annotatorId, change);
  }

  async tagCount(): Promise<number> {
    await this.store.ready;
    return this.store.tagCount();
  }

  async categoryCounts(articleIds: readonly string[], filter: CountFilter = {}): Promise<Map<string, CategoryCounts>> {
    return this.store.categoryCounts(articleIds, filter);
  }

  async *eachAnnotation(articleIds: readonly string[]): AsyncIterable<Annotation> {
    for await (const annotation of this.store.eachAnnotation(articleIds)) yield copy(annotation);
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
