// Codebooks: the shipped ones, uploading a researcher's own (file or pasted JSON), every refused
// upload with a readable message, using an uploaded codebook in a project, and escaping.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { onJsonFolder } from '../helpers/app.js';
import {
  PAYLOADS,
  addAnnotator,
  expectError,
  escapeHtml,
  expectFormError,
  expectEscaped,
  expectPage,
  importArticle,
  multipart,
  redirectId,
  refused,
  tag,
  textOf,
  world,
  type Member,
  type World,
} from '../helpers/forms.js';

let w: World;
let anna: Member;
beforeAll(async () => {
  w = await world();
  anna = await addAnnotator(w, 'anna');
}, 60_000);
afterAll(async () => {
  await w.t.cleanup();
});

type Json = Record<string, unknown>;

function book(id: string, change: (b: Json & { groups: { categories: Json[] }[] }) => void = () => {}): Json {
  const b = {
    schemaVersion: 1,
    id,
    name: 'Spin and slant',
    description: 'A small codebook for tests.',
    groups: [
      {
        id: 'words',
        name: 'Word choice',
        categories: [
          { id: 'spin', name: 'Spin', definition: 'Words that spin.', span: 'The spinning word.', example: 'a so-called reform', colour: '#AABBCC', key: 's' },
          { id: 'slant', name: 'Slant', definition: 'Words that slant.', span: '', example: '', colour: '#112233', key: 't' },
        ],
      },
    ],
  };
  change(b);
  return b;
}

const uploadFile = (json: string, name = 'book.json') => multipart(w.researcher, '/codebooks', {}, { name, content: json });
const uploadPasted = (json: string) => multipart(w.researcher, '/codebooks', { json });
/**
 * The codebook as stored: its file in the data folder (its format version checked), or as a
 * second server on the database reads it; undefined when none is stored.
 */
async function storedCodebook(id: string): Promise<{ id: string; name: string } | undefined> {
  if (onJsonFolder) {
    const path = join(w.t.dataDir, 'codebooks', `${id}.json`);
    const file = await readFile(path, 'utf8').catch(() => undefined);
    if (file === undefined) return undefined;
    const stored = JSON.parse(file) as Json;
    expect(stored).toMatchObject({ schemaVersion: 1 });
    return { id: String(stored.id), name: String(stored.name) };
  }
  const again = await w.t.reopen();
  try {
    return again.store.codebooks().find((c) => c.id === id);
  } finally {
    await again.cleanup();
  }
}

describe('shipped codebooks', () => {
  it('lists them and shows each with its categories and colours', async () => {
    const list = expectPage(await anna.get('/codebooks'));
    for (const id of ['framing', 'semeval-2023', 'starter']) expect(list).toContain(`<a href="/codebooks/${id}">`);
    // Only researchers get the upload form.
    expect(list).not.toContain('action="/codebooks"');
    expect(expectPage(await w.researcher.get('/codebooks'))).toContain('action="/codebooks" enctype="multipart/form-data"');

    const framing = expectPage(await anna.get('/codebooks/framing'));
    expect(framing).toContain('<article class="codebook-entry" id="hedge">');
    expect(textOf(framing)).toContain('Hedge / doubt marker h');
    const css = await anna.get('/codebooks/framing/style.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.text).toMatch(/^\.c-hedge\{--c:#[0-9a-f]{6};--c-fill:#[0-9a-f]{6};--c-line:#[0-9a-f]{6}\}$/m);
  });

  it('answers 404 for an unknown or malformed codebook id', async () => {
    expectError(await anna.get('/codebooks/nope'), 404, 'Codebook not found.');
    expectError(await anna.get('/codebooks/Not_Valid'), 404, 'Codebook not found.');
    expect((await anna.get('/codebooks/nope/style.css')).status).toBe(404);
  });
});

describe('uploading a codebook', () => {
  it('stores an uploaded file, shows it, serves its colours and keeps it after a restart', async () => {
    const res = await uploadFile(JSON.stringify(book('spin-file')));
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/codebooks/spin-file');
    expect(await storedCodebook('spin-file')).toMatchObject({ id: 'spin-file', name: 'Spin and slant' });
    const page = textOf(expectPage(await w.researcher.get('/codebooks/spin-file')));
    expect(page).toContain('Spin and slant');
    expect(page).toContain('Spin s Words that spin. What to select The spinning word. Example a so-called reform');
    expect((await w.researcher.get('/codebooks/spin-file/style.css')).text).toBe(
      '.c-spin{--c:#aabbcc;--c-fill:#aabbcc;--c-line:#7a8793}\n.c-slant{--c:#112233;--c-fill:#889199;--c-line:#112233}',
    );
    expect(expectPage(await anna.get('/codebooks'))).toContain('<a href="/codebooks/spin-file">Spin and slant</a>');

    const again = await w.t.reopen();
    onTestFinished(() => again.cleanup());
    expect(again.store.codebook('spin-file')?.groups[0]?.categories.map((c) => c.id)).toEqual(['spin', 'slant']);
  });

  it('stores pasted JSON', async () => {
    const res = await uploadPasted(JSON.stringify(book('spin-pasted')));
    expect(redirectId(res, '/codebooks')).toBe('spin-pasted');
    expect(await storedCodebook('spin-pasted')).toMatchObject({ id: 'spin-pasted' });
  });

  it('is used by a project: its categories are offered and only they are accepted', async () => {
    await uploadPasted(JSON.stringify(book('spin-project')));
    const projectId = redirectId(await w.researcher.post('/projects', { name: 'Spin study', codebookId: 'spin-project' }), '/projects');
    await w.researcher.post(`/projects/${projectId}/members`, { name: 'anna', role: 'annotator' });
    const id = await importArticle(w.researcher, projectId, { title: 'Spun', text: 'A so-called reform passed today.' });
    const page = expectPage(await anna.get(`/articles/${id}/sentences/1`));
    expect(page).toContain('<link rel="stylesheet" href="/codebooks/spin-project/style.css">');
    expect(page).toContain('id="cat-spin" value="spin" data-key="s"');
    expect(page).not.toContain('id="cat-hedge"');
    expect((await tag(anna, id, 1, { first: 1, last: 2, category: 'spin' })).status).toBe(303);
    const refusedTag = await refused(w.t, () => tag(anna, id, 1, { first: 1, last: 2, category: 'hedge' }));
    expect(refusedTag.status).toBe(400);
    expect(textOf(refusedTag.text)).toContain('Choose a category from the codebook.');
  });
});

describe('refused uploads change nothing', () => {
  it.each([
    ['invalid JSON', '{"id": "x",', 'That is not valid JSON'],
    ['an empty upload', '', 'Choose a codebook file, or paste its JSON below.'],
    ['an array', '[]', 'a codebook must be a JSON object, not'],
    ['a reserved key', JSON.stringify(book('bad-key', (b) => void ((b.groups[0]?.categories[0] ?? {}).key = 'j'))), 'is reserved for navigation'],
    ['a missing name', JSON.stringify(book('no-name', (b) => void delete b.name)), 'name is missing'],
    ['a bad colour', JSON.stringify(book('bad-colour', (b) => void ((b.groups[0]?.categories[1] ?? {}).colour = 'red'))), 'must be a colour written as # and six hex digits'],
    ['two categories with one id', JSON.stringify(book('twice', (b) => void ((b.groups[0]?.categories[1] ?? {}).id = 'spin'))), 'category ids must be unique'],
    ['an id with capitals', JSON.stringify(book('Bad_Id')), 'must be 1–40 lower-case letters, digits or hyphens'],
    ['a wrong schemaVersion', JSON.stringify({ ...book('v2'), schemaVersion: 2 }), 'unsupported codebook schemaVersion 2'],
    ['an unknown field', JSON.stringify({ ...book('extra'), author: 'me' }), 'unknown field "author"'],
  ])('refuses %s with 400 and a readable message', async (_name, json, message) => {
    for (const upload of [uploadFile, uploadPasted]) {
      const res = await refused(w.t, () => upload(json));
      // The list page comes back with the message next to the file or the pasted JSON, which it keeps.
      const field = json === '' || upload === uploadFile ? 'file' : 'json';
      const html = expectFormError(res, 400, field, message);
      expect(html).toContain('<h2>Upload a codebook</h2>');
      if (upload === uploadPasted && json !== '') expect(html).toContain(`>\n${escapeHtml(json)}</textarea>`);
    }
  });

  it('refuses a codebook whose id exists already with 409', async () => {
    expectFormError(await refused(w.t, () => uploadFile(JSON.stringify(book('framing')))), 409, 'file', 'A codebook with the id "framing" exists already; give yours another id.');
    expect((await uploadPasted(JSON.stringify(book('mine-once')))).status).toBe(303);
    expectFormError(await refused(w.t, () => uploadPasted(JSON.stringify(book('mine-once')))), 409, 'json', 'exists already');
    expect(w.t.store.codebook('framing')?.name).not.toBe('Spin and slant');
  });

  it('refuses an upload by an annotator (403), a too-large file (413) and an unknown field (400)', async () => {
    const json = JSON.stringify(book('by-anna'));
    expectError(await refused(w.t, () => multipart(anna, '/codebooks', { json })), 403, 'Only researchers can upload codebooks.');
    const big = JSON.stringify({ ...book('big'), description: 'x'.repeat(300 * 1024) });
    expect((await refused(w.t, () => uploadFile(big))).status).toBe(413);
    expectError(await refused(w.t, () => multipart(w.researcher, '/codebooks', { json, id: 'x' })), 400, 'Unexpected field(s): id.');
  });
});

describe('codebook text is shown escaped', () => {
  it('escapes names, descriptions, definitions, spans and examples wherever a codebook is shown', async () => {
    const [script, svg] = PAYLOADS;
    const payload = `${script} ${svg}`;
    const xss = book('xss-book', (b) => {
      b.name = `Book ${script}`;
      b.description = `Desc ${payload}`;
      const group = b.groups[0] as unknown as Json;
      group.name = `Group ${svg}`;
      const cat = b.groups[0]?.categories[0] ?? {};
      Object.assign(cat, { name: `Cat ${svg}`, definition: `Def ${payload}`, span: `Span ${payload}`, example: `Ex ${payload}` });
    });
    expect((await uploadPasted(JSON.stringify(xss))).status).toBe(303);
    const projectId = redirectId(await w.researcher.post('/projects', { name: 'XSS codebook', codebookId: 'xss-book' }), '/projects');
    const id = await importArticle(w.researcher, projectId, { title: 'Plain', text: 'A so-called reform passed today.' });
    expect((await tag(w.researcher, id, 1, { first: 1, last: 2, category: 'spin' })).status).toBe(303);

    const list = expectPage(await w.researcher.get('/codebooks'));
    expectEscaped(list, `Book ${script}`);
    expectEscaped(list, `Desc ${payload}`);
    const show = expectPage(await w.researcher.get('/codebooks/xss-book'));
    for (const text of [`Book ${script}`, `Desc ${payload}`, `Group ${svg}`, `Cat ${svg}`, `Def ${payload}`, `Span ${payload}`, `Ex ${payload}`]) expectEscaped(show, text);
    const sentence = expectPage(await w.researcher.get(`/articles/${id}/sentences/1`));
    for (const text of [`Group ${svg}`, `Cat ${svg}`, `Def ${payload}`]) expectEscaped(sentence, text);
    for (const path of [`/articles/${id}`, `/projects/${projectId}/summary`, `/projects/${projectId}/dashboard`, `/projects/${projectId}`, '/projects']) {
      const html = expectPage(await w.researcher.get(path));
      for (const p of PAYLOADS) expect(html, path).not.toContain(p);
    }
    expectEscaped(expectPage(await w.researcher.get(`/articles/${id}`)), `Cat ${svg}`);
    expectEscaped(expectPage(await w.researcher.get(`/projects/${projectId}`)), `Book ${script}`);

    // A refused upload echoes the offending value in its message, escaped.
    const bad = await uploadPasted(JSON.stringify(book('bad-echo', (b) => void ((b.groups[0]?.categories[0] ?? {}).key = svg))));
    expect(bad.status).toBe(400);
    expect(bad.text).not.toContain(svg);
    expect(textOf(bad.text)).toContain(svg);
  });
});
