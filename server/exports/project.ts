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
import { GOLD_ANNOTATOR, type Gold } from '../core/curation/gold.js';
import { goldLayer, withGold } from '../core/curation/layer.js';
import { PROVENANCE_COLUMNS, withProvenance, withProvenanceCsv } from '../core/curation/provenance.js';
import { goldLines } from '../core/curation/jsonl.js';
import { articleCandidates } from '../core/curation/candidates.js';
import { leWiDiJson, sentenceItems, spanItems } from '../core/curation/soft-labels.js';
import { curationSettings } from '../core/curation/settings.js';
import type { Project } from '../storage/schemas.js';
import type { StudyReader } from '../storage/app-store.js';

// 'gold' is gold's own lossless JSON lines (core/curation/jsonl.ts); 'soft-labels' the
// annotators' category distributions in the SemEval-2023 Le-Wi-Di shape (README).
export const FORMATS = ['csv', 'jsonl', 'reliability', 'brat', 'conll', 'codebook', 'gold', 'soft-labels'] as const;
export type Format = (typeof FORMATS)[number];

export function isFormat(value: string): value is Format {
  return FORMATS.some((f) => f === value);
}

/** Formats of many files, downloaded as one .zip with a README.txt. */
export const ARCHIVES: readonly Format[] = ['reliability', 'brat', 'conll', 'soft-labels'];

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

export function projectData(store: StudyReader, project: Project, codebook: Codebook, options: ExportOptions): ProjectData {
  const names = new Map(store.users.data.data.users.map((u) => [u.id, u.name]));
  const secret = store.instance.data.data.sessionSecret;
  return {
    project,
    codebook,
    articles: store.articles(project.id),
    // Gold is named "gold" in every file, like an annotator (core/curation/layer.ts).
    annotatorName: (id) => (id === GOLD_ANNOTATOR ? GOLD_ANNOTATOR : options.anonymise ? pseudonym(secret, id) : (names.get(id) ?? id)),
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

/**
 * The article's gold as an annotation layer ("gold"), where curation has begun: every gold span
 * as it stands (auto ones too: the `auto` column says so) in the tag formats; in the reliability
 * matrices only curated sentences, so that a sentence not yet curated is missing, not a "no".
 */
function goldOf(store: StudyReader, article: Article): Gold | null {
  return store.curation.has(article.id) ? store.curation.gold(article.id) : null;
}

/**
 * The files of one format. Tag files read the annotations article by article as they are streamed;
 * the formats that list a file per annotator (brat, CoNLL) or need every unit at once (reliability,
 * soft labels) read the project's annotations first.
 */
export async function exportFiles(store: StudyReader, data: ProjectData, format: Format): Promise<ExportFile[]> {
  const { project, codebook, articles, annotatorName } = data;
  const layerOf = (article: Article) => {
    const gold = goldOf(store, article);
    return gold && gold.spans.length + gold.curated.length > 0 ? goldLayer(gold, article.sentences.length, { scope: 'all' }) : null;
  };
  // Every annotator's work, then gold's, article by article.
  const annotationsOf = async (articleId: string) => {
    const article = store.article(articleId);
    const layer = article && layerOf(article);
    const annotations = await store.readAnnotations(articleId);
    return layer ? [...annotations, layer] : annotations;
  };
  const categoryIds = categories(codebook).map((c) => c.id);
  const blank = Object.fromEntries(PROVENANCE_COLUMNS.map((c) => [c, ''])) as Record<(typeof PROVENANCE_COLUMNS)[number], string>;
  /** Per article: the annotators' records, then gold's with its provenance columns. */
  async function* withGoldRecords<R extends { article: string; start: number; end: number; category: string }, P>(
    make: (article: Article, annotationsOf: (id: string) => Annotation[]) => Iterable<R>,
    provenance: (records: Iterable<R>, gold: Gold) => Iterable<R & P>,
    plain: (r: R) => R | (R & P),
  ): AsyncGenerator<R | (R & P)> {
    for (const article of articles) {
      // One article's annotations at a time: the export holds no more than that.
      const annotations = await store.readAnnotations(article.id);
      for (const r of make(article, () => annotations)) yield plain(r);
      const gold = goldOf(store, article);
      const layer = layerOf(article);
      if (gold && layer) yield* provenance(make(article, () => [{ ...layer, reviewed: [] }]), gold);
    }
  }
  switch (format) {
    case 'csv':
      return [
        {
          name: 'tags.csv',
          body: () =>
            Readable.from(
              withGoldRecords(
                (article, of) => tagRecords(project.name, [article], of, annotatorName),
                (records, gold) => withProvenanceCsv(records, [gold], annotatorName),
                (r) => ({ ...r, ...blank }),
              ),
            ).pipe(stringify({ header: true, columns: [...TAG_COLUMNS, ...PROVENANCE_COLUMNS], cast: csvCast })),
        },
      ];
    case 'jsonl':
      // Tags, and the sentences reviewed without tags, so that an import restores both; gold's
      // tags last in each article, with their provenance (the tag import leaves them out: gold
      // comes back through the gold format).
      return [
        {
          name: 'tags.jsonl',
          body: () =>
            Readable.from(
              (async function* () {
                const records = withGoldRecords(
                  (article, of) => jsonlRecords(project.name, [article], of, annotatorName) as Generator<{ article: string; start: number; end: number; category: string }>,
                  (rs, gold) => withProvenance(rs, [gold], annotatorName),
                  (r) => r,
                );
                for await (const r of records) yield `${JSON.stringify(r)}\n`;
              })(),
            ),
        },
      ];
    case 'gold':
      return [
        {
          name: 'gold.jsonl',
          body: () =>
            Readable.from(
              (function* () {
                for (const article of articles) {
                  const gold = goldOf(store, article);
                  if (gold) for (const line of goldLines(project.name, article, gold, { name: data.annotatorName })) yield `${line}\n`;
                }
              })(),
            ),
        },
      ];
    case 'soft-labels': {
      const members = new Set(annotatorsOf(project));
      const { overlap } = curationSettings(project);
      const byArticle = new Map<string, Annotation[]>();
      for await (const a of store.eachAnnotation(articles.map((x) => x.id))) {
        if (members.has(a.annotatorId)) byArticle.set(a.articleId, [...(byArticle.get(a.articleId) ?? []), a]);
      }
      const counted = (id: string) => byArticle.get(id) ?? [];
      const options = { name: annotatorName, scope: 'curated' as const };
      return [
        {
          name: 'soft-labels-spans.json',
          body: () =>
            Readable.from(
              leWiDiJson(
                spanItems(
                  (function* () {
                    for (const article of articles) {
                      const sentences = articleCandidates(counted(article.id), article.sentences.length, { overlap, words: (s) => words(article.text, article.sentences[s] ?? { start: 0, end: 0 }) });
                      yield { article, gold: goldOf(store, article), sentences };
                    }
                  })(),
                  options,
                ),
              ),
            ),
        },
        {
          name: 'soft-labels-sentences.json',
          body: () =>
            Readable.from(
              leWiDiJson(
                sentenceItems(
                  (function* () {
                    for (const article of articles) yield { article, gold: goldOf(store, article), annotations: counted(article.id) };
                  })(),
                  categoryIds,
                  options,
                ),
              ),
            ),
        },
      ];
    }
    case 'codebook':
      return [{ name: `codebook-${codebook.id}.json`, body: text(`${JSON.stringify({ schemaVersion: 1, ...codebook }, null, 2)}\n`) }];
    case 'reliability': {
      // The project's annotators, as on the agreement page, so the matrices reproduce its α.
      const members = new Set(annotatorsOf(project));
      const annotations: Annotation[] = [];
      for await (const a of store.eachAnnotation(articles.map((x) => x.id))) if (members.has(a.annotatorId)) annotations.push(a);
      // Gold is one more column, over curated sentences (contested spans with their category).
      const golds = articles.map((a) => goldOf(store, a)).filter((g): g is Gold => g !== null);
      const sentenceCount = (id: string) => store.article(id)?.sentences.length ?? 0;
      const study = makeStudy(articles, withGold(annotations, golds, sentenceCount));
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
    case 'brat': {
      const byArticle = await Promise.all(articles.map((article) => annotationsOf(article.id)));
      return [
        { name: 'brat/annotation.conf', body: text(bratConf(categoryIds)) },
        ...articles.flatMap((article, i) => {
          const annotations = byArticle[i] ?? [];
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
    }
    case 'conll': {
      const byArticle = await Promise.all(articles.map((article) => annotationsOf(article.id)));
      return articles.flatMap((article, i) => {
        const annotations = byArticle[i] ?? [];
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
}
