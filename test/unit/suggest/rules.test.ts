// Each suggestion rule on sentences of our own, and the codebook deciding the categories.
import { describe, expect, it } from 'vitest';
import { segment } from '../../../server/core/segmentation.js';
import { analyseSentence, findQuotes } from '../../../server/core/suggest/analyse.js';
import { ruleHits } from '../../../server/core/suggest/rules/index.js';
import type { RuleId } from '../../../server/core/suggest/rule-ids.js';
import { ruleSuggester, RULES_THRESHOLD } from '../../../server/core/suggest/rule-suggester.js';
import { parseCodebook } from '../../../server/core/codebook.js';
import type { Codebook } from '../../../server/core/model.js';

/** The rule hits in a one-sentence text, as [rule, text, score]. */
function hits(sentence: string, rule?: RuleId): [RuleId, string, number][] {
  const a = analyseSentence(sentence, [{ start: 0, end: sentence.length }], 0);
  return ruleHits(a)
    .filter((h) => rule === undefined || h.rule === rule)
    .map((h) => [h.rule, sentence.slice(h.start, h.end), h.score]);
}
const texts = (sentence: string, rule: RuleId, min = RULES_THRESHOLD) => hits(sentence, rule).filter(([, , s]) => s >= min).map(([, t]) => t);

describe('hedges and weasel words', () => {
  it('scores doubt markers high and function words low', () => {
    const found = hits('The alleged bribes were reportedly paid, and more may follow.', 'lexicon:hedges');
    const score = (word: string) => found.find(([, t]) => t === word)?.[2];
    expect(score('alleged')).toBeGreaterThanOrEqual(0.8);
    expect(score('reportedly')).toBeGreaterThanOrEqual(0.8);
    expect(score('may')).toBeLessThan(RULES_THRESHOLD);
  });

  it('matches a listed phrase whole', () => {
    expect(hits('The figures, at least, appear to be correct.', 'lexicon:hedges').map(([, t]) => t)).toContain('appear to be');
  });

  it('finds the weasels list, below the default threshold for mere degree words', () => {
    const found = hits('Support is arguably relatively strong.', 'lexicon:weasels');
    expect(found.map(([, t]) => t)).toEqual(['arguably', 'relatively']);
    expect(found.find(([, t]) => t === 'relatively')?.[2]).toBeLessThan(RULES_THRESHOLD);
  });
});

describe('reporting verbs', () => {
  it('finds slanted verbs that introduce speech, with their slant', () => {
    expect(hits('The minister claimed that the figures were wrong.', 'reporting-verbs:doubting').map(([, t]) => t)).toEqual(['claimed']);
    expect(texts('"We never agreed," she insisted.', 'reporting-verbs:doubting')).toEqual(['insisted']);
    expect(texts('Stoltenberg indicated that the bloc wanted talks.', 'reporting-verbs:interpreting')).toEqual(['indicated']);
    expect(texts('The auditor pointed out that costs had doubled.', 'reporting-verbs:crediting')).toEqual(['pointed out']);
    expect(texts('The company admitted that data had leaked.', 'reporting-verbs:conceding')).toEqual(['admitted']);
    expect(texts('The senator slammed the plan, saying it was a gift to banks.', 'reporting-verbs:emotive')).toEqual(['slammed']);
  });

  it('passes by neutral verbs, nouns and verbs with a plain object', () => {
    const none = (s: string) => expect(hits(s).filter(([r]) => r.startsWith('reporting-verbs:'))).toEqual([]);
    none('The minister said that the figures were wrong.');
    none('The claims were rejected by the court.');
    none('The group claimed responsibility for the attack.');
    none('These include demands to stop admitting any new member.');
  });

  it('takes a clause without "that" as speech', () => {
    expect(texts('Critics claimed the plan would fail.', 'reporting-verbs:doubting')).toEqual(['claimed']);
  });
});

describe('wording', () => {
  it('finds intensifiers, boosters and factives', () => {
    expect(texts('They will chat endlessly and do nothing.', 'intensifiers')).toEqual(['endlessly']);
    expect(texts('It is undeniably a failure, and of course nobody resigned.', 'boosters')).toEqual(['undeniably', 'of course']);
    expect(texts('The leak exposed the scheme.', 'factives')).toEqual(['exposed']);
  });

  it('finds strongly valenced words of AFINN-165 but not the words of hard news', () => {
    expect(texts('The brutal and disastrous campaign was a catastrophe.', 'valence')).toEqual(['brutal', 'disastrous', 'catastrophe']);
    expect(hits('Three people were killed and the crisis deepened after the attack.', 'valence')).toEqual([]);
  });

  it('finds so-called, with or without its hyphen', () => {
    expect(texts('The so-called reforms changed little.', 'so-called')).toEqual(['so-called']);
    expect(texts('The so called "reforms" changed little.', 'so-called')).toEqual(['so called']);
    expect(hits('They were angry and so called for a vote.', 'so-called')).toEqual([]);
  });
});

describe('scare quotes', () => {
  it('finds a short phrase held at arm’s length, with its marks', () => {
    expect(texts("NATO will not give up on its 'core principles', including its open door.", 'scare-quotes')).toEqual(["'core principles'"]);
    expect(texts('The government defended its “reforms” on television.', 'scare-quotes')).toEqual(['“reforms”']);
    expect(texts('What the junta calls “stabilisation” has emptied the villages.', 'scare-quotes')).toEqual(['“stabilisation”']);
  });

  it('passes by quotations: clauses, attributions, reported demands, long quotes, titles', () => {
    const none = (s: string) => expect(texts(s, 'scare-quotes', 0.3)).toEqual([]);
    none("The bloc's member states 'will make every effort' to find a way forward.");
    none('"We will not back down," she said.');
    none('"Why now?" asked the mayor.');
    none("The bloc called on Russia to 'withdraw its forces' from the region.");
    none('NATO "expressed serious concern" about the buildup "in and around Ukraine".');
    none('He said: "Enough."');
    none('A report titled "Methane and Markets" was released.');
    none('"This is a dark day for democracy and for all of us," he said.');
  });

  it('tells quotation marks from apostrophes', () => {
    const text = "The bloc's members don't agree on its 'open door'.";
    const quotes = findQuotes(text, { start: 0, end: text.length });
    expect(quotes.map((q) => text.slice(q.start, q.end))).toEqual(["'open door'"]);
  });
});

describe('the codebook routes rules to categories', () => {
  const book = (routes: Record<string, { suggest?: string[]; cues?: string[] }>): Codebook =>
    parseCodebook({
      schemaVersion: 1,
      id: 'mini',
      name: 'Mini',
      description: '',
      groups: [
        {
          id: 'g',
          name: 'G',
          categories: Object.entries(routes).map(([id, extra], i) => ({ id, name: id, definition: 'd', span: '', example: '', colour: '#b3c1ff', key: String.fromCharCode(97 + i), ...extra })),
        },
      ],
    });
  const suggest = (codebook: Codebook, sentence: string) => {
    const sentences = segment(sentence);
    return ruleSuggester(codebook)
      .suggest(analyseSentence(sentence, sentences, 0))
      .filter((s) => s.score >= RULES_THRESHOLD)
      .map((s) => `${s.category}:${sentence.slice(s.start, s.end)}:${s.source}`);
  };
  const sentence = 'The regimes allegedly jailed the so-called traitors.';

  it('sends each rule’s hits where the codebook says, and nothing it does not route', () => {
    expect(suggest(book({ doubt: { suggest: ['lexicon:hedges'] } }), sentence)).toEqual(['doubt:allegedly:lexicon:hedges']);
    expect(suggest(book({ doubt: { suggest: ['so-called'] }, other: {} }), sentence)).toEqual(['doubt:so-called:so-called']);
    expect(suggest(book({ a: {}, b: {} }), sentence)).toEqual([]);
  });

  it('matches a category’s cues by stem (regime finds regimes)', () => {
    expect(suggest(book({ label: { cues: ['regime', 'so-called traitors'] } }), sentence)).toEqual(['label:regimes:cue', 'label:so-called traitors:cue']);
  });

  it('keeps the best score when two rules give a category the same span', () => {
    const out = ruleSuggester(book({ h: { suggest: ['lexicon:hedges'], cues: ['allegedly'] } })).suggest(analyseSentence(sentence, segment(sentence), 0));
    expect(out).toHaveLength(1);
    expect(out[0]?.source).toBe('lexicon:hedges');
  });
});
