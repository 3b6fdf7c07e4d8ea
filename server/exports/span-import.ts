// Spans from other tools into a project, in two steps. The check reads the files (brat standoff,
// SemEval-2020 Task 11, a CSV of spans), finds each document's article (the same text) or plans a
// new one, places every span in the article's sentences and lists what needs a choice: which
// codebook category each label is, and what to do with spans that cross a sentence boundary. The
// import then applies those choices — after checking everything again, before storing anything.
import type { Article, Range, Tag } from '../core/model.js';
import { categories } from '../core/codebook.js';
import { articleTextProblem } from '../core/article-text.js';
import { readBrat, type NamedText } from '../core/import/brat.js';
import { readSemeval } from '../core/import/semeval.js';
import { readSpansCsv } from '../core/import/spans-csv.js';
import { place, suggestCategory, titleOf, type Placement, type SourceRead, type SourceSpan } from '../core/import/source.js';
import { segment } from '../core/segmentation.js';
import { markReviewed } from '../core/spans.js';
import type { Project } from '../storage/schemas.js';
import { newId } from '../storage/store.js';
import type { AppStore } from '../storage/app-store.js';
import { addAnnotators, checkAnnotators } from './annotators.js';
import { ImportError } from './import.js';

export const SPAN_FORMATS = ['brat', 'semeval', 'csv'] as const;
export type SpanFormat = (typeof SPAN_FORMATS)[number];

export function isSpanFormat(value: string): value is SpanFormat {
  return SPAN_FORMATS.some((f) => f === value);
}

export interface PlannedSpan extends SourceSpan {
  /** The annotator's name (the file's, or the form's). */
  annotatorName: string;
  placement: Placement;
}

export interface PlannedDocument {
  /** The file it came from (or, for a CSV, the article's title). */
  name: string;
  /** The project's article with this text, or null: a new article is made. */
  articleId: string | null;
  title: string;
  text: string;
  sentences: Range[];
  spans: PlannedSpan[];
}

export interface LabelUse {
  label: string;
  spans: number;
  /** The codebook category the label likely means (same id or name), or null. */
  suggested: string | null;
}

export interface CrossingSpan {
  document: string;
  where: string;
  label: string;
  text: string;
  /** 1-based numbers of the sentences it touches. */
  sentences: number[];
}

export interface SpanImportPlan {
  projectId: string;
  format: SpanFormat;
  documents: PlannedDocument[];
  labels: LabelUse[];
  crossing: CrossingSpan[];
  /** Annotator names, and whether each gets a new account. */
  annotators: { name: string; isNew: boolean }[];
  ignored: string[];
}

export interface SpanImportChoices {
  /** Per label: the category its spans become, or null to leave them out. */
  categories: Map<string, string | null>;
  /** For spans that cross a sentence boundary: split them at the boundaries, or refuse the import. */
  crossing: 'split' | 'refuse' | null;
  /** Mark every sentence of the imported articles reviewed by the annotator (the files cover whole articles). */
  markReviewed: boolean;
}

export interface SpanImportResult {
  imported: number;
  skipped: number;
  /** Spans split at sentence boundaries, and the tags they made. */
  split: number;
  pieces: number;
  /** Spans whose label was left out. */
  leftOut: number;
  newArticles: string[];
  matchedArticles: number;
  newAnnotators: string[];
  reviewed: number;
}

const LISTED = 30;

function refuse(problems: string[]): never {
  const shown = problems.slice(0, LISTED);
  const more = problems.length > LISTED ? `\n…and ${problems.length - LISTED} more` : '';
  throw new ImportError(`Nothing was imported:\n${shown.join('\n')}${more}`);
}

function read(store: AppStore, project: Project, format: SpanFormat, files: NamedText[]): SourceRead {
  if (format === 'brat') return readBrat(files);
  if (format === 'semeval') return readSemeval(files);
  const articles = store.articles(project.id);
  return readSpansCsv(files, (ref) => {
    const byId = articles.find((a) => a.id === ref);
    if (byId) return byId;
    const titled = articles.filter((a) => a.title === ref);
    return titled.length > 1 ? 'ambiguous' : titled[0];
  });
}

/** Reads and checks the files: a plan to show, or an ImportError listing every problem. */
export function checkSpanImport(store: AppStore, project: Project, format: SpanFormat, files: NamedText[], annotator: string): SpanImportPlan {
  const source = read(store, project, format, files);
  const problems = [...source.problems];
  const articles = store.articles(project.id);
  const byText = new Map<string, Article>();
  for (const a of articles) if (!byText.has(a.text)) byText.set(a.text, a);
  const defaultAnnotator = annotator.trim();
  const documents: PlannedDocument[] = [];
  // brat keeps one annotator's work per .ann: two on one text are two annotators (a Framelens
  // export holds one per annotator), whose spans one import would give to one person.
  const seen = new Map<string, string>();
  for (const doc of source.documents) {
    if (format !== 'brat' || doc.kind !== 'text') continue;
    const first = seen.get(doc.text);
    if (first) problems.push(`${doc.name}: the same text as ${first}, annotated again: import one annotator's files at a time`);
    else seen.set(doc.text, doc.name);
  }
  for (const doc of source.documents) {
    let article: Article | undefined;
    let text: string;
    if (doc.kind === 'article') {
      article = articles.find((a) => a.id === doc.articleId);
      text = article?.text ?? '';
    } else {
      article = byText.get(doc.text);
      text = doc.text;
      const bad = article ? null : articleTextProblem(text);
      if (bad) {
        problems.push(`${doc.name}: ${bad.message}`);
        continue;
      }
    }
    const sentences = article?.sentences ?? segment(text);
    const spans: PlannedSpan[] = [];
    for (const span of doc.spans) {
      const annotatorName = span.annotator ?? defaultAnnotator;
      if (annotatorName === '') {
        problems.push(`${span.where}: no annotator: name the annotator these spans are by`);
        continue;
      }
      const placement = place(sentences, span.start, span.end);
      if (placement.kind === 'outside') {
        problems.push(`${span.where}: "${text.slice(span.start, span.end)}" lies outside every sentence offered for tagging (between sentences, or on a line left out)`);
        continue;
      }
      spans.push({ ...span, annotatorName, placement });
    }
    const name = doc.name.replace(/^.*\//, '');
    documents.push({ name: doc.name, articleId: article?.id ?? null, title: article?.title ?? titleOf(text, name), text, sentences, spans });
  }
  // Every document needs an annotator when the files name none (its sentences may be marked reviewed).
  if (defaultAnnotator === '' && format !== 'csv') problems.push('Name the annotator these spans are by.');
  const names = new Set(documents.flatMap((d) => d.spans.map((s) => s.annotatorName)));
  if (defaultAnnotator !== '') names.add(defaultAnnotator);
  const checked = checkAnnotators(store, project, names);
  problems.push(...checked.problems);
  if (problems.length > 0) refuse(problems);

  const cats = categories(store.codebookOf(project));
  const counts = new Map<string, number>();
  for (const d of documents) for (const s of d.spans) counts.set(s.label, (counts.get(s.label) ?? 0) + 1);
  const crossing = documents.flatMap((d) =>
    d.spans.flatMap((s): CrossingSpan[] =>
      s.placement.kind === 'crossing'
        ? [{ document: d.name, where: s.where, label: s.label, text: d.text.slice(s.start, s.end), sentences: s.placement.pieces.map((p) => p.sentence + 1) }]
        : [],
    ),
  );
  return {
    projectId: project.id,
    format,
    documents,
    labels: [...counts].map(([label, spans]) => ({ label, spans, suggested: suggestCategory(label, cats) })),
    crossing,
    annotators: [...names].sort().map((name) => ({ name, isNew: checked.created.includes(name) })),
    ignored: source.ignored,
  };
}

/** Applies the choices to a checked plan: everything is checked again first, then stored. */
export async function applySpanImport(store: AppStore, project: Project, plan: SpanImportPlan, choices: SpanImportChoices, by: string): Promise<SpanImportResult> {
  const problems: string[] = [];
  const known = new Set(categories(store.codebookOf(project)).map((c) => c.id));
  for (const { label } of plan.labels) {
    if (!choices.categories.has(label)) problems.push(`Choose a category for "${label}", or leave its spans out.`);
    const chosen = choices.categories.get(label);
    if (chosen && !known.has(chosen)) problems.push(`"${chosen}" is not a category of the project's codebook.`);
  }
  const kept = (s: PlannedSpan) => (choices.categories.get(s.label) ?? null) !== null;
  const crossing = plan.documents.flatMap((d) => d.spans.filter((s) => kept(s) && s.placement.kind === 'crossing').map((s) => ({ d, s })));
  if (crossing.length > 0 && choices.crossing !== 'split') {
    problems.push(
      choices.crossing === 'refuse'
        ? `${crossing.length} span${crossing.length === 1 ? ' crosses' : 's cross'} a sentence boundary, and you chose not to split them:`
        : `${crossing.length} span${crossing.length === 1 ? ' crosses' : 's cross'} a sentence boundary: choose to split them at the boundaries, or not to import.`,
      ...crossing.map(({ d, s }) => `${s.where}: "${d.text.slice(s.start, s.end)}"`),
    );
  }
  // The project may have changed since the check: its articles and its members.
  for (const d of plan.documents) {
    if (d.articleId !== null && store.article(d.articleId)?.projectId !== project.id) {
      problems.push(`${d.name}: its article is no longer in the project: check the files again.`);
    }
  }
  const checked = checkAnnotators(store, project, plan.annotators.map((a) => a.name));
  problems.push(...checked.problems);
  if (problems.length > 0) refuse(problems);

  const ids = await addAnnotators(store, project, checked);
  const result: SpanImportResult = { imported: 0, skipped: 0, split: 0, pieces: 0, leftOut: 0, newArticles: [], matchedArticles: 0, newAnnotators: checked.created, reviewed: 0 };
  const start = Date.now();
  let made = 0;
  for (const d of plan.documents) {
    let articleId = d.articleId;
    if (articleId === null) {
      const article: Article = {
        id: newId(),
        projectId: project.id,
        title: d.title,
        source: '',
        url: '',
        publishedAt: '',
        text: d.text,
        sentences: d.sentences,
        // One millisecond apart: the articles keep the order of the files.
        createdAt: new Date(start + made++).toISOString(),
        createdBy: by,
      };
      await store.createArticle(article);
      articleId = article.id;
      result.newArticles.push(d.title);
    } else result.matchedArticles++;
    const byAnnotator = new Map<string, Omit<Tag, 'id' | 'articleId' | 'annotatorId'>[]>();
    const reviewers = new Set(plan.format === 'csv' ? d.spans.map((s) => s.annotatorName) : plan.annotators.map((a) => a.name));
    for (const s of d.spans) {
      const category = choices.categories.get(s.label) ?? null;
      if (category === null) {
        result.leftOut++;
        continue;
      }
      const pieces = s.placement.kind === 'inside' ? [{ sentence: s.placement.sentence, start: s.start, end: s.end }] : s.placement.kind === 'crossing' ? s.placement.pieces : [];
      if (s.placement.kind === 'crossing') {
        result.split++;
        result.pieces += pieces.length;
      }
      const now = new Date().toISOString();
      const list = byAnnotator.get(s.annotatorName) ?? [];
      for (const p of pieces) list.push({ sentence: p.sentence, start: p.start, end: p.end, category, voice: s.voice, intensity: s.intensity, note: s.note, createdAt: now, updatedAt: now, origin: { kind: 'manual' } });
      byAnnotator.set(s.annotatorName, list);
    }
    for (const name of new Set([...byAnnotator.keys(), ...reviewers])) {
      const annotatorId = ids.get(name);
      if (!annotatorId) continue;
      const tags = byAnnotator.get(name) ?? [];
      if (tags.length === 0 && !choices.markReviewed) continue;
      const target = articleId;
      await store.updateAnnotation(target, annotatorId, (annotation) => {
        for (const tag of tags) {
          if (annotation.tags.some((t) => t.start === tag.start && t.end === tag.end && t.category === tag.category)) {
            result.skipped++;
            continue;
          }
          annotation.tags.push({ id: newId(), articleId: target, annotatorId, ...tag });
          markReviewed(annotation, tag.sentence);
          result.imported++;
        }
        if (choices.markReviewed) {
          for (let s = 0; s < d.sentences.length; s++) {
            if (!annotation.reviewed.includes(s)) result.reviewed++;
            markReviewed(annotation, s);
          }
        }
      });
    }
  }
  return result;
}
