// Candidates for gold: the spans the annotators who reviewed a sentence tagged in it, grouped by
// words and category, each with how many of those reviewers tagged it and with which voices and
// intensities. Pure: annotations in, plain data out.
//
// Grouping. Under the exact rule (overlap = null) a candidate is one (start, end, category): tags
// with the same boundaries and category. Under the overlap rule (a word-Jaccard threshold t in
// (0, 1]) tags of one category whose words overlap by at least t count as the same candidate:
//   1. the distinct boundaries of the category are ordered by how many annotators used them
//      (most first), then by start, then by end (earlier first: the tie-break is deterministic);
//   2. taking them in that order, a boundary not yet grouped opens a group and becomes its
//      boundaries (the most common boundaries win); every later boundary not yet grouped whose
//      words overlap it by Jaccard ≥ t (|shared words| / |words in either|) joins that group.
// A boundary that touches no word only groups with itself. An annotator counts once per
// candidate, however many of their tags it holds.
import type { Annotation, Intensity, Range, Voice } from '../model.js';
import { VOICES } from '../model.js';
import { reviewedSentences } from '../spans.js';
import { overlapCredit, wordSpan, type WordSpan } from '../classroom/text.js';
import type { SourceTag, SpanKey } from './gold.js';

export interface Candidate extends SpanKey {
  /** Every distinct boundary grouped in the candidate, by start then end (just its own under the exact rule). */
  variants: Range[];
  /** The reviewers who tagged it, sorted. */
  annotators: string[];
  /** Every tag grouped in it. */
  votes: SourceTag[];
  /** How many of its annotators gave each voice (most first, ties in VOICES order). */
  voices: { voice: Voice; count: number }[];
  /** How many gave each intensity, null = not rated (most first, ties: 1, 2, 3, then null). */
  intensities: { intensity: Intensity | null; count: number }[];
}

export interface SentenceCandidates {
  sentence: number;
  /** The annotators who reviewed the sentence (tagged it or marked it reviewed), sorted. */
  reviewers: string[];
  /** Every reviewer's tag in the sentence. */
  tags: SourceTag[];
  /** By start, end, then category. */
  candidates: Candidate[];
  /** The word-Jaccard threshold of the overlap rule, or null for the exact rule. */
  overlap: number | null;
  /** The sentence's words (needed by the overlap rule; null under the exact rule). */
  words: Range[] | null;
}

export interface CandidateOptions {
  /** Word-Jaccard threshold in (0, 1] of the overlap rule; null (default) for exact boundaries. */
  overlap?: number | null;
  /** The words of sentence s (as segmentation's `words` gives them); required by the overlap rule. */
  words?: (sentence: number) => Range[];
}

export function checkOverlap(overlap: number | null): void {
  if (overlap !== null && !(overlap > 0 && overlap <= 1)) throw new RangeError('the overlap threshold must be in (0, 1]');
}

/** A tag as a source: the fields provenance keeps. */
export function sourceOf(tag: { id: string; annotatorId: string; start: number; end: number; category: string; voice: Voice; intensity: Intensity | null }): SourceTag {
  return { annotatorId: tag.annotatorId, tagId: tag.id, start: tag.start, end: tag.end, category: tag.category, voice: tag.voice, intensity: tag.intensity };
}

interface Boundary {
  start: number;
  end: number;
  words: WordSpan | null;
  votes: SourceTag[];
  annotators: Set<string>;
}

/**
 * Groups boundaries by the rule in the file comment. Returns groups whose first member is the
 * group's boundaries (the most common).
 */
export function groupBoundaries<B extends { start: number; end: number; words: WordSpan | null; annotators: Set<string> }>(
  boundaries: B[],
  overlap: number | null,
): B[][] {
  if (overlap === null) return boundaries.map((b) => [b]);
  const ordered = [...boundaries].sort((a, b) => b.annotators.size - a.annotators.size || a.start - b.start || a.end - b.end);
  const taken = new Set<B>();
  const groups: B[][] = [];
  for (const head of ordered) {
    if (taken.has(head)) continue;
    taken.add(head);
    const group = [head];
    if (head.words) {
      for (const other of ordered) {
        if (taken.has(other) || !other.words || overlapCredit(head.words, other.words) < overlap) continue;
        taken.add(other);
        group.push(other);
      }
    }
    groups.push(group);
  }
  return groups;
}

/** Code-unit order: the same on every machine, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byStart(a: Range, b: Range): number {
  return a.start - b.start || a.end - b.end;
}

function countVoices(votes: SourceTag[]): { voice: Voice; count: number }[] {
  return VOICES.map((voice) => ({ voice, count: new Set(votes.filter((v) => v.voice === voice).map((v) => v.annotatorId)).size }))
    .filter((x) => x.count > 0)
    .sort((a, b) => b.count - a.count || VOICES.indexOf(a.voice) - VOICES.indexOf(b.voice));
}

const INTENSITY_ORDER: (Intensity | null)[] = [1, 2, 3, null];

function countIntensities(votes: SourceTag[]): { intensity: Intensity | null; count: number }[] {
  return INTENSITY_ORDER.map((intensity) => ({ intensity, count: new Set(votes.filter((v) => v.intensity === intensity).map((v) => v.annotatorId)).size }))
    .filter((x) => x.count > 0)
    .sort((a, b) => b.count - a.count || INTENSITY_ORDER.indexOf(a.intensity) - INTENSITY_ORDER.indexOf(b.intensity));
}

/** The candidates of one sentence from its reviewers and their tags on it. */
export function groupCandidates(sentence: number, reviewers: string[], tags: SourceTag[], overlap: number | null, words: Range[] | null): SentenceCandidates {
  checkOverlap(overlap);
  if (overlap !== null && !words) throw new Error('the overlap rule needs the sentence words');
  // One order for the tags whatever order the annotations came in: provenance lists them so.
  const sorted = [...tags].sort((a, b) => compareText(a.annotatorId, b.annotatorId) || byStart(a, b) || compareText(a.category, b.category) || compareText(a.tagId, b.tagId));
  const byCategory = new Map<string, Map<string, Boundary>>();
  for (const tag of sorted) {
    let boundaries = byCategory.get(tag.category);
    if (!boundaries) byCategory.set(tag.category, (boundaries = new Map()));
    const at = `${tag.start}:${tag.end}`;
    let b = boundaries.get(at);
    if (!b) {
      b = { start: tag.start, end: tag.end, words: overlap !== null && words ? wordSpan(words, tag) : null, votes: [], annotators: new Set() };
      boundaries.set(at, b);
    }
    b.votes.push(tag);
    b.annotators.add(tag.annotatorId);
  }
  const candidates: Candidate[] = [];
  for (const [category, boundaries] of byCategory) {
    for (const group of groupBoundaries([...boundaries.values()], overlap)) {
      const head = group[0];
      if (!head) continue;
      const votes = group.flatMap((b) => b.votes).sort((a, b) => compareText(a.annotatorId, b.annotatorId) || byStart(a, b));
      candidates.push({
        sentence,
        start: head.start,
        end: head.end,
        category,
        variants: group.map((b) => ({ start: b.start, end: b.end })).sort(byStart),
        annotators: [...new Set(votes.map((v) => v.annotatorId))].sort(compareText),
        votes,
        voices: countVoices(votes),
        intensities: countIntensities(votes),
      });
    }
  }
  candidates.sort((a, b) => byStart(a, b) || compareText(a.category, b.category));
  return { sentence, reviewers, tags: sorted, candidates, overlap, words: overlap === null ? null : words };
}

/**
 * The candidates of every sentence of an article (index = sentence), from the annotations of the
 * annotators who count (the caller leaves out anyone else, e.g. non-members): one pass over the tags.
 */
export function articleCandidates(annotations: readonly Annotation[], sentenceCount: number, options: CandidateOptions = {}): SentenceCandidates[] {
  const overlap = options.overlap ?? null;
  checkOverlap(overlap);
  if (overlap !== null && !options.words) throw new Error('the overlap rule needs the sentence words');
  const reviewers: string[][] = Array.from({ length: sentenceCount }, () => []);
  const tags: SourceTag[][] = Array.from({ length: sentenceCount }, () => []);
  const ordered = [...annotations].sort((a, b) => compareText(a.annotatorId, b.annotatorId));
  for (const annotation of ordered) {
    for (const s of reviewedSentences(annotation)) reviewers[s]?.push(annotation.annotatorId);
    for (const tag of annotation.tags) tags[tag.sentence]?.push(sourceOf(tag));
  }
  return reviewers.map((who, s) =>
    groupCandidates(s, [...new Set(who)], tags[s] ?? [], overlap, overlap === null ? null : (options.words?.(s) ?? [])),
  );
}

/** The candidates of one sentence (see {@link articleCandidates}). */
export function sentenceCandidates(annotations: readonly Annotation[], sentence: number, options: CandidateOptions = {}): SentenceCandidates {
  const overlap = options.overlap ?? null;
  const reviewers = annotations.filter((a) => reviewedSentences(a).has(sentence)).map((a) => a.annotatorId);
  const tags = annotations.flatMap((a) => a.tags.filter((t) => t.sentence === sentence).map(sourceOf));
  const words = overlap === null ? null : (options.words?.(sentence) ?? null);
  return groupCandidates(sentence, [...new Set(reviewers)].sort(compareText), tags, overlap, words);
}

/**
 * Every reviewer's tag at the place of `span`, of any category: the same boundaries under the
 * exact rule, words overlapping by Jaccard ≥ the threshold under the overlap rule.
 */
export function sourcesAt(context: SentenceCandidates, span: Range): SourceTag[] {
  if (context.overlap === null || !context.words) return context.tags.filter((t) => t.start === span.start && t.end === span.end);
  const words = context.words;
  const at = wordSpan(words, span);
  const overlap = context.overlap;
  if (!at) return context.tags.filter((t) => t.start === span.start && t.end === span.end);
  return context.tags.filter((t) => {
    const w = wordSpan(words, t);
    return w !== null && overlapCredit(at, w) >= overlap;
  });
}

/** The candidate of `context` with exactly this key, if any. */
export function findCandidate(context: SentenceCandidates, key: SpanKey): Candidate | undefined {
  return context.candidates.find((c) => c.start === key.start && c.end === key.end && c.category === key.category);
}
