// Classroom activities and their students behind one interface (ActivityCollection): the same
// cases on the JSON folder (ActivityStore) and on PostgreSQL (PostgresActivities); then two
// PostgreSQL instances on one database, as two servers: what a student saves through one is on
// the other's next dashboard poll, and concurrent joins and saves through both lose nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Tag } from '../../server/core/model.js';
import { addTag } from '../../server/core/spans.js';
import type { ActivityCollection } from '../../server/storage/app-store.js';
import { ActivityStore } from '../../server/storage/activities.js';
import type { Activity, Student } from '../../server/storage/activity-schemas.js';
import { PostgresActivities } from '../../server/storage/postgres/activities.js';
import { jsonFolderBackend, onEachBackend, postgresBackend, type Backend } from '../helpers/backends.js';
import { postgresUrl } from '../helpers/postgres.js';

const SLOW = 120_000;
const text = 'The so-called reform passed. Critics called it a coup.';

function lesson(id: string, code: string, createdAt = '2026-11-30T14:00:00.000Z'): Activity {
  return {
    id, teacherId: 't1', title: `Lesson ${id}`, article: { title: 'A copy', source: 'Wire', text, sentences: [{ start: 0, end: 28 }, { start: 29, end: 54 }] },
    codebookId: 'framing', code, status: 'open', reference: [], createdAt, revealedAt: null, endedAt: null, comparison: null,
  };
}

function student(activityId: string, id: string, nickname: string, joinedAt = '2026-11-30T14:01:00.000Z'): Student {
  return { id, nickname, joinedAt, annotation: { articleId: activityId, annotatorId: id, reviewed: [], tags: [], updatedAt: joinedAt }, versions: [] };
}

function tag(activityId: string, studentId: string, id: string, start: number): Tag {
  const at = '2026-11-30T14:02:00.000Z';
  return { id, articleId: activityId, annotatorId: studentId, sentence: 0, start, end: start + 2, category: 'hedge', voice: 'author', intensity: null, note: '', createdAt: at, updatedAt: at };
}

const inFolder = () => jsonFolderBackend('activities', (dir) => ActivityStore.open(dir));
const inDatabase = () => postgresBackend('activities', (store) => PostgresActivities.open(store));

onEachBackend<ActivityCollection>('classroom activities', { jsonFolder: inFolder, postgres: inDatabase }, (opened) => {
  let activities: ActivityCollection;
  beforeEach(() => {
    activities = opened();
  });

  it('creates, finds by code, refuses a code in use, changes and removes an activity', async () => {
    await activities.create(lesson('l1', 'ABC234'));
    await activities.create(lesson('l2', 'XYZ234', '2026-11-30T15:00:00.000Z'));
    expect(activities.byCode('ABC234')?.id).toBe('l1');
    expect(activities.activities('t1').map((a) => a.id)).toEqual(['l2', 'l1']);
    await expect(activities.create(lesson('l3', 'ABC234'))).rejects.toThrow('That join code is already in use.');
    await activities.update('l1', (a) => {
      a.status = 'revealed';
      a.revealedAt = '2026-11-30T14:30:00.000Z';
    });
    expect(activities.activity('l1')?.status).toBe('revealed');
    // A change that does not fit the schema is refused, and nothing is stored.
    await expect(
      activities.update('l1', (a) => {
        a.title = 'x'.repeat(100_000);
      }),
    ).rejects.toThrow();
    expect(activities.activity('l1')?.title).toBe('Lesson l1');
    await activities.remove('l2');
    expect(activities.activity('l2')).toBeUndefined();
    await expect(activities.update('l2', () => {})).rejects.toThrow('That activity no longer exists.');
  }, SLOW);

  it('adds students with nicknames unique regardless of case and spacing, keeps their tags per version, and deletes them', async () => {
    await activities.create(lesson('l1', 'ABC234'));
    await activities.addStudent('l1', student('l1', 's1', 'Fox'));
    await activities.addStudent('l1', student('l1', 's2', 'Owl', '2026-11-30T14:00:30.000Z'));
    await expect(activities.addStudent('l1', student('l1', 's3', '  fox '))).rejects.toThrow('Someone in this class already uses that nickname.');
    expect(activities.nicknameTaken('l1', 'FOX')).toBe(true);
    expect(activities.students('l1').map((s) => s.nickname)).toEqual(['Owl', 'Fox']);
    await activities.updateStudent('l1', 's1', (a) => addTag(a, tag('l1', 's1', 't1', 4)));
    await activities.updateStudent('l1', 's1', (a) => addTag(a, tag('l1', 's1', 't2', 8)), 2);
    const fox = activities.student('l1', 's1');
    expect(fox?.annotation.tags.map((t) => t.id)).toEqual(['t1']);
    expect(fox?.versions[0]?.tags.map((t) => t.id)).toEqual(['t2']);
    await expect(activities.updateStudent('l1', 'nobody', () => {})).rejects.toThrow('You are no longer in this activity.');
    await activities.removeStudents('l1');
    expect(activities.students('l1')).toEqual([]);
    expect(activities.activity('l1')).toBeDefined();
    await expect(activities.updateStudent('l1', 's1', () => {})).rejects.toThrow('You are no longer in this activity.');
  }, SLOW);
});

describe.skipIf(postgresUrl === null)('classroom activities shared by two servers on PostgreSQL', () => {
  let backend: Backend<PostgresActivities>;
  let a: PostgresActivities;
  let b: PostgresActivities;
  beforeEach(async () => {
    backend = await inDatabase();
    [a, b] = [await backend.open(), await backend.open()];
  }, SLOW);
  afterEach(async () => {
    await backend.close();
  }, SLOW);

  it('shows on the other server, at its next refresh, a lesson, a student and the tags saved through one', async () => {
    await a.create(lesson('l1', 'ABC234'));
    expect(b.byCode('ABC234')).toBeUndefined();
    await b.refresh();
    expect(b.byCode('ABC234')?.id).toBe('l1');
    await b.addStudent('l1', student('l1', 's1', 'Fox'));
    await a.updateStudent('l1', 's1', (ann) => addTag(ann, tag('l1', 's1', 't1', 4)));
    // The teacher's dashboard, served by B, polls: it refreshes, then reads.
    await b.refresh();
    expect(b.students('l1').map((s) => s.annotation.tags.map((t) => t.id))).toEqual([['t1']]);
    await a.refresh();
    await a.update('l1', (l) => {
      l.status = 'revealed';
    });
    await b.refresh();
    expect(b.activity('l1')?.status).toBe('revealed');
    // Deletions too: the students, then the lesson.
    await a.removeStudents('l1');
    await b.refresh();
    expect(b.students('l1')).toEqual([]);
    await b.remove('l1');
    await a.refresh();
    expect(a.activity('l1')).toBeUndefined();
    expect(a.activities()).toEqual([]);
  }, SLOW);

  it('loses no tag when one student saves through both servers at once, and gives a nickname to one join only', async () => {
    await a.create(lesson('l1', 'ABC234'));
    await b.refresh();
    const joins = await Promise.allSettled([a, b, a, b].map((server, i) => server.addStudent('l1', student('l1', `s${i}`, i % 2 === 0 ? 'Fox' : 'fox'))));
    expect(joins.filter((j) => j.status === 'fulfilled')).toHaveLength(1);
    const joined = joins.findIndex((j) => j.status === 'fulfilled');
    const id = `s${joined}`;
    await Promise.all([a.refresh(), b.refresh()]);
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).updateStudent('l1', id, (ann) => addTag(ann, tag('l1', id, `t${i}`, i)))));
    await Promise.all([a.refresh(), b.refresh()]);
    for (const server of [a, b]) expect(server.student('l1', id)?.annotation.tags.map((t) => t.id).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `t${i}`).sort());
  }, SLOW);

  it('does not serve a refresh asked while another runs with the older read', async () => {
    await a.create(lesson('l1', 'ABC234'));
    await b.refresh();
    // Started before the lesson changes, then asked again after it: the second call sees the change.
    const first = b.refresh();
    await a.update('l1', (l) => {
      l.title = 'Changed';
    });
    const second = b.refresh();
    await Promise.all([first, second]);
    expect(b.activity('l1')?.title).toBe('Changed');
  }, SLOW);
});
