// How the aligner's weights and thresholds were chosen: a grid over the TUNING stories of
// test/fixtures/stories only (the held-out stories are never read here), ranked by link F1.
// `npx tsx bench/align-tuning.ts` (about half a minute); the chosen values are
// DEFAULT_ALIGN_OPTIONS in server/core/stories/align.ts.
import { alignStory, DEFAULT_ALIGN_OPTIONS, type AlignOptions } from '../server/core/stories/align.js';
import { scoreLinks, sumScores } from '../server/core/stories/evaluate.js';
import { loadStories } from '../test/helpers/stories.js';

const stories = loadStories('tuning');
const run = (options: AlignOptions) => sumScores(stories.map((s) => scoreLinks(alignStory(s.articles, options), s.gold)));
const grid: Partial<Record<keyof AlignOptions, number[]>> = {
  number: [1, 2, 3],
  name: [1, 1.5, 2],
  quote: [1, 1.5],
  threshold: [0.1, 0.15, 0.2],
  extraThreshold: [0.2, 0.25, 0.3],
  positionPenalty: [0, 0.1, 0.2, 0.3],
  context: [0, 0.25, 0.5],
  triangleThreshold: [0.1, 0.15, 0.2, 1],
};

/** Coordinate-wise: each option over its grid with the others at their defaults, then the best of each. */
const f = (x: number) => x.toFixed(3);
const base = run(DEFAULT_ALIGN_OPTIONS);
console.log(`defaults: F1 ${f(base.f1)} (P ${f(base.precision)}, R ${f(base.recall)}) on ${stories.length} tuning stories, ${base.truePositives + base.falseNegatives} gold links`);
for (const [key, values] of Object.entries(grid) as [keyof AlignOptions, number[]][]) {
  const cells = values.map((value) => {
    const r = run({ ...DEFAULT_ALIGN_OPTIONS, [key]: value });
    return `${value}${value === DEFAULT_ALIGN_OPTIONS[key] ? '*' : ''} → ${f(r.f1)} (P ${f(r.precision)} R ${f(r.recall)})`;
  });
  console.log(`${key.padEnd(18)} ${cells.join(' · ')}`);
}
