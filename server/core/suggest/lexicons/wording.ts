// Curated word lists for the wording rules, each entry with a score (how likely an annotator is
// to accept it as a cue; priors chosen by reading, not fitted). Sources: Recasens et al. 2013
// (factives, boosters as "assertives"), the default codebook's definitions, and for the event
// words the codebook's rule that a topic word is not bias just because the topic is grim.

/** Words of degree and exaggeration (R13's subjective intensifiers). */
export const INTENSIFIERS: readonly (readonly [string, number])[] = [
  ['utterly', 0.75], ['shockingly', 0.8], ['grossly', 0.75], ['wildly', 0.7], ['endlessly', 0.75],
  ['incredibly', 0.7], ['hugely', 0.65], ['massively', 0.65], ['immensely', 0.6], ['tremendously', 0.6],
  ['enormously', 0.55], ['extraordinarily', 0.55], ['exceedingly', 0.6], ['absolutely', 0.6],
  ['extremely', 0.55], ['desperately', 0.6], ['blatant', 0.75], ['blatantly', 0.75], ['flagrant', 0.75],
  ['flagrantly', 0.75], ['relentless', 0.65], ['relentlessly', 0.7], ['unrelenting', 0.65],
  ['staggering', 0.7], ['staggeringly', 0.75], ['whopping', 0.8], ['astronomical', 0.7], ['colossal', 0.7],
  ['mind-boggling', 0.8], ['never-ending', 0.75], ['endless', 0.65], ['skyrocketing', 0.75],
  ['skyrocketed', 0.75], ['sheer', 0.55], ['unprecedented', 0.5], ['monumental', 0.6], ['deeply', 0.45],
  ['remarkably', 0.45], ['overwhelmingly', 0.45], ['totally', 0.5], ['completely', 0.3], ['entirely', 0.25],
  ['very', 0.25], ['really', 0.25], ['soaring', 0.45], ['plummeting', 0.45],
];

/** Words that remove doubt (R13's assertives and boosters). */
export const BOOSTERS: readonly (readonly [string, number])[] = [
  ['undeniably', 0.85], ['indisputably', 0.85], ['unquestionably', 0.85], ['undoubtedly', 0.8],
  ['without doubt', 0.8], ['without a doubt', 0.8], ['beyond doubt', 0.8], ['needless to say', 0.75],
  ['it is clear that', 0.75], ['it is obvious that', 0.8], ['obviously', 0.75], ['of course', 0.65],
  ['clearly', 0.6], ['plainly', 0.6], ['evidently', 0.55], ['certainly', 0.45], ['in fact', 0.35], ['indeed', 0.3],
];

/** Verbs that take what follows as true (R13's factives). */
export const FACTIVES: readonly (readonly [string, number])[] = [
  ['revealed', 0.6], ['reveals', 0.6], ['exposed', 0.65], ['exposes', 0.65], ['uncovered', 0.6],
  ['laid bare', 0.75], ['proved', 0.55], ['proves', 0.55], ['realised', 0.55], ['realized', 0.55],
];

/**
 * Words of hard news that AFINN-165 rates (killed −3, crisis −3, support +2) but that name an
 * event or a topic rather than judge it: the valence rule passes them by.
 */
export const EVENT_WORDS: ReadonlySet<string> = new Set(
  (
    'kill kills killed killing dead death deaths die dies died dying fatal fatalities fatality injured injury ' +
    'injuries wounded war wars attack attacks attacked attacking crisis crises fire fires fired arrest arrests ' +
    'arrested protest protests protested protesting strike strikes striking accident accidents disaster disasters ' +
    'victim victims emergency conflict conflicts bomb bombs bombing shooting crime crimes criminal criminals prison ' +
    'jail jailed sentenced guilty charged charges illegal illegally court fraud corruption impeachment ' +
    'assassination threat threats threatened fear fears feared concern concerns concerned worried worry risk risks ' +
    'loss losses lost lose losing cancer disease pandemic poverty unemployment debt recession fight fighting fought ' +
    'battle weapons violence damage damaged damages destroyed destruction collapse collapsed ' +
    'support supports supported supporting help helps helped helping agree agrees agreed agreement welcome welcomed ' +
    'thank thanks hope hopes hoped peace peaceful safe safety secure security protect protected protection care ' +
    'free freedom strong stronger strength growth benefit benefits interest interests good great best better ' +
    'greater greatest win wins won winning winner victory victories award awards awarded medal popular popularity ' +
    'success successful successfully succeed succeeded celebrate celebrated celebrations celebration fan fans ' +
    'like likes liked want wants wanted please pleased yes no ok okay sure'
  ).split(' '),
);

/** How a word's AFINN valence (−5…5) turns into a score: |3| and more is shown by default. */
export function valenceScore(valence: number): number {
  const strength = Math.abs(valence);
  return strength >= 4 ? 0.65 : strength === 3 ? 0.55 : strength === 2 ? 0.35 : 0;
}
