// The tag reads every PostgreSQL-backed reader shares (the app's store and the export's reader):
// none is answered from memory, each is a statement or a cursor on the database.
import type { Annotation } from '../../core/model.js';
import type { PostgresStudyStore } from './store.js';

export abstract class PostgresTagReads {
  protected readonly study: PostgresStudyStore;

  protected constructor(study: PostgresStudyStore) {
    this.study = study;
  }

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
}
