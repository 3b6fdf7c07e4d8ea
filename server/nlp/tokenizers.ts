// The only module that touches `natural`: its sentence tokenizer (segmentation), Porter stemmer,
// stop words, Jaro–Winkler distance and AFINN-165 vocabulary. We load the files we use one by one
// rather than the package root: the root pulls in database clients and dotenv and takes seconds
// to import. natural is CommonJS and its bundled typings get the SentenceTokenizer constructor
// wrong, so we declare the shapes we rely on.
import { createRequire } from 'node:module';

interface NaturalSentenceTokenizer {
  tokenize(text: string): string[];
}

type NaturalSentenceTokenizerClass = new (
  abbreviations?: string[],
  trimSentences?: boolean,
) => NaturalSentenceTokenizer;

const require = createRequire(import.meta.url);
const SentenceTokenizer = require(
  'natural/lib/natural/tokenizers/sentence_tokenizer.js',
) as NaturalSentenceTokenizerClass;

// No abbreviations (natural matches them as case-insensitive substrings, which
// does more harm than good) and no trimming, so the pieces concatenate back to
// the input and can be turned into offsets.
const tokenizer = new SentenceTokenizer([], false);

/**
 * natural's SentenceTokenizer on one paragraph, untrimmed: the pieces, joined,
 * give back `text`. natural is superlinear in the length of its input, so call
 * this per paragraph, never on a whole document.
 */
export function splitSentences(text: string): string[] {
  return tokenizer.tokenize(text);
}

// Word-level tools: for comparing sentences across articles (server/core/stories/) and for
// suggestions (server/core/suggest/). Words themselves come from segmentation's words(), which
// keeps offsets and non-ASCII letters (natural's word tokenizers split "São" and drop offsets);
// natural stems them, knows the stop words, weighs terms and rates their valence.

const PorterStemmer = require('natural/lib/natural/stemmers/porter_stemmer.js') as { stem(word: string): string };
const stopWordList = require('natural/lib/natural/util/stopwords.js') as { words: string[] };
const jaroWinklerDistance = require('natural/lib/natural/distance/jaro-winkler_distance.js') as (
  a: string,
  b: string,
  options?: { ignoreCase?: boolean },
) => number;

const stems = new Map<string, string>();
/** Words seen in a long-running server are many but finite; past this the memo starts over. */
const MAX_STEMS = 200_000;

/**
 * natural's Porter stemmer; lower-cases: `stem('Protesters')` is `protest`. Memoised: a stem
 * costs ~5 µs, a look-up ~0.05, and suggestions stem every word of every sentence shown.
 */
export function stem(word: string): string {
  let s = stems.get(word);
  if (s === undefined) {
    if (stems.size >= MAX_STEMS) stems.clear();
    s = PorterStemmer.stem(word);
    stems.set(word, s);
  }
  return s;
}

/** natural's English stop words (`the`, `said`, `would`, …), lower case. */
export const STOP_WORDS: ReadonlySet<string> = new Set(stopWordList.words);

/**
 * Inverse document frequency of every term of `documents`, with natural's TfIdf formula:
 * 1 + ln(N / (1 + df)), N documents, df of them holding the term. Counted here in one pass:
 * natural's TfIdf.idf scans every document for each term (5.5 s for a 20-article story's
 * 1,000 sentences and 4,000 terms). A test checks both give the same values.
 */
export function inverseDocumentFrequencies(documents: readonly (readonly string[])[]): Map<string, number> {
  const df = new Map<string, number>();
  for (const document of documents) for (const term of new Set(document)) df.set(term, (df.get(term) ?? 0) + 1);
  const idf = new Map<string, number>();
  for (const [term, count] of df) idf.set(term, 1 + Math.log(documents.length / (1 + count)));
  return idf;
}

/** natural's Jaro–Winkler similarity, from 0 (nothing alike) to 1 (the same string). */
export function jaroWinkler(a: string, b: string): number {
  return jaroWinklerDistance(a, b);
}

let afinn: ReadonlyMap<string, number> | undefined;

/**
 * The AFINN-165 valence of a lower-case word, -5 (very negative) to 5, or 0 when it is not
 * rated. This is the vocabulary natural's SentimentAnalyzer uses ('English', 'afinn'), required
 * from natural's own dependency: loading the SentimentAnalyzer module itself reads every
 * language's vocabulary (~300 ms), this one list ~15 ms, once, on first use.
 */
export function valence(word: string): number {
  afinn ??= loadAfinn();
  return afinn.get(word) ?? 0;
}

function loadAfinn(): ReadonlyMap<string, number> {
  const fromNatural = createRequire(require.resolve('natural/lib/natural/sentiment/SentimentAnalyzer.js'));
  const list: unknown = (fromNatural('afinn-165') as { afinn165?: unknown }).afinn165;
  if (typeof list !== 'object' || list === null) throw new Error("natural's AFINN-165 vocabulary is missing");
  const out = new Map<string, number>();
  for (const [entry, value] of Object.entries(list)) if (typeof value === 'number') out.set(entry, value);
  return out;
}
