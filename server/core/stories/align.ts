// Sentence alignment across the articles of a story: which sentences of two outlets tell the
// same fact, claim or quotation. One-to-one, one-to-many and unmatched sentences are allowed,
// and every link carries a score.
//
// Method: a TF-IDF aligner, the strongest simple method for comparable monolingual text
// (Nelken & Shieber, EACL 2006, found sentence-level TF*IDF as good as Barzilay & Elhadad's
// 2003 aligner and added context; Buck & Koehn, WMT 2016, found greedy best-first matching
// better in practice than optimal bipartite matching).
// 1. Each sentence is a vector of Porter stems, numbers, names and quoted words (features.ts),
//    weighted by IDF over the story's sentences, each sentence one document, so that what every
//    outlet repeats ("Danek", "Valdoria") counts less than what pins one fact ("112", "Liberty").
// 2. For every pair of articles, the cosine of every pair of sentences, adjusted: less a penalty
//    for their distance in relative position (outlets reorder, but mostly keep the lead first),
//    plus a share of their diagonal neighbours' cosines (a run told in the same order).
// 3. Best-first, each pair above `threshold` whose sentences are both still free is linked
//    (one-to-one). Then, best-first again, a pair above `extraThreshold` links a free sentence
//    to one already linked, as long as no sentence ends up on both sides of a one-to-many:
//    that is how a sentence split in two by another outlet gets both halves.
// 4. With three or more articles, A–C is also linked when A–B and B–C are and A–C's cosine
//    reaches `triangleThreshold`: what two outlets share through a third is rarely a chance.
// Weights and thresholds were chosen on the tuning stories of test/fixtures/stories only
// (bench/align-tuning.ts prints the grid); the held-out stories are only scored.
import type { AlignArticle, FeatureWeights, Terms } from './features.js';
import { lowerCaseWords, sentenceTerms, tokens } from './features.js';
import { inverseDocumentFrequencies } from '../../nlp/tokenizers.js';

export interface SentenceRef {
  article: string;
  /** 0-based index into the article's sentences. */
  sentence: number;
}

export interface Link {
  /** The sentence of the article that comes first in the story's order. */
  a: SentenceRef;
  b: SentenceRef;
  /** Cosine similarity of the two sentences' weighted terms, 0–1. */
  score: number;
}

export interface AlignOptions extends FeatureWeights {
  /** Minimum score, less the position penalty, for a one-to-one link. */
  threshold: number;
  /** Minimum score, less the position penalty, for a further link of an already linked sentence. */
  extraThreshold: number;
  /** Penalty per unit of distance in relative position (0 at the same place, 1 from first to last). */
  positionPenalty: number;
  /** Weight of the neighbours' similarity (the sentences before and after, on the diagonal). */
  context: number;
  /** Minimum score to close a triangle: A–B and B–C linked, A–C as similar as this (3 or more articles). */
  triangleThreshold: number;
}

/** Chosen on the tuning stories only (see the file comment). */
export const DEFAULT_ALIGN_OPTIONS: AlignOptions = {
  number: 2,
  name: 1.5,
  quote: 1.5,
  quotePair: 1,
  threshold: 0.1,
  extraThreshold: 0.3,
  positionPenalty: 0.2,
  context: 0.25,
  triangleThreshold: 0.15,
};

/** A sentence's weighted terms as parallel arrays, unit length. */
interface Vector {
  terms: Int32Array;
  values: Float64Array;
}

/** The unit vectors of every sentence of every article, IDF computed over all the story's sentences. */
export function sentenceVectors(articles: readonly AlignArticle[], weights: FeatureWeights): Vector[][] {
  const tokenized = articles.map((a) => a.sentences.map((range) => tokens(a.text, range)));
  const lowerCase = lowerCaseWords(tokenized.flat());
  const terms: Terms[][] = tokenized.map((sentences) => sentences.map((t) => sentenceTerms(t, lowerCase, weights)));
  const idf = inverseDocumentFrequencies(terms.flat().map((t) => [...t.keys()]));
  const ids = new Map<string, number>();
  return terms.map((sentences) =>
    sentences.map((t) => {
      const entries = [...t].map(([term, weight]): [number, number] => {
        let id = ids.get(term);
        if (id === undefined) ids.set(term, (id = ids.size));
        return [id, weight * (idf.get(term) ?? 1)];
      });
      const norm = Math.hypot(...entries.map(([, v]) => v)) || 1;
      return { terms: Int32Array.from(entries, ([id]) => id), values: Float64Array.from(entries, ([, v]) => v / norm) };
    }),
  );
}

/** Cosine of every sentence of `a` with every sentence of `b`, row-major (`a.length × b.length`). */
export function similarities(a: readonly Vector[], b: readonly Vector[]): Float64Array {
  const postings = new Map<number, { sentence: number; value: number }[]>();
  b.forEach((v, j) => {
    for (let k = 0; k < v.terms.length; k++) {
      const term = v.terms[k]!;
      let list = postings.get(term);
      if (!list) postings.set(term, (list = []));
      list.push({ sentence: j, value: v.values[k]! });
    }
  });
  const out = new Float64Array(a.length * b.length);
  a.forEach((v, i) => {
    for (let k = 0; k < v.terms.length; k++) {
      for (const p of postings.get(v.terms[k]!) ?? []) out[i * b.length + p.sentence]! += v.values[k]! * p.value;
    }
  });
  return out;
}

/** The links between two articles' sentences, from their similarity matrix (see the file comment). */
export function alignPair(scores: Float64Array, rows: number, columns: number, options: AlignOptions): { i: number; j: number; score: number }[] {
  const candidates: { i: number; j: number; score: number; adjusted: number }[] = [];
  const floor = Math.min(options.threshold, options.extraThreshold);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) {
      const score = scores[i * columns + j]!;
      const distance = Math.abs((i + 0.5) / rows - (j + 0.5) / columns);
      const before = i > 0 && j > 0 ? scores[(i - 1) * columns + j - 1]! : 0;
      const after = i + 1 < rows && j + 1 < columns ? scores[(i + 1) * columns + j + 1]! : 0;
      const adjusted = score - options.positionPenalty * distance + (options.context * (before + after)) / 2;
      if (adjusted >= floor && score > 0) candidates.push({ i, j, score, adjusted });
    }
  }
  // Best first; ties by position, so that the result does not depend on the sort's stability.
  candidates.sort((x, y) => y.adjusted - x.adjusted || x.i - y.i || x.j - y.j);
  const partnersOfRow: number[][] = Array.from({ length: rows }, () => []);
  const partnersOfColumn: number[][] = Array.from({ length: columns }, () => []);
  const links: { i: number; j: number; score: number }[] = [];
  const link = (c: { i: number; j: number; score: number }) => {
    links.push({ i: c.i, j: c.j, score: c.score });
    partnersOfRow[c.i]!.push(c.j);
    partnersOfColumn[c.j]!.push(c.i);
  };
  for (const c of candidates) {
    if (c.adjusted >= options.threshold && partnersOfRow[c.i]!.length === 0 && partnersOfColumn[c.j]!.length === 0) link(c);
  }
  for (const c of candidates) {
    if (c.adjusted < options.extraThreshold) break;
    const rowPartners = partnersOfRow[c.i]!;
    const columnPartners = partnersOfColumn[c.j]!;
    if (rowPartners.length === 0 && columnPartners.length > 0) {
      // Row i joins column j's group: j must not itself be one of the "many" of another row.
      if (columnPartners.every((r) => partnersOfRow[r]!.length === 1)) link(c);
    } else if (columnPartners.length === 0 && rowPartners.length > 0) {
      if (rowPartners.every((col) => partnersOfColumn[col]!.length === 1)) link(c);
    }
  }
  return links.sort((x, y) => x.i - y.i || x.j - y.j);
}

/** Aligns every pair of the story's articles; links run from the earlier article to the later. */
export function alignStory(articles: readonly AlignArticle[], options: AlignOptions = DEFAULT_ALIGN_OPTIONS): Link[] {
  const vectors = sentenceVectors(articles, options);
  // Sentences as numbers for the triangle step: article x's sentence i is first[x] + i.
  const first: number[] = [];
  let total = 0;
  for (const v of vectors) {
    first.push(total);
    total += v.length;
  }
  const neighbours: Set<number>[] = Array.from({ length: total }, () => new Set());
  const matrices: Float64Array[][] = [];
  const links: Link[] = [];
  for (let x = 0; x < articles.length; x++) {
    matrices.push([]);
    for (let y = x + 1; y < articles.length; y++) {
      const a = vectors[x]!;
      const b = vectors[y]!;
      const m = similarities(a, b);
      matrices[x]![y] = m;
      for (const { i, j, score } of alignPair(m, a.length, b.length, options)) {
        links.push({ a: { article: articles[x]!.id, sentence: i }, b: { article: articles[y]!.id, sentence: j }, score });
        neighbours[first[x]! + i]!.add(first[y]! + j);
        neighbours[first[y]! + j]!.add(first[x]! + i);
      }
    }
  }
  if (options.triangleThreshold < 1 && articles.length > 2) {
    const extra: Link[] = [];
    for (let x = 0; x < articles.length; x++) {
      for (let z = x + 1; z < articles.length; z++) {
        const m = matrices[x]![z]!;
        const columns = vectors[z]!.length;
        for (let i = 0; i < vectors[x]!.length; i++) {
          const around = neighbours[first[x]! + i]!;
          if (around.size === 0) continue;
          for (let k = 0; k < columns; k++) {
            const score = m[i * columns + k]!;
            if (score < options.triangleThreshold) continue;
            const other = neighbours[first[z]! + k]!;
            if (other.has(first[x]! + i)) continue;
            let closed = false;
            for (const n of around) if (other.has(n)) closed = true;
            if (closed) extra.push({ a: { article: articles[x]!.id, sentence: i }, b: { article: articles[z]!.id, sentence: k }, score });
          }
        }
      }
    }
    links.push(...extra);
  }
  return links;
}

/** The score of any pair of the story's sentences (for links a researcher adds by hand). */
export function pairScorer(articles: readonly AlignArticle[], options: AlignOptions = DEFAULT_ALIGN_OPTIONS): (a: SentenceRef, b: SentenceRef) => number {
  const vectors = sentenceVectors(articles, options);
  const index = new Map(articles.map((a, i) => [a.id, i]));
  const vector = (r: SentenceRef) => vectors[index.get(r.article) ?? -1]?.[r.sentence];
  return (a, b) => {
    const x = vector(a);
    const y = vector(b);
    if (!x || !y) return 0;
    const values = new Map<number, number>();
    for (let k = 0; k < y.terms.length; k++) values.set(y.terms[k]!, y.values[k]!);
    let dot = 0;
    for (let k = 0; k < x.terms.length; k++) dot += x.values[k]! * (values.get(x.terms[k]!) ?? 0);
    return dot;
  };
}
