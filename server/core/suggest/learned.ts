// The learned suggester: a trained model (model.ts) turned into spans. Each token gets a
// probability per category; a run of neighbouring tokens that reach MEMBER becomes one span,
// scored by the mean probability of its tokens. A category whose spans mostly include their
// quotation marks (scare quotes) gets them added when the run fills a quotation exactly.
import type { Codebook } from '../model.js';
import type { SentenceAnalysis } from './analyse.js';
import { codebookRules } from './codebook-rules.js';
import { rulePriors, tokenFeatures } from './features.js';
import { priorLogit, type LearnedModel } from './model.js';
import type { Suggester, Suggestion } from './types.js';

/** Shown by default: spans the model gives a mean probability of 0.5 or more. */
export const LEARNED_THRESHOLD = 0.5;
/** A token belongs to a span from this probability on. */
const MEMBER = 0.35;

export function learnedSuggester(model: LearnedModel, codebook: Codebook): Suggester {
  const rules = codebookRules(codebook);
  const C = model.categories.length;
  // Slot → row of weights, as a flat table (4 bytes per slot): a look-up per feature is the hot path.
  const rowOf = new Int32Array(1 << model.bits).fill(-1);
  model.slots.forEach((slot, i) => (rowOf[slot] = i));
  const weights = Float64Array.from(model.weights);
  const active = Int32Array.from(model.categories.map((c, i) => (c.trained ? i : -1)).filter((i) => i >= 0));
  const A = active.length;
  const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
  const column = new Map(model.categories.map((c, i) => [c.id, i]));

  function addRows(z: Float64Array, at: number, slots: readonly number[]): void {
    for (let k = 0; k < slots.length; k++) {
      const row = rowOf[slots[k] ?? 0] ?? -1;
      if (row < 0) continue;
      const base = row * C;
      for (let j = 0; j < A; j++) {
        const c = active[j] ?? 0;
        z[at + c] = (z[at + c] ?? 0) + (weights[base + c] ?? 0);
      }
    }
  }

  return {
    name: 'learned',
    threshold: LEARNED_THRESHOLD,
    suggest(a: SentenceAnalysis): Suggestion[] {
      if (active.length === 0 || a.tokens.length === 0) return [];
      const features = tokenFeatures(a, rules);
      const n = a.tokens.length;
      const z = new Float64Array(n * C);
      const priors = rulePriors(a, rules, column);
      for (let t = 0; t < n; t++) {
        for (let j = 0; j < A; j++) {
          const c = active[j] ?? 0;
          z[t * C + c] = model.categories[c]?.bias ?? 0;
        }
        for (const [c, score] of priors[t] ?? []) z[t * C + c] = priorLogit(score);
        const f = features[t];
        if (!f) continue;
        addRows(z, t * C, f.lexical);
        addRows(z, t * C, f.general);
      }
      const out: Suggestion[] = [];
      for (const c of active) {
        const category = model.categories[c];
        if (!category) continue;
        let t = 0;
        while (t < n) {
          const first = t;
          let sum = 0;
          for (let p = sigmoid(z[t * C + c] ?? 0); p >= MEMBER; p = t < n ? sigmoid(z[t * C + c] ?? 0) : 0) {
            sum += p;
            t++;
          }
          if (t === first) {
            t++;
            continue;
          }
          const last = t - 1;
          let start = a.tokens[first]?.start ?? 0;
          let end = a.tokens[last]?.end ?? 0;
          if (category.quoteMarks) {
            const quote = a.quotes.find((q) => q.first === first && q.last === last);
            if (quote) ({ start, end } = quote);
          }
          out.push({ sentence: a.index, start, end, category: category.id, score: sum / (last - first + 1), suggester: 'learned', source: 'model' });
        }
      }
      return out.sort((x, y) => x.start - y.start || x.end - y.end || x.category.localeCompare(y.category));
    },
  };
}
