// The agreement report of a project (or one of its articles), computed from the store and kept
// until the data change: what the agreement page, its downloads and `framelens export` share.
import { annotatorsOf } from '../core/access.js';
import { categories } from '../core/codebook.js';
import type { Codebook } from '../core/model.js';
import { words } from '../core/segmentation.js';
import { makeStudy } from '../core/study/units.js';
import { studyAgreement, type StudyAgreement } from '../core/study/agreement.js';
import type { Project } from '../storage/schemas.js';
import type { Store } from '../storage/store.js';

/**
 * Reports are cached per store until the next change to the data (the store's version), the
 * project's annotators (membership changes do not bump the version) or its codebook. Only the
 * most recently used reports are kept.
 */
const caches = new WeakMap<Store, Map<string, { version: number; members: string; codebook: Codebook; report: StudyAgreement }>>();
const CACHED_REPORTS = 20;

export function computeAgreement(store: Store, project: Project, articleId?: string): StudyAgreement {
  let cache = caches.get(store);
  if (!cache) caches.set(store, (cache = new Map()));
  const key = `${project.id}/${articleId ?? ''}`;
  const annotators = annotatorsOf(project);
  const memberKey = [...annotators].sort().join(',');
  const codebook = store.codebookOf(project);
  const hit = cache.get(key);
  if (hit && hit.version === store.version && hit.members === memberKey && hit.codebook === codebook) {
    cache.delete(key);
    cache.set(key, hit);
    return hit.report;
  }
  const articles = store.articles(project.id).filter((a) => articleId === undefined || a.id === articleId);
  const members = new Set(annotators);
  const annotations = articles.flatMap((a) => store.annotations(a.id)).filter((a) => members.has(a.annotatorId));
  const study = makeStudy(articles, annotations, [...members].filter((id) => annotations.some((a) => a.annotatorId === id)).sort());
  const report = studyAgreement(study, categories(codebook), { words: (a, r) => words(a.text, r) });
  cache.delete(key);
  cache.set(key, { version: store.version, members: memberKey, codebook, report });
  for (const old of cache.keys()) {
    if (cache.size <= CACHED_REPORTS) break;
    cache.delete(old);
  }
  return report;
}
