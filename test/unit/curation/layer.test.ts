import { describe, expect, it } from 'vitest';
import type { Category } from '../../../server/core/model.js';
import { words } from '../../../server/core/segmentation.js';
import { makeStudy } from '../../../server/core/study/units.js';
import { studyAgreement } from '../../../server/core/study/agreement.js';
import { bratAnn } from '../../../server/core/export/brat.js';
import { tagRecords } from '../../../server/core/export/tags.js';
import { GOLD_ANNOTATOR, emptyGold } from '../../../server/core/curation/gold.js';
import { goldLayer, withGold } from '../../../server/core/curation/layer.js';
import { addSpan, finishCuration, markContested, markSentenceCurated } from '../../../server/core/curation/operations.js';
import { annotationOf, article, curator, span } from './fixtures.js';

const n = article.sentences.length;
const sentence = (s: number) => article.sentences[s]!;

function gold() {
  const g = emptyGold(article.id);
  addSpan(g, 0, { ...span(0, 1, 2), category: 'loaded', voice: 'quoted', intensity: 2, note: 'n' }, sentence(0), curator, 'g1');
  addSpan(g, 1, { ...span(1, 5, 5), category: 'loaded', voice: 'author', intensity: null, note: '' }, sentence(1), curator, 'g2');
  addSpan(g, 0, { ...span(0, 3, 3), category: 'hedge', voice: 'author', intensity: null, note: '' }, sentence(0), curator, 'g3');
  markContested(g, 'g3', { categories: ['loaded'], reason: 'unclear' }, curator);
  markSentenceCurated(g, 0, n, curator);
  return g;
}

describe('gold as an annotation layer', () => {
  it('holds the spans of the sentences gold speaks for, as tags of annotator "gold"', () => {
    const layer = goldLayer(gold(), n);
    expect(layer).toMatchObject({ articleId: article.id, annotatorId: GOLD_ANNOTATOR, reviewed: [0] });
    expect(layer.tags.map((t) => [t.id, t.category, t.voice, t.intensity, t.note])).toEqual([
      ['g1', 'loaded', 'quoted', 2, 'n'],
      ['g3', 'hedge', 'author', null, ''],
    ]);
    expect(goldLayer(gold(), n, { contested: 'exclude' }).tags.map((t) => t.id)).toEqual(['g1']);
    expect(goldLayer(gold(), n, { scope: 'all' }).reviewed).toEqual([0, 1, 2]);
    const finished = gold();
    finishCuration(finished, curator);
    expect(goldLayer(finished, n).tags.map((t) => t.id)).toEqual(['g1', 'g3', 'g2']);
  });

  it('goes through the existing exports like any annotator', () => {
    const layer = goldLayer(gold(), n);
    const records = [...tagRecords('P', [article], () => [layer], (id) => id)];
    expect(records.map((r) => [r.annotator, r.text, r.category])).toEqual([
      ['gold', 'brutal regime', 'loaded'],
      ['gold', 'allegedly', 'hedge'],
    ]);
    expect(bratAnn(article, layer)).toContain('T1\tloaded');
  });

  it('joins the agreement report as one more annotator', () => {
    const cats: Category[] = ['loaded', 'hedge'].map((id) => ({ id, name: id, definition: '', span: '', example: '', colour: '#336699', key: id[0]! }));
    // "same" tagged exactly what gold holds on the curated sentence; "other" did not.
    const annotations = [
      annotationOf('same', [{ s: 0, first: 1, last: 2, category: 'loaded' }, { s: 0, first: 3, last: 3, category: 'hedge' }], [0]),
      annotationOf('other', [{ s: 0, first: 6, last: 7, category: 'loaded' }], [0]),
    ];
    const all = withGold(annotations, [gold()], () => n);
    const report = studyAgreement(makeStudy([article], all), cats, { words: (a, r) => words(a.text, r), resamples: 20 });
    expect(report.annotators).toEqual(['gold', 'other', 'same']);
    const pair = (a: string, b: string) => report.pairs.find((p) => p.a === a && p.b === b);
    expect(pair('gold', 'same')?.f1.value).toBe(1);
    expect(pair('gold', 'same')?.kappa.value ?? 1).toBe(1);
    expect(pair('gold', 'other')?.f1.value).toBe(0);
    // Nothing curated: no gold layer at all.
    expect(withGold(annotations, [emptyGold(article.id)], () => n)).toEqual(annotations);
  });
});
