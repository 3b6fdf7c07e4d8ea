// Gold's export formats: provenance columns, the Le-Wi-Di soft labels, and the JSONL round trip.
import { describe, expect, it } from 'vitest';
import { tagRecords } from '../../../server/core/export/tags.js';
import { articleCandidates, sentenceCandidates } from '../../../server/core/curation/candidates.js';
import { emptyGold, type Gold } from '../../../server/core/curation/gold.js';
import { goldLayer } from '../../../server/core/curation/layer.js';
import { DEFAULT_MERGE_SETTINGS, mergeGold } from '../../../server/core/curation/merge.js';
import {
  acceptCandidate,
  addSpan,
  contestCandidate,
  editSpan,
  finishCuration,
  markSentenceCurated,
  rejectCandidate,
  removeSpan,
} from '../../../server/core/curation/operations.js';
import { PROVENANCE_COLUMNS, withProvenance, withProvenanceCsv } from '../../../server/core/curation/provenance.js';
import { leWiDiJson, sentenceItems, spanItems } from '../../../server/core/curation/soft-labels.js';
import { GoldImportError, goldLines, parseGoldJsonl } from '../../../server/core/curation/jsonl.js';
import { annotationOf, article, curator, idMaker, later, span, wordsOf } from './fixtures.js';

const n = article.sentences.length;
const sentence = (s: number) => article.sentences[s]!;
const annotations = [
  annotationOf('ann', [{ s: 0, first: 1, last: 2, category: 'loaded', intensity: 3 }, { s: 0, first: 3, last: 3, category: 'hedge' }, { s: 1, first: 5, last: 5, category: 'loaded' }]),
  annotationOf('ben', [{ s: 0, first: 1, last: 2, category: 'loaded', voice: 'quoted' }, { s: 0, first: 1, last: 2, category: 'emphasis' }, { s: 1, first: 5, last: 5, category: 'loaded' }]),
  annotationOf('cat', [{ s: 0, first: 3, last: 3, category: 'emphasis' }], [0, 2]),
];
const names: Record<string, string> = { ann: 'Ann', ben: 'Ben', cat: 'Cat', cur1: 'Curator One', cur2: 'Curator Two' };
const name = (id: string) => names[id] ?? id;
const idOf = (who: string) => Object.keys(names).find((id) => names[id] === who);

/** A gold with every status, a rejection, a removal, curated sentences and a finished mark. */
function richGold(): Gold {
  const gold = emptyGold(article.id);
  const newId = idMaker();
  mergeGold(gold, articleCandidates(annotations, n), DEFAULT_MERGE_SETTINGS, curator, newId); // loaded s0, loaded s1
  const c0 = sentenceCandidates(annotations, 0);
  contestCandidate(gold, c0, { sentence: 0, ...span(0, 3, 3), category: 'hedge' }, { categories: ['emphasis'], reason: 'hedge or emphasis?' }, later, newId());
  rejectCandidate(gold, c0, { sentence: 0, ...span(0, 1, 2), category: 'emphasis' }, curator);
  acceptCandidate(gold, c0, { sentence: 0, ...span(0, 1, 2), category: 'loaded' }, later, newId());
  addSpan(gold, 2, { ...span(2, 5, 6), category: 'loaded', voice: 'author', intensity: 2, note: 'a "disaster", said the critics' }, sentence(2), curator, newId());
  const added = addSpan(gold, 2, { ...span(2, 0, 0), category: 'hedge', voice: 'author', intensity: null, note: '' }, sentence(2), curator, newId());
  removeSpan(gold, added.id, later);
  const s1 = gold.spans.find((s) => s.sentence === 1)!;
  editSpan(gold, s1.id, { ...span(1, 4, 5), category: 'loaded', voice: 'paraphrase', intensity: 1, note: '' }, sentence(1), later);
  markSentenceCurated(gold, 0, n, curator);
  markSentenceCurated(gold, 2, n, later);
  return gold;
}

describe('provenance columns', () => {
  it('say who agreed, whether it is auto, who decided, and what competes', () => {
    const gold = richGold();
    const auto = emptyGold(article.id);
    mergeGold(auto, articleCandidates(annotations, n), DEFAULT_MERGE_SETTINGS, curator, idMaker('m'));
    finishCuration(gold, curator);
    const records = [...tagRecords('P', [article], () => [goldLayer(gold, n)], (id) => id)];
    const rows = [...withProvenance(records, [gold], name)];
    expect(rows.map((r) => [r.text, r.category, r.agreed_by, r.auto, r.curator, r.contested, r.competing_categories])).toEqual([
      ['brutal regime', 'loaded', ['Ann', 'Ben'], false, 'Curator Two', false, []],
      ['allegedly', 'hedge', ['Ann'], false, 'Curator Two', true, ['hedge', 'emphasis']],
      // Edited from "booming": who agreed on the candidate it came from is kept.
      ['is booming', 'loaded', ['Ann', 'Ben'], false, 'Curator Two', false, []],
      ['a disaster', 'loaded', [], false, 'Curator One', false, []],
    ]);
    const autoRows = [...withProvenanceCsv([...tagRecords('P', [article], () => [goldLayer(auto, n, { scope: 'all' })], (id) => id)], [auto], name)];
    expect(autoRows.map((r) => PROVENANCE_COLUMNS.map((c) => r[c]))).toEqual([
      ['Ann|Ben', 'true', '', 'false', ''],
      ['Ann|Ben', 'true', '', 'false', ''],
    ]);
  });
});

describe('soft labels (Le-Wi-Di)', () => {
  it('per span: every reviewer label at each place, shares of annotators, gold as the hard label where curated', () => {
    const gold = richGold();
    const items = [...spanItems([{ article, gold, sentences: articleCandidates(annotations, n) }], { name })];
    const first = items[0]!;
    // "brutal regime": Ann loaded; Ben loaded and emphasis (half each); Cat nothing.
    expect(first).toEqual({
      text: 'brutal regime',
      'annotation task': 'framing category of a span',
      'number of annotations': 4,
      annotations: 'loaded,emphasis,loaded,none',
      annotators: 'Ann,Ben,Ben,Cat',
      lang: 'en',
      hard_label: 'loaded',
      soft_label: { emphasis: 1 / 6, loaded: 1 / 3 + 1 / 6, none: 1 / 3 },
      split: 'train',
      other_info: {
        article: article.id,
        article_title: article.title,
        sentence: 1,
        ...span(0, 1, 2),
        context: 'The brutal regime allegedly crushed the peaceful protest.',
        gold: { category: 'loaded', status: 'accepted', contested: false, competing_categories: [] },
      },
    });
    // "allegedly" is contested in gold: the hard label is the majority (hedge 1, emphasis 1, none 1: first in order).
    expect(items[1]).toMatchObject({ text: 'allegedly', annotations: 'hedge,none,emphasis', hard_label: 'emphasis', other_info: { gold: { contested: true } } });
    // Sentence 2 ("a disaster") only gold has: every reviewer says none, gold says loaded.
    const disaster = items.find((i) => i.text === 'a disaster');
    expect(disaster).toMatchObject({ annotators: 'Cat', annotations: 'none', soft_label: { none: 1 }, hard_label: 'loaded' });
    // Sentence 1 is not curated: the majority decides.
    expect(items.find((i) => i.text === 'booming')).toMatchObject({ annotators: 'Ann,Ben', soft_label: { loaded: 1 }, hard_label: 'loaded', other_info: { gold: null } });
    for (const item of items) expect(Object.values(item.soft_label).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('per span under the overlap rule: overlapping boundaries are one place', () => {
    const overlapping = [annotationOf('ann', [{ s: 0, first: 1, last: 2, category: 'loaded' }]), annotationOf('ben', [{ s: 0, first: 2, last: 2, category: 'hedge' }])];
    const items = [...spanItems([{ article, gold: null, sentences: articleCandidates(overlapping, n, { overlap: 0.5, words: wordsOf }) }], { name })];
    expect(items.map((i) => [i.text, i.annotations])).toEqual([['brutal regime', 'loaded,hedge']]);
  });

  it('per sentence and category: 1 or 0 per reviewer, and one JSON object keyed 1, 2, …', () => {
    const gold = richGold();
    const items = [...sentenceItems([{ article, gold, annotations }], ['loaded', 'hedge'], { name, split: 'dev' })];
    expect(items.map((i) => [i.other_info.sentence, i.other_info.category, i.annotators, i.annotations, i.hard_label, i.soft_label])).toEqual([
      [1, 'loaded', 'Ann,Ben,Cat', '1,1,0', '1', { '0': 1 / 3, '1': 2 / 3 }],
      [1, 'hedge', 'Ann,Ben,Cat', '1,0,0', '0', { '0': 2 / 3, '1': 1 / 3 }],
      [2, 'loaded', 'Ann,Ben', '1,1', '1', { '1': 1 }],
      [2, 'hedge', 'Ann,Ben', '0,0', '0', { '0': 1 }],
      [3, 'loaded', 'Cat', '0', '1', { '0': 1 }],
      [3, 'hedge', 'Cat', '0', '0', { '0': 1 }],
    ]);
    // The contested hedge on sentence 1: gold "1", but the hard label is the majority.
    expect(items[1]?.other_info).toMatchObject({ gold: '1', contested: true });
    const parsed: unknown = JSON.parse([...leWiDiJson(items)].join(''));
    expect(Object.keys(parsed as object)).toEqual(['1', '2', '3', '4', '5', '6']);
    expect((parsed as Record<string, unknown>)['3']).toEqual(items[2]);
    expect(JSON.parse([...leWiDiJson([])].join(''))).toEqual({});
  });
});

describe('gold as JSON lines', () => {
  it('reads back exactly what was written: spans, provenance, rejections, curated sentences, history', () => {
    const gold = richGold();
    const other = emptyGold('art2');
    const second = { ...article, id: 'art2', title: 'Second' };
    finishCuration(other, curator);
    const text = [...goldLines('P', article, gold, { name }), ...goldLines('P', second, other, { name })].join('\n');
    const back = parseGoldJsonl(text, { articles: [article, second], idOf });
    expect(back).toEqual([gold, other]);
    // Lines carry the tag export's columns and the provenance columns.
    const span = JSON.parse(text.split('\n').find((l) => l.includes('"record":"span"'))!);
    expect(span).toMatchObject({ project: 'P', annotator: 'gold', sentence: 1, agreed_by: ['Ann', 'Ben'], auto: false });
  });

  it('refuses the whole file with the problems named', () => {
    const gold = richGold();
    const lines = [...goldLines('P', article, gold, { name })];
    const bad = [...lines];
    bad[1] = bad[1]!.replace('"text":"brutal regime"', '"text":"gentle regime"');
    bad.push('not json', JSON.stringify({ record: 'curated', article: article.id, article_title: '', sentence: 1, by: 'Nobody', at: '' }));
    expect(() => parseGoldJsonl(bad.join('\n'), { articles: [article], idOf })).toThrow(GoldImportError);
    try {
      parseGoldJsonl(bad.join('\n'), { articles: [article], idOf });
    } catch (error) {
      expect(String(error)).toMatch(/line 2: the text/);
      expect(String(error)).toMatch(/not JSON/);
      expect(String(error)).toMatch(/nobody is called "Nobody"/);
    }
    expect(() => parseGoldJsonl(lines.join('\n'), { articles: [], idOf })).toThrow(/no article/);
    expect(() => parseGoldJsonl('', { articles: [article], idOf })).toThrow(/no gold/);
    // Duplicate span ids are caught by the file schema.
    const twice = [...lines.slice(0, 2), lines[1]!].join('\n');
    expect(() => parseGoldJsonl(twice, { articles: [article], idOf })).toThrow(/unique/);
  });
});
