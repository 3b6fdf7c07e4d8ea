// Importing spans from other tools: brat standoff, the SemEval-2020 Task 11 format and a CSV of
// spans, through the check page (articles matched or new, labels mapped to the codebook, spans
// across sentences split or refused) — round trips that keep every span where it was, imports
// that fail storing nothing, and the JSONL import checking every name before making accounts.
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import type request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { addUser, snapshot, type Agent } from '../helpers/app.js';
import { addAnnotator, bodyOf, expectError, expectPage, importArticle, refused, savedTagId, tag, textOf, world, type Member, type World } from '../helpers/forms.js';

interface File {
  name: string;
  content: string | Uint8Array;
}

/** The first step: the files, their format and the annotator, as the form sends them. */
async function check(a: Agent, projectId: string, format: string, files: File[], annotator = ''): Promise<request.Response> {
  const token = await a.csrf();
  let req = a.agent.post(`/projects/${projectId}/import/spans`).field('_csrf', token).field('format', format).field('annotator', annotator);
  for (const f of files) req = req.attach('files', typeof f.content === 'string' ? Buffer.from(f.content, 'utf8') : Buffer.from(f.content), f.name);
  return req;
}

interface CheckPage {
  action: string;
  labels: string[];
  /** The option selected per label (the suggestion). */
  suggested: string[];
  crossing: boolean;
  reviewedTicked: boolean;
  html: string;
}

function checkPage(res: request.Response): CheckPage {
  const html = expectPage(res);
  const action = /<form method="post" action="([^"]+\/import\/spans\/[A-Za-z0-9_-]+)"/.exec(html)?.[1] ?? '';
  expect(action).not.toBe('');
  const rows = [...html.matchAll(/<label for="category-\d+">([^<]*)<\/label>[\s\S]*?<\/select>/g)];
  return {
    action,
    labels: rows.map((m) => textOf(m[1] ?? '')),
    suggested: rows.map((m) => /<option value="([^"]*)" selected>/.exec(m[0])?.[1] ?? ''),
    crossing: html.includes('name="crossing"'),
    reviewedTicked: /name="reviewed" value="1" checked/.test(html),
    html,
  };
}

/** The second step: one category (or "-") per label, in the page's order. */
function go(a: Agent, page: CheckPage, choices: { category?: string[]; crossing?: string; reviewed?: boolean }): Promise<request.Response> {
  const form: Record<string, string | string[]> = { category: choices.category ?? page.suggested };
  if (choices.crossing) form.crossing = choices.crossing;
  if (choices.reviewed ?? page.reviewedTicked) form.reviewed = '1';
  return a.post(page.action, form);
}

const pySlice = (text: string, start: number, end: number) => Array.from(text).slice(start, end).join('');

async function downloadZip(a: Agent, path: string): Promise<Record<string, string>> {
  const { res, bytes } = await bodyOf(a, path);
  expect(res.status).toBe(200);
  return Object.fromEntries(Object.entries(unzipSync(new Uint8Array(bytes))).map(([n, d]) => [n, strFromU8(d)]));
}

const csvRows = (text: string) => parse(text, { columns: true }) as Record<string, string>[];

/** An article with emoji early on, two paragraphs, a quotation. */
const TEXT = [
  'Breaking 🚨: the regime 😀 allegedly crushed the “peaceful” protest.',
  'Officials called it purely defensive 👍🏽 in a statement.',
  '',
  'Critics say the reform is a disaster.',
].join('\n');

let w: World;
let pia: Member;
let article = '';
beforeAll(async () => {
  w = await world();
  pia = await addAnnotator(w, 'pia');
  article = await importArticle(w.researcher, w.projectId, { title: 'Emoji report', text: TEXT });
  savedTagId(await tag(pia, article, 1, { first: 3, last: 4, category: 'hedge', voice: 'quoted', intensity: '2', note: 'odd\tnote' }));
  savedTagId(await tag(pia, article, 1, { first: 6, last: 6, category: 'scare-quotes' }));
  savedTagId(await tag(pia, article, 2, { first: 3, last: 4, category: 'loaded-language' }));
  savedTagId(await tag(pia, article, 3, { first: 5, last: 5, category: 'loaded-language' }));
}, 60_000);
afterAll(async () => {
  await w.t.cleanup();
});

describe('brat standoff', () => {
  it('round trip: export, clear, import the .txt and .ann, export again: the same .ann, the same tags', { timeout: 30_000 }, async () => {
    const before = await downloadZip(w.researcher, `/projects/${w.projectId}/export/brat`);
    const [annName, ann] = Object.entries(before).find(([n]) => n.endsWith('/pia.ann')) ?? ['', ''];
    const txt = before[annName.replace(/\.ann$/, '.txt')] ?? '';
    const tagsBefore = (await w.t.store.readAnnotation(article, pia.id)).tags.map(({ id: _id, createdAt: _c, updatedAt: _u, ...rest }) => rest);
    await w.t.store.updateAnnotation(article, pia.id, (a) => {
      a.tags = [];
      a.reviewed = [];
    });

    const page = checkPage(await check(w.researcher, w.projectId, 'brat', [{ name: 'pia.txt', content: txt }, { name: 'pia.ann', content: ann }], 'pia'));
    expect(textOf(page.html)).toContain('1 document with 4 spans: 1 already in the project, 0 to be added as new articles.');
    // The labels are the codebook's ids: each is suggested.
    expect(page.labels).toEqual(['hedge', 'scare-quotes', 'loaded-language']);
    expect(page.suggested).toEqual(page.labels);
    expect(page.crossing).toBe(false);
    expect(page.reviewedTicked).toBe(true);
    const done = expectPage(await go(w.researcher, page, { reviewed: false }));
    expect(textOf(done)).toContain('Imported 4 tags on 1 article.');

    const after = await downloadZip(w.researcher, `/projects/${w.projectId}/export/brat`);
    expect(after[annName]).toBe(ann);
    expect((await w.t.store.readAnnotation(article, pia.id)).tags.map(({ id: _id, createdAt: _c, updatedAt: _u, ...rest }) => rest)).toEqual(
      expect.arrayContaining(tagsBefore.map((t) => expect.objectContaining({ ...t, note: t.note.replace(/\t/g, ' ') }))),
    );
  });

  it('a .zip of another tool’s corpus makes new articles; brat lines Framelens has no place for are listed and left out', { timeout: 30_000 }, async () => {
    const text = 'A new report 😀 from the front.\nTroops advanced swiftly.';
    const start = Array.from(text).indexOf('T');
    const ann = [
      `T1\tPropaganda ${start} ${start + 6}\tTroops`,
      'T2\tHedge 0 1\tA',
      'R1\tCause Arg1:T1 Arg2:T2',
      'A1\tNegated T1',
      '#1\tAnnotatorNotes T2\ta note',
    ].join('\n');
    const zip = zipSync({ 'corpus/doc1.txt': strToU8(text), 'corpus/doc1.ann': strToU8(ann), 'corpus/annotation.conf': strToU8('[entities]\nPropaganda\n') });
    const page = checkPage(await check(w.researcher, w.projectId, 'brat', [{ name: 'corpus.zip', content: zip }], 'gold'));
    const shown = textOf(page.html);
    expect(shown).toContain('0 already in the project, 1 to be added as new article.');
    expect(shown).toContain('gold (a new account)');
    expect(shown).toContain('new: A new report 😀 from the front.');
    expect(shown).toContain('2 lines or files left out');
    expect(page.labels).toEqual(['Propaganda', 'Hedge']);
    expect(page.suggested).toEqual(['', 'hedge']);
    // "Propaganda" is no category here: leaving the select empty is refused and stores nothing.
    const unmapped = await refused(w.t, () => go(w.researcher, page, {}));
    expectError(unmapped, 400, 'Choose a category for "Propaganda", or leave its spans out.');
    expect(unmapped.text).toContain('action="' + page.action + '"');
    const done = textOf(expectPage(await go(w.researcher, page, { category: ['loaded-language', '-'] })));
    expect(done).toContain('Imported 1 tag on 1 article (1 new: A new report 😀 from the front.); left out 1 span of labels you left out; marked 1 sentence reviewed without tags. New annotator accounts (they need a password link): gold.');
    const created = w.t.store.articles(w.projectId).find((a) => a.title === 'A new report 😀 from the front.');
    expect(created?.text).toBe(text);
    const gold = w.t.store.users.data.data.users.find((u) => u.name === 'gold');
    const tags = (await w.t.store.readAnnotation(created?.id ?? '', gold?.id ?? '')).tags;
    expect(tags.map((t) => [created?.text.slice(t.start, t.end), t.category, t.sentence])).toEqual([['Troops', 'loaded-language', 1]]);
    expect((await w.t.store.readAnnotation(created?.id ?? '', gold?.id ?? '')).reviewed).toEqual([0, 1]);
  });

  it('refuses, storing nothing: an .ann whose text does not match, offsets outside the .txt, an .ann without .txt, two annotators’ files of one text', { timeout: 30_000 }, async () => {
    const cases: [File[], string][] = [
      [[{ name: 'a.txt', content: 'Hello world.' }, { name: 'a.ann', content: 'T1\tX 0 5\tWorld' }], 'T1 says "World" but the .txt has "Hello" there'],
      [[{ name: 'a.txt', content: 'Hello 😀.' }, { name: 'a.ann', content: 'T1\tX 6 9\t😀.' }], 'outside the 8 characters'],
      [[{ name: 'a.ann', content: 'T1\tX 0 5\tHello' }], 'there is no a.txt beside it'],
      [[{ name: 'a.txt', content: 'Hello.' }, { name: 'a.ann', content: 'T1 X 0 5 Hello' }], 'not a text-bound annotation'],
      [
        [
          { name: 'x/anna.txt', content: 'Same text.' },
          { name: 'x/anna.ann', content: '' },
          { name: 'x/ben.txt', content: 'Same text.' },
          { name: 'x/ben.ann', content: 'T1\tX 0 4\tSame' },
        ],
        'anna.ann: the file is empty',
      ],
      [
        [
          { name: 'x/anna.txt', content: 'Same text.' },
          { name: 'x/anna.ann', content: 'T1\tX 5 9\ttext' },
          { name: 'x/ben.txt', content: 'Same text.' },
          { name: 'x/ben.ann', content: 'T1\tX 0 4\tSame' },
        ],
        'import one annotator\'s files at a time',
      ],
    ];
    for (const [files, message] of cases) {
      const res = await refused(w.t, () => check(w.researcher, w.projectId, 'brat', files, 'gold2'));
      expectError(res, 400, message);
      expect(textOf(res.text)).toContain('Nothing was imported');
    }
  });
});

describe('SemEval-2020 Task 11', () => {
  // Two articles in the corpus format: the title, a blank line, the body; emoji count one each.
  const A1 = 'Putin 😀 slams NATO\n\nThe “aggressive” alliance keeps expanding.\nThis must stop now, officials said.\n';
  const A2 = 'Second article\n\nA disgraceful and shameful decision was taken.\n';
  const cp = (text: string, needle: string) => Array.from(text).join('').indexOf(needle) === -1 ? -1 : Array.from(text.slice(0, text.indexOf(needle))).length;
  const span = (id: string, technique: string, text: string, needle: string, length = Array.from(needle).length) =>
    `${id}\t${technique}\t${cp(text, needle)}\t${cp(text, needle) + length}`;
  const labels = [
    span('111', 'Loaded_Language', A1, 'aggressive'),
    span('111', 'Name_Calling,Labeling', A1, 'Putin 😀'),
    // Across the line break: "expanding.\nThis must stop".
    span('111', 'Appeal_to_fear-prejudice', A1, 'expanding.', Array.from('expanding.\nThis must stop').length),
    span('222', 'Loaded_Language', A2, 'disgraceful and shameful'),
  ].join('\n');
  const files = [
    { name: 'article111.txt', content: A1 },
    { name: 'article222.txt', content: A2 },
    { name: 'train.labels', content: `${labels}\n` },
  ];
  let v: World;
  beforeAll(async () => {
    v = await world();
  }, 60_000);
  afterAll(async () => {
    await v.t.cleanup();
  });

  it('a span across a sentence boundary needs an explicit choice: none, or "do not import", stores nothing', { timeout: 30_000 }, async () => {
    const page = checkPage(await check(v.researcher, v.projectId, 'semeval', files, 'ptc-gold'));
    expect(page.crossing).toBe(true);
    expect(textOf(page.html)).toContain('1 span crosses a sentence boundary');
    expect(textOf(page.html)).toContain('train.labels line 3 (Appeal_to_fear-prejudice, sentences 2, 3): “expanding. This must stop”');
    const mapping = ['loaded-language', 'loaded-label', 'persuasion-appeal'];
    const none = await refused(v.t, () => go(v.researcher, page, { category: mapping }));
    expectError(none, 400, '1 span crosses a sentence boundary: choose to split them at the boundaries, or not to import.');
    const refusedChoice = await refused(v.t, () => go(v.researcher, page, { category: mapping, crossing: 'refuse' }));
    expectError(refusedChoice, 400, 'you chose not to split them');
    expect(textOf(refusedChoice.text)).toContain('train.labels line 3: "expanding.');
    // Leaving that label out needs no choice about crossing. Nothing was imported: the demo project
    // still holds its three articles (the demo article and its story's two constructed counterparts).
    expect(v.t.store.articles(v.projectId)).toHaveLength(3);
  });

  it('round trip: imported with the split, exported again, every span is where the labels put it (code points)', { timeout: 30_000 }, async () => {
    const page = checkPage(await check(v.researcher, v.projectId, 'semeval', files, 'ptc-gold'));
    expect(page.labels).toEqual(['Loaded_Language', 'Name_Calling,Labeling', 'Appeal_to_fear-prejudice']);
    // Loaded_Language is the codebook's "loaded-language"; the others need choosing.
    expect(page.suggested).toEqual(['loaded-language', '', '']);
    const done = textOf(expectPage(await go(v.researcher, page, { category: ['loaded-language', 'loaded-label', 'persuasion-appeal'], crossing: 'split' })));
    expect(done).toContain('Imported 5 tags on 2 articles (2 new: Putin 😀 slams NATO, Second article); split 1 span crossing sentences into 2 tags');

    const csv = csvRows((await v.researcher.get(`/projects/${v.projectId}/export/csv`)).text);
    const byTitle = new Map([['Putin 😀 slams NATO', { id: '111', text: A1 }], ['Second article', { id: '222', text: A2 }]]);
    const back = csv.map((r) => {
      const source = byTitle.get(r.article_title ?? '');
      expect(pySlice(source?.text ?? '', Number(r.start_cp), Number(r.end_cp))).toBe(r.text);
      return `${source?.id}\t${r.category}\t${r.start_cp}\t${r.end_cp}`;
    });
    const names = { Loaded_Language: 'loaded-language', 'Name_Calling,Labeling': 'loaded-label', 'Appeal_to_fear-prejudice': 'persuasion-appeal' } as Record<string, string>;
    const expected = labels.split('\n').flatMap((line) => {
      const [id, technique, start, end] = line.split('\t');
      if (technique === 'Appeal_to_fear-prejudice') {
        // Split at the line break: "expanding." and "This must stop".
        const second = cp(A1, 'This must stop');
        return [`${id}\tpersuasion-appeal\t${start}\t${cp(A1, 'expanding.') + 10}`, `${id}\tpersuasion-appeal\t${second}\t${end}`];
      }
      return [`${id}\t${names[technique ?? ''] ?? ''}\t${start}\t${end}`];
    });
    expect(back.sort()).toEqual(expected.sort());
    // The articles are the files' texts, byte for byte.
    const titles = v.t.store.articles(v.projectId).map((a) => [a.title, a.text]);
    expect(titles).toEqual(expect.arrayContaining([['Putin 😀 slams NATO', A1], ['Second article', A2]]));

    // Importing the same files again matches the articles and adds nothing.
    const again = checkPage(await check(v.researcher, v.projectId, 'semeval', files, 'ptc-gold'));
    expect(textOf(again.html)).toContain('2 already in the project, 0 to be added');
    const twice = textOf(expectPage(await go(v.researcher, again, { category: ['loaded-language', 'loaded-label', 'persuasion-appeal'], crossing: 'split' })));
    expect(twice).toContain('Imported 0 tags on 2 articles; skipped 5 already present');
  });

  it('refuses a label line for an article not among the files, or with offsets outside it', { timeout: 30_000 }, async () => {
    const cases: [string, string][] = [
      ['333\tDoubt\t0\t4\n', 'no article333.txt among the files'],
      ['111\tDoubt\t0\t999\n', 'outside the'],
      ['111\tDoubt\tzero\t4\n', 'expected "ID<TAB>technique<TAB>start<TAB>end"'],
    ];
    for (const [content, message] of cases) {
      const res = await refused(v.t, () => check(v.researcher, v.projectId, 'semeval', [files[0] ?? { name: '', content: '' }, { name: 'x.labels', content }], 'ptc-gold'));
      expectError(res, 400, message);
    }
  });
});

describe('a CSV of spans', () => {
  it('Framelens’ own tags.csv goes into another instance with the same article: the same spans, annotators made', { timeout: 30_000 }, async () => {
    // The tags on the emoji article, as tags.csv has them (the other articles are not in the new instance).
    const all = (await w.researcher.get(`/projects/${w.projectId}/export/csv`)).text;
    const csv = stringify(csvRows(all).filter((r) => r.article_title === 'Emoji report'), { header: true, columns: Object.keys(csvRows(all)[0] ?? {}) });
    const fresh = await world();
    try {
      const id = await importArticle(fresh.researcher, fresh.projectId, { title: 'Emoji report', text: TEXT });
      const page = checkPage(await check(fresh.researcher, fresh.projectId, 'csv', [{ name: 'tags.csv', content: csv }]));
      expect(page.reviewedTicked).toBe(false);
      expect(textOf(page.html)).toContain('pia (a new account)');
      const done = textOf(expectPage(await go(fresh.researcher, page, {})));
      expect(done).toMatch(/Imported \d+ tags on 1 article\./);
      const again = csvRows((await fresh.researcher.get(`/projects/${fresh.projectId}/export/csv`)).text);
      const key = (r: Record<string, string>) => [r.start, r.end, r.start_cp, r.end_cp, r.text, r.category, r.voice, r.intensity, r.note, r.annotator].join('|');
      const mine = csvRows(csv).filter((r) => r.article_title === 'Emoji report');
      expect(again.map(key).sort()).toEqual(mine.map(key).sort());
      expect(again.every((r) => r.article === id)).toBe(true);
    } finally {
      await fresh.t.cleanup();
    }
  });

  it('reads code points when only start_cp/end_cp are given, and refuses a text that does not match', { timeout: 30_000 }, async () => {
    const i = Array.from(TEXT).join('').indexOf('disaster');
    const startCp = Array.from(TEXT.slice(0, i)).length;
    const good = `article,label,start_cp,end_cp,text\nEmoji report,Hedge / doubt marker,${startCp},${startCp + 8},disaster\n`;
    const page = checkPage(await check(w.researcher, w.projectId, 'csv', [{ name: 'spans.csv', content: good }], 'pia'));
    // A label that is a category's name is suggested too.
    expect(page.suggested).toEqual(['hedge']);
    expect(textOf(expectPage(await go(w.researcher, page, {})))).toContain('Imported 1 tag on 1 article.');
    expect((await w.t.store.readAnnotation(article, pia.id)).tags.some((t) => TEXT.slice(t.start, t.end) === 'disaster' && t.category === 'hedge')).toBe(true);
    const bad = good.replace(',disaster', ',catastrophe');
    expectError(await refused(w.t, () => check(w.researcher, w.projectId, 'csv', [{ name: 'spans.csv', content: bad }], 'pia')), 400, 'the text "catastrophe" does not match the article there ("disaster")');
    const noColumns = 'article,start\nEmoji report,1\n';
    expectError(await refused(w.t, () => check(w.researcher, w.projectId, 'csv', [{ name: 'spans.csv', content: noColumns }], 'pia')), 400, 'the header has no column category (or label), start and end (or start_cp and end_cp)');
  });
});

describe('an import that fails changes nothing', () => {
  it('an empty file is refused with 400, in every import', { timeout: 30_000 }, async () => {
    for (const format of ['brat', 'semeval', 'csv']) {
      const res = await refused(w.t, () => check(w.researcher, w.projectId, format, [{ name: format === 'csv' ? 'spans.csv' : 'article1.txt', content: '' }], 'pia'));
      expectError(res, 400, 'the file is empty');
    }
    const token = await w.researcher.csrf();
    const jsonl = await refused(w.t, () => w.researcher.agent.post(`/projects/${w.projectId}/import`).field('_csrf', token).attach('file', Buffer.alloc(0), 'tags.jsonl'));
    expectError(jsonl, 400, 'That file is empty');
  });

  it('no files, an unknown format, an annotator who is not a member: 400, no account made', { timeout: 30_000 }, async () => {
    expectError(await refused(w.t, () => check(w.researcher, w.projectId, 'brat', [], 'pia')), 400, 'Choose the files to import.');
    expectError(await refused(w.t, () => check(w.researcher, w.projectId, 'xml', [{ name: 'a.txt', content: 'x' }], 'pia')), 400, "Choose the files' format");
    await addUser(w.t, 'stranger', 'annotator');
    const res = await refused(w.t, () => check(w.researcher, w.projectId, 'csv', [{ name: 's.csv', content: `article,category,start,end,annotator\nEmoji report,hedge,0,8,newbie\nEmoji report,hedge,0,8,stranger\n` }]));
    expectError(res, 400, '"stranger" has an account but is not a member of this project');
    expect(w.t.store.users.data.data.users.some((u) => u.name === 'newbie')).toBe(false);
  });

  it('JSONL: a new name and an outsider in one file — refused before any account is made (on main, "newbie" got one)', { timeout: 30_000 }, async () => {
    const jsonl = (await w.researcher.get(`/projects/${w.projectId}/export/jsonl`)).text;
    const [first] = jsonl.split('\n');
    await addUser(w.t, 'outsider', 'annotator');
    const lines = [JSON.stringify({ ...JSON.parse(first ?? '{}'), annotator: 'newbie2' }), JSON.stringify({ ...JSON.parse(first ?? '{}'), annotator: 'outsider' })].join('\n');
    const token = await w.researcher.csrf();
    const res = await refused(w.t, () => w.researcher.agent.post(`/projects/${w.projectId}/import`).field('_csrf', token).attach('file', Buffer.from(lines), 'tags.jsonl'));
    expectError(res, 400, '"outsider" has an account but is not a member of this project');
    expect(w.t.store.users.data.data.users.some((u) => u.name === 'newbie2')).toBe(false);
  });

  it('the check step is the researcher’s own: another researcher, an expired token or a forged one gets 404', { timeout: 30_000 }, async () => {
    const page = checkPage(await check(w.researcher, w.projectId, 'csv', [{ name: 's.csv', content: 'article,category,start,end\nEmoji report,hedge,0,8\n' }], 'pia'));
    await addUser(w.t, 'ria', 'researcher');
    await w.t.store.updateProject(w.projectId, (p) => {
      const ria = w.t.store.users.data.data.users.find((u) => u.name === 'ria');
      if (ria) p.members.push({ userId: ria.id, role: 'researcher' });
    });
    const { signIn } = await import('../helpers/app.js');
    const ria = await signIn(w.t.app, 'ria');
    expect((await refused(w.t, () => go(ria, page, {}))).status).toBe(404);
    const forged = { ...page, action: page.action.replace(/[^/]+$/, 'A'.repeat(24)) };
    expectError(await refused(w.t, () => go(w.researcher, forged, {})), 404, 'This import has expired');
    // pia is an annotator: researchers only.
    expect((await refused(w.t, () => go(pia, page, {}))).status).toBe(403);
    const before = await snapshot(w.t);
    expect(textOf(expectPage(await go(w.researcher, page, {})))).toContain('Imported 1 tag');
    expect(await snapshot(w.t)).not.toEqual(before);
    // Used once.
    expect((await go(w.researcher, page, {})).status).toBe(404);
  });
});
