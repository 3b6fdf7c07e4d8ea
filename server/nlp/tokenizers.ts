// The only module that touches `natural`: its sentence tokenizer (segmentation), and for
// suggestions its Porter stemmer, stop words and AFINN-165 vocabulary. We load the files we use
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

// ---------------------------------------------------------------------------------------------
// Words: stems, stop words and valence (for suggestions)

interface NaturalStemmer {
  stem(word: string): string;
}

const porter = require('natural/lib/natural/stemmers/porter_stemmer.js') as NaturalStemmer;
const stems = new Map<string, string>();
/** Words seen in a long-running server are many but finite; past this the memo starts over. */
const MAX_STEMS = 200_000;

/** natural's Porter stem of a lower-case word, memoised (a stem costs ~5 µs, a look-up ~0.05). */
export function stem(word: string): string {
  let s = stems.get(word);
  if (s === undefined) {
    if (stems.size >= MAX_STEMS) stems.clear();
    s = porter.stem(word);
    stems.set(word, s);
  }
  return s;
}

/** natural's English stop words (170 function words: about, after, again, …). */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (require('natural/lib/natural/util/stopwords.js') as { words: string[] }).words,
);

let afinn: ReadonlyMap<string, number> | undefined;

/**
 * The AFINN-165 valence of a lower-case word or phrase, -5 (very negative) to 5, or 0 when it is
 * not rated. This is the vocabulary natural's SentimentAnalyzer uses ('English', 'afinn'),
 * required from natural's own dependency: loading the SentimentAnalyzer module itself reads every
 * language's vocabulary (~300 ms), this one list ~15 ms, once, on first use.
 */
export function valence(word: string): number {
  afinn ??= loadAfinn();
  return afinn.get(word) ?? 0;
}

function loadAfinn(): ReadonlyMap<string, number> {
  const fromNatural = createRequire(require.resolve('natural/lib/natural/sentiment/SentimentAnalyzer.js'));
  const list: unknown = (fromNatural('afinn-165') as { afinn165?: unknown }).afinn165;
  if (typeof list !== 'object' || list === null) throw new Error('natural\'s AFINN-165 vocabulary is missing');
  const out = new Map<string, number>();
  for (const [entry, value] of Object.entries(list)) if (typeof value === 'number') out.set(entry, value);
  return out;
}
