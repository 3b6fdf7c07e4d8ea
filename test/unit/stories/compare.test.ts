import { describe, expect, it } from 'vitest';
import { binomial, compareOutlets, forEachSubset, holm } from '../../../server/core/stories/compare.js';
import type { ProfileArticle } from '../../../server/core/stories/profile.js';

/** An article of 1,000 words with `tags` hedges, each in its own sentence. */
const article = (outlet: string, n: number, tags: number): ProfileArticle => ({
  id: `${outlet}${n}`,
  outlet,
  words: 1000,
  sentences: 20,
  layers: [Array.from({ length: tags }, (_, s) => ({ sentence: s, category: 'hedge' }))],
});
const hedge = (c: ReturnType<typeof compareOutlets>) => c.categories.find((x) => x.category === 'hedge')!;

describe('comparing two outlets', () => {
  it('identical groups: difference 0 and p = 1', () => {
    const articles = [...[1, 2, 3].map((t, n) => article('A', n, t)), ...[1, 2, 3].map((t, n) => article('B', n, t))];
    const result = compareOutlets(articles, 'A', 'B', ['hedge']);
    expect(result.exact).toBe(true);
    expect(hedge(result).rate).toMatchObject({ value: 0, p: 1 });
    expect(hedge(result).share.p).toBe(1);
  });

  it('fully separated groups of 3 and 2: exact p = 1 / C(5, 3), by full enumeration', () => {
    const articles = [article('A', 0, 7), article('A', 1, 8), article('A', 2, 9), article('B', 0, 1), article('B', 1, 2)];
    const two = compareOutlets(articles, 'A', 'B', ['hedge']);
    expect(two).toMatchObject({ exact: true, permutations: 10 });
    expect(hedge(two).rate.value).toBeCloseTo(8 - 1.5, 12);
    expect(hedge(two).rate.p).toBe(1 / binomial(5, 3));
    expect(hedge(compareOutlets(articles, 'A', 'B', ['hedge'], { alternative: 'greater' })).rate.p).toBe(1 / 10);
    expect(hedge(compareOutlets(articles, 'A', 'B', ['hedge'], { alternative: 'less' })).rate.p).toBe(1);
  });

  it('fully separated groups of equal size: the mirror split is as extreme, so two-sided p = 2 / C(6, 3), one-sided 1 / C(6, 3)', () => {
    const articles = [...[7, 8, 9].map((t, n) => article('A', n, t)), ...[1, 2, 3].map((t, n) => article('B', n, t))];
    expect(hedge(compareOutlets(articles, 'A', 'B', ['hedge'])).rate.p).toBe(2 / 20);
    expect(hedge(compareOutlets(articles, 'A', 'B', ['hedge'], { alternative: 'greater' })).rate.p).toBe(1 / 20);
  });

  it('many articles: random permutations, p = (b + 1) / (permutations + 1), never 0, reproducible by seed', () => {
    const articles = [...Array.from({ length: 15 }, (_, n) => article('A', n, 10 + (n % 3))), ...Array.from({ length: 15 }, (_, n) => article('B', n, n % 3))];
    const result = compareOutlets(articles, 'A', 'B', ['hedge'], { permutations: 999, seed: 3 });
    expect(result).toMatchObject({ exact: false, permutations: 999 });
    expect(hedge(result).rate.p).toBe(1 / 1000);
    expect(compareOutlets(articles, 'A', 'B', ['hedge'], { permutations: 999, seed: 3 })).toEqual(result);
    const same = [...Array.from({ length: 15 }, (_, n) => article('A', n, n % 4)), ...Array.from({ length: 15 }, (_, n) => article('B', n, n % 4))];
    expect(hedge(compareOutlets(same, 'A', 'B', ['hedge'], { permutations: 999 })).rate.p).toBe(1);
  });

  it('the interval of the difference holds the observed difference for clearly separated outlets', () => {
    const articles = [...Array.from({ length: 10 }, (_, n) => article('A', n, 6 + (n % 2))), ...Array.from({ length: 10 }, (_, n) => article('B', n, 1 + (n % 2)))];
    const rate = hedge(compareOutlets(articles, 'A', 'B', ['hedge'], { permutations: 99 })).rate;
    expect(rate.low!).toBeLessThanOrEqual(rate.value!);
    expect(rate.high!).toBeGreaterThanOrEqual(rate.value!);
    expect(rate.low!).toBeGreaterThan(0);
  });

  it('enumerates every k-subset once, and Holm adjusts step-down', () => {
    const seen = new Set<string>();
    forEachSubset(6, 3, (m) => seen.add(m.join('')));
    expect(seen.size).toBe(binomial(6, 3));
    expect(binomial(30, 15, 10_000)).toBe(Infinity);
    expect(holm([0.01, 0.04, 0.03, null])).toEqual([0.03, 0.06, 0.06, null]);
  });
});
