import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { segment } from '../../../server/core/segmentation.js';
import { alignStory, decodeLinks, DEFAULT_ALIGN_OPTIONS, pairScorer } from '../../../server/core/stories/align.js';
import { labelledPairs, scoreLinks, sumScores } from '../../../server/core/stories/evaluate.js';
import { fitPairModel, PAIR_FEATURES } from '../../../server/core/stories/pair-model.js';
import { inverseDocumentFrequencies } from '../../../server/nlp/tokenizers.js';
import { loadStories } from '../../helpers/stories.js';

const article = (id: string, text: string) => ({ id, text, sentences: segment(text) });
const pairs = (links: ReturnType<typeof alignStory>) => links.map((l) => `${l.a.sentence}-${l.b.sentence}`).sort();

describe('sentence alignment', () => {
  it('links reworded sentences one-to-one, in any order, and leaves a sentence only one outlet has unmatched', () => {
    const a = article(
      'a',
      'Parliament voted on Saturday to remove President Danek after protests that left 14 people dead. ' +
        'Kostel said elections would be held within 90 days. The army returned to barracks.',
    );
    const b = article(
      'b',
      'New leader Kostel promised fresh elections within 90 days. Lawmakers removed Danek on Saturday after protests in which 14 people died. ' +
        'Protest leaders received grants from foundations abroad.',
    );
    const links = alignStory([a, b]);
    expect(pairs(links)).toEqual(['0-1', '1-0']);
    for (const l of links) expect(l.score).toBeGreaterThan(0);
    for (const l of links) expect(l.score).toBeLessThanOrEqual(1 + 1e-12);
  });

  it('links both halves of a sentence another outlet split in two (one-to-many)', () => {
    const a = article('a', 'Dockworkers at Marenport walked off the job on Monday, and 12,000 union members joined the strike over a 9 percent pay demand.');
    const b = article('b', 'Some 12,000 dockworkers joined the Marenport strike on Monday. They want a 9 percent pay rise.');
    expect(pairs(alignStory([a, b]))).toEqual(['0-0', '0-1']);
  });

  it('weighs numbers, names and quotations more than common words', () => {
    const a = article('a', '“We will not back down,” Balan told the rally. The union wants more pay for 12,000 workers.');
    const b = article('b', 'The union wants more pay for its workers. Union leader Balan said: “We will not back down.”');
    const score = pairScorer([a, b]);
    const quote = score({ article: 'a', sentence: 0 }, { article: 'b', sentence: 1 });
    expect(quote).toBeGreaterThan(0.5);
    expect(pairs(alignStory([a, b]))).toEqual(['0-1', '1-0']);
  });

  it('links a weak pair between two linked pairs on the diagonal (vicinity), and only there', () => {
    // 4 × 4 probabilities: (0,0), (2,2) and (3,3) sure; (1,1) weak but between (0,0) and (2,2);
    // (1,2) as weak with no linked pair on both of its diagonal sides; (3,0) below the floor.
    const p = [
      [0.9, 0, 0, 0],
      [0, 0.2, 0.2, 0],
      [0, 0, 0.8, 0],
      [0.05, 0, 0, 0.7],
    ].flat();
    const linked = (threshold: number, vicinity: number) => [...decodeLinks(p, 4, 4, threshold, vicinity)].flatMap((on, cell) => (on ? [`${Math.floor(cell / 4)}-${cell % 4}`] : []));
    expect(linked(0.45, 0.1)).toEqual(['0-0', '1-1', '2-2', '3-3']);
    expect(linked(0.45, 0.25)).toEqual(['0-0', '2-2', '3-3']);
    // Two weak pairs in a row are not linked: each has a linked neighbour on one side only.
    const chain = [
      [0.9, 0, 0, 0],
      [0, 0.2, 0, 0],
      [0, 0, 0.2, 0],
      [0, 0, 0, 0.9],
    ].flat();
    expect([...decodeLinks(chain, 4, 4, 0.45, 0.1)].filter(Boolean)).toHaveLength(2);
    expect([...decodeLinks([0.9, 0, 0, 0, 0.2, 0, 0, 0, 0.9], 3, 3, 0.45, 0.1)].filter(Boolean)).toHaveLength(3);
  });

  it('gives the same links whatever other stories exist: it depends only on the story', () => {
    const [story] = loadStories('tuning');
    expect(alignStory(story!.articles)).toEqual(alignStory(story!.articles.map((a) => ({ ...a }))));
  });

  it('IDF is natural TfIdf’s formula (counted in one pass instead of one scan per term)', () => {
    const require = createRequire(import.meta.url);
    const TfIdf = require('natural/lib/natural/tfidf/tfidf.js') as new () => { addDocument(d: string[]): void; idf(t: string): number };
    const documents = [['coup', 'kiev', 'western'], ['ouster', 'kyiv'], ['coup', 'coup', 'ouster'], ['nato'], []];
    const tfidf = new TfIdf();
    for (const d of documents) tfidf.addDocument(d);
    const ours = inverseDocumentFrequencies(documents);
    for (const term of ['coup', 'kiev', 'western', 'ouster', 'kyiv', 'nato']) expect(ours.get(term)).toBeCloseTo(tfidf.idf(term), 12);
  });
});

describe('the constructed test set (test/fixtures/stories)', () => {
  const splits = { tuning: loadStories('tuning'), heldOut: loadStories('held-out'), heldOut2: loadStories('held-out-2'), heldOut3: loadStories('held-out-3'), heldOut4: loadStories('held-out-4') };

  it('has at least 3 stories × 3 versions per split and at least 100 gold links, marked as constructed', () => {
    const all = [...splits.tuning, ...splits.heldOut, ...splits.heldOut2, ...splits.heldOut3, ...splits.heldOut4];
    expect(splits.tuning.length).toBeGreaterThanOrEqual(3);
    expect(splits.heldOut.length).toBeGreaterThanOrEqual(3);
    expect(splits.heldOut2.length).toBeGreaterThanOrEqual(3);
    expect(splits.heldOut3.length).toBeGreaterThanOrEqual(3);
    expect(splits.heldOut4.length).toBeGreaterThanOrEqual(3);
    expect(splits.heldOut4.reduce((n, s) => n + s.gold.length, 0)).toBeGreaterThanOrEqual(100);
    expect(all.reduce((n, s) => n + s.gold.length, 0)).toBeGreaterThanOrEqual(100);
    expect(splits.heldOut2.reduce((n, s) => n + s.gold.length, 0)).toBeGreaterThanOrEqual(80);
    for (const story of all) {
      expect(story.articles.length).toBeGreaterThanOrEqual(3);
      for (const a of story.articles) {
        expect(a.source).toMatch(/^Constructed Example /);
        expect(a.note).toMatch(/Constructed example/);
        expect(new URL(a.url).hostname).toBe('example.org');
      }
    }
  });

  it('still segments every article into the sentences the gold indexes point at', () => {
    for (const story of [...splits.tuning, ...splits.heldOut, ...splits.heldOut2, ...splits.heldOut3, ...splits.heldOut4]) {
      for (const a of story.articles) expect(a.sentences.length, `${story.name}/${a.id}`).toBe(story.expectedSentences[a.id]);
      const count = (id: string) => story.articles.find((a) => a.id === id)?.sentences.length ?? 0;
      for (const l of story.gold) {
        expect(l.a.sentence, story.name).toBeLessThan(count(l.a.article));
        expect(l.b.sentence, story.name).toBeLessThan(count(l.b.article));
      }
    }
  });

  // Floors at the figures measured when the third method (six tuning stories, the vicinity step)
  // was frozen: tuning 0.768, held-out 0.745 (P 0.833), held-out-2 0.632 (P 0.729), held-out-3
  // 0.598 (P 0.729), held-out-4 0.694 (P 0.739), scored once then; the target is 0.85,
  // not met. The second method (the same model fitted on the first three tuning stories) scored
  // 0.754 / 0.632 / 0.623 / 0.673 on the four held-out splits. bench prints the figures.
  it('keeps its link precision, recall and F1 on every split', () => {
    const score = (stories: typeof splits.tuning) => sumScores(stories.map((s) => scoreLinks(alignStory(s.articles), s.gold)));
    const tuning = score(splits.tuning);
    const heldOut = score(splits.heldOut);
    const heldOut2 = score(splits.heldOut2);
    const heldOut3 = score(splits.heldOut3);
    const heldOut4 = score(splits.heldOut4);
    expect(tuning.f1).toBeGreaterThanOrEqual(0.76);
    expect(heldOut.f1).toBeGreaterThanOrEqual(0.74);
    expect(heldOut.precision).toBeGreaterThanOrEqual(0.83);
    expect(heldOut2.f1).toBeGreaterThanOrEqual(0.63);
    expect(heldOut2.precision).toBeGreaterThanOrEqual(0.72);
    expect(heldOut3.f1).toBeGreaterThanOrEqual(0.59);
    expect(heldOut3.precision).toBeGreaterThanOrEqual(0.72);
    expect(heldOut4.f1).toBeGreaterThanOrEqual(0.69);
    expect(heldOut4.precision).toBeGreaterThanOrEqual(0.73);
  });

  it('ships the pair model fitted on the tuning stories, and only on them', () => {
    const fitted = fitPairModel(splits.tuning.flatMap((s) => labelledPairs(s.articles, s.gold)));
    for (const name of PAIR_FEATURES) expect(DEFAULT_ALIGN_OPTIONS.model.weights[name], name).toBeCloseTo(fitted.weights[name], 3);
    expect(DEFAULT_ALIGN_OPTIONS.model.intercept).toBeCloseTo(fitted.intercept, 3);
  });
});
