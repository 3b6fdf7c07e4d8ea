// `framelens agreement FILE [--level nominal|ordinal|interval|ratio] [--json]`
//
// Reads reliability data CSV (header row of coder names, one row per unit,
// empty cell = missing; FILE `-` reads stdin) and prints every agreement
// statistic that applies, as a table or, with --json, as one JSON object.
// Exit codes: 0 ok, 1 unreadable file or bad CSV, 2 bad usage.

import { readFile } from 'node:fs/promises';

import {
  CsvError,
  DEFAULT_RESAMPLES,
  DEFAULT_SEED,
  LEVELS,
  agreementReport,
  isLevel,
  parseReliabilityCsv,
  type AgreementReport,
  type AlphaInterval,
  type Level,
  type Statistic,
  type Value,
} from '../core/agreement/index.js';
import { readAll, type IO } from './io.js';

export const AGREEMENT_USAGE = `Usage: framelens agreement FILE [--level nominal|ordinal|interval|ratio] [--json]
                            [--seed N] [--resamples N]

Inter-coder agreement for reliability data in CSV: a header row of coder
names, then one row per unit with one column per coder; an empty cell is a
missing value. FILE - reads standard input.

  --level L        level of measurement (default nominal); ordinal, interval
                   and ratio need numeric values
  --json           print one JSON object instead of a table
  --seed N         seed of the bootstrap for the alpha interval (default ${DEFAULT_SEED})
  --resamples N    bootstrap resamples (default ${DEFAULT_RESAMPLES})
  -h, --help       show this help
`;

interface Options {
  file: string;
  level: Level;
  json: boolean;
  seed: number;
  resamples: number;
}

class UsageError extends Error {}

function parseArgs(args: readonly string[]): Options | 'help' {
  let file: string | undefined;
  let level: Level = 'nominal';
  let json = false;
  let seed = DEFAULT_SEED;
  let resamples = DEFAULT_RESAMPLES;
  let onlyPositional = false;

  const integer = (name: string, raw: string | undefined, min: number): number => {
    if (raw === undefined) throw new UsageError(`${name} needs a value`);
    if (!/^-?\d+$/.test(raw)) throw new UsageError(`${name} must be an integer, got ${JSON.stringify(raw)}`);
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${name} must be an integer ≥ ${min}, got ${raw}`);
    return n;
  };

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!onlyPositional && arg.startsWith('-') && arg !== '-') {
      if (arg === '--') {
        onlyPositional = true;
        continue;
      }
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(0, eq) : arg;
      const inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
      const value = (): string | undefined => (inline !== undefined ? inline : args[++i]);
      switch (name) {
        case '-h':
        case '--help':
          return 'help';
        case '--json':
          if (inline !== undefined) throw new UsageError('--json takes no value');
          json = true;
          break;
        case '--level': {
          const v = value();
          if (v === undefined) throw new UsageError('--level needs a value');
          if (!isLevel(v)) throw new UsageError(`unknown level ${JSON.stringify(v)}; use one of ${LEVELS.join(', ')}`);
          level = v;
          break;
        }
        case '--seed':
          seed = integer('--seed', value(), -(2 ** 31));
          break;
        case '--resamples':
          resamples = integer('--resamples', value(), 1);
          break;
        default:
          throw new UsageError(`unknown option ${name}`);
      }
      continue;
    }
    if (file !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}: give exactly one FILE`);
    file = arg;
  }
  if (file === undefined) throw new UsageError('missing FILE (use - for standard input)');
  return { file, level, json, seed, resamples };
}

const NAMES: Record<string, string> = {
  krippendorff_alpha: "Krippendorff's alpha",
  cohen_kappa: "Cohen's kappa",
  scott_pi: "Scott's pi",
  fleiss_kappa: "Fleiss' kappa",
  gwet_ac1: "Gwet's AC1",
  observed_agreement: 'Observed agreement',
  weighted_kappa_linear: 'Weighted kappa (linear)',
  weighted_kappa_quadratic: 'Weighted kappa (quadratic)',
};

function fixed(x: number): string {
  const s = x.toFixed(3);
  return s === '-0.000' ? '0.000' : s;
}

function showValue(v: Value): string {
  return typeof v === 'number' ? String(v) : JSON.stringify(v);
}

function intervalNote(ci: AlphaInterval): string {
  if (ci.low === null) return `95% CI undefined: ${ci.reason}`;
  const skipped = ci.undefined_resamples ? `, ${ci.undefined_resamples} undefined resamples skipped` : '';
  return `95% CI ${fixed(ci.low)} to ${fixed(ci.high)} (bootstrap, ${ci.resamples} resamples of units, seed ${ci.seed}${skipped})`;
}

function renderTable(report: AgreementReport, source: string): string {
  const lines: string[] = [];
  lines.push(`Agreement for ${source}`);
  lines.push(
    `${report.units} units, ${report.coders} coders, ${report.pairable_units} pairable units, ` +
      `${report.pairable_values} pairable values, level ${report.level}`,
  );
  if (report.marginals.length > 0) {
    lines.push(`Pairable values by value: ${report.marginals.map((m) => `${showValue(m.value)} ×${m.count}`).join(', ')}`);
  }
  if (report.observed_disagreement !== null && report.expected_disagreement !== null) {
    lines.push(`Alpha: observed disagreement D_o ${fixed(report.observed_disagreement)}, expected D_e ${fixed(report.expected_disagreement)}`);
  }
  lines.push('');
  const rows: [string, string, string][] = [];
  const s = report.statistics;
  const add = (key: string, stat: Statistic | undefined, extra?: string): void => {
    if (!stat) return;
    const notes: string[] = [];
    if (stat.value === null) notes.push(`undefined: ${stat.reason}`);
    if (stat.dropped_units) notes.push(`${stat.dropped_units} incomplete unit${stat.dropped_units === 1 ? '' : 's'} dropped`);
    if (extra && stat.value !== null) notes.push(extra);
    rows.push([NAMES[key] ?? key, stat.value === null ? '—' : fixed(stat.value), notes.join('; ')]);
  };
  add('krippendorff_alpha', s.krippendorff_alpha, intervalNote(s.krippendorff_alpha_ci95));
  add('cohen_kappa', s.cohen_kappa);
  add('weighted_kappa_linear', s.weighted_kappa_linear);
  add('weighted_kappa_quadratic', s.weighted_kappa_quadratic);
  add('scott_pi', s.scott_pi);
  add('fleiss_kappa', s.fleiss_kappa);
  add('gwet_ac1', s.gwet_ac1);
  add('observed_agreement', s.observed_agreement);
  const w0 = Math.max('Statistic'.length, ...rows.map((r) => r[0].length));
  const w1 = Math.max('Value'.length, ...rows.map((r) => r[1].length));
  lines.push(`${'Statistic'.padEnd(w0)}  ${'Value'.padStart(w1)}  Note`);
  for (const [name, value, note] of rows) lines.push(`${name.padEnd(w0)}  ${value.padStart(w1)}  ${note}`.trimEnd());
  return lines.join('\n') + '\n';
}

/** The JSON shape printed by --json. */
export function agreementJson(report: AgreementReport): object {
  return {
    units: report.units,
    coders: report.coders,
    pairable_values: report.pairable_values,
    level: report.level,
    statistics: report.statistics,
  };
}

export async function agreementCommand(args: string[], io: IO): Promise<number> {
  let options: Options | 'help';
  try {
    options = parseArgs(args);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`framelens agreement: ${err.message}\n\n${AGREEMENT_USAGE}`);
      return 2;
    }
    throw err;
  }
  if (options === 'help') {
    io.stdout.write(AGREEMENT_USAGE);
    return 0;
  }

  let text: string;
  try {
    text = options.file === '-' ? await readAll(io.stdin) : await readFile(options.file, 'utf8');
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`framelens agreement: cannot read ${options.file === '-' ? 'standard input' : options.file}: ${message}\n`);
    return 1;
  }

  let report: AgreementReport;
  try {
    const data = parseReliabilityCsv(text, options.level);
    report = agreementReport(data, options.level, { bootstrap: { seed: options.seed, resamples: options.resamples } });
  } catch (err) {
    if (err instanceof CsvError || err instanceof TypeError || err instanceof RangeError) {
      io.stderr.write(`framelens agreement: bad CSV in ${options.file === '-' ? 'standard input' : options.file}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }

  io.stdout.write(options.json ? JSON.stringify(agreementJson(report)) + '\n' : renderTable(report, options.file === '-' ? 'standard input' : options.file));
  return 0;
}
