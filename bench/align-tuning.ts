// How the aligner's pair model was chosen and fitted: on the TUNING stories of
// test/fixtures/stories only (the held-out splits are never read here).
// `npx tsx bench/align-tuning.ts` (a few seconds; ALIGN_L2=3 tries another regularisation) prints
//   1. leave-one-story-out cross-validation over the tuning stories: for each story, the model
//      fitted on the other two, scored on it; F1 for each threshold, and the average precision
//      of the ranking — what the features and threshold were chosen by;
//   2. the same, aligned by alignStory at the shipped threshold with each vicinity floor (the
//      links between two linked pairs, align.ts step 4);
//   3. the model fitted on all tuning stories: the numbers in DEFAULT_ALIGN_OPTIONS.model
//      (a test checks they are still the fit).
import { alignStory, DEFAULT_ALIGN_OPTIONS } from '../server/core/stories/align.js';
import { labelledPairs, scoreLinks, sumScores, type LinkScores } from '../server/core/stories/evaluate.js';
import { DEFAULT_L2, fitPairModel, linkProbability, PAIR_FEATURES, type TrainingPair } from '../server/core/stories/pair-model.js';
import { loadStories } from '../test/helpers/stories.js';

const L2 = Number(process.env.ALIGN_L2 ?? DEFAULT_L2);

const f = (x: number) => x.toFixed(3);
const stories = loadStories('tuning');
const rows = stories.map((s) => labelledPairs(s.articles, s.gold));

/** Counts for the rows of one story whose probability reaches `threshold`. */
function scoreAt(probabilities: number[], labelled: TrainingPair[], threshold: number): Pick<LinkScores, 'truePositives' | 'falsePositives' | 'falseNegatives'> {
  let truePositives = 0;
  let falsePositives = 0;
  let falseNegatives = 0;
  probabilities.forEach((p, k) => {
    const linked = labelled[k]!.linked;
    if (p >= threshold) linked ? truePositives++ : falsePositives++;
    else if (linked) falseNegatives++;
  });
  return { truePositives, falsePositives, falseNegatives };
}

const outOfFold = stories.map((_, k) => {
  const model = fitPairModel(rows.filter((__, q) => q !== k).flat(), L2);
  return rows[k]!.map((r) => linkProbability(model, r.features));
});
console.log(`leave-one-story-out over ${stories.length} tuning stories (${rows.flat().filter((r) => r.linked).length} gold links), L2 ${L2}:`);
for (const threshold of [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6]) {
  const counts = outOfFold.map((p, k) => scoreAt(p, rows[k]!, threshold));
  const tp = counts.reduce((n, c) => n + c.truePositives, 0);
  const fp = counts.reduce((n, c) => n + c.falsePositives, 0);
  const fn = counts.reduce((n, c) => n + c.falseNegatives, 0);
  const precision = tp / (tp + fp || 1);
  const recall = tp / (tp + fn || 1);
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  const mark = threshold === DEFAULT_ALIGN_OPTIONS.threshold ? ' *' : '';
  console.log(`  threshold ${threshold.toFixed(2)}: F1 ${f(f1)} (P ${f(precision)}, R ${f(recall)})${mark}`);
}
const ranked = outOfFold.flatMap((p, k) => p.map((probability, n) => ({ probability, linked: rows[k]![n]!.linked }))).sort((a, b) => b.probability - a.probability);
let hits = 0;
let sum = 0;
ranked.forEach((r, rank) => {
  if (r.linked) sum += ++hits / (rank + 1);
});
console.log(`  average precision of the ranking: ${f(sum / hits)}`);

const models = stories.map((_, k) => fitPairModel(rows.filter((__, q) => q !== k).flat(), L2));
console.log(`\nthe same, at threshold ${DEFAULT_ALIGN_OPTIONS.threshold} with the vicinity step (a pair between two linked pairs linked from this probability on):`);
for (const vicinity of [1, 0.25, 0.2, 0.15, 0.1, 0.05, 0]) {
  const s = sumScores(stories.map((story, k) => scoreLinks(alignStory(story.articles, { ...DEFAULT_ALIGN_OPTIONS, model: models[k]!, vicinity }), story.gold)));
  const mark = vicinity === DEFAULT_ALIGN_OPTIONS.vicinity ? ' *' : '';
  console.log(`  vicinity ${vicinity === 1 ? 'off ' : vicinity.toFixed(2)}: F1 ${f(s.f1)} (P ${f(s.precision)}, R ${f(s.recall)})${mark}`);
}

const model = fitPairModel(rows.flat(), L2);
const weights = PAIR_FEATURES.map((name) => `      ${name}: ${model.weights[name].toFixed(4)},`).join('\n');
console.log(`\nfitted on all ${stories.length} tuning stories (DEFAULT_ALIGN_OPTIONS.model):\n    weights: {\n${weights}\n    },\n    intercept: ${model.intercept.toFixed(4)},`);
