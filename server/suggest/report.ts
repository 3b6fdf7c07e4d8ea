// The agreement page's part on suggestions: agreement on suggestion-derived vs manual tags, the
// split design's groups side by side (tag rate and agreement per category), what annotators did
// with the suggestions, and the suggestions' live precision and recall against the accepted tags
// (curated gold where a curator settled the sentence, annotators' agreed tags elsewhere).
// Cached per store version, like the agreement report.
import type { Annotation, Category } from '../core/model.js';
import { annotatorsOf } from '../core/access.js';
import { categories as categoriesOf } from '../core/codebook.js';
import { words } from '../core/segmentation.js';
import { makeStudy } from '../core/study/units.js';
import { studyAgreement } from '../core/study/agreement.js';
import { suggestArticle } from '../core/suggest/index.js';
import { groupOf, type SuggestionSettings } from '../core/suggest/design.js';
import { decisions, groupRates, originAgreement, type Decisions, type GroupRate, type OriginAgreement } from '../core/suggest/influence.js';
import { suggestionQuality, type Quality, type Scored } from '../core/suggest/quality.js';
import type { Project } from '../storage/schemas.js';
import type { AppStore } from '../storage/app-store.js';
import { LiveSuggestions } from './live.js';
import { projectTrainingSet, referenceSource, type ReferenceSource } from './project-model.js';

export interface GroupAgreement {
  category: Category | null;
  groups: { group: 'shown' | 'hidden'; rate: number | null; tags: number; alpha: number | null; overlapF1: number | null }[];
}

export interface SuggestionReport {
  settings: SuggestionSettings | null;
  origins: (OriginAgreement & { name: string })[];
  /** null without a split design. */
  split: { rates: GroupRate[]; categories: GroupAgreement[] } | null;
  decisions: (Decisions & { name: string })[];
  /** Per suggester and category, against the accepted tags (core/suggest/training-data.ts). */
  quality: { suggester: string; category: string; name: string; quality: Quality }[];
  /** What the quality is measured against: curated gold where a curator settled a sentence, agreed tags elsewhere. */
  reference: ReferenceSource | null;
  /** Whether there is anything to show (suggestions were on, or tags came from them). */
  any: boolean;
}

const caches = new WeakMap<AppStore, Map<string, { key: string; report: SuggestionReport }>>();

export async function suggestionReport(store: AppStore, project: Project): Promise<SuggestionReport> {
  let cache = caches.get(store);
  if (!cache) caches.set(store, (cache = new Map()));
  const live = LiveSuggestions.of(store);
  const codebook = store.codebookOf(project);
  const key = `${store.version}:${store.curation.version}:${JSON.stringify(project.suggestions ?? null)}:${project.members.length}:${codebook.id}:${live.model(project.id)?.trainedAt ?? ''}`;
  const hit = cache.get(project.id);
  if (hit?.key === key) return hit.report;
  const report = await compute(store, project);
  cache.set(project.id, { key, report });
  return report;
}

async function compute(store: AppStore, project: Project): Promise<SuggestionReport> {
  const codebook = store.codebookOf(project);
  const cats = categoriesOf(codebook);
  const name = (id: string) => cats.find((c) => c.id === id)?.name ?? id;
  const articles = store.articles(project.id);
  const members = new Set(annotatorsOf(project));
  const annotations: Annotation[] = [];
  for await (const a of store.eachAnnotation(articles.map((x) => x.id))) if (members.has(a.annotatorId)) annotations.push(a);
  const settings = project.suggestions ?? null;
  // A project that never had suggestions costs the agreement page nothing.
  const any = settings !== null || annotations.some((a) => (a.rejected?.length ?? 0) > 0 || a.tags.some((t) => t.origin?.kind === 'suggestion'));
  if (!any) return { settings, origins: [], split: null, decisions: [], quality: [], reference: null, any };

  const origins = originAgreement(annotations, cats.map((c) => c.id)).map((o) => ({ ...o, name: o.category === null ? 'All categories' : name(o.category) }));
  const made = decisions(annotations).map((d) => ({ ...d, name: name(d.category) }));

  let split: SuggestionReport['split'] = null;
  if (settings?.split) {
    const group = (id: string) => (members.has(id) ? groupOf(settings, project.id, id) : null);
    const rates = groupRates(annotations, group);
    const perGroup = (['shown', 'hidden'] as const).map((g) => {
      const ids = [...members].filter((id) => group(id) === g && annotations.some((a) => a.annotatorId === id)).sort();
      const study = makeStudy(articles, annotations.filter((a) => ids.includes(a.annotatorId)), ids);
      return ids.length >= 2 ? studyAgreement(study, cats, { words: (a, r) => words(a.text, r), resamples: 200 }) : null;
    });
    const categories: GroupAgreement[] = [null, ...cats].map((c, i) => ({
      category: c,
      groups: rates.map((r, g) => {
        const tags = c === null ? [...r.tags.values()].reduce((x, y) => x + y, 0) : (r.tags.get(c.id) ?? 0);
        const agreement = perGroup[g];
        const row = agreement && (i === 0 ? agreement.overall : agreement.categories[i - 1]);
        return {
          group: r.group,
          tags,
          rate: r.sentences > 0 ? tags / r.sentences : null,
          alpha: row?.sentence.report.statistics.krippendorff_alpha.value ?? null,
          overlapF1: row?.span.overlapF1.value ?? null,
        };
      }),
    }));
    split = { rates, categories };
  }

  const quality: SuggestionReport['quality'] = [];
  let source: ReferenceSource | null = null;
  const suggesters = LiveSuggestions.of(store).suggesters(project, codebook);
  if (suggesters.length > 0) {
    const reference = await projectTrainingSet(store, project);
    source = referenceSource(reference);
    const scored: Scored[] = reference.flatMap((a) => suggestArticle(a, suggesters, { sentences: a.annotated }).map((suggestion) => ({ articleId: a.id, suggestion })));
    for (const s of suggesters) {
      for (const c of cats) {
        const q = suggestionQuality(reference, scored, { suggester: s.name, category: c.id });
        if (q.suggested > 0 || q.reference > 0) quality.push({ suggester: s.name, category: c.id, name: c.name, quality: q });
      }
    }
  }
  return { settings, origins, split, decisions: made, quality, reference: source, any };
}
