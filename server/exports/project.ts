// A project's data as files researchers' tools read as-is: tags (CSV, JSONL), per-category
// reliability matrices, brat standoff, CoNLL columns, the codebook. Files are produced one at a
// time and tag files are streamed, so a 200,000-tag project never sits in memory as one string.
import { createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { Annotation, Article, Codebook } from '../core/model.js';
import { annotatorsOf } from '../core/access.js';
import { categories } from '../core/codebook.js';
import { words } from '../core/segmentation.js';
import { TAG_COLUMNS, jsonlRecords, tagRecords } from '../core/export/tags.js';
import { csvCast } from '../core/export/csv.js';
import { bratAnn, bratConf } from '../core/export/brat.js';
import { conll } from '../core/export/conll.js';
import { exportReadme } from '../core/export/readme.js';
import { exportedText } from '../core/offsets.js';
import { makeStudy, sentenceMatrix } from '../core/study/units.js';
import type { Project } from '../storage/schemas.js';
import type { Store } from '../storage/store.js';

export const FORMATS = ['csv', 'jsonl', 'reliability', 'brat', 'conll', 'codebook'] as const;
export type Format = (typeof FORMATS)[number];

export function isFormat(value: string): value is Format {
  return FORMATS.some((f) => f === value);
}

/** Formats of many files, downloaded as one .zip with a README.txt. */
export const ARCHIVES: readonly Format[] = ['reliability', 'brat', 'conll'];

/** README.txt: the offsets' units, the line-end rule and the CSV formula guard (core/export/readme.ts). */
export function readmeFile(project: Project): ExportFile {
  return { name: 'README.txt', body: text(exportReadme(project.name)) };
}

export interface ExportOptions {
  /** Replace annotator names with stable pseudonyms. */
  anonymise: boolean;
}

export interface ExportFile {
  name: string;
  body: () => Readable;
}

export interface ProjectData {
  project: Project;
  codebook: Codebook;
  articles: Article[];
  annotatorName: (id: string) => string;
}

/** Stable pseudonyms: the same annotator gets the same name in every export of this instance. */
export function pseudonym(secret: string, annotatorId: string): string {
  // A key of its own, derived from the instance secret: a pseudonym reveals nothing about sessions.
  const key = createHmac('sha256', secret).update('framelens pseudonyms').digest();
  return `annotator-${createHmac('sha256', key).update(annotatorId).digest('hex').slice(0, 8)}`;
}

export function projectData(store: Store, project: Project, codebook: Codebook, options: ExportOptions): ProjectData {
  const names = new Map(store.users.data.data.users.map((u) => [u.id, u.name]));
  const secret = store.instance.data.data.sessionSecret;
  return {
    project,
    codebook,
    articles: store.articles(project.id),
    annotatorName: (id) => (options.anonymise ? pseudonym(secret, id) : (names.get(id) ?? id)),
  };
}

/** Safe in file names inside archives (letters of any script are kept: fflate marks names UTF-8). */
function slug(text: string): string {
  return text.normalize('NFC').replace(/[^\p{L}\p{N}_-]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'file';
}

/**
 * One file name per annotator of an article: their name made safe. Different names can look
 * alike once made safe ("anna b" and "anna.b", or names in a script `slug` once dropped), and
 * case-insensitive file systems fold case, so a clash gets the annotator id appended.
 */
function annotatorFileNames(annotations: Annotation[], annotatorName: (id: string) => string): Map<string, string> {
  const used = new Set<string>();
  const names = new Map<string, string>();
  for (const a of [...annotations].sort((x, y) => x.annotatorId.localeCompare(y.annotatorId))) {
    const base = slug(annotatorName(a.annotatorId));
    const name = used.has(base.toLowerCase()) ? `${base}-${a.annotatorId}` : base;
    used.add(name.toLowerCase());
    names.set(a.annotatorId, name);
  }
  return names;
}

const text = (content: string) => () => Readable.from([content]);

export function exportFiles(store: Store, data: ProjectData, format: Format): ExportFile[] {
  const { project, codebook, articles, annotatorName } = data;
  const annotationsOf = (articleId: string) => store.annotations(articleId);
  const records = () => tagRecords(project.name, articles, annotationsOf, annotatorName);
  const categoryIds = categories(codebook).map((c) => c.id);
  switch (format) {
    case 'csv':
      return [{ name: 'tags.csv', body: () => Readable.from(records()).pipe(stringify({ header: true, columns: TAG_COLUMNS, cast: csvCast })) }];
    case 'jsonl':
      // Tags, and the sentences reviewed without tags, so that an import restores both.
      return [
        {
          name: 'tags.jsonl',
          body: () =>
            Readable.from(
              (function* () {
                for (const r of jsonlRecords(project.name, articles, annotationsOf, annotatorName)) yield `${JSON.stringify(r)}\n`;
              })(),
            ),
        },
      ];
    case 'codebook':
      return [{ name: `codebook-${codebook.id}.json`, body: text(`${JSON.stringify({ schemaVersion: 1, ...codebook }, null, 2)}\n`) }];
    case 'reliability': {
      // The project's annotators, as on the agreement page, so the matrices reproduce its α.
      const members = new Set(annotatorsOf(project));
      const annotations = articles.flatMap((a) => store.annotations(a.id)).filter((a) => members.has(a.annotatorId));
      const study = makeStudy(articles, annotations);
      const header = study.annotators.map(annotatorName);
      return categoryIds.map((category) => ({
        name: `reliability-${category}.csv`,
        body: () => {
          const { values } = sentenceMatrix(study, category);
          return Readable.from(values.map((row) => row.map((v) => (v === null ? '' : String(v))))).pipe(
            stringify({ header: true, columns: header, cast: csvCast }),
          );
        },
      }));
    }
    case 'brat':
      return [
        { name: 'brat/annotation.conf', body: text(bratConf(categoryIds)) },
        ...articles.flatMap((article) => {
          const annotations = store.annotations(article.id);
          const files = annotatorFileNames(annotations, annotatorName);
          // Code points counted once per article, when the archive reaches its first file.
          let view: ReturnType<typeof exportedText> | null = null;
          const viewOf = () => (view ??= exportedText(article.text));
          return annotations.flatMap((annotation) => {
            const base = `brat/${slug(article.title)}-${article.id}/${files.get(annotation.annotatorId) ?? annotation.annotatorId}`;
            return [
              { name: `${base}.txt`, body: () => Readable.from([viewOf().text]) },
              { name: `${base}.ann`, body: () => Readable.from([bratAnn(article, annotation, viewOf())]) },
            ];
          });
        }),
      ];
    case 'conll':
      return articles.flatMap((article) => {
        const annotations = store.annotations(article.id);
        const files = annotatorFileNames(annotations, annotatorName);
        let view: ReturnType<typeof exportedText> | null = null;
        return annotations.map((annotation) => ({
          name: `conll/${slug(article.title)}-${article.id}/${files.get(annotation.annotatorId) ?? annotation.annotatorId}.conll`,
          // Built when the archive reaches this file, not when the list is made.
          body: () => Readable.from([conll(article, annotation, categoryIds, (a, r) => words(a.text, r), (view ??= exportedText(article.text)))]),
        }));
      });
  }
}
