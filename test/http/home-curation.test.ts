// The home page leads a named curator to the curation of each project they curate, also when
// they are no member of it (its project page is closed to them), and shows no such link to
// anyone who may not curate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, signIn } from '../helpers/app.js';
import { addAnnotator, expectPage, textOf, world, type World } from '../helpers/forms.js';

let w: World;
const ids = new Map<string, string>();
beforeAll(async () => {
  w = await world();
  await addAnnotator(w, 'anna');
  ids.set('carla', await addUser(w.t, 'carla', 'researcher'));
  ids.set('tom', await addUser(w.t, 'tom', 'teacher'));
  await addUser(w.t, 'nina', 'researcher');
  const saved = await w.researcher.post(`/projects/${w.projectId}/curation/settings`, { agree: 'majority', overlap: '', curators: 'carla, tom' });
  expect(saved.status).toBe(303);
});
afterAll(async () => {
  await w.t.cleanup();
});

const curationLink = () => `href="/projects/${w.projectId}/curation"`;

describe('the home page of a named curator', () => {
  it.each(['carla', 'tom'])('%s, no member of the project, gets a link to its curation, which opens', async (name) => {
    const curator = await signIn(w.t.app, name);
    expect(w.t.store.project(w.projectId)?.members.some((m) => m.userId === ids.get(name))).toBe(false);
    const home = expectPage(await curator.get('/'));
    expect(textOf(home)).toContain('Projects you curate');
    expect(home).toContain(curationLink());
    expect(textOf(home)).not.toContain('You are not in any project yet');
    // The project page is not theirs; its curation is.
    expect((await curator.get(`/projects/${w.projectId}`)).status).toBe(404);
    expect(textOf(expectPage(await curator.get(`/projects/${w.projectId}/curation`)))).toContain('Curation');
  });

  it('nobody else gets the section: not an unnamed researcher, not an annotator of the blind project, not the project’s researcher', async () => {
    for (const name of ['nina', 'anna', 'rita']) {
      const home = expectPage(await (await signIn(w.t.app, name)).get('/'));
      expect(textOf(home), name).not.toContain('Projects you curate');
    }
    // The project's own researcher reaches curation from the project page, as before.
    expect(expectPage(await w.researcher.get(`/projects/${w.projectId}`))).toContain(curationLink());
  });
});
