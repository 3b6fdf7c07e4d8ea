// Import tags from a Framelens JSONL export into a project. Everything is checked before anything
// is stored — every line, and every annotator name against the accounts: one problem and nothing
// is imported, no account made.
import { z } from 'zod';
import type { Tag, TagOrigin } from '../core/model.js';
import { SUGGESTERS } from '../core/suggest/types.js';
import { categories } from '../core/codebook.js';
import { codePoints } from '../core/offsets.js';
import { markReviewed, sentenceAt } from '../core/spans.js';
import type { Project } from '../storage/schemas.js';
import type { AppStore } from '../storage/app-store.js';
import { newId } from '../storage/store.js';
import { addAnnotators, checkAnnotators } from './annotators.js';

/** A refused import: nothing was stored; the message lists the problems (400 on the web). */
export class ImportError extends Error {
  readonly status = 400;
  readonly refusal = true;
}

const record = z.object({
  article: z.string().max(64),
  article_title: z.string().max(300),
  sentence: z.number().int().min(1),
  start: z.number().int().min(0),
  end: z.number().int().min(1),
  /** Code points (exports since they were added); checked when present. */
  start_cp: z.number().int().min(0).optional(),
  end_cp: z.number().int().min(1).optional(),
  text: z.string().max(100_000),
  category: z.string().max(64),
  voice: z.enum(['author', 'quoted', 'paraphrase']),
  intensity: z.union([z.literal(1), z.literal(2), z.literal(3), z.null()]),
  note: z.string().max(2000),
  annotator: z.string().min(1).max(100),
  created: z.string().max(40),
  updated: z.string().max(40),
  // Exports since suggestions carry the origin; older ones have none (manual).
  origin: z.enum(['manual', 'suggestion']).default('manual'),
  suggester: z.enum(SUGGESTERS).nullable().default(null),
  suggestion_score: z.number().min(0).max(1).nullable().default(null),
  adjusted: z.boolean().nullable().default(null),
});

/** A sentence reviewed without tags (see ReviewedRecord in core/export/tags.ts). */
const reviewedRecord = z.object({
  article: z.string().max(64),
  article_title: z.string().max(300),
  sentence: z.number().int().min(1),
  annotator: z.string().min(1).max(100),
  reviewed: z.literal(true),
});

export interface ImportResult {
  imported: number;
  skipped: number;
  /** Sentences newly marked reviewed without tags. */
  reviewed: number;
  newAnnotators: string[];
}

export async function importTags(store: AppStore, project: Project, jsonl: string): Promise<ImportResult> {
  const articles = store.articles(project.id);
  const known = new Set(categories(store.codebookOf(project)).map((c) => c.id));
  const problems: string[] = [];
  type Planned =
    | { articleId: string; annotator: string; tag: Omit<Tag, 'id' | 'articleId' | 'annotatorId'> }
    | { articleId: string; annotator: string; reviewed: number };
  const planned: Planned[] = [];
  const findArticle = (id: string, title: string) =>
    articles.find((a) => a.id === id) ?? (articles.filter((a) => a.title === title).length === 1 ? articles.find((a) => a.title === title) : undefined);
  // A byte order mark (some editors add one) is not part of the first line's JSON.
  jsonl.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '' || problems.length >= 10) return;
    const where = `line ${i + 1}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      problems.push(`${where}: not JSON`);
      return;
    }
    if (parsed !== null && typeof parsed === 'object' && !('category' in parsed) && 'reviewed' in parsed) {
      const quiet = reviewedRecord.safeParse(parsed);
      if (!quiet.success) {
        problems.push(`${where}: ${quiet.error.issues.map((x) => `${x.path.join('.')} ${x.message}`).join('; ')}`);
        return;
      }
      const r = quiet.data;
      const article = findArticle(r.article, r.article_title);
      if (!article) return void problems.push(`${where}: no article "${r.article_title}" in this project`);
      if (r.sentence > article.sentences.length) return void problems.push(`${where}: the article has no sentence ${r.sentence}`);
      planned.push({ articleId: article.id, annotator: r.annotator, reviewed: r.sentence - 1 });
      return;
    }
    // Gold's rows of a tags.jsonl export (they carry provenance): gold comes back through the
    // curation page's gold import, not as an annotator called "gold".
    if (parsed !== null && typeof parsed === 'object' && 'agreed_by' in parsed && 'auto' in parsed) return;
    const result = record.safeParse(parsed);
    if (!result.success) {
      problems.push(`${where}: ${result.error.issues.map((x) => `${x.path.join('.')} ${x.message}`).join('; ')}`);
      return;
    }
    const r = result.data;
    const article = findArticle(r.article, r.article_title);
    if (!article) return void problems.push(`${where}: no article "${r.article_title}" in this project`);
    if (r.start >= r.end) return void problems.push(`${where}: a span must cover at least one character (start < end)`);
    if (article.text.slice(r.start, r.end) !== r.text) return void problems.push(`${where}: the span text does not match the article`);
    if (r.start_cp !== undefined || r.end_cp !== undefined) {
      const points = codePoints(article.text);
      if (r.start_cp !== points.toCodePoint(r.start) || r.end_cp !== points.toCodePoint(r.end)) {
        return void problems.push(`${where}: start_cp and end_cp (code points) do not match start and end (UTF-16 code units)`);
      }
    }
    if (sentenceAt(article.sentences, r.start) !== r.sentence - 1 || sentenceAt(article.sentences, r.end - 1) !== r.sentence - 1) {
      return void problems.push(`${where}: the span is not inside sentence ${r.sentence}`);
    }
    if (!known.has(r.category)) return void problems.push(`${where}: category "${r.category}" is not in the project's codebook`);
    planned.push({
      articleId: article.id,
      annotator: r.annotator,
      tag: {
        sentence: r.sentence - 1, start: r.start, end: r.end, category: r.category, voice: r.voice,
        intensity: r.intensity, note: r.note, createdAt: r.created, updatedAt: r.updated,
        origin: importedOrigin(r),
      },
    });
  });
  if (problems.length === 0 && planned.length === 0) problems.push('the file has no tags and no reviewed sentences');
  // New accounts are made for unknown names: every name is checked before any account is made.
  const annotators = checkAnnotators(store, project, planned.map((p) => p.annotator));
  problems.push(...annotators.problems);
  if (problems.length > 0) throw new ImportError(`Nothing was imported:\n${problems.slice(0, 20).join('\n')}${problems.length > 20 ? `\n…and ${problems.length - 20} more` : ''}`);

  const ids = await addAnnotators(store, project, annotators);
  const newAnnotators = annotators.created;

  let imported = 0;
  let skipped = 0;
  let reviewed = 0;
  const groups = new Map<string, typeof planned>();
  for (const p of planned) {
    const key = `${p.articleId}/${p.annotator}`;
    const group = groups.get(key);
    if (group) group.push(p);
    else groups.set(key, [p]);
  }
  for (const group of groups.values()) {
    const first = group[0];
    const annotatorId = first && ids.get(first.annotator);
    if (!first || !annotatorId) continue;
    await store.updateAnnotation(first.articleId, annotatorId, (annotation) => {
      for (const p of group) {
        if ('reviewed' in p) {
          if (!annotation.reviewed.includes(p.reviewed) && !annotation.tags.some((t) => t.sentence === p.reviewed)) reviewed++;
          markReviewed(annotation, p.reviewed);
          continue;
        }
        const { tag } = p;
        if (annotation.tags.some((t) => t.start === tag.start && t.end === tag.end && t.category === tag.category)) {
          skipped++;
          continue;
        }
        annotation.tags.push({ id: newId(), articleId: first.articleId, annotatorId, ...tag });
        markReviewed(annotation, tag.sentence);
        imported++;
      }
    });
  }
  return { imported, skipped, reviewed, newAnnotators };
}

/** A record's origin: a suggestion needs its suggester and score, else the tag counts as manual. */
function importedOrigin(r: { origin: 'manual' | 'suggestion'; suggester: (typeof SUGGESTERS)[number] | null; suggestion_score: number | null; adjusted: boolean | null }): TagOrigin {
  if (r.origin === 'suggestion' && r.suggester !== null && r.suggestion_score !== null) {
    return { kind: 'suggestion', suggester: r.suggester, score: r.suggestion_score, adjusted: r.adjusted ?? false };
  }
  return { kind: 'manual' };
}
