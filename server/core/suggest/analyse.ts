// One sentence read once for every suggester: its words (as offsets into the article text),
// their lower-case forms and stems, and the quotations in it. Rules and the learned model all
// work on this, so a sentence is tokenised and stemmed once however many suggesters run.
import type { Range } from '../model.js';
import { words } from '../segmentation.js';
import { stem } from '../../nlp/tokenizers.js';

export interface Token extends Range {
  /** Lower case, curly apostrophes made straight: `don’t` → `don't`. */
  lower: string;
  stem: string;
  /** Inside a pair of quotation marks (of any length). */
  quoted: boolean;
}

/** A pair of quotation marks in the sentence, with the words between them. */
export interface Quote {
  /** Offset of the opening mark; `end` is just after the closing mark. */
  start: number;
  end: number;
  /** Indexes of the first and last word inside (`first > last` when there is none). */
  first: number;
  last: number;
}

export interface SentenceAnalysis {
  /** The whole article text (offsets below are into it). */
  text: string;
  /** This sentence's index in the article and its range. */
  index: number;
  range: Range;
  /** The article's sentence count (position features: the lead, the last word). */
  sentenceCount: number;
  tokens: Token[];
  quotes: Quote[];
}

export function lowerWord(text: string): string {
  return text.toLowerCase().replaceAll('’', "'");
}

/** Tokens and quotations of sentence `index` of `text`. */
export function analyseSentence(text: string, sentences: readonly Range[], index: number): SentenceAnalysis {
  const range = sentences[index];
  if (!range) throw new RangeError(`no sentence ${index}`);
  const quotes = findQuotes(text, range);
  const tokens: Token[] = words(text, range).map((w) => {
    const lower = lowerWord(text.slice(w.start, w.end));
    return { start: w.start, end: w.end, lower, stem: stem(lower), quoted: false };
  });
  for (const q of quotes) {
    q.first = tokens.findIndex((t) => t.start > q.start);
    if (q.first < 0) q.first = tokens.length;
    q.last = q.first - 1;
    while (q.last + 1 < tokens.length && (tokens[q.last + 1]?.end ?? Infinity) < q.end) q.last++;
    for (let i = q.first; i <= q.last; i++) {
      const t = tokens[i];
      if (t) t.quoted = true;
    }
  }
  return { text, index, range, sentenceCount: sentences.length, tokens, quotes };
}

// Quotation marks: curly pairs are unambiguous; straight ones and ’ are told from apostrophes by
// what surrounds them (an opening mark follows a space or bracket and precedes a non-space; a
// closing mark precedes no letter, so `Bloc's` and `don’t` are not quotes).
const DOUBLE_OPEN = new Set(['“', '„', '«', '"']);
const DOUBLE_CLOSE = new Set(['”', '»', '"']);
const SINGLE_OPEN = new Set(['‘', "'"]);
const SINGLE_CLOSE = new Set(['’', "'"]);
const BEFORE_OPENING = /[\s([{—–-]/u;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

function kindOf(text: string, at: number, start: number, end: number): { open: 'double' | 'single' | null; close: 'double' | 'single' | null } {
  const c = text[at] ?? '';
  const before = at > start ? (text[at - 1] ?? '') : ' ';
  const after = at + 1 < end ? (text[at + 1] ?? '') : ' ';
  const canOpen = BEFORE_OPENING.test(before) && after.trim() !== '';
  const canClose = before.trim() !== '' && !LETTER_OR_DIGIT.test(after);
  const double = DOUBLE_OPEN.has(c) || DOUBLE_CLOSE.has(c);
  const single = SINGLE_OPEN.has(c) || SINGLE_CLOSE.has(c);
  if (!double && !single) return { open: null, close: null };
  const kind = double ? 'double' : 'single';
  const opens = (double ? DOUBLE_OPEN : SINGLE_OPEN).has(c) && (c === '“' || c === '„' || c === '«' || c === '‘' ? true : canOpen);
  const closes = (double ? DOUBLE_CLOSE : SINGLE_CLOSE).has(c) && (c === '”' || c === '»' ? true : canClose);
  return { open: opens ? kind : null, close: closes ? kind : null };
}

/** Pairs of quotation marks within `range`; an opening mark with no closing one is left out. */
export function findQuotes(text: string, range: Range): Quote[] {
  const out: Quote[] = [];
  const open: { double: number | null; single: number | null } = { double: null, single: null };
  for (let at = range.start; at < range.end; at++) {
    const k = kindOf(text, at, range.start, range.end);
    if (k.open === null && k.close === null) continue;
    const kind = k.close ?? k.open;
    if (kind === null) continue;
    const pending = open[kind];
    if (k.close !== null && pending !== null) {
      out.push({ start: pending, end: at + 1, first: 0, last: -1 });
      open[kind] = null;
    } else if (k.open !== null && pending === null) {
      open[kind] = at;
    }
  }
  return out.sort((a, b) => a.start - b.start);
}
