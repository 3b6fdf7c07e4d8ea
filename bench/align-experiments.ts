// Experiments for the third alignment method (issue 18): ideas beside the pair model's features,
// each judged by leave-one-story-out cross-validation on the TUNING stories only.
// `npx tsx bench/align-experiments.ts` prints, per feature set (SETS="base;merge;…"), the average
// precision of the out-of-fold ranking and F1 at each threshold. Other modes, by variable:
//   VICINITY=box (GAP, LOWS, HIGHS): two-threshold decoding, a weak pair between linked pairs;
//   FOREST="base;…": a random forest (ml-random-forest, installed outside the project in
//     /tmp/rfexp) instead of the logistic model;
//   DROP=feature: the model without one of its features; NAME, NUMBER, QUOTE: term weights;
//   DATA=1: the first three tuning stories against all six as training data;
//   ERRORS=1: the out-of-fold misses and false links;
//   HELDOUT=1: run once, after the method was frozen, for the README's table: each idea fitted on
//     the tuning stories and scored on the held-out splits. Nothing was chosen from it.
// Ideas: merge (one-to-many: one sentence against two adjacent ones merged), paragraph (cosine
// of the two sentences' paragraphs), box / onChain (MASSAlign-like boxes between confident
// anchors kept in order), path (a monotone dynamic-programming path), assoc (word pairs learnt
// from the story's own confident links).
import { DEFAULT_ALIGN_OPTIONS, pairFeatures, sentenceVectors, similarities } from '../server/core/stories/align.js';
import { linkKey } from '../server/core/stories/evaluate.js';
import { PAIR_FEATURES } from '../server/core/stories/pair-model.js';
import { loadStories, type FixtureStory } from '../test/helpers/stories.js';

const BASE = PAIR_FEATURES.length;
const DROP = (process.env.DROP ?? '').split(',');
const WEIGHTS = { ...DEFAULT_ALIGN_OPTIONS, name: Number(process.env.NAME ?? DEFAULT_ALIGN_OPTIONS.name), number: Number(process.env.NUMBER ?? DEFAULT_ALIGN_OPTIONS.number), quote: Number(process.env.QUOTE ?? DEFAULT_ALIGN_OPTIONS.quote) };

/** Extra features of one pair of articles, per cell. */
type Extra = Record<string, Float64Array>;

function paragraphOf(text: string, starts: number[]): number[] {
  return starts.map((s) => (text.slice(0, s).match(/\n\s*\n/g) ?? []).length);
}

function extras(story: FixtureStory, x: number, y: number, cos: Float64Array, rows: number, cols: number, tau: number): Extra {
  const v = sentenceVectors(story.articles, WEIGHTS).vectors;
  const a = v[x]!;
  const b = v[y]!;
  const aa = similarities(a, a);
  const bb = similarities(b, b);
  const C = (i: number, j: number) => (i >= 0 && j >= 0 && i < rows && j < cols ? cos[i * cols + j]! : 0);
  // 1. one-to-many: the cosine of one sentence with two adjacent sentences of the other, merged.
  const merge = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let best = 0;
      if (j + 1 < cols) best = Math.max(best, (C(i, j) + C(i, j + 1)) / Math.sqrt(2 + 2 * bb[j * cols + j + 1]!));
      if (j > 0) best = Math.max(best, (C(i, j) + C(i, j - 1)) / Math.sqrt(2 + 2 * bb[(j - 1) * cols + j]!));
      if (i + 1 < rows) best = Math.max(best, (C(i, j) + C(i + 1, j)) / Math.sqrt(2 + 2 * aa[i * rows + i + 1]!));
      if (i > 0) best = Math.max(best, (C(i, j) + C(i - 1, j)) / Math.sqrt(2 + 2 * aa[(i - 1) * rows + i]!));
      merge[i * cols + j] = Math.max(0, best - C(i, j));
    }
  }
  // 2. paragraphs: cosine of the two sentences' paragraphs (sums of unit sentence vectors).
  const pa = paragraphOf(story.articles[x]!.text, story.articles[x]!.sentences.map((r) => r.start));
  const pb = paragraphOf(story.articles[y]!.text, story.articles[y]!.sentences.map((r) => r.start));
  const np = Math.max(...pa) + 1;
  const nq = Math.max(...pb) + 1;
  const dot = new Float64Array(np * nq);
  const na = new Float64Array(np);
  const nb = new Float64Array(nq);
  for (let i = 0; i < rows; i++) for (let k = 0; k < rows; k++) if (pa[i] === pa[k]) na[pa[i]!]! += aa[i * rows + k]!;
  for (let j = 0; j < cols; j++) for (let k = 0; k < cols; k++) if (pb[j] === pb[k]) nb[pb[j]!]! += bb[j * cols + k]!;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) dot[pa[i]! * nq + pb[j]!]! += C(i, j);
  const paragraph = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const p = pa[i]!;
      const q = pb[j]!;
      const d = Math.sqrt(na[p]! * nb[q]!);
      paragraph[i * cols + j] = d > 0 ? dot[p * nq + q]! / d : 0;
    }
  }
  // 3. vicinity (MASSAlign-like): confident anchors (mutual best, cosine ≥ tau), the longest chain
  //    of them in order; a pair inside the box between two consecutive anchors gets 1 / box area.
  const rowBest = new Float64Array(rows);
  const colBest = new Float64Array(cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
    rowBest[i] = Math.max(rowBest[i]!, C(i, j));
    colBest[j] = Math.max(colBest[j]!, C(i, j));
  }
  const anchors: [number, number][] = [];
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) {
    const s = C(i, j);
    if (s >= tau && s === rowBest[i] && s === colBest[j]) anchors.push([i, j]);
  }
  // longest increasing chain (in i and j)
  const len = anchors.map(() => 1);
  const prev = anchors.map(() => -1);
  for (let k = 0; k < anchors.length; k++) for (let l = 0; l < k; l++) {
    if (anchors[l]![0] < anchors[k]![0] && anchors[l]![1] < anchors[k]![1] && len[l]! + 1 > len[k]!) {
      len[k] = len[l]! + 1;
      prev[k] = l;
    }
  }
  let end = -1;
  for (let k = 0; k < anchors.length; k++) if (end < 0 || len[k]! > len[end]!) end = k;
  const chain: [number, number][] = [];
  for (let k = end; k >= 0; k = prev[k]!) chain.unshift(anchors[k]!);
  const bounds: [number, number][] = [[-1, -1], ...chain, [rows, cols]];
  const box = new Float64Array(rows * cols);
  const onChain = new Float64Array(rows * cols);
  for (const [i, j] of chain) onChain[i * cols + j] = 1;
  for (let k = 0; k + 1 < bounds.length; k++) {
    const [i1, j1] = bounds[k]!;
    const [i2, j2] = bounds[k + 1]!;
    const h = i2 - i1 - 1;
    const w = j2 - j1 - 1;
    if (h <= 0 || w <= 0) continue;
    for (let i = i1 + 1; i < i2; i++) for (let j = j1 + 1; j < j2; j++) box[i * cols + j] = 1 / Math.max(h, w);
  }
  // 4. monotone dynamic programming over cosines: pairs on the best order-keeping path.
  const gap = 0.05;
  const score = new Float64Array((rows + 1) * (cols + 1));
  const W = cols + 1;
  for (let i = 1; i <= rows; i++) for (let j = 1; j <= cols; j++) {
    score[i * W + j] = Math.max(score[(i - 1) * W + j]!, score[i * W + j - 1]!, score[(i - 1) * W + j - 1]! + C(i - 1, j - 1) - gap);
  }
  const path = new Float64Array(rows * cols);
  for (let i = rows, j = cols; i > 0 && j > 0; ) {
    const s = score[i * W + j]!;
    if (s === score[(i - 1) * W + j - 1]! + C(i - 1, j - 1) - gap && C(i - 1, j - 1) > gap) {
      path[(i - 1) * cols + j - 1] = 1;
      i--;
      j--;
    } else if (s === score[(i - 1) * W + j]!) i--;
    else j--;
  }
  // 5. the box feature restricted to pairs with some overlap
  return { merge, paragraph, box, onChain, path };
}

interface Row {
  f: number[];
  linked: boolean;
}

/**
 * In-story word association (self-training): word pairs that co-occur, unshared, in the story's
 * confident links (mutual best, cosine ≥ tau) at least twice; a pair's feature is the share of
 * its unshared terms that such an association explains.
 */
function association(vectors: ReturnType<typeof sentenceVectors>, tau: number): (x: number, i: number, y: number, j: number) => number {
  const n = vectors.vectors.length;
  const co = new Map<string, number>();
  const seen = new Map<number, number>();
  const confident: [number, number, number, number][] = [];
  for (let x = 0; x < n; x++) for (let y = x + 1; y < n; y++) {
    const pf = pairFeatures(vectors, x, y);
    for (let c = 0; c < pf.rows * pf.columns; c++) {
      if (pf.values[c * BASE + 5] === 1 && pf.values[c * BASE]! >= tau) confident.push([x, Math.floor(c / pf.columns), y, c % pf.columns]);
    }
  }
  const terms = (x: number, i: number) => new Set(vectors.vectors[x]![i]!.terms);
  for (const [x, i, y, j] of confident) {
    const a = terms(x, i);
    const b = terms(y, j);
    for (const u of a) seen.set(u, (seen.get(u) ?? 0) + 1);
    for (const v of b) seen.set(v, (seen.get(v) ?? 0) + 1);
    for (const u of a) if (!b.has(u)) for (const v of b) if (!a.has(v)) {
      const k = u < v ? `${u} ${v}` : `${v} ${u}`;
      co.set(k, (co.get(k) ?? 0) + 1);
    }
  }
  const assoc = (u: number, v: number) => {
    const c = co.get(u < v ? `${u} ${v}` : `${v} ${u}`) ?? 0;
    return c >= 2 ? (2 * c) / ((seen.get(u) ?? 0) + (seen.get(v) ?? 0)) : 0;
  };
  return (x, i, y, j) => {
    const a = terms(x, i);
    const b = terms(y, j);
    let sum = 0;
    for (const u of a) if (!b.has(u)) for (const v of b) if (!a.has(v)) sum += assoc(u, v);
    return Math.min(3, sum);
  };
}

function storyRows(story: FixtureStory, extraNames: string[], tau: number): Row[] {
  const truth = new Set(story.gold.map(linkKey));
  const vectors = sentenceVectors(story.articles, WEIGHTS);
  const assoc = extraNames.includes('assoc') ? association(vectors, tau) : null;
  const rows: Row[] = [];
  for (let x = 0; x < story.articles.length; x++) {
    for (let y = x + 1; y < story.articles.length; y++) {
      const pf = pairFeatures(vectors, x, y);
      const cos = new Float64Array(pf.rows * pf.columns);
      for (let c = 0; c < cos.length; c++) cos[c] = pf.values[c * BASE]!;
      const ex = extras(story, x, y, cos, pf.rows, pf.columns, tau);
      for (let i = 0; i < pf.rows; i++) for (let j = 0; j < pf.columns; j++) {
        const c = i * pf.columns + j;
        const f = [...[...pf.values.subarray(c * BASE, c * BASE + BASE)].filter((_, k) => !DROP.includes(PAIR_FEATURES[k]!)), ...extraNames.map((n) => (n === 'assoc' ? assoc!(x, i, y, j) : ex[n]![c]!))];
        rows.push({ f, linked: truth.has(linkKey({ a: { article: story.articles[x]!.id, sentence: i }, b: { article: story.articles[y]!.id, sentence: j } })) });
      }
    }
  }
  return rows;
}

function fit(rows: Row[], l2 = 1): Float64Array {
  const d = rows[0]!.f.length + 1;
  const w = new Float64Array(d);
  for (let it = 0; it < 60; it++) {
    const g = new Float64Array(d);
    const H = Array.from({ length: d }, () => new Float64Array(d));
    for (const r of rows) {
      const x = [...r.f, 1];
      let z = 0;
      for (let k = 0; k < d; k++) z += w[k]! * x[k]!;
      const p = 1 / (1 + Math.exp(-z));
      const e = p - (r.linked ? 1 : 0);
      const c = p * (1 - p);
      for (let k = 0; k < d; k++) {
        g[k]! += e * x[k]!;
        for (let l = 0; l < d; l++) H[k]![l]! += c * x[k]! * x[l]!;
      }
    }
    for (let k = 0; k < d - 1; k++) {
      g[k]! += l2 * w[k]!;
      H[k]![k]! += l2;
    }
    const m = H.map((row, k) => [...row, g[k]!]);
    for (let c = 0; c < d; c++) {
      let p = c;
      for (let r = c + 1; r < d; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
      [m[c], m[p]] = [m[p]!, m[c]!];
      if (m[c]![c] === 0) continue;
      for (let r = 0; r < d; r++) {
        if (r === c) continue;
        const f = m[r]![c]! / m[c]![c]!;
        if (f !== 0) for (let k = c; k <= d; k++) m[r]![k]! -= f * m[c]![k]!;
      }
    }
    let big = 0;
    for (let k = 0; k < d; k++) {
      const s = m[k]![k] === 0 ? 0 : m[k]![d]! / m[k]![k]!;
      w[k]! -= s;
      big = Math.max(big, Math.abs(s));
    }
    if (big < 1e-10) break;
  }
  return w;
}

const prob = (w: Float64Array, f: number[]) => {
  let z = w[w.length - 1]!;
  for (let k = 0; k < f.length; k++) z += w[k]! * f[k]!;
  return 1 / (1 + Math.exp(-z));
};

const stories = loadStories('tuning');
const thresholds = [0.25, 0.3, 0.35, 0.4, 0.45, 0.5];
/** Average precision of the pairs ranked by probability, and F1 of the links at each threshold. */
function scored(all: { p: number; linked: boolean }[], at: number[]): string {
  const f1s = at.map((t) => {
    let tp = 0, fp = 0, fn = 0;
    for (const r of all) {
      if (r.p >= t) r.linked ? tp++ : fp++;
      else if (r.linked) fn++;
    }
    const P = tp / (tp + fp || 1);
    const R = tp / (tp + fn || 1);
    return (2 * P * R) / (P + R || 1);
  });
  const ranked = [...all].sort((a, b) => b.p - a.p);
  let hits = 0, sum = 0;
  ranked.forEach((r, i) => {
    if (r.linked) sum += ++hits / (i + 1);
  });
  return `AP ${(sum / hits).toFixed(3)}  F1@${at.join(',')} ${f1s.map((f) => f.toFixed(3)).join(' ')}`;
}

function evaluate(name: string, extraNames: string[], tau = 0.3) {
  const rows = stories.map((s) => storyRows(s, extraNames, tau));
  const oof = stories.map((_, k) => {
    const w = fit(rows.filter((_, q) => q !== k).flat());
    return rows[k]!.map((r) => ({ p: prob(w, r.f), linked: r.linked }));
  });
  console.log(`${name.padEnd(28)} ${scored(oof.flat(), thresholds)}`);
}

console.log(`leave-one-story-out on ${stories.length} tuning stories; F1 at thresholds ${thresholds.join(' ')}`);
const sets = (process.env.SETS ?? 'base;merge;paragraph;box;onChain;path;box,onChain;path,box;merge,paragraph,box,onChain,path').split(';');
for (const set of sets) evaluate(set, set === 'base' ? [] : set.split(','), Number(process.env.TAU ?? 0.3));

if (process.env.ERRORS) {
  const rows = stories.map((s) => storyRows(s, [], 0.3));
  stories.forEach((s, k) => {
    const w = fit(rows.filter((_, q) => q !== k).flat());
    let n = 0;
    const sentence = (a: number, i: number) => { const art = s.articles[a]!; const r = art.sentences[i]!; return art.text.slice(r.start, r.end); };
    for (let x = 0; x < s.articles.length; x++) for (let y = x + 1; y < s.articles.length; y++) {
      const cols = s.articles[y]!.sentences.length;
      for (let i = 0; i < s.articles[x]!.sentences.length; i++) for (let j = 0; j < cols; j++) {
        const r = rows[k]![n++]!;
        const p = prob(w, r.f);
        if ((p >= 0.45) !== r.linked) console.log(`${r.linked ? 'MISS' : 'FP  '} ${s.name} ${x}:${i} ${y}:${j} p ${p.toFixed(2)} cos ${r.f[0]!.toFixed(2)}\n   ${sentence(x, i)}\n   ${sentence(y, j)}`);
      }
    }
  });
}

if (process.env.FOREST) {
  const { createRequire } = await import('node:module');
  const require = createRequire('/tmp/rfexp/index.js');
  const { RandomForestClassifier } = require('ml-random-forest') as { RandomForestClassifier: new (o: object) => { train(x: number[][], y: number[]): void; predictionValues(x: number[][]): { rows: number; getRow(i: number): number[] } } };
  for (const set of (process.env.FOREST).split(';')) {
    const names = set === 'base' ? [] : set.split(',');
    const rows = stories.map((s) => storyRows(s, names, 0.3));
    const oof = stories.map((_, k) => {
      const train = rows.filter((_, q) => q !== k).flat();
      const rf = new RandomForestClassifier({ seed: 7, nEstimators: 100, maxFeatures: 0.6, replacement: true, useSampleBagging: true, noOOB: true, treeOptions: { maxDepth: Number(process.env.DEPTH ?? 6), minNumSamples: 5 } });
      rf.train(train.map((r) => r.f), train.map((r) => (r.linked ? 1 : 0)));
      const pv = rf.predictionValues(rows[k]!.map((r) => r.f));
      return rows[k]!.map((r, i) => ({ p: pv.getRow(i).reduce((a, b) => a + b, 0) / pv.getRow(i).length, linked: r.linked }));
    });
    console.log(`forest ${set.padEnd(21)} ${scored(oof.flat(), [0.2, ...thresholds])}`);
  }
}

if (process.env.VICINITY) {
  // Out-of-fold probabilities per article pair, then a two-threshold decode: links at or above
  // `high`, and links at or above `low` next to an accepted link on the diagonal (the sentence
  // before both, or after both), repeated until nothing changes (MASSAlign's vicinity search).
  const rows = stories.map((s) => storyRows(s, [], 0.3));
  const grids = stories.map((s, k) => {
    const w = fit(rows.filter((_, q) => q !== k).flat());
    let n = 0;
    const out: { rows: number; cols: number; p: number[]; gold: boolean[] }[] = [];
    for (let x = 0; x < s.articles.length; x++) for (let y = x + 1; y < s.articles.length; y++) {
      const R = s.articles[x]!.sentences.length;
      const Cc = s.articles[y]!.sentences.length;
      const p: number[] = [];
      const gold: boolean[] = [];
      for (let c = 0; c < R * Cc; c++) {
        const r = rows[k]![n++]!;
        p.push(prob(w, r.f));
        gold.push(r.linked);
      }
      out.push({ rows: R, cols: Cc, p, gold });
    }
    return out;
  });
  const mode = process.env.VICINITY;
  for (const high of (process.env.HIGHS ?? '0.35,0.45,0.55').split(',').map(Number)) {
    const line: string[] = [];
    for (const low of (process.env.LOWS ?? '0.05,0.1,0.15,0.2,0.25,0.3').split(',').map(Number)) {
      if (low >= high) continue;
      let tp = 0, fp = 0, fn = 0;
      for (const g of grids.flat()) {
        const on = g.p.map((p) => p >= high);
        for (let changed = true; changed; ) {
          changed = false;
          for (let i = 0; i < g.rows; i++) for (let j = 0; j < g.cols; j++) {
            const c = i * g.cols + j;
            if (on[c] || g.p[c]! < low) continue;
            const near = (a: number, b: number) => a >= 0 && b >= 0 && a < g.rows && b < g.cols && on[a * g.cols + b];
            const diagonal = near(i - 1, j - 1) || near(i + 1, j + 1);
            const K = Number(process.env.GAP ?? 1);
            let box = false;
            if (mode === 'box') {
              const empty = !process.env.EMPTY || (!Array.from({ length: g.cols }, (_, b) => on[i * g.cols + b]).some(Boolean) && !Array.from({ length: g.rows }, (_, a) => on[a * g.cols + j]).some(Boolean));
              outer: for (let i1 = i - 1; i1 >= Math.max(0, i - K); i1--) for (let j1 = j - 1; j1 >= Math.max(0, j - K); j1--) {
                if (!near(i1, j1)) continue;
                for (let i2 = i + 1; i2 <= i1 + K + 1; i2++) for (let j2 = j + 1; j2 <= j1 + K + 1; j2++) if (near(i2, j2)) { box = empty; break outer; }
              }
            }
            if (mode === 'box' ? box : diagonal) {
              on[c] = true;
              changed = true;
            }
          }
        }
        on.forEach((v, c) => {
          if (v) g.gold[c] ? tp++ : fp++;
          else if (g.gold[c]) fn++;
        });
      }
      const P = tp / (tp + fp || 1);
      const R = tp / (tp + fn || 1);
      line.push(`low ${low}: ${((2 * P * R) / (P + R || 1)).toFixed(3)} (P ${P.toFixed(2)} R ${R.toFixed(2)})`);
    }
    console.log(`high ${high}: ${line.join('; ')}`);
  }
}

if (process.env.DATA) {
  // More tuning data: each story scored by the model fitted on the original three tuning stories
  // (without itself) and by the model fitted on all other tuning stories.
  const original = ['dovrin-plant-fire', 'marenport-strike', 'valdoria-ouster'];
  const rows = stories.map((s) => storyRows(s, [], 0.3));
  const count = (w: Float64Array, k: number) => {
    let tp = 0, fp = 0, fn = 0;
    for (const r of rows[k]!) {
      if (prob(w, r.f) >= 0.45) r.linked ? tp++ : fp++;
      else if (r.linked) fn++;
    }
    return [tp, fp, fn];
  };
  const sum = (list: number[][]) => list.reduce((a, b) => a.map((v, i) => v + b[i]!), [0, 0, 0]);
  const f1 = ([tp, fp, fn]: number[]) => (2 * tp!) / (2 * tp! + fp! + fn!);
  const small = stories.map((s, k) => count(fit(rows.filter((_, q) => q !== k && original.includes(stories[q]!.name)).flat()), k));
  const large = stories.map((_, k) => count(fit(rows.filter((_, q) => q !== k).flat()), k));
  const pick = (list: number[][], o: boolean) => sum(list.filter((_, k) => original.includes(stories[k]!.name) === o));
  console.log(`original 3: fit on the other originals F1 ${f1(pick(small, true)).toFixed(3)}, on the other 5 ${f1(pick(large, true)).toFixed(3)}`);
  console.log(`new 3: fit on the 3 originals F1 ${f1(pick(small, false)).toFixed(3)}, on the other 5 ${f1(pick(large, false)).toFixed(3)}`);
}

if (process.env.HELDOUT) {
  // Run once, after the third method was frozen: what each idea gives on the held-out splits,
  // fitted on the tuning stories (all six, or the first three as the second method was), at the
  // shipped threshold, with and without the vicinity step. Nothing is chosen from this table.
  const { decodeLinks } = await import('../server/core/stories/align.js');
  const original = ['dovrin-plant-fire', 'marenport-strike', 'valdoria-ouster'];
  const splits = ['held-out', 'held-out-2', 'held-out-3', 'held-out-4'] as const;
  const heldOut = Object.fromEntries(splits.map((split) => [split, loadStories(split)]));
  const score = (w: Float64Array, names: string[], list: FixtureStory[], vicinity: number) => {
    let tp = 0, fp = 0, fn = 0;
    for (const s of list) {
      const rows = storyRows(s, names, 0.3);
      let n = 0;
      for (let x = 0; x < s.articles.length; x++) for (let y = x + 1; y < s.articles.length; y++) {
        const R = s.articles[x]!.sentences.length;
        const Cc = s.articles[y]!.sentences.length;
        const cells = rows.slice(n, n + R * Cc);
        n += R * Cc;
        const linked = decodeLinks(cells.map((r) => prob(w, r.f)), R, Cc, 0.45, vicinity);
        cells.forEach((r, c) => {
          if (linked[c]) r.linked ? tp++ : fp++;
          else if (r.linked) fn++;
        });
      }
    }
    const P = tp / (tp + fp || 1);
    const Rr = tp / (tp + fn || 1);
    return `${((2 * P * Rr) / (P + Rr || 1)).toFixed(3)} (${P.toFixed(2)}/${Rr.toFixed(2)})`;
  };
  console.log(`| idea | fitted on | vicinity | ${splits.join(' | ')} |`);
  for (const set of sets) {
    const names = set === 'base' ? [] : set.split(',');
    for (const [fitted, chosen] of [['6 tuning', stories], ['first 3', stories.filter((s) => original.includes(s.name))]] as const) {
      if (fitted === 'first 3' && set !== 'base') continue;
      const w = fit(chosen.flatMap((s) => storyRows(s, names, 0.3)));
      for (const vicinity of [1, 0.1]) console.log(`| ${set} | ${fitted} | ${vicinity === 1 ? 'off' : vicinity} | ${splits.map((split) => score(w, names, heldOut[split]!, vicinity)).join(' | ')} |`);
    }
  }
}
