// A small article and annotators' work on it for the curation tests, with word indexes spelled out.
import type { Annotation, Article, Intensity, Range, Tag, Voice } from '../../../server/core/model.js';
import { segment, words } from '../../../server/core/segmentation.js';
import type { Actor } from '../../../server/core/curation/gold.js';

//   sentence 0: The(0) brutal(1) regime(2) allegedly(3) crushed(4) the(5) peaceful(6) protest(7).
//   sentence 1: Officials(0) said(1) the(2) economy(3) is(4) booming(5).
//   sentence 2: Critics(0) say(1) the(2) reform(3) is(4) a(5) disaster(6).
export const TEXT =
  'The brutal regime allegedly crushed the peaceful protest. Officials said the economy is booming. Critics say the reform is a disaster.';

export function makeArticle(id = 'art1', text = TEXT): Article {
  return { id, projectId: 'p1', title: `Article ${id}`, source: 'Wire', url: '', publishedAt: '', text, sentences: segment(text), createdAt: '2025-01-01T00:00:00.000Z', createdBy: 'res1' };
}

export const article = makeArticle();
export const sentenceWords: Range[][] = article.sentences.map((r) => words(article.text, r));
export const wordsOf = (s: number): Range[] => sentenceWords[s] ?? [];

/** The offsets of words `first`–`last` (inclusive) of sentence `s`. */
export function span(s: number, first: number, last: number, of: Article = article): Range {
  const ws = of === article ? wordsOf(s) : words(of.text, of.sentences[s] ?? { start: 0, end: 0 });
  const a = ws[first];
  const b = ws[last];
  if (!a || !b) throw new Error(`no words ${first}–${last} in sentence ${s}`);
  return { start: a.start, end: b.end };
}

let serial = 0;

export interface TagSpec {
  s: number;
  first: number;
  last: number;
  category: string;
  voice?: Voice;
  intensity?: Intensity | null;
}

export function tagOf(annotatorId: string, spec: TagSpec, of: Article = article): Tag {
  const { start, end } = span(spec.s, spec.first, spec.last, of);
  return {
    id: `t${++serial}`,
    articleId: of.id,
    annotatorId,
    sentence: spec.s,
    start,
    end,
    category: spec.category,
    voice: spec.voice ?? 'author',
    intensity: spec.intensity ?? null,
    note: '',
    createdAt: '2025-01-02T00:00:00.000Z',
    updatedAt: '2025-01-02T00:00:00.000Z',
  };
}

export function annotationOf(annotatorId: string, specs: TagSpec[], reviewed: number[] = [], of: Article = article): Annotation {
  return { articleId: of.id, annotatorId, reviewed, tags: specs.map((s) => tagOf(annotatorId, s, of)), updatedAt: '2025-01-02T00:00:00.000Z' };
}

export const curator: Actor = { by: 'cur1', at: '2025-02-01T10:00:00.000Z' };
export const later: Actor = { by: 'cur2', at: '2025-02-02T10:00:00.000Z' };

/** Fresh ids g1, g2, … */
export function idMaker(prefix = 'g'): () => string {
  let n = 0;
  return () => `${prefix}${++n}`;
}
