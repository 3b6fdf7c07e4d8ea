// The learned suggester's model: one logistic regression per category over token features
// ("is this token part of a span of category c?"), trained by stochastic gradient descent.
// Categories may overlap, so each has its own model. Where the rules (as the codebook routes
// them) or a cue suggest a category for a token, the model starts from that score instead of its
// bias and learns corrections: a word it never saw is suggested as the rules would. The model is
// plain JSON-serialisable data, made in a worker thread (server/suggest/train.ts) and stored by
// server/storage/models.ts.
//
// Training cost is kept linear and small: the bias starts at the category's prior, so the many
// tokens that are plainly not part of a span give a near-zero gradient and are skipped (that
// also keeps the weights sparse: only features that ever mattered are stored).
import { z } from 'zod';
import { mulberry32 } from '../agreement/bootstrap.js';
import type { Codebook } from '../model.js';
import { categories } from '../codebook.js';
import { analyseSentence } from './analyse.js';
import { codebookRules } from './codebook-rules.js';
import { BITS, FEATURES_VERSION, rulePriors, tokenFeatures } from './features.js';
import type { LabelledArticle } from './types.js';

export const MODEL_FORMAT = 'framelens-suggest-model';

const modelSchema = z.strictObject({
  format: z.literal(MODEL_FORMAT),
  /** The feature set it was trained on (features.ts); another one needs training again. */
  features: z.number().int(),
  bits: z.number().int().min(8).max(24),
  codebookId: z.string().max(64),
  trainedAt: z.string().max(40),
  /** What it learned from. */
  trainedOn: z.strictObject({
    articles: z.number().int().min(0),
    sentences: z.number().int().min(0),
    tokens: z.number().int().min(0),
    spans: z.number().int().min(0),
  }),
  categories: z.array(
    z.strictObject({
      id: z.string().max(64),
      bias: z.number(),
      /** Spans learned from: a category with too few has no model (`trained` false). */
      spans: z.number().int().min(0),
      trained: z.boolean(),
      /** Most of its spans include their quotation marks (scare quotes): suggestions do too. */
      quoteMarks: z.boolean(),
    }),
  ),
  /** The slots with a weight, and per slot one weight for each category in `categories` order. */
  slots: z.array(z.number().int().min(0)),
  weights: z.array(z.number()),
});

export type LearnedModel = z.infer<typeof modelSchema>;

/** A stored model, checked; throws a ZodError naming what is wrong. */
export function parseModel(input: unknown): LearnedModel {
  const model = modelSchema.parse(input);
  const trained = model.categories.length;
  if (model.weights.length !== model.slots.length * trained) {
    throw new Error(`model: ${model.weights.length} weights for ${model.slots.length} slots × ${trained} categories`);
  }
  return model;
}

/** Whether a stored model still fits: the same codebook and the features this version computes. */
export function modelFits(model: LearnedModel, codebook: Codebook): boolean {
  const ids = categories(codebook).map((c) => c.id);
  return (
    model.features === FEATURES_VERSION &&
    model.bits === BITS &&
    model.codebookId === codebook.id &&
    model.categories.length === ids.length &&
    model.categories.every((c, i) => c.id === ids[i])
  );
}

export interface TrainOptions {
  /** A category needs at least this many spans to be learned. */
  minSpans?: number;
  epochs?: number;
  /**
   * Share of training tokens seen without their lexical features (feature dropout), so that the
   * model also learns to rely on the lexicons, rules and cues, which carry over to words it has
   * never seen; otherwise word identity explains the training set alone.
   */
  dropout?: number;
  /** Seeds the order sentences are visited in, so training is repeatable. */
  seed?: number;
  /** ISO time recorded in the model. */
  now?: string;
}

const QUOTE_MARK = /^["'“‘«„]/;

/** A rule's score as the log-odds a token starts from (clamped: no rule is ever certain). */
export function priorLogit(score: number): number {
  const p = Math.min(0.95, Math.max(0.05, score));
  return Math.log(p / (1 - p));
}

/** Trains a model on `articles` (their annotated sentences, with their spans) for `codebook`. */
export function trainModel(articles: readonly LabelledArticle[], codebook: Codebook, options: TrainOptions = {}): LearnedModel {
  const minSpans = options.minSpans ?? 3;
  const epochs = options.epochs ?? 4;
  const dropout = options.dropout ?? 0.3;
  const ids = categories(codebook).map((c) => c.id);
  const C = ids.length;
  const column = new Map(ids.map((id, i) => [id, i]));
  const rules = codebookRules(codebook);

  // Tokens of every annotated sentence: their feature slots (flattened) and labels.
  const offsets: number[] = [0];
  const slots: number[] = [];
  const lexicalEnds: number[] = []; // per token: where its lexical slots end (general ones follow)
  const priorOffsets: number[] = [0]; // per token: its rule priors, as (category, logit) pairs
  const priorCategories: number[] = [];
  const priorLogits: number[] = [];
  const labels: number[] = []; // token × category, 0/1
  const sentenceStarts: number[] = []; // first token of each sentence
  const spanCount = new Array<number>(C).fill(0);
  const quoted = new Array<number>(C).fill(0);
  let sentences = 0;
  for (const article of articles) {
    const bySentence = new Map<number, typeof article.spans>();
    for (const span of article.spans) {
      const c = column.get(span.category);
      if (c === undefined) continue;
      spanCount[c] = (spanCount[c] ?? 0) + 1;
      if (QUOTE_MARK.test(article.text.slice(span.start, span.start + 1))) quoted[c] = (quoted[c] ?? 0) + 1;
      bySentence.set(span.sentence, [...(bySentence.get(span.sentence) ?? []), span]);
    }
    for (const index of new Set(article.annotated)) {
      if (!article.sentences[index]) continue;
      const a = analyseSentence(article.text, article.sentences, index);
      const features = tokenFeatures(a, rules);
      const priors = rulePriors(a, rules, column);
      const spans = bySentence.get(index) ?? [];
      sentenceStarts.push(offsets.length - 1);
      sentences++;
      a.tokens.forEach((t, i) => {
        const f = features[i];
        for (const s of f?.lexical ?? []) slots.push(s);
        lexicalEnds.push(slots.length);
        for (const s of f?.general ?? []) slots.push(s);
        offsets.push(slots.length);
        for (const [c, score] of priors[i] ?? []) {
          priorCategories.push(c);
          priorLogits.push(priorLogit(score));
        }
        priorOffsets.push(priorCategories.length);
        const row = new Array<number>(C).fill(0);
        for (const span of spans) {
          const c = column.get(span.category);
          if (c !== undefined && t.start < span.end && span.start < t.end) row[c] = 1;
        }
        for (const y of row) labels.push(y);
      });
    }
  }
  const tokens = offsets.length - 1;
  sentenceStarts.push(tokens);
  const trained = ids.map((_, c) => (spanCount[c] ?? 0) >= minSpans);

  // Biases start at each category's share of positive tokens (clamped), weights at zero.
  const bias = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let positive = 0;
    for (let t = 0; t < tokens; t++) positive += labels[t * C + c] ?? 0;
    const prior = Math.min(0.5, Math.max(1e-4, positive / Math.max(1, tokens)));
    bias[c] = Math.log(prior / (1 - prior));
  }
  const D = 1 << BITS;
  const W = new Float32Array(D * C);
  const used = new Uint8Array(D);
  const flat = Int32Array.from(slots);
  const y = Uint8Array.from(labels);
  const order = Array.from({ length: sentenceStarts.length - 1 }, (_, i) => i);
  const random = mulberry32(options.seed ?? 1);
  const z = new Float64Array(C);
  const fromRule = new Uint8Array(C);
  const pc = Int32Array.from(priorCategories);
  const pz = Float64Array.from(priorLogits);
  const active = ids.map((_, c) => c).filter((c) => trained[c]);

  for (let epoch = 0; epoch < epochs; epoch++) {
    const rate = 0.3 / (1 + epoch);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
    }
    for (const s of order) {
      const from = sentenceStarts[s] ?? 0;
      const to = sentenceStarts[s + 1] ?? 0;
      for (let t = from; t < to; t++) {
        const f0 = random() < dropout ? (lexicalEnds[t] ?? 0) : (offsets[t] ?? 0);
        const f1 = offsets[t + 1] ?? 0;
        for (const c of active) {
          z[c] = bias[c] ?? 0;
          fromRule[c] = 0;
        }
        // Where a rule or cue suggests a category, its score is the starting point instead of the bias.
        for (let k = priorOffsets[t] ?? 0; k < (priorOffsets[t + 1] ?? 0); k++) {
          const c = pc[k] ?? 0;
          z[c] = pz[k] ?? 0;
          fromRule[c] = 1;
        }
        for (let k = f0; k < f1; k++) {
          const base = (flat[k] ?? 0) * C;
          for (const c of active) z[c] = (z[c] ?? 0) + (W[base + c] ?? 0);
        }
        for (const c of active) {
          const p = 1 / (1 + Math.exp(-(z[c] ?? 0)));
          const g = p - (y[t * C + c] ?? 0);
          // Plainly right already: nothing to learn (most tokens, most of the time).
          if (g > -0.02 && g < 0.02) continue;
          const step = rate * g;
          if (!fromRule[c]) bias[c] = (bias[c] ?? 0) - step * 0.1;
          for (let k = f0; k < f1; k++) {
            const f = flat[k] ?? 0;
            W[f * C + c] = (W[f * C + c] ?? 0) - step;
            used[f] = 1;
          }
        }
      }
    }
  }

  // Keep the slots whose weights matter, rounded: the model stays small as JSON.
  const keptSlots: number[] = [];
  const keptWeights: number[] = [];
  for (let f = 0; f < D; f++) {
    if (!used[f]) continue;
    let big = false;
    for (let c = 0; c < C && !big; c++) big = Math.abs(W[f * C + c] ?? 0) >= 1e-3;
    if (!big) continue;
    keptSlots.push(f);
    for (let c = 0; c < C; c++) keptWeights.push(Math.round((W[f * C + c] ?? 0) * 1e4) / 1e4);
  }
  return {
    format: MODEL_FORMAT,
    features: FEATURES_VERSION,
    bits: BITS,
    codebookId: codebook.id,
    trainedAt: options.now ?? '',
    trainedOn: { articles: articles.length, sentences, tokens, spans: spanCount.reduce((a, b) => a + b, 0) },
    categories: ids.map((id, c) => ({
      id,
      bias: Math.round((bias[c] ?? 0) * 1e4) / 1e4,
      spans: spanCount[c] ?? 0,
      trained: trained[c] ?? false,
      quoteMarks: (quoted[c] ?? 0) * 2 > (spanCount[c] ?? 0),
    })),
    slots: keptSlots,
    weights: keptWeights,
  };
}
