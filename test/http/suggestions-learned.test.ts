// The learned suggester on the running server: tags arriving retrain the project's model in the
// background (debounced, in a worker thread), the model is stored, and the next page suggests
// what it learned — here a word planted as loaded language that no lexicon or cue knows; a change
// to the project's curated gold retrains it too.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAnnotator, expectPage, importArticle, tag, world, type Member, type World } from '../helpers/forms.js';
import { modelPath } from '../../server/storage/models.js';
import { LiveSuggestions } from '../../server/suggest/live.js';
import { newId } from '../../server/storage/store.js';

const NAMES = ['The council', 'The ministry', 'The union', 'The mayor', 'The court', 'The board'];
const THINGS = ['the budget', 'the tariff', 'the ruling', 'the timetable', 'the merger', 'the census'];
const sentenceOf = (i: number) =>
  i % 3 === 0 ? `${NAMES[i % 6]} called ${THINGS[(i * 5) % 6]} glorbish on Monday.` : `${NAMES[i % 6]} discussed ${THINGS[(i * 5) % 6]} on Monday.`;

let w: World;
let anna: Member;
let live: LiveSuggestions;
beforeAll(async () => {
  w = await world();
  anna = await addAnnotator(w, 'anna');
  live = LiveSuggestions.of(w.t.store);
  live.options.delayMs = 20;
});
afterAll(async () => {
  await live.settle();
  await w.t.cleanup();
});

describe('background retraining', () => {
  it('learns from tags as they arrive and suggests what it learned in a new article', async () => {
    const project = w.t.store.project(w.projectId);
    const settings = { description: '', codebookId: project?.codebookId ?? 'framing', mode: 'all', perArticle: '2', suggestions: 'learned' };
    expect((await w.researcher.post(`/projects/${w.projectId}/settings`, settings)).status).toBe(303);
    // Earlier work: ten articles the annotator tagged (every "glorbish" as loaded language).
    const ids: string[] = [];
    for (let a = 0; a < 10; a++) {
      const text = Array.from({ length: 9 }, (_, i) => sentenceOf(i + a)).join(' ');
      const id = await importArticle(w.researcher, w.projectId, { title: `Council ${a}`, text });
      ids.push(id);
      const article = w.t.store.article(id);
      if (!article) throw new Error('no article');
      await w.t.store.updateAnnotation(id, anna.id, (annotation) => {
        article.sentences.forEach((range, sentence) => {
          const at = article.text.slice(range.start, range.end).indexOf('glorbish');
          if (at >= 0) {
            const start = range.start + at;
            annotation.tags.push({ id: newId(), articleId: id, annotatorId: anna.id, sentence, start, end: start + 8, category: 'loaded-language', voice: 'author', intensity: null, note: '', createdAt: '2020-01-01T00:00:00.000Z', updatedAt: '2020-01-01T00:00:00.000Z' });
          }
          annotation.reviewed.push(sentence);
        });
      });
    }
    const fresh = await importArticle(w.researcher, w.projectId, { title: 'New', text: 'The senate called the levy glorbish on Friday. The senate met.' });
    // The first page finds no model: rules are off, so nothing yet, and training has started.
    expect(expectPage(await anna.get(`/articles/${fresh}/sentences/1`))).not.toContain('suggestion-list');
    await live.settle();
    expect(existsSync(modelPath(w.t.dataDir, w.projectId))).toBe(true);
    const first = live.model(w.projectId);
    expect(first).not.toBeNull();
    const page = expectPage(await anna.get(`/articles/${fresh}/sentences/1`));
    expect(page).toMatch(/<strong>Evaluative \/ intensifying wording<\/strong>: “glorbish” <span class="muted small">learned · 0\.\d\d<\/span><\/span>/);
    // A new tag arriving retrains (debounced) and replaces the model.
    expect((await tag(anna, ids[0] ?? '', 2, { first: 0, last: 0, category: 'hedge' })).status).toBe(303);
    await live.settle();
    const second = live.model(w.projectId);
    expect(second).not.toBe(first);
    // Curation changes what the model learns from: a sentence marked curated retrains it once the
    // next sentence page sees the change; a page with nothing changed does not.
    expectPage(await anna.get(`/articles/${fresh}/sentences/2`));
    await live.settle();
    expect(live.model(w.projectId)).toBe(second);
    expect((await w.researcher.post(`/curation/articles/${ids[1] ?? ''}/sentences/1/curated`, { curated: '1' })).status).toBe(303);
    expectPage(await anna.get(`/articles/${fresh}/sentences/1`));
    await live.settle();
    expect(live.model(w.projectId)).not.toBe(second);
  }, 180_000); // three trainings in worker threads on a shared, busy machine
});
