// The outlet profile as a flat table (CSV/JSON rows), and as Markdown and LaTeX tables ready
// for a paper, like the agreement report: per outlet and category, tags per 1,000 words and
// the share of sentences with the category, each with its 95 % bootstrap interval; then each
// pair of outlets' differences with permutation-test p-values.
import type { OutletComparison } from '../stories/compare.js';
import type { OutletProfile } from '../stories/profile.js';
import { ANY } from '../stories/profile.js';
import { latexEscape } from './agreement-report.js';

export interface ProfileRow {
  section: 'outlet' | 'difference';
  outlet: string;
  /** The second outlet of a difference (empty for an outlet's own figures). */
  versus: string;
  category: string;
  measure: 'tags_per_1000_words' | 'sentence_share';
  value: number | null;
  ci_low: number | null;
  ci_high: number | null;
  /** Permutation-test p-value of a difference (empty for an outlet's own figures). */
  p: number | null;
  p_holm: number | null;
  articles: number;
  words: number;
  sentences: number;
  layers: number;
  tags: number | null;
}

export const PROFILE_COLUMNS: (keyof ProfileRow)[] = [
  'section', 'outlet', 'versus', 'category', 'measure', 'value', 'ci_low', 'ci_high', 'p', 'p_holm', 'articles', 'words', 'sentences', 'layers', 'tags',
];

const categoryLabel = (id: string) => (id === ANY ? 'all' : id);

export function profileRows(profiles: readonly OutletProfile[], comparisons: readonly OutletComparison[]): ProfileRow[] {
  const rows: ProfileRow[] = [];
  for (const o of profiles) {
    const base = { section: 'outlet' as const, outlet: o.outlet, versus: '', p: null, p_holm: null, articles: o.articles, words: o.words, sentences: o.sentences, layers: o.layers };
    for (const c of o.categories) {
      const r = c.ratePer1000Words;
      const s = c.sentenceShare;
      rows.push({ ...base, category: categoryLabel(c.category), measure: 'tags_per_1000_words', value: r.value, ci_low: r.low, ci_high: r.high, tags: c.tags });
      rows.push({ ...base, category: categoryLabel(c.category), measure: 'sentence_share', value: s.value, ci_low: s.low, ci_high: s.high, tags: c.sentencesWith });
    }
  }
  const size = new Map(profiles.map((o) => [o.outlet, o]));
  for (const d of comparisons) {
    const a = size.get(d.a);
    const b = size.get(d.b);
    const base = {
      section: 'difference' as const, outlet: d.a, versus: d.b, articles: (a?.articles ?? 0) + (b?.articles ?? 0),
      words: (a?.words ?? 0) + (b?.words ?? 0), sentences: (a?.sentences ?? 0) + (b?.sentences ?? 0), layers: (a?.layers ?? 0) + (b?.layers ?? 0), tags: null,
    };
    for (const c of d.categories) {
      rows.push({ ...base, category: categoryLabel(c.category), measure: 'tags_per_1000_words', value: c.rate.value, ci_low: c.rate.low, ci_high: c.rate.high, p: c.rate.p, p_holm: c.rate.pHolm });
      rows.push({ ...base, category: categoryLabel(c.category), measure: 'sentence_share', value: c.share.value, ci_low: c.share.low, ci_high: c.share.high, p: c.share.p, p_holm: c.share.pHolm });
    }
  }
  return rows;
}

const fixed = (n: number | null, digits: number) => (n === null ? '—' : n.toFixed(digits));
const interval = (low: number | null, high: number | null, digits: number) => (low === null || high === null ? '—' : `[${fixed(low, digits)}, ${fixed(high, digits)}]`);
const percent = (n: number | null) => (n === null ? null : 100 * n);

/** One row per outlet and category: rate with interval, share (%) with interval. */
function outletTable(profiles: readonly OutletProfile[], names: ReadonlyMap<string, string>): string[][] {
  return profiles.flatMap((o) =>
    o.categories.map((c) => [
      o.outlet,
      c.category === ANY ? 'All categories' : (names.get(c.category) ?? c.category),
      fixed(c.ratePer1000Words.value, 2),
      interval(c.ratePer1000Words.low, c.ratePer1000Words.high, 2),
      fixed(percent(c.sentenceShare.value), 1),
      interval(percent(c.sentenceShare.low), percent(c.sentenceShare.high), 1),
      String(o.articles),
    ]),
  );
}

function differenceTable(comparisons: readonly OutletComparison[], names: ReadonlyMap<string, string>): string[][] {
  return comparisons.flatMap((d) =>
    d.categories.map((c) => [
      `${d.a} − ${d.b}`,
      c.category === ANY ? 'All categories' : (names.get(c.category) ?? c.category),
      fixed(c.rate.value, 2),
      fixed(c.rate.p, 4),
      fixed(percent(c.share.value), 1),
      fixed(c.share.p, 4),
    ]),
  );
}

const OUTLET_HEAD = ['Outlet', 'Category', 'Tags/1k words', '95% CI', 'Sentences %', '95% CI', 'Articles'];
const DIFFERENCE_HEAD = ['Outlets', 'Category', 'Δ tags/1k words', 'p', 'Δ sentences %', 'p'];
const NOTE = 'Tags per 1,000 words per annotator layer; sentences % = share of sentences with at least one tag of the category; 95% percentile bootstrap over each outlet\'s articles (1,000 resamples). p: two-sided permutation test over articles (exact when every split is enumerated).';

export function profileMarkdown(title: string, profiles: readonly OutletProfile[], comparisons: readonly OutletComparison[], names: ReadonlyMap<string, string>): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  const table = (head: string[], rows: string[][]) => [line(head), line(head.map((_, i) => (i < 2 ? '---' : '---:'))), ...rows.map(line)];
  return [
    `## Outlet profile: ${title.replace(/\n/g, ' ')}`,
    '',
    ...table(OUTLET_HEAD, outletTable(profiles, names)),
    '',
    ...(comparisons.length > 0 ? [...table(DIFFERENCE_HEAD, differenceTable(comparisons, names)), ''] : []),
    NOTE,
    '',
  ].join('\n');
}

export function profileLatex(title: string, profiles: readonly OutletProfile[], comparisons: readonly OutletComparison[], names: ReadonlyMap<string, string>): string {
  const cell = (c: string) => (c === '—' ? '--' : latexEscape(c).replace(/−/g, '--').replace(/Δ/g, '$\\Delta$'));
  const tabular = (head: string[], rows: string[][], spec: string, caption: string) => [
    '\\begin{table}[ht]',
    '\\centering',
    `\\begin{tabular}{${spec}}`,
    '\\hline',
    `${head.map(cell).join(' & ')} \\\\`,
    '\\hline',
    ...rows.map((r) => `${r.map(cell).join(' & ')} \\\\`),
    '\\hline',
    '\\end{tabular}',
    `\\caption{${caption}}`,
    '\\end{table}',
  ];
  return [
    ...tabular(OUTLET_HEAD, outletTable(profiles, names), 'llrrrrr', `Outlet profile: ${latexEscape(title)}. ${latexEscape(NOTE)}`),
    ...(comparisons.length > 0 ? ['', ...tabular(DIFFERENCE_HEAD, differenceTable(comparisons, names), 'llrrrr', 'Differences between outlets with permutation-test p-values.')] : []),
    '',
  ].join('\n');
}
