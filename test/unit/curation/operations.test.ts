import { describe, expect, it } from 'vitest';
import { sentenceCandidates } from '../../../server/core/curation/candidates.js';
import { emptyGold, spanHistory, type Gold } from '../../../server/core/curation/gold.js';
import {
  acceptCandidate,
  addSpan,
  contestCandidate,
  editSpan,
  finishCuration,
  markContested,
  markSentenceCurated,
  rejectCandidate,
  removeSpan,
  reopenCuration,
  resolveContest,
  unmarkSentenceCurated,
} from '../../../server/core/curation/operations.js';
import { DEFAULT_MERGE_SETTINGS, mergeGold } from '../../../server/core/curation/merge.js';
import { articleCandidates } from '../../../server/core/curation/candidates.js';
import { goldFileOf, parseGoldFile } from '../../../server/core/curation/schema.js';
import { RuleError } from '../../../server/core/spans.js';
import { annotationOf, article, curator, idMaker, later, span } from './fixtures.js';

const annotations = [
  annotationOf('ann', [
    { s: 0, first: 1, last: 2, category: 'loaded', intensity: 3 },
    { s: 0, first: 3, last: 3, category: 'hedge' },
  ]),
  annotationOf('ben', [
    { s: 0, first: 1, last: 2, category: 'loaded', voice: 'quoted', intensity: 2 },
    { s: 0, first: 1, last: 2, category: 'emphasis' },
  ]),
  annotationOf('cat', [{ s: 0, first: 1, last: 2, category: 'loaded', intensity: 3 }], [1]),
];
const context = sentenceCandidates(annotations, 0);
const sentence0 = article.sentences[0]!;
const loadedKey = { sentence: 0, ...span(0, 1, 2), category: 'loaded' };
const hedgeKey = { sentence: 0, ...span(0, 3, 3), category: 'hedge' };

function fresh(): Gold {
  return emptyGold(article.id);
}

/** Every gold passes its own file schema after a JSON round trip, unchanged. */
function roundTrips(gold: Gold): void {
  expect(parseGoldFile(JSON.parse(JSON.stringify(goldFileOf(gold))))).toEqual(gold);
}

describe('accepting and rejecting candidates', () => {
  it('accept puts the candidate into gold with its provenance, and records it', () => {
    const gold = fresh();
    const s = acceptCandidate(gold, context, loadedKey, curator, 'g1');
    expect(s).toMatchObject({
      ...loadedKey,
      status: 'accepted',
      voice: 'author',
      intensity: 3,
      fromMerge: false,
      decidedBy: 'cur1',
      decidedAt: curator.at,
      reviewers: ['ann', 'ben', 'cat'],
      origin: { ...loadedKey, variants: [span(0, 1, 2)] },
    });
    // Who had it, with which categories: the other category at the same words is provenance too.
    expect(s.sources.map((x) => [x.annotatorId, x.category, x.voice, x.intensity])).toEqual([
      ['ann', 'loaded', 'author', 3],
      ['ben', 'emphasis', 'author', null],
      ['ben', 'loaded', 'quoted', 2],
      ['cat', 'loaded', 'author', 3],
    ]);
    expect(gold.history).toEqual([
      expect.objectContaining({ action: 'accept', by: 'cur1', at: curator.at, span: 'g1', sentence: 0, before: null, after: expect.objectContaining({ status: 'accepted' }) }),
    ]);
    expect(() => acceptCandidate(gold, context, loadedKey, later, 'g2')).toThrow(RuleError);
    roundTrips(gold);
  });

  it('accept confirms an auto span in place', () => {
    const gold = fresh();
    mergeGold(gold, articleCandidates(annotations, 3), DEFAULT_MERGE_SETTINGS, curator, idMaker());
    expect(gold.spans.map((s) => [s.category, s.status])).toEqual([['loaded', 'auto']]);
    const id = gold.spans[0]!.id;
    acceptCandidate(gold, context, loadedKey, later, 'unused');
    expect(gold.spans).toHaveLength(1);
    expect(gold.spans[0]).toMatchObject({ id, status: 'accepted', fromMerge: true, decidedBy: 'cur2' });
    expect(spanHistory(gold, id).map((e) => e.action)).toEqual(['merge-add', 'accept']);
  });

  it('reject records the candidate and takes any span of it out of gold', () => {
    const gold = fresh();
    acceptCandidate(gold, context, hedgeKey, curator, 'g1');
    rejectCandidate(gold, context, hedgeKey, later);
    expect(gold.spans).toEqual([]);
    expect(gold.rejections).toEqual([{ ...hedgeKey, variants: [span(0, 3, 3)], by: 'cur2', at: later.at }]);
    expect(gold.history.map((e) => [e.action, e.span])).toEqual([['accept', 'g1'], ['reject', 'g1']]);
    expect(gold.history[1]?.before).toMatchObject({ category: 'hedge', status: 'accepted' });
    // A rejected candidate accepted again: the curator changed their mind.
    acceptCandidate(gold, context, hedgeKey, later, 'g2');
    expect(gold.rejections).toEqual([]);
    roundTrips(gold);
  });

  it('reject of a candidate not in gold is recorded as such', () => {
    const gold = fresh();
    rejectCandidate(gold, context, hedgeKey, curator);
    expect(gold.history).toEqual([expect.objectContaining({ action: 'reject', span: null, candidate: hedgeKey })]);
  });

  it('a candidate nobody tagged any more is refused', () => {
    expect(() => acceptCandidate(fresh(), context, { ...hedgeKey, category: 'other' }, curator, 'g1')).toThrow(/No annotator/);
  });
});

describe('editing, adding, removing', () => {
  it('edit keeps provenance and records before and after; every change stays in the history', () => {
    const gold = fresh();
    acceptCandidate(gold, context, loadedKey, curator, 'g1');
    const wider = span(0, 0, 2);
    editSpan(gold, 'g1', { ...wider, category: 'loaded', voice: 'quoted', intensity: 2, note: 'includes the article' }, sentence0, later);
    editSpan(gold, 'g1', { ...wider, category: 'loaded', voice: 'quoted', intensity: 1, note: 'milder' }, sentence0, curator);
    const s = gold.spans[0]!;
    expect(s).toMatchObject({ status: 'edited', start: wider.start, voice: 'quoted', intensity: 1, note: 'milder', decidedBy: 'cur1' });
    expect(s.origin).toMatchObject(loadedKey);
    expect(s.sources).toHaveLength(4);
    const history = spanHistory(gold, 'g1');
    expect(history.map((e) => [e.action, e.by, e.before?.intensity ?? null, e.after?.intensity ?? null])).toEqual([
      ['accept', 'cur1', null, 3],
      ['edit', 'cur2', 3, 2],
      ['edit', 'cur1', 2, 1],
    ]);
    roundTrips(gold);
  });

  it('edit refuses a span outside its sentence or one gold already has, leaving gold unchanged', () => {
    const gold = fresh();
    acceptCandidate(gold, context, loadedKey, curator, 'g1');
    acceptCandidate(gold, context, hedgeKey, curator, 'g2');
    const before = structuredClone(gold);
    const outside = { start: sentence0.start, end: sentence0.end + 5 };
    expect(() => editSpan(gold, 'g2', { ...outside, category: 'hedge', voice: 'author', intensity: null, note: '' }, sentence0, later)).toThrow(RuleError);
    expect(() => editSpan(gold, 'g2', { ...span(0, 1, 2), category: 'loaded', voice: 'author', intensity: null, note: '' }, sentence0, later)).toThrow(/already has/);
    expect(() => editSpan(gold, 'nope', { ...span(0, 1, 2), category: 'x', voice: 'author', intensity: null, note: '' }, sentence0, later)).toThrow(/no longer exists/);
    expect(gold).toEqual(before);
  });

  it('add makes a span nobody tagged; remove records it so the merge never brings it back', () => {
    const gold = fresh();
    const s = addSpan(gold, 0, { ...span(0, 6, 7), category: 'loaded', voice: 'author', intensity: 2, note: 'missed by all' }, sentence0, curator, 'g1', context);
    expect(s).toMatchObject({ status: 'added', origin: null, sources: [], reviewers: ['ann', 'ben', 'cat'], decidedBy: 'cur1' });
    acceptCandidate(gold, context, loadedKey, curator, 'g2');
    removeSpan(gold, 'g2', later);
    expect(gold.spans.map((x) => x.id)).toEqual(['g1']);
    expect(gold.rejections.map((r) => r.category)).toEqual(['loaded']);
    mergeGold(gold, articleCandidates(annotations, 3), DEFAULT_MERGE_SETTINGS, later, idMaker('m'));
    expect(gold.spans.map((x) => x.id)).toEqual(['g1']);
    expect(gold.history.map((e) => e.action)).toEqual(['add', 'accept', 'remove']);
    roundTrips(gold);
  });
});

describe('contested spans', () => {
  it('keep the competing categories and a reason, and resolve back to a decision', () => {
    const gold = fresh();
    acceptCandidate(gold, context, loadedKey, curator, 'g1');
    const s = markContested(gold, 'g1', { categories: ['emphasis'], reason: 'loaded or emphasis: the codebook is unclear' }, later);
    expect(s).toMatchObject({
      status: 'contested',
      contest: { categories: ['loaded', 'emphasis'], reason: 'loaded or emphasis: the codebook is unclear', previous: 'accepted' },
    });
    roundTrips(gold);
    expect(() => resolveContest(gold, 'g1', 'hedge', curator)).toThrow(/competing/);
    resolveContest(gold, 'g1', 'emphasis', curator, 'emphasis after discussion');
    expect(gold.spans[0]).toMatchObject({ status: 'edited', category: 'emphasis', contest: null });
    expect(spanHistory(gold, 'g1').map((e) => [e.action, e.reason])).toEqual([
      ['accept', ''],
      ['contest', 'loaded or emphasis: the codebook is unclear'],
      ['resolve', 'emphasis after discussion'],
    ]);
    expect(() => resolveContest(gold, 'g1', 'loaded', curator)).toThrow(/not contested/);
  });

  it('resolving on the same category restores the status before the contest', () => {
    const gold = fresh();
    addSpan(gold, 0, { ...span(0, 6, 7), category: 'loaded', voice: 'author', intensity: null, note: '' }, sentence0, curator, 'g1');
    markContested(gold, 'g1', { categories: ['hedge'], reason: 'split' }, curator);
    resolveContest(gold, 'g1', 'hedge', curator);
    expect(gold.spans[0]?.status).toBe('added');
  });

  it('a candidate can be contested directly; fewer than two categories or no reason are refused', () => {
    const gold = fresh();
    expect(() => contestCandidate(gold, context, loadedKey, { categories: ['loaded'], reason: 'x' }, curator, 'g1')).toThrow(/two/);
    expect(() => contestCandidate(gold, context, loadedKey, { categories: ['emphasis'], reason: '  ' }, curator, 'g1')).toThrow(/why/);
    expect(gold).toEqual(fresh());
    const s = contestCandidate(gold, context, loadedKey, { categories: ['emphasis'], reason: 'two readings' }, curator, 'g1');
    expect(s).toMatchObject({ status: 'contested', origin: loadedKey, sources: expect.any(Array) });
    expect(gold.history).toHaveLength(1);
    // A contested span stays within its competing categories until resolved.
    expect(() => editSpan(gold, 'g1', { ...span(0, 1, 2), category: 'hedge', voice: 'author', intensity: null, note: '' }, article.sentences[0]!, curator)).toThrow(/contested/);
    roundTrips(gold);
  });
});

describe('sentences and the article', () => {
  it('curated sentences and finished curation are recorded with who and when', () => {
    const gold = fresh();
    markSentenceCurated(gold, 2, 3, curator);
    markSentenceCurated(gold, 0, 3, later);
    markSentenceCurated(gold, 0, 3, later); // already: no second event
    expect(gold.curated).toEqual([{ sentence: 0, by: 'cur2', at: later.at }, { sentence: 2, by: 'cur1', at: curator.at }]);
    unmarkSentenceCurated(gold, 2, 3, later);
    expect(gold.curated.map((c) => c.sentence)).toEqual([0]);
    expect(() => markSentenceCurated(gold, 3, 3, curator)).toThrow(RuleError);
    finishCuration(gold, curator);
    reopenCuration(gold, later);
    expect(gold.finished).toBeNull();
    expect(gold.history.map((e) => [e.action, e.sentence])).toEqual([
      ['curate', 2],
      ['curate', 0],
      ['uncurate', 2],
      ['finish', null],
      ['reopen', null],
    ]);
    expect(gold.updatedAt).toBe(later.at);
    roundTrips(gold);
  });

  it('the file schema refuses a contested span without its contest', () => {
    const gold = fresh();
    acceptCandidate(gold, context, loadedKey, curator, 'g1');
    const file = goldFileOf(gold);
    const broken = structuredClone(file);
    broken.data.spans[0]!.status = 'contested';
    expect(() => parseGoldFile(broken)).toThrow(/contest/);
    expect(() => parseGoldFile({ ...file, schemaVersion: 2 })).toThrow();
  });
});
