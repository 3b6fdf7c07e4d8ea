// `framelens export PROJECT --format F --out DIR [--anonymise]`: the web downloads, as files.
import { mkdir, writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { stringify } from 'csv-stringify/sync';
import { csvCast } from '../core/export/csv.js';
import { loadConfig } from '../config.js';
import { ARCHIVES, FORMATS, exportFiles, isFormat, projectData, readmeFile } from '../exports/project.js';
import { REPORT_COLUMNS, latexTable, markdownTable, reportRows } from '../core/export/agreement-report.js';
import { computeAgreement } from '../services/agreement.js';
import { openStudy } from './open-study.js';
import type { IO } from './io.js';
import type { StudyReader } from '../storage/app-store.js';

const USAGE =
  `usage: framelens export PROJECT --format ${[...FORMATS, 'agreement', 'all'].join('|')} --out DIR [--anonymise]\n` +
  '       (PROJECT is an id or a name; an id may start with "-"; or give it as --project ID)\n';

const VALUE_OPTIONS = new Set(['--format', '--out', '--project']);

/**
 * The arguments with every project argument moved after `--`, where parseArgs reads positionals
 * only: an id made before ids were kept from starting with `-` (1 in 64 of them) looks like a
 * short option, and this command has no short options.
 */
function projectsAsPositionals(args: string[]): string[] {
  const options: string[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (VALUE_OPTIONS.has(arg) && i + 1 < args.length) {
      // Joined, so that a value starting with "-" is not taken for an option.
      options.push(`${arg}=${args[++i] ?? ''}`);
    } else if (arg.startsWith('--')) options.push(arg);
    else positionals.push(arg);
  }
  return [...options, '--', ...positionals];
}

export async function exportCommand(args: string[], io: IO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: projectsAsPositionals(args),
      allowPositionals: true,
      options: { format: { type: 'string' }, out: { type: 'string' }, project: { type: 'string' }, anonymise: { type: 'boolean', default: false } },
    });
  } catch (error) {
    io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const projects = values.project === undefined ? positionals : [values.project, ...positionals];
  const [which] = projects;
  const format = values.format ?? 'all';
  if (!which || projects.length > 1 || !values.out || !(isFormat(format) || format === 'agreement' || format === 'all')) {
    io.stderr.write(USAGE);
    return 2;
  }
  // PostgreSQL's study when DATABASE_URL is set (read beside running servers, the tags a page at
  // a time), else the data folder's, read-only.
  const { store, close } = await openStudy({ url: process.env.DATABASE_URL || undefined, dataDir: loadConfig(process.env).dataDir, readOnly: true });
  try {
    return await exportProject(store, which, format, { out: values.out, anonymise: values.anonymise ?? false }, io);
  } finally {
    await close();
  }
}

async function exportProject(store: StudyReader, which: string, format: string, values: { out: string; anonymise: boolean }, io: IO): Promise<number> {
  const all = store.projects.data.data.projects;
  const project = all.find((p) => p.id === which) ?? all.find((p) => p.name.toLowerCase() === which.toLowerCase());
  if (!project) {
    io.stderr.write(`no project "${which}"; projects: ${all.map((p) => `${p.id} (${p.name})`).join(', ')}\n`);
    return 1;
  }
  const data = projectData(store, project, store.codebookOf(project), { anonymise: values.anonymise });
  const formats = format === 'all' ? [...FORMATS] : isFormat(format) ? [format] : [];
  let written = 0;
  // What the web's archives hold: README.txt beside the files of several (as in every .zip).
  const readme = formats.some((f) => ARCHIVES.includes(f)) ? [readmeFile(project)] : [];
  // One format at a time: a format that reads the project's annotations first holds them only while it is written.
  for (const files of [readme, ...formats.map((f) => () => exportFiles(store, data, f))]) {
    for (const file of Array.isArray(files) ? files : await files()) {
      const path = join(values.out, file.name);
      await mkdir(dirname(path), { recursive: true });
      await pipeline(file.body(), createWriteStream(path));
      written++;
    }
  }
  if (format === 'agreement' || format === 'all') {
    const report = await computeAgreement(store, project);
    await mkdir(values.out, { recursive: true });
    await writeFile(join(values.out, 'agreement.csv'), stringify(reportRows(report), { header: true, columns: REPORT_COLUMNS, cast: csvCast }));
    await writeFile(join(values.out, 'agreement.json'), `${JSON.stringify({ annotators: report.annotators.length, rows: reportRows(report) }, null, 2)}\n`);
    await writeFile(join(values.out, 'agreement.md'), markdownTable(report));
    await writeFile(join(values.out, 'agreement.tex'), latexTable(report));
    written += 4;
  }
  io.stdout.write(`Wrote ${written} file${written === 1 ? '' : 's'} to ${values.out}\n`);
  return 0;
}
