// Curation benchmark (issue 16): the automatic merge over a study the size of the bench's
// (1,000 articles × 30 sentences, 20 annotators, 200,000 tags), and the per-annotator report of
// F1 against gold (exact and overlap, per category, 1,000 bootstrap resamples), each beside a
// baseline measured in the same run, then at twice the articles (linear: ≤ 2.2× the time).
//
// The study is generated in memory with the bench study's news-like text (news.ts) and its
// shape, but annotators who partly agree (as real ones do, and unlike the bench study's random
// tags, on which nothing would merge): every annotator reviews every sentence; each article has
// 8 true spans, each tagged by an annotator with probability 0.7, with a boundary off by a word
// 20 % of the time and another category 15 % of the time; the rest of their 10 tags per article
// are random words and categories.
//
// Baselines: for the merge, the plain vote (every tag counted once into a map keyed by its
// article, sentence, boundaries and category, then the keys with a majority of the sentence's
// reviewers); for the report, each annotator's overall overlap F1 against gold (span-f1.ts on one
// pair per article, labels ignored: no categories, no bootstrap). Times are medians of 3 runs after
// one warm-up, on CPU time (the machine is shared), wall time beside them.
import { pathToFileURL } from 'node:url';
import type { Annotation, Article, Intensity, Range, Tag, Voice } from '../server/core/model.js';
import { VOICES } from '../server/core/model.js';
import { segment, words } from '../server/core/segmentation.js';
import { categories } from '../server/core/codebook.js';
import { overlapSpanF1Documents } from '../server/core/agreement/index.js';
import { articleCandidates } from '../server/core/curation/candidates.js';
import { emptyGold, type Gold } from '../server/core/curation/gold.js';
import { DEFAULT_MERGE_SETTINGS, mergeGold } from '../server/core/curation/merge.js';
import { qualityAgainstGold } from '../server/core/curation/quality.js';
import { loadShippedCodebooks } from '../server/storage/shipped-codebooks.js';
import { article as newsArticle, int, pick, rng, type Random } from './news.js';
import { time, type Timing } from './timing.js';

const ARTICLES = 1000;
const SENTENCES = 30;
const ANNOTATORS = 20;
const TAGS_PER_ANNOTATION = 10; // 1,000 × 20 × 10 = 200,000 tags
const TRUE_SPANS = 8;

export interface CurationFigures {
  articles: number;
  tags: number;
  goldSpans: number;
  merge: { single: Timing; double: Timing; baseline: Timing };
  report: { single: Timing; double: Timing; baseline: Timing; annotators: number; categories: number; resamples: number };
  /** Mean overall overlap F1 of the annotators against the merged gold (a sanity figure). */
  meanF1: number;
}

interface Study {
  articles: Article[];
  annotations: Annotation[][];
}

function generate(r: Random, count: number, categoryIds: string[]): Study {
  const articles: Article[] = [];
  const annotations: Annotation[][] = [];
  let serial = 0;
  for (let a = 0; a < count; a++) {
    const news = newsArticle(r, SENTENCES, a);
    const sentences = segment(news.text);
    const article: Article = { id: `a${a}`, projectId: 'p', ...news, sentences, createdAt: '', createdBy: 'r' };
    articles.push(article);
    const wordsOf = sentences.map((range) => words(news.text, range));
    const truths = Array.from({ length: TRUE_SPANS }, () => {
      const sentence = int(r, 0, sentences.length - 1);
      const n = wordsOf[sentence]?.length ?? 1;
      const first = int(r, 0, Math.max(0, n - 1));
      return { sentence, first, last: Math.min(n - 1, first + int(r, 0, 2)), category: pick(r, categoryIds) };
    });
    const own: Annotation[] = [];
    for (let k = 0; k < ANNOTATORS; k++) {
      const annotatorId = `u${k}`;
      const tags: Tag[] = [];
      const add = (sentence: number, first: number, last: number, category: string) => {
        const ws = wordsOf[sentence] ?? [];
        const from = ws[Math.max(0, Math.min(ws.length - 1, first))];
        const to = ws[Math.max(0, Math.min(ws.length - 1, last))];
        if (!from || !to || from.start >= to.end) return;
        if (tags.some((t) => t.start === from.start && t.end === to.end && t.category === category)) return;
        tags.push({
          id: `t${++serial}`, articleId: article.id, annotatorId, sentence, start: from.start, end: to.end, category,
          voice: pick<Voice>(r, VOICES), intensity: r() < 0.3 ? null : (int(r, 1, 3) as Intensity), note: '', createdAt: '', updatedAt: '',
        });
      };
      for (const t of truths) {
        if (r() > 0.7 || tags.length >= TAGS_PER_ANNOTATION) continue;
        add(t.sentence, t.first, t.last + (r() < 0.2 ? pick(r, [-1, 1]) : 0), r() < 0.15 ? pick(r, categoryIds) : t.category);
      }
      while (tags.length < TAGS_PER_ANNOTATION) {
        const sentence = int(r, 0, sentences.length - 1);
        const first = int(r, 0, Math.max(0, (wordsOf[sentence]?.length ?? 1) - 1));
        add(sentence, first, first + (r() < 0.6 ? 0 : int(r, 1, 3)), pick(r, categoryIds));
      }
      own.push({ articleId: article.id, annotatorId, reviewed: sentences.map((_, i) => i), tags, updatedAt: '' });
    }
    annotations.push(own);
  }
  return { articles, annotations };
}

function slice(study: Study, count: number): Study {
  return { articles: study.articles.slice(0, count), annotations: study.annotations.slice(0, count) };
}

/** The automatic merge of every article, from empty gold. */
function mergeStudy(study: Study): Gold[] {
  let n = 0;
  const newId = () => `m${++n}`;
  const actor = { by: 'bench', at: '2026-01-01T00:00:00.000Z' };
  return study.articles.map((article, i) => {
    const gold = emptyGold(article.id);
    mergeGold(gold, articleCandidates(study.annotations[i] ?? [], article.sentences.length), DEFAULT_MERGE_SETTINGS, actor, newId);
    return gold;
  });
}

/** The baseline: the plain vote, one map over every tag. */
function plainVote(study: Study): number {
  let agreed = 0;
  study.articles.forEach((article, i) => {
    const reviewers = new Int32Array(article.sentences.length);
    const votes = new Map<string, number>();
    for (const a of study.annotations[i] ?? []) {
      for (const s of a.reviewed) reviewers[s]!++;
      const seen = new Set<string>();
      for (const t of a.tags) {
        const key = `${t.sentence}:${t.start}:${t.end}:${t.category}`;
        if (seen.has(key)) continue;
        seen.add(key);
        votes.set(key, (votes.get(key) ?? 0) + 1);
      }
    }
    for (const [key, count] of votes) {
      const sentence = Number(key.slice(0, key.indexOf(':')));
      if (count > reviewers[sentence]! / 2) agreed++;
    }
  });
  return agreed;
}

function report(study: Study, golds: Gold[], categoryIds: string[], resamples: number) {
  return qualityAgainstGold(
    study.articles.map((article, i) => ({ gold: golds[i]!, sentenceCount: article.sentences.length, annotations: study.annotations[i] ?? [] })),
    { scope: 'all', categories: categoryIds, resamples },
  );
}

/** The baseline: each annotator's overall overlap F1, one pair per article, no categories, no bootstrap. */
function plainF1(study: Study, golds: Gold[]): number[] {
  const out: number[] = [];
  for (let k = 0; k < ANNOTATORS; k++) {
    const pairs = study.articles.map((_, i) => ({
      reference: golds[i]!.spans.map((s): Range => ({ start: s.start, end: s.end })),
      candidate: (study.annotations[i]?.[k]?.tags ?? []).map((t): Range => ({ start: t.start, end: t.end })),
    }));
    out.push(overlapSpanF1Documents(pairs).f1.value ?? NaN);
  }
  return out;
}

export async function curationBench(log: (...args: unknown[]) => void = console.log): Promise<CurationFigures> {
  const framing = (await loadShippedCodebooks()).find((c) => c.id === 'framing');
  if (!framing) throw new Error('the framing codebook is missing');
  const categoryIds = categories(framing).map((c) => c.id);
  log(`  generating ${2 * ARTICLES} articles × ${SENTENCES} sentences, ${ANNOTATORS} annotators, ${TAGS_PER_ANNOTATION} tags each per article, in memory…`);
  const double = generate(rng(20261206), 2 * ARTICLES, categoryIds);
  const single = slice(double, ARTICLES);
  const tags = single.annotations.flat().reduce((n, a) => n + a.tags.length, 0);

  log('  the automatic merge…');
  const mergeSingle = time(3, () => mergeStudy(single));
  const mergeDouble = time(3, () => mergeStudy(double));
  const mergeBaseline = time(3, () => plainVote(single));
  const goldsSingle = mergeStudy(single);
  const goldsDouble = mergeStudy(double);
  const goldSpans = goldsSingle.reduce((n, g) => n + g.spans.length, 0);
  if (plainVote(single) !== goldSpans) throw new Error('the merge and the plain vote disagree on the bench study');

  log('  the F1-against-gold report…');
  const resamples = 1000;
  const reportSingle = time(3, () => report(single, goldsSingle, categoryIds, resamples));
  const reportDouble = time(3, () => report(double, goldsDouble, categoryIds, resamples));
  const reportBaseline = time(3, () => plainF1(single, goldsSingle));
  const sample = report(single, goldsSingle, categoryIds, resamples);
  const meanF1 = sample.annotators.reduce((n, a) => n + (a.overall.overlap.f1.value ?? 0), 0) / sample.annotators.length;
  return {
    articles: ARTICLES,
    tags,
    goldSpans,
    merge: { single: mergeSingle, double: mergeDouble, baseline: mergeBaseline },
    report: { single: reportSingle, double: reportDouble, baseline: reportBaseline, annotators: sample.annotators.length, categories: categoryIds.length, resamples },
    meanF1,
  };
}

/** For profiling scripts. */
export const __internals = { generate: (count: number, ids: string[]) => generate(rng(20261206), count, ids), mergeStudy };

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const f = await curationBench();
  const t = (x: Timing) => `${x.cpuMs.toFixed(0)} ms CPU (${x.wallMs.toFixed(0)} wall)`;
  console.log(`${f.articles} articles, ${f.tags} tags, ${f.goldSpans} gold spans merged; mean overlap F1 against gold ${f.meanF1.toFixed(3)}`);
  console.log(`merge: ${t(f.merge.single)}; twice the articles ${t(f.merge.double)} = ${(f.merge.double.cpuMs / f.merge.single.cpuMs).toFixed(2)}×; plain vote ${t(f.merge.baseline)}`);
  console.log(`report: ${t(f.report.single)}; twice the articles ${t(f.report.double)} = ${(f.report.double.cpuMs / f.report.single.cpuMs).toFixed(2)}×; plain F1 ${t(f.report.baseline)}`);
}
