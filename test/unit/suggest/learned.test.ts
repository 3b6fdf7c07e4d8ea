// The learned suggester on a constructed project: it learns a cue planted in the training
// articles (a word no lexicon, rule or codebook cue knows) and suggests it in a new article; the
// accepted tags it learns from; the model as JSON; training in a worker thread; the quality
// measure against the SemEval span scorer.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../server/core/agreement/index.js';
import { overlapSpanF1 } from '../../../server/core/agreement/span-f1.js';
import type { Annotation, Article, Codebook, Tag } from '../../../server/core/model.js';
import { segment } from '../../../server/core/segmentation.js';
import {
  LEARNED_THRESHOLD,
  acceptedTags,
  makeSuggesters,
  trainingSet,
  modelFits,
  parseModel,
  suggestArticle,
  trainModel,
  type LabelledArticle,
} from '../../../server/core/suggest/index.js';
import { suggestionQuality } from '../../../server/core/suggest/quality.js';
import { emptyGold } from '../../../server/core/curation/gold.js';
import { goldLayer } from '../../../server/core/curation/layer.js';
import { addSpan, markSentenceCurated } from '../../../server/core/curation/operations.js';
import { curator } from '../curation/fixtures.js';
import { loadShippedCodebooks } from '../../../server/storage/shipped-codebooks.js';
import { trainInWorker } from '../../../server/suggest/train.js';

const codebook: Codebook = (await loadShippedCodebooks()).find((c) => c.id === 'framing') ?? (() => { throw new Error('no framing codebook'); })();

// "glorbish" is planted as loaded language: no lexicon, AFINN entry or cue has it. "reportedly"
// is tagged as a hedge, so the model learns that category too.
const NAMES = ['the council', 'the ministry', 'the union', 'the mayor', 'the court', 'the board'];
const THINGS = ['the budget', 'the tariff', 'the ruling', 'the timetable', 'the merger', 'the census'];
function article(id: string, seed: number, sentences = 8): LabelledArticle {
  const r = mulberry32(seed);
  const pick = (xs: string[]) => xs[Math.floor(r() * xs.length)] ?? '';
  const parts: string[] = [];
    for (let i = 0; i < sentences; i++) {
    const who = pick(NAMES);
    const what = pick(THINGS);
    const roll = r();
    if (roll < 0.25) parts.push(`${who[0]?.toUpperCase()}${who.slice(1)} reportedly approved ${what} on Monday.`);
    else if (roll < 0.6) {
      const s = `${who[0]?.toUpperCase()}${who.slice(1)} called ${what} glorbish on Monday.`;
      parts.push(s);
    } else parts.push(`${who[0]?.toUpperCase()}${who.slice(1)} discussed ${what} on Monday.`);
  }
  const text = parts.join(' ');
  const sentencesOf = segment(text);
  const spans = [...text.matchAll(/glorbish|reportedly/g)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    category: m[0] === 'glorbish' ? 'loaded-language' : 'hedge',
    sentence: sentencesOf.findIndex((s) => s.start <= m.index && m.index < s.end),
  }));
  return { id, text, sentences: sentencesOf, annotated: sentencesOf.map((_, i) => i), spans };
}

describe('the learned suggester', () => {
  const training = Array.from({ length: 12 }, (_, i) => article(`a${i}`, i + 1));

  it('learns a planted cue and suggests it in a new article', () => {
    const model = trainModel(training, codebook, { now: '2025-01-01T00:00:00.000Z' });
    expect(modelFits(model, codebook)).toBe(true);
    const fresh = { text: 'The board called the census glorbish on Monday. The court discussed the merger on Monday.', sentences: [] as { start: number; end: number }[] };
    fresh.sentences = segment(fresh.text);
    const [learned] = makeSuggesters(codebook, ['learned'], model);
    if (!learned) throw new Error('no learned suggester');
    const shown = suggestArticle(fresh, [learned]);
    expect(shown.map((s) => [fresh.text.slice(s.start, s.end), s.category, s.suggester])).toEqual([['glorbish', 'loaded-language', 'learned']]);
    expect(shown[0]?.score).toBeGreaterThanOrEqual(LEARNED_THRESHOLD);
    // Without training, nothing suggests the word: the rules do not know it.
    expect(suggestArticle(fresh, makeSuggesters(codebook, ['rules'], null), { all: true }).filter((s) => fresh.text.slice(s.start, s.end) === 'glorbish')).toEqual([]);
  });

  it('keeps what the rules know for words it never saw in a category it learned', () => {
    const model = trainModel(training, codebook);
    const text = 'The ministry allegedly hid the figures.';
    const shown = suggestArticle({ text, sentences: segment(text) }, makeSuggesters(codebook, ['learned'], model));
    expect(shown.map((s) => [text.slice(s.start, s.end), s.category])).toContainEqual(['allegedly', 'hedge']);
  });

  it('is plain JSON that parses back to the same suggestions, and is refused when the codebook changed', () => {
    const model = trainModel(training, codebook);
    const back = parseModel(JSON.parse(JSON.stringify(model)));
    const doc = article('new', 99);
    const a = suggestArticle(doc, makeSuggesters(codebook, ['learned'], model), { all: true });
    const b = suggestArticle(doc, makeSuggesters(codebook, ['learned'], back), { all: true });
    expect(b).toEqual(a);
    expect(() => parseModel({ ...model, weights: [1] })).toThrow(/weights/);
    expect(modelFits(model, { ...codebook, id: 'other' })).toBe(false);
    expect(makeSuggesters({ ...codebook, id: 'other' }, ['learned'], model)).toEqual([]);
  });

  it('trains in a worker thread to the same model', async () => {
    const now = '2025-01-01T00:00:00.000Z';
    const inWorker = await trainInWorker(training, codebook, { now });
    expect(inWorker).toEqual(trainModel(training, codebook, { now }));
  }, 60_000);
});

describe('accepted tags', () => {
  const text = 'One alleged plot. Two regime claims. Three.';
  const doc: Article = { id: 'art', projectId: 'p', title: '', source: '', url: '', publishedAt: '', text, sentences: segment(text), createdAt: '', createdBy: 'x' };
  let n = 0;
  const tag = (annotatorId: string, sentence: number, word: string, category: string, extend = 0): Tag => {
    const start = text.indexOf(word);
    return { id: `t${n++}`, articleId: 'art', annotatorId, sentence, start, end: start + word.length + extend, category, voice: 'author', intensity: null, note: '', createdAt: '', updatedAt: '' };
  };
  const annotation = (annotatorId: string, tags: Tag[], reviewed: number[] = []): Annotation => ({ articleId: 'art', annotatorId, reviewed, tags, updatedAt: '' });

  it('takes the tags a majority agrees on, as the span most chose', () => {
    const selected = acceptedTags(doc, [
      annotation('u1', [tag('u1', 0, 'alleged', 'hedge'), tag('u1', 1, 'regime', 'loaded-label')], [2]),
      annotation('u2', [tag('u2', 0, 'alleged', 'hedge', 5)], [1, 2]),
      annotation('u3', [tag('u3', 0, 'alleged', 'hedge')], [1]),
    ]);
    expect(selected?.spans.map((s) => [text.slice(s.start, s.end), s.category])).toEqual([['alleged', 'hedge']]);
    // Sentence 1 was covered by all three (one tagged it, two reviewed it): a negative example now.
    expect(selected?.annotated).toEqual([0, 1, 2]);
  });

  it('needs at least two annotators, and half of them', () => {
    const four = ['u1', 'u2', 'u3', 'u4'].map((u, i) => annotation(u, i < 1 ? [tag(u, 1, 'regime', 'loaded-label')] : [], [0, 1, 2]));
    expect(acceptedTags(doc, four)?.spans).toEqual([]);
  });

  it('takes a lone annotator’s tags (or not, if asked)', () => {
    const lone = [annotation('u1', [tag('u1', 1, 'regime', 'loaded-label')])];
    expect(acceptedTags(doc, lone)?.spans).toHaveLength(1);
    expect(acceptedTags(doc, lone)?.annotated).toEqual([1]);
    expect(acceptedTags(doc, lone, { single: 'skip' })).toBeNull();
    expect(acceptedTags(doc, [])).toBeNull();
  });

  it('takes gold as it is on the sentences a curator settled, the agreed tags elsewhere', () => {
    const lone = [annotation('u1', [tag('u1', 1, 'regime', 'loaded-label')])];
    // Gold speaks for sentence 2 only (its layer marks it reviewed): sentence 1 keeps the annotator's tag.
    const gold = annotation('gold', [tag('gold', 2, 'Three', 'emphasis')], [2]);
    const mixed = acceptedTags(doc, lone, { gold });
    expect(mixed?.spans.map((s) => [s.sentence, s.category])).toEqual([[1, 'loaded-label'], [2, 'emphasis']]);
    expect([mixed?.annotated, mixed?.curated]).toEqual([[1, 2], [2]]);
    // Gold over sentence 1 too replaces the annotator's tag there (here: nothing in gold, a negative example).
    const over = acceptedTags(doc, lone, { gold: { ...gold, reviewed: [1, 2] } });
    expect(over?.spans.map((s) => [s.sentence, s.category])).toEqual([[2, 'emphasis']]);
    expect([over?.annotated, over?.curated]).toEqual([[1, 2], [1, 2]]);
    // Gold with nothing settled yet changes nothing; gold alone is enough.
    expect(acceptedTags(doc, lone, { gold: { ...gold, reviewed: [] } })).toEqual(acceptedTags(doc, lone));
    expect(acceptedTags(doc, [], { gold })?.spans.map((s) => s.category)).toEqual(['emphasis']);
  });

  it('trains on curated gold: a cue only the curator settled is learned, and suggested in a new article', () => {
    // Two annotators never agree on the planted cue (one tags it, one only reviews), so without
    // gold nothing is accepted; the curator puts every "glorbish" in gold and marks the sentences curated.
    const articles = Array.from({ length: 12 }, (_, i) => article(`g${i}`, i + 1)).map(
      (a): Article => ({ id: a.id, projectId: 'p', title: '', source: '', url: '', publishedAt: '', text: a.text, sentences: a.sentences, createdAt: '', createdBy: 'x' }),
    );
    const every = (a: Article) => a.sentences.map((_, i) => i);
    const cue = (a: Article, annotatorId: string): Tag[] =>
      [...a.text.matchAll(/glorbish/g)].map((m, k) => ({
        id: `${annotatorId}-${a.id}-${k}`, articleId: a.id, annotatorId, sentence: a.sentences.findIndex((s) => s.start <= m.index && m.index < s.end),
        start: m.index, end: m.index + m[0].length, category: 'loaded-language', voice: 'author', intensity: null, note: '', createdAt: '', updatedAt: '',
      }));
    const annotationsOf = (id: string): Annotation[] => {
      const a = articles.find((x) => x.id === id)!;
      return [
        { articleId: id, annotatorId: 'u1', reviewed: every(a), tags: cue(a, 'u1'), updatedAt: '' },
        { articleId: id, annotatorId: 'u2', reviewed: every(a), tags: [], updatedAt: '' },
      ];
    };
    const goldOf = (id: string) => {
      const a = articles.find((x) => x.id === id)!;
      const gold = emptyGold(id);
      for (const t of cue(a, 'x')) addSpan(gold, t.sentence, { start: t.start, end: t.end, category: t.category, voice: 'author', intensity: null, note: '' }, a.sentences[t.sentence]!, curator, `gold-${t.id}`);
      for (const s of every(a)) markSentenceCurated(gold, s, a.sentences.length, curator);
      return goldLayer(gold, a.sentences.length);
    };
    const without = trainingSet(articles, annotationsOf);
    expect(without.flatMap((a) => a.spans)).toEqual([]);
    const withGold = trainingSet(articles, annotationsOf, { gold: goldOf });
    expect(withGold.flatMap((a) => a.spans).length).toBe(articles.reduce((n, a) => n + cue(a, 'x').length, 0));
    expect(withGold.every((a) => a.curated?.length === a.sentences.length)).toBe(true);
    const fresh = { text: 'The board called the census glorbish on Monday. The court discussed the merger on Monday.', sentences: [] as { start: number; end: number }[] };
    fresh.sentences = segment(fresh.text);
    const shown = (set: LabelledArticle[]) => suggestArticle(fresh, makeSuggesters(codebook, ['learned'], trainModel(set, codebook))).map((s) => [fresh.text.slice(s.start, s.end), s.category]);
    expect(shown(withGold)).toEqual([['glorbish', 'loaded-language']]);
    expect(shown(without)).not.toContainEqual(['glorbish', 'loaded-language']);
  });
});

describe('suggestion quality', () => {
  it('is the SemEval overlap-credit scorer, per category', () => {
    const text = 'alpha beta gamma delta epsilon';
    const article: LabelledArticle = {
      id: 'x',
      text,
      sentences: [{ start: 0, end: text.length }],
      annotated: [0],
      spans: [
        { sentence: 0, start: 0, end: 10, category: 'a' },
        { sentence: 0, start: 17, end: 22, category: 'b' },
      ],
    };
    const s = (start: number, end: number, category: string, score = 0.9) => ({ articleId: 'x', suggestion: { sentence: 0, start, end, category, score, suggester: 'rules' as const, source: 'cue' } });
    const suggestions = [s(6, 16, 'a'), s(17, 22, 'a'), s(17, 22, 'b', 0.4)];
    const a = suggestionQuality([article], suggestions, { category: 'a' });
    const reference = overlapSpanF1([{ start: 0, end: 10 }], [{ start: 6, end: 16 }, { start: 17, end: 22 }]);
    expect(a.precision).toBeCloseTo(reference.precision.value ?? NaN, 12);
    expect(a.recall).toBeCloseTo(reference.recall.value ?? NaN, 12);
    // Across categories a span earns credit only from its own category's spans.
    const all = suggestionQuality([article], suggestions, { threshold: 0.5 });
    expect(all.suggested).toBe(2);
    expect(all.precision).toBeCloseTo((4 / 10 + 0) / 2, 12);
    expect(all.recall).toBeCloseTo((4 / 10 + 0) / 2, 12);
  });
});
