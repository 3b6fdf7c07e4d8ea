// The framing tags a story shows and profiles, per article, first choice first:
// 1. curated gold (issue 16) for the sentences it speaks for — those marked curated, or all once
//    the article's curation is finished; the other sentences as below;
// 2. the story's reference annotation (a single layer; the shipped demo story has one);
// 3. every annotator's tags that the user may see (blind rules: core/access.ts), merged so that a
//    span several annotators tagged with one category is one mark with a count.
// Gold and a reference are answers: in a blind project annotators see neither (canSeeGold,
// seesReference), only their own tags.
import type { Annotation, Article } from '../core/model.js';
import type { ProfileArticle, ProfileTag } from '../core/stories/profile.js';
import { words } from '../core/segmentation.js';
import { isResearcher } from '../core/access.js';
import type { ResolvedEntry } from '../core/classroom/reference.js';
import type { Gold } from '../core/curation/gold.js';
import { goldSentences } from '../core/curation/layer.js';
import { mergeTags, type SpanCount } from '../core/merged-tags.js';
import { canSeeGold } from '../core/curation/settings.js';
import type { Project } from '../storage/schemas.js';
import type { ReferenceTag, Story } from '../storage/stories.js';
import type { AppStore } from '../storage/app-store.js';
import { visibleAnnotations } from '../web/views.js';

/** A mark the story view shows: a span and category with how many annotators tagged it (1 for a gold or reference tag). */
export interface MergedTag extends SpanCount {
  /** A reference tag's reason, or a gold span's note. */
  rationale: string;
  /** Where this mark comes from. */
  source: TagSource;
}

/** `gold`: curated gold; `reference`: the story's reference annotation; `annotators`: everyone's tags, merged. */
export type TagSource = 'gold' | 'reference' | 'annotators';

export interface ArticleTags {
  /** `gold` when curated gold speaks for at least one sentence (the others then show the annotators' tags). */
  source: TagSource;
  /** Where the tags of the sentences gold does not speak for come from (`source` itself unless it is `gold`). */
  elsewhere: Exclude<TagSource, 'gold'>;
  /** The sentences curated gold speaks for (empty unless `source` is `gold`). */
  goldSentences: ReadonlySet<number>;
  /** The annotators whose work is shown (those who tagged or reviewed a sentence). */
  annotators: string[];
  tags: MergedTag[];
  bySentence: Map<number, MergedTag[]>;
}

/** Annotations that hold work: a tag or a reviewed sentence (an opened, untouched one is no layer). */
async function layers(store: AppStore, project: Project, articleId: string, userId: string): Promise<Annotation[]> {
  return (await visibleAnnotations(store, project, articleId, userId)).filter((a) => a.tags.length > 0 || a.reviewed.length > 0);
}

/** Whether the user may see the story's reference (an answer: hidden from annotators of a blind project). */
export function seesReference(project: Project, userId: string): boolean {
  return isResearcher(project, userId) || project.open;
}

/** The story's reference tags of an article, if it has any and the user may see them. */
export function referenceOf(story: Story | null, project: Project, articleId: string, userId: string): ReferenceTag[] | null {
  if (!story || !seesReference(project, userId)) return null;
  const tags = story.reference.filter((t) => t.article === articleId);
  return tags.length > 0 ? tags : null;
}

/**
 * The article's curated gold, if the user may see gold and it speaks for at least one sentence:
 * the gold and those sentences. Contested spans are kept (with their category, as in exports).
 */
export function curatedGoldOf(store: AppStore, project: Project, article: Article, userId: string): { gold: Gold; sentences: Set<number> } | null {
  if (!canSeeGold(project, userId) || !store.curation.has(article.id)) return null;
  const gold = store.curation.gold(article.id);
  const sentences = new Set(goldSentences(gold, article.sentences.length));
  return sentences.size > 0 ? { gold, sentences } : null;
}

/**
 * The reference a lesson made from a story takes for one of its articles, as the story view
 * shows it: curated gold in the sentences a curator settled (its note as the reason), the story's
 * reference in the others. The story's reference records no voice: its tags are the author's.
 * Blind rules apply as on the story page: a teacher who annotates a blind project gets neither.
 */
export function lessonReference(store: AppStore, project: Project, story: Story, article: Article, userId: string): ResolvedEntry[] {
  const curated = curatedGoldOf(store, project, article, userId);
  const settled = curated?.sentences ?? new Set<number>();
  const gold = (curated?.gold.spans ?? [])
    .filter((s) => settled.has(s.sentence))
    .map((s) => ({ sentence: s.sentence, start: s.start, end: s.end, category: s.category, voice: s.voice, rationale: s.note }));
  const reference = (seesReference(project, userId) ? story.reference : [])
    .filter((t) => t.article === article.id && t.sentence < article.sentences.length && !settled.has(t.sentence))
    .map((t) => ({ sentence: t.sentence, start: t.start, end: t.end, category: t.category, voice: 'author' as const, rationale: t.rationale }));
  return [...gold, ...reference].sort((a, b) => a.sentence - b.sentence || a.start - b.start);
}

/**
 * The tags to show for an article, sentence by sentence: curated gold where it speaks (see the
 * file comment), else `reference` when given, else every visible annotator's tags merged.
 * `useGold: false` with no reference shows the annotators' tags alone (the page's "annotators'
 * tags instead").
 */
export async function articleTags(store: AppStore, project: Project, article: Article, userId: string, reference: ReferenceTag[] | null = null, useGold = true): Promise<ArticleTags> {
  const curated = useGold ? curatedGoldOf(store, project, article, userId) : null;
  if (curated) {
    const goldMarks = curated.gold.spans
      .filter((s) => curated.sentences.has(s.sentence))
      .map((s): MergedTag => ({ id: `${s.start}-${s.end}-${s.category}`, sentence: s.sentence, start: s.start, end: s.end, category: s.category, count: 1, rationale: s.note, source: 'gold' }));
    const annotations = reference ? [] : await layers(store, project, article.id, userId);
    const others = (reference ? referenceMarks(reference) : merge(annotations)).filter((t) => !curated.sentences.has(t.sentence));
    return index('gold', reference ? 'reference' : 'annotators', curated.sentences, annotations.map((a) => a.annotatorId).sort(), [...dedupe(goldMarks), ...others]);
  }
  if (reference) return index('reference', 'reference', new Set(), [], referenceMarks(reference));
  const annotations = await layers(store, project, article.id, userId);
  return index('annotators', 'annotators', new Set(), annotations.map((a) => a.annotatorId).sort(), merge(annotations));
}

function referenceMarks(reference: readonly ReferenceTag[]): MergedTag[] {
  return reference.map((t) => ({ id: `${t.start}-${t.end}-${t.category}`, sentence: t.sentence, start: t.start, end: t.end, category: t.category, count: 1, rationale: t.rationale, source: 'reference' }));
}

/** Every annotator's tags, one mark per span and category with the number of annotators. */
function merge(annotations: readonly Annotation[]): MergedTag[] {
  return mergeTags(annotations.map((a) => a.tags)).map((mark) => ({ ...mark, rationale: '', source: 'annotators' }));
}

/** One mark per id (two gold spans can share words and category, e.g. a contested one kept beside another). */
function dedupe(marks: MergedTag[]): MergedTag[] {
  return [...new Map(marks.map((m) => [m.id, m])).values()];
}

function index(source: TagSource, elsewhere: Exclude<TagSource, 'gold'>, goldSentences: ReadonlySet<number>, annotators: string[], merged: MergedTag[]): ArticleTags {
  const tags = merged.sort((x, y) => x.start - y.start || y.end - x.end || x.category.localeCompare(y.category));
  const bySentence = new Map<number, MergedTag[]>();
  for (const t of tags) {
    const list = bySentence.get(t.sentence);
    if (list) list.push(t);
    else bySentence.set(t.sentence, [t]);
  }
  return { source, elsewhere, goldSentences, annotators, tags, bySentence };
}

/**
 * An article as the outlet profile counts it: words, sentences, and one layer per annotator (or
 * the story's `reference` as the one layer). With `useGold`, curated gold speaks for the sentences
 * a curator settled: in every layer, those sentences hold gold's tags instead of the layer's own,
 * so that an article's mean over its layers counts gold there and the layers elsewhere. A wholly
 * curated article nobody tagged counts gold as its one layer.
 */
export async function profileArticle(store: AppStore, project: Project, article: Article, userId: string, reference: ReferenceTag[] | null = null, useGold = true): Promise<ProfileArticle> {
  const own: ProfileTag[][] = reference
    ? [reference.map((t) => ({ sentence: t.sentence, category: t.category }))]
    : (await layers(store, project, article.id, userId)).map((a) => a.tags.map((t) => ({ sentence: t.sentence, category: t.category })));
  const curated = useGold ? curatedGoldOf(store, project, article, userId) : null;
  let counted = own;
  if (curated) {
    // One tag per span and category, as the story view shows it (a contested span can sit beside another).
    const spans = new Map(curated.gold.spans.filter((s) => curated.sentences.has(s.sentence)).map((s) => [`${s.start}-${s.end}-${s.category}`, s]));
    const gold = [...spans.values()].map((s) => ({ sentence: s.sentence, category: s.category }));
    if (own.length > 0) counted = own.map((layer) => [...layer.filter((t) => !curated.sentences.has(t.sentence)), ...gold]);
    else if (curated.sentences.size === article.sentences.length) counted = [gold];
  }
  return {
    id: article.id,
    outlet: article.source.trim() || '(no outlet)',
    words: article.sentences.reduce((n, range) => n + words(article.text, range).length, 0),
    sentences: article.sentences.length,
    layers: counted,
  };
}
