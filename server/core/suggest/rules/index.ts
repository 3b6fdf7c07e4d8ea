// Every rule, run on one analysed sentence. The hits name their rule, not a category: the
// codebook decides which category (if any) receives each rule's hits (../codebook-rules.ts).
import type { SentenceAnalysis } from '../analyse.js';
import type { RuleHit } from './hit.js';
import { lexicalHits } from './lexical.js';
import { reportingVerbHits } from './reporting-verbs.js';
import { scareQuoteHits } from './scare-quotes.js';

export type { RuleHit } from './hit.js';

// Both suggesters read a sentence's hits (the learned one as features): found once per analysis.
const found = new WeakMap<SentenceAnalysis, RuleHit[]>();

export function ruleHits(a: SentenceAnalysis): RuleHit[] {
  let hits = found.get(a);
  if (!hits) {
    hits = [...lexicalHits(a), ...reportingVerbHits(a), ...scareQuoteHits(a)];
    found.set(a, hits);
  }
  return hits;
}
