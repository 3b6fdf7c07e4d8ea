import { describe, expect, it } from 'vitest';
import { classDistribution, compareTags, pooledScores, wholePercent } from '../../../server/core/classroom/feedback.js';
import { overlapCredit } from '../../../server/core/classroom/text.js';
import { tag, textOf, words } from './fixtures.js';

// The hand-checked example (words are numbered per sentence, see fixtures.ts):
//   Reference                                   Student
//   R1 s0 "allegedly"        hedge              S1 s0 "held secret talks"  loaded-wording
//   R2 s0 "secret talks"     loaded-wording     S2 s0 "allegedly"          loaded-wording
//   R3 s1 "regime"           loaded-label       S3 s1 "peaceful protests"  missing-context
//   R4 s1 "crushed"          loaded-wording
// Pairs that share words: R2–S1 (same category): shared {secret, talks} = 2, either
// {held, secret, talks} = 3 → credit 2/3, a partial match. R1–S2 (different category) →
// a confusion: a hedge tagged as loaded wording. R3 and R4 share no word with S3: R3 and R4
// are missed, S3 is extra.
//   Overall: |S| = 3, |R| = 4, C = 2/3
//     precision = C/|S| = (2/3)/3 = 2/9 ≈ 0.222
//     recall    = C/|R| = (2/3)/4 = 1/6 ≈ 0.167
//     F1        = 2C/(|S|+|R|) = (4/3)/7 = 4/21 ≈ 0.190
//   loaded-wording: S = {S1, S2}, R = {R2, R4}, C = 2/3 → P = R = F1 = (2/3)/2 = 1/3
//   hedge: S = {}, R = {R1} → P undefined, R = 0, F1 = 0
//   loaded-label: S = {}, R = {R3} → P undefined, R = 0, F1 = 0
//   missing-context: S = {S3}, R = {} → P = 0, R undefined, F1 = 0
const R1 = tag(0, 1, 1, 'hedge', 'R1');
const R2 = tag(0, 3, 4, 'loaded-wording', 'R2');
const R3 = tag(1, 1, 1, 'loaded-label', 'R3');
const R4 = tag(1, 2, 2, 'loaded-wording', 'R4');
const reference = [R1, R2, R3, R4];
const S1 = tag(0, 2, 4, 'loaded-wording', 'S1');
const S2 = tag(0, 1, 1, 'loaded-wording', 'S2');
const S3 = tag(1, 3, 4, 'missing-context', 'S3');
const student = [S1, S2, S3];

describe('feedback: a student against the reference', () => {
  it('the fixture says what the comments say', () => {
    expect(reference.map(textOf)).toEqual(['allegedly', 'secret talks', 'regime', 'crushed']);
    expect(student.map(textOf)).toEqual(['held secret talks', 'allegedly', 'peaceful protests']);
  });

  it('matches with partial credit, and finds the confusion, the misses and the extra tag', () => {
    const result = compareTags(words, reference, student);
    expect(result.sentences.map((s) => s.sentence)).toEqual([0, 1]);
    const [s0, s1] = result.sentences;
    expect(s0?.items).toEqual([
      { status: 'confusion', reference: R1, tag: S2, credit: 0, overlap: 1 },
      { status: 'matched', reference: R2, tag: S1, credit: 2 / 3 },
    ]);
    expect(s1?.items).toEqual([
      { status: 'missed', reference: R3, credit: 0 },
      { status: 'missed', reference: R4, credit: 0 },
      { status: 'extra', tag: S3, credit: 0 },
    ]);
    expect(result.counts).toEqual({ matched: 1, covered: 0, confusion: 1, missed: 2, extra: 1 });
  });

  it('scores overall and per category as computed by hand', () => {
    const { overall, byCategory } = compareTags(words, reference, student);
    expect(overall.tags).toBe(3);
    expect(overall.reference).toBe(4);
    expect(overall.credit).toBeCloseTo(2 / 3, 10);
    expect(overall.precision).toBeCloseTo(2 / 9, 10);
    expect(overall.recall).toBeCloseTo(1 / 6, 10);
    expect(overall.f1).toBeCloseTo(4 / 21, 10);
    const lw = byCategory.get('loaded-wording');
    expect(lw?.precision).toBeCloseTo(1 / 3, 10);
    expect(lw?.recall).toBeCloseTo(1 / 3, 10);
    expect(lw?.f1).toBeCloseTo(1 / 3, 10);
    expect(byCategory.get('hedge')).toEqual({ tags: 0, reference: 1, credit: 0, precision: null, recall: 0, f1: 0 });
    expect(byCategory.get('loaded-label')).toEqual({ tags: 0, reference: 1, credit: 0, precision: null, recall: 0, f1: 0 });
    expect(byCategory.get('missing-context')).toEqual({ tags: 1, reference: 0, credit: 0, precision: 0, recall: null, f1: 0 });
    expect([...byCategory.keys()].sort()).toEqual(['hedge', 'loaded-label', 'loaded-wording', 'missing-context']);
  });

  it('F1 = 2C/(|S|+|R|) equals the harmonic mean of precision and recall', () => {
    const { overall } = compareTags(words, reference, student);
    const p = overall.precision ?? NaN;
    const r = overall.recall ?? NaN;
    expect(overall.f1).toBeCloseTo((2 * p * r) / (p + r), 10);
  });

  it('an exact match earns full credit; overlap credit is shared words over words in either span', () => {
    expect(overlapCredit({ first: 3, last: 4 }, { first: 3, last: 4 })).toBe(1);
    expect(overlapCredit({ first: 3, last: 4 }, { first: 2, last: 4 })).toBeCloseTo(2 / 3, 10);
    expect(overlapCredit({ first: 0, last: 1 }, { first: 1, last: 4 })).toBeCloseTo(1 / 5, 10);
    expect(overlapCredit({ first: 0, last: 1 }, { first: 2, last: 4 })).toBe(0);
    const result = compareTags(words, [R1], [tag(0, 1, 1, 'hedge', 'X')]);
    expect(result.overall).toEqual({ tags: 1, reference: 1, credit: 1, precision: 1, recall: 1, f1: 1 });
  });

  it('prefers a same-category pairing to a better-overlapping other category', () => {
    // "allegedly" (hedge) vs student "allegedly" (loaded-wording, credit 1) and "allegedly held" (hedge, credit 1/2).
    const lw = tag(0, 1, 1, 'loaded-wording', 'A');
    const hedge = tag(0, 1, 2, 'hedge', 'B');
    const [s0] = compareTags(words, [R1], [lw, hedge]).sentences;
    expect(s0?.items.map((i) => i.status)).toEqual(['matched', 'extra']);
    expect(s0?.items[0]).toMatchObject({ status: 'matched', tag: hedge, credit: 0.5 });
  });

  it('pairs one to one: a second tag on the same reference span is extra', () => {
    const a = tag(0, 3, 4, 'loaded-wording', 'A');
    const b = tag(0, 4, 4, 'loaded-wording', 'B');
    const result = compareTags(words, [R2], [b, a]);
    expect(result.sentences[0]?.items).toEqual([
      { status: 'matched', reference: R2, tag: a, credit: 1 },
      { status: 'extra', tag: b, credit: 0 },
    ]);
    expect(result.overall.precision).toBe(0.5);
    expect(result.overall.recall).toBe(1);
  });

  it('with no tags at all everything in the reference is missed', () => {
    const result = compareTags(words, reference, []);
    expect(result.counts).toEqual({ matched: 0, covered: 0, confusion: 0, missed: 4, extra: 0 });
    expect(result.overall).toEqual({ tags: 0, reference: 4, credit: 0, precision: null, recall: 0, f1: 0 });
  });
});

describe('a longer tag that covers a second reference tag (issue 15)', () => {
  // Reference: "held" and "secret talks", both loaded wording. The student tagged "allegedly held
  // secret talks" (loaded wording) once. One to one, it matches "secret talks" (credit 2/4); the
  // reference's "held" lies wholly inside it, so it is covered, with credit 1/4, not missed.
  const held = tag(0, 2, 2, 'loaded-wording', 'held');
  const talks = tag(0, 3, 4, 'loaded-wording', 'talks');
  const long = tag(0, 1, 4, 'loaded-wording', 'long');

  it('gives the covering tag partial credit instead of "missed"', () => {
    const result = compareTags(words, [held, talks], [long]);
    expect(result.sentences[0]?.items).toEqual([
      { status: 'covered', reference: held, tag: long, credit: 0.25 },
      { status: 'matched', reference: talks, tag: long, credit: 0.5 },
    ]);
    expect(result.counts).toEqual({ matched: 1, covered: 1, confusion: 0, missed: 0, extra: 0 });
    // C = 1/2 + 1/4, |S| = 1, |R| = 2: P = 3/4, R = 3/8, F1 = 2C/(|S|+|R|) = 1/2.
    expect(result.overall).toEqual({ tags: 1, reference: 2, credit: 0.75, precision: 0.75, recall: 0.375, f1: 0.5 });
    const d = classDistribution(words, [held, talks], [[long], []]);
    expect(d.get('held')).toMatchObject({ matched: 1, credit: 0.25, missed: 1 });
  });

  it('needs the same category and every word of the reference tag inside', () => {
    const otherCategory = tag(0, 1, 4, 'hedge', 'other');
    const [s] = compareTags(words, [held, talks], [long, otherCategory]).sentences;
    expect(s?.items.map((i) => i.status)).toEqual(['extra', 'covered', 'matched']); // in text order
    const partly = tag(0, 3, 4, 'loaded-wording', 'partly'); // "secret talks" does not hold "held"
    const [t] = compareTags(words, [held, talks], [partly]).sentences;
    expect(t?.items.map((i) => i.status)).toEqual(['missed', 'matched']);
    const onlyOther = compareTags(words, [held], [tag(0, 1, 4, 'hedge', 'h')]).sentences[0];
    expect(onlyOther?.items.map((i) => i.status)).toEqual(['confusion']);
  });

  it('lets one student tag earn at most 1 in all, so precision stays at or under 100 %', () => {
    // The student tag is exactly "held secret talks" (credit 1); "secret talks" and "talks" inside it get nothing more.
    const all = tag(0, 2, 4, 'loaded-wording', 'all');
    const refs = [all, talks, tag(0, 4, 4, 'loaded-wording', 'last')];
    const result = compareTags(words, refs, [tag(0, 2, 4, 'loaded-wording', 'mine')]);
    expect(result.overall.credit).toBe(1);
    expect(result.overall.precision).toBe(1);
    expect(result.counts).toMatchObject({ matched: 1, covered: 0, missed: 2 });
    // Two reference tags inside one: 2/4 + 1/4 for "allegedly held secret talks" vs "held"+"secret talks" = 0.75 ≤ 1.
    for (const f of [compareTags(words, [held, talks, tag(0, 1, 1, 'loaded-wording', 'a')], [long])]) {
      expect(f.overall.precision ?? 0).toBeLessThanOrEqual(1);
      expect(f.counts).toMatchObject({ matched: 1, covered: 2 });
    }
  });
});

describe('whole percentages', () => {
  it('round exact halves up (57.5 % is 58 %, not 57 % as Math.round(0.575 * 100) gives)', () => {
    expect(Math.round(0.575 * 100)).toBe(57); // the bug: 0.575 * 100 = 57.49999999999999
    expect(wholePercent(23 / 40)).toBe(58);
    expect(wholePercent(0.575)).toBe(58);
    expect(wholePercent(0.285)).toBe(29);
    expect(wholePercent(0.145)).toBe(15);
    expect(wholePercent(1 / 3)).toBe(33);
    expect(wholePercent(2 / 3)).toBe(67);
    expect(wholePercent(0)).toBe(0);
    expect(wholePercent(1)).toBe(100);
    expect(wholePercent(0.005)).toBe(1);
    expect(wholePercent(0.00499)).toBe(0);
  });

  it('agree with exact integer arithmetic for every share p/q, q ≤ 400, and for sums of word credits', () => {
    // Round half up of 100·p/q, exactly: floor((200p + q) / 2q).
    const exact = (p: number, q: number) => Math.floor((200 * p + q) / (2 * q));
    const wrong: string[] = [];
    for (let q = 1; q <= 400; q++) {
      for (let p = 0; p <= q; p++) if (wholePercent(p / q) !== exact(p, q)) wrong.push(`${p}/${q}`);
    }
    // Credits are sums of fractions a/b (shared words over words in either span), divided by a tag count n.
    for (let b = 1; b <= 12; b++) {
      for (let d = 1; d <= 12; d++) {
        for (let n = 1; n <= 40; n++) {
          for (let a = 0; a <= b; a++) {
            for (let c = 0; c <= d; c++) {
              // (a/b + c/d) / n = (a·d + c·b) / (b·d·n)
              if (wholePercent((a / b + c / d) / n) !== exact(a * d + c * b, b * d * n)) wrong.push(`(${a}/${b}+${c}/${d})/${n}`);
            }
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('the class distribution per reference tag', () => {
  it('counts students who matched, confused (with which category) or missed each tag, without names', () => {
    const students = [
      [tag(0, 1, 1, 'hedge')], // matched R1
      [tag(0, 1, 1, 'loaded-wording')], // confused R1 as loaded wording
      [tag(0, 1, 2, 'loaded-label')], // confused R1 as a label
      [], // missed everything
    ];
    const d = classDistribution(words, reference, students);
    const r1 = d.get('R1');
    expect(r1?.students).toBe(4);
    expect(r1?.matched).toBe(1);
    expect(r1?.credit).toBe(1);
    expect(Object.fromEntries(r1?.confused ?? [])).toEqual({ 'loaded-wording': 1, 'loaded-label': 1 });
    expect(r1?.missed).toBe(1);
    expect(d.get('R4')).toMatchObject({ matched: 0, missed: 4 });
  });

  it('pools the class: summed tags, reference tags and credit', () => {
    const a = compareTags(words, reference, student);
    const b = compareTags(words, reference, [R1, R2, R3, R4]);
    const pooled = pooledScores([a, b]);
    // tags 3 + 4 = 7, reference 4 + 4 = 8, credit 2/3 + 4 = 14/3 → P = 2/3, R = 7/12, F1 = (28/3)/15 = 28/45
    expect(pooled.overall.precision).toBeCloseTo(2 / 3, 10);
    expect(pooled.overall.recall).toBeCloseTo(7 / 12, 10);
    expect(pooled.overall.f1).toBeCloseTo(28 / 45, 10);
  });
});
