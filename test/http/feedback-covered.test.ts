// Issue 15: a student who tags "aggressive force posturing and malign activities" in one go is
// not told they "missed" "malign activities": their tag covers it and earns partial credit.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { words } from '../../server/core/segmentation.js';
import { addUser, csrfOf, makeApp, signIn, type TestApp } from '../helpers/app.js';
import { textOf } from '../helpers/forms.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeApp();
  await addUser(t, 'tess', 'teacher');
}, 60_000);
afterAll(async () => {
  await t?.cleanup();
});

describe('a tag covering two reference tags', () => {
  it('earns partial credit for the second instead of "Missed"', async () => {
    const teacher = await signIn(t.app, 'tess');
    expect((await teacher.post('/activities', { from: 'demo' })).status).toBe(303);
    const [activity] = t.activities.activities();
    if (!activity) throw new Error('no activity');
    const { text, sentences } = activity.article;
    const s = sentences.findIndex((r) => text.slice(r.start, r.end).includes('malign activities'));
    const range = sentences[s];
    if (!range) throw new Error('no sentence');
    const ws = words(text, range).map((w) => text.slice(w.start, w.end));

    const student = request.agent(t.app);
    const joinPage = await student.get('/join');
    const join = await student.post('/join').type('form').send({ _csrf: csrfOf(joinPage.text), code: activity.code, nickname: 'Longtag' });
    expect(join.status).toBe(303);
    const token = csrfOf((await student.get('/lesson')).text);
    const tagged = await student
      .post(`/lesson/sentences/${s + 1}/tags`)
      .type('form')
      .send({ _csrf: token, first: String(ws.indexOf('aggressive')), last: String(ws.indexOf('activities')), category: 'loaded-wording', voice: 'quoted' });
    expect(tagged.status).toBe(303);
    await t.activities.update(activity.id, (a) => {
      a.revealedAt = new Date().toISOString();
      a.status = 'revealed';
    });

    const page = textOf((await student.get('/lesson/feedback')).text);
    // "aggressive force posturing and malign activities": 6 words. Matched with "aggressive force
    // posturing" (3 shared / 6 = 50 %), and covering "malign activities" (2 / 6 = 33 %).
    expect(page).toContain('You found 2 of 16. Both only in part.');
    expect(page).toMatch(/Partly matched You tagged “aggressive force posturing and malign activities”; the reference tags “aggressive force posturing” as Loaded wording: 50% credit/);
    expect(page).toMatch(/Covered Your longer tag “aggressive force posturing and malign activities” also holds “malign activities”, which the reference tags as Loaded wording on its own: 33% credit/);
    expect(page).not.toMatch(/Missed The reference tags “malign activities”/);
  });
});
