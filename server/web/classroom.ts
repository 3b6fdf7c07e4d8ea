// View models for classroom pages, shared by the teacher's routes (activities.ts, activity-*.ts)
// and the students' (lesson.ts): the lesson text as words, feedback beside the reference, heatmap.
import { nicknameFlags } from '../core/classroom/nickname.js';
import type { Annotation, Article, Codebook, Range, Tag } from '../core/model.js';
import { VOICE_LABELS } from '../core/model.js';
import { categories, findCategory } from '../core/codebook.js';
import { progress } from '../core/spans.js';
import { classDistribution, compareTags, pooledScores, wholePercent, type Status, type Feedback, type ReferenceOutcome, type Score } from '../core/classroom/feedback.js';
import { heatLevel, heatmap } from '../core/classroom/heatmap.js';
import { contested } from '../core/classroom/contested.js';
import { sentenceWords } from '../core/classroom/text.js';
import { categoryCounts, onlyIn } from '../core/classroom/compare.js';
import { mergeTags } from '../core/merged-tags.js';
import type { Activity, ReferenceTag, Student } from '../storage/activity-schemas.js';
import type { AppStore } from '../storage/app-store.js';
import { codebookOf, pieces, type Piece } from './views.js';

/** The stylesheet of every classroom page. */
export const CLASSROOM_STYLESHEETS = ['/public/css/classroom.css'];
/** How often the dashboard script asks for fresh counts (the brief: within 2 s of a tag). */
export const POLL_MS = 1500;

/** Where the teacher's pages of an activity live. */
export function activityPath(activity: Activity): string {
  return `/activities/${activity.id}`;
}

/** The dashboard's `?category=` filter, kept only if it names one of the codebook's categories. */
export function categoryFilter(codebook: Codebook, value: string | undefined): string {
  return value !== undefined && value !== '' && findCategory(codebook, value) ? value : '';
}

/** The activity's article copy (or one version's) as an Article, for the shared span helpers (progress, pieces). */
export function lessonArticle(activity: Activity, text: LessonCopy = activity.article): Article {
  return {
    id: activity.id,
    projectId: activity.id,
    title: text.title,
    source: text.source,
    url: '',
    publishedAt: '',
    text: text.text,
    sentences: text.sentences,
    createdAt: activity.createdAt,
    createdBy: activity.teacherId,
  };
}

const wordCache = new WeakMap<object, Range[][]>();

/** The words of every sentence of a lesson text (a copy never changes, so cached). */
export function textWords(text: LessonCopy): Range[][] {
  let words = wordCache.get(text);
  if (!words) wordCache.set(text, (words = sentenceWords(text)));
  return words;
}

/** The words of every sentence of the activity's article. */
export function lessonWords(activity: Activity): Range[][] {
  return textWords(activity.article);
}

// Versions: a comparison lesson's texts of one event (a one-article lesson has one version).

export type LessonCopy = Activity['article'];

export interface LessonVersion {
  /** 1-based, as students read it: "Version 1 of 2". */
  number: number;
  total: number;
  article: LessonCopy;
  reference: ReferenceTag[];
  /** The outlet's name (the source, else the headline). */
  outlet: string;
  /** "Version 1 of 2: Sputnik" (for a one-article lesson, the headline). */
  label: string;
}

export function outletOf(text: LessonCopy): string {
  return text.source.trim() || text.title.trim() || 'Untitled';
}

export function lessonVersions(activity: Activity): LessonVersion[] {
  const list = [{ article: activity.article, reference: activity.reference }, ...(activity.comparison?.versions ?? [])];
  return list.map((v, i) => {
    const outlet = outletOf(v.article);
    return { number: i + 1, total: list.length, ...v, outlet, label: list.length > 1 ? `Version ${i + 1} of ${list.length}: ${outlet}` : v.article.title };
  });
}

/** The version numbered `number`, if the activity has it. */
export function lessonVersion(activity: Activity, number: number): LessonVersion | undefined {
  return lessonVersions(activity)[number - 1];
}

/** A student's annotation of a version (an empty one where they have not tagged it yet). */
export function studentAnnotation(student: Student, number: number): Annotation {
  if (number === 1) return student.annotation;
  return student.versions[number - 2] ?? { ...student.annotation, reviewed: [], tags: [], updatedAt: '' };
}

/** Where a student tags a version's sentences: `/lesson/sentences` for a one-article lesson, as always. */
export function sentencesBase(activity: Activity, number: number): string {
  return activity.comparison ? `/lesson/versions/${number}/sentences` : '/lesson/sentences';
}

/** Reference tags over every version. */
export function referenceCount(activity: Activity): number {
  return lessonVersions(activity).reduce((n, v) => n + v.reference.length, 0);
}

export function activityCodebook(store: AppStore, activity: Activity): Codebook {
  return codebookOf(store, activity);
}

export function revealed(activity: Activity): boolean {
  return activity.revealedAt !== null;
}

export function percent(value: number | null): string {
  return value === null ? '—' : `${wholePercent(value)}%`;
}

export function sentenceText(activity: Activity, index: number): string {
  const r = activity.article.sentences[index];
  return r ? activity.article.text.slice(r.start, r.end) : '';
}


export function studentTags(students: Student[]): Tag[][] {
  return students.map((s) => s.annotation.tags);
}

// Feedback

interface CategoryInfo {
  name: string;
}

function namer(codebook: Codebook): (id: string) => string {
  const names = new Map<string, CategoryInfo>(categories(codebook).map((c) => [c.id, { name: c.name }]));
  return (id) => names.get(id)?.name ?? id;
}

export interface DistributionView {
  matched: number;
  missed: number;
  students: number;
  confused: { category: string; name: string; count: number }[];
}

function distributionView(outcome: ReferenceOutcome | undefined, name: (id: string) => string): DistributionView | null {
  if (!outcome) return null;
  return {
    matched: outcome.matched,
    missed: outcome.missed,
    students: outcome.students,
    confused: [...outcome.confused].map(([category, count]) => ({ category, name: name(category), count })).sort((a, b) => b.count - a.count),
  };
}

export interface FeedbackItemView {
  status: Status;
  /** Matched with boundaries that differ. */
  partial: boolean;
  credit: string;
  reference: { id: string; text: string; category: string; name: string; voice: string; rationale: string } | null;
  mine: { id: string; text: string; category: string; name: string } | null;
  distribution: DistributionView | null;
}

export interface ScoreRow {
  category: string;
  name: string;
  tags: number;
  reference: number;
  precision: string;
  recall: string;
  f1: string;
}

function scoreRows(codebook: Codebook, byCategory: Map<string, Score>, name: (id: string) => string): ScoreRow[] {
  const ids = [...categories(codebook).map((c) => c.id), ...[...byCategory.keys()].filter((id) => !categories(codebook).some((c) => c.id === id))];
  return ids
    .filter((id) => byCategory.has(id))
    .map((id) => {
      const s = byCategory.get(id) as Score;
      return { category: id, name: name(id), tags: s.tags, reference: s.reference, precision: percent(s.precision), recall: percent(s.recall), f1: percent(s.f1) };
    });
}

function overallRow(s: Score): ScoreRow {
  return { category: '', name: 'Overall', tags: s.tags, reference: s.reference, precision: percent(s.precision), recall: percent(s.recall), f1: percent(s.f1) };
}

/** The feedback in plain words, for the summary a student reads first. */
export interface FeedbackSummary {
  /** Reference tags found with the right category (matched or covered), and how many of them only in part. */
  found: number;
  partly: number;
  reference: number;
  /** The student's tags: all, those on a reference span with another category, those the reference has nothing for. */
  tags: number;
  otherCategory: number;
  notInReference: number;
}

/** One sentence's items counted for its one-line summary: found, other category, missed, extra. */
export interface SentenceTally {
  found: number;
  otherCategory: number;
  missed: number;
  extra: number;
}

export interface FeedbackView {
  summary: FeedbackSummary;
  sentences: {
    index: number;
    text: string;
    /** The sentence's opening words, for its collapsed summary line. */
    excerpt: string;
    tally: SentenceTally;
    mine: Piece[];
    reference: Piece[];
    items: FeedbackItemView[];
  }[];
  scores: ScoreRow[];
  overall: ScoreRow;
  counts: Feedback<ReferenceTag, Tag>['counts'];
}

/** The opening words of `text`, at most about `length` characters, cut at a space. */
export function excerpt(text: string, length = 60): string {
  if (text.length <= length) return text;
  const cut = text.lastIndexOf(' ', length);
  return `${text.slice(0, cut > length / 2 ? cut : length).replace(/[\s,;:–—-]+$/u, '')}…`;
}

function tally(items: { status: Status }[]): SentenceTally {
  const count = (...statuses: Status[]) => items.filter((i) => statuses.includes(i.status)).length;
  return { found: count('matched', 'covered'), otherCategory: count('confusion'), missed: count('missed'), extra: count('extra') };
}

/** One student's tags beside the reference, with the class's anonymous distribution per reference tag. */
export function feedbackView(activity: Activity, codebook: Codebook, tags: Tag[], distribution: Map<string, ReferenceOutcome> | null): FeedbackView {
  const result = compareTags(lessonWords(activity), activity.reference, tags);
  return comparisonView(activity.article, codebook, activity.reference, tags, result, distribution);
}

/** The same for one version of a comparison lesson: the student's tags on it beside its reference. */
export function versionFeedback(version: LessonVersion, codebook: Codebook, tags: Tag[], distribution: Map<string, ReferenceOutcome> | null): FeedbackView {
  const result = compareTags(textWords(version.article), version.reference, tags);
  return comparisonView(version.article, codebook, version.reference, tags, result, distribution);
}

/**
 * Someone's tags beside a reference on a text: the classroom's feedback view, also used for an
 * annotator beside gold (routes/curation.ts), where the reference's rationale is gold's note.
 */
export function comparisonView<R extends ReferenceTag>(
  doc: { text: string; sentences: Range[] },
  codebook: Codebook,
  reference: R[],
  tags: Tag[],
  result: Feedback<R, Tag>,
  distribution: Map<string, ReferenceOutcome> | null,
): FeedbackView {
  const name = namer(codebook);
  const text = doc.text;
  const slice = (t: { start: number; end: number }) => text.slice(t.start, t.end);
  const all = result.sentences.flatMap((s) => s.items);
  return {
    summary: {
      found: result.counts.matched + result.counts.covered,
      partly: all.filter((i) => (i.status === 'matched' || i.status === 'covered') && i.credit < 1).length,
      reference: reference.length,
      tags: tags.length,
      otherCategory: result.counts.confusion,
      notInReference: result.counts.extra,
    },
    sentences: result.sentences.map((s) => {
      const range = doc.sentences[s.sentence] ?? { start: 0, end: 0 };
      const sentence = text.slice(range.start, range.end);
      return {
        index: s.sentence,
        text: sentence,
        excerpt: excerpt(sentence),
        tally: tally(s.items),
        mine: pieces(text, range, tags.filter((t) => t.sentence === s.sentence)),
        reference: pieces(text, range, reference.filter((t) => t.sentence === s.sentence)),
        items: s.items.map((item) => {
          const ref = item.status === 'extra' ? null : item.reference;
          const mine = item.status === 'missed' ? null : item.tag;
          return {
            status: item.status,
            partial: (item.status === 'matched' || item.status === 'covered') && item.credit < 1,
            credit: percent(item.credit),
            reference: ref && {
              id: ref.id,
              text: slice(ref),
              category: ref.category,
              name: name(ref.category),
              voice: VOICE_LABELS[ref.voice],
              rationale: ref.rationale,
            },
            mine: mine && { id: mine.id, text: slice(mine), category: mine.category, name: name(mine.category) },
            distribution: ref && distribution ? distributionView(distribution.get(ref.id), name) : null,
          };
        }),
      };
    }),
    scores: scoreRows(codebook, result.byCategory, name),
    overall: overallRow(result.overall),
    counts: result.counts,
  };
}

export function distributionOf(activity: Activity, students: Student[], number = 1): Map<string, ReferenceOutcome> {
  const version = lessonVersion(activity, number);
  if (!version) return new Map();
  return classDistribution(textWords(version.article), version.reference, students.map((s) => studentAnnotation(s, number).tags));
}

/** The class: pooled scores, per student scores, and per reference tag the distribution. */
export function classResults(activity: Activity, codebook: Codebook, students: Student[], number = 1) {
  const version = lessonVersion(activity, number) ?? lessonVersions(activity)[0]!;
  const words = textWords(version.article);
  const name = namer(codebook);
  const perStudent = students.map((s) => ({ student: s, feedback: compareTags(words, version.reference, studentAnnotation(s, version.number).tags) }));
  const pooled = pooledScores(perStudent.map((p) => p.feedback));
  const distribution = distributionOf(activity, students, version.number);
  return {
    students: perStudent.map(({ student, feedback }) => ({
      id: student.id,
      nickname: student.nickname,
      tags: feedback.overall.tags,
      counts: feedback.counts,
      precision: percent(feedback.overall.precision),
      recall: percent(feedback.overall.recall),
      f1: percent(feedback.overall.f1),
    })),
    scores: scoreRows(codebook, pooled.byCategory, name),
    overall: overallRow(pooled.overall),
    reference: version.reference
      .slice()
      .sort((a, b) => a.start - b.start)
      .map((r) => ({
        id: r.id,
        sentence: r.sentence,
        text: version.article.text.slice(r.start, r.end),
        category: r.category,
        name: name(r.category),
        rationale: r.rationale,
        distribution: distributionView(distribution.get(r.id), name),
      })),
  };
}

// Dashboard

export interface DashboardData {
  status: Activity['status'];
  revealed: boolean;
  category: string;
  joined: number;
  tags: number;
  /** `flag`: why the teacher should look twice at the nickname (mixed alphabets, a look-alike), or null. */
  students: { nickname: string; reviewed: number; total: number; tags: number; flag: string | null }[];
  /** A comparison lesson's versions: the class's tags per outlet and category, students done. Empty for one article. */
  versions: VersionTally[];
  /** Per sentence, per word: students who tagged it, and its colour step 0–5. */
  counts: number[][];
  levels: number[][];
  contested: { sentence: number; text: string; tagged: number; total: number; reason: 'split' | 'half'; categories: { category: string; name: string; count: number }[] }[];
}

export function dashboardData(activity: Activity, codebook: Codebook, students: Student[], category: string): DashboardData {
  const words = lessonWords(activity);
  const tags = studentTags(students);
  const counts = heatmap(words, tags, category === '' ? undefined : category);
  const article = lessonArticle(activity);
  const name = namer(codebook);
  const flags = nicknameFlags(students);
  const versions = lessonVersions(activity);
  return {
    status: activity.status,
    revealed: revealed(activity),
    category,
    joined: students.length,
    tags: students.reduce((n, s) => n + versions.reduce((m, v) => m + studentAnnotation(s, v.number).tags.length, 0), 0),
    students: students.map((s) => {
      // Over every version: a comparison lesson is done when each version is.
      let reviewed = 0;
      let total = 0;
      let tagCount = 0;
      for (const v of versions) {
        const annotation = studentAnnotation(s, v.number);
        const p = v.number === 1 ? progress(article, annotation) : progress(lessonArticle(activity, v.article), annotation);
        reviewed += p.reviewed;
        total += p.total;
        tagCount += annotation.tags.length;
      }
      return { nickname: s.nickname, reviewed, total, tags: tagCount, flag: flags.get(s.id) ?? null };
    }),
    versions: versions.length > 1 ? versionTallies(activity, codebook, students, category) : [],
    counts,
    levels: counts.map((row) => row.map((c) => heatLevel(c, students.length))),
    contested: contested(words, tags).map((c) => ({
      sentence: c.sentence,
      text: activity.article.text.slice(c.start, c.end),
      tagged: c.tagged,
      total: c.total,
      reason: c.reason,
      categories: c.categories.map((x) => ({ category: x.category, name: name(x.category), count: x.count })),
    })),
  };
}

export interface HeatParagraph {
  sentences: { index: number; pieces: Piece[] }[];
}

/** The article (or a version's text) as paragraphs of word pieces (a line break between sentences starts a paragraph). */
export function heatParagraphs(activity: Activity, article: LessonCopy = activity.article): HeatParagraph[] {
  const words = textWords(article);
  const paragraphs: HeatParagraph[] = [];
  let previousEnd = -1;
  article.sentences.forEach((range, index) => {
    const gap = previousEnd < 0 ? '\n' : article.text.slice(previousEnd, range.start);
    if (gap.includes('\n') || paragraphs.length === 0) paragraphs.push({ sentences: [] });
    paragraphs[paragraphs.length - 1]?.sentences.push({ index, pieces: pieces(article.text, range, [], words[index] ?? []) });
    previousEnd = range.end;
  });
  return paragraphs;
}

// Comparison lessons: the class's tags per outlet (dashboard) and the versions side by side (reveal).

export interface VersionTally {
  number: number;
  outlet: string;
  /** Students who have done every sentence of this version. */
  done: number;
  tags: number;
  /** The class's tags per category, in codebook order; every category, zeros included. */
  categories: { category: string; name: string; count: number }[];
  /** The version's heatmap (per sentence, per word: students, colour step), under the dashboard's category filter. */
  counts: number[][];
  levels: number[][];
}

export function versionTallies(activity: Activity, codebook: Codebook, students: Student[], category = ''): VersionTally[] {
  const name = namer(codebook);
  const order = categories(codebook).map((c) => c.id);
  return lessonVersions(activity).map((v) => {
    const article = lessonArticle(activity, v.article);
    const annotations = students.map((s) => studentAnnotation(s, v.number));
    const all = annotations.flatMap((a) => a.tags);
    const counts = new Map(categoryCounts(all, order).map((c) => [c.category, c.count]));
    const ids = [...order, ...[...counts.keys()].filter((c) => !order.includes(c))];
    const heat = heatmap(textWords(v.article), annotations.map((a) => a.tags), category === '' ? undefined : category);
    return {
      counts: heat,
      levels: heat.map((row) => row.map((c) => heatLevel(c, students.length))),
      number: v.number,
      outlet: v.outlet,
      done: annotations.filter((a) => {
        const p = progress(article, a);
        return p.total > 0 && p.reviewed === p.total;
      }).length,
      tags: all.length,
      categories: ids.map((id) => ({ category: id, name: name(id), count: counts.get(id) ?? 0 })),
    };
  });
}

export interface CompareTagView {
  id: string;
  text: string;
  category: string;
  name: string;
  /** Students who tagged it (class tags); 0 for a reference tag. */
  count: number;
  rationale: string;
}

export interface CompareCell {
  index: number;
  pieces: Piece[];
  reference: CompareTagView[];
  class: CompareTagView[];
}

export interface CompareView {
  story: string;
  students: number;
  versions: (LessonVersion & {
    /** Sentences of this version no other version tells. */
    onlyCount: number;
    reference: ReferenceTag[];
    referenceCounts: { category: string; name: string; count: number }[];
    classCounts: { category: string; name: string; count: number }[];
  })[];
  rows: { number: number; onlyIn: number | null; cells: CompareCell[][] }[];
}

/**
 * The versions side by side, one column per outlet and one row per aligned group: each sentence
 * with the reference highlighted (or the class's tags, where a version has no reference), the
 * reference tags with their reasons, and the class's tags with how many students made each.
 */
export function compareView(activity: Activity, codebook: Codebook, students: Student[]): CompareView | null {
  const comparison = activity.comparison;
  if (!comparison) return null;
  const name = namer(codebook);
  const order = categories(codebook).map((c) => c.id);
  const versions = lessonVersions(activity);
  const marks = versions.map((v) => mergeTags(students.map((s) => studentAnnotation(s, v.number).tags)));
  const counted = (list: { category: string }[]) => categoryCounts(list, order).map((c) => ({ ...c, name: name(c.category) }));
  const onlyCounts = versions.map(() => 0);
  const rows = comparison.groups.map((group, g) => {
    const only = onlyIn(group);
    if (only !== null) onlyCounts[only] = (onlyCounts[only] ?? 0) + (group[only]?.length ?? 0);
    return {
      number: g + 1,
      onlyIn: only,
      cells: versions.map((v, col) =>
        (group[col] ?? []).flatMap((index) => {
          const range = v.article.sentences[index];
          if (!range) return [];
          const text = v.article.text;
          const reference = v.reference.filter((t) => t.sentence === index).sort((a, b) => a.start - b.start);
          const mine = (marks[col] ?? []).filter((m) => m.sentence === index);
          const view = (t: { id: string; start: number; end: number; category: string }, count: number, rationale: string): CompareTagView => ({
            id: t.id,
            text: text.slice(t.start, t.end),
            category: t.category,
            name: name(t.category),
            count,
            rationale,
          });
          return [
            {
              index,
              pieces: pieces(text, range, v.reference.length > 0 ? reference : mine, textWords(v.article)[index] ?? []),
              reference: reference.map((t) => view(t, 0, t.rationale)),
              class: mine.sort((a, b) => b.count - a.count || a.start - b.start).map((m) => view(m, m.count, '')),
            },
          ];
        }),
      ),
    };
  });
  return {
    story: comparison.story,
    students: students.length,
    versions: versions.map((v, i) => ({
      ...v,
      onlyCount: onlyCounts[i] ?? 0,
      referenceCounts: counted(v.reference),
      classCounts: counted(students.flatMap((s) => studentAnnotation(s, v.number).tags)),
    })),
    rows,
  };
}
