// The reads every request makes (storage/postgres/request-reads.ts): the change counters, the
// request's session and the annotation a sentence page or a save reads, for all the requests
// asking at once, in one statement. What it must keep: each caller sees every commit made before
// it asked, on any server.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PostgresDatabase } from '../../server/storage/postgres/index.js';
import { PostgresSessions } from '../../server/storage/postgres/sessions.js';
import { createDatabase, postgresUrl, type TestDatabase } from '../helpers/postgres.js';

const SLOW = 120_000;

const article = {
  id: 'a1', projectId: 'p1', title: 'A', source: '', url: '', publishedAt: '', text: 'One.', sentences: [{ start: 0, end: 4 }],
  createdAt: '2026-12-01T00:00:00.000Z', createdBy: 'u-ada',
};

const record = (userId: string) => ({
  expires: Date.now() + 60_000,
  data: { cookie: { originalMaxAge: 60_000, expires: null, httpOnly: true, path: '/', sameSite: 'lax' as const }, userId },
});

describe.skipIf(postgresUrl === null)('the counters, sessions and annotations read for the requests at once', () => {
  let database: TestDatabase;
  let a: PostgresDatabase;
  let b: PostgresDatabase;
  let sessionsA: PostgresSessions;
  let sessionsB: PostgresSessions;
  beforeEach(async () => {
    database = await createDatabase('reads');
    a = await PostgresDatabase.open(database.url, [], { max: 4 });
    b = await PostgresDatabase.open(database.url, [], { max: 4 });
    sessionsA = new PostgresSessions(a.pool, { touchFlushMs: 60_000 });
    sessionsB = new PostgresSessions(b.pool, { touchFlushMs: 60_000 });
  }, SLOW);
  afterEach(async () => {
    await sessionsA.close();
    await sessionsB.close();
    await a.close();
    await b.close();
    await database.drop();
  }, SLOW);

  it('answers the counters, every session and every annotation asked in one turn with one statement', async () => {
    await sessionsB.set('sid-ada', record('u-ada'), 10);
    await sessionsB.set('sid-bo', record('u-bo'), 10);
    await b.createArticle(article);
    await b.updateAnnotation('a1', 'u-ada', (annotation) => {
      annotation.reviewed.push(0);
    });
    const sent = vi.spyOn(a.pool, 'query');
    const [counters, ada, bo, nobody, annotation, none] = await Promise.all([
      a.changes.read(),
      sessionsA.get('sid-ada'),
      sessionsA.get('sid-bo'),
      sessionsA.get('sid-none'),
      a.annotation('a1', 'u-ada'),
      a.annotation('a1', 'u-bo'),
    ]);
    expect(sent).toHaveBeenCalledTimes(1);
    expect(counters.users?.version).toBeTypeOf('number');
    expect(ada?.data.userId).toBe('u-ada');
    expect(bo?.data.userId).toBe('u-bo');
    expect(nobody).toBeUndefined();
    expect(annotation.reviewed).toEqual([0]);
    expect(none).toEqual({ articleId: 'a1', annotatorId: 'u-bo', reviewed: [], tags: [], updatedAt: '' });
  }, SLOW);

  it("sees, on the next call, another server's change to a table and a session it started or ended", async () => {
    const before = await a.changes.read();
    expect(await sessionsA.get('sid-cy')).toBeUndefined();
    await b.createArticle(article);
    await sessionsB.set('sid-cy', record('u-cy'), 10);
    const [after, started] = await Promise.all([a.changes.read(), sessionsA.get('sid-cy')]);
    expect(after.articles?.version).toBeGreaterThan(before.articles?.version ?? Infinity);
    expect(started?.data.userId).toBe('u-cy');
    await sessionsB.remove('sid-cy');
    expect(await sessionsA.get('sid-cy')).toBeUndefined();
  }, SLOW);

  it('fails only the caller of an annotation whose row the schema refuses; the others asked with it are answered', async () => {
    await sessionsB.set('sid-ada', record('u-ada'), 10);
    await b.createArticle(article);
    for (const annotator of ['u-ada', 'u-bad']) {
      await b.updateAnnotation('a1', annotator, (annotation) => {
        annotation.reviewed.push(0);
      });
    }
    // Damaged outside the app (a sentence number below 0 is no sentence).
    await b.pool.query("UPDATE annotations SET reviewed = '{-1}' WHERE annotator_id = 'u-bad'");
    const sent = vi.spyOn(a.pool, 'query');
    const [counters, ada, bad, good] = await Promise.allSettled([a.changes.read(), sessionsA.get('sid-ada'), a.annotation('a1', 'u-bad'), a.annotation('a1', 'u-ada')]);
    expect(sent).toHaveBeenCalledTimes(1);
    expect(counters.status).toBe('fulfilled');
    expect(ada.status === 'fulfilled' && ada.value?.data.userId).toBe('u-ada');
    expect(bad.status).toBe('rejected');
    expect(good.status === 'fulfilled' && good.value.reviewed).toEqual([0]);
  }, SLOW);
});
