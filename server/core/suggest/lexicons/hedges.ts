// The `hedges` and `weasels` word lists (npm, Titus Wormer, MIT), each entry with a score: how
// likely an annotator is to accept it as a framing cue in news. The lists are broad ("about",
// "will", "up" are in them), so a hit alone means little: doubt markers score high, function
// words next to nothing, the rest in between. The scores are priors chosen by reading the lists,
// not fitted to any data; the benchmark's table by threshold shows what they give.
import { hedges } from 'hedges';
import { weasels } from 'weasels';
import { STOP_WORDS } from '../../../nlp/tokenizers.js';
import { entryWords } from '../phrases.js';

/** Markers of doubt about a claim (R13's hedges, the codebooks' own examples). */
const DOUBT: Record<string, number> = {
  alleged: 0.85,
  allegedly: 0.85,
  allege: 0.7,
  reportedly: 0.8,
  purportedly: 0.85,
  supposedly: 0.85,
  presumably: 0.8,
  presumable: 0.7,
  apparently: 0.7,
  apparent: 0.55,
  seemingly: 0.75,
  ostensibly: 0.85,
  reputedly: 0.8,
  unconfirmed: 0.7,
  unverified: 0.7,
  rumoured: 0.75,
  rumored: 0.75,
  arguably: 0.6,
  perhaps: 0.5,
  possibly: 0.5,
  maybe: 0.5,
  conceivably: 0.55,
  evidently: 0.5,
  speculated: 0.5,
};

/** Doubt markers the `hedges` list lacks (it has "alleged" but not "allegedly"). */
const HEDGES_ADDED = ['allegedly', 'reportedly', 'purportedly', 'seemingly', 'ostensibly', 'reputedly', 'unconfirmed', 'unverified', 'rumoured', 'rumored'];

const MODALS = new Set(['can', 'could', 'may', 'might', 'must', 'shall', 'should', 'will', 'would']);

/** Scores for an entry outside DOUBT: next to nothing for function words, a little for the rest. */
function prior(entry: string, functionScore: number, otherScore: number): number {
  const known = DOUBT[entry];
  if (known !== undefined) return known;
  const ws = entryWords(entry);
  return ws.every((w) => STOP_WORDS.has(w) || MODALS.has(w)) ? functionScore : otherScore;
}

export const HEDGE_ENTRIES: readonly (readonly [string, number])[] = [...hedges, ...HEDGES_ADDED].map((e) => [e, prior(e, 0.1, 0.3)] as const);

export const WEASEL_ENTRIES: readonly (readonly [string, number])[] = weasels.map((e) => [e, prior(e, 0.05, 0.2)] as const);
