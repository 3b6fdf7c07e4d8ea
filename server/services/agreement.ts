// The agreement report of a project (or one of its articles), computed from the store and kept
// until the data change: what the agreement page, its downloads and `framelens export` share.
import { annotatorsOf } from '../core/access.js';
import { categories } from '../core/codebook.js';
import type { Annotation, Codebook } from '../core/model.js';
import { words } from '../core/segmentation.js';
import { makeStudy } from '../core/study/units.js';
import { studyAgreement, type StudyAgreement } from '../core/study/agreement.js';
import { GOLD_ANNOTATOR } from '../core/curation/gold.js';
import { withGold } from '../core/curation/layer.js';
import type { Project } from '../storage/schemas.js';
import type { StudyReader } from '../storage/app-store.js';

/**
 * Reports are cached per store until the next change to the data (the store's version), the
 * project's annotators (membership changes do not bump the version) or its codebook. Only the
 * most recently used reports are kept.
 */
const caches = new WeakMap<StudyReader, Map<string, { version: number; members: string; codebook: Codebook; report: StudyAgreement }>>();
const CACHED_REPORTS = 20;

/**
 * `gold`: gold is one more annotator ("gold"), over its curated sentences, contested spans left
 * out, so the pairs show each annotator's agreement with gold (curation, issue 16).
 */
export async function computeAgreement(store: StudyReader, project: Project, articleId?: string, gold = false): Promise<StudyAgreement> {
  let cache = caches.get(store);
  if (!cache) caches.set(store, (cache = new Map()));
  const key = `${project.id}/${articleId ?? ''}${gold ? `/gold@${store.curation.version}` : ''}`;
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
  // The statistics need every unit's tags at once: the project's (not the study's) are read, in one snapshot.
  const own: Annotation[] = [];
  for await (const a of store.eachAnnotation(articles.map((x) => x.id))) if (members.has(a.annotatorId)) own.push(a);
  const golds = gold ? articles.map((a) => store.curation.gold(a.id)) : [];
  const annotations = gold ? withGold(own, golds, (id) => store.article(id)?.sentences.length ?? 0, { contested: 'exclude' }) : own;
  const ids = [...members].filter((id) => own.some((a) => a.annotatorId === id)).sort();
  if (annotations.some((a) => a.annotatorId === GOLD_ANNOTATOR)) ids.push(GOLD_ANNOTATOR);
  const study = makeStudy(articles, annotations, ids);
  const report = studyAgreement(study, categories(codebook), { words: (a, r) => words(a.text, r) });
  cache.delete(key);
  cache.set(key, { version: store.version, members: memberKey, codebook, report });
  for (const old of cache.keys()) {
    if (cache.size <= CACHED_REPORTS) break;
    cache.delete(old);
  }
  return report;
}
