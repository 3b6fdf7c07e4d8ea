import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ANY, outletProfiles, outletSeed, type ProfileArticle } from '../../../server/core/stories/profile.js';
import { seededRandom } from '../../helpers/random.js';

// An independent, plain reference: loops over the raw tags, the tests' own PRNG (test/helpers/random.ts)
// and percentile code.
function referenceFnv(text: string) {
  let h = 2166136261;
  for (const ch of text) {
    h = (h ^ ch.codePointAt(0)!) >>> 0;
    h = Number((BigInt(h) * 16777619n) % 4294967296n);
  }
  return h;
}
function percentile(values: number[], p: number) {
  const s = [...values].sort((x, y) => x - y);
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  return s[lo]! + (h - lo) * (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!);
}
function referenceStatistic(articles: ProfileArticle[], category: string | null) {
  let tags = 0;
  let words = 0;
  let withTag = 0;
  let sentences = 0;
  for (const a of articles) {
    for (const layer of a.layers) {
      const hits = layer.filter((t) => category === null || t.category === category);
      tags += hits.length;
      withTag += new Set(hits.map((t) => t.sentence)).size;
      words += a.words;
      sentences += a.sentences;
    }
  }
  return { rate: words > 0 ? (1000 * tags) / words : NaN, share: sentences > 0 ? withTag / sentences : NaN };
}
function referenceInterval(articles: ProfileArticle[], category: string | null, seed: number, resamples: number) {
  const random = seededRandom(seed);
  const rates: number[] = [];
  const shares: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const draw: ProfileArticle[] = [];
    for (let i = 0; i < articles.length; i++) draw.push(articles[Math.floor(random() * articles.length)]!);
    const s = referenceStatistic(draw, category);
    if (Number.isFinite(s.rate)) rates.push(s.rate);
    if (Number.isFinite(s.share)) shares.push(s.share);
  }
  return { rate: [percentile(rates, 0.025), percentile(rates, 0.975)], share: [percentile(shares, 0.025), percentile(shares, 0.975)] };
}

const CATEGORIES = ['hedge', 'loaded-label', 'sourcing'];
const articleArb = fc
  .record({
    outlet: fc.constantFrom('Outlet A', 'Outlet B', 'Outlet C'),
    words: fc.integer({ min: 1, max: 900 }),
    sentences: fc.integer({ min: 1, max: 30 }),
    layers: fc.array(fc.array(fc.record({ sentence: fc.nat({ max: 29 }), category: fc.constantFrom(...CATEGORIES) }), { maxLength: 12 }), { minLength: 1, maxLength: 3 }),
  })
  .map((a) => ({ ...a, layers: a.layers.map((l) => l.map((t) => ({ ...t, sentence: t.sentence % a.sentences }))) }));

describe('outlet profile', () => {
  it('rates, shares and bootstrap intervals equal a plain reference computation (property)', () => {
    fc.assert(
      fc.property(fc.array(articleArb, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 1000 }), (raw, seed) => {
        const articles = raw.map((a, i) => ({ id: `x${i}`, ...a }));
        const resamples = 50;
        for (const profile of outletProfiles(articles, CATEGORIES, { seed, resamples })) {
          const mine = articles.filter((a) => a.outlet === profile.outlet);
          expect(outletSeed(seed, profile.outlet)).toBe(referenceFnv(`${seed}:${profile.outlet}`));
          for (const c of profile.categories) {
            const category = c.category === ANY ? null : c.category;
            const point = referenceStatistic(mine, category);
            const interval = referenceInterval(mine, category, referenceFnv(`${seed}:${profile.outlet}`), resamples);
            expect(c.ratePer1000Words.value).toBeCloseTo(point.rate, 9);
            expect(c.sentenceShare.value).toBeCloseTo(point.share, 9);
            expect(c.ratePer1000Words.low).toBeCloseTo(interval.rate[0]!, 9);
            expect(c.ratePer1000Words.high).toBeCloseTo(interval.rate[1]!, 9);
            expect(c.sentenceShare.low).toBeCloseTo(interval.share[0]!, 9);
            expect(c.sentenceShare.high).toBeCloseTo(interval.share[1]!, 9);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('a worked example: 3 tags in 1,500 words over two layers is 1 per 1,000 words', () => {
    const [profile] = outletProfiles(
      [
        { id: '1', outlet: 'A', words: 500, sentences: 5, layers: [[{ sentence: 0, category: 'hedge' }, { sentence: 0, category: 'hedge' }], [{ sentence: 1, category: 'hedge' }]] },
        { id: '2', outlet: 'A', words: 500, sentences: 5, layers: [[]] },
        { id: '3', outlet: 'A', words: 900, sentences: 9, layers: [] },
      ],
      ['hedge'],
    );
    expect(profile).toMatchObject({ outlet: 'A', articles: 2, unannotated: 1, words: 1000, layers: 3 });
    expect(profile!.categories[0]).toMatchObject({ category: 'hedge', tags: 3, ratePer1000Words: { value: 2 }, sentencesWith: 2, sentenceShare: { value: 2 / 15 } });
  });

  it('is reproducible, and adding an outlet changes no other outlet’s interval', () => {
    const a = Array.from({ length: 12 }, (_, n) => ({ id: `a${n}`, outlet: 'A', words: 100 + 37 * n, sentences: n + 2, layers: [Array.from({ length: (n * 7) % 5 }, () => ({ sentence: 0, category: 'hedge' }))] }));
    const b = [{ id: 'b', outlet: 'B', words: 300, sentences: 3, layers: [[{ sentence: 1, category: 'hedge' }]] }];
    const alone = outletProfiles(a, ['hedge'], { seed: 7 });
    expect(outletProfiles(a, ['hedge'], { seed: 7 })).toEqual(alone);
    expect(outletProfiles([...b, ...a], ['hedge'], { seed: 7 }).find((p) => p.outlet === 'A')).toEqual(alone[0]);
    expect(outletProfiles(a, ['hedge'], { seed: 8 })[0]!.categories[0]!.ratePer1000Words).not.toEqual(alone[0]!.categories[0]!.ratePer1000Words);
  });

  it('refuses nonsensical options', () => {
    expect(() => outletProfiles([], [], { resamples: 0 })).toThrow(RangeError);
    expect(() => outletProfiles([], [], { confidence: 1 })).toThrow(RangeError);
  });
});
