// The sentence page's view model: pieces() cut in one pass must give exactly what cutting with
// highlightPieces gave (word and tag cuts, layers, which word a piece belongs to), and the cached
// word boundaries must be those words() finds, never stale.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Range } from '../../server/core/model.js';
import { segment, words } from '../../server/core/segmentation.js';
import { sentenceView, spanOf } from '../../server/web/editor/sentence.js';
import { cachedFragment, pieces, type Mark, type Piece } from '../../server/web/views.js';

/**
 * Cuts a sentence into pieces at every tag boundary, each piece listing the tags covering it,
 * so overlapping tags can all be highlighted: the straightforward version, kept as the oracle.
 */
function highlightPieces<T extends Range>(range: Range, tags: T[]): { start: number; end: number; tags: T[] }[] {
  const cuts = new Set<number>([range.start, range.end]);
  for (const t of tags) {
    if (t.start > range.start && t.start < range.end) cuts.add(t.start);
    if (t.end > range.start && t.end < range.end) cuts.add(t.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const pieces: { start: number; end: number; tags: T[] }[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i] ?? 0;
    const end = points[i + 1] ?? 0;
    pieces.push({ start, end, tags: tags.filter((t) => t.start <= start && t.end >= end) });
  }
  return pieces;
}

/** pieces() as it was first written: every tag and word a cut, through highlightPieces. */
function reference(text: string, range: Range, marks: Mark[], wordList: Range[] = []): Piece[] {
  const sorted = [...marks].sort((a, b) => a.start - b.start || b.end - a.end || a.id.localeCompare(b.id));
  const cuts: (Mark & { word: number | null })[] = [
    ...sorted.map((m) => ({ ...m, word: null })),
    ...wordList.map((w, i) => ({ ...w, id: `w${i}`, category: '', word: i })),
  ];
  return highlightPieces(range, cuts).map((p) => ({
    text: text.slice(p.start, p.end),
    word: p.tags.find((t) => t.word !== null)?.word ?? null,
    tags: p.tags.filter((t) => t.word === null).map((t, layer) => ({ id: t.id, category: t.category, layer: Math.min(layer, 3) })),
  }));
}

const TEXT =
  'The so-called “peace talks” in Geneva, the U.S. envoy said, were 3.5 hours of theatre. ' +
  'Critics, however, called the Western-backed plan a coup — and 1,000 protesters agreed!';

/** A sentence of TEXT and up to six tags inside it (some nested, some sharing ends). */
const sentenceAndMarks = fc.integer({ min: 0, max: segment(TEXT).length - 1 }).chain((index) => {
  const range = segment(TEXT)[index] ?? { start: 0, end: 0 };
  const mark = fc
    .tuple(
      fc.integer({ min: range.start, max: range.end }),
      fc.integer({ min: range.start, max: range.end }),
      fc.constantFrom('a', 'b', 'c'),
      fc.integer({ min: 0, max: 99 }),
    )
    .filter(([x, y]) => x !== y)
    .map(([x, y, category, n]) => ({ id: `t${n}`, category, start: Math.min(x, y), end: Math.max(x, y) }));
  return fc.record({ range: fc.constant(range), marks: fc.array(mark, { maxLength: 6 }) });
});

describe('pieces', () => {
  it('cuts a sentence as highlightPieces did, with and without words', () => {
    fc.assert(
      fc.property(sentenceAndMarks, ({ range, marks }) => {
        const sentenceWords = words(TEXT, range);
        expect(pieces(TEXT, range, marks, sentenceWords)).toEqual(reference(TEXT, range, marks, sentenceWords));
        expect(pieces(TEXT, range, marks)).toEqual(reference(TEXT, range, marks));
      }),
    );
  });

  it('stacks more than four tags on the top layer and gives gaps no word', () => {
    const range = { start: 0, end: 14 };
    const marks = [0, 1, 2, 3, 4].map((i) => ({ id: `m${i}`, category: 'x', start: 4, end: 13 }));
    const result = pieces(TEXT, range, marks, words(TEXT, range));
    expect(result.map((p) => p.text)).toEqual(['The', ' ', 'so-called', ' ']);
    expect(result[1]?.word).toBeNull();
    expect(result[2]?.tags.map((t) => t.layer)).toEqual([0, 1, 2, 3, 3]);
  });

  it('gives an empty sentence no pieces', () => {
    expect(pieces(TEXT, { start: 5, end: 5 }, [], [])).toEqual([]);
  });
});

describe('sentenceView', () => {
  it('offers the words words() finds, numbered for the menus', () => {
    const doc = { text: TEXT, sentences: segment(TEXT) };
    doc.sentences.forEach((range, index) => {
      const view = sentenceView(doc, index);
      expect(view.words).toEqual(words(TEXT, range));
      expect(view.choices.map((c) => c.label)).toEqual(view.words.map((w, i) => `${i + 1}. ${TEXT.slice(w.start, w.end)}`));
      expect(view.choices.map((c) => c.value)).toEqual(view.words.map((_, i) => String(i)));
    });
    // Asked again (now from the cache): the same words
    expect(sentenceView(doc, 1).words).toEqual(words(TEXT, doc.sentences[1] ?? { start: 0, end: 0 }));
  });

  it('never serves the words of a text changed in place', () => {
    const doc = { text: TEXT, sentences: segment(TEXT) };
    expect(sentenceView(doc, 0).choices[0]?.text).toBe('The');
    doc.text = `Our${TEXT.slice(3)}`;
    expect(sentenceView(doc, 0).choices[0]?.text).toBe('Our');
    doc.sentences = [{ start: 4, end: 13 }];
    expect(sentenceView(doc, 0).choices.map((c) => c.text)).toEqual(['so-called']);
  });

  it('turns the chosen words into a span with the cached boundaries', () => {
    const doc = { text: TEXT, sentences: segment(TEXT) };
    const codebook = { id: 'c', name: 'C', description: '', groups: [{ id: 'g', name: 'G', categories: [{ id: 'x', name: 'X', definition: '', span: '', example: '', colour: '#000000', key: 'x' }] }] };
    sentenceView(doc, 0);
    expect(spanOf(doc, 0, { first: 3, last: 1, category: 'x' }, codebook)).toEqual({ start: 4, end: 26 });
  });
});

describe('cachedFragment', () => {
  it('renders a part once per owner and key', () => {
    const owner = {};
    let renders = 0;
    const render = () => `<p>${++renders}</p>`;
    expect(cachedFragment(owner, 'a', render)).toBe('<p>1</p>');
    expect(cachedFragment(owner, 'a', render)).toBe('<p>1</p>');
    expect(cachedFragment(owner, 'b', render)).toBe('<p>2</p>');
    expect(cachedFragment({}, 'a', render)).toBe('<p>3</p>');
  });
});

describe('the marks touching words', () => {
  it('are pieces of their own, the text unchanged', () => {
    const text = `They keep their 'core principles' (and “open doors”), he said.`;
    const doc = { text, sentences: segment(text) };
    const view = sentenceView(doc, 0);
    const drawn = view.withMarks(pieces(text, view.range, [], view.words));
    expect(drawn.map((p) => p.text).join('')).toBe(text.slice(view.range.start, view.range.end));
    const marks = drawn.filter((p) => p.opens !== null || p.closes !== null).map((p) => [p.text, p.opens ?? `/${p.closes}`]);
    const word = (w: string) => view.choices.findIndex((c) => c.text === w);
    expect(marks).toEqual([
      ["'", word('core')],
      ["'", `/${word('principles')}`],
      ['(', word('and')],
      ['“', word('open')],
      ['”)', `/${word('doors')}`],
    ]);
  });
});
