// What a codebook asks of the rules: which category receives each rule's hits (a category's
// `suggest` list) and which words or phrases are cues of which category (its `cues`). The code
// never decides a category itself; a codebook that lists nothing gets no rule suggestions.
import type { Codebook } from '../model.js';
import { categories } from '../codebook.js';
import type { SentenceAnalysis } from './analyse.js';
import { PhraseList, entryWords } from './phrases.js';
import { isRuleId, type RuleId } from './rule-ids.js';

/** How surely a cue the codebook's author listed marks its category: phrases more than words. */
export const CUE_SCORE = { word: 0.7, phrase: 0.8 } as const;

export interface CodebookRules {
  /** Rule → the categories that receive its hits. */
  routes: ReadonlyMap<RuleId, readonly string[]>;
  /** Cues matched by stem, so that `regime` also finds `regimes`. */
  cues: PhraseList<{ category: string; score: number }[]>;
}

export interface CueHit {
  category: string;
  start: number;
  end: number;
  first: number;
  last: number;
  score: number;
}

export function codebookRules(codebook: Codebook): CodebookRules {
  const routes = new Map<RuleId, string[]>();
  const cues = new Map<string, { category: string; score: number }[]>();
  for (const c of categories(codebook)) {
    for (const rule of c.suggest ?? []) {
      if (!isRuleId(rule)) continue; // parseCodebook refuses these; a hand-made object may not
      routes.set(rule, [...(routes.get(rule) ?? []), c.id]);
    }
    for (const cue of c.cues ?? []) {
      const ws = entryWords(cue);
      if (ws.length === 0) continue;
      const key = ws.join(' ');
      const score = ws.length > 1 ? CUE_SCORE.phrase : CUE_SCORE.word;
      cues.set(key, [...(cues.get(key) ?? []), { category: c.id, score }]);
    }
  }
  return { routes, cues: new PhraseList(cues, 'stem') };
}

// The rules suggester, the learned model's features and its priors all read a sentence's cue hits.
const found = new WeakMap<SentenceAnalysis, { rules: CodebookRules; hits: CueHit[] }>();

export function cueHits(a: SentenceAnalysis, rules: CodebookRules): CueHit[] {
  const held = found.get(a);
  if (held?.rules === rules) return held.hits;
  const out: CueHit[] = [];
  found.set(a, { rules, hits: out });
  for (const m of rules.cues.find(a.tokens)) {
    const first = a.tokens[m.first];
    const last = a.tokens[m.last];
    if (!first || !last) continue;
    for (const { category, score } of m.value) out.push({ category, start: first.start, end: last.end, first: m.first, last: m.last, score });
  }
  return out;
}
