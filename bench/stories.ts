// Stories benchmark (issue 18): alignment quality on the hand-built gold, alignment time for a
// 3-article story of 50 sentences each and a 20-article story, and the outlet profile over the
// bench study's 1,000 articles. Each time is printed beside a baseline measured in the same run:
// segmenting the same articles' text (for alignment), or the profile's point estimates alone,
// one pass over the tags with no bootstrap (for the profile).
import { pathToFileURL } from 'node:url';
import type { Range } from '../server/core/model.js';
import { segment, words } from '../server/core/segmentation.js';
import { alignStory, DEFAULT_ALIGN_OPTIONS, sentenceVectors, similarities } from '../server/core/stories/align.js';
import { labelledPairs, scoreLinks, sumScores, type LinkScores } from '../server/core/stories/evaluate.js';
import { fitPairModel } from '../server/core/stories/pair-model.js';
import { articleCounts, outletProfiles, statistics, type ProfileArticle } from '../server/core/stories/profile.js';
import { categories } from '../server/core/codebook.js';
import { loadShippedCodebooks } from '../server/storage/shipped-codebooks.js';
import { loadStories, type FixtureStory, type Split } from '../test/helpers/stories.js';
import { article as newsArticle, int, pick, rng, sentence, type Random } from './news.js';
import { time, type Timing } from './timing.js';

/** Timings are wall-clock and CPU milliseconds; targets are judged on CPU time (the machine is shared). */
export interface StoriesFigures {
  /** The shipped model on the stories it was fitted on (resubstitution: optimistic). */
  tuning: LinkScores;
  /** The first held-out split, scored only. */
  heldOut: LinkScores;
  heldOutStories: number;
  /** The second held-out split (written after the first method was frozen), scored only. */
  heldOut2: LinkScores;
  heldOut2Stories: number;
  /** The third held-out split (written after the pair model was frozen), scored only. */
  heldOut3: LinkScores;
  heldOut3Stories: number;
  /** The fourth held-out split (written before the vicinity step and the six-story fit), scored only. */
  heldOut4: LinkScores;
  heldOut4Stories: number;
  /** Per split: the share of gold links whose two sentences share no weighted term (cosine 0): out of a word-overlap aligner's reach. */
  noOverlap: Record<Split, number>;
  /** Leave-one-story-out over the tuning stories: each scored by the model fitted on the others. */
  crossValidated: LinkScores;
  crossValidatedStories: number;
  small: { time: Timing; baseline: Timing; sentences: number; links: number };
  large: { time: Timing; baseline: Timing; sentences: number; links: number };
  profile: { time: Timing; baseline: Timing; articles: number; tags: number; outlets: number };
}

/**
 * `count` versions of one news story of `sentences` sentences: each keeps most of the base's
 * sentences, drops or replaces about a fifth, adds a few of its own and swaps neighbours, so the
 * aligner has real matches, reorderings and sentences only one version has.
 */
function storyVersions(r: Random, count: number, sentences: number): { id: string; text: string; sentences: Range[] }[] {
  const base = Array.from({ length: sentences }, () => sentence(r));
  return Array.from({ length: count }, (_, v) => {
    const own: string[] = [];
    for (const s of base) {
      const roll = r();
      if (roll < 0.1) continue;
      own.push(roll < 0.2 ? sentence(r) : s);
    }
    while (own.length < sentences) own.splice(int(r, 0, own.length), 0, sentence(r));
    for (let k = 0; k < sentences / 10; k++) {
      const i = int(r, 0, own.length - 2);
      [own[i], own[i + 1]] = [own[i + 1]!, own[i]!];
    }
    const paragraphs: string[] = [];
    for (let i = 0; i < own.length; i += 3) paragraphs.push(own.slice(i, i + 3).join(' '));
    const text = paragraphs.join('\n\n');
    return { id: `v${v}`, text, sentences: segment(text) };
  });
}

/** The bench study's 1,000 articles × 30 sentences with 200,000 tags by 20 annotators, in memory. */
async function studyArticles(r: Random): Promise<{ articles: ProfileArticle[]; categoryIds: string[]; tags: number }> {
  const framing = (await loadShippedCodebooks()).find((c) => c.id === 'framing');
  if (!framing) throw new Error('the framing codebook is missing');
  const categoryIds = categories(framing).map((c) => c.id);
  const ANNOTATORS = 20;
  const TAGS = 200_000;
  const articles: ProfileArticle[] = [];
  for (let a = 0; a < 1000; a++) {
    const news = newsArticle(r, 30, a);
    const sentences = segment(news.text);
    const wordCount = sentences.reduce((n, range) => n + words(news.text, range).length, 0);
    articles.push({ id: `a${a}`, outlet: news.source, words: wordCount, sentences: sentences.length, layers: Array.from({ length: ANNOTATORS }, () => []) });
  }
  for (let t = 0; t < TAGS; t++) {
    const article = pick(r, articles);
    const layer = article.layers[int(r, 0, ANNOTATORS - 1)]!;
    // Zipf-like over categories, as the bench study.
    const c = Math.min(categoryIds.length - 1, Math.floor(Math.exp(r() * Math.log(categoryIds.length + 1))) - 1);
    layer.push({ sentence: int(r, 0, article.sentences - 1), category: categoryIds[c]! });
  }
  return { articles, categoryIds, tags: TAGS };
}

const SPLITS: readonly Split[] = ['tuning', 'held-out', 'held-out-2', 'held-out-3', 'held-out-4'];

/** The share of the stories' gold links whose two sentences have cosine 0 (no weighted term in common). */
export function noOverlapShare(stories: readonly FixtureStory[]): number {
  let links = 0;
  let none = 0;
  for (const s of stories) {
    const vectors = sentenceVectors(s.articles, DEFAULT_ALIGN_OPTIONS).vectors;
    const index = new Map(s.articles.map((a, i) => [a.id, i]));
    for (const g of s.gold) {
      const a = vectors[index.get(g.a.article)!]![g.a.sentence]!;
      const b = vectors[index.get(g.b.article)!]![g.b.sentence]!;
      links++;
      if (similarities([a], [b])[0] === 0) none++;
    }
  }
  return links === 0 ? 0 : none / links;
}

/**
 * Leave-one-story-out cross-validation: each story aligned with the pair model fitted (same
 * features, regularisation and threshold) on the other stories, the counts summed.
 */
export function leaveOneStoryOut(stories: readonly FixtureStory[]): { stories: number; scores: LinkScores } {
  const rows = stories.map((s) => labelledPairs(s.articles, s.gold));
  const scores = stories.map((s, k) => {
    const model = fitPairModel(rows.filter((_, q) => q !== k).flat());
    return scoreLinks(alignStory(s.articles, { ...DEFAULT_ALIGN_OPTIONS, model }), s.gold);
  });
  return { stories: stories.length, scores: sumScores(scores) };
}

export async function storiesBench(log: (...args: unknown[]) => void = console.log): Promise<StoriesFigures> {
  const score = (split: Split) => {
    const stories = loadStories(split);
    return { stories: stories.length, scores: sumScores(stories.map((s) => scoreLinks(alignStory(s.articles), s.gold))) };
  };
  const tuning = score('tuning');
  const heldOut = score('held-out');
  const heldOut2 = score('held-out-2');
  const heldOut3 = score('held-out-3');
  const heldOut4 = score('held-out-4');
  const noOverlap = Object.fromEntries(SPLITS.map((split) => [split, noOverlapShare(loadStories(split))])) as Record<Split, number>;
  const crossValidated = leaveOneStoryOut(loadStories('tuning'));

  const r = rng(20261201);
  const timeStory = (count: number, sentences: number, runs: number) => {
    const versions = storyVersions(r, count, sentences);
    let links = 0;
    const timing = time(runs, () => (links = alignStory(versions).length));
    const baseline = time(runs, () => versions.reduce((n, v) => n + segment(v.text).length, 0));
    return { time: timing, baseline, sentences: versions.reduce((n, v) => n + v.sentences.length, 0), links };
  };
  log('  aligning a 3-article story of 50 sentences each, and a 20-article story…');
  const small = timeStory(3, 50, 15);
  const large = timeStory(20, 50, 3);

  log('  generating the bench study in memory (1,000 articles × 30 sentences, 200,000 tags by 20 annotators)…');
  const study = await studyArticles(r);
  const profileTime = time(3, () => outletProfiles(study.articles, study.categoryIds));
  const baseline = time(3, () => {
    const byOutlet = new Map<string, ProfileArticle[]>();
    for (const a of study.articles) byOutlet.set(a.outlet, [...(byOutlet.get(a.outlet) ?? []), a]);
    for (const list of byOutlet.values()) statistics(list.map((a) => articleCounts(a, study.categoryIds)));
  });
  const outlets = new Set(study.articles.map((a) => a.outlet)).size;
  return {
    tuning: tuning.scores,
    heldOut: heldOut.scores,
    heldOutStories: heldOut.stories,
    heldOut2: heldOut2.scores,
    heldOut2Stories: heldOut2.stories,
    heldOut3: heldOut3.scores,
    heldOut3Stories: heldOut3.stories,
    heldOut4: heldOut4.scores,
    heldOut4Stories: heldOut4.stories,
    noOverlap,
    crossValidated: crossValidated.scores,
    crossValidatedStories: crossValidated.stories,
    small,
    large,
    profile: { time: profileTime, baseline, articles: study.articles.length, tags: study.tags, outlets },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const f = await storiesBench();
  const p = (s: LinkScores) => `P ${s.precision.toFixed(3)} R ${s.recall.toFixed(3)} F1 ${s.f1.toFixed(3)}`;
  console.log(`alignment held-out: ${p(f.heldOut)}; held-out-2: ${p(f.heldOut2)}; held-out-3: ${p(f.heldOut3)}; held-out-4: ${p(f.heldOut4)}; tuning: ${p(f.tuning)}; leave-one-story-out over ${f.crossValidatedStories}: ${p(f.crossValidated)}`);
  const t = (x: Timing) => `${x.cpuMs.toFixed(1)} ms CPU (${x.wallMs.toFixed(1)} ms wall)`;
  console.log(`3 × 50: ${t(f.small.time)}, segmenting ${t(f.small.baseline)}; 20 × 50: ${t(f.large.time)}, segmenting ${t(f.large.baseline)}`);
  console.log(`profile: ${t(f.profile.time)}, point estimates ${t(f.profile.baseline)}`);
}
