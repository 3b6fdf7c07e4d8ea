// Importing articles (paste and upload, with the segmentation preview), every refused import,
// the article page and deleting an article with its tags.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type request from 'supertest';
import { jsonStore, signIn, snapshot } from '../helpers/app.js';
import { packedShards } from '../../server/storage/store.js';
import {
  PAYLOADS,
  addAnnotator,
  escapeHtml,
  expectError,
  expectFormError,
  expectEscaped,
  expectPage,
  importArticle,
  jsonFolderOnly,
  multipart,
  redirectId,
  refused,
  tag,
  textOf,
  world,
  type Member,
  type World,
} from '../helpers/forms.js';

const TEXT = [
  'The regime allegedly crushed the peaceful protest.',
  'Officials said the economy is booming.',
  'By Jane Doe',
  'Critics say the reform is a disaster.',
].join('\n');

// One data folder for the file (accounts are slow to create); each test imports its own articles.
let w: World;
let anna: Member;
beforeAll(async () => {
  w = await world();
  anna = await addAnnotator(w, 'anna');
}, 60_000);
afterAll(async () => {
  await w.t.cleanup();
});

async function storedFile(dir: string, path: string): Promise<{ schemaVersion: number; data: Record<string, unknown> }> {
  return JSON.parse(await readFile(join(dir, path), 'utf8')) as { schemaVersion: number; data: Record<string, unknown> };
}

describe('importing an article', () => {
  it('previews the segmentation with a checkbox per sentence, ticking the byline', async () => {
    const before = await snapshot(w.t);
    const res = await multipart(w.researcher, `/projects/${w.projectId}/articles/preview`, { title: 'Protest report', text: TEXT });
    const html = expectPage(res);
    expect(html).toContain('4 sentences in <strong>Protest report</strong>');
    for (const [i, sentence] of TEXT.split('\n').entries()) {
      expect(html).toContain(`<span class="sentence-text">${sentence}</span>`);
      expect(html).toMatch(new RegExp(`<input type="checkbox" name="exclude" value="${i}"${i === 2 ? ' checked' : ''}>`));
    }
    // The preview carries everything on to the save form; nothing is stored yet.
    expect(html).toContain('action="/projects/' + w.projectId + '/articles"');
    expect(html).toContain('<input type="hidden" name="title" value="Protest report">');
    expect(await snapshot(w.t)).toEqual(before);
  });

  it('saves pasted text without the excluded lines, stored and after a restart', async () => {
    const res = await multipart(w.researcher, `/projects/${w.projectId}/articles`, {
      title: 'Protest report',
      source: 'The Daily',
      url: 'https://example.org/a',
      publishedAt: '2024-02-29',
      text: TEXT,
      exclude: ['2'],
    });
    const id = redirectId(res, '/articles');
    const article = w.t.store.article(id);
    if (!article) throw new Error('article not stored');
    expect(article).toMatchObject({ projectId: w.projectId, title: 'Protest report', source: 'The Daily', url: 'https://example.org/a', publishedAt: '2024-02-29', text: TEXT, createdBy: w.researcherId });
    const sentences = article.sentences.map((r) => TEXT.slice(r.start, r.end));
    expect(sentences).toEqual(['The regime allegedly crushed the peaceful protest.', 'Officials said the economy is booming.', 'Critics say the reform is a disaster.']);

    const page = expectPage(await w.researcher.get(`/articles/${id}`));
    expect(page).toContain('<h1>Protest report</h1>');
    expect(page).toContain('3 sentences');
    expect(textOf(page)).not.toContain('By Jane Doe');
    // Sentence 3 is the line after the excluded byline.
    expect(textOf(expectPage(await w.researcher.get(`/articles/${id}/sentences/3`)))).toContain('Sentence 3 of 3');
    expect(textOf((await w.researcher.get(`/articles/${id}/sentences/3`)).text)).toContain('Critics say the reform is a disaster.');

    const again = await w.t.reopen();
    onTestFinished(() => again.cleanup());
    expect(again.store.article(id)?.sentences).toEqual(article.sentences);
  });

  jsonFolderOnly('its file').it('writes the article to articles/<id>.json with its format version', async () => {
    const id = await importArticle(w.researcher, w.projectId, { title: 'On disk', text: TEXT, exclude: ['2'] });
    const file = await storedFile(w.t.dataDir, `articles/${id}.json`);
    expect(file.schemaVersion).toBe(1);
    expect(file.data.sentences).toEqual(w.t.store.article(id)?.sentences);
  });

  it('saves what the preview form submits, as a browser would send it', async () => {
    const text = 'Sputnik\nHe said "no" & left <quickly>.\nIt\'s over, they said.\nPost a Comment';
    const html = expectPage(await multipart(w.researcher, `/projects/${w.projectId}/articles/preview`, { title: 'Quotes & "marks"', source: 'O\'Brien <Daily>', text }));
    const decode = (s: string) => s.replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    const form: Record<string, string | string[]> = {};
    // Every field the form holds, as a browser submits it: hidden inputs and ticked boxes (no
    // text box whose line breaks a browser would send as CRLF).
    for (const m of html.matchAll(/<input type="hidden" name="(title|source|url|publishedAt|previewed)" value="([^"]*)">/g)) form[m[1] ?? ''] = decode(m[2] ?? '');
    expect(html).not.toContain('<textarea');
    form.exclude = [...html.matchAll(/name="exclude" value="(\d+)" checked>/g)].map((m) => m[1] ?? '');
    expect(form.exclude).toEqual(['0', '3']);
    const id = redirectId(await multipart(w.researcher, `/projects/${w.projectId}/articles`, form), '/articles');
    const article = w.t.store.article(id);
    expect(article).toMatchObject({ title: 'Quotes & "marks"', source: "O'Brien <Daily>" });
    // Byte for byte the text that was previewed: LF line ends, every offset where it was.
    expect(article?.text).toBe(text);
    expect(article?.sentences.map((r) => article.text.slice(r.start, r.end))).toEqual(['He said "no" & left <quickly>.', "It's over, they said."]);
  });

  it('one line-end rule for paste and upload: a leading BOM is dropped, CRLF and CR become LF, nothing else changes', { timeout: 30_000 }, async () => {
    const lf = 'Première ligne 😀.\nSecond line, tab\there.\nThird.';
    const variants: [string, Record<string, string>, { name: string; content: Buffer } | undefined][] = [
      ['pasted CRLF', { text: lf.replace(/\n/g, '\r\n') }, undefined],
      ['pasted CR with a BOM', { text: `\uFEFF${lf.replace(/\n/g, '\r')}` }, undefined],
      ['uploaded LF', {}, { name: 'a.txt', content: Buffer.from(lf, 'utf8') }],
      ['uploaded CRLF with a BOM', {}, { name: 'a.txt', content: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lf.replace(/\n/g, '\r\n'), 'utf8')]) }],
    ];
    for (const [what, fields, file] of variants) {
      const preview = expectPage(await multipart(w.researcher, `/projects/${w.projectId}/articles/preview`, { title: what, ...fields }, file));
      const previewed = /name="previewed" value="([^"]*)"/.exec(preview)?.[1] ?? '';
      expect(Buffer.from(previewed, 'base64').toString('utf8'), what).toBe(lf);
      const direct = redirectId(await multipart(w.researcher, `/projects/${w.projectId}/articles`, { title: what, ...fields }, file), '/articles');
      expect(w.t.store.article(direct)?.text, what).toBe(lf);
      const saved = redirectId(await multipart(w.researcher, `/projects/${w.projectId}/articles`, { title: what, previewed }), '/articles');
      expect(w.t.store.article(saved)?.text, what).toBe(lf);
    }
  });

  it('refuses a previewed text that is not what a preview sends', { timeout: 30_000 }, async () => {
    for (const previewed of ['not base64!', Buffer.from([0xff, 0xfe, 0x00]).toString('base64')]) {
      const res = await refused(w.t, () => multipart(w.researcher, `/projects/${w.projectId}/articles`, { title: 'Forged', previewed }));
      expect(res.status).toBe(400);
    }
  });

  it('excludes several lines given as a repeated field', async () => {
    const id = await importArticle(w.researcher, w.projectId, { title: 'Two out', text: TEXT, exclude: ['1', '2'] });
    const article = w.t.store.article(id);
    expect(article?.sentences.map((r) => TEXT.slice(r.start, r.end))).toEqual([
      'The regime allegedly crushed the peaceful protest.',
      'Critics say the reform is a disaster.',
    ]);
  });

  it('imports an uploaded .txt file (UTF-8 with a byte-order mark)', async () => {
    const content = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Ça va mal, dit-il.\nLe régime s’effondre.', 'utf8')]);
    const preview = await multipart(w.researcher, `/projects/${w.projectId}/articles/preview`, { title: 'Fichier' }, { name: 'a.txt', content });
    const html = expectPage(preview);
    expect(html).toContain('2 sentences');
    expect(html).toContain('<span class="sentence-text">Ça va mal, dit-il.</span>');

    const res = await multipart(w.researcher, `/projects/${w.projectId}/articles`, { title: 'Fichier' }, { name: 'a.txt', content });
    const id = redirectId(res, '/articles');
    expect(w.t.store.article(id)?.text).toBe('Ça va mal, dit-il.\nLe régime s’effondre.');
    expect(w.t.store.article(id)?.sentences).toHaveLength(2);
  });

  it('accepts a .md upload', async () => {
    const res = await multipart(w.researcher, `/projects/${w.projectId}/articles`, { title: 'Markdown' }, { name: 'notes.MD', content: 'One sentence here. Another one there.' });
    expect(w.t.store.article(redirectId(res, '/articles'))?.sentences).toHaveLength(2);
  });

  it('shows the import form to researchers and refuses it to annotators', async () => {
    expect(expectPage(await w.researcher.get(`/projects/${w.projectId}/articles/new`))).toContain('enctype="multipart/form-data"');
    expectError(await anna.get(`/projects/${w.projectId}/articles/new`), 403, 'researchers');
    const res = await refused(w.t, () => multipart(anna, `/projects/${w.projectId}/articles`, { title: 'Sneaky', text: TEXT }));
    expectError(res, 403, 'Only the project’s researchers can do this.');
  });
});

describe('saving the same preview twice (Back, then Save again)', () => {
  it('makes one article: the second send, even at the same time, leads to the one saved', async () => {
    const page = expectPage(await multipart(w.researcher, `/projects/${w.projectId}/articles/preview`, { title: 'Once only', text: TEXT }));
    const articleId = /name="articleId" value="([A-Za-z0-9_-]+)"/.exec(page)?.[1] ?? '';
    expect(articleId).not.toBe('');
    const before = w.t.store.articles(w.projectId).length;
    const save = () => multipart(w.researcher, `/projects/${w.projectId}/articles`, { articleId, title: 'Once only', text: TEXT });
    const [first, second] = await Promise.all([save(), save()]);
    expect(redirectId(first, '/articles')).toBe(articleId);
    expect(redirectId(second, '/articles')).toBe(articleId);
    const third = await save();
    expect(redirectId(third, '/articles')).toBe(articleId);
    expect(w.t.store.articles(w.projectId).length).toBe(before + 1);
    expect(textOf(expectPage(await w.researcher.get(`/articles/${articleId}`)))).toContain('“Once only” was already saved: here it is. Nothing was saved twice.');
    // Another project's form cannot reach this article through its id.
    const other = redirectId(await w.researcher.post('/projects', { name: 'Other', codebookId: 'framing' }), '/projects');
    expectError(await refused(w.t, () => multipart(w.researcher, `/projects/${other}/articles`, { articleId, title: 'X', text: TEXT })), 409, 'another project');
  });
});

describe('refused imports change nothing', () => {
  const create = (fields: Record<string, string | string[]>, file?: { name: string; content: Buffer | string }) =>
    multipart(w.researcher, `/projects/${w.projectId}/articles`, fields, file);
  const preview = (fields: Record<string, string | string[]>, file?: { name: string; content: Buffer | string }) =>
    multipart(w.researcher, `/projects/${w.projectId}/articles/preview`, fields, file);
  const MB = 1024 * 1024;

  it.each([
    ['empty text', { title: 'T', text: '  \n\t ' }, 400, 'text', 'The article is empty'],
    ['no text and no file', { title: 'T' }, 400, 'text', 'The article is empty'],
    ['NUL in pasted text', { title: 'T', text: 'Harmless start.\u0000\u0001 binary' }, 400, 'text', 'binary data'],
    ['pasted text over 1 MB', { title: 'T', text: 'a'.repeat(MB) + ' b.' }, 413, 'text', 'larger than 1 MB'],
    ['a missing title', { text: TEXT }, 400, 'title', 'Title is needed.'],
    ['an empty title', { title: '   ', text: TEXT }, 400, 'title', 'Give the article a title.'],
    ['a javascript: URL', { title: 'T', text: TEXT, url: 'javascript:alert(1)' }, 400, 'url', 'The address must start with http:// or https://.'],
    ['a date that is not a date', { title: 'T', text: TEXT, publishedAt: 'yesterday' }, 400, 'publishedAt', 'Give the publication date as a real date, YYYY-MM-DD'],
    ['a day that does not exist', { title: 'T', text: TEXT, publishedAt: '2021-02-31' }, 400, 'publishedAt', 'a real date'],
  ])('refuses %s: the import form comes back with the message by the field', async (_name, fields, status, field, message) => {
    const res = await refused(w.t, () => create(fields));
    const html = expectFormError(res, status, field, message);
    expect(html).toContain('<h1>Import an article</h1>');
    // What was typed is kept.
    if ('title' in fields && fields.title.trim() !== '') expect(html).toContain(`value="${fields.title}"`);
    if ('text' in fields && fields.text === TEXT) expect(html).toContain(escapeHtml(TEXT));
    expect(html).not.toMatch(/\b(?:url|publishedAt|title): /);
  });

  it.each([
    ['pasted text over the 4 MB field limit', { title: 'T', text: 'a'.repeat(4 * MB + 10) }, 413, '1 MB'],
    ['an unknown field', { title: 'T', text: TEXT, createdBy: 'someone' }, 400, 'Unexpected field(s): createdBy.'],
    ['a non-numeric exclude', { title: 'T', text: TEXT, exclude: 'first' }, 400, 'exclude'],
    ['a made-up article id', { title: 'T', text: TEXT, articleId: '../users' }, 400, 'articleId'],
  ])('refuses %s (no form of ours sends it) with the error page', async (_name, fields, status, message) => {
    const res = await refused(w.t, () => create(fields));
    expectError(res, status, message);
  });

  it('refuses every sentence excluded: the preview comes back with the ticks kept', async () => {
    const res = await refused(w.t, () => create({ title: 'T', text: 'One. Two.', exclude: ['0', '1'] }));
    const html = expectFormError(res, 400, 'exclude', 'Every sentence is ticked to be left out: keep at least one.');
    expect(html).toContain('<h1>Check the sentences</h1>');
    expect(html.match(/name="exclude" value="\d+" checked/g)).toHaveLength(2);
  });

  it.each([
    ['invalid UTF-8', 'a.txt', Buffer.from([0x48, 0x69, 0x20, 0xff, 0xfe, 0x2e]), 400, 'not valid UTF-8'],
    ['NUL bytes', 'a.txt', Buffer.from('A sentence.\u0000\u0000\u0000', 'utf8'), 400, 'binary data'],
    ['a PDF', 'a.pdf', Buffer.from('%PDF-1.4 looks like text.'), 400, '.txt or .md'],
    ['a file without an extension', 'article', Buffer.from('Plain words.'), 400, '.txt or .md'],
    ['a file over 1 MB', 'big.txt', Buffer.alloc(MB + 1, 'a'), 413, '1 MB'],
  ])('refuses an upload with %s', async (_name, fileName, content, status, message) => {
    // A file over the upload limit is cut off while it arrives, before any form is read: the error page.
    const check = (res: request.Response) => (status === 413 ? expectError(res, status, message) : expectFormError(res, status, 'file', message));
    check(await refused(w.t, () => create({ title: 'T' }, { name: fileName, content })));
    // The preview refuses the same file the same way.
    check(await preview({ title: 'T' }, { name: fileName, content }));
  });

  it('keeps an uploaded file’s text when another field has a problem', async () => {
    const html = expectFormError(await preview({ title: '' }, { name: 'a.txt', content: 'From the file. Two sentences.' }), 400, 'title', 'Give the article a title.');
    expect(html).toContain('>\nFrom the file. Two sentences.</textarea>');
  });

  it('refuses a file in a field other than "file" with a 400, not a server error', async () => {
    const token = await w.researcher.csrf();
    const res = await refused(w.t, () =>
      w.researcher.agent
        .post(`/projects/${w.projectId}/articles`)
        .field('_csrf', token)
        .field('title', 'T')
        .attach('document', Buffer.from('Text.'), 'a.txt'),
    );
    expect(res.status).toBe(400);
  });

  it('refuses the preview with the same messages', async () => {
    expectFormError(await preview({ title: 'T', text: '' }), 400, 'text', 'The article is empty');
    expectFormError(await preview({ title: 'T', text: 'x'.repeat(MB + 1) }), 413, 'text', 'larger than 1 MB');
    expectFormError(await preview({ title: '', text: TEXT }), 400, 'title', 'Give the article a title.');
    expectFormError(await preview({ title: 'T', text: TEXT, url: 'ftp://x' }), 400, 'url', 'must start with http');
  });

  it('refuses an import without the CSRF token', async () => {
    const res = await refused(w.t, () => w.researcher.agent.post(`/projects/${w.projectId}/articles`).field('title', 'T').field('text', TEXT));
    expect(res.status).toBe(403);
  });

  it('answers 404 for an unknown project and an unknown article', async () => {
    expectError(await refused(w.t, () => multipart(w.researcher, '/projects/nope/articles', { title: 'T', text: TEXT })), 404, 'Project not found.');
    expectError(await w.researcher.get('/articles/doesnotexist'), 404, 'Article not found.');
    expectError(await w.researcher.get('/articles/doesnotexist/sentences/1'), 404, 'Article not found.');
    expectError(await w.researcher.get('/articles/bad.id'), 400, 'Invalid articleId.');
  });
});

describe('deleting an article', () => {
  it('asks for confirmation, refuses without it, then removes the article and every tag', async () => {
    const id = await importArticle(w.researcher, w.projectId, { title: 'Doomed', text: TEXT, exclude: ['2'] });
    expect((await tag(anna, id, 1, { first: 2, last: 2, category: 'hedge' })).status).toBe(303);
    expect((await tag(w.researcher, id, 1, { first: 1, last: 1, category: 'loaded-label' })).status).toBe(303);
    expect(await w.t.store.readAnnotations(id)).toHaveLength(2);

    const confirm = expectPage(await w.researcher.get(`/articles/${id}/delete`));
    expect(confirm).toContain('Delete “Doomed”?');
    expect(confirm).toContain('<strong>2 tags</strong>');
    expect(confirm).toContain('name="confirm" value="yes"');

    expectError(await refused(w.t, () => w.researcher.post(`/articles/${id}/delete`, {})), 400, 'confirm');
    expectError(await refused(w.t, () => w.researcher.post(`/articles/${id}/delete`, { confirm: 'no' })), 400, 'tick the box to confirm');
    // Annotators cannot delete, even with the box ticked.
    expectError(await refused(w.t, () => anna.post(`/articles/${id}/delete`, { confirm: 'yes' })), 403, 'researchers');

    const res = await w.researcher.post(`/articles/${id}/delete`, { confirm: 'yes' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/projects/${w.projectId}`);
    expect(w.t.store.article(id)).toBeUndefined();
    expect(await w.t.store.readAnnotations(id)).toEqual([]);
    expectError(await w.researcher.get(`/articles/${id}`), 404, 'Article not found.');
    expect(expectPage(await w.researcher.get(`/projects/${w.projectId}`))).not.toContain('Doomed');

    const again = await w.t.reopen();
    onTestFinished(() => again.cleanup());
    expect(again.store.article(id)).toBeUndefined();
    expect(await again.store.readAnnotations(id)).toEqual([]);
  });

  jsonFolderOnly('its files').it('removes the article’s file and every tag file', async () => {
    const id = await importArticle(w.researcher, w.projectId, { title: 'Doomed on disk', text: TEXT, exclude: ['2'] });
    expect((await tag(anna, id, 1, { first: 2, last: 2, category: 'hedge' })).status).toBe(303);
    expect((await tag(w.researcher, id, 1, { first: 1, last: 1, category: 'loaded-label' })).status).toBe(303);
    const tagsDir = join(w.t.dataDir, 'tags', id);
    const pack = join(w.t.dataDir, 'tags', `${id}.pack`);
    // Saves reach the article's pack at a checkpoint (they are in the journal until then).
    await jsonStore(w.t).checkpoint();
    const packed = [...packedShards(w.t.dataDir).keys()];
    expect(packed).toContain(join(tagsDir, `${anna.id}.json`));
    expect(packed).toContain(join(tagsDir, `${w.researcherId}.json`));
    expect((await w.researcher.post(`/articles/${id}/delete`, { confirm: 'yes' })).status).toBe(303);
    expect(existsSync(join(w.t.dataDir, 'articles', `${id}.json`))).toBe(false);
    expect(existsSync(pack)).toBe(false);
    expect(existsSync(tagsDir)).toBe(false);
  });
});

describe('article text is shown escaped', () => {
  it('escapes the title, source and text on every page that shows them', async () => {
    const [script, svg] = PAYLOADS;
    const text = `He wrote ${script} in the text.\nThen ${svg} followed.`;
    const fields = { title: `Title ${script} ${svg}`, source: svg, text };

    const preview = expectPage(await multipart(w.researcher, `/projects/${w.projectId}/articles/preview`, fields));
    expectEscaped(preview, script);
    expectEscaped(preview, svg);

    const id = await importArticle(w.researcher, w.projectId, fields);
    const pages = [
      `/articles/${id}`,
      `/articles/${id}/sentences/1`,
      `/articles/${id}/sentences/2`,
      `/articles/${id}/delete`,
      `/projects/${w.projectId}`,
      `/projects/${w.projectId}/dashboard`,
      `/projects/${w.projectId}/summary`,
    ];
    for (const path of pages) {
      const html = expectPage(await w.researcher.get(path));
      for (const payload of PAYLOADS) expect(html, path).not.toContain(payload);
      expect(textOf(html), path).toContain(`Title ${script} ${svg}`);
    }
    // The sentence text is cut into words, but reads back as the payload, as text.
    expect(textOf((await w.researcher.get(`/articles/${id}/sentences/1`)).text)).toContain(`He wrote ${script} in the text.`);
    expect(textOf((await w.researcher.get(`/articles/${id}`)).text)).toContain(`Then ${svg} followed.`);
    // Annotators meet the title on their home page.
    const home = expectPage(await anna.get('/'));
    expectEscaped(home, `Title ${script} ${svg}`);
  });
});

describe('persistence', () => {
  it('keeps an imported article when the study is opened again', async () => {
    const id = await importArticle(w.researcher, w.projectId, { title: 'Kept', text: TEXT });
    const stored = await snapshot(w.t);
    const again = await w.t.reopen();
    onTestFinished(() => again.cleanup());
    expect(await snapshot(w.t)).toEqual(stored);
    const rita = await signIn(again.app, 'rita');
    // Signing in notes its time in the account (the Accounts page shows it); after that, opening
    // and reading change nothing stored (sessions aside).
    const before = await snapshot(w.t);
    expect(expectPage(await rita.get(`/articles/${id}`))).toContain('<h1>Kept</h1>');
    expect(await snapshot(w.t)).toEqual(before);
  });
});
