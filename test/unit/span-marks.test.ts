// Spans that take in the quotation marks and brackets touching their words: exact offsets, never
// beyond the sentence, and the words a stored span is shown with in the form.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Range } from '../../server/core/model.js';
import { segment, words } from '../../server/core/segmentation.js';
import { spanFromWords, spanWithMarks, touchingMarks, wordsOfSpan } from '../../server/core/spans.js';

const TEXT = `NATO will not give up on its 'core principles', including “open doors” (for now). "Today Russia raised it," he said.`;
const [first, second] = segment(TEXT) as [Range, Range];
const slice = (r: Range) => TEXT.slice(r.start, r.end);
const w1 = words(TEXT, first);
const at = (ws: Range[], word: string) => ws.findIndex((w) => slice(w) === word);

describe('touching marks', () => {
  it('finds the runs of opening and closing marks right next to each word', () => {
    const { opening, closing } = touchingMarks(TEXT, first, w1);
    const core = at(w1, 'core');
    const principles = at(w1, 'principles');
    expect(slice(opening[core] as Range)).toBe("'");
    expect(closing[core]).toBeNull();
    expect(slice(closing[principles] as Range)).toBe("'"); // the comma after it is not a mark
    expect(slice(opening[at(w1, 'open')] as Range)).toBe('“');
    expect(slice(closing[at(w1, 'doors')] as Range)).toBe('”');
    expect(slice(opening[at(w1, 'for')] as Range)).toBe('(');
    expect(slice(closing[at(w1, 'now')] as Range)).toBe(')');
    expect(opening[at(w1, 'NATO')]).toBeNull();
  });

  it('never reaches outside the sentence', () => {
    const w2 = words(TEXT, second);
    const { opening, closing } = touchingMarks(TEXT, second, w2);
    expect(slice(opening[0] as Range)).toBe('"');
    expect((opening[0] as Range).start).toBe(second.start);
    // "it," — the comma stops the closing run; the quotation mark after it touches no word.
    expect(closing[at(w2, 'it')]).toBeNull();
    // A sentence cut just before its closing mark does not take it in.
    const cut = { start: first.start, end: TEXT.indexOf("principles'") + 'principles'.length };
    expect(touchingMarks(TEXT, cut, words(TEXT, cut)).closing.at(-1)).toBeNull();
  });
});

describe('spanWithMarks', () => {
  it('widens over the marks on both sides when asked, and not otherwise', () => {
    const core = at(w1, 'core');
    const principles = at(w1, 'principles');
    expect(slice(spanWithMarks(TEXT, first, w1, core, principles, false))).toBe('core principles');
    expect(slice(spanWithMarks(TEXT, first, w1, core, principles, true))).toBe("'core principles'");
    // Either order of the words, as the form allows.
    expect(slice(spanWithMarks(TEXT, first, w1, principles, core, true))).toBe("'core principles'");
    // Only the side that has a mark moves.
    expect(slice(spanWithMarks(TEXT, first, w1, at(w1, 'its'), principles, true))).toBe("its 'core principles'");
    expect(slice(spanWithMarks(TEXT, first, w1, at(w1, 'open'), at(w1, 'doors'), true))).toBe('“open doors”');
  });

  it('on any words of any sentence: contains the plain span, stays in the sentence, adds only marks', () => {
    const sentences = segment(TEXT);
    fc.assert(
      fc.property(fc.nat(sentences.length - 1), fc.nat(40), fc.nat(40), (s, a, b) => {
        const range = sentences[s] as Range;
        const ws = words(TEXT, range);
        const i = a % ws.length;
        const j = b % ws.length;
        const plain = spanFromWords(ws, i, j);
        const wide = spanWithMarks(TEXT, range, ws, i, j, true);
        expect(wide.start).toBeLessThanOrEqual(plain.start);
        expect(wide.end).toBeGreaterThanOrEqual(plain.end);
        expect(wide.start).toBeGreaterThanOrEqual(range.start);
        expect(wide.end).toBeLessThanOrEqual(range.end);
        expect(TEXT.slice(wide.start, plain.start) + TEXT.slice(plain.end, wide.end)).toMatch(/^["'“”‘’«»‹›„‚()[\]{}]*$/u);
      }),
    );
  });
});

describe('wordsOfSpan', () => {
  it('gives the first and last word a span touches, and whether it takes in marks', () => {
    const core = at(w1, 'core');
    const principles = at(w1, 'principles');
    expect(wordsOfSpan(w1, spanWithMarks(TEXT, first, w1, core, principles, true))).toEqual({ first: core, last: principles, marks: true });
    expect(wordsOfSpan(w1, spanFromWords(w1, core, principles))).toEqual({ first: core, last: principles, marks: false });
    // A span that touches no word (only a mark).
    const quote = TEXT.indexOf("'");
    expect(wordsOfSpan(w1, { start: quote, end: quote + 1 })).toEqual({ first: -1, last: -1, marks: false });
  });
});
