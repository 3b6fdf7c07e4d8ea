// A curator's decisions on an article's gold standard. Each operation checks its arguments,
// changes `gold` in place and appends one event to its history (who, when, the span before and
// after); a broken rule throws RuleError with a message for the curator, and leaves gold as it
// was. Pure: no I/O, no clock, no random ids (the caller passes the actor's time and new ids).
//
// Decided spans (every status but `auto`), rejections and curated sentences are what the
// automatic merge never overwrites (merge.ts).
import type { Intensity, Range, Voice } from '../model.js';
import { VOICES } from '../model.js';
import { RuleError, checkSpan, type TagFields } from '../spans.js';
import { findCandidate, sourcesAt, type Candidate, type SentenceCandidates } from './candidates.js';
import {
  keyOf,
  snapshot,
  variantKeys,
  type Actor,
  type Contest,
  type Gold,
  type GoldAction,
  type GoldEvent,
  type GoldSpan,
  type SpanKey,
} from './gold.js';

export const MAX_NOTE = 2000;
export const MAX_REASON = 500;
export const MAX_CATEGORY = 64;
/** Gold spans on one article: far above real use, as the annotators' own limit (spans.ts). */
export const MAX_GOLD_SPANS = 5000;

/** What a curator sets on a gold span. */
export type GoldFields = TagFields;

function record(gold: Gold, actor: Actor, event: Omit<GoldEvent, 'at' | 'by'>): void {
  gold.history.push({ at: actor.at, by: actor.by, ...event });
  gold.updatedAt = actor.at;
}

function event(action: GoldAction, fields: Partial<Omit<GoldEvent, 'at' | 'by' | 'action'>> = {}): Omit<GoldEvent, 'at' | 'by'> {
  return { action, span: null, sentence: null, before: null, after: null, candidate: null, reason: '', ...fields };
}

/** Records the curator's decision on the span. */
function decide(span: GoldSpan, actor: Actor): void {
  span.decidedBy = actor.by;
  span.decidedAt = actor.at;
  span.updatedAt = actor.at;
}

function findSpan(gold: Gold, spanId: string): GoldSpan {
  const span = gold.spans.find((s) => s.id === spanId);
  if (!span) throw new RuleError('That gold span no longer exists.');
  return span;
}

function checkActor(actor: Actor): void {
  if (!actor.by || !actor.at) throw new Error('a change needs who made it and when');
}

function checkFields(fields: GoldFields, sentence: Range): void {
  checkSpan(sentence, fields);
  if (!fields.category || fields.category.length > MAX_CATEGORY) throw new RuleError('Choose a category.');
  if (!VOICES.includes(fields.voice)) throw new RuleError('Choose whose voice the span is in.');
  if (fields.intensity !== null && ![1, 2, 3].includes(fields.intensity)) throw new RuleError('Intensity is 1, 2 or 3, or not rated.');
  if (fields.note.length > MAX_NOTE) throw new RuleError(`A note has at most ${MAX_NOTE} characters.`);
}

/** A gold span with the same words and category as `key` (other than `except`), if any. */
function sameKey(gold: Gold, key: SpanKey, except?: GoldSpan): GoldSpan | undefined {
  const k = keyOf(key);
  return gold.spans.find((s) => s !== except && keyOf(s) === k);
}

function checkUnique(gold: Gold, key: SpanKey, except?: GoldSpan): void {
  if (sameKey(gold, key, except)) throw new RuleError('The gold standard already has exactly this span with this category.');
}

function checkRoom(gold: Gold): void {
  if (gold.spans.length >= MAX_GOLD_SPANS) throw new RuleError(`This article's gold standard already has ${MAX_GOLD_SPANS} spans, the most it may hold.`);
}

/** Drops the rejections of this candidate (the curator changed their mind). */
function forgetRejection(gold: Gold, candidate: SpanKey & { variants: Range[] }): void {
  const keys = new Set(variantKeys(candidate));
  gold.rejections = gold.rejections.filter((r) => !variantKeys(r).some((k) => keys.has(k)));
}

function rememberRejection(gold: Gold, candidate: SpanKey & { variants: Range[] }, actor: Actor): void {
  const key = keyOf(candidate);
  if (gold.rejections.some((r) => keyOf(r) === key)) return;
  gold.rejections.push({
    sentence: candidate.sentence,
    start: candidate.start,
    end: candidate.end,
    category: candidate.category,
    variants: candidate.variants.map((v) => ({ start: v.start, end: v.end })),
    by: actor.by,
    at: actor.at,
  });
}

/** The most given voice of a candidate's annotators (ties in VOICES order). */
export function candidateVoice(candidate: Candidate): Voice {
  return candidate.voices[0]?.voice ?? 'author';
}

/** The most given intensity among those who rated it (ties: the lower); null when nobody rated it. */
export function candidateIntensity(candidate: Candidate): Intensity | null {
  return candidate.intensities.find((x) => x.intensity !== null)?.intensity ?? null;
}

/** A new gold span from a candidate, with its provenance. */
export function spanFromCandidate(
  context: SentenceCandidates,
  candidate: Candidate,
  id: string,
  status: GoldSpan['status'],
  actor: Actor,
  fromMerge: boolean,
): GoldSpan {
  const decided = status !== 'auto';
  return {
    id,
    sentence: candidate.sentence,
    start: candidate.start,
    end: candidate.end,
    category: candidate.category,
    voice: candidateVoice(candidate),
    intensity: candidateIntensity(candidate),
    note: '',
    status,
    fromMerge,
    origin: {
      sentence: candidate.sentence,
      start: candidate.start,
      end: candidate.end,
      category: candidate.category,
      variants: candidate.variants.map((v) => ({ start: v.start, end: v.end })),
    },
    reviewers: [...context.reviewers],
    sources: sourcesAt(context, candidate),
    decidedBy: decided ? actor.by : null,
    decidedAt: decided ? actor.at : null,
    contest: null,
    createdAt: actor.at,
    updatedAt: actor.at,
  };
}

function candidateOf(context: SentenceCandidates, key: SpanKey): Candidate {
  if (key.sentence !== context.sentence) throw new Error('the candidate is not from this sentence');
  const candidate = findCandidate(context, key);
  if (!candidate) throw new RuleError('No annotator tagged that span any more; reload the sentence.');
  return candidate;
}

/**
 * Accepts a candidate into gold. An `auto` span of it is confirmed (`accepted`); otherwise a new
 * span is made from it (new id `id`). A rejection of the candidate is withdrawn.
 */
export function acceptCandidate(gold: Gold, context: SentenceCandidates, key: SpanKey, actor: Actor, id: string): GoldSpan {
  checkActor(actor);
  const candidate = candidateOf(context, key);
  const existing = sameKey(gold, candidate);
  if (existing && existing.status !== 'auto') throw new RuleError('That span is already in the gold standard.');
  const edited = gold.spans.find((s) => s !== existing && s.origin && keyOf(s.origin) === keyOf(candidate));
  if (edited) throw new RuleError('The gold standard already holds this candidate, edited: change that span instead.');
  if (!existing) checkRoom(gold);
  forgetRejection(gold, candidate);
  if (existing) {
    const before = snapshot(existing);
    existing.status = 'accepted';
    existing.reviewers = [...context.reviewers];
    existing.sources = sourcesAt(context, candidate);
    decide(existing, actor);
    record(gold, actor, event('accept', { span: existing.id, sentence: existing.sentence, before, after: snapshot(existing) }));
    return existing;
  }
  const span = spanFromCandidate(context, candidate, id, 'accepted', actor, false);
  gold.spans.push(span);
  record(gold, actor, event('accept', { span: span.id, sentence: span.sentence, after: snapshot(span) }));
  return span;
}

/**
 * Rejects a candidate: it is recorded so that the merge never adds it back, and any gold span
 * holding it (by its words and category, or as its origin) leaves gold.
 */
export function rejectCandidate(gold: Gold, context: SentenceCandidates, key: SpanKey, actor: Actor): void {
  checkActor(actor);
  const candidate = candidateOf(context, key);
  const keys = new Set(variantKeys(candidate));
  const held = gold.spans.filter((s) => keys.has(keyOf(s)) || (s.origin !== null && keyOf(s.origin) === keyOf(candidate)));
  rememberRejection(gold, candidate, actor);
  gold.spans = gold.spans.filter((s) => !held.includes(s));
  const { sentence, start, end, category } = candidate;
  if (held.length === 0) record(gold, actor, event('reject', { sentence, candidate: { sentence, start, end, category } }));
  for (const s of held) {
    record(gold, actor, event('reject', { span: s.id, sentence, before: snapshot(s), candidate: { sentence, start, end, category } }));
  }
}

/**
 * Changes a gold span's words, category, voice, intensity or note (`sentence` = its sentence's
 * range). It becomes `edited`; a span the curator added stays `added`, a contested one stays
 * contested.
 */
export function editSpan(gold: Gold, spanId: string, fields: GoldFields, sentence: Range, actor: Actor): GoldSpan {
  checkActor(actor);
  const span = findSpan(gold, spanId);
  checkFields(fields, sentence);
  checkUnique(gold, { sentence: span.sentence, ...fields }, span);
  if (span.contest && !span.contest.categories.includes(fields.category)) {
    throw new RuleError('A contested span keeps one of its competing categories; resolve the contest to choose another.');
  }
  const before = snapshot(span);
  const status = span.status === 'added' || span.status === 'contested' ? span.status : 'edited';
  Object.assign(span, pick(fields));
  span.status = status;
  decide(span, actor);
  record(gold, actor, event('edit', { span: span.id, sentence: span.sentence, before, after: snapshot(span) }));
  return span;
}

function pick(fields: GoldFields): GoldFields {
  return { start: fields.start, end: fields.end, category: fields.category, voice: fields.voice, intensity: fields.intensity, note: fields.note };
}

/**
 * Adds a span no candidate gave (status `added`). `context`, when given, records the reviewers'
 * tags at that place (of other categories or boundaries) as its provenance.
 */
export function addSpan(
  gold: Gold,
  sentenceIndex: number,
  fields: GoldFields,
  sentence: Range,
  actor: Actor,
  id: string,
  context?: SentenceCandidates,
): GoldSpan {
  checkActor(actor);
  if (!Number.isInteger(sentenceIndex) || sentenceIndex < 0) throw new RuleError('Choose a sentence.');
  if (context && context.sentence !== sentenceIndex) throw new Error('the context is not from this sentence');
  checkFields(fields, sentence);
  checkUnique(gold, { sentence: sentenceIndex, ...fields });
  checkRoom(gold);
  const span: GoldSpan = {
    id,
    sentence: sentenceIndex,
    ...pick(fields),
    status: 'added',
    fromMerge: false,
    origin: null,
    reviewers: context ? [...context.reviewers] : [],
    sources: context ? sourcesAt(context, fields) : [],
    decidedBy: actor.by,
    decidedAt: actor.at,
    contest: null,
    createdAt: actor.at,
    updatedAt: actor.at,
  };
  gold.spans.push(span);
  record(gold, actor, event('add', { span: id, sentence: sentenceIndex, after: snapshot(span) }));
  return span;
}

export interface ContestInput {
  /** The competing categories; the span's own is added if missing. At least two in all. */
  categories: string[];
  reason: string;
}

function contestOf(span: GoldSpan, input: ContestInput): Contest {
  const categories = [...new Set([span.category, ...input.categories.map((c) => c.trim()).filter((c) => c !== '')])];
  if (categories.some((c) => c.length > MAX_CATEGORY)) throw new RuleError('Choose the competing categories.');
  if (categories.length < 2) throw new RuleError('A contested span needs at least two competing categories.');
  const reason = input.reason.trim();
  if (reason === '') throw new RuleError('Say briefly why the span is contested.');
  if (reason.length > MAX_REASON) throw new RuleError(`A reason has at most ${MAX_REASON} characters.`);
  const previous = span.status === 'contested' ? (span.contest?.previous ?? 'accepted') : span.status === 'auto' ? 'accepted' : span.status;
  return { categories, reason, previous };
}

/** Marks a gold span contested (or changes its contest): competing categories and a reason are kept. */
export function markContested(gold: Gold, spanId: string, input: ContestInput, actor: Actor): GoldSpan {
  checkActor(actor);
  const span = findSpan(gold, spanId);
  const contest = contestOf(span, input);
  const before = snapshot(span);
  span.status = 'contested';
  span.contest = contest;
  decide(span, actor);
  record(gold, actor, event('contest', { span: span.id, sentence: span.sentence, before, after: snapshot(span), reason: contest.reason }));
  return span;
}

/** Puts a candidate into gold as contested at once (one event): the usual case of a split vote. */
export function contestCandidate(gold: Gold, context: SentenceCandidates, key: SpanKey, input: ContestInput, actor: Actor, id: string): GoldSpan {
  checkActor(actor);
  const candidate = candidateOf(context, key);
  const existing = sameKey(gold, candidate);
  if (existing) return markContested(gold, existing.id, input, actor);
  checkRoom(gold);
  const span = spanFromCandidate(context, candidate, id, 'accepted', actor, false);
  const contest = contestOf(span, input);
  span.status = 'contested';
  span.contest = contest;
  forgetRejection(gold, candidate);
  gold.spans.push(span);
  record(gold, actor, event('contest', { span: span.id, sentence: span.sentence, after: snapshot(span), reason: contest.reason }));
  return span;
}

/**
 * Settles a contest on one category (one of the competing ones). The span gets its status from
 * before the contest back if its category is unchanged, else `edited` (`added` stays `added`).
 */
export function resolveContest(gold: Gold, spanId: string, category: string, actor: Actor, reason = ''): GoldSpan {
  checkActor(actor);
  const span = findSpan(gold, spanId);
  const contest = span.contest;
  if (span.status !== 'contested' || !contest) throw new RuleError('That span is not contested.');
  if (!contest.categories.includes(category)) throw new RuleError('Choose one of the competing categories.');
  if (reason.length > MAX_REASON) throw new RuleError(`A reason has at most ${MAX_REASON} characters.`);
  checkUnique(gold, { ...span, category }, span);
  const before = snapshot(span);
  const status = category === span.category || contest.previous === 'added' ? contest.previous : 'edited';
  span.category = category;
  span.status = status;
  span.contest = null;
  decide(span, actor);
  record(gold, actor, event('resolve', { span: span.id, sentence: span.sentence, before, after: snapshot(span), reason: reason.trim() }));
  return span;
}

/**
 * Removes a span from gold. Its candidate (and its own words and category) are recorded as
 * rejected, so the merge never adds it back.
 */
export function removeSpan(gold: Gold, spanId: string, actor: Actor): void {
  checkActor(actor);
  const span = findSpan(gold, spanId);
  if (span.origin) rememberRejection(gold, span.origin, actor);
  rememberRejection(gold, { sentence: span.sentence, start: span.start, end: span.end, category: span.category, variants: [] }, actor);
  gold.spans = gold.spans.filter((s) => s !== span);
  record(gold, actor, event('remove', { span: span.id, sentence: span.sentence, before: snapshot(span) }));
}

function checkSentence(sentence: number, sentenceCount: number): void {
  if (!Number.isInteger(sentence) || sentence < 0 || sentence >= sentenceCount) throw new RuleError('That sentence does not exist.');
}

/** "Mark sentence curated": the merge leaves it alone from now on. */
export function markSentenceCurated(gold: Gold, sentence: number, sentenceCount: number, actor: Actor): void {
  checkActor(actor);
  checkSentence(sentence, sentenceCount);
  if (gold.curated.some((c) => c.sentence === sentence)) return;
  gold.curated.push({ sentence, by: actor.by, at: actor.at });
  gold.curated.sort((a, b) => a.sentence - b.sentence);
  record(gold, actor, event('curate', { sentence }));
}

export function unmarkSentenceCurated(gold: Gold, sentence: number, sentenceCount: number, actor: Actor): void {
  checkActor(actor);
  checkSentence(sentence, sentenceCount);
  if (!gold.curated.some((c) => c.sentence === sentence)) return;
  gold.curated = gold.curated.filter((c) => c.sentence !== sentence);
  record(gold, actor, event('uncurate', { sentence }));
}

/** "Curation finished" for the article: every sentence counts as curated. */
export function finishCuration(gold: Gold, actor: Actor): void {
  checkActor(actor);
  if (gold.finished) return;
  gold.finished = { by: actor.by, at: actor.at };
  record(gold, actor, event('finish'));
}

export function reopenCuration(gold: Gold, actor: Actor): void {
  checkActor(actor);
  if (!gold.finished) return;
  gold.finished = null;
  record(gold, actor, event('reopen'));
}
