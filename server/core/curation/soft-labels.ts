// Soft labels for learning from disagreement, in the JSON shape of the SemEval-2023 Task 11
// Le-Wi-Di datasets: one JSON object whose keys are item ids ("1", "2", … in order) and whose
// values are items:
//   {
//     "text": "…",                       the item's text (see below)
//     "annotation task": "…",
//     "number of annotations": 3,        entries in "annotations"
//     "annotations": "loaded,none,hedge", comma-separated, in the order of "annotators"
//     "annotators": "ann,ben,cat",       comma-separated (names hold no comma)
//     "lang": "en",
//     "hard_label": "loaded",
//     "soft_label": { "loaded": 0.333…, "none": 0.333…, "hedge": 0.333… },  label → share of annotators, sums to 1
//     "split": "train",
//     "other_info": { … }                Framelens' own fields (below)
//   }
// The annotators of an item are the annotators who reviewed its sentence (tagged it or marked it
// reviewed), so "no tag" is a label and never-looked-at is absent.
//
// Two kinds of item:
// - per span ("annotation task": "framing category of a span"): a place in a sentence where some
//   reviewer tagged something, of any category (the same boundaries, or under the overlap rule
//   boundaries grouped as the merge groups them, candidates.ts), and every gold span in scope at a
//   place nobody tagged. "text" is the span's text; each reviewer's label is the category they gave
//   it, or "none". A reviewer who gave it k categories appears k times in "annotators" and
//   "annotations", each entry worth 1/k of them in "soft_label". other_info: article,
//   article_title, sentence (1-based), start, end (UTF-16 offsets into the article), context (the
//   sentence's text), gold (the gold span there: category, status, contested,
//   competing_categories; null if none or the sentence is not curated).
// - per sentence and category ("annotation task": "framing category <id> in a sentence"): every
//   reviewed sentence × every category; "text" is the sentence; labels "1" (tagged the category in
//   the sentence) or "0". other_info: article, article_title, sentence, category, gold ("1", "0",
//   or null when the sentence is not curated; a contested span counts as "1" for each of its
//   competing categories), contested (a contested gold span there names this category).
// hard_label: gold's label where the sentence is curated (a contested span's place: the majority);
// elsewhere the majority label; ties go to the label first in code-unit order ("0" before "1").
import type { Annotation, Article } from '../model.js';
import { overlapCredit, wordSpan, type WordSpan } from '../classroom/text.js';
import { compareText, groupBoundaries, type SentenceCandidates } from './candidates.js';
import type { Gold, GoldSpan } from './gold.js';
import { goldSentences, type GoldScope } from './layer.js';

export interface LeWiDiItem {
  text: string;
  'annotation task': string;
  'number of annotations': number;
  annotations: string;
  annotators: string;
  lang: string;
  hard_label: string;
  soft_label: Record<string, number>;
  split: string;
  other_info: Record<string, unknown>;
}

export const NO_TAG = 'none';

export interface SoftLabelInput {
  article: Article;
  gold: Gold | null;
  /** Candidates of every sentence (candidates.ts articleCandidates), from the annotators who count. */
  sentences: readonly SentenceCandidates[];
}

export interface SoftLabelOptions {
  name: (annotatorId: string) => string;
  scope?: GoldScope;
  lang?: string;
  split?: string;
}

function goldInfo(span: GoldSpan | null | undefined) {
  if (!span) return null;
  return { category: span.category, status: span.status, contested: span.status === 'contested', competing_categories: span.contest?.categories ?? [] };
}

/** Label → share, and the labels in order, from weighted votes. */
function distribution(votes: { label: string; weight: number }[], total: number): { soft: Record<string, number>; majority: string } {
  const shares = new Map<string, number>();
  for (const v of votes) shares.set(v.label, (shares.get(v.label) ?? 0) + v.weight / total);
  const labels = [...shares.keys()].sort(compareText);
  const soft: Record<string, number> = {};
  let majority = labels[0] ?? NO_TAG;
  for (const l of labels) {
    soft[l] = shares.get(l) ?? 0;
    if ((shares.get(l) ?? 0) > (shares.get(majority) ?? 0)) majority = l;
  }
  return { soft, majority };
}

/** A place in a sentence: its boundaries, each reviewer's categories there, the gold span that made it (if only gold has it). */
interface Place {
  start: number;
  end: number;
  words: WordSpan | null;
  labels: Map<string, Set<string>>;
  fromGold: GoldSpan | null;
}

/** One item per place a reviewer tagged (and per gold span nobody tagged), sentence by sentence. */
export function* spanItems(inputs: Iterable<SoftLabelInput>, options: SoftLabelOptions): Generator<LeWiDiItem> {
  for (const { article, gold, sentences } of inputs) {
    const inScope = new Set(gold ? goldSentences(gold, article.sentences.length, options.scope) : []);
    for (const context of sentences) {
      const s = context.sentence;
      const range = article.sentences[s];
      if (!range || context.reviewers.length === 0) continue;
      const golden = inScope.has(s) ? (gold?.spans.filter((g) => g.sentence === s) ?? []) : [];
      // Places: the reviewers' boundaries, any category, grouped as the merge groups them.
      const byBoundary = new Map<string, { start: number; end: number; words: WordSpan | null; annotators: Set<string>; categories: Map<string, Set<string>> }>();
      for (const t of context.tags) {
        const at = `${t.start}:${t.end}`;
        let b = byBoundary.get(at);
        if (!b) {
          b = { start: t.start, end: t.end, words: context.words ? wordSpan(context.words, t) : null, annotators: new Set(), categories: new Map() };
          byBoundary.set(at, b);
        }
        b.annotators.add(t.annotatorId);
        const cats = b.categories.get(t.annotatorId) ?? new Set<string>();
        cats.add(t.category);
        b.categories.set(t.annotatorId, cats);
      }
      const places = groupBoundaries([...byBoundary.values()], context.overlap).map((group) => {
        const head = group[0]!;
        const labels = new Map<string, Set<string>>();
        for (const b of group) for (const [who, cats] of b.categories) for (const c of cats) labels.set(who, (labels.get(who) ?? new Set()).add(c));
        const place: Place = { start: head.start, end: head.end, words: head.words, labels, fromGold: null };
        return place;
      });
      const matches = (place: { start: number; end: number; words: WordSpan | null }, g: GoldSpan) => {
        if (place.start === g.start && place.end === g.end) return true;
        if (context.overlap === null || !context.words || !place.words) return false;
        const w = wordSpan(context.words, g);
        return w !== null && overlapCredit(place.words, w) >= context.overlap;
      };
      for (const g of golden) {
        if (!places.some((p) => matches(p, g))) places.push({ start: g.start, end: g.end, words: null, labels: new Map(), fromGold: g });
      }
      places.sort((a, b) => a.start - b.start || a.end - b.end);
      for (const place of places) {
        const annotators: string[] = [];
        const annotations: string[] = [];
        const votes: { label: string; weight: number }[] = [];
        for (const who of context.reviewers) {
          const labels = [...(place.labels.get(who) ?? new Set([NO_TAG]))].sort(compareText);
          for (const label of labels) {
            annotators.push(options.name(who));
            annotations.push(label);
            votes.push({ label, weight: 1 / labels.length });
          }
        }
        const { soft, majority } = distribution(votes, context.reviewers.length);
        const here = place.fromGold ?? golden.find((g) => g.start === place.start && g.end === place.end && g.status !== 'contested') ?? golden.find((g) => matches(place, g));
        yield {
          text: article.text.slice(place.start, place.end),
          'annotation task': 'framing category of a span',
          'number of annotations': annotations.length,
          annotations: annotations.join(','),
          annotators: annotators.join(','),
          lang: options.lang ?? 'en',
          hard_label: here && here.status !== 'contested' ? here.category : majority,
          soft_label: soft,
          split: options.split ?? 'train',
          other_info: {
            article: article.id,
            article_title: article.title,
            sentence: s + 1,
            start: place.start,
            end: place.end,
            context: article.text.slice(range.start, range.end),
            gold: goldInfo(here),
          },
        };
      }
    }
  }
}

/** One item per reviewed sentence and category: who tagged the category in the sentence. */
export function* sentenceItems(
  inputs: Iterable<{ article: Article; gold: Gold | null; annotations: readonly Annotation[] }>,
  categories: readonly string[],
  options: SoftLabelOptions,
): Generator<LeWiDiItem> {
  for (const { article, gold, annotations } of inputs) {
    const inScope = new Set(gold ? goldSentences(gold, article.sentences.length, options.scope) : []);
    const ordered = [...annotations].sort((a, b) => compareText(a.annotatorId, b.annotatorId));
    const reviewedBy = ordered.map((a) => new Set([...a.reviewed, ...a.tags.map((t) => t.sentence)]));
    const taggedBy = ordered.map((a) => new Set(a.tags.map((t) => `${t.sentence}:${t.category}`)));
    for (let s = 0; s < article.sentences.length; s++) {
      const range = article.sentences[s]!;
      const reviewers = ordered.filter((_, k) => reviewedBy[k]!.has(s));
      if (reviewers.length === 0) continue;
      const spans = inScope.has(s) ? (gold?.spans.filter((g) => g.sentence === s) ?? []) : null;
      for (const category of categories) {
        const labels = ordered.map((_, k) => (taggedBy[k]!.has(`${s}:${category}`) ? '1' : '0')).filter((_, k) => reviewedBy[k]!.has(s));
        const { soft, majority } = distribution(labels.map((label) => ({ label, weight: 1 })), labels.length);
        const contested = spans?.some((g) => g.status === 'contested' && (g.contest?.categories.includes(category) ?? false)) ?? false;
        const goldLabel =
          spans === null ? null : spans.some((g) => g.category === category || (g.contest?.categories.includes(category) ?? false)) ? '1' : '0';
        yield {
          text: article.text.slice(range.start, range.end),
          'annotation task': `framing category ${category} in a sentence`,
          'number of annotations': labels.length,
          annotations: labels.join(','),
          annotators: reviewers.map((a) => options.name(a.annotatorId)).join(','),
          lang: options.lang ?? 'en',
          hard_label: goldLabel !== null && !contested ? goldLabel : majority,
          soft_label: soft,
          split: options.split ?? 'train',
          other_info: { article: article.id, article_title: article.title, sentence: s + 1, category, gold: goldLabel, contested },
        };
      }
    }
  }
}

/** The items as one JSON object keyed "1", "2", …, in pieces (a large project never sits in memory as one string). */
export function* leWiDiJson(items: Iterable<LeWiDiItem>): Generator<string> {
  let n = 0;
  yield '{';
  for (const item of items) {
    yield `${n === 0 ? '\n' : ',\n'}${JSON.stringify(String(++n))}: ${JSON.stringify(item)}`;
  }
  yield n === 0 ? '}\n' : '\n}\n';
}
