// Classroom activities and their students, under DATA_DIR/activities/:
//   activities/<activityId>/activity.json              the activity: article copy, code, status, reference
//   activities/<activityId>/students/<studentId>.json  one student: nickname and tags
// A student's data lives only inside its activity's folder, so deleting a class's data
// is removing one folder.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Annotation } from '../core/model.js';
// Nicknames are unique regardless of case, width, spacing and invisible characters.
import { nicknameKey } from '../core/classroom/nickname.js';
import { cleanStaleTempFiles, removeDirDurably } from './durable-file.js';
import { openShard, readShard, type Shard } from './shard.js';
import { ID } from './schemas.js';
import type { ActivityCollection } from './app-store.js';
import {
  LIMITS,
  parseActivityFile,
  type Activity,
  type ActivityFile,
  type Student,
  type StudentFile,
} from './activity-schemas.js';

/** A refused change the user can act on (nickname taken, class full, activity gone). */
export class ActivityError extends Error {
  readonly status = 409;
  readonly refusal = true;
}

export function checkId(value: string, what: string): string {
  if (!ID.test(value)) throw new Error(`invalid ${what} id`);
  return value;
}

async function listDir(dir: string): Promise<{ name: string; isDirectory: boolean }[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return [];
    throw error;
  }
}

/** The student's annotation of a version, made empty on first use (`version` 1 to LIMITS.versions). */
export function versionAnnotation(student: Student, version: number): Annotation {
  if (!Number.isInteger(version) || version < 1 || version > LIMITS.versions) throw new Error('invalid version');
  if (version === 1) return student.annotation;
  const { articleId, annotatorId } = student.annotation;
  while (student.versions.length < version - 1) student.versions.push({ articleId, annotatorId, reviewed: [], tags: [], updatedAt: '' });
  return student.versions[version - 2]!;
}

export class ActivityStore implements ActivityCollection {
  /** DATA_DIR/activities */
  readonly dir: string;
  readonly #activities = new Map<string, Shard<ActivityFile>>();
  readonly #students = new Map<string, Map<string, Shard<StudentFile>>>();
  /** Writes in progress per activity, awaited before its folder is removed. */
  readonly #writes = new Map<string, Set<Promise<unknown>>>();
  /** Activities whose data is being removed: no more writes. */
  readonly #closing = new Set<string>();

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Reads every activity and student file once; a corrupt file rejects naming its path. */
  static async open(dataDir: string): Promise<ActivityStore> {
    const store = new ActivityStore(join(dataDir, 'activities'));
    await cleanStaleTempFiles(store.dir);
    for (const entry of await listDir(store.dir)) {
      if (!entry.isDirectory || !ID.test(entry.name)) continue;
      await store.#load(entry.name);
    }
    return store;
  }

  async #load(activityId: string): Promise<void> {
    const dir = join(this.dir, activityId);
    await cleanStaleTempFiles(dir);
    const entries = await listDir(dir);
    if (!entries.some((e) => e.name === 'activity.json')) {
      // A folder left by a creation that never wrote its file is empty; anything else is damage.
      if (entries.length === 0) return;
      throw new Error(`${join(dir, 'activity.json')} is missing; the folder holds other files`);
    }
    const path = join(dir, 'activity.json');
    const shard = await readShard(path, parseActivityFile.activity);
    if (shard.data.data.id !== activityId) throw new Error(`${path}: belongs to activity ${shard.data.data.id}, not ${activityId}`);
    this.#activities.set(activityId, shard);
    const studentsDir = join(dir, 'students');
    await cleanStaleTempFiles(studentsDir);
    const students = new Map<string, Shard<StudentFile>>();
    for (const entry of await listDir(studentsDir)) {
      if (entry.isDirectory || !entry.name.endsWith('.json')) continue;
      const file = join(studentsDir, entry.name);
      const student = await readShard(file, parseActivityFile.student);
      const { id, annotation, versions } = student.data.data;
      if (`${id}.json` !== entry.name || [annotation, ...versions].some((a) => a.annotatorId !== id || a.articleId !== activityId)) {
        throw new Error(`${file}: its ids do not match its place (activity ${activityId}, file ${entry.name})`);
      }
      students.set(id, student);
    }
    this.#students.set(activityId, students);
  }

  #track<T>(activityId: string, write: Promise<T>): Promise<T> {
    let writes = this.#writes.get(activityId);
    if (!writes) this.#writes.set(activityId, (writes = new Set()));
    const tracked = write.finally(() => {
      writes.delete(tracked);
      if (writes.size === 0 && this.#writes.get(activityId) === writes) this.#writes.delete(activityId);
    });
    writes.add(tracked);
    return tracked;
  }

  #checkOpen(activityId: string): void {
    if (this.#closing.has(activityId)) throw new ActivityError('This activity’s data is being deleted.');
  }

  /** One process owns the folder: nothing was changed elsewhere. */
  async refresh(): Promise<void> {}

  // Activities

  activity(id: string): Activity | undefined {
    return this.#activities.get(id)?.data.data;
  }

  /** All activities (or one teacher's), newest first. */
  activities(teacherId?: string): Activity[] {
    const all = [...this.#activities.values()].map((s) => s.data.data);
    return all
      .filter((a) => teacherId === undefined || a.teacherId === teacherId)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
  }

  /** The activity with this join code, ended or not (the caller decides what an ended one means). */
  byCode(code: string): Activity | undefined {
    for (const shard of this.#activities.values()) if (shard.data.data.code === code) return shard.data.data;
    return undefined;
  }

  async create(activity: Activity): Promise<void> {
    checkId(activity.id, 'activity');
    parseActivityFile.activity({ schemaVersion: 1, data: activity });
    if (this.#activities.has(activity.id)) throw new Error('activity id already in use');
    if (this.byCode(activity.code)) throw new ActivityError('That join code is already in use.');
    const path = join(this.dir, activity.id, 'activity.json');
    const shard = await openShard(path, parseActivityFile.activity, () => ({ schemaVersion: 1 as const, data: activity }));
    if (this.byCode(activity.code)) throw new ActivityError('That join code is already in use.');
    this.#activities.set(activity.id, shard);
    this.#students.set(activity.id, new Map());
    try {
      await this.#track(activity.id, shard.update(() => {}));
    } catch (error) {
      this.#activities.delete(activity.id);
      this.#students.delete(activity.id);
      throw error;
    }
  }

  /** Applies a synchronous change to an activity; resolves once it is on disk. `change` may throw. */
  async update(id: string, change: (activity: Activity) => void): Promise<void> {
    checkId(id, 'activity');
    this.#checkOpen(id);
    const shard = this.#activities.get(id);
    if (!shard) throw new ActivityError('That activity no longer exists.');
    await this.#track(
      id,
      shard.update((file) => {
        change(file.data);
        // Never write what could not be read back: an invalid change is rolled back here.
        parseActivityFile.activity(file);
      }),
    );
  }

  /** Removes the activity with all its student data. */
  async remove(id: string): Promise<void> {
    checkId(id, 'activity');
    await this.#closeWhile(id, async () => {
      await removeDirDurably(join(this.dir, id));
      this.#activities.delete(id);
      this.#students.delete(id);
    });
  }

  async #closeWhile(id: string, work: () => Promise<void>): Promise<void> {
    this.#closing.add(id);
    try {
      // Let writes already under way finish, so none recreates a file after the removal.
      while (this.#writes.get(id)?.size) await Promise.allSettled([...(this.#writes.get(id) ?? [])]);
      await work();
    } finally {
      this.#closing.delete(id);
    }
  }

  // Students

  students(activityId: string): Student[] {
    return [...(this.#students.get(activityId)?.values() ?? [])]
      .map((s) => s.data.data)
      .sort((a, b) => a.joinedAt.localeCompare(b.joinedAt) || a.nickname.localeCompare(b.nickname));
  }

  student(activityId: string, studentId: string): Student | undefined {
    return this.#students.get(activityId)?.get(studentId)?.data.data;
  }

  nicknameTaken(activityId: string, nickname: string): boolean {
    const key = nicknameKey(nickname);
    for (const s of this.#students.get(activityId)?.values() ?? []) if (nicknameKey(s.data.data.nickname) === key) return true;
    return false;
  }

  /** Adds a student; refuses a nickname already used in the activity (ignoring case and spacing). */
  async addStudent(activityId: string, student: Student): Promise<void> {
    checkId(activityId, 'activity');
    checkId(student.id, 'student');
    parseActivityFile.student({ schemaVersion: 1, data: student });
    const check = () => {
      this.#checkOpen(activityId);
      const students = this.#students.get(activityId);
      if (!students || !this.#activities.has(activityId)) throw new ActivityError('That activity no longer exists.');
      if (this.nicknameTaken(activityId, student.nickname)) {
        throw new ActivityError('Someone in this class already uses that nickname. Choose another one.');
      }
      if (students.size >= LIMITS.students) throw new ActivityError('This class is full.');
      return students;
    };
    check();
    const path = join(this.dir, activityId, 'students', `${student.id}.json`);
    const shard = await openShard(path, parseActivityFile.student, () => ({ schemaVersion: 1 as const, data: student }));
    // Checked again after the await: another join may have taken the nickname meanwhile.
    const students = check();
    students.set(student.id, shard);
    try {
      await this.#track(activityId, shard.update(() => {}));
    } catch (error) {
      students.delete(student.id);
      throw error;
    }
  }

  /**
   * Applies a synchronous change to a student's annotation of `version` (1: the article; 2 and 3:
   * a comparison lesson's other versions); `change` may throw (nothing is stored then).
   */
  async updateStudent(activityId: string, studentId: string, change: (annotation: Annotation) => void, version = 1): Promise<void> {
    checkId(activityId, 'activity');
    checkId(studentId, 'student');
    this.#checkOpen(activityId);
    const shard = this.#students.get(activityId)?.get(studentId);
    if (!shard) throw new ActivityError('You are no longer in this activity.');
    await this.#track(
      activityId,
      shard.update((file) => {
        const annotation = versionAnnotation(file.data, version);
        change(annotation);
        if (annotation.tags.length > LIMITS.tags) throw new ActivityError(`At most ${LIMITS.tags} tags per student.`);
        annotation.updatedAt = new Date().toISOString();
        parseActivityFile.student(file);
      }),
    );
  }

  /** Deletes every student of an activity (their nicknames and tags); the activity stays. */
  async removeStudents(activityId: string): Promise<void> {
    checkId(activityId, 'activity');
    await this.#closeWhile(activityId, async () => {
      await removeDirDurably(join(this.dir, activityId, 'students'));
      if (this.#activities.has(activityId)) this.#students.set(activityId, new Map());
    });
  }
}
