// What a sentence says, as weighted terms for comparing it with other outlets' sentences:
// Porter stems of its content words, plus the things that identify a fact across rewordings
// and so weigh more — numbers ("27" and "Twenty-seven" alike), names, and quoted words (an
// outlet may paraphrase a speaker, but a direct quotation is copied word for word).
import type { Range } from '../model.js';
import { words } from '../segmentation.js';
import { STOP_WORDS, stem } from '../../nlp/tokenizers.js';

/** An article as the aligner needs it: its text and its sentences (as `Article` stores them). */
export interface AlignArticle {
  id: string;
  text: string;
  sentences: Range[];
}

export interface FeatureWeights {
  /** A number's weight relative to a word's (1). */
  number: number;
  /** A name's weight (a capitalised word that the story never writes in lower case). */
  name: number;
  /** A quoted word's weight. */
  quote: number;
  /** Weight of two consecutive quoted words together: rewards the same quotation over the same words. */
  quotePair: number;
}

/** One word of a sentence. */
export interface Token {
  /** Offsets in the article's text. */
  start: number;
  end: number;
  /** Lower case, possessive `'s` removed. */
  word: string;
  capitalised: boolean;
  quoted: boolean;
}

/** Terms and their weights before IDF: `s:` stems, `n:` numbers, `q:` quoted word pairs. */
export type Terms = Map<string, number>;

const NUMBER_WORDS = new Map<string, number>(Object.entries({
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17,
  eighteen: 18, nineteen: 19, twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70,
  eighty: 80, ninety: 90, hundred: 100, dozen: 12,
}));
const POSSESSIVE = /['’]s$/;
const HAS_DIGIT = /\d/;

/** `27` for `27`, `Twenty-seven` and `twenty seven`'s first half; `12000` for `12,000`; null when not a number. */
export function numberValue(word: string): string | null {
  if (HAS_DIGIT.test(word)) {
    const plain = word.replace(/(?<=\d),(?=\d{3})/g, '');
    return /^\d+(?:\.\d+)?$/.test(plain) ? String(Number(plain)) : plain;
  }
  const parts = word.split(/[-‐]/);
  if (!parts.every((p) => NUMBER_WORDS.has(p))) return null;
  return String(parts.reduce((sum, p) => sum + (NUMBER_WORDS.get(p) ?? 0), 0));
}

/** The `[start, end)` ranges inside quotation marks in `text` (curly or straight; an apostrophe in a word is not one). */
export function quotedRanges(text: string): Range[] {
  const out: Range[] = [];
  let open: { at: number; mark: string } | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    const before = text[i - 1] ?? ' ';
    const after = text[i + 1] ?? ' ';
    if (open === null) {
      const single = c === "'" || c === '‘';
      if (c === '“' || c === '«' || (c === '"' && /\S/.test(after)) || (single && /[\s([]/.test(before) && /\p{L}/u.test(after))) {
        open = { at: i + 1, mark: c };
      }
      continue;
    }
    const closes =
      (open.mark === '“' && c === '”') ||
      (open.mark === '«' && c === '»') ||
      (open.mark === '"' && c === '"') ||
      ((open.mark === "'" || open.mark === '‘') && (c === "'" || c === '’') && !/\p{L}/u.test(after));
    if (closes && !(c === '’' && /\p{L}/u.test(before) && /\p{L}/u.test(after))) {
      out.push({ start: open.at, end: i });
      open = null;
    }
  }
  return out;
}

/** The words of one sentence of `text`, with their flags. */
export function tokens(text: string, sentence: Range): Token[] {
  const quotes = quotedRanges(text.slice(sentence.start, sentence.end)).map((r) => ({
    start: r.start + sentence.start,
    end: r.end + sentence.start,
  }));
  return words(text, sentence).map((w) => {
    const raw = text.slice(w.start, w.end);
    return {
      start: w.start,
      end: w.end,
      word: raw.toLowerCase().replace(POSSESSIVE, ''),
      capitalised: /^\p{Lu}/u.test(raw),
      quoted: quotes.some((q) => w.start >= q.start && w.end <= q.end),
    };
  });
}

/**
 * The words a story writes in lower case somewhere: a capitalised word that is not among
 * them is taken for a name ("Danek", "Kestrochem"), while "Police" opening a sentence is not.
 */
export function lowerCaseWords(sentences: Token[][]): Set<string> {
  const seen = new Set<string>();
  for (const sentence of sentences) for (const t of sentence) if (!t.capitalised) seen.add(t.word);
  return seen;
}

/** Porter stems, remembered: a story repeats its words, and natural's stemmer is regex-heavy. */
const stems = new Map<string, string>();
function stemOf(word: string): string {
  let s = stems.get(word);
  if (s === undefined) {
    if (stems.size > 100_000) stems.clear();
    stems.set(word, (s = stem(word)));
  }
  return s;
}

/** The weighted terms of one sentence's tokens (before IDF); each term counts once, at its highest weight. */
export function sentenceTerms(sentence: Token[], lowerCase: ReadonlySet<string>, weights: FeatureWeights): Terms {
  const terms: Terms = new Map();
  const add = (term: string, weight: number) => {
    if (weight > (terms.get(term) ?? 0)) terms.set(term, weight);
  };
  let previousQuoted: string | null = null;
  for (const t of sentence) {
    const number = numberValue(t.word);
    if (number !== null) {
      add(`n:${number}`, weights.number);
      previousQuoted = null;
      continue;
    }
    const name = t.capitalised && !lowerCase.has(t.word);
    let last: string | null = null;
    for (const part of t.word.split(/[-‐]/)) {
      if (part === '' || STOP_WORDS.has(part)) continue;
      const s = stemOf(part);
      add(`s:${s}`, Math.max(1, name ? weights.name : 1, t.quoted ? weights.quote : 1));
      last = s;
      if (t.quoted && previousQuoted !== null) add(`q:${previousQuoted} ${s}`, weights.quotePair);
      previousQuoted = t.quoted ? s : null;
    }
    if (last === null && !t.quoted) previousQuoted = null;
  }
  return terms;
}

/**
 * The terms of a story that can anchor a link (features' `anchors`): numbers, and stems that no
 * name in the story produced — "Danek" or "Valdoria" in one sentence of each of two outlets says
 * little, "shelves" or "112" says the two sentences tell the same thing.
 */
export function anchorEligible(sentences: Token[][], lowerCase: ReadonlySet<string>): (term: string) => boolean {
  const names = new Set<string>();
  for (const sentence of sentences) {
    for (const t of sentence) {
      if (!t.capitalised || lowerCase.has(t.word) || numberValue(t.word) !== null) continue;
      for (const part of t.word.split(/[-‐]/)) if (part !== '' && !STOP_WORDS.has(part)) names.add(`s:${stemOf(part)}`);
    }
  }
  return (term) => term.startsWith('n:') || (term.startsWith('s:') && !names.has(term));
}
