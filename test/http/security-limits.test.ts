// Security, issue 14 items 13–14: caps on one annotator's tags (per sentence, per article), a
// `__proto__` form field refused, and nicknames that differ only by invisible characters refused
// while look-alikes are shown to the teacher.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { words } from '../../server/core/segmentation.js';
import { MAX_TAGS_PER_ARTICLE, MAX_TAGS_PER_SENTENCE, RuleError, addTag } from '../../server/core/spans.js';
import type { Annotation, Tag } from '../../server/core/model.js';
import { addUser, csrfOf, makeApp, signIn, type Agent, type TestApp } from '../helpers/app.js';
import { refused, textOf, world, type World } from '../helpers/forms.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

describe('tags per sentence and per article', () => {
  it(`addTag refuses a tag past ${MAX_TAGS_PER_SENTENCE} on a sentence and past ${MAX_TAGS_PER_ARTICLE} on an article`, () => {
    const annotation: Annotation = { articleId: 'article0001', annotatorId: 'annotator01', reviewed: [], tags: [], updatedAt: '' };
    const tag = (i: number, sentence: number): Tag => ({
      id: `t${i}`,
      articleId: 'article0001',
      annotatorId: 'annotator01',
      sentence,
      start: i,
      end: i + 1,
      category: 'hedge',
      voice: 'author',
      intensity: null,
      note: '',
      createdAt: '',
      updatedAt: '',
    });
    for (let i = 0; i < MAX_TAGS_PER_SENTENCE; i++) addTag(annotation, tag(i, 0));
    expect(() => addTag(annotation, tag(MAX_TAGS_PER_SENTENCE, 0))).toThrow(RuleError);
    expect(() => addTag(annotation, tag(MAX_TAGS_PER_SENTENCE, 0))).toThrow(/most one annotator may add to a sentence/);
    expect(annotation.tags).toHaveLength(MAX_TAGS_PER_SENTENCE);
    // Other sentences, up to the article's cap.
    for (let i = MAX_TAGS_PER_SENTENCE; i < MAX_TAGS_PER_ARTICLE; i++) addTag(annotation, tag(i, 1 + Math.floor(i / MAX_TAGS_PER_SENTENCE)));
    expect(() => addTag(annotation, tag(MAX_TAGS_PER_ARTICLE, 999))).toThrow(/5000 tags on this article/);
    expect(annotation.tags).toHaveLength(MAX_TAGS_PER_ARTICLE);
  });

  describe('over HTTP', () => {
    let w: World;
    beforeAll(async () => {
      w = await world();
    });
    afterAll(async () => {
      await w.t.cleanup();
    });

    it(`a tag past ${MAX_TAGS_PER_SENTENCE} on one sentence → 409 with a clear message, nothing stored; other sentences still take tags`, async () => {
      const article = w.t.store.article(w.demoArticleId);
      const range = article?.sentences[0];
      if (!article || !range) throw new Error('no demo sentence');
      const count = words(article.text, range).length;
      const categories = ['hedge', 'presupposed-fact', 'loaded-label', 'loaded-language', 'reporting-verb', 'scare-quotes', 'sourcing', 'emphasis'];
      const spans: { first: number; last: number; category: string }[] = [];
      for (const category of categories) for (let first = 0; first < count; first++) for (let last = first; last < count; last++) spans.push({ first, last, category });
      expect(spans.length).toBeGreaterThan(MAX_TAGS_PER_SENTENCE);
      for (const s of spans.slice(0, MAX_TAGS_PER_SENTENCE)) {
        const res = await w.researcher.post(`/articles/${w.demoArticleId}/sentences/1/tags`, { first: String(s.first), last: String(s.last), category: s.category, voice: 'author' });
        expect(res.status, JSON.stringify(s)).toBe(303);
      }
      const next = spans[MAX_TAGS_PER_SENTENCE];
      const res = await refused(w.t, () =>
        w.researcher.post(`/articles/${w.demoArticleId}/sentences/1/tags`, { first: String(next?.first), last: String(next?.last), category: next?.category ?? '', voice: 'author' }),
      );
      expect(res.status).toBe(409);
      expect(textOf(res.text)).toContain(`This sentence already has ${MAX_TAGS_PER_SENTENCE} of your tags`);
      expect((await w.researcher.post(`/articles/${w.demoArticleId}/sentences/2/tags`, { first: '0', last: '0', category: 'hedge', voice: 'author' })).status).toBe(303);
    });
  });
});

describe('a __proto__ form field', () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(async () => {
    await w.t.cleanup();
  });

  it('is refused (400) however it is spelled, and nothing is stored', async () => {
    const token = await w.researcher.csrf();
    for (const key of ['__proto__', '%5F%5Fproto%5F%5F', '__pro%74o__']) {
      const res = await refused(w.t, () =>
        w.researcher.agent.post('/projects').type('form').send(`_csrf=${token}&name=Polluted&${key}=x`),
      );
      expect(res.status, key).toBe(400);
      expect(textOf(res.text), key).toContain('Unexpected field(s): __proto__');
    }
    // In a multipart form too.
    const multipart = await w.researcher.agent
      .post(`/projects/${w.projectId}/articles/preview`)
      .field('_csrf', token)
      .field('title', 'T')
      .field('text', 'One. Two.')
      .field('__proto__', 'x');
    expect(multipart.status).toBe(400);
    expect(textOf(multipart.text)).toContain('__proto__');
    // A value that merely mentions it is fine.
    expect((await w.researcher.post('/projects', { name: 'About __proto__ and 100% sure' })).status).toBe(303);
  });
});

describe('nicknames in a class', () => {
  let t: TestApp;
  let teacher: Agent;
  let code = '';
  let activityId = '';
  beforeAll(async () => {
    t = await makeApp();
    await addUser(t, 'tess', 'teacher');
    teacher = await signIn(t.app, 'tess');
    expect((await teacher.post('/activities', { from: 'demo' })).status).toBe(303);
    const activity = t.activities.activities()[0];
    code = activity?.code ?? '';
    activityId = activity?.id ?? '';
  });
  afterAll(async () => {
    await t.cleanup();
  });

  async function join(nickname: string): Promise<request.Response> {
    const agent = request.agent(t.app);
    const page = await agent.get(`/join?code=${code}`);
    return agent.post('/join').type('form').send({ _csrf: csrfOf(page.text), code, nickname });
  }

  it('Sam, Sam+ZWJ and ZWJ+Sam (and SAM, ｓａｍ) are one nickname: only the first joins', async () => {
    expect((await join('Sam')).status).toBe(303);
    for (const twin of ['Sam\u200d', '\u200dSam', 'S\u200dam', 'SAM', 'ｓａｍ', '\u202eSam']) {
      const res = await join(twin);
      expect(res.status, JSON.stringify(twin)).toBe(409);
      expect(textOf(res.text)).toContain('already uses that nickname');
    }
    expect(t.activities.students(activityId).map((s) => s.nickname)).toEqual(['Sam']);
  });

  it('a Cyrillic look-alike joins, and the teacher’s dashboard flags both; emoji nicknames stay whole', async () => {
    expect((await join('Ѕam')).status).toBe(303);
    expect((await join('👩‍💻 Ana')).status).toBe(303);
    const page = await teacher.get(`/activities/${activityId}`);
    expect(page.status).toBe(200);
    const text = textOf(page.text);
    expect(text).toContain('Check this nickname: mixes alphabets (Cyrillic, Latin); looks like “Sam”');
    expect(text).toContain('Check this nickname: looks like “Ѕam”');
    expect(page.text).toContain('👩‍💻 Ana');
    const json = (await teacher.get(`/activities/${activityId}/dashboard.json`)).body as { students: { nickname: string; flag: string | null }[] };
    expect(json.students.find((s) => s.nickname === 'Ѕam')?.flag).toMatch(/mixes alphabets/);
    expect(json.students.find((s) => s.nickname === '👩‍💻 Ana')?.flag).toBeNull();
  });
});
