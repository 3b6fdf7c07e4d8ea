// The rules as a suggester: each rule hit goes to the categories the codebook routes it to, each
// cue hit to its own category. Where several rules propose the same span for the same category,
// the highest score stands.
import type { Codebook } from '../model.js';
import type { SentenceAnalysis } from './analyse.js';
import { codebookRules, cueHits } from './codebook-rules.js';
import { ruleHits } from './rules/index.js';
import type { Suggester, Suggestion } from './types.js';

/** Shown by default: rule hits scored 0.5 or more (strong doubt markers, slanted verbs, cues…). */
export const RULES_THRESHOLD = 0.5;

export function ruleSuggester(codebook: Codebook): Suggester {
  const rules = codebookRules(codebook);
  return {
    name: 'rules',
    threshold: RULES_THRESHOLD,
    suggest(a: SentenceAnalysis): Suggestion[] {
      const best = new Map<string, Suggestion>();
      const offer = (s: Suggestion) => {
        const key = `${s.start}:${s.end}:${s.category}`;
        const held = best.get(key);
        if (!held || s.score > held.score) best.set(key, s);
      };
      for (const hit of ruleHits(a)) {
        for (const category of rules.routes.get(hit.rule) ?? []) {
          offer({ sentence: a.index, start: hit.start, end: hit.end, category, score: hit.score, suggester: 'rules', source: hit.rule });
        }
      }
      for (const hit of cueHits(a, rules)) {
        offer({ sentence: a.index, start: hit.start, end: hit.end, category: hit.category, score: hit.score, suggester: 'rules', source: 'cue' });
      }
      return [...best.values()].sort((x, y) => x.start - y.start || x.end - y.end || x.category.localeCompare(y.category));
    },
  };
}
