// Feedback after the reveal: a student's tags beside the reference, sentence by sentence.
// Pure: no I/O.
//
// Matching, per sentence, one-to-one:
//   1. Every (reference tag, student tag) pair whose spans share a word gets an overlap
//      credit = |shared words| / |words in either span| (Jaccard on words; 1 = the same words).
//   2. Same-category pairs are matched greedily, highest credit first (ties: reference
//      order, then student order): status `matched`, worth their credit (partial credit
//      for boundaries that differ: "Russian peacekeeping forces" for "peacekeeping forces"
//      = 2 shared / 3 words = 0.67).
//   3. A reference tag still unpaired whose words all lie inside a student tag of the same
//      category (already matched to another reference tag) is `covered` by it: one long tag
//      "aggressive force posturing and malign activities" for the reference's "aggressive
//      force posturing" and "malign activities". It is worth its overlap credit with the
//      covering tag (2/6 = 0.33 for "malign activities"), but a student tag earns at most 1 in
//      all, so precision never passes 100 % (here 3/6 + 2/6 = 0.83).
//   4. Of the tags left, overlapping pairs with different categories are paired as in 2:
//      status `confusion` ("you tagged a hedge as loaded wording"), worth 0.
//   5. Reference tags still unpaired are `missed`; student tags still unpaired are `extra`.
//
// Scores (per category, and overall over all categories), with S = the student's tags,
// R = the reference tags and C = the summed credit of matched and covered pairs:
//   precision = C / |S|,  recall = C / |R|,  F1 = 2C / (|S| + |R|)
// (the same as 2PR / (P + R); null where the denominator is 0). A confusion counts as a
// student tag and a reference tag with no credit, so it lowers both categories' scores.
import type { Range } from '../model.js';
import { locate, overlapCredit, type SpanTag, type WordSpan } from './text.js';

export type Status = 'matched' | 'covered' | 'confusion' | 'missed' | 'extra';
export const STATUSES: readonly Status[] = ['matched', 'covered', 'confusion', 'missed', 'extra'];

export type FeedbackItem<R extends SpanTag, S extends SpanTag> =
  | { status: 'matched'; reference: R; tag: S; credit: number }
  /** The student's tag, matched to another reference tag, also holds every word of this one. */
  | { status: 'covered'; reference: R; tag: S; credit: number }
  | { status: 'confusion'; reference: R; tag: S; credit: 0; overlap: number }
  | { status: 'missed'; reference: R; credit: 0 }
  | { status: 'extra'; tag: S; credit: 0 };

export interface Score {
  /** Student tags counted. */
  tags: number;
  /** Reference tags counted. */
  reference: number;
  /** Summed overlap credit of matched and covered pairs. */
  credit: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export interface SentenceFeedback<R extends SpanTag, S extends SpanTag> {
  sentence: number;
  items: FeedbackItem<R, S>[];
}

export interface Feedback<R extends SpanTag, S extends SpanTag> {
  /** Sentences with a reference tag or a student tag, in text order. */
  sentences: SentenceFeedback<R, S>[];
  /** Every category that occurs in the reference or the student's tags. */
  byCategory: Map<string, Score>;
  overall: Score;
  counts: Record<Status, number>;
}

/**
 * `value` (a share from 0 to 1) as a whole percentage, exact halves rounded up: 23/40 = 57.5 %
 * shows as 58 %, where Math.round(0.575 * 100) gives 57 (0.575 * 100 is 57.49999999999999 in
 * floating point). value × 100 is first rounded to nine decimals, which removes that noise; a
 * share of a class's tags and word credits is never within 1e-9 of a half without being one.
 */
export function wholePercent(value: number): number {
  return Math.floor(Math.round(value * 1e11) / 1e9 + 0.5);
}

export function score(tags: number, reference: number, credit: number): Score {
  return {
    tags,
    reference,
    credit,
    precision: tags > 0 ? credit / tags : null,
    recall: reference > 0 ? credit / reference : null,
    f1: tags + reference > 0 ? (2 * credit) / (tags + reference) : null,
  };
}

interface Located<T> {
  tag: T;
  span: WordSpan | null;
  order: number;
}

function locateAll<T extends SpanTag>(words: Range[][], tags: T[]): Located<T>[] {
  const spans = new Map(locate(words, tags).map((l) => [l.tag, l.span]));
  return tags.map((tag, order) => ({ tag, span: spans.get(tag) ?? null, order }));
}

/** Compares one student's tags with the reference (see the formula at the top of this file). */
export function compareTags<R extends SpanTag, S extends SpanTag>(words: Range[][], reference: R[], tags: S[]): Feedback<R, S> {
  const refs = locateAll(words, reference);
  const mine = locateAll(words, tags);
  const sentences = [...new Set([...reference, ...tags].map((t) => t.sentence))].sort((a, b) => a - b);
  const result: SentenceFeedback<R, S>[] = [];
  for (const sentence of sentences) {
    result.push({ sentence, items: compareSentence(refs.filter((r) => r.tag.sentence === sentence), mine.filter((m) => m.tag.sentence === sentence)) });
  }
  const counts: Record<Status, number> = { matched: 0, covered: 0, confusion: 0, missed: 0, extra: 0 };
  const totals = new Map<string, { tags: number; reference: number; credit: number }>();
  const total = (category: string) => {
    let t = totals.get(category);
    if (!t) totals.set(category, (t = { tags: 0, reference: 0, credit: 0 }));
    return t;
  };
  for (const r of reference) total(r.category).reference++;
  for (const s of tags) total(s.category).tags++;
  for (const s of result) {
    for (const item of s.items) {
      counts[item.status]++;
      if (item.status === 'matched' || item.status === 'covered') total(item.reference.category).credit += item.credit;
    }
  }
  const byCategory = new Map([...totals].map(([c, t]) => [c, score(t.tags, t.reference, t.credit)]));
  const credit = [...totals.values()].reduce((sum, t) => sum + t.credit, 0);
  return { sentences: result, byCategory, overall: score(tags.length, reference.length, credit), counts };
}

function compareSentence<R extends SpanTag, S extends SpanTag>(refs: Located<R>[], mine: Located<S>[]): FeedbackItem<R, S>[] {
  const pairs: { r: Located<R>; s: Located<S>; credit: number }[] = [];
  for (const r of refs) {
    for (const s of mine) {
      const credit = r.span && s.span ? overlapCredit(r.span, s.span) : 0;
      if (credit > 0) pairs.push({ r, s, credit });
    }
  }
  pairs.sort((a, b) => b.credit - a.credit || a.r.order - b.r.order || a.s.order - b.s.order);
  const usedRefs = new Set<Located<R>>();
  const usedMine = new Set<Located<S>>();
  const items: { item: FeedbackItem<R, S>; at: number; order: number }[] = [];
  /** The credit each matched student tag has earned. */
  const earned = new Map<Located<S>, number>();
  const pair = (sameCategory: boolean) => {
    for (const { r, s, credit } of pairs) {
      if (usedRefs.has(r) || usedMine.has(s) || (r.tag.category === s.tag.category) !== sameCategory) continue;
      usedRefs.add(r);
      usedMine.add(s);
      if (sameCategory) earned.set(s, credit);
      const item: FeedbackItem<R, S> = sameCategory
        ? { status: 'matched', reference: r.tag, tag: s.tag, credit }
        : { status: 'confusion', reference: r.tag, tag: s.tag, credit: 0, overlap: credit };
      items.push({ item, at: r.tag.start, order: r.order });
    }
  };
  pair(true);
  // Step 3: the unpaired reference tags that a matched student tag covers.
  for (const r of refs) {
    if (usedRefs.has(r) || !r.span) continue;
    let best: { s: Located<S>; credit: number } | null = null;
    for (const s of mine) {
      const spent = earned.get(s);
      if (spent === undefined || !s.span || s.tag.category !== r.tag.category) continue;
      if (s.span.first > r.span.first || s.span.last < r.span.last) continue;
      const credit = Math.min(overlapCredit(r.span, s.span), 1 - spent);
      if (credit > 0 && (!best || credit > best.credit)) best = { s, credit };
    }
    if (!best) continue;
    usedRefs.add(r);
    earned.set(best.s, (earned.get(best.s) ?? 0) + best.credit);
    items.push({ item: { status: 'covered', reference: r.tag, tag: best.s.tag, credit: best.credit }, at: r.tag.start, order: r.order });
  }
  pair(false);
  for (const r of refs) if (!usedRefs.has(r)) items.push({ item: { status: 'missed', reference: r.tag, credit: 0 }, at: r.tag.start, order: r.order });
  for (const s of mine) {
    if (!usedMine.has(s)) items.push({ item: { status: 'extra', tag: s.tag, credit: 0 }, at: s.tag.start, order: refs.length + s.order });
  }
  return items.sort((a, b) => a.at - b.at || a.order - b.order).map((i) => i.item);
}

/** How the class did on one reference tag (counts only: nobody is named). */
export interface ReferenceOutcome {
  students: number;
  matched: number;
  /** Summed credit of the matches (matched / students is the share that found it at all). */
  credit: number;
  /** Category → students who tagged the span with that category instead. */
  confused: Map<string, number>;
  missed: number;
}

/** For each reference tag (by id), how many students matched it, confused it (with what) or missed it. */
export function classDistribution<R extends SpanTag, S extends SpanTag>(
  words: Range[][],
  reference: R[],
  students: S[][],
): Map<string, ReferenceOutcome> {
  const outcomes = new Map<string, ReferenceOutcome>(
    reference.map((r) => [r.id, { students: students.length, matched: 0, credit: 0, confused: new Map(), missed: 0 }]),
  );
  for (const tags of students) {
    for (const sentence of compareTags(words, reference, tags).sentences) {
      for (const item of sentence.items) {
        if (item.status === 'extra') continue;
        const outcome = outcomes.get(item.reference.id);
        if (!outcome) continue;
        if (item.status === 'matched' || item.status === 'covered') {
          outcome.matched++;
          outcome.credit += item.credit;
        } else if (item.status === 'confusion') {
          outcome.confused.set(item.tag.category, (outcome.confused.get(item.tag.category) ?? 0) + 1);
        } else outcome.missed++;
      }
    }
  }
  return outcomes;
}

/** The class's pooled scores: every student's tags, reference tags and credit summed, then the same formulas. */
export function pooledScores(feedbacks: { byCategory: Map<string, Score>; overall: Score }[]): { byCategory: Map<string, Score>; overall: Score } {
  const sums = new Map<string, { tags: number; reference: number; credit: number }>();
  const overall = { tags: 0, reference: 0, credit: 0 };
  for (const f of feedbacks) {
    for (const [c, s] of f.byCategory) {
      const t = sums.get(c) ?? { tags: 0, reference: 0, credit: 0 };
      t.tags += s.tags;
      t.reference += s.reference;
      t.credit += s.credit;
      sums.set(c, t);
    }
    overall.tags += f.overall.tags;
    overall.reference += f.overall.reference;
    overall.credit += f.overall.credit;
  }
  return {
    byCategory: new Map([...sums].map(([c, t]) => [c, score(t.tags, t.reference, t.credit)])),
    overall: score(overall.tags, overall.reference, overall.credit),
  };
}
