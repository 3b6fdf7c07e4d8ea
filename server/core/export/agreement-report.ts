// The agreement report as a flat table, and that table as CSV rows, JSON, Markdown and LaTeX,
// ready for a paper.
import type { Statistic } from '../agreement/index.js';
import type { CategoryAgreement, StudyAgreement } from '../study/agreement.js';

export interface ReportRow {
  category: string;
  level: 'sentence' | 'span' | 'token';
  statistic: string;
  value: number | null;
  ci_low: number | null;
  ci_high: number | null;
  units: number;
  pairable_values: number;
  note: string;
}

const value = (s: Statistic) => s.value;
const reason = (s: Statistic) => (s.value === null ? s.reason : '');

function rowsOf(c: CategoryAgreement): ReportRow[] {
  const name = c.category?.id ?? 'overall';
  const r = c.sentence.report;
  const st = r.statistics;
  const ci = st.krippendorff_alpha_ci95;
  const base = { category: name, units: r.units, pairable_values: r.pairable_values };
  const sentence = (statistic: string, s: Statistic, note = ''): ReportRow => ({
    // An undefined statistic always says why, even when there is also a warning to show.
    ...base, level: 'sentence', statistic, value: value(s), ci_low: null, ci_high: null, note: [reason(s), note].filter(Boolean).join(' '),
  });
  const span = (statistic: string, s: Statistic, note: string): ReportRow => ({
    ...base, level: 'span', statistic, value: value(s), ci_low: null, ci_high: null, note: s.value === null ? reason(s) : note,
  });
  return [
    { ...sentence('krippendorff_alpha', st.krippendorff_alpha, c.sentence.warning ?? ''), ci_low: ci.low, ci_high: ci.high },
    sentence('observed_agreement', st.observed_agreement),
    sentence('fleiss_kappa', st.fleiss_kappa),
    sentence('gwet_ac1', st.gwet_ac1),
    sentence('cohen_kappa', st.cohen_kappa),
    sentence('scott_pi', st.scott_pi),
    span('span_f1_exact', c.span.exactF1, `mean over ${c.span.pairs} annotator pairs`),
    span('span_f1_overlap', c.span.overlapF1, `mean over ${c.span.pairs} annotator pairs; SemEval-2020 T11 partial credit`),
    span('unitizing_alpha', c.span.unitizingAlpha, 'Krippendorff 1995/2004 alpha_U on articles every annotator reviewed'),
    {
      category: name, level: 'token', statistic: 'krippendorff_alpha', value: value(c.token.alpha), ci_low: null, ci_high: null,
      units: c.token.units, pairable_values: c.token.pairableValues,
      note: c.token.alpha.value === null ? reason(c.token.alpha) : 'inflated by the many words nobody tags',
    },
  ];
}

export function reportRows(report: StudyAgreement): ReportRow[] {
  return [report.overall, ...report.categories].flatMap(rowsOf);
}

export const REPORT_COLUMNS: (keyof ReportRow)[] = ['category', 'level', 'statistic', 'value', 'ci_low', 'ci_high', 'units', 'pairable_values', 'note'];

const fixed = (n: number | null) => (n === null ? '—' : n.toFixed(3));

/** The headline table: per category, sentence-level α with its interval, A_o, AC1, span F1 and α_U. */
function headline(report: StudyAgreement): string[][] {
  return [report.overall, ...report.categories].map((c) => {
    const st = c.sentence.report.statistics;
    const ci = st.krippendorff_alpha_ci95;
    return [
      c.category?.name ?? 'All categories',
      fixed(st.krippendorff_alpha.value),
      ci.low === null || ci.high === null ? '—' : `[${fixed(ci.low)}, ${fixed(ci.high)}]`,
      fixed(st.observed_agreement.value),
      fixed(st.gwet_ac1.value),
      fixed(c.span.overlapF1.value),
      fixed(c.span.unitizingAlpha.value),
      String(c.sentence.report.pairable_units),
    ];
  });
}

const HEAD = ['Category', 'α', '95% CI', 'A_o', 'AC1', 'Span F1', 'α_U', 'Units'];

export function markdownTable(report: StudyAgreement): string {
  const rows = headline(report);
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [
    line(HEAD),
    line(HEAD.map((_, i) => (i === 0 ? '---' : '---:'))),
    ...rows.map(line),
    '',
    `α: Krippendorff's alpha (nominal) on sentence-level decisions (did the annotator tag the category in the sentence; unreviewed sentences missing), ${report.annotators.length} annotators, bootstrap 95% CI. A_o: observed agreement. AC1: Gwet. Span F1: mean pairwise overlap F1 (SemEval-2020 T11). α_U: unitizing alpha.`,
    '',
  ].join('\n');
}

/** LaTeX specials, and `|`, `<`, `>` (other glyphs in the default OT1 text font). */
const LATEX_WORDS: Record<string, string> = { '\\': '\\textbackslash{}', '^': '\\^{}', '~': '\\~{}', '|': '\\textbar{}', '<': '\\textless{}', '>': '\\textgreater{}' };

export function latexEscape(text: string): string {
  return text.replace(/[\\{}&%$#_^~|<>]/g, (c) => LATEX_WORDS[c] ?? `\\${c}`);
}

export function latexTable(report: StudyAgreement): string {
  const head = ['Category', '$\\alpha$', '95\\% CI', '$A_o$', 'AC1', 'Span $F_1$', '$\\alpha_U$', 'Units'];
  return [
    '\\begin{table}[ht]',
    '\\centering',
    '\\begin{tabular}{lrrrrrrr}',
    '\\hline',
    `${head.join(' & ')} \\\\`,
    '\\hline',
    // '—' is the placeholder of an undefined figure; a dash inside a category name stays as it is.
    ...headline(report).map((cells) => `${cells.map((c) => (c === '—' ? '--' : latexEscape(c))).join(' & ')} \\\\`),
    '\\hline',
    '\\end{tabular}',
    `\\caption{Inter-annotator agreement per category (${report.annotators.length} annotators). $\\alpha$: Krippendorff's alpha on sentence-level decisions with bootstrap 95\\% CI; $A_o$: observed agreement; AC1: Gwet; span $F_1$: mean pairwise overlap $F_1$; $\\alpha_U$: unitizing alpha.}`,
    '\\end{table}',
    '',
  ].join('\n');
}
