// The gold standard of one article: the spans a curator settled on, where each came from, and
// every change made to it. Plain JSON-serialisable data; the operations that change it live in
// operations.ts (a curator's decisions) and merge.ts (the automatic merge). Pure: no I/O.
//
// Stored as one file per article (gold/<articleId>.json, `{ schemaVersion: 1, data: Gold }`,
// parsed by schema.ts).
import type { Range, SpanFields } from '../model.js';

export const GOLD_SCHEMA_VERSION = 1;

/** The annotator id under which gold appears wherever an annotation layer is expected. */
export const GOLD_ANNOTATOR = 'gold';

/**
 * - `auto`: put in gold by the automatic merge, not yet confirmed by a curator;
 * - `accepted`: a candidate (annotators' span) the curator accepted as it was;
 * - `edited`: the curator changed its words, category, voice, intensity or note;
 * - `added`: a span the curator added that came from no candidate;
 * - `contested`: the curator kept it as a disagreement (competing categories and a reason).
 */
export type GoldStatus = 'auto' | 'accepted' | 'edited' | 'added' | 'contested';
export const GOLD_STATUSES: readonly GoldStatus[] = ['auto', 'accepted', 'edited', 'added', 'contested'];

/** A candidate's identity: its sentence, its boundaries (UTF-16 offsets into the article) and category. */
export interface SpanKey {
  sentence: number;
  start: number;
  end: number;
  category: string;
}

/** One annotator's tag behind a gold span, as it was when the span was decided or merged. */
export interface SourceTag extends Omit<SpanFields, 'sentence' | 'note'> {
  annotatorId: string;
  tagId: string;
}

/** The candidate a gold span came from: its key and every boundary grouped in it. */
export interface Origin extends SpanKey {
  /** The annotators' boundaries that counted as this candidate (just its own under the exact rule). */
  variants: Range[];
}

export interface Contest {
  /** The categories in competition, at least two, the span's own among them. */
  categories: string[];
  /** Why the curator left it open (a short text). */
  reason: string;
  /** The span's status before it was contested, restored when the contest is resolved unchanged. */
  previous: Exclude<GoldStatus, 'contested'>;
}

export interface GoldSpan extends SpanFields {
  id: string;
  status: GoldStatus;
  /** Whether the automatic merge first put it in gold (kept after a curator confirms or edits it). */
  fromMerge: boolean;
  /** The candidate it came from; null for a span the curator added. */
  origin: Origin | null;
  /** The annotators who reviewed the sentence when the span was decided (the denominator of `sources`). */
  reviewers: string[];
  /** Every reviewer's tag at this place (same words, or overlapping under the overlap rule), any category. */
  sources: SourceTag[];
  /** The curator who last decided it, and when; null while it is `auto`. */
  decidedBy: string | null;
  decidedAt: string | null;
  /** Set exactly when `status` is `contested`. */
  contest: Contest | null;
  createdAt: string;
  updatedAt: string;
}

/** A candidate the curator rejected (or a gold span removed): the merge never adds it back. */
export interface Rejection extends SpanKey {
  variants: Range[];
  by: string;
  at: string;
}

export interface SentenceCuration {
  sentence: number;
  by: string;
  at: string;
}

/** What a history event records of a span: everything but its provenance and timestamps. */
export interface SpanSnapshot extends SpanFields {
  status: GoldStatus;
  contest: Contest | null;
}

export type GoldAction =
  | 'merge-add'
  | 'merge-update'
  | 'merge-remove'
  | 'accept'
  | 'reject'
  | 'edit'
  | 'add'
  | 'contest'
  | 'resolve'
  | 'remove'
  | 'curate'
  | 'uncurate'
  | 'finish'
  | 'reopen';
export const GOLD_ACTIONS: readonly GoldAction[] = [
  'merge-add', 'merge-update', 'merge-remove', 'accept', 'reject', 'edit', 'add', 'contest', 'resolve', 'remove',
  'curate', 'uncurate', 'finish', 'reopen',
];

/** One change to the gold standard: who, when, what, and the span before and after. */
export interface GoldEvent {
  at: string;
  by: string;
  action: GoldAction;
  /** The span changed, if any. */
  span: string | null;
  sentence: number | null;
  before: SpanSnapshot | null;
  after: SpanSnapshot | null;
  /** The candidate a rejection was about, when no gold span held it. */
  candidate: SpanKey | null;
  /** A contest's or resolution's reason; empty otherwise. */
  reason: string;
}

export interface Gold {
  articleId: string;
  spans: GoldSpan[];
  rejections: Rejection[];
  /** Sentences marked curated, by sentence. */
  curated: SentenceCuration[];
  /** "Curation finished" for the whole article. */
  finished: { by: string; at: string } | null;
  /** Every change, oldest first. Never rewritten. */
  history: GoldEvent[];
  updatedAt: string;
}

/** Who makes a change, and when (ISO time). */
export interface Actor {
  by: string;
  at: string;
}

export function emptyGold(articleId: string): Gold {
  return { articleId, spans: [], rejections: [], curated: [], finished: null, history: [], updatedAt: '' };
}

/** The change that replaces an article's gold as a whole with `gold` (an import); refused for another article's gold. */
export function replacementBy(articleId: string, gold: Gold): (current: Gold) => void {
  if (gold.articleId !== articleId) throw new Error('the gold belongs to another article');
  return (current) => {
    Object.assign(current, structuredClone(gold));
  };
}

export function keyOf(span: SpanKey): string {
  return `${span.sentence}:${span.start}:${span.end}:${span.category}`;
}

/** The keys a recorded candidate stands for: its own boundaries and every variant, with its category. */
export function variantKeys(origin: SpanKey & { variants: Range[] }): string[] {
  const keys = new Set([keyOf(origin)]);
  for (const v of origin.variants) keys.add(keyOf({ sentence: origin.sentence, start: v.start, end: v.end, category: origin.category }));
  return [...keys];
}

export function snapshot(span: GoldSpan): SpanSnapshot {
  return {
    sentence: span.sentence,
    start: span.start,
    end: span.end,
    category: span.category,
    voice: span.voice,
    intensity: span.intensity,
    note: span.note,
    status: span.status,
    contest: span.contest && { ...span.contest, categories: [...span.contest.categories] },
  };
}

/** The history of one span, oldest first. */
export function spanHistory(gold: Gold, spanId: string): GoldEvent[] {
  return gold.history.filter((e) => e.span === spanId);
}

export function isCurated(gold: Gold, sentence: number): boolean {
  return gold.finished !== null || gold.curated.some((c) => c.sentence === sentence);
}

/** Whether a curator has decided the span (everything but `auto`). */
export function isDecided(span: GoldSpan): boolean {
  return span.status !== 'auto';
}
