// What a save changed of a tag shard (one annotator's annotation of one article): the change, not
// the whole file. The journal records it (a tag save journals the tag, ~1.4x its own JSON, where
// the whole shard was ~10x on the bench's study, and more for busy annotators), and PostgreSQL's
// save queue writes it (postgres/saves.ts).
import type { Annotation, Rejection, Tag } from '../core/model.js';
import type { ChangeCodec } from './journalled-file.js';
import { parse, shareTagStrings, type AnnotationChange, type AnnotationFile } from './schemas.js';

/** A copy deep enough that changes to the original leave it alone (tags are flat but for their origin). */
export function copyAnnotation(annotation: Annotation): Annotation {
  const { articleId, annotatorId, reviewed, tags, rejected, updatedAt } = annotation;
  return {
    articleId,
    annotatorId,
    reviewed: reviewed.slice(),
    tags: tags.map((tag) => (tag.origin ? { ...tag, origin: { ...tag.origin } } : { ...tag })),
    ...(rejected ? { rejected: rejected.map((r) => ({ ...r })) } : {}),
    updatedAt,
  };
}

function copy(file: AnnotationFile): AnnotationFile {
  return { schemaVersion: file.schemaVersion, data: copyAnnotation(file.data) };
}

/** Refuses a change that gave an annotation another article or annotator (it is stored under its own). */
export function checkNotMoved(articleId: string, annotatorId: string, after: Annotation): void {
  if (after.articleId !== articleId || after.annotatorId !== annotatorId) throw new Error('A save cannot move an annotation to another article or annotator.');
}

/** Whether two lists of rejected suggestions are the same (they only grow; a change is rare). */
function sameRejected(a: Rejection[] = [], b: Rejection[] = []): boolean {
  return a.length === b.length && a.every((r, i) => {
    const s = b[i];
    return s !== undefined && r.sentence === s.sentence && r.start === s.start && r.end === s.end && r.category === s.category && r.suggester === s.suggester && r.score === s.score && r.at === s.at;
  });
}

function sameProperties(a: object, b: object, same: (x: unknown, y: unknown) => boolean): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (!Object.hasOwn(b, key) || !same(Reflect.get(a, key), Reflect.get(b, key))) return false;
  return true;
}

const isObject = (x: unknown): x is object => typeof x === 'object' && x !== null;

/**
 * Field by field, the origin (a tag's one nested object) by its fields too: a copy of a tag, or
 * one read back from PostgreSQL, has an origin equal to the original's but not the same object,
 * and a tag taken for changed is written again (on PostgreSQL every save rewrote each of the
 * annotation's tags: 14 row updates a save on the bench's study, and growing with its tags).
 */
function sameTag(a: Tag, b: Tag): boolean {
  return sameProperties(a, b, (x, y) => x === y || (isObject(x) && isObject(y) && sameProperties(x, y, (p, q) => p === q)));
}

/** Replaces the tag with `tag`'s id in `tags`, or appends `tag`. */
function putTag(tags: Tag[], tag: Tag): void {
  const at = tags.findIndex((t) => t.id === tag.id);
  if (at < 0) tags.push(tag);
  else tags[at] = tag;
}

/** The tags after a change: removed ones dropped, edited ones replaced in place, new ones appended. */
export function tagsAfter(tags: Tag[], change: AnnotationChange): Tag[] {
  const removed = change.del ? new Set(change.del) : null;
  const out = removed ? tags.filter((tag) => !removed.has(tag.id)) : tags.slice();
  for (const tag of change.put ?? []) putTag(out, tag);
  return out;
}

/** The reviewed sentences after a change, in order (as spans.ts keeps them). */
function reviewedAfter(reviewed: number[], change: AnnotationChange): number[] {
  if (!change.mark && !change.unmark) return reviewed.slice();
  const unmarked = change.unmark ? new Set(change.unmark) : null;
  const out = unmarked ? reviewed.filter((s) => !unmarked.has(s)) : reviewed.slice();
  for (const s of change.mark ?? []) if (!out.includes(s)) out.push(s);
  return out.sort((a, b) => a - b);
}

function sameOrder<T>(a: T[], b: T[], key: (x: T) => unknown = (x) => x): boolean {
  return a.length === b.length && a.every((x, i) => key(x) === key(b[i] as T));
}

/**
 * What turns `b` into `a`: the tags put (added or edited) and removed, the sentences marked and
 * unmarked, and the time; null where no such change gives back `a` exactly (another annotation,
 * tags reordered, rejected suggestions changed), and the whole content must be written.
 */
export function annotationChange(before: Annotation, after: Annotation): AnnotationChange | null {
  if (before.articleId !== after.articleId || before.annotatorId !== after.annotatorId) return null;
  // A rejected suggestion is not a tag change: that save records the whole content.
  if (!sameRejected(before.rejected, after.rejected)) return null;
  const old = new Map(before.tags.map((tag) => [tag.id, tag]));
  if (old.size !== before.tags.length) return null;
  const kept = new Set<string>();
  const put: Tag[] = [];
  for (const tag of after.tags) {
    if (kept.has(tag.id)) return null;
    kept.add(tag.id);
    const was = old.get(tag.id);
    if (!was || !sameTag(was, tag)) put.push(tag);
  }
  const del = before.tags.filter((tag) => !kept.has(tag.id)).map((tag) => tag.id);
  const wasReviewed = new Set(before.reviewed);
  const isReviewed = new Set(after.reviewed);
  const mark = after.reviewed.filter((s) => !wasReviewed.has(s));
  const unmark = before.reviewed.filter((s) => !isReviewed.has(s));
  const change: AnnotationChange = { at: after.updatedAt };
  if (put.length > 0) change.put = put;
  if (del.length > 0) change.del = del;
  if (mark.length > 0) change.mark = mark;
  if (unmark.length > 0) change.unmark = unmark;
  // Replayed, the change must give back exactly this content (order included); when it cannot
  // (tags reordered, say), the whole content is recorded instead.
  if (!sameOrder(tagsAfter(before.tags, change), after.tags, (tag) => tag.id) || !sameOrder(reviewedAfter(before.reviewed, change), after.reviewed)) {
    return null;
  }
  return change;
}

export const annotationChanges: ChangeCodec<AnnotationFile, AnnotationFile> = {
  parse: parse.annotation,
  snapshot: copy,
  restore: copy,
  serialize: (file) => JSON.stringify(file),

  diff(before, after) {
    if (before.schemaVersion !== after.schemaVersion) return null;
    const change = annotationChange(before.data, after.data);
    return change && JSON.stringify(change);
  },

  check(body) {
    parse.annotationChange(body);
  },

  count: (file) => file.data.tags.length,

  apply(file, body) {
    const change = parse.annotationChange(body);
    const data = file.data;
    if (change.put) shareTagStrings(change.put, data.articleId, data.annotatorId);
    // In place where it can be: a start applies ~90,000 changes, most adding a tag or two, and
    // `file` is the start's own (read from the file or made by the records before this one).
    if (change.del) data.tags = tagsAfter(data.tags, change);
    else for (const tag of change.put ?? []) putTag(data.tags, tag);
    if (change.mark || change.unmark) data.reviewed = reviewedAfter(data.reviewed, change);
    data.updatedAt = change.at;
    return file;
  },
};
