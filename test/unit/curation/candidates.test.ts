import { describe, expect, it } from 'vitest';
import { articleCandidates, sentenceCandidates, sourcesAt } from '../../../server/core/curation/candidates.js';
import { annotationOf, article, span, wordsOf } from './fixtures.js';

const n = article.sentences.length;

describe('candidates of a sentence', () => {
  const annotations = [
    annotationOf('ann', [
      { s: 0, first: 1, last: 2, category: 'loaded', voice: 'author', intensity: 3 },
      { s: 0, first: 3, last: 3, category: 'hedge' },
    ]),
    annotationOf('ben', [
      { s: 0, first: 1, last: 2, category: 'loaded', voice: 'quoted', intensity: 2 },
      { s: 0, first: 1, last: 2, category: 'hedge' },
    ]),
    annotationOf('cat', [{ s: 0, first: 1, last: 2, category: 'loaded', voice: 'author', intensity: 3 }]),
    // Reviewed sentence 0 and found nothing: a reviewer, and part of every denominator.
    annotationOf('dan', [], [0]),
    // Never looked at sentence 0.
    annotationOf('eve', [{ s: 1, first: 3, last: 3, category: 'loaded' }]),
  ];

  it('groups tags by words and category, counting the reviewers who tagged each', () => {
    const c = sentenceCandidates(annotations, 0);
    expect(c.reviewers).toEqual(['ann', 'ben', 'cat', 'dan']);
    expect(c.candidates.map((x) => [x.start, x.end, x.category, x.annotators])).toEqual([
      [span(0, 1, 2).start, span(0, 1, 2).end, 'hedge', ['ben']],
      [span(0, 1, 2).start, span(0, 1, 2).end, 'loaded', ['ann', 'ben', 'cat']],
      [span(0, 3, 3).start, span(0, 3, 3).end, 'hedge', ['ann']],
    ]);
    const loaded = c.candidates[1];
    expect(loaded?.voices).toEqual([{ voice: 'author', count: 2 }, { voice: 'quoted', count: 1 }]);
    expect(loaded?.intensities).toEqual([{ intensity: 3, count: 2 }, { intensity: 2, count: 1 }]);
    expect(loaded?.variants).toEqual([span(0, 1, 2)]);
  });

  it('the article pass gives the same candidates as the one-sentence pass', () => {
    const all = articleCandidates(annotations, n);
    for (let s = 0; s < n; s++) expect(all[s]).toEqual(sentenceCandidates(annotations, s));
    expect(all[1]?.reviewers).toEqual(['eve']);
    expect(all[2]?.reviewers).toEqual([]);
  });

  it('provenance at a place lists every reviewer tag there, of any category', () => {
    const c = sentenceCandidates(annotations, 0);
    expect(sourcesAt(c, span(0, 1, 2)).map((t) => [t.annotatorId, t.category])).toEqual([
      ['ann', 'loaded'],
      ['ben', 'hedge'],
      ['ben', 'loaded'],
      ['cat', 'loaded'],
    ]);
  });
});

describe('the overlap rule', () => {
  // "brutal regime" ×2, "The brutal regime" ×1, "regime" ×1: Jaccard 2/3 and 1/2 with "brutal regime".
  const annotations = [
    annotationOf('ann', [{ s: 0, first: 1, last: 2, category: 'loaded' }]),
    annotationOf('ben', [{ s: 0, first: 1, last: 2, category: 'loaded' }]),
    annotationOf('cat', [{ s: 0, first: 0, last: 2, category: 'loaded' }]),
    annotationOf('dan', [{ s: 0, first: 2, last: 2, category: 'loaded' }, { s: 0, first: 2, last: 2, category: 'hedge' }]),
  ];

  it('groups overlapping boundaries of a category; the most common boundaries win', () => {
    const c = sentenceCandidates(annotations, 0, { overlap: 0.5, words: wordsOf });
    const loaded = c.candidates.filter((x) => x.category === 'loaded');
    expect(loaded).toHaveLength(1);
    expect(loaded[0]).toMatchObject({ ...span(0, 1, 2), annotators: ['ann', 'ben', 'cat', 'dan'] });
    expect(loaded[0]?.variants).toEqual([span(0, 0, 2), span(0, 1, 2), span(0, 2, 2)]);
    // Categories never mix.
    expect(c.candidates.filter((x) => x.category === 'hedge').map((x) => x.annotators)).toEqual([['dan']]);
  });

  it('a higher threshold keeps boundaries apart that overlap less', () => {
    // "The brutal regime" overlaps "brutal regime" by 2/3 ≥ 0.6 and joins it; "regime" (1/2) does not.
    const c = sentenceCandidates(annotations, 0, { overlap: 0.6, words: wordsOf });
    const loaded = c.candidates.filter((x) => x.category === 'loaded');
    expect(loaded.map((x) => [x.start, x.end, x.annotators])).toEqual([
      [span(0, 1, 2).start, span(0, 1, 2).end, ['ann', 'ben', 'cat']],
      [span(0, 2, 2).start, span(0, 2, 2).end, ['dan']],
    ]);
  });

  it('ties between equally common boundaries go to the earlier start, then the earlier end', () => {
    const tie = [
      annotationOf('ann', [{ s: 0, first: 1, last: 2, category: 'loaded' }]),
      annotationOf('ben', [{ s: 0, first: 0, last: 2, category: 'loaded' }]),
    ];
    const c = sentenceCandidates(tie, 0, { overlap: 0.5, words: wordsOf });
    expect(c.candidates.map((x) => [x.start, x.end, x.annotators])).toEqual([[span(0, 0, 2).start, span(0, 0, 2).end, ['ann', 'ben']]]);
  });

  it('an annotator counts once however many of their tags a candidate holds', () => {
    const twice = [annotationOf('ann', [{ s: 0, first: 1, last: 2, category: 'loaded' }, { s: 0, first: 2, last: 2, category: 'loaded' }])];
    const c = sentenceCandidates(twice, 0, { overlap: 0.5, words: wordsOf });
    expect(c.candidates).toHaveLength(1);
    expect(c.candidates[0]?.annotators).toEqual(['ann']);
    expect(c.candidates[0]?.votes).toHaveLength(2);
  });

  it('refuses a threshold outside (0, 1] and the overlap rule without words', () => {
    expect(() => sentenceCandidates(annotations, 0, { overlap: 0, words: wordsOf })).toThrow(RangeError);
    expect(() => sentenceCandidates(annotations, 0, { overlap: 1.5, words: wordsOf })).toThrow(RangeError);
    expect(() => articleCandidates(annotations, n, { overlap: 0.5 })).toThrow(/words/);
  });
});
