// Stories over HTTP: the demo story, importing a story from JSON files and from a zip, the
// side-by-side page, unlinking and relinking (and the edits surviving a restart and a
// re-alignment), article details, the outlet profile and its downloads, the alignment export,
// and every refusal leaving the data as it was.
import { zipSync, strToU8 } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, snapshot } from '../helpers/app.js';
import { addAnnotator, importArticle, expectEscaped, expectPage, PAYLOADS, refused, tag, textOf, world, type Member, type World } from '../helpers/forms.js';
import type { Agent } from '../helpers/app.js';
import { words } from '../../server/core/segmentation.js';

let w: World;
let anna: Member;
beforeAll(async () => {
  w = await world();
  anna = await addAnnotator(w, 'anna');
});
afterAll(async () => {
  await w.t.cleanup();
});

const ARTICLES = {
  'a-wire.json': {
    title: 'Flood waters rise in Riverton',
    source: 'Wire Desk',
    date: '2024-03-01',
    url: 'https://example.org/wire',
    paragraphs: [
      'Flood waters rose to 4.2 metres in Riverton on Friday, forcing 1,200 residents from their homes.',
      'Mayor Ellen Park said the city had opened three shelters.',
      'Forecasters expect more rain over the weekend.',
    ],
  },
  'b-daily.json': {
    title: 'Riverton drowns as officials dither',
    source: 'Daily Clarion',
    date: '2024-03-02',
    url: 'https://example.org/daily',
    paragraphs: [
      'Riverton was swamped on Friday as flood waters hit 4.2 metres and 1,200 desperate residents fled their homes.',
      'Mayor Ellen Park, under fire for months, claimed the city had opened three shelters.',
      'Critics blamed years of neglect of the levees.',
    ],
  },
  'c-gazette.json': {
    title: 'Riverton residents flee floods',
    source: 'Gazette',
    date: '',
    url: '',
    paragraphs: [
      'About 1,200 residents left their homes in Riverton on Friday as flood waters reached 4.2 metres.',
      'Three shelters were opened, Mayor Ellen Park said.',
    ],
  },
};

/** The first and last word (0-based, in sentence `n`) of `phrase`, as the tag form takes them. */
function wordsOfPhrase(articleId: string, n: number, phrase: string): { first: number; last: number } {
  const article = w.t.store.article(articleId)!;
  const range = article.sentences[n - 1]!;
  const start = article.text.indexOf(phrase, range.start);
  const list = words(article.text, range);
  const first = list.findIndex((x) => x.start === start);
  const last = list.findIndex((x) => x.end === start + phrase.length);
  if (first < 0 || last < 0) throw new Error(`no phrase ${phrase}`);
  return { first, last };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

async function upload(a: Agent, projectId: string, files: { name: string; content: Buffer }[], fields: Record<string, string> = {}) {
  const token = await a.csrf();
  let req = a.agent.post(`/projects/${projectId}/stories/import`).field('_csrf', token);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  for (const f of files) req = req.attach('files', f.content, f.name);
  return req;
}

function storyIdFrom(location: string, projectId: string): string {
  const match = new RegExp(`^/projects/${projectId}/stories/([A-Za-z0-9_-]+)$`).exec(location);
  if (!match?.[1]) throw new Error(`not a story address: ${location}`);
  return match[1];
}

async function importStory(title: string): Promise<string> {
  const res = await upload(w.researcher, w.projectId, Object.entries(ARTICLES).map(([name, a]) => ({ name, content: json(a) })), { title });
  expect(res.status, res.text).toBe(303);
  return storyIdFrom(String(res.headers.location), w.projectId);
}

describe('the demo story', () => {
  it('shows the demo article beside two constructed counterparts, marked as constructed, with reference tags', async () => {
    const stories = w.t.store.stories.list(w.projectId);
    expect(stories).toHaveLength(1);
    const story = stories[0]!;
    expect(story.articles).toHaveLength(3);
    expect(story.articles[0]).toBe(w.demoArticleId);
    const [, wire, western] = story.articles.map((id) => w.t.store.article(id)!);
    expect(wire!.source).toMatch(/^Constructed Example/);
    expect(western!.source).toMatch(/^Constructed Example/);
    expect(story.reference.length).toBeGreaterThan(10);
    const html = expectPage(await w.researcher.get(`/projects/${w.projectId}/stories/${story.id}`));
    const text = textOf(html);
    expect(text).toContain('Constructed examples');
    expect(text).toContain('not real outlets’ texts');
    expect(html).toContain('<th scope="col">Sputnik</th>');
    expect(html).toMatch(/only in Sputnik/);
    expect(html).toMatch(/class="tag c-loaded-language/);
    // Stoltenberg's quotation is one group across the three outlets.
    expect(html).toContain('the story’s reference annotation');
    expect(html).toContain('Word choice');
  });

  it('hides the reference from an annotator of the blind demo project, who sees only their own tags', async () => {
    const story = w.t.store.stories.list(w.projectId)[0]!;
    const saved = await tag(anna, w.demoArticleId, 1, { first: 0, last: 1, category: 'hedge' });
    expect(saved.status).toBe(303);
    const html = expectPage(await anna.get(`/projects/${w.projectId}/stories/${story.id}`));
    expect(html).not.toContain('reference annotation');
    expect(html).toMatch(/class="tag c-hedge/);
    expect(html).not.toMatch(/class="tag c-loaded-language/);
    expect(html).not.toContain('Unlink');
  });
});

describe('importing a story', () => {
  it('imports three JSON files as articles with their metadata and one story, and shows them side by side', async () => {
    const id = await importStory('Riverton floods');
    const story = w.t.store.stories.story(w.projectId, id)!;
    expect(story.title).toBe('Riverton floods');
    const articles = story.articles.map((a) => w.t.store.article(a)!);
    expect(articles.map((a) => a.source)).toEqual(['Wire Desk', 'Daily Clarion', 'Gazette']);
    expect(articles[0]).toMatchObject({ title: 'Flood waters rise in Riverton', publishedAt: '2024-03-01', url: 'https://example.org/wire' });
    expect(articles[0]!.sentences).toHaveLength(3);
    const html = expectPage(await w.researcher.get(`/projects/${w.projectId}/stories/${id}`));
    for (const outlet of ['Wire Desk', 'Daily Clarion', 'Gazette']) expect(html).toContain(`<th scope="col">${outlet}</th>`);
    // The levee sentence is the Daily Clarion's alone; the 4.2-metre lead is in all three.
    const row = (prefix: string) => html.split('<tr id="g').find((r) => textOf(r).includes(prefix)) ?? '';
    expect(textOf(row('Critics blamed'))).toContain('only in Daily Clarion');
    const lead = row('Flood waters rose');
    expect(lead).toContain('Riverton was swamped');
    expect(lead).toContain('About 1,200 residents');
    expect(textOf(html)).toMatch(/swamped|desperate|claimed/);
    const list = expectPage(await w.researcher.get(`/projects/${w.projectId}/stories`));
    expect(list).toContain('Riverton floods');
  });

  it('imports a zip of such files, in name order, taking the story note from the files', async () => {
    const zip = zipSync(Object.fromEntries(Object.entries(ARTICLES).reverse().map(([name, a]) => [`corpus/${name}`, strToU8(JSON.stringify({ ...a, note: 'From the test corpus.' }))])));
    const res = await upload(w.researcher, w.projectId, [{ name: 'riverton.zip', content: Buffer.from(zip) }]);
    expect(res.status, res.text).toBe(303);
    const story = w.t.store.stories.story(w.projectId, storyIdFrom(String(res.headers.location), w.projectId))!;
    expect(story.title).toBe('Flood waters rise in Riverton');
    expect(story.note).toBe('From the test corpus.');
    expect(story.articles.map((a) => w.t.store.article(a)!.source)).toEqual(['Wire Desk', 'Daily Clarion', 'Gazette']);
  });

  it('refuses a bad file naming it and the field, and stores nothing', async () => {
    const bad = { ...ARTICLES['b-daily.json'], date: '2024-02-31' };
    const res = await refused(w.t, () =>
      upload(w.researcher, w.projectId, [
        { name: 'a-wire.json', content: json(ARTICLES['a-wire.json']) },
        { name: 'b-daily.json', content: json(bad) },
      ]),
    );
    expect(res.status).toBe(400);
    expect(textOf(res.text)).toContain('b-daily.json: date must be a date');
    const notJson = await refused(w.t, () => upload(w.researcher, w.projectId, [{ name: 'x.json', content: Buffer.from('{') }, { name: 'y.json', content: json(ARTICLES['a-wire.json']) }]));
    expect(notJson.status).toBe(400);
    expect(textOf(notJson.text)).toContain('x.json: not JSON');
    const one = await refused(w.t, () => upload(w.researcher, w.projectId, [{ name: 'a.json', content: json(ARTICLES['a-wire.json']) }]));
    expect(one.status).toBe(400);
    expect(textOf(one.text)).toContain('at least two articles');
    const annotator = await refused(w.t, () => upload(anna, w.projectId, [{ name: 'a.json', content: json(ARTICLES['a-wire.json']) }]));
    expect(annotator.status).toBe(403);
  });

  it('escapes the titles and outlets it shows', async () => {
    const files = [
      { name: '1.json', content: json({ ...ARTICLES['a-wire.json'], source: PAYLOADS[0], title: PAYLOADS[1] }) },
      { name: '2.json', content: json(ARTICLES['c-gazette.json']) },
    ];
    const res = await upload(w.researcher, w.projectId, files, { title: PAYLOADS[0] });
    expect(res.status).toBe(303);
    const html = expectPage(await w.researcher.get(String(res.headers.location)));
    expectEscaped(html, PAYLOADS[0]);
    expectEscaped(html, PAYLOADS[1]);
  });
});

describe('links', () => {
  it('unlinks and relinks a pair without JavaScript; the edit survives a restart and the aligner running again', async () => {
    const id = await importStory('Riverton, links');
    const story = w.t.store.stories.story(w.projectId, id)!;
    const [wire, daily] = story.articles;
    const base = `/projects/${w.projectId}/stories/${id}`;
    const page = expectPage(await w.researcher.get(base));
    const pair = { a: `${wire}:2`, b: `${daily}:2` };
    expect(page).toContain(`value="${pair.a}"><input type="hidden" name="b" value="${pair.b}">`);
    const unlink = await w.researcher.post(`${base}/links`, { ...pair, action: 'remove' });
    expect(unlink.status).toBe(303);
    expect(unlink.headers.location).toBe(`${base}#s-${wire}-2`);
    const after = expectPage(await w.researcher.get(base));
    expect(textOf(after)).toContain('Links removed by hand (1)');
    const rita = textOf(after.split('<tr id="g').find((r) => r.includes(`id="s-${daily}-2"`)) ?? '');
    expect(rita).not.toContain('Flood waters');

    // A restart: the store is read again, and the aligner runs again.
    const t2 = await w.t.reopen();
    try {
      const again = await signIn(t2.app, 'rita');
      const reopened = expectPage(await again.get(base));
      expect(textOf(reopened)).toContain('Links removed by hand (1)');
    } finally {
      await t2.cleanup();
    }

    const relink = await w.researcher.post(`${base}/links`, { ...pair, action: 'add' });
    expect(relink.status).toBe(303);
    const back = expectPage(await w.researcher.get(base));
    expect(textOf(back)).not.toContain('Links removed by hand');
    expect(textOf(back)).toMatch(/Wire Desk 2 ↔ Daily Clarion 2 · score [0-9.]+ · linked by rita/);
    const edits = w.t.store.stories.story(w.projectId, id)!.edits;
    expect(edits.map((e) => e.action)).toEqual(['remove', 'add']);
    expect(edits[0]!.a).toEqual({ article: wire, start: w.t.store.article(wire!)!.sentences[1]!.start });
  });

  it('keeps a removed link removed when the story is aligned again with one article fewer and then more', async () => {
    const id = await importStory('Riverton, realign');
    const [wire, daily, gazette] = w.t.store.stories.story(w.projectId, id)!.articles;
    const base = `/projects/${w.projectId}/stories/${id}`;
    expect((await w.researcher.post(`${base}/links`, { a: `${wire}:2`, b: `${daily}:2`, action: 'remove' })).status).toBe(303);
    // Without the Gazette, then with it again: the aligner runs on a different set of articles each time.
    expect((await w.researcher.post(base, { title: 'Riverton, realign', articles: [wire!, daily!] })).status).toBe(303);
    let html = expectPage(await w.researcher.get(base));
    expect(textOf(html)).toContain('Links removed by hand (1)');
    // With two articles, nothing else joins the two sentences: each is "only in" its outlet.
    const row = html.split('<tr id="g').find((r) => r.includes(`id="s-${daily}-2"`)) ?? '';
    expect(row).not.toContain(`id="s-${wire}-2"`);
    expect(textOf(row)).toContain('only in Daily Clarion');
    expect((await w.researcher.post(base, { title: 'Riverton, realign', articles: [wire!, daily!, gazette!] })).status).toBe(303);
    html = expectPage(await w.researcher.get(base));
    expect(textOf(html)).toContain('Links removed by hand (1)');
    const links = ((await w.researcher.get(`${base}/alignment.json`)).body as { links: { a: { article: string; sentence: number }; b: { article: string; sentence: number } }[] }).links;
    expect(links.some((l) => l.a.article === wire && l.a.sentence === 2 && l.b.article === daily && l.b.sentence === 2)).toBe(false);
    expect(links.some((l) => l.b.article === gazette)).toBe(true);
  });

  it('adds a link the aligner did not make from the candidates page, ranked by score', async () => {
    const id = await importStory('Riverton, candidates');
    const story = w.t.store.stories.story(w.projectId, id)!;
    const [wire, daily] = story.articles;
    const base = `/projects/${w.projectId}/stories/${id}`;
    const page = expectPage(await w.researcher.get(`${base}/link?article=${wire}&sentence=3`));
    expect(textOf(page)).toContain('Forecasters expect more rain');
    const res = await w.researcher.post(`${base}/links`, { a: `${wire}:3`, b: `${daily}:3`, action: 'add', back: 'candidates' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`${base}/link?article=${wire}&sentence=3`);
    const html = expectPage(await w.researcher.get(base));
    const row = html.split('<tr id="g').find((r) => r.includes(`id="s-${daily}-3"`)) ?? '';
    expect(row).toContain(`id="s-${wire}-3"`);
    expect(textOf(row)).not.toContain('only in');
  });

  it('refuses bad links and non-researchers, changing nothing', async () => {
    const id = await importStory('Riverton, refusals');
    const [wire, daily] = w.t.store.stories.story(w.projectId, id)!.articles;
    const base = `/projects/${w.projectId}/stories/${id}`;
    const cases: [Record<string, string>, number, RegExp][] = [
      [{ a: `${wire}:99`, b: `${daily}:1`, action: 'add' }, 400, /not in this story/],
      [{ a: `${wire}:1`, b: `${wire}:2`, action: 'add' }, 400, /two different articles/],
      [{ a: `${wire}`, b: `${daily}:1`, action: 'add' }, 400, /must name a sentence/],
      [{ a: `${wire}:1`, b: `${w.demoArticleId}:1`, action: 'add' }, 400, /not in this story/],
      [{ a: `${wire}:1`, b: `${daily}:1`, action: 'merge' }, 400, /action/],
    ];
    for (const [form, status, message] of cases) {
      const res = await refused(w.t, () => w.researcher.post(`${base}/links`, form));
      expect(res.status, JSON.stringify(form)).toBe(status);
      expect(textOf(res.text)).toMatch(message);
    }
    const annotator = await refused(w.t, () => anna.post(`${base}/links`, { a: `${wire}:1`, b: `${daily}:1`, action: 'remove' }));
    expect([403, 404]).toContain(annotator.status);
  });
});

describe('stories and articles', () => {
  it('makes a story from the project’s articles; an article belongs to one story only', async () => {
    const id = await importStory('Riverton, pool');
    const [wire, daily] = w.t.store.stories.story(w.projectId, id)!.articles;
    const before = await snapshot(w.t);
    const clash = await w.researcher.post(`/projects/${w.projectId}/stories`, { title: 'Again', articles: [wire!, daily!] });
    expect(clash.status).toBe(409);
    expect(await snapshot(w.t)).toEqual(before);
    // Take the daily out of its story; with one more free article, it can start a new story.
    const edit = await w.researcher.post(`/projects/${w.projectId}/stories/${id}`, { title: 'Riverton, pool', articles: [wire!, w.t.store.stories.story(w.projectId, id)!.articles[2]!] });
    expect(edit.status).toBe(303);
    expect(w.t.store.stories.story(w.projectId, id)!.articles).not.toContain(daily);
    const taken = await refused(w.t, () => w.researcher.post(`/projects/${w.projectId}/stories`, { title: 'Pair', articles: [daily!, wire!] }));
    expect(taken.status).toBe(409); // wire is still in the first story
    const extra = await importArticle(w.researcher, w.projectId, { title: 'Levees', source: 'Riverton Post', text: 'The levees failed on Friday. Residents fled.' });
    const form = expectPage(await w.researcher.get(`/projects/${w.projectId}/stories/new`));
    expect(form).toContain(`value="${daily}"`);
    expect(form).toContain(`value="${extra}"`);
    const created = await w.researcher.post(`/projects/${w.projectId}/stories`, { title: 'Pair', articles: [daily!, extra], pivot: extra });
    expect(created.status).toBe(303);
    const pair = w.t.store.stories.story(w.projectId, storyIdFrom(String(created.headers.location), w.projectId))!;
    expect(pair.articles).toEqual([extra, daily]);
  });

  it('edits an article’s details (outlet, date, URL, title), refusing a bad date', async () => {
    const id = await importStory('Riverton, details');
    const gazette = w.t.store.stories.story(w.projectId, id)!.articles[2]!;
    const form = expectPage(await w.researcher.get(`/articles/${gazette}/details`));
    expect(form).toContain('value="Gazette"');
    const bad = await refused(w.t, () => w.researcher.post(`/articles/${gazette}/details`, { title: 'T', source: 'Gazette', url: '', publishedAt: '2024-13-01' }));
    expect(bad.status).toBe(400);
    const ok = await w.researcher.post(`/articles/${gazette}/details`, { title: 'Residents flee', source: 'The Gazette', url: 'https://example.org/g', publishedAt: '2024-03-03' });
    expect(ok.status).toBe(303);
    expect(w.t.store.article(gazette)).toMatchObject({ title: 'Residents flee', source: 'The Gazette', url: 'https://example.org/g', publishedAt: '2024-03-03' });
    const html = expectPage(await w.researcher.get(`/projects/${w.projectId}/stories/${id}`));
    expect(html).toContain('<th scope="col">The Gazette</th>');
    const annotator = await refused(w.t, () => anna.post(`/articles/${gazette}/details`, { title: 'X', source: '', url: '', publishedAt: '' }));
    expect([403, 404]).toContain(annotator.status);
  });

  it('deleting an article takes it out of its story', async () => {
    const id = await importStory('Riverton, deletion');
    const gazette = w.t.store.stories.story(w.projectId, id)!.articles[2]!;
    const res = await w.researcher.post(`/articles/${gazette}/delete`, { confirm: 'yes' });
    expect(res.status).toBe(303);
    expect(w.t.store.stories.story(w.projectId, id)!.articles).toHaveLength(2);
    expectPage(await w.researcher.get(`/projects/${w.projectId}/stories/${id}`));
  });
});

describe('tags shown', () => {
  /** The HTML of one sentence's cell on the story page (`n` 1-based). */
  const cell = (html: string, article: string, n: number) => html.split(`id="s-${article}-${n}"`)[1]?.split('class="story-sentence"')[0] ?? '';
  /** The row of the articles table for an outlet. */
  const articleRow = (html: string, outlet: string) => html.split('<tr>').find((r) => r.includes(`<th scope="row">${outlet}</th>`)) ?? '';

  it('shows curated gold for a curated article (and says so), the others’ tags merged with counts; annotators of a blind project see no gold', async () => {
    const id = await importStory('Riverton, gold');
    const [wire, daily] = w.t.store.stories.story(w.projectId, id)!.articles;
    const bea = await addAnnotator(w, 'bea');
    // Both annotators tag "Flood waters" in the wire's lead, and "swamped" in the Clarion's.
    const swamped = wordsOfPhrase(daily!, 1, 'swamped');
    for (const m of [anna, bea]) {
      expect((await tag(m, wire!, 1, { first: 0, last: 1, category: 'loaded-language' })).status).toBe(303);
      expect((await tag(m, daily!, 1, { ...swamped, category: 'loaded-language' })).status).toBe(303);
    }
    // A curator settles the wire's lead: "forcing" as emphasis, not the annotators' tag.
    const forcing = wordsOfPhrase(wire!, 1, 'forcing');
    const curation = `/curation/articles/${wire}/sentences/1`;
    expect((await w.researcher.post(`${curation}/tags`, { first: String(forcing.first), last: String(forcing.last), category: 'emphasis', voice: 'author', intensity: '', note: 'settled <b>by</b> the curator' })).status).toBe(303);
    expect((await w.researcher.post(`${curation}/curated`, { curated: '1' })).status).toBe(303);
    const base = `/projects/${w.projectId}/stories/${id}`;

    const html = expectPage(await w.researcher.get(base));
    expect(textOf(articleRow(html, 'Wire Desk'))).toMatch(/curated gold: 1 tag in 1 of 3 sentences; elsewhere 0 from 2 annotators/);
    expect(textOf(articleRow(html, 'Daily Clarion'))).toContain('1 from 2 annotators');
    expect(textOf(html)).toContain('Tags shown: curated gold where there is some');
    const lead = cell(html, wire!, 1);
    expect(lead).toContain('curated gold');
    expect(lead).toMatch(/class="tag c-emphasis/);
    expect(lead).not.toMatch(/c-loaded-language/);
    expect(lead).toContain('settled &lt;b&gt;by&lt;/b&gt; the curator');
    const clarion = cell(html, daily!, 1);
    expect(clarion).not.toContain('curated gold');
    expect(textOf(clarion)).toMatch(/“swamped” ×2/);

    // The annotators' tags instead: the wire's lead as the two annotators tagged it.
    const merged = expectPage(await w.researcher.get(`${base}?tags=annotators`));
    const mergedLead = cell(merged, wire!, 1);
    expect(mergedLead).not.toContain('curated gold');
    expect(textOf(mergedLead)).toMatch(/“Flood waters” ×2/);
    expect(mergedLead).not.toMatch(/c-emphasis/);

    // Blind project: an annotator sees neither gold nor the other's tags.
    const own = expectPage(await anna.get(base));
    expect(own).not.toContain('curated gold');
    expect(own).not.toMatch(/class="tag c-emphasis/);
    expect(textOf(cell(own, wire!, 1))).toContain('“Flood waters”');
    expect(textOf(cell(own, wire!, 1))).not.toContain('×2');
  });
});

describe('exports', () => {
  it('downloads the alignment as CSV and JSON: story, outlet, article, sentence, group, score, who linked', async () => {
    const id = await importStory('Riverton, export');
    const base = `/projects/${w.projectId}/stories/${id}`;
    const [wire, daily] = w.t.store.stories.story(w.projectId, id)!.articles;
    await w.researcher.post(`${base}/links`, { a: `${wire}:3`, b: `${daily}:3`, action: 'add' });
    const csv = await w.researcher.get(`${base}/alignment.csv`);
    expect(csv.status).toBe(200);
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('story,story_title,outlet,article,article_title,sentence,text,group,only_in,score,linked_by');
    expect(lines).toHaveLength(1 + 8);
    const data = await w.researcher.get(`${base}/alignment.json`);
    const body = data.body as { links: { a: { article: string; sentence: number }; b: { article: string; sentence: number }; linked_by: string; origin: string; score: number }[]; sentences: { group: number; only_in: string; outlet: string; sentence: number }[] };
    const manual = body.links.find((l) => l.a.article === wire && l.a.sentence === 3 && l.b.sentence === 3);
    expect(manual).toMatchObject({ origin: 'manual', linked_by: 'rita' });
    expect(body.links.some((l) => l.linked_by === 'aligner')).toBe(true);
    const levees = body.sentences.find((s) => s.outlet === 'Daily Clarion' && s.sentence === 3)!;
    const rain = body.sentences.find((s) => s.outlet === 'Wire Desk' && s.sentence === 3)!;
    expect(levees.group).toBe(rain.group);
    const gazetteShelters = body.sentences.find((s) => s.outlet === 'Gazette' && s.sentence === 2)!;
    expect(gazetteShelters.only_in).toBe('');
  });

  it('the outlet profile equals a plain computation, and downloads as CSV, JSON, Markdown and LaTeX', async () => {
    const id = await importStory('Riverton, profile');
    const ids = w.t.store.stories.story(w.projectId, id)!.articles;
    // Rita tags two spans in the Daily Clarion's first sentence, one in the Wire's.
    const daily = w.t.store.article(ids[1]!)!;
    const wire = w.t.store.article(ids[0]!)!;
    expect((await tag(w.researcher, daily.id, 1, { ...wordsOfPhrase(daily.id, 1, 'swamped'), category: 'loaded-language' })).status).toBe(303);
    expect((await tag(w.researcher, daily.id, 1, { ...wordsOfPhrase(daily.id, 1, 'desperate'), category: 'loaded-language' })).status).toBe(303);
    expect((await tag(w.researcher, wire.id, 1, { ...wordsOfPhrase(wire.id, 1, 'forcing'), category: 'loaded-language' })).status).toBe(303);
    const wordsOf = (a: typeof daily) => a.sentences.reduce((n, r) => n + words(a.text, r).length, 0);
    const html = expectPage(await w.researcher.get(`/projects/${w.projectId}/profile?story=${id}`));
    expect(html).toContain('<svg class="chart"');
    const json = (await w.researcher.get(`/projects/${w.projectId}/profile.json?story=${id}`)).body as {
      profiles: { outlet: string; articles: number; unannotated: number; categories: { category: string; tags: number; ratePer1000Words: { value: number }; sentenceShare: { value: number } }[] }[];
      comparisons: { a: string; b: string; exact: boolean; permutations: number }[];
    };
    const clarion = json.profiles.find((p) => p.outlet === 'Daily Clarion')!;
    const loaded = clarion.categories.find((c) => c.category === 'loaded-language')!;
    expect(loaded.tags).toBe(2);
    expect(loaded.ratePer1000Words.value).toBeCloseTo((1000 * 2) / wordsOf(daily), 10);
    expect(loaded.sentenceShare.value).toBeCloseTo(1 / daily.sentences.length, 10);
    const wireProfile = json.profiles.find((p) => p.outlet === 'Wire Desk')!.categories.find((c) => c.category === 'loaded-language')!;
    expect(wireProfile.ratePer1000Words.value).toBeCloseTo(1000 / wordsOf(wire), 10);
    // The Gazette was not annotated: it is left out and counted.
    expect(json.profiles.find((p) => p.outlet === 'Gazette')).toMatchObject({ articles: 0, unannotated: 1 });
    expect(json.comparisons.find((c) => c.a === 'Daily Clarion' && c.b === 'Wire Desk')).toMatchObject({ exact: true, permutations: 2 });
    const csv = await w.researcher.get(`/projects/${w.projectId}/profile.csv?story=${id}`);
    expect(csv.text.split('\n')[0]).toBe('section,outlet,versus,category,measure,value,ci_low,ci_high,p,p_holm,articles,words,sentences,layers,tags');
    expect(csv.text).toContain(`outlet,Daily Clarion,,loaded-language,tags_per_1000_words,${(2000 / wordsOf(daily)).toString().slice(0, 8)}`);
    const md = await w.researcher.get(`/projects/${w.projectId}/profile.md?story=${id}`);
    expect(md.text).toContain('| Outlet | Category | Tags/1k words | 95% CI |');
    const tex = await w.researcher.get(`/projects/${w.projectId}/profile.tex?story=${id}`);
    expect(tex.text).toContain('\\begin{tabular}');
    expect(tex.text).toContain('95\\% CI');
    expect((await w.researcher.get(`/projects/${w.projectId}/profile.xml`)).status).toBe(404);
  });

  it('the outlet profile counts curated gold in the sentences a curator settled, the annotators elsewhere; the annotators only on request', async () => {
    const id = await importStory('Riverton, profile with gold');
    const [wire] = w.t.store.stories.story(w.projectId, id)!.articles;
    const article = w.t.store.article(wire!)!;
    const cato = await addAnnotator(w, 'cato');
    // Both annotators tag "Flood waters" (sentence 1) and "forcing" (sentence 1); anna also a word in sentence 2.
    const forcing = wordsOfPhrase(wire!, 1, 'forcing');
    for (const m of [anna, cato]) {
      expect((await tag(m, wire!, 1, { first: 0, last: 1, category: 'loaded-language' })).status).toBe(303);
      expect((await tag(m, wire!, 1, { ...forcing, category: 'loaded-language' })).status).toBe(303);
    }
    expect((await tag(anna, wire!, 2, { first: 0, last: 0, category: 'loaded-language' })).status).toBe(303);
    const json = async (query: string) => {
      const body = (await w.researcher.get(`/projects/${w.projectId}/profile.json?story=${id}${query}`)).body as { profiles: { outlet: string; categories: { category: string; tags: number; ratePer1000Words: { value: number } }[] }[] };
      const wireDesk = body.profiles.find((p) => p.outlet === 'Wire Desk')!;
      return (category: string) => wireDesk.categories.find((c) => c.category === category)!;
    };
    const wordCount = article.sentences.reduce((n, r) => n + words(article.text, r).length, 0);
    // Before curation: 2 + 2 tags in sentence 1 and 1 in sentence 2 over 2 layers.
    expect((await json(''))('loaded-language').ratePer1000Words.value).toBeCloseTo((1000 * 5) / (wordCount * 2), 10);
    // The curator settles sentence 1: only "forcing", as emphasis.
    const curation = `/curation/articles/${wire}/sentences/1`;
    expect((await w.researcher.post(`${curation}/tags`, { first: String(forcing.first), last: String(forcing.last), category: 'emphasis', voice: 'author', intensity: '', note: '' })).status).toBe(303);
    expect((await w.researcher.post(`${curation}/curated`, { curated: '1' })).status).toBe(303);
    // Each layer now holds gold's one tag in sentence 1; anna's sentence-2 tag stays.
    const after = await json('');
    expect(after('loaded-language').ratePer1000Words.value).toBeCloseTo((1000 * 1) / (wordCount * 2), 10);
    expect(after('emphasis').ratePer1000Words.value).toBeCloseTo((1000 * 2) / (wordCount * 2), 10);
    // The annotators' tags only: as before curation.
    const annotators = await json('&tags=annotators');
    expect(annotators('loaded-language').ratePer1000Words.value).toBeCloseTo((1000 * 5) / (wordCount * 2), 10);
    expect(annotators('emphasis').tags).toBe(0);
  });

  it('profiles the whole project by outlet', async () => {
    const html = expectPage(await w.researcher.get(`/projects/${w.projectId}/profile`));
    expect(html).toContain('Outlet profile: the whole project');
    expect(html).toContain('Daily Clarion');
  });
});
