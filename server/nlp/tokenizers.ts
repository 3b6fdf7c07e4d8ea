// The only module that touches `natural`. We load the one tokenizer file we use
// rather than the package root: the root pulls in database clients and dotenv
// and takes seconds to import. natural is CommonJS and its bundled typings get
// the SentenceTokenizer constructor wrong, so we declare the shape we rely on.
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
