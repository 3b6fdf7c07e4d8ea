// The import preview ticks page furniture (bylines, date lines, credits, outlet names) to be
// left out, and leaves real sentences unticked, even short ones ending in a quote or bracket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectPage, multipart, world, type World } from '../helpers/forms.js';

const LINES: [string, boolean][] = [
  ['Sputnik', true],
  ['By Maria Delgado, Staff Reporter', true],
  ['Published March 3, 2025', true],
  ['Talks in Brussels ended without a deal on Wednesday.', false],
  ['‘We will win’', false],
  ['Nobody came (again)', false],
  ['(Reporting by Maria Delgado; Editing by John Smith)', true],
];

let w: World;
beforeAll(async () => {
  w = await world();
});
afterAll(async () => {
  await w.t.cleanup();
});

describe('the import preview', () => {
  it('ticks bylines, date lines and credits, and leaves sentences ending in ’ or ) alone', async () => {
    const text = LINES.map(([line]) => line).join('\n');
    const html = expectPage(await multipart(w.researcher, `/projects/${w.projectId}/articles/preview`, { title: 'Furniture', text }));
    for (const [i, [, ticked]] of LINES.entries()) {
      expect(html).toMatch(new RegExp(`<input type="checkbox" name="exclude" value="${i}"${ticked ? ' checked' : ''}>`));
    }
  });
});
