// Rules that find listed words: hedges, weasel words, boosters, factives, intensifiers, strongly
// valenced words and "so-called". A hit covers the listed word or phrase only.
import { valence } from '../../../nlp/tokenizers.js';
import type { SentenceAnalysis } from '../analyse.js';
import { PhraseList } from '../phrases.js';
import type { RuleId } from '../rule-ids.js';
import { HEDGE_ENTRIES, WEASEL_ENTRIES } from '../lexicons/hedges.js';
import { BOOSTERS, EVENT_WORDS, FACTIVES, INTENSIFIERS, valenceScore } from '../lexicons/wording.js';
import type { RuleHit } from './hit.js';

const LISTS: readonly [RuleId, PhraseList<number>][] = [
  ['lexicon:hedges', new PhraseList(HEDGE_ENTRIES)],
  ['lexicon:weasels', new PhraseList(WEASEL_ENTRIES)],
  ['boosters', new PhraseList(BOOSTERS)],
  ['factives', new PhraseList(FACTIVES)],
  ['intensifiers', new PhraseList(INTENSIFIERS)],
  ['so-called', new PhraseList([['so-called', 0.9], ['so called', 0.9]])],
];

export function lexicalHits(a: SentenceAnalysis): RuleHit[] {
  const out: RuleHit[] = [];
  const { tokens } = a;
  for (const [rule, list] of LISTS) {
    for (const m of list.find(tokens)) {
      const first = tokens[m.first];
      const last = tokens[m.last];
      if (!first || !last) continue;
      // "so called" without its hyphen is also "…and so called for a vote": only before a quote or a capital.
      if (rule === 'so-called' && m.first !== m.last && !/^\s*["'“‘«]|^\s*\p{Lu}/u.test(a.text.slice(last.end, last.end + 3))) continue;
      out.push({ rule, start: first.start, end: last.end, first: m.first, last: m.last, score: m.value });
    }
  }
  tokens.forEach((t, i) => {
    if (EVENT_WORDS.has(t.lower)) return;
    const score = valenceScore(valence(t.lower));
    if (score > 0) out.push({ rule: 'valence', start: t.start, end: t.end, first: i, last: i, score });
  });
  return out;
}
