// Projects: creation and settings, balanced assignment (who may open which article), the home
// page's assigned articles with progress, and escaping of project names and descriptions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, agentFor, signIn } from '../helpers/app.js';
import {
  PAYLOADS,
  addAnnotator,
  expectCsp,
  expectError,
  expectFormError,
  expectEscaped,
  expectPage,
  importArticle,
  redirectId,
  refused,
  tag,
  textOf,
  world,
  type Member,
  type World,
} from '../helpers/forms.js';
import type { Project } from '../../server/storage/schemas.js';

const TEXT = 'The regime allegedly crushed the protest.\nOfficials said the economy is booming.\nCritics say the reform is a disaster.';

let w: World;
let anna: Member;
let ben: Member;
beforeAll(async () => {
  w = await world();
  anna = await addAnnotator(w, 'anna');
  ben = await addAnnotator(w, 'ben');
});
afterAll(async () => {
  await w.t.cleanup();
});

const projectOf = (id: string): Project | undefined => w.t.store.projects.data.data.projects.find((p) => p.id === id);

async function newProject(name: string, members: string[] = [], description = ''): Promise<string> {
  const projectId = redirectId(await w.researcher.post('/projects', { name, description, codebookId: 'framing' }), '/projects');
  for (const member of members) {
    expect((await w.researcher.post(`/projects/${projectId}/members`, { name: member, role: 'annotator' })).status).toBe(303);
  }
  return projectId;
}

const settings = (projectId: string, form: Record<string, string>) =>
  w.researcher.post(`/projects/${projectId}/settings`, { description: '', codebookId: 'framing', mode: 'all', perArticle: '2', ...form });

describe('creating a project', () => {
  it('creates a project with the researcher as its first member', async () => {
    const projectId = await newProject('Election coverage', [], 'Two outlets, one week.');
    expect(projectOf(projectId)).toMatchObject({
      name: 'Election coverage',
      description: 'Two outlets, one week.',
      codebookId: 'framing',
      members: [{ userId: w.researcherId, role: 'researcher' }],
      assignment: { mode: 'all' },
      open: false,
    });
    const page = expectPage(await w.researcher.get(`/projects/${projectId}`));
    expect(page).toContain('<h1>Election coverage</h1>');
    expect(page).toContain('No articles yet: import one.');
    expect(expectPage(await w.researcher.get('/projects'))).toContain(`<a href="/projects/${projectId}">Election coverage</a>`);
  });

  it.each([
    ['a missing name', { description: 'x', codebookId: 'framing' }, 'project-name', 'Name is needed.'],
    ['an empty name', { name: '  ', codebookId: 'framing' }, 'project-name', 'Give the project a name.'],
    ['an unknown codebook', { name: 'P', codebookId: 'nope' }, 'project-codebookId', 'Choose a codebook from the list.'],
  ])('refuses %s: the form comes back with the message by the field and the input kept', async (_name, form, field, message) => {
    const html = expectFormError(await refused(w.t, () => w.researcher.post('/projects', form)), 400, field, message);
    if ('description' in form) expect(html).toContain(`>${form.description}</textarea>`);
    if ('name' in form && form.name === 'P') expect(html).toContain('value="P"');
  });

  it.each([
    ['a members field', { name: 'P', codebookId: 'framing', members: 'x' }, 400, 'Unexpected field(s): members.'],
    ['an open field', { name: 'P', codebookId: 'framing', open: '1' }, 400, 'Unexpected field(s): open.'],
  ])('refuses %s (no form of ours sends it) with the error page', async (_name, form, status, message) => {
    expectError(await refused(w.t, () => w.researcher.post('/projects', form)), status, message);
  });

  it('refuses project creation to annotators', async () => {
    expectError(await refused(w.t, () => anna.post('/projects', { name: 'Mine', codebookId: 'framing' })), 403, 'Only researchers can create projects.');
  });
});

describe('project settings', () => {
  it.each([
    ['a bad mode', { mode: 'random' }, 'mode', 'Choose how articles are assigned.'],
    ['zero annotators per article', { mode: 'balanced', perArticle: '0' }, 'perArticle', 'Annotators per article must be'],
    ['an unknown codebook', { codebookId: 'nope' }, 'codebookId', 'Choose a codebook from the list.'],
    ['a bad open flag', { open: 'yes' }, 'open', 'Open annotations'],
  ])('refuses %s: the project page comes back with the message by the field', async (_name, form, field, message) => {
    const html = expectFormError(await refused(w.t, () => settings(w.projectId, form)), 400, field, message);
    expect(html).not.toMatch(/perArticle:|codebookId:|Invalid input/);
  });

  it('refuses an unknown field with the error page', async () => {
    expectError(await refused(w.t, () => settings(w.projectId, { members: 'x' })), 400, 'Unexpected field(s): members.');
  });

  it('refuses settings and member changes to annotators', async () => {
    const form = { description: '', codebookId: 'framing', mode: 'all', perArticle: '2', open: '1' };
    expectError(await refused(w.t, () => anna.post(`/projects/${w.projectId}/settings`, form)), 403, 'researchers');
    expectError(await refused(w.t, () => anna.post(`/projects/${w.projectId}/members`, { name: 'anna', role: 'researcher' })), 403, 'researchers');
  });

  it('answers 404 to a user who is not a member', async () => {
    const projectId = await newProject('Private', []);
    const articleId = await importArticle(w.researcher, projectId, { title: 'Private article', text: TEXT });
    expectError(await anna.get(`/projects/${projectId}`), 404, 'Project not found.');
    expectError(await anna.get(`/projects/${projectId}/summary`), 404, 'Project not found.');
    expectError(await anna.get(`/articles/${articleId}`), 404, 'Article not found.');
    expectError(await refused(w.t, () => tag(anna, articleId, 1, { first: 0, last: 0, category: 'hedge' })), 404, 'Article not found.');
  });
});

describe('balanced assignment', () => {
  it('assigns one article each to two annotators with perArticle=1; the other article is 404', async () => {
    const projectId = await newProject('Balanced', ['anna', 'ben']);
    const first = await importArticle(w.researcher, projectId, { title: 'First article', text: TEXT });
    const second = await importArticle(w.researcher, projectId, { title: 'Second article', text: TEXT });
    expect((await settings(projectId, { mode: 'balanced', perArticle: '1' })).status).toBe(303);

    const assigned = projectOf(projectId)?.assignment.assigned ?? {};
    expect(assigned[first]).toHaveLength(1);
    expect(assigned[second]).toHaveLength(1);
    expect(new Set([...(assigned[first] ?? []), ...(assigned[second] ?? [])])).toEqual(new Set([anna.id, ben.id]));

    for (const member of [anna, ben]) {
      const mine = assigned[first]?.includes(member.id) ? first : second;
      const other = mine === first ? second : first;
      expectPage(await member.get(`/articles/${mine}`));
      expectPage(await member.get(`/articles/${mine}/sentences/1`));
      expectError(await member.get(`/articles/${other}`), 404, 'Article not found.');
      expectError(await member.get(`/articles/${other}/sentences/1`), 404, 'Article not found.');
      expectError(await refused(w.t, () => tag(member, other, 1, { first: 0, last: 0, category: 'hedge' })), 404, 'Article not found.');
      expectError(await refused(w.t, () => member.post(`/articles/${other}/sentences/1/reviewed`, { reviewed: '1' })), 404, 'Article not found.');
      // The project page lists only the annotator's own article.
      const page = expectPage(await member.get(`/projects/${projectId}`));
      expect(page).toContain(`href="/articles/${mine}"`);
      expect(page).not.toContain(`href="/articles/${other}"`);
    }
    // The researcher sees both, with one annotator each.
    const page = textOf(expectPage(await w.researcher.get(`/projects/${projectId}`)));
    expect(page).toMatch(/First article 3 0\/3 · continue 1/);
    expect(page).toMatch(/Second article 3 0\/3 · continue 1/);
  });

  it('lists assigned articles on the home page with progress and a Continue link to the first unreviewed sentence', async () => {
    const carl = await addAnnotator(w, 'carl');
    const projectId = await newProject('Home page', ['carl']);
    const id = await importArticle(w.researcher, projectId, { title: 'Carl reads this', text: TEXT });

    let home = expectPage(await carl.get('/'));
    expect(textOf(home)).toContain('Carl reads this Home page 0 of 3 sentences Continue');
    expect(home).toContain(`<a href="/articles/${id}/sentences/1">Continue</a>`);

    // Finish the demo project's articles (the demo article and its story's counterparts) so the call to action points at this one.
    for (const demo of w.t.store.articles(w.projectId)) {
      for (let n = 1; n <= demo.sentences.length; n++) await carl.post(`/articles/${demo.id}/sentences/${n}/reviewed`, { reviewed: '1' });
    }
    await carl.post(`/articles/${id}/sentences/1/reviewed`, { reviewed: '1' });
    home = expectPage(await carl.get('/'));
    expect(textOf(home)).toContain('Carl reads this Home page 1 of 3 sentences Continue');
    expect(home).toContain(`<a href="/articles/${id}/sentences/2">Continue</a>`);
    expect(home).toContain(`<a class="button" href="/articles/${id}/sentences/2">Continue where you stopped: Carl reads this, sentence 2</a>`);

    // A tag on sentence 2 counts it too; then sentence 3 is next.
    await tag(carl, id, 2, { first: 0, last: 0, category: 'sourcing' });
    expect(expectPage(await carl.get('/'))).toContain(`<a href="/articles/${id}/sentences/3">Continue</a>`);
    await carl.post(`/articles/${id}/sentences/3/reviewed`, { reviewed: '1' });
    home = textOf(expectPage(await carl.get('/')));
    expect(home).toContain('Carl reads this Home page 3 of 3 sentences Done');
    expect(home).not.toContain('Continue where you stopped');
  });

  it('does not count a deleted article towards an annotator’s load', async () => {
    const projectId = await newProject('Rebalance', ['anna', 'ben']);
    expect((await settings(projectId, { mode: 'balanced', perArticle: '1' })).status).toBe(303);
    const first = await importArticle(w.researcher, projectId, { title: 'One', text: TEXT });
    const second = await importArticle(w.researcher, projectId, { title: 'Two', text: TEXT });
    const assigned = () => projectOf(projectId)?.assignment.assigned ?? {};
    const secondOwner = assigned()[second]?.[0];
    expect(secondOwner).toBeDefined();
    expect(assigned()[first]).not.toEqual(assigned()[second]);

    expect((await w.researcher.post(`/articles/${second}/delete`, { confirm: 'yes' })).status).toBe(303);
    expect(Object.keys(assigned())).not.toContain(second);
    // The annotator who lost an article has the least work: the next article goes to them.
    const third = await importArticle(w.researcher, projectId, { title: 'Three', text: TEXT });
    expect(assigned()[third]).toEqual([secondOwner]);
  });

  it('assigns a new annotator’s share when a later article arrives, and a removed member loses access', async () => {
    const projectId = await newProject('Growing', ['anna']);
    await settings(projectId, { mode: 'balanced', perArticle: '1' });
    const first = await importArticle(w.researcher, projectId, { title: 'Early', text: TEXT });
    expect(projectOf(projectId)?.assignment.assigned[first]).toEqual([anna.id]);
    await w.researcher.post(`/projects/${projectId}/members`, { name: 'ben', role: 'annotator' });
    const second = await importArticle(w.researcher, projectId, { title: 'Late', text: TEXT });
    expect(projectOf(projectId)?.assignment.assigned[second]).toEqual([ben.id]);
    // A removed member loses access.
    expect((await w.researcher.post(`/projects/${projectId}/members/${ben.id}/delete`, {})).status).toBe(303);
    expectError(await ben.get(`/articles/${second}`), 404, 'Article not found.');
  });
});

describe('project text is shown escaped', () => {
  it('escapes the project name and description on every page', async () => {
    const [script, svg] = PAYLOADS;
    const name = `Study ${script}`;
    const description = `About ${svg} and ${script}`;
    const projectId = await newProject(name, ['anna'], description);
    const articleId = await importArticle(w.researcher, projectId, { title: 'Plain title', text: TEXT });
    // A changed description through the settings form, too.
    await settings(projectId, { description: `${description} ${svg}` });
    const shown = `${description} ${svg}`;

    for (const path of ['/projects', `/projects/${projectId}`, '/', `/projects/${projectId}/summary`, `/projects/${projectId}/dashboard`, `/articles/${articleId}`, `/articles/${articleId}/sentences/1`]) {
      const html = expectPage(await w.researcher.get(path));
      for (const payload of PAYLOADS) expect(html, path).not.toContain(payload);
      expect(html, path).toContain(`Study &lt;script&gt;alert(1)&lt;/script&gt;`);
    }
    expectEscaped(expectPage(await w.researcher.get(`/projects/${projectId}`)), shown);
    expectEscaped(expectPage(await w.researcher.get('/projects')), shown);
    for (const path of ['/', `/projects/${projectId}`, `/articles/${articleId}/sentences/1`]) {
      const html = expectPage(await anna.get(path));
      expectEscaped(html, name);
    }
    // The CSV file name is made safe as well.
    const csv = await w.researcher.get(`/projects/${projectId}/summary.csv`);
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="?Study-script-alert-1-script-+summary\.csv"?$/);
  });

  it('refuses markup in a new member’s name', async () => {
    // Names are restricted to letters, digits and . _ - and spaces: markup is refused outright.
    const res = await refused(w.t, () => w.researcher.post(`/projects/${w.projectId}/members`, { name: '<b>x</b>', role: 'annotator' }));
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('<b>x</b>');
  });
});

describe('headers', () => {
  it('sends the strict Content-Security-Policy with every HTML page, errors included', async () => {
    const articleId = w.demoArticleId;
    const pages: [string, number][] = [
      ['/', 200],
      ['/projects', 200],
      [`/projects/${w.projectId}`, 200],
      [`/projects/${w.projectId}/dashboard`, 200],
      [`/projects/${w.projectId}/summary`, 200],
      [`/projects/${w.projectId}/articles/new`, 200],
      [`/articles/${articleId}`, 200],
      [`/articles/${articleId}/sentences/1`, 200],
      [`/articles/${articleId}/delete`, 200],
      ['/codebooks', 200],
      ['/codebooks/framing', 200],
      ['/no/such/page', 404],
      [`/articles/${articleId}/sentences/0`, 400],
    ];
    for (const [path, status] of pages) expectPage(await w.researcher.get(path), status);
    expectPage(await anna.get(`/projects/${w.projectId}/dashboard`), 403);
    const signedOut = agentFor(w.t.app);
    expectPage(await signedOut.get('/signin'));
    const redirect = await signedOut.get(`/articles/${articleId}`);
    expect(redirect.status).toBe(303);
    expectCsp(redirect);
  });
});

describe('accounts from other projects', () => {
  it('keeps a researcher of one project out of another researcher’s project', async () => {
    await addUser(w.t, 'rolf', 'researcher');
    const rolf = await signIn(w.t.app, 'rolf');
    expectError(await rolf.get(`/projects/${w.projectId}`), 404, 'Project not found.');
    expectError(await rolf.get(`/articles/${w.demoArticleId}`), 404, 'Article not found.');
    expectError(await refused(w.t, () => rolf.post(`/projects/${w.projectId}/settings`, { description: '', codebookId: 'framing', mode: 'all', perArticle: '2', open: '1' })), 404, 'Project not found.');
  });
});
