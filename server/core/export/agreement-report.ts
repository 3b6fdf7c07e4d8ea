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
  const pairs = `mean over ${c.span.pairs} annotator pair${c.span.pairs === 1 ? '' : 's'} with a span between them`;
  const matched = c.category ? '' : '; labels matched: a span counts only against spans of its own category, sums added over categories (not the SemEval SI score: see span_f1_identification)';
  const identification = c.span.identification;
  return [
    { ...sentence('krippendorff_alpha', st.krippendorff_alpha, c.sentence.warning ?? ''), ci_low: ci.low, ci_high: ci.high },
    sentence('observed_agreement', st.observed_agreement),
    sentence('fleiss_kappa', st.fleiss_kappa),
    sentence('gwet_ac1', st.gwet_ac1),
    sentence('cohen_kappa', st.cohen_kappa),
    sentence('scott_pi', st.scott_pi),
    span('span_f1_exact', c.span.exactF1, `${pairs}${matched}`),
    span('span_f1_overlap', c.span.overlapF1, `${pairs}; partial credit for overlap as in SemEval-2020 T11${matched}`),
    ...(identification
      ? [span('span_f1_identification', identification.f1, `labels ignored, as the SemEval-2020 T11 span identification (SI) scorer; mean over ${identification.pairs} annotator pair${identification.pairs === 1 ? '' : 's'} with a span between them`)]
      : []),
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

/** The placeholder of an undefined figure in the tables; its reason is listed under the table. */
const UNDEFINED = '—';

const fixed = (n: number | null) => (n === null ? UNDEFINED : n.toFixed(3));

const OVERALL = 'All categories';

interface Headline {
  cells: string[];
  /** Why each undefined figure of the row is undefined: [column heading, reason]. */
  undefined: [string, string][];
}

/** The headline table: per category, sentence-level α with its interval, A_o, AC1, span F1 and α_U. */
function headline(report: StudyAgreement): Headline[] {
  return [report.overall, ...report.categories].map((c) => {
    const st = c.sentence.report.statistics;
    const ci = st.krippendorff_alpha_ci95;
    const figures: [string, Statistic][] = [
      ['α', st.krippendorff_alpha],
      ['A_o', st.observed_agreement],
      ['AC1', st.gwet_ac1],
      ['Span F1', c.span.overlapF1],
      ['α_U', c.span.unitizingAlpha],
    ];
    const undefinedOnes: [string, string][] = figures.filter(([, s]) => s.value === null).map(([head, s]) => [head, reason(s)]);
    // The interval's reason only where α itself is defined (otherwise it repeats α's).
    if (ci.low === null && st.krippendorff_alpha.value !== null) undefinedOnes.splice(1, 0, ['95% CI', ci.reason]);
    return {
      cells: [
        c.category?.name ?? OVERALL,
        fixed(st.krippendorff_alpha.value),
        ci.low === null || ci.high === null ? UNDEFINED : `[${fixed(ci.low)}, ${fixed(ci.high)}]`,
        fixed(st.observed_agreement.value),
        fixed(st.gwet_ac1.value),
        fixed(c.span.overlapF1.value),
        fixed(c.span.unitizingAlpha.value),
        String(c.sentence.report.pairable_units),
      ],
      undefined: undefinedOnes,
    };
  });
}

const HEAD = ['Category', 'α', '95% CI', 'A_o', 'AC1', 'Span F1', 'α_U', 'Units'];

/** The span identification figure (labels ignored) in words, for the text under the tables. */
function identificationLine(report: StudyAgreement): string {
  const si = report.overall.span.identification;
  if (!si) return '';
  return si.f1.value === null
    ? `Span identification F1 (labels ignored, the SemEval-2020 T11 SI score): undefined (${si.f1.reason}).`
    : `Span identification F1 (labels ignored, the SemEval-2020 T11 SI score): ${si.f1.value.toFixed(3)}, mean over ${si.pairs} annotator pairs.`;
}

const CAPTION_SPAN_F1 =
  'Span F1: mean over annotator pairs of the overlap F1 (partial credit for overlap, as the SemEval-2020 T11 scorer), per category; ' +
  'on the All categories row spans count only against spans of their own category (labels matched, sums added over categories).';

/** Markdown and the HTML it may hold: `<`, `>` and `&` as entities, Markdown's own marks escaped. */
function markdownEscape(text: string): string {
  return text.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c] ?? c).replace(/[\\`*_[\]|#]/g, (c) => `\\${c}`);
}

export function markdownTable(report: StudyAgreement): string {
  const rows = headline(report);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const notes = rows.flatMap((row) => row.undefined.map(([head, why]) => `- ${markdownEscape(row.cells[0] ?? '')}, ${head}: ${markdownEscape(why)}`));
  return [
    line(HEAD),
    line(HEAD.map((_, i) => (i === 0 ? '---' : '---:'))),
    ...rows.map((row) => line(row.cells.map((cell, i) => (i === 0 ? markdownEscape(cell) : cell)))),
    '',
    `α: Krippendorff's alpha (nominal) on sentence-level decisions (did the annotator tag the category in the sentence; unreviewed sentences missing), ${report.annotators.length} annotators, bootstrap 95% CI. A_o: observed agreement. AC1: Gwet. ${CAPTION_SPAN_F1} α_U: unitizing alpha.`,
    '',
    identificationLine(report),
    ...(notes.length ? ['', `${UNDEFINED} undefined:`, '', ...notes] : []),
    '',
  ].join('\n');
}

/** LaTeX specials, and `|`, `<`, `>` (other glyphs in the default OT1 text font). */
const LATEX_WORDS: Record<string, string> = { '\\': '\\textbackslash{}', '^': '\\^{}', '~': '\\~{}', '|': '\\textbar{}', '<': '\\textless{}', '>': '\\textgreater{}' };

/**
 * Characters pdflatex typesets with the T1 font encoding and UTF-8 input and no further package:
 * ASCII, Latin-1, Latin Extended-A (as t1enc.dfu and ts1enc.dfu declare them) and common
 * punctuation. Any other character in a name is declared in the document's preamble.
 */
const T1_SAFE = /[\x20-\x7e\u00a0-\u00b7\u00b9-\u0125\u0128-\u0137\u0139-\u013e\u0141-\u0148\u014a-\u0165\u0168-\u017e\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2030\u2039\u203a\u20ac\u2122]/u;

const GREEK = 'αβγδεζηθικλμνξοπρςστυφχψωΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ';
const GREEK_MATH = [
  'alpha', 'beta', 'gamma', 'delta', 'varepsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu', 'nu', 'xi', 'mathrm{o}', 'pi', 'rho',
  'varsigma', 'sigma', 'tau', 'upsilon', 'varphi', 'chi', 'psi', 'omega',
  'mathrm{A}', 'mathrm{B}', 'Gamma', 'Delta', 'mathrm{E}', 'mathrm{Z}', 'mathrm{H}', 'Theta', 'mathrm{I}', 'mathrm{K}', 'Lambda', 'mathrm{M}', 'mathrm{N}', 'Xi', 'mathrm{O}', 'Pi',
  'mathrm{P}', 'Sigma', 'mathrm{T}', 'Upsilon', 'Phi', 'mathrm{X}', 'Psi', 'Omega',
];

const SYMBOLS: Record<string, string> = { '−': '\\ensuremath{-}', '≥': '\\ensuremath{\\geq}', '≤': '\\ensuremath{\\leq}', '…': '\\textellipsis{}', '≠': '\\ensuremath{\\neq}' };

/** What a character pdflatex cannot typeset as it is prints as: a Greek letter from the math font, a symbol, else "?". */
function fallback(char: string): string {
  const greek = [...GREEK].indexOf(char);
  return greek >= 0 ? `\\ensuremath{\\${GREEK_MATH[greek] ?? ''}}` : (SYMBOLS[char] ?? '?');
}

function latexEscape(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[\x00-\x1f\x7f]/g, ' ')
    .replace(/[\\{}&%$#_^~|<>]/g, (c) => LATEX_WORDS[c] ?? `\\${c}`);
}

/**
 * The table as a LaTeX document that compiles with pdflatex as it is: T1 fonts and UTF-8 input,
 * and a `\DeclareUnicodeCharacter` for each character of a name those cannot typeset (Greek
 * letters from the math font, anything else as "?"). Copy the table environment (and those
 * declarations, or a font setup of your own) into a paper.
 */
export function latexTable(report: StudyAgreement): string {
  const head = ['Category', '$\\alpha$', '95\\% CI', '$A_o$', 'AC1', 'Span $F_1$', '$\\alpha_U$', 'Units'];
  const rows = headline(report);
  const body = rows.map((row) => `${row.cells.map((c) => (c === UNDEFINED ? '--' : latexEscape(c))).join(' & ')} \\\\`);
  const notes = rows.flatMap((row) =>
    row.undefined.map(([head, why]) => `${latexEscape(row.cells[0] ?? '')}, ${head === 'α' ? '$\\alpha$' : head === 'α_U' ? '$\\alpha_U$' : latexEscape(head)}: ${latexEscape(why)}`),
  );
  const si = identificationLine(report);
  const content = [
    '\\begin{table}[ht]',
    '\\centering',
    '\\begin{tabular}{lrrrrrrr}',
    '\\hline',
    `${head.join(' & ')} \\\\`,
    '\\hline',
    ...body,
    '\\hline',
    '\\end{tabular}',
    ...(si ? [`\\par\\smallskip{\\footnotesize ${latexEscape(si).replace('F1', '$F_1$')}\\par}`] : []),
    ...(notes.length ? [`\\par\\smallskip{\\footnotesize -- undefined: ${notes.join('; ')}.\\par}`] : []),
    `\\caption{Inter-annotator agreement per category (${report.annotators.length} annotators). $\\alpha$: Krippendorff's alpha on sentence-level decisions with bootstrap 95\\% CI; $A_o$: observed agreement; AC1: Gwet; ${latexEscape(CAPTION_SPAN_F1).replace('Span F1', 'span $F_1$')} $\\alpha_U$: unitizing alpha.}`,
    '\\end{table}',
  ];
  const declared = [...new Set([...content.join('\n')].filter((c) => c !== '\n' && !T1_SAFE.test(c)))].sort();
  return [
    '% Inter-annotator agreement table from Framelens. Compiles as it is with pdflatex; for a paper,',
    '% copy the table environment (and the \\DeclareUnicodeCharacter lines, if any, or your own',
    '% font setup for those characters) into your document.',
    '\\documentclass{article}',
    '\\usepackage[T1]{fontenc}',
    '\\usepackage[utf8]{inputenc}',
    ...declared.map((c) => `\\DeclareUnicodeCharacter{${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}}{${fallback(c)}}`),
    '\\begin{document}',
    ...content,
    '\\end{document}',
    '',
  ].join('\n');
}
