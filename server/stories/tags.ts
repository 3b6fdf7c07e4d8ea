// The framing tags a story shows and profiles, per article: the story's reference annotation
// where it has one (a single layer, like curated gold; the shipped demo story has one), or else
// every annotator's tags that the user may see (blind rules: core/access.ts), merged so that a
// span several annotators tagged with one category is one mark with a count. A reference is an
// answer: in a blind project only researchers see it. (Curated gold, issue 16, will be the
// first choice where it exists.)
import type { Annotation, Article } from '../core/model.js';
import type { ProfileArticle } from '../core/stories/profile.js';
import { words } from '../core/segmentation.js';
import { isResearcher } from '../core/access.js';
import type { Project } from '../storage/schemas.js';
import type { ReferenceTag, Story } from '../storage/stories.js';
import type { Store } from '../storage/store.js';
import { visibleAnnotations } from '../web/views.js';

export interface MergedTag {
  /** `<start>-<end>-<category>`: one id per merged mark. */
  id: string;
  sentence: number;
  start: number;
  end: number;
  category: string;
  /** How many annotators tagged this span with this category (1 for a reference tag). */
  count: number;
  /** A reference tag's reason. */
  rationale: string;
}

/** `reference`: the story's reference annotation; `annotators`: everyone's tags, merged. */
export type TagSource = 'reference' | 'annotators';

export interface ArticleTags {
  source: TagSource;
  /** The annotators whose work is shown (those who tagged or reviewed a sentence). */
  annotators: string[];
  tags: MergedTag[];
  bySentence: Map<number, MergedTag[]>;
}

/** Annotations that hold work: a tag or a reviewed sentence (an opened, untouched one is no layer). */
function layers(store: Store, project: Project, articleId: string, userId: string): Annotation[] {
  return visibleAnnotations(store, project, articleId, userId).filter((a) => a.tags.length > 0 || a.reviewed.length > 0);
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

export function articleTags(store: Store, project: Project, article: Article, userId: string, reference: ReferenceTag[] | null = null): ArticleTags {
  if (reference) {
    return index('reference', [], reference.map((t) => ({ id: `${t.start}-${t.end}-${t.category}`, sentence: t.sentence, start: t.start, end: t.end, category: t.category, count: 1, rationale: t.rationale })));
  }
  const annotations = layers(store, project, article.id, userId);
  const merged = new Map<string, MergedTag>();
  for (const annotation of annotations) {
    // One annotator counts once per span and category, even with a duplicate.
    const seen = new Set<string>();
    for (const t of annotation.tags) {
      const id = `${t.start}-${t.end}-${t.category}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const mark = merged.get(id);
      if (mark) mark.count++;
      else merged.set(id, { id, sentence: t.sentence, start: t.start, end: t.end, category: t.category, count: 1, rationale: '' });
    }
  }
  return index('annotators', annotations.map((a) => a.annotatorId).sort(), [...merged.values()]);
}

function index(source: TagSource, annotators: string[], merged: MergedTag[]): ArticleTags {
  const tags = merged.sort((x, y) => x.start - y.start || y.end - x.end || x.category.localeCompare(y.category));
  const bySentence = new Map<number, MergedTag[]>();
  for (const t of tags) {
    const list = bySentence.get(t.sentence);
    if (list) list.push(t);
    else bySentence.set(t.sentence, [t]);
  }
  return { source, annotators, tags, bySentence };
}

/** An article as the outlet profile counts it: words, sentences, and one layer per annotator. */
export function profileArticle(store: Store, project: Project, article: Article, userId: string, reference: ReferenceTag[] | null = null): ProfileArticle {
  return {
    id: article.id,
    outlet: article.source.trim() || '(no outlet)',
    words: article.sentences.reduce((n, range) => n + words(article.text, range).length, 0),
    sentences: article.sentences.length,
    layers: reference
      ? [reference.map((t) => ({ sentence: t.sentence, category: t.category }))]
      : layers(store, project, article.id, userId).map((a) => a.tags.map((t) => ({ sentence: t.sentence, category: t.category }))),
  };
}
