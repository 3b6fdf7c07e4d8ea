// Offsets between UTF-16 code units and code points, and the line-end rule, against the plain
// definitions: Array.from splits a string into code points; the rule is two regex replaces.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codePoints, exportedText, normaliseLineEnds } from '../../server/core/offsets.js';

/** Strings mixing ASCII, accents, emoji (two units), line ends and a possible leading BOM. */
const mixed = fc
  .tuple(fc.boolean(), fc.array(fc.constantFrom('a', 'é', ' ', '😀', '👍🏽', '\n', '\r', '\r\n', '“', '𝔸', '\t'), { maxLength: 40 }))
  .map(([bom, parts]) => `${bom ? '\uFEFF' : ''}${parts.join('')}`);

/** UTF-16 offsets of `text` that fall between code points. */
function boundaries(text: string): number[] {
  const out = [0];
  let at = 0;
  for (const c of text) out.push((at += c.length));
  return out;
}

describe('code points', () => {
  it('toCodePoint and fromCodePoint agree with Array.from, both ways', () => {
    fc.assert(
      fc.property(mixed, (text) => {
        const points = codePoints(text);
        const chars = Array.from(text);
        expect(points.length).toBe(chars.length);
        boundaries(text).forEach((utf16, cp) => {
          expect(points.toCodePoint(utf16)).toBe(cp);
          expect(points.fromCodePoint(cp)).toBe(utf16);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('on a worked example', () => {
    const points = codePoints('a😀b👍🏽c');
    expect([0, 1, 3, 4, 6, 8, 9].map(points.toCodePoint)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect([0, 1, 2, 3, 4, 5, 6].map(points.fromCodePoint)).toEqual([0, 1, 3, 4, 6, 8, 9]);
  });
});

describe('the line-end rule', () => {
  it('drops a leading BOM and turns CRLF and CR into LF; offsets of the raw text land on the same text', () => {
    fc.assert(
      fc.property(mixed, (raw) => {
        const { text, fromRaw } = normaliseLineEnds(raw);
        expect(text).toBe(raw.replace(/^\uFEFF/, '').replace(/\r\n|\r/g, '\n'));
        expect(text).not.toMatch(/\r/);
        // Between two boundaries that split neither a CRLF nor the BOM, the raw slice normalised
        // is the normalised slice.
        const cuts = boundaries(raw).filter((i) => !(raw[i - 1] === '\r' && raw[i] === '\n') && i !== (raw.startsWith('\uFEFF') ? 1 : -1));
        for (const a of cuts) {
          for (const b of cuts) {
            if (b < a) continue;
            expect(text.slice(fromRaw(a), fromRaw(b))).toBe(raw.slice(a, b).replace(/^\uFEFF/, '').replace(/\r\n|\r/g, '\n'));
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('leaves a text under the rule unchanged (the same string)', () => {
    const text = 'One 😀.\nTwo.';
    expect(normaliseLineEnds(text).text).toBe(text);
    expect(exportedText(text).text).toBe(text);
    expect(exportedText(text).toCodePoint(text.indexOf('Two'))).toBe(7);
  });
});
