// Gold as JSON lines, for export and a lossless import: reading the lines back gives the same
// gold (spans, provenance, rejections, curated sentences, the whole history). Pure.
//
// One line per record, each with `record` and `article`; sentences are numbered from 1 as in
// every export, people are named by `name` (account names, or pseudonyms) and found again by
// `idOf` on import. Per article, in this order:
//   {"record":"gold", "article", "article_title", "finished": {"by","at"} | null, "updated"}
//   {"record":"span", then the tag export's columns (project, article, article_title, sentence,
//     start, end, text, category, voice, intensity, note, annotator: "gold", created, updated),
//     the provenance columns (provenance.ts), and what the file keeps besides: id, status,
//     from_merge, origin, reviewers, sources, decided_at}
//   {"record":"rejection", "sentence", "start", "end", "category", "variants", "by", "at"}
//   {"record":"curated", "sentence", "by", "at"}
//   {"record":"event", "at", "by", "action", "span", "sentence", "before", "after", "candidate", "reason"}
// Unknown fields (other exports' extra columns) are ignored; everything else is checked, and one
// bad line refuses the whole file.
import { z } from 'zod';
import type { Article } from '../model.js';
import { GOLD_ACTIONS, GOLD_ANNOTATOR, GOLD_STATUSES, emptyGold, type Gold, type GoldEvent, type GoldSpan, type SpanSnapshot } from './gold.js';
import { provenanceOf } from './provenance.js';
import { goldSchema } from './schema.js';

export class GoldImportError extends Error {}

export interface JsonlNames {
  /** Account id → the name written. */
  name: (id: string) => string;
}

const s1 = (sentence: number) => sentence + 1;

function snapshotOut(s: SpanSnapshot | null) {
  return s && { ...s, sentence: s1(s.sentence) };
}

/** The lines of one article's gold (each a JSON text without its line end). */
export function* goldLines(projectName: string, article: Article, gold: Gold, { name }: JsonlNames): Generator<string> {
  const line = (value: object) => JSON.stringify(value);
  const base = { article: article.id, article_title: article.title };
  yield line({ record: 'gold', ...base, finished: gold.finished && { by: name(gold.finished.by), at: gold.finished.at }, updated: gold.updatedAt });
  for (const s of gold.spans) {
    yield line({
      record: 'span',
      project: projectName,
      ...base,
      sentence: s1(s.sentence),
      start: s.start,
      end: s.end,
      text: article.text.slice(s.start, s.end),
      category: s.category,
      voice: s.voice,
      intensity: s.intensity,
      note: s.note,
      annotator: GOLD_ANNOTATOR,
      created: s.createdAt,
      updated: s.updatedAt,
      ...provenanceOf(s, name),
      id: s.id,
      status: s.status,
      from_merge: s.fromMerge,
      origin: s.origin && { ...s.origin, sentence: s1(s.origin.sentence) },
      reviewers: s.reviewers.map(name),
      sources: s.sources.map((x) => ({ annotator: name(x.annotatorId), tagId: x.tagId, start: x.start, end: x.end, category: x.category, voice: x.voice, intensity: x.intensity })),
      decided_at: s.decidedAt,
      contest_reason: s.contest?.reason ?? '',
      contest_previous: s.contest?.previous ?? null,
    });
  }
  for (const r of gold.rejections) yield line({ record: 'rejection', ...base, ...r, sentence: s1(r.sentence), by: name(r.by) });
  for (const c of gold.curated) yield line({ record: 'curated', ...base, sentence: s1(c.sentence), by: name(c.by), at: c.at });
  for (const e of gold.history) {
    yield line({
      record: 'event',
      ...base,
      ...e,
      by: name(e.by),
      sentence: e.sentence === null ? null : s1(e.sentence),
      before: snapshotOut(e.before),
      after: snapshotOut(e.after),
      candidate: e.candidate && { ...e.candidate, sentence: s1(e.candidate.sentence) },
    });
  }
}

// --- Import -------------------------------------------------------------------------------------

const sentence = z.number().int().min(1);
const offset = z.number().int().min(0);
const category = z.string().min(1).max(64);
const name = z.string().min(1).max(100);
const isoTime = z.string().max(40);
const voice = z.enum(['author', 'quoted', 'paraphrase']);
const intensity = z.union([z.literal(1), z.literal(2), z.literal(3), z.null()]);
const range = z.object({ start: offset, end: offset });
const key = { sentence, start: offset, end: offset, category };
const article = { article: z.string().min(1).max(64), article_title: z.string().max(300) };
const contest = z.object({ categories: z.array(category), reason: z.string().max(500), previous: z.enum(['auto', 'accepted', 'edited', 'added']) });
const snapshot = z.object({ ...key, voice, intensity, note: z.string().max(2000), status: z.enum(GOLD_STATUSES), contest: contest.nullable() });

const goldRecord = z.object({ record: z.literal('gold'), ...article, finished: z.object({ by: name, at: isoTime }).nullable(), updated: isoTime });
const spanRecord = z.object({
  record: z.literal('span'),
  ...article,
  ...key,
  text: z.string().max(100_000),
  voice,
  intensity,
  note: z.string().max(2000),
  created: isoTime,
  updated: isoTime,
  curator: z.string().max(100),
  competing_categories: z.array(category),
  id: z.string().min(1).max(64),
  status: z.enum(GOLD_STATUSES),
  from_merge: z.boolean(),
  origin: z.object({ ...key, variants: z.array(range) }).nullable(),
  reviewers: z.array(name),
  sources: z.array(z.object({ annotator: name, tagId: z.string().min(1).max(64), start: offset, end: offset, category, voice, intensity })),
  decided_at: isoTime.nullable(),
  contest_reason: z.string().max(500),
  contest_previous: z.enum(['auto', 'accepted', 'edited', 'added']).nullable(),
});
const rejectionRecord = z.object({ record: z.literal('rejection'), ...article, ...key, variants: z.array(range), by: name, at: isoTime });
const curatedRecord = z.object({ record: z.literal('curated'), ...article, sentence, by: name, at: isoTime });
const eventRecord = z.object({
  record: z.literal('event'),
  ...article,
  at: isoTime,
  by: name,
  action: z.enum(GOLD_ACTIONS),
  span: z.string().min(1).max(64).nullable(),
  sentence: sentence.nullable(),
  before: snapshot.nullable(),
  after: snapshot.nullable(),
  candidate: z.object(key).nullable(),
  reason: z.string().max(500),
});
const lineRecord = z.discriminatedUnion('record', [goldRecord, spanRecord, rejectionRecord, curatedRecord, eventRecord]);

export interface JsonlImport {
  /** The project's articles, to find each line's article (by id, or by a unique title) and check span texts. */
  articles: readonly Article[];
  /** A name back to an account id; undefined when nobody has that name. */
  idOf: (name: string) => string | undefined;
}

const s0 = (sentence: number) => sentence - 1;

function snapshotIn(s: z.infer<typeof snapshot> | null): SpanSnapshot | null {
  return s && { ...s, sentence: s0(s.sentence), contest: s.contest && { ...s.contest } };
}

/** Reads gold JSON lines back: one Gold per article named in them. Throws GoldImportError listing the problems. */
export function parseGoldJsonl(text: string, { articles, idOf }: JsonlImport): Gold[] {
  const problems: string[] = [];
  const golds = new Map<string, Gold>();
  const findArticle = (id: string, title: string) =>
    articles.find((a) => a.id === id) ?? (articles.filter((a) => a.title === title).length === 1 ? articles.find((a) => a.title === title) : undefined);
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '' || problems.length >= 10) return;
    const where = `line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      problems.push(`${where}: not JSON`);
      return;
    }
    const parsed = lineRecord.safeParse(value);
    if (!parsed.success) {
      problems.push(`${where}: ${parsed.error.issues.map((x) => `${x.path.join('.')} ${x.message}`).join('; ')}`);
      return;
    }
    const r = parsed.data;
    const art = findArticle(r.article, r.article_title);
    if (!art) return void problems.push(`${where}: no article "${r.article_title}" in this project`);
    let gold = golds.get(art.id);
    if (!gold) golds.set(art.id, (gold = emptyGold(art.id)));
    const unknown: string[] = [];
    const id = (who: string) => {
      const found = idOf(who);
      if (found === undefined) unknown.push(who);
      return found ?? '';
    };
    const inArticle = (s: number) => s0(s) < art.sentences.length;
    switch (r.record) {
      case 'gold':
        gold.finished = r.finished && { by: id(r.finished.by), at: r.finished.at };
        gold.updatedAt = r.updated;
        break;
      case 'span': {
        if (!inArticle(r.sentence)) problems.push(`${where}: sentence ${r.sentence} is past the article's end`);
        if (art.text.slice(r.start, r.end) !== r.text) problems.push(`${where}: the text at ${r.start}-${r.end} is not "${r.text.slice(0, 40)}"`);
        const span: GoldSpan = {
          id: r.id,
          sentence: s0(r.sentence),
          start: r.start,
          end: r.end,
          category: r.category,
          voice: r.voice,
          intensity: r.intensity,
          note: r.note,
          status: r.status,
          fromMerge: r.from_merge,
          origin: r.origin && { ...r.origin, sentence: s0(r.origin.sentence) },
          reviewers: r.reviewers.map(id),
          sources: r.sources.map((x) => ({ annotatorId: id(x.annotator), tagId: x.tagId, start: x.start, end: x.end, category: x.category, voice: x.voice, intensity: x.intensity })),
          decidedBy: r.curator === '' ? null : id(r.curator),
          decidedAt: r.decided_at,
          contest:
            r.status === 'contested' && r.contest_previous !== null
              ? { categories: r.competing_categories, reason: r.contest_reason, previous: r.contest_previous }
              : null,
          createdAt: r.created,
          updatedAt: r.updated,
        };
        gold.spans.push(span);
        break;
      }
      case 'rejection':
        gold.rejections.push({ sentence: s0(r.sentence), start: r.start, end: r.end, category: r.category, variants: r.variants, by: id(r.by), at: r.at });
        break;
      case 'curated':
        if (!inArticle(r.sentence)) problems.push(`${where}: sentence ${r.sentence} is past the article's end`);
        gold.curated.push({ sentence: s0(r.sentence), by: id(r.by), at: r.at });
        break;
      case 'event': {
        const event: GoldEvent = {
          at: r.at,
          by: id(r.by),
          action: r.action,
          span: r.span,
          sentence: r.sentence === null ? null : s0(r.sentence),
          before: snapshotIn(r.before),
          after: snapshotIn(r.after),
          candidate: r.candidate && { ...r.candidate, sentence: s0(r.candidate.sentence) },
          reason: r.reason,
        };
        gold.history.push(event);
        break;
      }
    }
    if (unknown.length > 0) problems.push(`${where}: nobody is called ${[...new Set(unknown)].map((n) => `"${n}"`).join(', ')}`);
  });
  // Each gold whole, as the file schema checks it (ids, contests, unique spans).
  for (const gold of golds.values()) {
    if (problems.length >= 10) break;
    const checked = goldSchema.safeParse(gold);
    if (!checked.success) problems.push(`article ${gold.articleId}: ${checked.error.issues.map((x) => `${x.path.join('.')} ${x.message}`).join('; ')}`);
  }
  if (problems.length > 0) throw new GoldImportError(problems.join('\n'));
  if (golds.size === 0) throw new GoldImportError('the file holds no gold');
  return [...golds.values()];
}
