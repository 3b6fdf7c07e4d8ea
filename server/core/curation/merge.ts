// The automatic merge: pre-fills gold with the candidates enough of a sentence's reviewers agree
// on, marked `auto` until a curator confirms them. Pure: no I/O.
//
// For every sentence not curated (and nothing at all once the article's curation is finished):
//   - its reviewers are the annotators who tagged it or marked it reviewed (candidates.ts);
//     a sentence with fewer than `minReviewers` of them is left to the curator;
//   - a candidate (same words and category; under the overlap rule, words overlapping by a
//     word-Jaccard threshold, the most common boundaries winning, see candidates.ts) goes into
//     gold when at least k of the reviewers tagged it: k = `agree`, or, for 'majority', more than
//     half of the reviewers (⌊n/2⌋ + 1 of n);
//   - its voice is the one most of them gave (ties in the order author, quoted, paraphrase), its
//     intensity the one most of those who rated it gave (ties: the lower), null if nobody rated it.
// Re-running the merge refreshes only the `auto` spans of sentences not curated: an auto span no
// longer agreed on leaves, a newly agreed candidate comes in. It never touches a decided span
// (accepted, edited, added, contested), never adds a candidate that was rejected or whose span
// was removed, nor one that a decided span already holds (its words and category, its origin, or
// under the overlap rule a decided span of the category overlapping it by the threshold), and
// never changes anything in a curated sentence.
import { overlapCredit, wordSpan } from '../classroom/text.js';
import { checkOverlap, sourcesAt, type Candidate, type SentenceCandidates } from './candidates.js';
import { isDecided, keyOf, snapshot, variantKeys, type Actor, type Gold, type GoldSpan } from './gold.js';
import { candidateIntensity, candidateVoice, spanFromCandidate } from './operations.js';

export interface MergeSettings {
  /** 'majority': more than half of a sentence's reviewers; a number k: at least k of them. */
  agree: 'majority' | number;
  /** Word-Jaccard threshold in (0, 1] of the overlap rule; null for the exact rule (same words). */
  overlap: number | null;
  /** Sentences with fewer reviewers are left to the curator (one annotator's tags are no agreement). */
  minReviewers: number;
}

export const DEFAULT_MERGE_SETTINGS: MergeSettings = { agree: 'majority', overlap: null, minReviewers: 2 };

export function checkMergeSettings(settings: MergeSettings): void {
  if (settings.agree !== 'majority' && !(Number.isInteger(settings.agree) && settings.agree >= 1)) {
    throw new RangeError('agree must be "majority" or a whole number of annotators, at least 1');
  }
  checkOverlap(settings.overlap);
  if (!(Number.isInteger(settings.minReviewers) && settings.minReviewers >= 1)) throw new RangeError('minReviewers must be a whole number, at least 1');
}

/** How many of `reviewers` annotators must agree on a candidate. */
export function requiredAgreement(settings: MergeSettings, reviewers: number): number {
  return settings.agree === 'majority' ? Math.floor(reviewers / 2) + 1 : settings.agree;
}

export interface MergeResult {
  added: number;
  updated: number;
  removed: number;
  /** Sentences left alone: curated ones (all of them once curation is finished). */
  curatedSentences: number;
}

/** The candidates the merge would put in gold in one sentence, ignoring gold's decisions. */
export function agreedCandidates(context: SentenceCandidates, settings: MergeSettings): Candidate[] {
  const reviewers = context.reviewers.length;
  if (reviewers < settings.minReviewers) return [];
  const need = requiredAgreement(settings, reviewers);
  return context.candidates.filter((c) => c.annotators.length >= need);
}

/** Whether a decided span or a rejection already settles this candidate (see the file comment). */
function settled(candidate: Candidate, blocked: Set<string>, decided: GoldSpan[], context: SentenceCandidates): boolean {
  if (variantKeys(candidate).some((k) => blocked.has(k))) return true;
  const { overlap, words } = context;
  if (overlap === null || !words) return false;
  const at = wordSpan(words, candidate);
  if (!at) return false;
  return decided.some((s) => {
    if (s.sentence !== candidate.sentence || s.category !== candidate.category) return false;
    const w = wordSpan(words, s);
    return w !== null && overlapCredit(at, w) >= overlap;
  });
}

/**
 * Runs the merge on one article's gold, from the candidates of every sentence (index = sentence,
 * built with the same overlap rule as `settings`). New auto spans get ids from `newId`.
 */
export function mergeGold(gold: Gold, sentences: readonly SentenceCandidates[], settings: MergeSettings, actor: Actor, newId: () => string): MergeResult {
  checkMergeSettings(settings);
  const result: MergeResult = { added: 0, updated: 0, removed: 0, curatedSentences: 0 };
  if (gold.finished) return { ...result, curatedSentences: sentences.length };
  const curated = new Set(gold.curated.map((c) => c.sentence));
  const blocked = new Set<string>();
  for (const r of gold.rejections) for (const k of variantKeys(r)) blocked.add(k);
  const decidedBySentence = new Map<number, GoldSpan[]>();
  const autoBySentence = new Map<number, GoldSpan[]>();
  for (const s of gold.spans) {
    if (isDecided(s)) {
      blocked.add(keyOf(s));
      if (s.origin) for (const k of variantKeys(s.origin)) blocked.add(k);
      const list = decidedBySentence.get(s.sentence);
      if (list) list.push(s);
      else decidedBySentence.set(s.sentence, [s]);
    } else {
      const list = autoBySentence.get(s.sentence);
      if (list) list.push(s);
      else autoBySentence.set(s.sentence, [s]);
    }
  }
  const leaving = new Set<GoldSpan>();
  for (const context of sentences) {
    if (context.overlap !== settings.overlap) throw new Error('the candidates were grouped under another overlap rule than the settings');
    const sentence = context.sentence;
    if (curated.has(sentence)) {
      result.curatedSentences++;
      continue;
    }
    const decided = decidedBySentence.get(sentence) ?? [];
    const wanted = new Map<string, Candidate>();
    for (const c of agreedCandidates(context, settings)) if (!settled(c, blocked, decided, context)) wanted.set(keyOf(c), c);
    for (const span of autoBySentence.get(sentence) ?? []) {
      const key = keyOf(span);
      const candidate = wanted.get(key);
      if (!candidate) {
        leaving.add(span);
        gold.history.push({ at: actor.at, by: actor.by, action: 'merge-remove', span: span.id, sentence, before: snapshot(span), after: null, candidate: null, reason: '' });
        result.removed++;
        continue;
      }
      wanted.delete(key);
      if (refresh(gold, span, context, candidate, actor)) result.updated++;
    }
    for (const candidate of wanted.values()) {
      const span = spanFromCandidate(context, candidate, newId(), 'auto', actor, true);
      gold.spans.push(span);
      gold.history.push({ at: actor.at, by: actor.by, action: 'merge-add', span: span.id, sentence, before: null, after: snapshot(span), candidate: null, reason: '' });
      result.added++;
    }
  }
  if (leaving.size > 0) gold.spans = gold.spans.filter((s) => !leaving.has(s));
  if (result.added + result.updated + result.removed > 0) gold.updatedAt = actor.at;
  return result;
}

/** Brings an auto span up to date with its candidate; true (and an event) if anything changed. */
function refresh(gold: Gold, span: GoldSpan, context: SentenceCandidates, candidate: Candidate, actor: Actor): boolean {
  const before = snapshot(span);
  const next = {
    voice: candidateVoice(candidate),
    intensity: candidateIntensity(candidate),
    reviewers: [...context.reviewers],
    sources: sourcesAt(context, candidate),
    variants: candidate.variants.map((v) => ({ start: v.start, end: v.end })),
  };
  const same =
    span.voice === next.voice &&
    span.intensity === next.intensity &&
    JSON.stringify(span.reviewers) === JSON.stringify(next.reviewers) &&
    JSON.stringify(span.sources) === JSON.stringify(next.sources) &&
    JSON.stringify(span.origin?.variants ?? []) === JSON.stringify(next.variants);
  if (same) return false;
  span.voice = next.voice;
  span.intensity = next.intensity;
  span.reviewers = next.reviewers;
  span.sources = next.sources;
  if (span.origin) span.origin.variants = next.variants;
  span.updatedAt = actor.at;
  gold.history.push({ at: actor.at, by: actor.by, action: 'merge-update', span: span.id, sentence: span.sentence, before, after: snapshot(span), candidate: null, reason: '' });
  return true;
}
