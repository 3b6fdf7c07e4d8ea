// A whole study as one value — what `framelens migrate` copies between the JSON folder and
// PostgreSQL — with its counts and checksums, so that both ends can be compared tag by tag. It is
// read from either backend through the storage interface (AppStore).
import { createHash } from 'node:crypto';
import type { Gold } from '../core/curation/gold.js';
import type { Annotation, Article, Codebook, Tag } from '../core/model.js';
import type { ActivityCollection, AppStore } from './app-store.js';
import type { Activity, Student } from './activity-schemas.js';
import type { Accounts, Instance, Project } from './schemas.js';
import type { Story } from './stories.js';
import type { Store } from './store.js';

/** A classroom activity with its students (their nicknames and tags). */
export interface ClassroomActivity {
  activity: Activity;
  students: Student[];
}

export interface Study {
  instance: Instance;
  accounts: Accounts;
  projects: Project[];
  /** Uploaded codebooks only: the shipped ones come with Framelens. */
  codebooks: Codebook[];
  articles: Article[];
  /** Every annotator's annotation of every article (order does not matter). */
  annotations: Annotation[];
  /** Every project's stories, each project's in their order. */
  stories: Story[];
  /** The curated gold of the articles that have any. */
  gold: Gold[];
  activities: ClassroomActivity[];
}

export interface StudyCounts {
  accounts: number;
  projects: number;
  codebooks: number;
  articles: number;
  annotations: number;
  tags: number;
  reviewed: number;
  stories: number;
  gold: number;
  activities: number;
  students: number;
}

export interface StudySummary {
  counts: StudyCounts;
  /** `article/annotator/tag` → sha256 of the tag's every field. */
  tags: Map<string, string>;
  /** sha256 of the whole study in a canonical order. */
  checksum: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function tagChecksum(t: Tag): string {
  const fields: unknown[] = [t.id, t.articleId, t.annotatorId, t.sentence, t.start, t.end, t.category, t.voice, t.intensity, t.note, t.createdAt, t.updatedAt];
  // Where it came from (a suggestion accepted) counts when the tag has it.
  if (t.origin) fields.push(t.origin);
  return sha256(JSON.stringify(fields));
}

/** Counts and checksums: equal summaries mean equal studies, tag order and every field included. */
export function summarise(study: Study): StudySummary {
  const whole = createHash('sha256');
  const line = (value: unknown) => whole.update(`${JSON.stringify(value)}\n`);
  const { instance, accounts } = study;
  line([instance.sessionSecret, instance.createdAt, accounts.setupTokenHash]);
  for (const u of accounts.users) line([u.id, u.name, u.role, u.passwordHash, u.createdAt, u.resetToken?.hash ?? null, u.resetToken?.expiresAt ?? null]);
  for (const p of study.projects) line(p);
  for (const c of [...study.codebooks].sort((a, b) => byCodeUnits(a.id, b.id))) line(c);
  for (const a of [...study.articles].sort((x, y) => byCodeUnits(x.id, y.id))) {
    line([a.id, a.projectId, a.title, a.source, a.url, a.publishedAt, a.text, a.sentences.map((s) => [s.start, s.end]), a.createdAt, a.createdBy]);
  }
  const tags = new Map<string, string>();
  let tagCount = 0;
  let reviewed = 0;
  const annotations = [...study.annotations].sort((x, y) => byCodeUnits(x.articleId, y.articleId) || byCodeUnits(x.annotatorId, y.annotatorId));
  for (const a of annotations) {
    const own = a.tags.map((t) => {
      const checksum = tagChecksum(t);
      tags.set(`${t.articleId}/${t.annotatorId}/${t.id}`, checksum);
      return checksum;
    });
    tagCount += a.tags.length;
    reviewed += a.reviewed.length;
    line([a.articleId, a.annotatorId, a.reviewed, a.updatedAt, own, ...(a.rejected ? [a.rejected] : [])]);
  }
  // Documents kept whole (as their files hold them): each in a canonical order, every field counted.
  for (const story of study.stories) line(story);
  for (const gold of [...study.gold].sort((x, y) => byCodeUnits(x.articleId, y.articleId))) line(gold);
  let students = 0;
  for (const { activity, students: of } of [...study.activities].sort((x, y) => byCodeUnits(x.activity.id, y.activity.id))) {
    line(activity);
    for (const student of [...of].sort((x, y) => byCodeUnits(x.id, y.id))) line(student);
    students += of.length;
  }
  return {
    counts: {
      accounts: accounts.users.length,
      projects: study.projects.length,
      codebooks: study.codebooks.length,
      articles: study.articles.length,
      annotations: study.annotations.length,
      tags: tagCount,
      reviewed,
      stories: study.stories.length,
      gold: study.gold.length,
      activities: study.activities.length,
      students,
    },
    tags,
    checksum: whole.digest('hex'),
  };
}

/** What differs between the source's summary and the copy's, in words; empty when they match. */
export function differences(source: StudySummary, copy: StudySummary): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(source.counts) as (keyof StudyCounts)[]) {
    if (source.counts[key] !== copy.counts[key]) problems.push(`${key}: ${source.counts[key]} in the source, ${copy.counts[key]} in the copy`);
  }
  const wrong: string[] = [];
  for (const [key, checksum] of source.tags) if (copy.tags.get(key) !== checksum) wrong.push(key);
  for (const key of copy.tags.keys()) if (!source.tags.has(key)) wrong.push(key);
  if (wrong.length > 0) problems.push(`${wrong.length} tag${wrong.length === 1 ? '' : 's'} differ (${wrong.slice(0, 5).join(', ')}${wrong.length > 5 ? ', …' : ''})`);
  if (problems.length === 0 && source.checksum !== copy.checksum) {
    problems.push('the study checksums differ (accounts, projects, codebooks, articles, reviewed sentences, stories, gold or classroom activities)');
  }
  return problems;
}

/**
 * The study an AppStore holds, on either backend (opened, its tags loaded), with its classroom
 * activities (none when `activities` is absent); the `shipped` codebooks are left out. Tags are
 * read a page at a time, and only those of the articles listed.
 */
export async function readStudy(store: AppStore, shipped: ReadonlySet<string>, activities?: ActivityCollection): Promise<Study> {
  await store.ready;
  const articles = store.articles();
  const projects = store.projects.data.data.projects;
  const annotations: Annotation[] = [];
  for await (const annotation of store.eachAnnotation(articles.map((a) => a.id))) annotations.push(annotation);
  return {
    instance: structuredClone(store.instance.data.data),
    accounts: structuredClone(store.users.data.data),
    projects: structuredClone(projects),
    codebooks: store.codebooks().filter((c) => !shipped.has(c.id)),
    articles,
    annotations,
    stories: structuredClone(projects.flatMap((p) => store.stories.list(p.id))),
    gold: structuredClone(articles.filter((a) => store.curation.has(a.id)).map((a) => store.curation.gold(a.id))),
    activities: structuredClone(
      (activities?.activities() ?? []).map((activity) => ({ activity, students: activities?.students(activity.id) ?? [] })),
    ),
  };
}

/**
 * Writes `study` into a Store opened on a new, empty folder (its own instance secret replaced),
 * its classroom activities into `activities` (opened on the same folder).
 */
export async function writeStudyToFolder(store: Store, study: Study, activities: ActivityCollection): Promise<void> {
  await store.instance.update((file) => {
    file.data = structuredClone(study.instance);
  });
  await store.users.update((file) => {
    file.data = structuredClone(study.accounts);
  });
  await store.projects.update((file) => {
    file.data.projects = structuredClone(study.projects);
  });
  for (const codebook of study.codebooks) await store.saveCodebook(structuredClone(codebook));
  for (const article of study.articles) await store.createArticle(structuredClone(article));
  await Promise.all(study.annotations.map((annotation) => store.putAnnotation(annotation)));
  for (const story of study.stories) await store.stories.create(structuredClone(story));
  for (const gold of study.gold) await store.curation.replace(gold.articleId, structuredClone(gold));
  for (const { activity, students } of study.activities) {
    await activities.create(structuredClone(activity));
    for (const student of students) await activities.addStudent(activity.id, structuredClone(student));
  }
}
