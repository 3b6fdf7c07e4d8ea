// `framelens suggest PROJECT [--articles ID,ID,…] [--suggesters rules,learned] [--train-only]`:
// suggestions for a project's articles as JSON lines, for evaluation on any corpus. Reads the
// data folder like `export` (safe beside a running server); writes only the learned model.
import { parseArgs } from 'node:util';
import { once } from 'node:events';
import { loadConfig } from '../config.js';
import { isSuggesterName, makeSuggesters, suggestArticle } from '../core/suggest/index.js';
import { modelPath } from '../storage/models.js';
import { storedProjectModel, trainProjectModel } from '../suggest/project-model.js';
import { codebookOf } from '../web/views.js';
import { readData } from './serve.js';
import type { IO } from './io.js';

const USAGE = 'usage: framelens suggest PROJECT [--articles ID,ID,…] [--suggesters rules,learned] [--train-only]\n';

const list = (value: string | undefined) => (value ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '');

export async function suggestCommand(args: string[], io: IO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { articles: { type: 'string' }, suggesters: { type: 'string' }, 'train-only': { type: 'boolean', default: false } },
    });
  } catch (error) {
    io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const { positionals, values } = parsed;
  const [which, ...extra] = positionals;
  const names = values.suggesters === undefined ? ['rules', 'learned'] : list(values.suggesters);
  const unknown = names.filter((n) => !isSuggesterName(n));
  if (!which || extra.length > 0 || names.length === 0 || unknown.length > 0) {
    if (unknown.length > 0) io.stderr.write(`unknown suggester ${unknown.join(', ')} (choose from rules, learned)\n`);
    io.stderr.write(USAGE);
    return 2;
  }
  const suggesterNames = names.filter(isSuggesterName);

  const store = await readData(loadConfig(process.env).dataDir);
  const projects = store.projects.data.data.projects;
  const project = projects.find((p) => p.id === which) ?? projects.find((p) => p.name.toLowerCase() === which.toLowerCase());
  if (!project) {
    io.stderr.write(`no project "${which}"; projects: ${projects.map((p) => `${p.id} (${p.name})`).join(', ')}\n`);
    return 1;
  }
  const codebook = codebookOf(store, project);

  if (values['train-only']) {
    const trained = await trainProjectModel(store, project, codebook);
    if (!trained) {
      io.stderr.write(`project "${project.name}" has no accepted tags to learn from yet; no model was stored\n`);
      return 1;
    }
    const on = trained.model.trainedOn;
    io.stdout.write(
      `Trained the learned suggester of "${project.name}" on ${on.articles} articles (${on.sentences} sentences, ${on.spans} spans) ` +
        `in ${trained.seconds.toFixed(1)} s; stored ${modelPath(store.dataDir, project.id)}\n`,
    );
    return 0;
  }

  const projectArticles = store.articles(project.id);
  const wanted = values.articles === undefined ? null : list(values.articles);
  const missing = (wanted ?? []).filter((id) => !projectArticles.some((a) => a.id === id));
  if (missing.length > 0) {
    io.stderr.write(`no article ${missing.map((id) => `"${id}"`).join(', ')} in project "${project.name}"\n`);
    return 1;
  }
  const articles = wanted === null ? projectArticles : projectArticles.filter((a) => wanted.includes(a.id));

  let model = null;
  if (suggesterNames.includes('learned')) {
    model = await storedProjectModel(store, project, codebook);
    if (!model) {
      const trained = await trainProjectModel(store, project, codebook);
      model = trained?.model ?? null;
      if (!model) io.stderr.write(`project "${project.name}" has no accepted tags to learn from yet: no learned suggestions\n`);
    }
  }
  const suggesters = makeSuggesters(codebook, suggesterNames, model);
  for (const article of articles) {
    let chunk = '';
    for (const s of suggestArticle(article, suggesters)) {
      chunk +=
        JSON.stringify({
          article: article.id,
          sentence: s.sentence,
          start: s.start,
          end: s.end,
          text: article.text.slice(s.start, s.end),
          category: s.category,
          score: Math.round(s.score * 1e4) / 1e4,
          suggester: s.suggester,
        }) + '\n';
    }
    if (chunk !== '' && !io.stdout.write(chunk)) await once(io.stdout, 'drain');
  }
  return 0;
}
