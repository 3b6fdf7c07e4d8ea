// The automatic merge: worked examples, and two properties on random studies — it equals a plain
// majority vote written out here, and re-running it after any curator operations keeps every decision.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Annotation, Article, Tag } from '../../../server/core/model.js';
import { segment, words } from '../../../server/core/segmentation.js';
import { RuleError } from '../../../server/core/spans.js';
import { articleCandidates, type SentenceCandidates } from '../../../server/core/curation/candidates.js';
import { emptyGold, isDecided, keyOf, variantKeys, type Gold } from '../../../server/core/curation/gold.js';
import { DEFAULT_MERGE_SETTINGS, mergeGold, requiredAgreement, type MergeSettings } from '../../../server/core/curation/merge.js';
import {
  acceptCandidate,
  addSpan,
  contestCandidate,
  editSpan,
  finishCuration,
  markContested,
  markSentenceCurated,
  rejectCandidate,
  removeSpan,
  resolveContest,
  unmarkSentenceCurated,
} from '../../../server/core/curation/operations.js';
import { annotationOf, article, curator, idMaker, later, span, wordsOf } from './fixtures.js';

const n = article.sentences.length;

describe('the merge on an example', () => {
  const annotations = [
    annotationOf('ann', [{ s: 0, first: 1, last: 2, category: 'loaded', intensity: 3 }, { s: 1, first: 5, last: 5, category: 'loaded' }]),
    annotationOf('ben', [{ s: 0, first: 1, last: 2, category: 'loaded', voice: 'quoted', intensity: 2 }, { s: 0, first: 3, last: 3, category: 'hedge' }]),
    annotationOf('cat', [{ s: 0, first: 2, last: 2, category: 'loaded', intensity: 2 }, { s: 0, first: 3, last: 3, category: 'hedge' }], [1]),
  ];

  it('exact rule, majority: 2 of 3 reviewers on the same words and category', () => {
    const gold = emptyGold(article.id);
    const result = mergeGold(gold, articleCandidates(annotations, n), DEFAULT_MERGE_SETTINGS, curator, idMaker());
    expect(result).toEqual({ added: 2, updated: 0, removed: 0, curatedSentences: 0 });
    expect(gold.spans.map((s) => [s.sentence, s.start, s.end, s.category, s.status, s.voice, s.intensity])).toEqual([
      [0, span(0, 1, 2).start, span(0, 1, 2).end, 'loaded', 'auto', 'author', 2],
      [0, span(0, 3, 3).start, span(0, 3, 3).end, 'hedge', 'auto', 'author', null],
    ]);
    // Sentence 1: 1 of 2 reviewers (ann, cat) is no majority.
    expect(gold.spans.every((s) => s.fromMerge && s.decidedBy === null)).toBe(true);
    expect(gold.history.map((e) => e.action)).toEqual(['merge-add', 'merge-add']);
  });

  it('overlap rule: "brutal regime" ×2 and "regime" ×1 agree at Jaccard ≥ 0.5; the common boundaries win', () => {
    const gold = emptyGold(article.id);
    const settings: MergeSettings = { agree: 3, overlap: 0.5, minReviewers: 2 };
    mergeGold(gold, articleCandidates(annotations, n, { overlap: 0.5, words: wordsOf }), settings, curator, idMaker());
    expect(gold.spans.map((s) => [s.start, s.end, s.category, s.origin?.variants])).toEqual([
      [span(0, 1, 2).start, span(0, 1, 2).end, 'loaded', [span(0, 1, 2), span(0, 2, 2)]],
    ]);
  });

  it('is idempotent, and follows the annotators while spans are auto', () => {
    const gold = emptyGold(article.id);
    mergeGold(gold, articleCandidates(annotations, n), DEFAULT_MERGE_SETTINGS, curator, idMaker());
    const once = structuredClone(gold);
    expect(mergeGold(gold, articleCandidates(annotations, n), DEFAULT_MERGE_SETTINGS, later, idMaker('x'))).toEqual({ added: 0, updated: 0, removed: 0, curatedSentences: 0 });
    expect(gold).toEqual(once);
    // ben drops his hedge: the auto hedge has no majority any more and leaves.
    const changed = [annotations[0]!, { ...annotations[1]!, tags: annotations[1]!.tags.filter((t) => t.category !== 'hedge') }, annotations[2]!];
    expect(mergeGold(gold, articleCandidates(changed, n), DEFAULT_MERGE_SETTINGS, later, idMaker('x')).removed).toBe(1);
    expect(gold.history.at(-1)).toMatchObject({ action: 'merge-remove', before: { category: 'hedge' } });
  });

  it('leaves a curated sentence and a finished article alone, and sentences with one reviewer', () => {
    const gold = emptyGold(article.id);
    markSentenceCurated(gold, 0, n, curator);
    expect(mergeGold(gold, articleCandidates(annotations, n), DEFAULT_MERGE_SETTINGS, curator, idMaker())).toMatchObject({ added: 0, curatedSentences: 1 });
    const one = [annotationOf('ann', [{ s: 2, first: 0, last: 0, category: 'loaded' }])];
    const other = emptyGold(article.id);
    expect(mergeGold(other, articleCandidates(one, n), { ...DEFAULT_MERGE_SETTINGS, agree: 1 }, curator, idMaker()).added).toBe(0);
    expect(mergeGold(other, articleCandidates(one, n), { agree: 1, overlap: null, minReviewers: 1 }, curator, idMaker()).added).toBe(1);
    finishCuration(other, curator);
    expect(mergeGold(other, articleCandidates([], n), DEFAULT_MERGE_SETTINGS, curator, idMaker()).removed).toBe(0);
    expect(other.spans).toHaveLength(1);
  });

  it('the majority is more than half of the sentence reviewers', () => {
    expect([1, 2, 3, 4, 5, 6].map((r) => requiredAgreement(DEFAULT_MERGE_SETTINGS, r))).toEqual([1, 2, 2, 3, 3, 4]);
    expect(() => mergeGold(emptyGold('a'), [], { agree: 0, overlap: null, minReviewers: 2 }, curator, idMaker())).toThrow(RangeError);
  });
});

// --- Random studies -----------------------------------------------------------------------------

const POOL = [
  'The regime allegedly crushed the peaceful protest.',
  'Officials said the economy is booming.',
  'Critics say the reform is a disaster.',
  'Thugs stormed the building at dawn.',
];
const CATEGORIES = ['hedge', 'loaded', 'emphasis'];

interface Draw {
  texts: number[][];
  annotators: number;
  work: { reviewed: boolean[]; tags: { s: number; a: number; b: number; c: number; voice: number; intensity: number }[] }[][];
}

const draw = (annotators: fc.Arbitrary<number>): fc.Arbitrary<Draw> =>
  fc
    .record({
      texts: fc.array(fc.array(fc.nat({ max: POOL.length - 1 }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
      annotators,
    })
    .chain(({ texts, annotators }) =>
      fc.record({
        texts: fc.constant(texts),
        annotators: fc.constant(annotators),
        work: fc.array(
          fc.array(
            fc.record({
              reviewed: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
              // Few words and categories, so that annotators often agree.
              tags: fc.array(
                fc.record({ s: fc.nat({ max: 2 }), a: fc.nat({ max: 2 }), b: fc.nat({ max: 2 }), c: fc.nat({ max: 2 }), voice: fc.nat({ max: 2 }), intensity: fc.nat({ max: 3 }) }),
                { maxLength: 6 },
              ),
            }),
            { minLength: annotators, maxLength: annotators },
          ),
          { minLength: texts.length, maxLength: texts.length },
        ),
      }),
    );

interface World {
  articles: Article[];
  annotations: Annotation[];
}

function build(d: Draw): World {
  const articles = d.texts.map((ids, i): Article => {
    const text = ids.map((k) => POOL[k] ?? '').join(' ');
    return { id: `art${i}`, projectId: 'p', title: '', source: '', url: '', publishedAt: '', text, sentences: segment(text), createdAt: '', createdBy: 'r' };
  });
  const annotations: Annotation[] = [];
  let serial = 0;
  articles.forEach((article, ai) => {
    for (let k = 0; k < d.annotators; k++) {
      const w = d.work[ai]?.[k];
      if (!w) continue;
      const count = article.sentences.length;
      const tags: Tag[] = [];
      for (const t of w.tags) {
        const s = t.s % count;
        const ws = words(article.text, article.sentences[s]!);
        const from = ws[Math.min(t.a, t.b) % ws.length]!;
        const to = ws[Math.max(t.a, t.b) % ws.length]!;
        if (from.start >= to.end) continue;
        const category = CATEGORIES[t.c]!;
        if (tags.some((x) => x.start === from.start && x.end === to.end && x.category === category)) continue;
        tags.push({
          id: `t${++serial}`, articleId: article.id, annotatorId: `coder${k}`, sentence: s, start: from.start, end: to.end, category,
          voice: (['author', 'quoted', 'paraphrase'] as const)[t.voice]!, intensity: t.intensity === 0 ? null : (t.intensity as 1 | 2 | 3),
          note: '', createdAt: '', updatedAt: '',
        });
      }
      const reviewed = w.reviewed.map((r, s) => (r && s < count ? s : -1)).filter((s) => s >= 0);
      annotations.push({ articleId: article.id, annotatorId: `coder${k}`, reviewed, tags, updatedAt: '' });
    }
  });
  return { articles, annotations };
}

/** The majority vote, plainly: per sentence, the reviewers, and each (words, category) tagged by at least k of them. */
function majorityVote(world: World, k: (reviewers: number) => number, minReviewers: number): string[] {
  const out: string[] = [];
  for (const article of world.articles) {
    const own = world.annotations.filter((a) => a.articleId === article.id);
    for (let s = 0; s < article.sentences.length; s++) {
      const reviewers = own.filter((a) => a.reviewed.includes(s) || a.tags.some((t) => t.sentence === s));
      if (reviewers.length < minReviewers) continue;
      const who = new Map<string, Set<string>>();
      for (const a of reviewers) {
        for (const t of a.tags) {
          if (t.sentence !== s) continue;
          const key = `${article.id}:${s}:${t.start}:${t.end}:${t.category}`;
          const set = who.get(key) ?? new Set<string>();
          set.add(a.annotatorId);
          who.set(key, set);
        }
      }
      for (const [key, set] of who) if (set.size >= k(reviewers.length)) out.push(key);
    }
  }
  return out.sort();
}

function mergeAll(world: World, settings: MergeSettings, golds = new Map<string, Gold>()): Map<string, Gold> {
  const newId = idMaker('m');
  for (const article of world.articles) {
    const gold = golds.get(article.id) ?? emptyGold(article.id);
    golds.set(article.id, gold);
    const own = world.annotations.filter((a) => a.articleId === article.id);
    mergeGold(gold, articleCandidates(own, article.sentences.length), settings, curator, newId);
  }
  return golds;
}

function autoKeys(golds: Map<string, Gold>): string[] {
  return [...golds.values()].flatMap((g) => g.spans.map((s) => `${g.articleId}:${s.sentence}:${s.start}:${s.end}:${s.category}`)).sort();
}

const RUNS = { numRuns: 150, seed: 20250301 };

describe('the merge on random studies', () => {
  it('at k = 2 of 3 annotators it equals the plain vote', () => {
    let merged = 0;
    fc.assert(
      fc.property(draw(fc.constant(3)), (d) => {
        const world = build(d);
        const golds = mergeAll(world, { agree: 2, overlap: null, minReviewers: 2 });
        expect(autoKeys(golds)).toEqual(majorityVote(world, () => 2, 2));
        merged += autoKeys(golds).length;
      }),
      RUNS,
    );
    // The studies are drawn so that annotators often agree: the property is not vacuous.
    expect(merged).toBeGreaterThan(RUNS.numRuns);
  });

  it('at a majority of each sentence reviewers (2–5 annotators) it equals the plain vote', () => {
    fc.assert(
      fc.property(draw(fc.integer({ min: 2, max: 5 })), (d) => {
        const world = build(d);
        const golds = mergeAll(world, DEFAULT_MERGE_SETTINGS);
        expect(autoKeys(golds)).toEqual(majorityVote(world, (r) => Math.floor(r / 2) + 1, 2));
        // Majority with one reviewer allowed: a lone reviewer's tags are a majority of one.
        const lone = mergeAll(world, { ...DEFAULT_MERGE_SETTINGS, minReviewers: 1 });
        expect(autoKeys(lone)).toEqual(majorityVote(world, (r) => Math.floor(r / 2) + 1, 1));
      }),
      RUNS,
    );
  });

  // Curator operations drawn as numbers, applied to whatever is there (refusals are fine).
  const operation = fc.record({ kind: fc.nat({ max: 10 }), article: fc.nat(), pick: fc.nat(), other: fc.nat() });

  function apply(world: World, golds: Map<string, Gold>, contexts: Map<string, SentenceCandidates[]>, op: { kind: number; article: number; pick: number; other: number }, newId: () => string): void {
    const article = world.articles[op.article % world.articles.length]!;
    const gold = golds.get(article.id)!;
    const sentences = contexts.get(article.id)!;
    const count = article.sentences.length;
    const context = sentences[op.pick % count]!;
    const candidate = context.candidates[op.other % Math.max(1, context.candidates.length)];
    const target = gold.spans[op.pick % Math.max(1, gold.spans.length)];
    const actor = op.kind % 2 === 0 ? curator : later;
    try {
      switch (op.kind) {
        case 0: if (candidate) acceptCandidate(gold, context, candidate, actor, newId()); break;
        case 1: if (candidate) rejectCandidate(gold, context, candidate, actor); break;
        case 2: {
          if (!target) break;
          const ws = words(article.text, article.sentences[target.sentence]!);
          const w = ws[op.other % ws.length]!;
          editSpan(gold, target.id, { start: w.start, end: w.end, category: target.category, voice: 'quoted', intensity: 1, note: `edit ${op.other}` }, article.sentences[target.sentence]!, actor);
          break;
        }
        case 3: {
          const ws = words(article.text, article.sentences[context.sentence]!);
          const w = ws[op.other % ws.length]!;
          addSpan(gold, context.sentence, { start: w.start, end: w.end, category: CATEGORIES[op.other % 3]!, voice: 'author', intensity: null, note: '' }, article.sentences[context.sentence]!, actor, newId(), context);
          break;
        }
        case 4: if (target) markContested(gold, target.id, { categories: [CATEGORIES[op.other % 3]!, 'emphasis'], reason: 'unclear' }, actor); break;
        case 5: if (target?.contest) resolveContest(gold, target.id, target.contest.categories[op.other % target.contest.categories.length]!, actor); break;
        case 6: if (target) removeSpan(gold, target.id, actor); break;
        case 7: markSentenceCurated(gold, context.sentence, count, actor); break;
        case 8: unmarkSentenceCurated(gold, context.sentence, count, actor); break;
        case 9: if (candidate) contestCandidate(gold, context, candidate, { categories: ['hedge', 'loaded'], reason: 'split vote' }, actor, newId()); break;
        case 10: if (op.other % 5 === 0) finishCuration(gold, actor); break;
      }
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
    }
  }

  it('re-running it after any curator operations keeps every decision, rejection and curated sentence', () => {
    const seen = { decided: 0, rejections: 0, curated: 0, auto: 0 };
    fc.assert(
      fc.property(
        draw(fc.integer({ min: 2, max: 4 })),
        fc.array(operation, { maxLength: 25 }),
        fc.boolean(),
        fc.constantFrom<MergeSettings>(DEFAULT_MERGE_SETTINGS, { agree: 1, overlap: null, minReviewers: 1 }, { agree: 2, overlap: 0.5, minReviewers: 2 }),
        (d, ops, reshuffle, settings) => {
          const world = build(d);
          const options = (article: Article) => (settings.overlap === null ? {} : { overlap: settings.overlap, words: (s: number) => words(article.text, article.sentences[s]!) });
          const contextsOf = (w: World) =>
            new Map(w.articles.map((a) => [a.id, articleCandidates(w.annotations.filter((x) => x.articleId === a.id), a.sentences.length, options(a))]));
          const golds = new Map<string, Gold>();
          const merge = (w: World) => {
            for (const [id, sentences] of contextsOf(w)) {
              const gold = golds.get(id) ?? emptyGold(id);
              golds.set(id, gold);
              mergeGold(gold, sentences, settings, curator, idMaker(`m${gold.history.length}-`));
            }
          };
          merge(world);
          const contexts = contextsOf(world);
          const newId = idMaker('c');
          for (const op of ops) apply(world, golds, contexts, op, newId);
          const before = structuredClone([...golds.values()]);
          // The annotators go on working (some of their tags vanish), then the merge runs again.
          const next: World = reshuffle ? { ...world, annotations: world.annotations.map((a, i) => ({ ...a, tags: a.tags.filter((_, j) => (i + j) % 3 !== 0) })) } : world;
          merge(next);
          for (const old of before) {
            const gold = golds.get(old.articleId)!;
            seen.decided += old.spans.filter(isDecided).length;
            seen.rejections += old.rejections.length;
            seen.curated += old.curated.length;
            seen.auto += gold.spans.filter((x) => !isDecided(x)).length;
            // Every decided span is still there, exactly as it was.
            for (const s of old.spans.filter(isDecided)) expect(gold.spans.find((x) => x.id === s.id)).toEqual(s);
            // Rejections and curated sentences are kept; the history only grows.
            expect(gold.rejections).toEqual(old.rejections);
            expect(gold.curated).toEqual(old.curated);
            expect(gold.finished).toEqual(old.finished);
            expect(gold.history.slice(0, old.history.length)).toEqual(old.history);
            // Nothing in a curated sentence (or a finished article) changed, auto spans included.
            const frozen = (sentence: number) => old.finished !== null || old.curated.some((c) => c.sentence === sentence);
            expect(gold.spans.filter((s) => frozen(s.sentence))).toEqual(old.spans.filter((s) => frozen(s.sentence)));
            // No auto span brings back a rejected candidate or doubles a decided one.
            const blocked = new Set([
              ...gold.rejections.flatMap(variantKeys),
              ...gold.spans.filter(isDecided).flatMap((s) => [keyOf(s), ...(s.origin ? variantKeys(s.origin) : [])]),
            ]);
            for (const s of gold.spans.filter((x) => !isDecided(x) && !frozen(x.sentence))) {
              expect(blocked.has(keyOf(s))).toBe(false);
              expect(s.origin && variantKeys(s.origin).some((k) => blocked.has(k))).toBe(false);
            }
          }
        },
      ),
      RUNS,
    );
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(30);
  });
});
