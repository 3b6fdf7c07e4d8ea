// Accessibility: axe-core on every page a crawl of the demo reaches, with JavaScript on and off,
// for each kind of user (researcher, annotator, teacher, classroom student, signed out), and on
// the page states that only an action shows (a form's error, edit mode, the help overlay).
// No page may have a serious or critical violation.
import request from 'supertest';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { addTag } from '../../server/core/spans.js';
import { words } from '../../server/core/segmentation.js';
import type { Annotation } from '../../server/core/model.js';
import { issueSetupToken, inviteUser } from '../../server/accounts/users.js';
import { newId } from '../../server/storage/store.js';
import { addUser, csrfOf, listen, makeApp, signIn, type Listening, type TestApp } from '../helpers/app.js';
import { contrast, GRAPHIC_CONTRAST } from '../../server/core/contrast.js';
import { audit, crawl, cssColour, focusStops, patternOf, report, seenBackground, shapeOf, type Crawled, type Finding } from './axe.js';
import { ANNOTATOR, RESEARCHER, demoLesson, pageWith, sessionOf, startHarness, type Harness, type SessionState } from './browser.js';

/** Generous: a crawl audits dozens of pages on two cores shared with other test runs. */
const CRAWL_TIMEOUT = 15 * 60_000;
const SETUP_TIMEOUT = 3 * 60_000;
const TEACHER = 'tess';
const SECOND_ANNOTATOR = 'bo';
const MODES = [
  { js: true, mode: 'JavaScript on' },
  { js: false, mode: 'JavaScript off' },
] as const;
const modeName = (js: boolean) => (js ? 'JavaScript on' : 'JavaScript off');

function expectClean(findings: Finding[], where: string) {
  expect(findings, `serious or critical axe-core violations ${where}:\n${report(findings)}`).toEqual([]);
}

// --- The demo, with data on every page -----------------------------------------------------------

let h: Harness;
let blank: { t: TestApp; server: Listening; setupToken: string } | undefined;
const sessions = new Map<string, SessionState>();
let researcherActivity: string;
let teacherActivity: { id: string; code: string };
let inviteToken: string;
/** Pages audited per user and JavaScript mode, printed at the end for the report. */
const counts: Array<{ who: string; js: boolean; pages: number }> = [];

/** Tags `phrase` (whole words) in the sentence that starts with `sentenceStart`. */
function tagOf(article: { id: string; text: string; sentences: Array<{ start: number; end: number }> }, annotatorId: string, sentenceStart: string, phrase: string, category: string, note = '') {
  const sentence = article.sentences.findIndex((r) => article.text.slice(r.start, r.end).startsWith(sentenceStart));
  const range = article.sentences[sentence];
  if (!range) throw new Error(`no sentence starts with ${sentenceStart}`);
  const start = article.text.indexOf(phrase, range.start);
  if (start < 0 || start + phrase.length > range.end) throw new Error(`"${phrase}" is not in sentence ${sentence}`);
  const ws = words(article.text, range);
  if (!ws.some((w) => w.start === start) || !ws.some((w) => w.end === start + phrase.length)) throw new Error(`"${phrase}" is not whole words`);
  const now = new Date().toISOString();
  return (a: Annotation) =>
    addTag(a, { id: newId(), articleId: article.id, annotatorId, sentence, start, end: start + phrase.length, category, voice: 'author', intensity: null, note, createdAt: now, updatedAt: now });
}

/** A student joins over HTTP (as another phone would) and tags a few phrases. */
async function studentTags(activityId: string, nickname: string) {
  const activity = h.t.activities.activity(activityId);
  if (!activity) throw new Error('no activity');
  const agent = request.agent(h.t.app);
  // The token first: supertest's agent attaches its cookies when the request is created.
  const token = csrfOf((await agent.get('/join')).text);
  const joined = await agent.post('/join').type('form').send({ _csrf: token, code: activity.code, nickname });
  expect(joined.status).toBe(303);
  const student = h.t.activities.students(activityId).find((s) => s.nickname === nickname);
  if (!student) throw new Error('student not stored');
  const text = { id: activityId, text: activity.article.text, sentences: activity.article.sentences };
  await h.t.activities.updateStudent(activityId, student.id, (a) => {
    tagOf(text, student.id, 'Stoltenberg indicated', 'presumably', 'hedge')(a);
    tagOf(text, student.id, "The Western bloc's member states", "Western bloc's", 'loaded-label')(a);
  });
}

beforeAll(async () => {
  h = await startHarness();
  await addUser(h.t, TEACHER, 'teacher');
  const boId = await addUser(h.t, SECOND_ANNOTATOR, 'annotator');
  await h.t.store.projects.update((file) => {
    file.data.projects.find((p) => p.id === h.projectId)?.members.push({ userId: boId, role: 'annotator' });
  });
  // Tags from two annotators and the researcher: highlights, tag lists, summary, agreement and its disagreements.
  const article = h.t.store.articles().find((a) => a.id === h.articleId);
  if (!article) throw new Error('no demo article');
  await h.t.store.updateAnnotation(h.articleId, h.annotatorId, (a) => {
    tagOf(article, h.annotatorId, 'Stoltenberg indicated', 'presumably', 'hedge', 'A hedge on the motive.')(a);
    tagOf(article, h.annotatorId, 'Stoltenberg indicated', 'Stoltenberg indicated', 'reporting-verb')(a);
    tagOf(article, h.annotatorId, "The Western bloc's member states", "Western bloc's", 'loaded-label')(a);
  });
  await h.t.store.updateAnnotation(h.articleId, boId, (a) => {
    tagOf(article, boId, 'Stoltenberg indicated', 'presumably', 'hedge')(a);
    tagOf(article, boId, "The Western bloc's member states", "Western bloc's", 'loaded-language')(a);
  });
  await h.t.store.updateAnnotation(h.articleId, h.researcherId, (a) => {
    tagOf(article, h.researcherId, 'Stoltenberg indicated', 'presumably', 'hedge')(a);
  });
  // A new member's one-time link (the set-up page a new annotator opens, signed out).
  inviteToken = (await inviteUser(h.t.store, 'newcomer', 'annotator')).token;
  // Lessons: the researcher's, with a student and revealed; the teacher's, with students, not revealed yet.
  researcherActivity = (await demoLesson(h.t, RESEARCHER)).id;
  await studentTags(researcherActivity, 'Ada');
  const researcher = await signIn(h.t.app, RESEARCHER);
  expect((await researcher.post(`/activities/${researcherActivity}/reveal`, {})).status).toBe(303);
  const teacherId = (await demoLesson(h.t, TEACHER)).id;
  await studentTags(teacherId, 'Bea');
  await studentTags(teacherId, 'Cy');
  teacherActivity = { id: teacherId, code: h.t.activities.activity(teacherId)?.code ?? '' };
  for (const name of [RESEARCHER, ANNOTATOR, TEACHER]) sessions.set(name, await sessionOf(h, name));
  // First start: a data folder without accounts shows the set-up link's page.
  const t = await makeApp();
  const setupToken = await issueSetupToken(t.store);
  if (!setupToken) throw new Error('no set-up token');
  blank = { t, server: await listen(t.app), setupToken };
}, SETUP_TIMEOUT);

afterAll(async () => {
  if (counts.length > 0) {
    console.info(`Pages audited by axe-core:\n${counts.map((c) => `  ${c.who.padEnd(26)} ${modeName(c.js).padEnd(15)} ${c.pages}`).join('\n')}`);
  }
  await h?.close();
  await blank?.server.close();
  await blank?.t.cleanup();
}, SETUP_TIMEOUT);

/** The demo sentence the annotator tagged (its page has tags, Edit links and highlights). */
function sentenceWithTags(): string {
  const article = h.t.store.articles().find((a) => a.id === h.articleId);
  if (!article) throw new Error('no demo article');
  return `/articles/${h.articleId}/sentences/${sentenceNumber(article, 'Stoltenberg indicated')}`;
}

async function signedIn(name: string, js: boolean, options: BrowserContextOptions = {}): Promise<Page> {
  const session = sessions.get(name);
  if (!session) throw new Error(`no session for ${name}`);
  return (await pageWith(h, session, { javaScriptEnabled: js, ...options })).page;
}

/** Every pattern in `required` must be among the crawled pages' patterns or shapes. */
function expectReached(crawled: Crawled, required: string[], who: string) {
  const reached = new Set(crawled.pages.flatMap((p) => [patternOf(new URL(p, h.base)), shapeOf(new URL(p, h.base))]));
  const missing = required.filter((r) => !reached.has(r));
  expect(missing, `${who}: the crawl did not reach these pages (it visited:\n${crawled.pages.join('\n')})`).toEqual([]);
}

/** Submits the form that `button` belongs to and waits for the answer page. */
async function submit(page: Page, button: ReturnType<Page['locator']>) {
  await Promise.all([page.waitForEvent('load'), button.click()]);
}

/** The 1-based number of the sentence that starts with `start`. */
function sentenceNumber(text: { text: string; sentences: Array<{ start: number; end: number }> }, start: string): number {
  const index = text.sentences.findIndex((r) => text.text.slice(r.start, r.end).startsWith(start));
  if (index < 0) throw new Error(`no sentence starts with ${start}`);
  return index + 1;
}

// --- Crawls ---------------------------------------------------------------------------------------

describe.each(MODES)('every page, $mode', ({ js, mode }) => {
  test(`signed out (${mode}): sign-in, join, one-time and set-up links, error pages, form errors`, { timeout: CRAWL_TIMEOUT }, async () => {
    const context = await h.context({ javaScriptEnabled: js });
    const page = await context.newPage();
    const crawled = await crawl(page, {
      base: h.base,
      js,
      start: ['/signin', '/join', `/j/${teacherActivity.code}`, `/link/${inviteToken}`, '/j/ZZZZZZ', `/link/${'x'.repeat(24)}`, '/no-such-page', '/'],
    });
    expectReached(crawled, ['/signin', '/join', '/link/:id'], 'signed out');
    expect(crawled.errors.map((e) => e.status)).toEqual(expect.arrayContaining([404]));
    const findings = [...crawled.findings];
    // A wrong password re-renders the sign-in form with its message.
    await page.goto('/signin');
    await page.locator('#name').fill(ANNOTATOR);
    await page.locator('#password').fill('not the password at all');
    await submit(page, page.locator('form[action="/signin"] button[type="submit"]'));
    expect(await page.locator('[role="alert"]').count()).toBeGreaterThan(0);
    findings.push(...(await audit(page, js)));
    // A code no lesson has re-renders the join form with its message.
    await page.goto('/join');
    await page.locator('#code').fill('QQQ999');
    await page.locator('#nickname').fill('Nobody');
    await submit(page, page.locator('form[action="/join"] button[type="submit"]'));
    findings.push(...(await audit(page, js)));
    // The first start's set-up link, on a data folder without accounts, and its error re-render.
    if (!blank) throw new Error('no blank app');
    await page.goto(`${blank.server.base}/setup/${blank.setupToken}`);
    findings.push(...(await audit(page, js)));
    await page.locator('#name').fill('first');
    await page.locator('#password').fill('a long enough password 1');
    await page.locator('#confirm').fill('a different password 22');
    await submit(page, page.locator('form button[type="submit"]').last());
    findings.push(...(await audit(page, js)));
    counts.push({ who: 'signed out', js, pages: crawled.pages.length + 4 });
    expectClean(findings, `signed out, ${mode}`);
  });

  test(`researcher (${mode}): project, dashboard, summary, agreement, exports, codebooks, members, import, lessons`, { timeout: CRAWL_TIMEOUT }, async () => {
    const page = await signedIn(RESEARCHER, js);
    const crawled = await crawl(page, {
      base: h.base,
      js,
      start: ['/', `/projects/${h.projectId}`, `/activities/${researcherActivity}`, '/activities/new', '/account'],
    });
    const a = `/activities/:id`;
    expectReached(
      crawled,
      [
        '/',
        '/projects',
        '/projects/:id',
        '/projects/:id/dashboard',
        '/projects/:id/summary',
        '/projects/:id/agreement',
        '/projects/:id/export',
        '/projects/:id/articles/new',
        '/articles/:id',
        '/articles/:id/sentences/:n',
        '/codebooks',
        '/codebooks/framing',
        '/activities',
        '/activities/new',
        a,
        `${a}/reference`,
        `${a}/reference/:n`,
        `${a}/results`,
        `${a}/present/:n`,
        `${a}/students/:id`,
        '/account',
      ],
      'researcher',
    );
    expect(crawled.errors, 'a link the researcher can follow ends on an error page').toEqual([]);
    const findings = [...crawled.findings];
    // The import form's preview (nothing is stored until "Import").
    await page.goto(`/projects/${h.projectId}/articles/new`);
    await page.locator('#title').fill('A short test article');
    await page.locator('#text').fill('Officials said the talks were "frank". Critics called it a stunt.\nBy A. Reporter');
    await submit(page, page.locator('form button[type="submit"]').last());
    expect(new URL(page.url()).pathname).toBe(`/projects/${h.projectId}/articles/preview`);
    findings.push(...(await audit(page, js)));
    // A codebook that is not JSON re-renders the upload form with the error.
    await page.goto('/codebooks');
    await page.locator('#json').fill('{ not json');
    await submit(page, page.locator('form[action="/codebooks"] button[type="submit"]'));
    findings.push(...(await audit(page, js)));
    // A wrong current password re-renders the account page with the error.
    await page.goto('/account');
    await page.locator('#current').fill('not my password at all');
    await page.locator('#password').fill('a brand new password 1');
    await page.locator('#confirm').fill('a brand new password 1');
    await submit(page, page.locator('form[action="/account/password"] button[type="submit"]'));
    findings.push(...(await audit(page, js)));
    counts.push({ who: 'researcher', js, pages: crawled.pages.length + 3 });
    expectClean(findings, `researcher, ${mode}`);
  });

  test(`annotator (${mode}): home, project, article, sentence pages, edit mode, a refused save, the help`, { timeout: CRAWL_TIMEOUT }, async () => {
    const crawledPage = await signedIn(ANNOTATOR, js);
    const crawled = await crawl(crawledPage, {
      base: h.base,
      js,
      // The dashboard is for researchers: its 403 page is audited too.
      start: ['/', sentenceWithTags(), `/projects/${h.projectId}/dashboard`, '/projects/no-such-project'],
    });
    expectReached(crawled, ['/', '/projects', '/projects/:id', '/articles/:id', '/articles/:id/sentences/:n', '/articles/:id/sentences/:n?edit', '/codebooks', '/account'], 'annotator');
    expect(crawled.errors.map((e) => e.status).sort()).toEqual([403, 404]);
    const findings = [...crawled.findings];
    // Saving a tag that exists already is refused: the sentence page shows the error.
    const article = h.t.store.articles().find((x) => x.id === h.articleId);
    const tag = h.t.store.annotation(h.articleId, h.annotatorId).tags[0];
    if (!article || !tag) throw new Error('no tag');
    const ws = words(article.text, article.sentences[tag.sentence] ?? { start: 0, end: 0 });
    // A new tab: the crawl opened this sentence in edit mode, which the editor keeps as a draft in the tab.
    const page = await crawledPage.context().newPage();
    await page.goto(`/articles/${h.articleId}/sentences/${tag.sentence + 1}`);
    const form = page.locator(`form[action$="/sentences/${tag.sentence + 1}/tags"]`);
    // Last before first: with JavaScript, choosing a first word after the last one moves both (issue 12's menu bug).
    await form.locator('select[name="last"]').selectOption(String(ws.findIndex((w) => w.end === tag.end)));
    await form.locator('select[name="first"]').selectOption(String(ws.findIndex((w) => w.start === tag.start)));
    await form.locator(`input[name="category"][value="${tag.category}"]`).check();
    await form.locator('button[type="submit"]').last().click();
    await expect.poll(() => page.locator('.error, [role="alert"]').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.waitForLoadState('load');
    findings.push(...(await audit(page, js)));
    if (js) {
      // The keyboard help as an overlay (the ? key, focus on the page).
      await page.goto(`/articles/${h.articleId}/sentences/2`);
      await expect.poll(() => page.locator('html').getAttribute('class')).toContain('js');
      await page.locator('h1').click();
      await page.keyboard.press('?');
      await expect.poll(() => page.locator('#help').isVisible()).toBe(true);
      findings.push(...(await audit(page, js)));
    }
    counts.push({ who: 'annotator', js, pages: crawled.pages.length + (js ? 2 : 1) });
    expectClean(findings, `annotator, ${mode}`);
  });

  test(`teacher (${mode}): lessons, dashboard, reference editor, results, a student's feedback, presenter view`, { timeout: CRAWL_TIMEOUT }, async () => {
    const page = await signedIn(TEACHER, js);
    const crawled = await crawl(page, { base: h.base, js, start: ['/', '/activities'] });
    const a = `/activities/:id`;
    expectReached(crawled, ['/', '/activities', '/activities/new', a, `${a}/reference`, `${a}/reference/:n`, `${a}/reference/:n?edit`, `${a}/results`, `${a}/present/:n`, `${a}/students/:id`, '/account'], 'teacher');
    expect(crawled.errors, 'a link the teacher can follow ends on an error page').toEqual([]);
    const findings = [...crawled.findings];
    // A lesson from pasted text without a title re-renders the form with the error.
    await page.goto('/activities/new');
    await page.locator('#t-title').fill(' ');
    await page.locator('#t-text').fill('One sentence. Another sentence.');
    await submit(page, page.locator('#t-title').locator('xpath=ancestor::form').locator('button[type="submit"]'));
    findings.push(...(await audit(page, js)));
    counts.push({ who: 'teacher', js, pages: crawled.pages.length + 1 });
    expectClean(findings, `teacher, ${mode}`);
  });
});

describe('a classroom student', () => {
  const students = new Map<boolean, Page>();

  test.each(MODES)('joins with the code and tags ($mode): join page, lesson home, sentence pages, edit mode', { timeout: CRAWL_TIMEOUT }, async ({ js }) => {
    const context = await h.context({ javaScriptEnabled: js, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    students.set(js, page);
    await page.goto(`/j/${teacherActivity.code}`);
    const findings = await audit(page, js);
    await page.locator('#nickname').fill(js ? 'Scripted' : 'Plain');
    await submit(page, page.locator('form[action="/join"] button[type="submit"]'));
    expect(new URL(page.url()).pathname).toBe('/lesson');
    // The student's own tag, so the sentence page has a tag list and an Edit link.
    const student = h.t.activities.students(teacherActivity.id).find((s) => s.nickname === (js ? 'Scripted' : 'Plain'));
    const activity = h.t.activities.activity(teacherActivity.id);
    if (!student || !activity) throw new Error('no student');
    await h.t.activities.updateStudent(teacherActivity.id, student.id, tagOf({ id: activity.id, text: activity.article.text, sentences: activity.article.sentences }, student.id, 'Stoltenberg indicated', 'presumably', 'hedge'));
    const tagged = `/lesson/sentences/${sentenceNumber(activity.article, 'Stoltenberg indicated')}`;
    const crawled = await crawl(page, { base: h.base, js, start: ['/lesson', tagged], skip: /^\/(signin|account)$/ });
    expectReached(crawled, ['/lesson', '/lesson/sentences/:n', '/lesson/sentences/:n?edit'], 'student');
    expect(crawled.errors).toEqual([]);
    findings.push(...crawled.findings);
    counts.push({ who: 'student, before the reveal', js, pages: crawled.pages.length + 1 });
    expectClean(findings, `student, ${modeName(js)}`);
  });

  test.each(MODES)('after the reveal ($mode): lesson home, sentence pages, feedback', { timeout: CRAWL_TIMEOUT }, async ({ js }) => {
    if (h.t.activities.activity(teacherActivity.id)?.revealedAt === null) {
      const teacher = await signIn(h.t.app, TEACHER);
      expect((await teacher.post(`/activities/${teacherActivity.id}/reveal`, {})).status).toBe(303);
    }
    const page = students.get(js);
    if (!page) throw new Error('the student did not join');
    const crawled = await crawl(page, { base: h.base, js, start: ['/lesson', '/lesson/feedback'], skip: /^\/(signin|account)$/ });
    expectReached(crawled, ['/lesson', '/lesson/feedback', '/lesson/sentences/:n'], 'student after the reveal');
    counts.push({ who: 'student, after the reveal', js, pages: crawled.pages.length });
    expectClean(crawled.findings, `student after the reveal, ${modeName(js)}`);
  });
});

describe('keyboard focus', () => {
  test('every tab stop shows a focus outline at 3:1 or more against the background around it', { timeout: CRAWL_TIMEOUT }, async () => {
    const pages: Array<[string | null, string[]]> = [
      [null, ['/signin', '/join']],
      [
        RESEARCHER,
        [
          '/',
          `/projects/${h.projectId}`,
          `/articles/${h.articleId}`,
          sentenceWithTags(),
          `/projects/${h.projectId}/agreement`,
          `/projects/${h.projectId}/dashboard`,
          '/codebooks/framing',
          `/activities/${researcherActivity}`,
          `/activities/${researcherActivity}/results`,
        ],
      ],
    ];
    const weak: string[] = [];
    let checked = 0;
    for (const [who, paths] of pages) {
      const page = who ? await signedIn(who, true) : await (await h.context()).newPage();
      for (const path of paths) {
        await page.goto(path);
        for (const stop of await focusStops(page, 80)) {
          checked++;
          const background = seenBackground(stop.backgrounds);
          const ratio = contrast(cssColour(stop.outlineColour).rgb, background);
          if (stop.outlineStyle === 'none' || stop.outlineWidth < 2 || ratio < GRAPHIC_CONTRAST) {
            weak.push(`${stop.url}  ${stop.element}: outline ${stop.outlineStyle} ${stop.outlineWidth}px ${stop.outlineColour} on rgb(${background.map(Math.round).join(', ')}) = ${ratio.toFixed(2)}:1`);
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(weak, `focus outlines below ${GRAPHIC_CONTRAST}:1 or missing:\n${weak.join('\n')}`).toEqual([]);
  });
});
