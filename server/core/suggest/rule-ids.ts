// The names of the rules a codebook can route to its categories (a category's `suggest` list).
// A rule finds a kind of wording; which category that wording belongs to is the codebook's call,
// never the code's: the default codebook sends `lexicon:hedges` to its "hedge" category, a
// codebook for propaganda techniques may send it to "doubt". Kept apart from the rules themselves
// so that parsing a codebook loads no lexicon.

export const RULE_IDS = [
  /** The `hedges` word list (npm, wooorm): alleged, presumably, supposedly… */
  'lexicon:hedges',
  /** The `weasels` word list (npm, wooorm): arguably, relatively, remarkably… */
  'lexicon:weasels',
  /** Reporting verbs that withdraw credit from the speaker: claimed, insisted, alleged. */
  'reporting-verbs:doubting',
  /** Reporting verbs that lend credit: pointed out, explained, revealed. */
  'reporting-verbs:crediting',
  /** Reporting verbs that present words as a concession: admitted, conceded, confessed. */
  'reporting-verbs:conceding',
  /** Reporting verbs that give the writer's reading of the words: indicated, hinted, suggested. */
  'reporting-verbs:interpreting',
  /** Reporting verbs that add emotion: slammed, blasted, boasted, fumed. */
  'reporting-verbs:emotive',
  /** Words that remove doubt: clearly, obviously, of course, undeniably. */
  'boosters',
  /** Verbs that take what follows as true: revealed, exposed, proved. */
  'factives',
  /** Words of degree and exaggeration: utterly, extremely, unprecedented. */
  'intensifiers',
  /** Strongly valenced words of natural's AFINN-165 list (|valence| ≥ 2, event words aside). */
  'valence',
  /** The words "so-called" / "so called". */
  'so-called',
  /** A word or short phrase in quotation marks that is not a quotation of someone's words. */
  'scare-quotes',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export function isRuleId(value: string): value is RuleId {
  return (RULE_IDS as readonly string[]).includes(value);
}
