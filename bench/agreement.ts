// Agreement report benchmark: the full report (every category, every level) for 50 annotators
// × 1,000 articles × 30 sentences, and again at twice the articles. Targets: under 5 s at the
// single size, and linear growth (twice the units, at most 2.2 × the time). Baseline beside it,
// measured in the same run: one Krippendorff's α over one category's sentence matrix.
import { pathToFileURL } from 'node:url';
import type { Annotation, Article, Tag } from '../server/core/model.js';
import { segment, words } from '../server/core/segmentation.js';
import { categories } from '../server/core/codebook.js';
import { krippendorffAlpha } from '../server/core/agreement/index.js';
import { makeStudy, sentenceMatrix } from '../server/core/study/units.js';
import { studyAgreement } from '../server/core/study/agreement.js';
import { loadShippedCodebooks } from '../server/storage/shipped-codebooks.js';
import { articleText, int, rng, type Random } from './news.js';

const ANNOTATORS = 50;
const SENTENCES = 30;
const ARTICLES = 1000;

interface Truth { sentence: number; first: number; last: number; category: string }

/** Annotators who mostly agree: each true span is tagged with some jitter, confusion and misses. */
function generate(r: Random, articleCount: number, categoryIds: string[]) {
  const articles: Article[] = [];
  const annotations: Annotation[] = [];
  for (let a = 0; a < articleCount; a++) {
    const text = articleText(r, SENTENCES);
    const sentences = segment(text);
    const article: Article = { id: `a${a}`, projectId: 'p', title: `Article ${a}`, source: '', url: '', publishedAt: '', text, sentences, createdAt: '', createdBy: 'x' };
    articles.push(article);
    const wordsOf = sentences.map((range) => words(text, range));
    const truths: Truth[] = Array.from({ length: 8 }, () => {
      const sentence = int(r, 0, sentences.length - 1);
      const n = wordsOf[sentence]?.length ?? 1;
      const first = int(r, 0, Math.max(0, n - 3));
      return { sentence, first, last: Math.min(n - 1, first + int(r, 0, 2)), category: categoryIds[int(r, 0, categoryIds.length - 1)] ?? 'hedge' };
    });
    for (let k = 0; k < ANNOTATORS; k++) {
      const tags: Tag[] = [];
      const add = (t: Truth) => {
        const w = wordsOf[t.sentence] ?? [];
        const from = Math.max(0, Math.min(w.length - 1, t.first));
        const first = w[from];
        const last = w[Math.max(from, Math.min(w.length - 1, t.last))];
        if (!first || !last || tags.some((x) => x.start === first.start && x.end === last.end && x.category === t.category)) return;
        tags.push({ id: `t${tags.length}`, articleId: article.id, annotatorId: `u${k}`, sentence: t.sentence, start: first.start, end: last.end, category: t.category, voice: 'author', intensity: null, note: '', createdAt: '', updatedAt: '' });
      };
      for (const t of truths) {
        if (r() > 0.6) continue;
        const jitter = r() < 0.3 ? int(r, -1, 1) : 0;
        add({ ...t, last: t.last + jitter, category: r() < 0.15 ? (categoryIds[int(r, 0, categoryIds.length - 1)] ?? t.category) : t.category });
      }
      for (let extra = 0; extra < 2; extra++) {
        const sentence = int(r, 0, sentences.length - 1);
        const first = int(r, 0, Math.max(0, (wordsOf[sentence]?.length ?? 1) - 1));
        add({ sentence, first, last: first, category: categoryIds[int(r, 0, categoryIds.length - 1)] ?? 'hedge' });
      }
      annotations.push({ articleId: article.id, annotatorId: `u${k}`, reviewed: sentences.map((_, i) => i), tags, updatedAt: '' });
    }
  }
  return { articles, annotations };
}

export interface AgreementFigures {
  singleSeconds: number;
  doubleSeconds: number;
  baselineSeconds: number;
  units: number;
  tags: number;
}

export async function agreementBench(log: (...args: unknown[]) => void = console.log): Promise<AgreementFigures> {
  const codebook = (await loadShippedCodebooks()).find((c) => c.id === 'framing');
  if (!codebook) throw new Error('framing codebook missing');
  const cats = categories(codebook);
  const ids = cats.map((c) => c.id);
  const r = rng(20261129);
  log(`agreement: generating ${ANNOTATORS} annotators × ${2 * ARTICLES} articles × ${SENTENCES} sentences…`);
  const all = generate(r, 2 * ARTICLES, ids);
  const half = all.articles.slice(0, ARTICLES);
  const halfIds = new Set(half.map((a) => a.id));
  const single = makeStudy(half, all.annotations.filter((a) => halfIds.has(a.articleId)));
  const double = makeStudy(all.articles, all.annotations);
  const options = { words: (a: Article, range: { start: number; end: number }) => words(a.text, range) };
  const time = (f: () => unknown) => {
    globalThis.gc?.();
    const t0 = performance.now();
    f();
    return (performance.now() - t0) / 1000;
  };
  const baselineSeconds = time(() => krippendorffAlpha({ coders: single.annotators, units: sentenceMatrix(single, ids[0] ?? null).values }));
  const singleSeconds = time(() => studyAgreement(single, cats, options));
  const doubleSeconds = time(() => studyAgreement(double, cats, options));
  const units = half.reduce((n, a) => n + a.sentences.length, 0);
  const tags = all.annotations.filter((a) => halfIds.has(a.articleId)).reduce((n, a) => n + a.tags.length, 0);
  return { singleSeconds, doubleSeconds, baselineSeconds, units, tags };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await agreementBench();
  console.log(`${figures.units} sentence units, ${figures.tags} tags at the single size`);
  const growth = figures.doubleSeconds / figures.singleSeconds;
  console.log(`single size ${figures.singleSeconds.toFixed(2)} s (target < 5 s) · one α ${figures.baselineSeconds.toFixed(3)} s · twice the articles ${figures.doubleSeconds.toFixed(2)} s = ${growth.toFixed(2)}× (target ≤ 2.2×)`);
}
