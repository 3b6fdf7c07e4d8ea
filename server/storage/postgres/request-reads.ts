// The reads every request makes, sent as one statement for all the requests asking at once: the
// change counters (changes.ts) and the session (sessions.ts) before its route runs, and the
// annotation a sentence page or a save reads first (the save queue's, saves.ts). Each kind used to
// be a statement of its own; under load (50 clients on the bench) each had one in flight all the
// time, and every statement costs a socket write and a wake-up of the database's process on both
// sides. As with every Batched read, a call is answered only by a statement sent after it was
// made, so each sees every commit made before it asked: read-your-writes across servers holds.
//
// One per pool: the store's counters, its save queue and the session store share it without
// knowing each other.
import type pg from 'pg';
import type { Annotation } from '../../core/model.js';
import { Batched } from './batch.js';
import { ANNOTATION_OBJECT } from './rows.js';

/** A table's change counters. */
export interface Seen {
  version: number;
  deletions: number;
}

/** An annotation a read sent back: `data` is the whole row (ANNOTATION_OBJECT), or null where it is at the version asked about. */
export interface AnnotationRow {
  key: string;
  data: unknown;
}

/** What answers the annotation reads: the save queue, which knows which versions this process holds. */
export interface AnnotationSource {
  /** For a read of `keys` (`article/annotator`): the version held of each (null: none), and what to make of the rows sent back. */
  readFor(keys: readonly string[]): { versions: (number | null)[]; take(rows: readonly AnnotationRow[]): Map<string, Annotation | Error> };
}

/**
 * Every table's counters; the sessions $1; the annotations of the pairs $2, $3, each found by its
 * key (a join on unnest() is planned as a scan of every annotation), whole only where its version
 * is not $4, the one this process holds (versions come from one sequence: an unchanged version
 * means unchanged content).
 */
const READ = `SELECT 'c' AS part, name AS key, version::float8 AS version, deletions::float8 AS deletions, NULL::bigint AS expires, NULL::json AS data
    FROM framelens_changes
  UNION ALL
  SELECT 's', sid, NULL, NULL, expires, data FROM sessions WHERE sid = ANY($1::text[])
  UNION ALL
  SELECT 'a', a.article_id || '/' || a.annotator_id, NULL, NULL, NULL, CASE WHEN a.version = p.v THEN NULL ELSE ${ANNOTATION_OBJECT} END
    FROM unnest($2::text[], $3::text[], $4::bigint[]) AS p(a, b, v)
    CROSS JOIN LATERAL (SELECT * FROM annotations WHERE article_id = p.a AND annotator_id = p.b LIMIT 1) a`;

interface Row {
  part: 'c' | 's' | 'a';
  key: string;
  version: number | null;
  deletions: number | null;
  expires: string | null;
  data: unknown;
}

/** The batch's keys: the counters, a session, an annotation. */
const COUNTERS = 'c';
const SESSION = 's:';
const ANNOTATION = 'a:';

type Answer = { counters: Partial<Record<string, Seen>> } | { session: { expires: string | null; data: unknown } } | { annotation: Annotation };

export class RequestReads {
  readonly #batch: Batched<string, Answer>;
  #annotations: AnnotationSource | null = null;

  constructor(pool: pg.Pool) {
    this.#batch = new Batched(async (keys) => {
      const sids = keys.filter((k) => k.startsWith(SESSION)).map((k) => k.slice(SESSION.length));
      const pairs = keys.filter((k) => k.startsWith(ANNOTATION)).map((k) => k.slice(ANNOTATION.length));
      const asked = pairs.length > 0 ? this.#source().readFor(pairs) : null;
      const { rows } = await pool.query<Row>({
        name: 'framelens-request-reads',
        text: READ,
        values: [sids, pairs.map((p) => p.slice(0, p.indexOf('/'))), pairs.map((p) => p.slice(p.indexOf('/') + 1)), asked?.versions ?? []],
      });
      const counters: Partial<Record<string, Seen>> = {};
      const answers = new Map<string, Answer | Error>([[COUNTERS, { counters }]]);
      const annotations: AnnotationRow[] = [];
      for (const row of rows) {
        if (row.part === 'c') counters[row.key] = { version: Number(row.version), deletions: Number(row.deletions) };
        else if (row.part === 's') answers.set(SESSION + row.key, { session: { expires: row.expires, data: row.data } });
        else annotations.push({ key: row.key, data: row.data });
      }
      if (asked) for (const [key, annotation] of asked.take(annotations)) answers.set(ANNOTATION + key, annotation instanceof Error ? annotation : { annotation });
      return answers;
    });
  }

  /** Makes `source` answer the annotation reads (the database's save queue, once). */
  serveAnnotations(source: AnnotationSource): void {
    this.#annotations = source;
  }

  #source(): AnnotationSource {
    if (!this.#annotations) throw new Error('no save queue answers annotation reads on this pool');
    return this.#annotations;
  }

  /** Every table's counters (a table the schema lacks is missing, and counts as moved). */
  async counters(): Promise<Partial<Record<string, Seen>>> {
    const answer = await this.#batch.get(COUNTERS);
    return answer && 'counters' in answer ? answer.counters : {};
  }

  /** The session row `sid` ({ expires, data } as stored), or undefined when there is none. */
  async session(sid: string): Promise<{ expires: string | null; data: unknown } | undefined> {
    const answer = await this.#batch.get(SESSION + sid);
    return answer && 'session' in answer ? answer.session : undefined;
  }

  /** One annotator's annotation of an article as committed, or undefined when it has no row. */
  async annotation(articleId: string, annotatorId: string): Promise<Annotation | undefined> {
    const answer = await this.#batch.get(`${ANNOTATION}${articleId}/${annotatorId}`);
    return answer && 'annotation' in answer ? answer.annotation : undefined;
  }
}

const byPool = new WeakMap<pg.Pool, RequestReads>();

/** The pool's one RequestReads. */
export function requestReads(pool: pg.Pool): RequestReads {
  let reads = byPool.get(pool);
  if (!reads) {
    reads = new RequestReads(pool);
    byPool.set(pool, reads);
  }
  return reads;
}
