// The provenance columns of gold in the tag exports (CSV and JSONL): gold's tag records are those
// of its annotation layer (layer.ts through core/export/tags.ts, annotator "gold"), each with
// five columns more:
//   agreed_by             the annotators who tagged the span's place with its category (names, sorted),
//                         as recorded when it was decided (an edit keeps who agreed on its candidate)
//   auto                  put in gold by the automatic merge and not yet confirmed by a curator
//   curator               who last decided it ('' while auto)
//   contested             kept as a disagreement
//   competing_categories  the categories in competition when contested (else empty)
// In JSONL agreed_by and competing_categories are arrays and auto and contested booleans; in CSV
// the lists are joined with '|' (account names hold no '|') and the booleans are `true`/`false`.
import type { Gold, GoldSpan } from './gold.js';

export const PROVENANCE_COLUMNS = ['agreed_by', 'auto', 'curator', 'contested', 'competing_categories'] as const;
export type ProvenanceColumn = (typeof PROVENANCE_COLUMNS)[number];

export interface Provenance {
  agreed_by: string[];
  auto: boolean;
  curator: string;
  contested: boolean;
  competing_categories: string[];
}

export type ProvenanceCsv = Record<ProvenanceColumn, string>;

export function provenanceOf(span: GoldSpan, name: (id: string) => string): Provenance {
  const agreed = new Set(span.sources.filter((s) => s.category === span.category).map((s) => name(s.annotatorId)));
  return {
    agreed_by: [...agreed].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    auto: span.status === 'auto',
    curator: span.decidedBy === null ? '' : name(span.decidedBy),
    contested: span.status === 'contested',
    competing_categories: span.contest ? [...span.contest.categories] : [],
  };
}

export function provenanceCsv(p: Provenance): ProvenanceCsv {
  return {
    agreed_by: p.agreed_by.join('|'),
    auto: String(p.auto),
    curator: p.curator,
    contested: String(p.contested),
    competing_categories: p.competing_categories.join('|'),
  };
}

/** A tag record's place: what finds its gold span (gold holds one span per words and category). */
export interface RecordPlace {
  article: string;
  start: number;
  end: number;
  category: string;
}

/** Finds the gold span behind a tag record of the gold layer. */
export function goldSpanFinder(golds: Iterable<Gold>): (record: RecordPlace) => GoldSpan | undefined {
  const spans = new Map<string, GoldSpan>();
  for (const gold of golds) for (const s of gold.spans) spans.set(`${gold.articleId}\u0000${s.start}:${s.end}:${s.category}`, s);
  return (r) => spans.get(`${r.article}\u0000${r.start}:${r.end}:${r.category}`);
}

function spanOf(find: (record: RecordPlace) => GoldSpan | undefined, r: RecordPlace): GoldSpan {
  const span = find(r);
  if (!span) throw new Error(`no gold span behind the record at ${r.start}-${r.end} (${r.category}) of article ${r.article}`);
  return span;
}

/**
 * The gold layer's tag records (from core/export/tags.ts, whatever columns they carry) with the
 * provenance columns added, as JSONL takes them.
 */
export function* withProvenance<R extends RecordPlace>(records: Iterable<R>, golds: Iterable<Gold>, name: (id: string) => string): Generator<R & Provenance> {
  const find = goldSpanFinder(golds);
  for (const r of records) yield { ...r, ...provenanceOf(spanOf(find, r), name) };
}

/** The same for CSV: lists joined with '|', booleans as `true`/`false`. */
export function* withProvenanceCsv<R extends RecordPlace>(records: Iterable<R>, golds: Iterable<Gold>, name: (id: string) => string): Generator<R & ProvenanceCsv> {
  const find = goldSpanFinder(golds);
  for (const r of records) yield { ...r, ...provenanceCsv(provenanceOf(spanOf(find, r), name)) };
}
