// Tag saves written in groups, as the JSON folder's journal does with its group commit: the saves
// that arrive while a group is being written form the next group, and a group is written by one
// statement, one implicit transaction and one WAL flush, however many saves it holds. A save is
// acknowledged only once that statement has committed (synchronous_commit stays on).
//
// A group is written optimistically: each annotation it changes is conditioned on the version it
// was read at, and an annotation this process wrote last is not read again (a bounded cache of
// them, keyed by a version drawn from one sequence, so a stale entry can only fail the condition,
// never write over another process's save). An annotation another process changed meanwhile is
// read again and its saves applied again; after a few such misses, or when its tags are reordered
// (written whole), its saves go through a transaction that locks the row (writeLocked).
//
// The same cache answers the read a save's request makes first (readFor(), in the statement of
// request-reads.ts): the statement sends back the versions, and tags only where the version is
// not the one the cache holds. Building each tag as JSON in the database and parsing it again in
// the app cost more CPU than the save itself (pg_stat_statements on the bench: 0.37 ms of
// database time a save, the largest statement).
//
// Measured on the bench (50 clients, bench/pg-worker.ts): one save per transaction made about
// two saves per WAL flush and spent a third of the process's CPU in socket writes; the locked
// transaction per group (BEGIN, lock-and-read, write, COMMIT) still paid four round trips and a
// read of every tag of each annotation per group. The numbers are in the commit and the README.
import type pg from 'pg';
import { emptyAnnotation, type Annotation } from '../../core/model.js';
import { annotationChange, checkNotMoved, copyAnnotation, tagsAfter } from '../annotation-changes.js';
import { parse, shareTagStrings, type AnnotationChange } from '../schemas.js';
import { NotFoundError } from '../store.js';
import { TAG_INSERT, TAG_UPSERT, annotationsQuery, parseAnnotation, tagColumns, tagUnnest } from './rows.js';
import type { AnnotationRow } from './request-reads.js';

export type Change = (annotation: Annotation) => void;

interface Pending {
  key: string;
  articleId: string;
  annotatorId: string;
  change: Change;
  resolve: () => void;
  reject: (error: unknown) => void;
}

type Transaction = <T>(work: (client: pg.PoolClient) => Promise<T>) => Promise<T>;

/** Groups written at once by one process; an annotation is in one of them at most. */
const WRITERS = 2;
/** Saves in one group at most (a statement's arrays stay small). */
const GROUP_SIZE = 200;
/**
 * Tags of the annotations the cache keeps, at most: ~25 MB of heap (255 bytes a tag, measured on
 * tags as read back). At 20,000 the bench's 50 clients, saving to any of 2,000 annotations, missed
 * it on half their reads, then on two thirds: each miss had the database build the annotation as
 * JSON and the app parse it again, and the save rate fell from round to round.
 */
const CACHED_TAGS = 100_000;
/** Conditioned writes of one annotation missed before its saves take the row's lock. */
const OPTIMISTIC_ATTEMPTS = 3;
/** Locked transactions tried again after a deadlock or a serialization failure. */
const LOCKED_ATTEMPTS = 5;

/** PostgreSQL's codes for a transaction that may succeed when run again. */
const RETRYABLE = new Set(['40P01', '40001']);

function retryable(error: unknown): boolean {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' && RETRYABLE.has(error.code);
}

const keyOf = (articleId: string, annotatorId: string) => `${articleId}/${annotatorId}`;

const PAIRS = 'unnest($1::text[], $2::text[]) AS p(a, b)';

/** The annotations of the pairs $1, $2, each with its version. */
const READ = annotationsQuery('(a.article_id, a.annotator_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))');

/** The same, locked, in one order for every process. */
const LOCK = `${READ} FOR UPDATE OF a`;

/** Rows for pairs without one, where the article exists (LOCK reads them after). */
const CREATE = `INSERT INTO annotations (article_id, annotator_id, reviewed, updated_at)
  SELECT p.a, p.b, '{}', '' FROM ${PAIRS}
  WHERE EXISTS (SELECT 1 FROM articles WHERE id = p.a)
  ORDER BY p.a COLLATE "C", p.b COLLATE "C"
  ON CONFLICT DO NOTHING`;

/** Every tag of the pairs $1, $2 (annotations written whole). */
const CLEAR = `DELETE FROM tags t USING ${PAIRS} WHERE t.article_id = p.a AND t.annotator_id = p.b`;

/** Annotation rows a locked group created for saves that all failed: no trace of them is left. */
const DROP = `DELETE FROM annotations n USING ${PAIRS} WHERE n.article_id = p.a AND n.annotator_id = p.b`;

const TAG_ROW = 'u(article_id, annotator_id, id, position, sentence, start_offset, end_offset, category, voice, intensity, note, created_at, updated_at, origin)';

/**
 * A group in one statement. Annotations new to the database are created ($1-$6: article,
 * annotator, reviewed as JSON, rejected as JSON, updatedAt, next tag position) where their
 * article exists and no other server created them first; the others are stamped ($7-$13, the
 * same and the version read) where still at that version. Tags are removed ($14-$16: article,
 * annotator, id) and put ($17…, tagColumns) only for annotations written. Returns those, with
 * their new versions.
 */
const WRITE = `WITH created AS (
    INSERT INTO annotations (article_id, annotator_id, reviewed, rejected, updated_at, next_position)
    SELECT x.a, x.b, translate(x.r, '[]', '{}')::int[], x.j, x.u, x.p
    FROM unnest($1::text[], $2::text[], $3::text[], $4::json[], $5::text[], $6::int[]) AS x(a, b, r, j, u, p)
    WHERE x.a IN (SELECT id FROM articles WHERE id = ANY($1::text[]))
    ON CONFLICT DO NOTHING
    RETURNING article_id, annotator_id, version
  ), stamped AS (
    UPDATE annotations n SET reviewed = translate(x.r, '[]', '{}')::int[], rejected = x.j, updated_at = x.u,
      next_position = x.p, version = nextval('annotation_versions')
    FROM unnest($7::text[], $8::text[], $9::text[], $10::json[], $11::text[], $12::int[], $13::bigint[]) AS x(a, b, r, j, u, p, v)
    WHERE n.article_id = x.a AND n.annotator_id = x.b AND n.version = x.v
      -- the rows found by their keys first: a join on unnest() alone is planned as a scan of every annotation
      AND n.ctid = ANY (ARRAY(SELECT k.ctid FROM unnest($7::text[], $8::text[]) AS y(a, b)
        CROSS JOIN LATERAL (SELECT ctid FROM annotations WHERE article_id = y.a AND annotator_id = y.b LIMIT 1) AS k))
    RETURNING n.article_id, n.annotator_id, n.version
  ), written AS (
    SELECT * FROM created UNION ALL SELECT * FROM stamped
  ), removed AS (
    DELETE FROM tags t USING unnest($14::text[], $15::text[], $16::text[]) AS d(a, b, id), written w
    WHERE w.article_id = d.a AND w.annotator_id = d.b AND t.article_id = d.a AND t.annotator_id = d.b AND t.id = d.id
  ), put AS (
    ${TAG_INSERT} SELECT u.* FROM ${tagUnnest(17)} AS ${TAG_ROW}
    WHERE EXISTS (SELECT 1 FROM written w WHERE w.article_id = u.article_id AND w.annotator_id = u.annotator_id)
    ${TAG_UPSERT}
  )
  SELECT article_id, annotator_id, version::text AS version FROM written`;

/**
 * The locked group's write (rows are locked and current): tags removed ($1-$3), annotations
 * stamped ($4-$9, as in WRITE) and tags put ($10…).
 */
const WRITE_LOCKED = `WITH removed AS (
    DELETE FROM tags t USING unnest($1::text[], $2::text[], $3::text[]) AS d(a, b, id)
    WHERE t.article_id = d.a AND t.annotator_id = d.b AND t.id = d.id
  ), stamped AS (
    UPDATE annotations n SET reviewed = translate(x.r, '[]', '{}')::int[], rejected = x.j, updated_at = x.u,
      next_position = x.p, version = nextval('annotation_versions')
    FROM unnest($4::text[], $5::text[], $6::text[], $7::json[], $8::text[], $9::int[]) AS x(a, b, r, j, u, p)
    WHERE n.article_id = x.a AND n.annotator_id = x.b
  ), put AS (
    ${TAG_INSERT} SELECT * FROM ${tagUnnest(10)}
    ${TAG_UPSERT}
  )
  SELECT 1`;

/**
 * `change` applied to a copy of `annotation` and stamped, with what it changed (null: the
 * annotation is written whole). What changed is checked, as the JSON folder checks a save's
 * record (the rest was checked when it was read or written: a save to an annotation of 500 tags
 * spent more on checking all of them again than on the rest of its work); where the change
 * cannot say it all (tags reordered, rejections) or does not pass the fast check, the whole
 * annotation is checked as a tag shard is.
 */
function changed(annotation: Annotation, change: Change): { after: Annotation; delta: AnnotationChange | null } {
  const after = copyAnnotation(annotation);
  change(after);
  checkNotMoved(annotation.articleId, annotation.annotatorId, after);
  after.updatedAt = new Date().toISOString();
  const delta = annotationChange(annotation, after);
  if (delta !== null && parse.annotationChange(delta) === delta) {
    // What the change does not say (the annotation's own fields, its rejections) is checked too.
    parse.annotation({ schemaVersion: 1, data: { ...after, tags: [] } });
    if (delta.put) shareTagStrings(delta.put, after.articleId, after.annotatorId);
    // The tags it left alone are the ones it was given (never changed: each change works on a
    // copy), not their copies: the annotation the cache keeps then holds one new tag, not a copy
    // of every tag (promoted to the old generation: the garbage collector's time a save doubled).
    after.tags = tagsAfter(annotation.tags, delta);
    return { after, delta };
  }
  return { after: parse.annotation({ schemaVersion: 1, data: after }).data, delta: null };
}

/** An annotation as stored, with its version (null: it has no row). */
interface Known {
  annotation: Annotation;
  version: number | null;
  nextPosition: number;
}

/** A column of a row pg returned (typed `any`), as unknown. */
function field(row: unknown, name: string): unknown {
  return row && typeof row === 'object' && name in row ? Reflect.get(row, name) : undefined;
}

function knownOf(row: unknown): Known {
  const version = Number(field(row, 'version'));
  const nextPosition = field(row, 'next_position');
  if (!Number.isSafeInteger(version) || typeof nextPosition !== 'number') throw new Error('an annotation row without its version');
  return { annotation: parseAnnotation(row), version, nextPosition };
}

/** The annotations this process wrote last, as written (least recently used dropped first). */
class AnnotationCache {
  readonly #entries = new Map<string, Known>();
  #tags = 0;

  get(key: string): Known | undefined {
    const known = this.#entries.get(key);
    if (known) {
      this.#entries.delete(key);
      this.#entries.set(key, known);
    }
    return known;
  }

  set(key: string, known: Known): void {
    this.delete(key);
    this.#entries.set(key, known);
    this.#tags += known.annotation.tags.length + 1;
    for (const [oldest, entry] of this.#entries) {
      if (this.#tags <= CACHED_TAGS) break;
      this.#entries.delete(oldest);
      this.#tags -= entry.annotation.tags.length + 1;
    }
  }

  delete(key: string): void {
    const known = this.#entries.get(key);
    if (!known) return;
    this.#entries.delete(key);
    this.#tags -= known.annotation.tags.length + 1;
  }
}

/** What one annotation's saves made of it: the change to write, and each save's outcome. */
interface Applied {
  known: Known;
  after: Annotation;
  /** Per save of the annotation, in order: undefined (applied) or why it stored nothing. */
  outcomes: unknown[];
  /** Tags removed and put, and the next tag position; null: the tags must be written whole. */
  change: { del: string[]; put: Parameters<typeof tagColumns>[0]; next: number } | null;
}

function apply(known: Known, saves: readonly Pending[]): Applied {
  let after = known.annotation;
  let delta: AnnotationChange | null = null;
  let stored = 0;
  const outcomes = saves.map((save): unknown => {
    try {
      ({ after, delta } = changed(after, save.change));
      stored++;
      return undefined;
    } catch (error) {
      return error;
    }
  });
  const applied: Applied = { known, after, outcomes, change: null };
  if (after === known.annotation) return applied;
  // One save stored (the usual group): its own change is the annotation's. Checked by changed(),
  // the change is used as it is, not written out and read back.
  const change = stored === 1 && delta !== null ? delta : annotationChange(known.annotation, after);
  if (change === null) return applied;
  const existing = new Set(known.annotation.tags.map((t) => t.id));
  let next = known.nextPosition;
  // An edited tag keeps its position (the upsert leaves it); a new one goes after the others.
  const put = (change.put ?? []).map((tag) => ({ tag, position: existing.has(tag.id) ? 0 : next++ }));
  applied.change = { del: change.del ?? [], put, next };
  return applied;
}

function settle(saves: readonly Pending[], outcomes: readonly unknown[]): void {
  for (const [i, save] of saves.entries()) {
    const outcome = outcomes[i];
    if (outcome === undefined) save.resolve();
    else save.reject(outcome);
  }
}

/** Saves grouped by annotation, in the order they came. */
function byAnnotation(group: readonly Pending[]): Map<string, Pending[]> {
  const out = new Map<string, Pending[]>();
  for (const save of group) {
    const list = out.get(save.key);
    if (list) list.push(save);
    else out.set(save.key, [save]);
  }
  return out;
}

/**
 * Writes a group in the transaction `client` is in, every annotation it changes locked first;
 * returns each save's outcome (undefined: stored once the transaction commits).
 */
async function writeLocked(client: pg.PoolClient, group: readonly Pending[]): Promise<unknown[]> {
  const saves = byAnnotation(group);
  const pairs = [...saves.values()].map((list) => list[0]).filter((save) => save !== undefined);
  const columns = (of: { articleId: string; annotatorId: string }[]) => [of.map((p) => p.articleId), of.map((p) => p.annotatorId)];
  const known = new Map<string, Known & { created: boolean }>();
  const lock = async (of: Pending[], created: boolean) => {
    const { rows } = await client.query(LOCK, columns(of));
    for (const row of rows) {
      const k = knownOf(row);
      known.set(keyOf(k.annotation.articleId, k.annotation.annotatorId), { ...k, created });
    }
  };
  await lock(pairs, false);
  const missing = pairs.filter((p) => !known.has(p.key));
  if (missing.length > 0) {
    await client.query(CREATE, columns(missing));
    await lock(missing, true);
  }

  const outcomes = new Map<Pending, unknown>();
  const rewritten: Annotation[] = [];
  const removed: { articleId: string; annotatorId: string; id: string }[] = [];
  const put: Parameters<typeof tagColumns>[0] = [];
  const stamped: { a: Annotation; next: number }[] = [];
  const dropped: Annotation[] = [];
  for (const [key, list] of saves) {
    const k = known.get(key);
    if (!k) {
      for (const save of list) outcomes.set(save, new NotFoundError('That article no longer exists.'));
      continue;
    }
    const applied = apply(k, list);
    list.forEach((save, i) => outcomes.set(save, applied.outcomes[i]));
    if (applied.after === k.annotation) {
      if (k.created) dropped.push(k.annotation);
      continue;
    }
    if (applied.change === null) {
      // Tags reordered, or rejected suggestions changed: the annotation's tags are written whole.
      rewritten.push(applied.after);
      for (const [position, tag] of applied.after.tags.entries()) put.push({ tag, position });
      stamped.push({ a: applied.after, next: applied.after.tags.length });
    } else {
      const { articleId, annotatorId } = applied.after;
      for (const id of applied.change.del) removed.push({ articleId, annotatorId, id });
      put.push(...applied.change.put);
      stamped.push({ a: applied.after, next: applied.change.next });
    }
  }
  if (dropped.length > 0) await client.query(DROP, columns(dropped));
  if (rewritten.length > 0) await client.query(CLEAR, columns(rewritten));
  if (stamped.length > 0) {
    await client.query(WRITE_LOCKED, [
      removed.map((r) => r.articleId),
      removed.map((r) => r.annotatorId),
      removed.map((r) => r.id),
      ...stampColumns(stamped),
      ...tagColumns(put),
    ]);
  }
  return group.map((save) => outcomes.get(save));
}

/** Annotations as WRITE's and WRITE_LOCKED's stamp columns (article … next tag position). */
function stampColumns(stamped: { a: Annotation; next: number }[]): unknown[] {
  return [
    stamped.map((s) => s.a.articleId),
    stamped.map((s) => s.a.annotatorId),
    stamped.map((s) => JSON.stringify(s.a.reviewed)),
    stamped.map((s) => (s.a.rejected ? JSON.stringify(s.a.rejected) : null)),
    stamped.map((s) => s.a.updatedAt),
    stamped.map((s) => s.next),
  ];
}

/** One process's queue of tag saves (PostgresDatabase.updateAnnotation). */
export class SaveQueue {
  readonly #pool: pg.Pool;
  readonly #transaction: Transaction;
  readonly #cache = new AnnotationCache();
  #pending: Pending[] = [];
  /** Annotations in a group being written: their next saves wait for the next group. */
  readonly #writing = new Set<string>();
  #groups = 0;
  #scheduled = false;

  constructor(pool: pg.Pool, transaction: Transaction) {
    this.#pool = pool;
    this.#transaction = transaction;
  }

  /**
   * For a read of the annotations `article/annotator` keys name (request-reads.ts, one statement
   * with the other reads of the requests asking at once): the version this process holds of each,
   * so that the statement sends back whole only those that changed since this process last wrote
   * or read them, and what to make of the rows it sends back. Each caller gets a copy; the
   * annotations read whole are kept for the next save, whose write then needs no read of its own.
   */
  readFor(keys: readonly string[]): { versions: (number | null)[]; take(rows: readonly AnnotationRow[]): Map<string, Annotation | Error> } {
    const known = new Map(keys.map((key) => [key, this.#cache.get(key)]));
    return {
      versions: keys.map((key) => known.get(key)?.version ?? null),
      take: (rows) => {
        const out = new Map<string, Annotation | Error>();
        for (const row of rows) {
          let k = known.get(row.key);
          if (row.data === null && k) {
            // As this process knows it (the version matched).
          } else {
            try {
              k = knownOf(row.data);
            } catch (error) {
              // A row the schema refuses fails its own reader, not the others the statement answered.
              out.set(row.key, error instanceof Error ? error : new Error(String(error)));
              continue;
            }
            const cached = this.#cache.get(row.key);
            // A write of ours that ended while this read ran holds a later version: it stays.
            if (!cached || cached.version === null || (k.version !== null && cached.version < k.version)) this.#cache.set(row.key, k);
          }
          out.set(row.key, copyAnnotation(k.annotation));
        }
        return out;
      },
    };
  }

  /** Resolves once the change is committed; rejects with why it stored nothing. */
  save(articleId: string, annotatorId: string, change: Change): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ key: keyOf(articleId, annotatorId), articleId, annotatorId, change, resolve, reject });
      // Saves made in the same turn of the event loop (Promise.all of many) start as one group.
      if (!this.#scheduled) {
        this.#scheduled = true;
        queueMicrotask(() => {
          this.#scheduled = false;
          this.#start();
        });
      }
    });
  }

  #start(): void {
    while (this.#groups < WRITERS && this.#pending.length > 0) {
      const group: Pending[] = [];
      const waiting: Pending[] = [];
      const taken = new Set<string>();
      for (const save of this.#pending) {
        if (group.length < GROUP_SIZE && !this.#writing.has(save.key)) {
          group.push(save);
          taken.add(save.key);
        } else waiting.push(save);
      }
      if (group.length === 0) return;
      this.#pending = waiting;
      for (const key of taken) this.#writing.add(key);
      this.#groups++;
      void this.#write(group).finally(() => {
        for (const key of taken) this.#writing.delete(key);
        this.#groups--;
        this.#start();
      });
    }
  }

  async #write(group: Pending[]): Promise<void> {
    let left = group;
    for (let attempt = 1; attempt <= OPTIMISTIC_ATTEMPTS && left.length > 0; attempt++) {
      try {
        left = await this.#writeOptimistic(left);
      } catch {
        // The statement failed as a whole (an article removed meanwhile, a row the database
        // refuses, a lost connection): the locked path says which save, if any, is at fault.
        break;
      }
    }
    if (left.length > 0) await this.#writeLocked(left);
  }

  /** Writes what it can of `group` in one statement; returns the saves to try again. */
  async #writeOptimistic(group: Pending[]): Promise<Pending[]> {
    const saves = byAnnotation(group);
    const known = new Map<string, Known>();
    const unread: Pending[] = [];
    for (const [key, list] of saves) {
      const cached = this.#cache.get(key);
      if (cached) known.set(key, cached);
      else if (list[0]) unread.push(list[0]);
    }
    if (unread.length > 0) {
      const { rows } = await this.#pool.query({ name: 'framelens-save-read', text: READ, values: [unread.map((p) => p.articleId), unread.map((p) => p.annotatorId)] });
      for (const row of rows) {
        const k = knownOf(row);
        known.set(keyOf(k.annotation.articleId, k.annotation.annotatorId), k);
      }
      for (const p of unread) if (!known.has(p.key)) known.set(p.key, { annotation: emptyAnnotation(p.articleId, p.annotatorId), version: null, nextPosition: 0 });
    }

    const again: Pending[] = [];
    /** Saves decided without a write, settled once the statement is through (or needs none). */
    const refused: [Pending[], unknown[]][] = [];
    const written = new Map<string, { list: Pending[]; applied: Applied }>();
    const created: { a: Annotation; next: number }[] = [];
    const stamped: { a: Annotation; next: number; version: number }[] = [];
    const removed: { articleId: string; annotatorId: string; id: string }[] = [];
    const put: Parameters<typeof tagColumns>[0] = [];
    for (const [key, list] of saves) {
      const k = known.get(key);
      if (!k) continue;
      const applied = apply(k, list);
      if (applied.after === k.annotation) {
        // Nothing to write: every save was refused. Decided on what the database holds (read
        // now), that stands; on the cache's copy, it is decided again on a fresh read.
        if (unread.some((p) => p.key === key)) refused.push([list, applied.outcomes]);
        else {
          this.#cache.delete(key);
          again.push(...list);
        }
        continue;
      }
      if (applied.change === null) {
        // Written whole under the row's lock (rare: tags reordered, a suggestion rejected).
        this.#cache.delete(key);
        again.push(...list);
        continue;
      }
      written.set(key, { list, applied });
      const { articleId, annotatorId } = applied.after;
      for (const id of applied.change.del) removed.push({ articleId, annotatorId, id });
      put.push(...applied.change.put);
      if (k.version === null) created.push({ a: applied.after, next: applied.change.next });
      else stamped.push({ a: applied.after, next: applied.change.next, version: k.version });
    }
    if (written.size > 0) await this.#writeGroup(written, { created, stamped, removed, put }, again);
    for (const [list, outcomes] of refused) settle(list, outcomes);
    return again;
  }

  async #writeGroup(
    written: Map<string, { list: Pending[]; applied: Applied }>,
    columns: {
      created: { a: Annotation; next: number }[];
      stamped: { a: Annotation; next: number; version: number }[];
      removed: { articleId: string; annotatorId: string; id: string }[];
      put: Parameters<typeof tagColumns>[0];
    },
    again: Pending[],
  ): Promise<void> {
    const { created, stamped, removed, put } = columns;

    const { rows } = await this.#pool.query<{ article_id: string; annotator_id: string; version: string }>({
      name: 'framelens-save-group',
      text: WRITE,
      values: [
        ...stampColumns(created),
        ...stampColumns(stamped),
        stamped.map((s) => s.version),
        removed.map((r) => r.articleId),
        removed.map((r) => r.annotatorId),
        removed.map((r) => r.id),
        ...tagColumns(put),
      ],
    });
    for (const row of rows) {
      const key = keyOf(row.article_id, row.annotator_id);
      const done = written.get(key);
      if (!done) continue;
      written.delete(key);
      const next = done.applied.change?.next ?? 0;
      this.#cache.set(key, { annotation: done.applied.after, version: Number(row.version), nextPosition: next });
      settle(done.list, done.applied.outcomes);
    }
    // Those not written: another server changed (or created) the annotation first, or its article is gone.
    for (const [key, { list }] of written) {
      this.#cache.delete(key);
      again.push(...list);
    }
  }

  /** Writes `group` in one transaction that locks its annotations (a group that fails is tried save by save). */
  async #writeLocked(group: Pending[]): Promise<void> {
    const keys = new Set(group.map((save) => save.key));
    for (let attempt = 1; ; attempt++) {
      try {
        const outcomes = await this.#transaction((client) => writeLocked(client, group));
        settle(group, outcomes);
        break;
      } catch (error) {
        if (attempt < LOCKED_ATTEMPTS && retryable(error)) continue;
        if (group.length > 1) await Promise.all(group.map((save) => this.#writeLocked([save])));
        else settle(group, [error]);
        break;
      }
    }
    for (const key of keys) this.#cache.delete(key);
  }
}
