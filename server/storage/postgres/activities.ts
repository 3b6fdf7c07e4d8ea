// Classroom activities and their students in PostgreSQL, shared by every server on the database.
// Pages read them synchronously (a lesson page, a dashboard poll), so each server keeps them in
// memory and brings them up to date with `refresh()` at the start of a request: one statement
// reads the change counters (migration 005), and only when one moved are the rows changed since
// read, in one snapshot. A change is a transaction that locks the row it changes (a join locks the
// activity's row, so nicknames stay unique and the class size holds across servers).
import type pg from 'pg';
import type { Annotation } from '../../core/model.js';
import { nicknameKey } from '../../core/classroom/nickname.js';
import type { ActivityCollection } from '../app-store.js';
import { ActivityError, checkId, versionAnnotation } from '../activities.js';
import { LIMITS, parseActivityFile, type Activity, type Student } from '../activity-schemas.js';
import { NOT_SEEN, Refresh, moved, readCounters, type Counters, type Seen } from './changes.js';

/** Any fixed number: the key of the lock creating an activity takes, so join codes stay unique. */
const CREATE_LOCK = 4_019_190_005;

const TABLES = ['activities', 'students'] as const;

const activityOf = (doc: unknown): Activity => parseActivityFile.activity({ schemaVersion: 1, data: doc }).data;
const studentOf = (doc: unknown): Student => parseActivityFile.student({ schemaVersion: 1, data: doc }).data;

export class PostgresActivities implements ActivityCollection {
  readonly #pool: pg.Pool;
  readonly #transaction: <T>(work: (client: pg.PoolClient) => Promise<T>, mode?: string) => Promise<T>;
  readonly #changes: Counters;
  readonly #activities = new Map<string, Activity>();
  readonly #students = new Map<string, Map<string, Student>>();
  #seen: Record<(typeof TABLES)[number], Seen> = { activities: NOT_SEEN, students: NOT_SEEN };
  readonly #refresh = new Refresh(() => this.#read());

  private constructor(pool: pg.Pool, transaction: <T>(work: (client: pg.PoolClient) => Promise<T>, mode?: string) => Promise<T>, changes: Counters) {
    this.#pool = pool;
    this.#transaction = transaction;
    this.#changes = changes;
  }

  /** `store`: an open PostgresDatabase (its pool and transactions); every activity is read once here. */
  static async open(store: {
    pool: pg.Pool;
    changes: Counters;
    transaction<T>(work: (client: pg.PoolClient) => Promise<T>, mode?: string): Promise<T>;
  }): Promise<PostgresActivities> {
    const activities = new PostgresActivities(store.pool, (work, mode) => store.transaction(work, mode), store.changes);
    await activities.refresh();
    return activities;
  }

  /**
   * Brings the activities and students up to date with every change committed before this call,
   * by any server. Cheap when nothing changed (the counters' statement, shared with the store's
   * check and the other requests asking at once); concurrent calls share a read, but a call never
   * settles for a read that began before it did.
   */
  async refresh(): Promise<void> {
    if (moved(TABLES, this.#seen, await this.#changes.read())) await this.#refresh.run();
  }

  async #read(): Promise<void> {
    const now = await readCounters(this.#pool, TABLES);
    const seen = this.#seen;
    if (now.activities.version === seen.activities.version && now.students.version === seen.students.version) return;
    await this.#transaction(async (client) => {
      // The counters again, in the snapshot the rows are read in: the rows match them exactly.
      const counters = await readCounters(client, TABLES);
      if (counters.activities.deletions !== seen.activities.deletions) {
        const { rows: ids } = await client.query<{ id: string }>('SELECT id FROM activities');
        const kept = new Set(ids.map((r) => r.id));
        for (const id of [...this.#activities.keys()]) if (!kept.has(id)) this.#forget(id);
      }
      const { rows: changed } = await client.query<{ doc: unknown }>('SELECT doc FROM activities WHERE changed > $1', [seen.activities.version]);
      for (const row of changed) {
        const activity = activityOf(row.doc);
        this.#activities.set(activity.id, activity);
        if (!this.#students.has(activity.id)) this.#students.set(activity.id, new Map());
      }
      if (counters.students.deletions !== seen.students.deletions) {
        const { rows: keys } = await client.query<{ activity_id: string; id: string }>('SELECT activity_id, id FROM students');
        const kept = new Set(keys.map((r) => `${r.activity_id}/${r.id}`));
        for (const [activityId, students] of this.#students) {
          for (const id of [...students.keys()]) if (!kept.has(`${activityId}/${id}`)) students.delete(id);
        }
      }
      const { rows: students } = await client.query<{ activity_id: string; doc: unknown }>('SELECT activity_id, doc FROM students WHERE changed > $1', [
        seen.students.version,
      ]);
      for (const row of students) {
        const student = studentOf(row.doc);
        this.#students.get(row.activity_id)?.set(student.id, student);
      }
      this.#seen = counters;
    }, 'ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  #forget(id: string): void {
    this.#activities.delete(id);
    this.#students.delete(id);
  }

  // Activities

  activity(id: string): Activity | undefined {
    return this.#activities.get(id);
  }

  activities(teacherId?: string): Activity[] {
    return [...this.#activities.values()]
      .filter((a) => teacherId === undefined || a.teacherId === teacherId)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
  }

  byCode(code: string): Activity | undefined {
    for (const activity of this.#activities.values()) if (activity.code === code) return activity;
    return undefined;
  }

  async create(activity: Activity): Promise<void> {
    checkId(activity.id, 'activity');
    const checked = activityOf(activity);
    await this.#transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [CREATE_LOCK]);
      const { rows } = await client.query<{ code: unknown; id: string }>("SELECT id, doc->>'code' AS code FROM activities WHERE id = $1 OR doc->>'code' = $2", [
        checked.id,
        checked.code,
      ]);
      if (rows.some((r) => r.id === checked.id)) throw new Error('activity id already in use');
      if (rows.length > 0) throw new ActivityError('That join code is already in use.');
      await client.query('INSERT INTO activities (id, doc) VALUES ($1, $2)', [checked.id, JSON.stringify(checked)]);
    });
    this.#activities.set(checked.id, checked);
    this.#students.set(checked.id, this.#students.get(checked.id) ?? new Map());
  }

  async update(id: string, change: (activity: Activity) => void): Promise<void> {
    checkId(id, 'activity');
    const updated = await this.#transaction(async (client) => {
      const { rows } = await client.query<{ doc: unknown }>('SELECT doc FROM activities WHERE id = $1 FOR UPDATE', [id]);
      if (!rows[0]) throw new ActivityError('That activity no longer exists.');
      const activity = activityOf(rows[0].doc);
      change(activity);
      // Never write what could not be read back.
      const checked = activityOf(activity);
      await client.query('UPDATE activities SET doc = $2 WHERE id = $1', [id, JSON.stringify(checked)]);
      return checked;
    });
    this.#activities.set(id, updated);
  }

  async remove(id: string): Promise<void> {
    checkId(id, 'activity');
    // Its students go with it (ON DELETE CASCADE).
    await this.#pool.query('DELETE FROM activities WHERE id = $1', [id]);
    this.#forget(id);
  }

  // Students

  students(activityId: string): Student[] {
    return [...(this.#students.get(activityId)?.values() ?? [])].sort((a, b) => a.joinedAt.localeCompare(b.joinedAt) || a.nickname.localeCompare(b.nickname));
  }

  student(activityId: string, studentId: string): Student | undefined {
    return this.#students.get(activityId)?.get(studentId);
  }

  nicknameTaken(activityId: string, nickname: string): boolean {
    const key = nicknameKey(nickname);
    for (const s of this.#students.get(activityId)?.values() ?? []) if (nicknameKey(s.nickname) === key) return true;
    return false;
  }

  async addStudent(activityId: string, student: Student): Promise<void> {
    checkId(activityId, 'activity');
    checkId(student.id, 'student');
    const checked = studentOf(student);
    await this.#transaction(async (client) => {
      // The activity's row is the lock joins to one class queue on, on every server.
      const { rows } = await client.query('SELECT id FROM activities WHERE id = $1 FOR UPDATE', [activityId]);
      if (!rows[0]) throw new ActivityError('That activity no longer exists.');
      const { rows: nicknames } = await client.query<{ nickname: string }>("SELECT doc->>'nickname' AS nickname FROM students WHERE activity_id = $1", [activityId]);
      const key = nicknameKey(checked.nickname);
      if (nicknames.some((r) => nicknameKey(r.nickname) === key)) throw new ActivityError('Someone in this class already uses that nickname. Choose another one.');
      if (nicknames.length >= LIMITS.students) throw new ActivityError('This class is full.');
      await client.query('INSERT INTO students (activity_id, id, doc) VALUES ($1, $2, $3)', [activityId, checked.id, JSON.stringify(checked)]);
    });
    this.#students.get(activityId)?.set(checked.id, checked);
  }

  async updateStudent(activityId: string, studentId: string, change: (annotation: Annotation) => void, version = 1): Promise<void> {
    checkId(activityId, 'activity');
    checkId(studentId, 'student');
    const updated = await this.#transaction(async (client) => {
      const { rows } = await client.query<{ doc: unknown }>('SELECT doc FROM students WHERE activity_id = $1 AND id = $2 FOR UPDATE', [activityId, studentId]);
      if (!rows[0]) throw new ActivityError('You are no longer in this activity.');
      const student = studentOf(rows[0].doc);
      const annotation = versionAnnotation(student, version);
      change(annotation);
      if (annotation.tags.length > LIMITS.tags) throw new ActivityError(`At most ${LIMITS.tags} tags per student.`);
      annotation.updatedAt = new Date().toISOString();
      const checked = studentOf(student);
      await client.query('UPDATE students SET doc = $3 WHERE activity_id = $1 AND id = $2', [activityId, studentId, JSON.stringify(checked)]);
      return checked;
    });
    this.#students.get(activityId)?.set(studentId, updated);
  }

  async removeStudents(activityId: string): Promise<void> {
    checkId(activityId, 'activity');
    await this.#pool.query('DELETE FROM students WHERE activity_id = $1', [activityId]);
    if (this.#activities.has(activityId)) this.#students.set(activityId, new Map());
  }
}
