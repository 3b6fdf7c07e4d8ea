// View models for classroom pages, shared by the teacher's routes (activities.ts, activity-*.ts)
// and the students' (lesson.ts): the lesson text as words, feedback beside the reference, heatmap.
import { nicknameFlags } from '../core/classroom/nickname.js';
import type { Article, Codebook, Range, Tag } from '../core/model.js';
import { VOICE_LABELS } from '../core/model.js';
import { categories, findCategory } from '../core/codebook.js';
import { progress } from '../core/spans.js';
import { classDistribution, compareTags, pooledScores, wholePercent, type Status, type Feedback, type ReferenceOutcome, type Score } from '../core/classroom/feedback.js';
import { heatLevel, heatmap } from '../core/classroom/heatmap.js';
import { contested } from '../core/classroom/contested.js';
import { sentenceWords } from '../core/classroom/text.js';
import type { Activity, ReferenceTag, Student } from '../storage/activity-schemas.js';
import type { Store } from '../storage/store.js';
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

/** The activity's article copy as an Article, for the shared span helpers (progress, pieces). */
export function lessonArticle(activity: Activity): Article {
  return {
    id: activity.id,
    projectId: activity.id,
    title: activity.article.title,
    source: activity.article.source,
    url: '',
    publishedAt: '',
    text: activity.article.text,
    sentences: activity.article.sentences,
    createdAt: activity.createdAt,
    createdBy: activity.teacherId,
  };
}

const wordCache = new WeakMap<object, Range[][]>();

/** The words of every sentence of the activity's article (the copy never changes, so cached). */
export function lessonWords(activity: Activity): Range[][] {
  let words = wordCache.get(activity.article);
  if (!words) wordCache.set(activity.article, (words = sentenceWords(activity.article)));
  return words;
}

export function activityCodebook(store: Store, activity: Activity): Codebook {
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

export function distributionOf(activity: Activity, students: Student[]): Map<string, ReferenceOutcome> {
  return classDistribution(lessonWords(activity), activity.reference, studentTags(students));
}

/** The class: pooled scores, per student scores, and per reference tag the distribution. */
export function classResults(activity: Activity, codebook: Codebook, students: Student[]) {
  const words = lessonWords(activity);
  const name = namer(codebook);
  const perStudent = students.map((s) => ({ student: s, feedback: compareTags(words, activity.reference, s.annotation.tags) }));
  const pooled = pooledScores(perStudent.map((p) => p.feedback));
  const distribution = distributionOf(activity, students);
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
    reference: activity.reference
      .slice()
      .sort((a, b) => a.start - b.start)
      .map((r) => ({
        id: r.id,
        sentence: r.sentence,
        text: activity.article.text.slice(r.start, r.end),
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
  return {
    status: activity.status,
    revealed: revealed(activity),
    category,
    joined: students.length,
    tags: tags.reduce((n, t) => n + t.length, 0),
    students: students.map((s) => {
      const p = progress(article, s.annotation);
      return { nickname: s.nickname, reviewed: p.reviewed, total: p.total, tags: s.annotation.tags.length, flag: flags.get(s.id) ?? null };
    }),
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

/** The article as paragraphs of word pieces (a line break between sentences starts a paragraph). */
export function heatParagraphs(activity: Activity): HeatParagraph[] {
  const words = lessonWords(activity);
  const paragraphs: HeatParagraph[] = [];
  let previousEnd = -1;
  activity.article.sentences.forEach((range, index) => {
    const gap = previousEnd < 0 ? '\n' : activity.article.text.slice(previousEnd, range.start);
    if (gap.includes('\n') || paragraphs.length === 0) paragraphs.push({ sentences: [] });
    paragraphs[paragraphs.length - 1]?.sentences.push({ index, pieces: pieces(activity.article.text, range, [], words[index] ?? []) });
    previousEnd = range.end;
  });
  return paragraphs;
}
