// What an annotator's work is compared with gold on: the sentences they reviewed that gold speaks
// for, gold's spans there and their tags there. Shared by the quality report and the feedback
// page, so both count the same spans. Pure.
//
// Contested spans have no single label: by default they are left out, and with them the
// annotator's tags that overlap one (the curator left that place open); `contested: 'include'`
// counts them under their gold category.
import type { Annotation, Tag } from '../model.js';
import { reviewedSentences } from '../spans.js';
import type { Gold, GoldSpan } from './gold.js';
import { goldSentences, type GoldScope } from './layer.js';

export interface CompareOptions {
  scope?: GoldScope;
  contested?: 'exclude' | 'include';
  /** Only these categories count (e.g. the codebook's); default: all. */
  categories?: readonly string[];
}

export interface Compared {
  /** The sentences compared, ascending. */
  sentences: number[];
  reference: GoldSpan[];
  tags: Tag[];
}

function overlaps(a: { start: number; end: number }, b: { start: number; end: number }): boolean {
  return a.start < b.end && b.start < a.end;
}

export function compared(gold: Gold, annotation: Annotation, sentenceCount: number, options: CompareOptions = {}): Compared {
  return comparer(gold, sentenceCount, options)(annotation);
}

/**
 * {@link compared} for many annotations of one article: what depends on gold alone (the sentences
 * it speaks for, its spans that count, the contested ones) is worked out once.
 */
export function comparer(gold: Gold, sentenceCount: number, options: CompareOptions = {}): (annotation: Annotation) => Compared {
  const inScope = goldSentences(gold, sentenceCount, options.scope);
  const listed = options.categories;
  const counts = (category: string) => listed === undefined || listed.includes(category);
  const inScopeSet = new Set(inScope);
  const inGold = gold.spans.filter((s) => inScopeSet.has(s.sentence) && counts(s.category));
  const include = options.contested === 'include';
  const open = include ? [] : inGold.filter((s) => s.status === 'contested');
  const reference = include ? inGold : inGold.filter((s) => s.status !== 'contested');
  return (annotation) => {
    const seen = reviewedSentences(annotation);
    const sentences = inScope.filter((s) => seen.has(s));
    const covered = sentences.length === inScope.length ? inScopeSet : new Set(sentences);
    return {
      sentences,
      reference: covered === inScopeSet ? [...reference] : reference.filter((s) => covered.has(s.sentence)),
      tags: annotation.tags.filter((t) => covered.has(t.sentence) && counts(t.category) && !open.some((c) => c.sentence === t.sentence && overlaps(c, t))),
    };
  };
}
