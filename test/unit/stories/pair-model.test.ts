import { describe, expect, it } from 'vitest';
import { segment } from '../../../server/core/segmentation.js';
import { pairScorer, storyPairs } from '../../../server/core/stories/align.js';
import { fitPairModel, linkProbability, PAIR_FEATURES, type PairModel, type TrainingPair } from '../../../server/core/stories/pair-model.js';

const width = PAIR_FEATURES.length;
const row = (values: Partial<Record<(typeof PAIR_FEATURES)[number], number>>, linked: boolean): TrainingPair => ({
  features: PAIR_FEATURES.map((name) => values[name] ?? 0),
  linked,
});
const times = <T>(n: number, make: () => T) => Array.from({ length: n }, make);
const logit = (p: number) => Math.log(p / (1 - p));

describe('the pair model', () => {
  it('is the logistic function of the weighted features', () => {
    const weights = Object.fromEntries(PAIR_FEATURES.map((name, k) => [name, (k + 1) / 10])) as PairModel['weights'];
    const model: PairModel = { weights, intercept: -2 };
    const features = PAIR_FEATURES.map((_, k) => k % 3);
    const z = -2 + features.reduce((sum, x, k) => sum + x * ((k + 1) / 10), 0);
    expect(linkProbability(model, features)).toBeCloseTo(1 / (1 + Math.exp(-z)), 12);
    expect(linkProbability(model, [0, 0, ...features], 2)).toBeCloseTo(1 / (1 + Math.exp(-z)), 12);
  });

  it('fits the known maximum-likelihood answer: one binary feature gives the log odds of each group', () => {
    // 6 of 30 linked without the feature, 15 of 20 with it: intercept logit(0.2), weight logit(0.75) - logit(0.2).
    const rows = [
      ...times(6, () => row({}, true)),
      ...times(24, () => row({}, false)),
      ...times(15, () => row({ anchors: 1 }, true)),
      ...times(5, () => row({ anchors: 1 }, false)),
    ];
    const model = fitPairModel(rows, 1e-9);
    expect(model.intercept).toBeCloseTo(logit(0.2), 5);
    expect(model.weights.anchors).toBeCloseTo(logit(0.75) - logit(0.2), 5);
    for (const name of PAIR_FEATURES) if (name !== 'anchors') expect(model.weights[name]).toBe(0);
  });

  it('stops where the regularised log loss is flat: its gradient, counted independently, is zero', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const rows = times(400, () => {
      const features = PAIR_FEATURES.map(() => random());
      const z = -1 + 3 * features[0]! - 2 * features[1]! + features[8]!;
      return { features, linked: random() < 1 / (1 + Math.exp(-z)) };
    });
    const l2 = 2;
    const model = fitPairModel(rows, l2);
    const gradient = PAIR_FEATURES.map((name) => l2 * model.weights[name]);
    let interceptGradient = 0;
    for (const r of rows) {
      const error = linkProbability(model, r.features) - (r.linked ? 1 : 0);
      PAIR_FEATURES.forEach((_, k) => (gradient[k]! += error * (r.features[k] ?? 0)));
      interceptGradient += error;
    }
    for (const g of gradient) expect(Math.abs(g)).toBeLessThan(1e-8);
    expect(Math.abs(interceptGradient)).toBeLessThan(1e-8);
    expect(model.weights.cosine).toBeGreaterThan(1);
    expect(model.weights.distance).toBeLessThan(-0.5);
  });

  it('gives the same fit whatever the order of the rows', () => {
    const rows = [row({ cosine: 0.8, mutualBest: 1 }, true), row({ cosine: 0.1 }, false), row({ cosine: 0.5, anchors: 2 }, true), row({ cosine: 0.3, bothLeads: 1 }, false), row({}, false)];
    const a = fitPairModel(rows);
    const b = fitPairModel([...rows].reverse());
    for (const name of PAIR_FEATURES) expect(a.weights[name]).toBeCloseTo(b.weights[name], 10);
  });
});

describe('pair features', () => {
  const A = 'Lawmakers voted 112 to 31 on Saturday to remove President Danek. The army stayed in its barracks. Danek fled to Norvenia.';
  const B = 'Danek was seen in Norvenia. Parliament removed him by 112 votes to 31. Soldiers stayed in barracks, the army said.';
  const articles = [
    { id: 'a', text: A, sentences: segment(A) },
    { id: 'b', text: B, sentences: segment(B) },
  ];
  const [pair] = storyPairs(articles);
  const feature = (i: number, j: number, name: (typeof PAIR_FEATURES)[number]) => pair!.features.values[(i * pair!.features.columns + j) * width + PAIR_FEATURES.indexOf(name)]!;

  it('counts anchors: numbers and words each article uses once, not names', () => {
    expect(feature(0, 1, 'anchors')).toBe(3); // 112, 31, "remov", "vote": 4, capped at 3
    expect(feature(1, 2, 'anchors')).toBe(3); // "armi", "stai", "barrack"
    expect(feature(2, 0, 'anchors')).toBe(0); // "Danek" and "Norvenia" are names: shared, but no anchors
    expect(feature(2, 0, 'cosine')).toBeGreaterThan(0);
  });

  it('marks leads, mutual best matches and the share of each sentence’s best', () => {
    expect(feature(0, 0, 'bothLeads')).toBe(1);
    expect(feature(0, 1, 'bothLeads')).toBe(0);
    expect(feature(0, 1, 'eitherLead')).toBe(1);
    expect(feature(0, 1, 'mutualBest')).toBe(1);
    expect(feature(0, 1, 'rowShare')).toBe(1);
    expect(feature(0, 1, 'distance')).toBeCloseTo(1 / 3, 12);
  });

  it('scores a pair the same in either direction, and 0 for sentences that do not exist', () => {
    const score = pairScorer(articles);
    const ab = score({ article: 'a', sentence: 0 }, { article: 'b', sentence: 1 });
    expect(ab).toBeGreaterThan(0.5);
    expect(score({ article: 'b', sentence: 1 }, { article: 'a', sentence: 0 })).toBe(ab);
    expect(score({ article: 'a', sentence: 9 }, { article: 'b', sentence: 1 })).toBe(0);
    expect(score({ article: 'a', sentence: 0 }, { article: 'a', sentence: 1 })).toBe(0);
    expect(score({ article: 'c', sentence: 0 }, { article: 'b', sentence: 1 })).toBe(0);
  });
});
