// The study's sentence units: visitReviewed visits the sentences `reviewed` holds (without making
// the set), and sentenceCodes counts its codes per sentence as it writes them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Annotation, Article, Tag } from '../../../server/core/model.js';
import { segment } from '../../../server/core/segmentation.js';
import { makeStudy, sentenceCodes } from '../../../server/core/study/units.js';

const TEXT = ['One claim here.', 'Another one there.', 'A third sentence.', 'And a fourth.'].join(' ');

function article(id: string): Article {
  return { id, projectId: 'p', title: id, source: '', url: '', publishedAt: '', text: TEXT, sentences: segment(TEXT), createdAt: '', createdBy: 'r' };
}

function tag(articleId: string, annotatorId: string, sentence: number, category: string): Tag {
  return { id: `${annotatorId}${sentence}${category}`, articleId, annotatorId, sentence, start: 0, end: 3, category, voice: 'author', intensity: null, note: '', createdAt: '', updatedAt: '' };
}

interface Draw {
  article: string;
  annotator: string;
  reviewed: number[];
  tags: [number, string][];
}

/** Annotations of 2 articles by up to 3 annotators: reviewed sentences and tags (sentence, category), some beyond the text. */
const work: fc.Arbitrary<Draw[]> = fc.array(
  fc.record({
    article: fc.constantFrom('a', 'b'),
    annotator: fc.constantFrom('u1', 'u2', 'u3'),
    reviewed: fc.array(fc.nat({ max: 5 }), { maxLength: 5 }),
    tags: fc.array(fc.tuple(fc.nat({ max: 5 }), fc.constantFrom('hedge', 'loaded', 'retired')), { maxLength: 5 }),
  }),
  { maxLength: 6 },
);

function annotations(draws: Draw[]): Annotation[] {
  const byKey = new Map<string, Annotation>();
  for (const d of draws) {
    byKey.set(`${d.article}/${d.annotator}`, {
      articleId: d.article,
      annotatorId: d.annotator,
      reviewed: d.reviewed,
      tags: d.tags.map(([s, c]) => tag(d.article, d.annotator, s, c)),
      updatedAt: '',
    });
  }
  return [...byKey.values()];
}

describe('study units', () => {
  it('visitReviewed visits exactly the sentences of reviewed, before and after the set is made', () => {
    fc.assert(
      fc.property(work, (draws) => {
        const list = annotations(draws);
        const study = makeStudy([article('a'), article('b')], list);
        for (const a of list) {
          const before = new Set<number>();
          study.visitReviewed(a, (s) => before.add(s));
          const reviewed = study.reviewed(a);
          const after = new Set<number>();
          study.visitReviewed(a, (s) => after.add(s));
          expect(before).toEqual(reviewed);
          expect(after).toEqual(reviewed);
        }
      }),
    );
  });

  it('sentenceCodes counts, per category and sentence, the values and the 1s of its codes', () => {
    fc.assert(
      fc.property(work, (draws) => {
        const study = makeStudy([article('a'), article('b')], annotations(draws));
        const codes = sentenceCodes(study, ['hedge', 'loaded']);
        const m = study.annotators.length;
        codes.byCategory.forEach((block, c) => {
          expect(codes.all.subarray(c * block.length, (c + 1) * block.length)).toEqual(block);
          codes.units.forEach((_, u) => {
            const row = Array.from(block.subarray(u * m, (u + 1) * m));
            expect(codes.seen[c]?.[u]).toBe(row.filter((v) => v >= 0).length);
            expect(codes.tagged[c]?.[u]).toBe(row.filter((v) => v === 1).length);
            expect(Array.from(codes.reviewed.subarray(u * m, (u + 1) * m), (v) => v >= 0)).toEqual(row.map((v) => v >= 0));
          });
        });
      }),
    );
  });
});
