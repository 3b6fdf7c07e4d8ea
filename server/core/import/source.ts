// Spans read from other tools' files (brat, SemEval-2020 Task 11, CSV), before they become tags:
// where each lies in its article's sentences, and which codebook category each label suggests.
import type { Category, Intensity, Range, Voice } from '../model.js';
import { codePoints, normaliseLineEnds } from '../offsets.js';

/** A span as a file gave it, with offsets already in UTF-16 code units of the article text. */
export interface SourceSpan {
  /** Where it came from, for messages: `doc.ann T3`, `labels.tsv line 4`. */
  where: string;
  label: string;
  start: number;
  end: number;
  voice: Voice;
  intensity: Intensity | null;
  note: string;
  /** The annotator the file names (CSV), or null: the import form's annotator. */
  annotator: string | null;
}

/** A document of a corpus: its text (under the line-end rule), to match or create an article. */
export interface SourceText {
  kind: 'text';
  /** The file it came from. */
  name: string;
  text: string;
  spans: SourceSpan[];
}

/** Spans on an article that is already in the project (a CSV names it). */
export interface SourceArticle {
  kind: 'article';
  name: string;
  articleId: string;
  spans: SourceSpan[];
}

export type SourceDocument = SourceText | SourceArticle;

export interface SourceRead {
  documents: SourceDocument[];
  /** Everything wrong with the files: with any, nothing is imported. */
  problems: string[];
  /** Lines the format allows but Framelens has no place for (brat relations, events …). */
  ignored: string[];
}

/** A file's text and how to read offsets counted in code points of the file as it was. */
export interface RawText {
  /** The text under the line-end rule. */
  text: string;
  /** Length of the raw text in code points. */
  codePoints: number;
  /** The UTF-16 offset in `text` of a code-point offset of the raw file. */
  fromCodePoint: (cp: number) => number;
}

export function rawText(raw: string): RawText {
  const normal = normaliseLineEnds(raw);
  const points = codePoints(raw);
  return { text: normal.text, codePoints: points.length, fromCodePoint: (cp) => normal.fromRaw(points.fromCodePoint(cp)) };
}

/** A whole number written in decimal digits, or null. */
export function wholeNumber(text: string): number | null {
  return /^\d{1,9}$/.test(text.trim()) ? Number(text.trim()) : null;
}

export function titleOf(text: string, fallback: string): string {
  const first = text.split('\n').find((line) => line.trim() !== '')?.trim() ?? '';
  return (first || fallback).slice(0, 300);
}

/** Where a span lies among the sentences offered for tagging. */
export type Placement =
  | { kind: 'inside'; sentence: number }
  /** Crosses a sentence boundary (or runs onto a line left out): its parts in each sentence. */
  | { kind: 'crossing'; pieces: { sentence: number; start: number; end: number }[] }
  /** Touches no sentence: whitespace between them, or a line left out. */
  | { kind: 'outside' };

/** `sentences` sorted and disjoint, as an article holds them. */
export function place(sentences: readonly Range[], start: number, end: number): Placement {
  const pieces: { sentence: number; start: number; end: number }[] = [];
  sentences.forEach((s, i) => {
    if (s.start < end && s.end > start) pieces.push({ sentence: i, start: Math.max(s.start, start), end: Math.min(s.end, end) });
  });
  const [only] = pieces;
  if (!only) return { kind: 'outside' };
  if (pieces.length === 1 && only.start === start && only.end === end) return { kind: 'inside', sentence: only.sentence };
  return { kind: 'crossing', pieces };
}

/** Letters and digits only, lower case: `Loaded_Language`, `loaded-language` and `Loaded language` meet. */
function key(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');
}

/** The category a label most likely means: the same id or name, ignoring case and punctuation. */
export function suggestCategory(label: string, categories: readonly Category[]): string | null {
  const k = key(label);
  return categories.find((c) => key(c.id) === k)?.id ?? categories.find((c) => key(c.name) === k)?.id ?? null;
}
