// Precision, recall and F1 of sentence links against gold links: a link is a pair of
// sentences of two articles, in either direction; each is counted once.
import { storyPairs, type SentenceRef } from './align.js';
import type { AlignArticle } from './features.js';
import { PAIR_FEATURES, type TrainingPair } from './pair-model.js';

export interface LinkPair {
  a: SentenceRef;
  b: SentenceRef;
}

export interface LinkScores {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  f1: number;
}

const node = (r: SentenceRef) => `${r.article}\u0000${r.sentence}`;

/** The same key for a link in either direction. */
export function linkKey(link: LinkPair): string {
  const a = node(link.a);
  const b = node(link.b);
  return a < b ? `${a}\u0001${b}` : `${b}\u0001${a}`;
}

/** Scores `predicted` against `gold`; precision (recall) is 1 when nothing was predicted (expected). */
export function scoreLinks(predicted: readonly LinkPair[], gold: readonly LinkPair[]): LinkScores {
  const truth = new Set(gold.map(linkKey));
  const found = new Set(predicted.map(linkKey));
  let truePositives = 0;
  for (const key of found) if (truth.has(key)) truePositives++;
  const falsePositives = found.size - truePositives;
  const falseNegatives = truth.size - truePositives;
  return withRates(truePositives, falsePositives, falseNegatives);
}

/** Micro-averaged scores: the counts of several stories summed, then the rates. */
export function sumScores(scores: readonly LinkScores[]): LinkScores {
  const sum = (f: (s: LinkScores) => number) => scores.reduce((total, s) => total + f(s), 0);
  return withRates(sum((s) => s.truePositives), sum((s) => s.falsePositives), sum((s) => s.falseNegatives));
}

function withRates(truePositives: number, falsePositives: number, falseNegatives: number): LinkScores {
  const precision = truePositives + falsePositives === 0 ? 1 : truePositives / (truePositives + falsePositives);
  const recall = truePositives + falseNegatives === 0 ? 1 : truePositives / (truePositives + falseNegatives);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truePositives, falsePositives, falseNegatives, precision, recall, f1 };
}

/** Every sentence pair of a story's articles with its features, labelled by the gold links: rows to fit the pair model on. */
export function labelledPairs(articles: readonly AlignArticle[], gold: readonly LinkPair[]): TrainingPair[] {
  const truth = new Set(gold.map(linkKey));
  const width = PAIR_FEATURES.length;
  const rows: TrainingPair[] = [];
  for (const { x, y, features } of storyPairs(articles)) {
    for (let i = 0; i < features.rows; i++) {
      for (let j = 0; j < features.columns; j++) {
        const at = (i * features.columns + j) * width;
        const key = linkKey({ a: { article: articles[x]!.id, sentence: i }, b: { article: articles[y]!.id, sentence: j } });
        rows.push({ features: features.values.subarray(at, at + width), linked: truth.has(key) });
      }
    }
  }
  return rows;
}
