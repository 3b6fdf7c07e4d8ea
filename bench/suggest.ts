// Suggestion benchmark (BENCH_ONLY=suggest): quality and speed of the suggesters.
//
// Quality, on the labelled set of test/fixtures/suggest/ (corpus.ts says how it was built): the
// learned suggester is trained on training articles only and everything is scored on the held-out
// part, with overlap credit (SemEval-2020 Task 11, server/core/agreement/span-f1.ts):
//   - per suggester and category, at each suggester's default threshold;
//   - the held-out part's three kinds (generated, hand-written, the demo article) apart;
//   - per rule (which rule or cue produced a suggestion);
//   - precision and recall by threshold;
//   - the learning curve: the learned suggester trained on 10, 25, 50 and 100 articles.
// Speed: the suggestions for one sentence beside the sentence page's own cost, both measured in
// this process (the page through the real app on the loopback, its CPU time per page including
// the client's share: a baseline that flatters the page a little; the real page-rate check with
// suggestions on comes when the editor shows them), and training on the 200,000-tag bench study
// in a worker thread.
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Codebook } from '../server/core/model.js';
import { categories } from '../server/core/codebook.js';
import {
  LEARNED_THRESHOLD,
  RULES_THRESHOLD,
  makeSuggesters,
  suggestArticle,
  suggestSentence,
  trainModel,
  type LabelledArticle,
  type Suggester,
} from '../server/core/suggest/index.js';
import { qualityByThreshold, suggestionQuality, type Quality, type Scored } from '../server/core/suggest/quality.js';
import { loadShippedCodebooks } from '../server/storage/shipped-codebooks.js';
import { trainInWorker } from '../server/suggest/train.js';
import { saveModel } from '../server/storage/models.js';
import type { Store } from '../server/storage/store.js';
import type { SuggestionSettings } from '../server/core/suggest/design.js';
import { projectTrainingSet } from '../server/suggest/project-model.js';
import { createApp } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { createUser } from '../server/accounts/users.js';
import { adoptOrphanProjects } from '../server/demo/seed.js';
import { openData, readData } from '../server/commands/serve.js';
import { ActivityStore } from '../server/storage/activities.js';
import { serverFor } from '../server/web/http-server.js';
import { evaluationSet, heldOutArticles } from '../test/fixtures/suggest/corpus.js';
import { signIn } from './http.js';
import { FileSessionStore } from '../server/web/session.js';
import { generateStudy, type StudyOptions } from './study.js';

export interface SuggestRow {
  figure: string;
  value: string;
  baseline: string;
  ratio: string;
  target: string;
  pass: boolean;
}

const fmt = (n: number | null, digits = 3) => (n === null || !Number.isFinite(n) ? '—' : n.toFixed(digits));
const pad = (s: string, n: number) => s.padEnd(n);
const THRESHOLDS = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
/** "A clear margin": at least this much more overlap F1 than the rules, on the same held-out part. */
const CLEAR_MARGIN = 0.05;

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function scoredOn(articles: readonly LabelledArticle[], suggesters: readonly Suggester[]): Scored[] {
  return articles.flatMap((a) => suggestArticle(a, suggesters, { all: true }).map((suggestion) => ({ articleId: a.id, suggestion })));
}

function qualityLine(q: Quality): string {
  return `P ${fmt(q.precision)}  R ${fmt(q.recall)}  F1 ${q.suggested + q.reference === 0 ? '  —  ' : fmt(q.f1)}  (${q.suggested} suggested, ${q.reference} tagged)`;
}

/**
 * `serverPageCpuMs`: the real server's CPU per sentence page, measured by the pages section in the
 * same run (BENCH_ONLY=pages,suggest): then the speed rows are judged against it, the stricter
 * baseline (no client share in it).
 */
export async function suggestBench(log: (...args: unknown[]) => void, study: StudyOptions, serverPageCpuMs: number | null = null): Promise<SuggestRow[]> {
  const rows: SuggestRow[] = [];
  const codebook = (await loadShippedCodebooks()).find((c) => c.id === 'framing');
  if (!codebook) throw new Error('the framing codebook is missing');
  const set = await evaluationSet();
  const held = heldOutArticles(set);
  const count = (articles: readonly LabelledArticle[]) =>
    `${articles.length} articles, ${articles.reduce((n, a) => n + a.sentences.length, 0)} sentences, ${articles.reduce((n, a) => n + a.spans.length, 0)} tags`;
  log(`  labelled set: training ${count(set.training)}; held out ${count(held)} (generated ${count(set.heldOut.generated)}; hand-written ${count(set.heldOut.handwritten)}; demo ${count([set.heldOut.demo])})`);

  const model = trainModel(set.training, codebook);
  const suggesters = makeSuggesters(codebook, ['rules', 'learned'], model);
  const scored = scoredOn(held, suggesters);
  const threshold = { rules: RULES_THRESHOLD, learned: LEARNED_THRESHOLD };

  log(`  Quality on the held-out part at the default thresholds (rules ${RULES_THRESHOLD}, learned ${LEARNED_THRESHOLD}; learned trained on ${set.training.length} articles), overlap credit:`);
  log(`    ${pad('category', 22)} ${pad('rules: P / R / F1 (n)', 30)} learned: P / R / F1 (n)        tagged`);
  const cell = (q: Quality) => `${fmt(q.precision)} / ${fmt(q.recall)} / ${q.suggested + q.reference === 0 ? '  —  ' : fmt(q.f1)} (${q.suggested})`;
  for (const c of categories(codebook)) {
    const r = suggestionQuality(held, scored, { suggester: 'rules', category: c.id, threshold: threshold.rules });
    const l = suggestionQuality(held, scored, { suggester: 'learned', category: c.id, threshold: threshold.learned });
    log(`    ${pad(c.id, 22)} ${pad(cell(r), 30)} ${pad(cell(l), 30)} ${r.reference}`);
  }
  const overall = { rules: suggestionQuality(held, scored, { suggester: 'rules', threshold: threshold.rules }), learned: suggestionQuality(held, scored, { suggester: 'learned', threshold: threshold.learned }) };
  log(`    ${pad('all categories', 22)} ${pad(cell(overall.rules), 30)} ${pad(cell(overall.learned), 30)} ${overall.rules.reference}`);
  const parts: [string, LabelledArticle[]][] = [
    ['generated (held-out templates and fillers mixed in)', set.heldOut.generated],
    ['hand-written (no template)', set.heldOut.handwritten],
    ['demo article (teacher reference, not exhaustive)', [set.heldOut.demo]],
    ['hand-written + demo', [...set.heldOut.handwritten, set.heldOut.demo]],
  ];
  for (const [name, articles] of parts) {
    log(`    ${name}: rules ${qualityLine(suggestionQuality(articles, scored, { suggester: 'rules', threshold: threshold.rules }))}`);
    log(`    ${' '.repeat(name.length)}  learned ${qualityLine(suggestionQuality(articles, scored, { suggester: 'learned', threshold: threshold.learned }))}`);
  }

  log(`  Rule suggestions by source (held out, score ≥ ${RULES_THRESHOLD}; below it in brackets):`);
  const sources = [...new Set(scored.filter((s) => s.suggestion.suggester === 'rules').map((s) => s.suggestion.source))].sort();
  for (const source of sources) {
    const shown = suggestionQuality(held, scored, { suggester: 'rules', source, threshold: threshold.rules });
    const all = suggestionQuality(held, scored, { suggester: 'rules', source });
    log(`    ${pad(source, 30)} ${shown.suggested} shown, precision ${fmt(shown.precision)}   [all ${all.suggested}: precision ${fmt(all.precision)}]`);
  }

  log('  Precision / recall / F1 by threshold (held out, all categories):');
  log(`    ${pad('threshold', 10)} ${pad('rules', 44)} learned`);
  const byRules = qualityByThreshold(held, scored, THRESHOLDS, { suggester: 'rules' });
  const byLearned = qualityByThreshold(held, scored, THRESHOLDS, { suggester: 'learned' });
  byRules.forEach((r, i) => {
    const l = byLearned[i];
    if (!l) return;
    log(`    ${pad(r.threshold.toFixed(1), 10)} ${pad(`${fmt(r.precision)} / ${fmt(r.recall)} / ${fmt(r.f1)} (${r.suggested})`, 44)} ${fmt(l.precision)} / ${fmt(l.recall)} / ${fmt(l.f1)} (${l.suggested})`);
  });

  log('  Learning curve (held out, all categories, default thresholds):');
  const curve: { n: number; q: Quality; handDemo: Quality; seconds: number }[] = [];
  const handDemo = [...set.heldOut.handwritten, set.heldOut.demo];
  for (const n of [10, 25, 50, 100]) {
    const cpu = cpuMs();
    const m = trainModel(set.training.slice(0, n), codebook);
    const seconds = (cpuMs() - cpu) / 1000;
    const s = scoredOn(held, makeSuggesters(codebook, ['learned'], m));
    const q = suggestionQuality(held, s, { suggester: 'learned', threshold: threshold.learned });
    const hd = suggestionQuality(handDemo, s, { suggester: 'learned', threshold: threshold.learned });
    curve.push({ n, q, handDemo: hd, seconds });
    log(`    ${String(n).padStart(3)} articles: learned ${qualityLine(q)} · hand-written + demo F1 ${fmt(hd.f1)} · trained in ${fmt(seconds, 2)} CPU-s`);
  }
  const rulesHandDemo = suggestionQuality(handDemo, scored, { suggester: 'rules', threshold: threshold.rules });
  log(`    rules alone: ${qualityLine(overall.rules)} · hand-written + demo F1 ${fmt(rulesHandDemo.f1)}`);

  rows.push({
    figure: 'rule suggestions shown by default: precision',
    value: `${fmt(overall.rules.precision)} (R ${fmt(overall.rules.recall)}, F1 ${fmt(overall.rules.f1)})`,
    baseline: `${overall.rules.reference} held-out tags, overlap credit`,
    ratio: '—',
    target: '≥ 0.60',
    pass: (overall.rules.precision ?? 0) >= 0.6,
  });
  rows.push({
    figure: 'learned suggestions shown by default: precision',
    value: `${fmt(overall.learned.precision)} (R ${fmt(overall.learned.recall)}, F1 ${fmt(overall.learned.f1)})`,
    baseline: `${overall.learned.reference} held-out tags, overlap credit`,
    ratio: '—',
    target: '≥ 0.60',
    pass: (overall.learned.precision ?? 0) >= 0.6,
  });
  const at50 = curve.find((c) => c.n === 50);
  rows.push({
    figure: 'learned F1 after 50 annotated articles',
    value: fmt(at50?.q.f1 ?? NaN),
    baseline: `rules alone ${fmt(overall.rules.f1)}`,
    ratio: `+${fmt((at50?.q.f1 ?? 0) - overall.rules.f1)}`,
    target: `≥ rules + ${CLEAR_MARGIN}`,
    pass: (at50?.q.f1 ?? 0) >= overall.rules.f1 + CLEAR_MARGIN,
  });

  rows.push(...(await speedRows(log, codebook, set.training, model, serverPageCpuMs)));
  rows.push(await trainingRow(log, codebook, study));
  return rows;
}

/** Suggestions for one sentence vs the sentence page, both in this process. */
async function speedRows(log: (...args: unknown[]) => void, codebook: Codebook, training: LabelledArticle[], model: ReturnType<typeof trainModel>, serverPageCpuMs: number | null): Promise<SuggestRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'framelens-bench-suggest-'));
  let server: Server | null = null;
  const store = await openData(dir);
  try {
    const activities = await ActivityStore.open(dir);
    const app = createApp({ config: { ...loadConfig({ NODE_ENV: 'production', DATA_DIR: dir }), log: false }, store, activities, sessionStore: new FileSessionStore(store) });
    const password = 'bench-password-correct-horse';
    const user = await createUser(store, 'researcher', 'researcher', password);
    await adoptOrphanProjects(store, user.id);
    const running = serverFor(app);
    server = running;
    await new Promise<void>((resolve) => running.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(running.address() as AddressInfo).port}`;
    const session = await signIn(base, 'researcher', password);
    const article = store.articles()[0];
    if (!article) throw new Error('the demo article is missing');
    const paths = article.sentences.map((_, i) => `/articles/${article.id}/sentences/${i + 1}`);
    const page = async (path: string) => {
      const response = await fetch(base + path, { headers: { cookie: session.cookie } });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
    };
    // Pages and suggestions take turns over the same sentences (the machine is shared: ratios, not times).
    const texts = [...training.slice(0, 20), { id: article.id, text: article.text, sentences: article.sentences, annotated: [], spans: [] }];
    const sets: [string, Suggester[]][] = [
      ['rules', makeSuggesters(codebook, ['rules'], null)],
      ['learned', makeSuggesters(codebook, ['learned'], model)],
      ['rules + learned', makeSuggesters(codebook, ['rules', 'learned'], model)],
    ];
    for (const p of paths) await page(p); // warm-up
    for (const [, s] of sets) for (const t of texts) for (let i = 0; i < t.sentences.length; i++) suggestSentence(t, i, s);
    const rounds = 5;
    const pageCpu: number[] = [];
    const suggestCpu = new Map<string, number[]>(sets.map(([name]) => [name, []]));
    let sentences = 0;
    for (let round = 0; round < rounds; round++) {
      let cpu = cpuMs();
      for (let k = 0; k < 4; k++) for (const p of paths) await page(p);
      pageCpu.push((cpuMs() - cpu) / (4 * paths.length));
      for (const [name, s] of sets) {
        cpu = cpuMs();
        sentences = 0;
        for (const t of texts) for (let i = 0; i < t.sentences.length; i++, sentences++) suggestSentence(t, i, s);
        suggestCpu.get(name)?.push((cpuMs() - cpu) / sentences);
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    const inProcessMs = median(pageCpu);
    log(`  Speed (CPU time in this process, medians of ${rounds} rounds; ${sentences} sentences of ${texts.length} articles per round):`);
    log(`    sentence page through the app (loopback, client included): ${fmt(inProcessMs * 1000, 0)} µs per page`);
    if (serverPageCpuMs !== null) log(`    sentence page, the real server's CPU per page in the pages section above: ${fmt(serverPageCpuMs * 1000, 0)} µs (the baseline judged)`);
    const pageMs = serverPageCpuMs ?? inProcessMs;
    const pageLabel = serverPageCpuMs !== null ? 'server CPU per page (pages section)' : 'CPU in-process, client included';
    const rows: SuggestRow[] = [];
    for (const [name] of sets) {
      const ms = median(suggestCpu.get(name) ?? []);
      const ratio = pageMs / (pageMs + ms);
      log(`    ${pad(name, 16)} ${fmt(ms * 1000, 0)} µs per sentence → page + suggestions at ${fmt(ratio, 2)}× the page rate (if not cached)`);
      rows.push({
        figure: `suggestions for one sentence (${name})`,
        value: `${fmt(ms * 1000, 0)} µs CPU`,
        baseline: `sentence page ${fmt(pageMs * 1000, 0)} µs ${pageLabel}`,
        ratio: `${fmt(ratio, 2)}× page rate`,
        target: '≥ 0.80× (projected)',
        pass: ratio >= 0.8,
      });
    }
    rows.push(await pageWithSuggestionsRow(log, store, article.projectId, model, paths, page, median));
    return rows;
  } finally {
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    }
    await store.close().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

/** Training on the 200,000-tag bench study, in a worker thread. */
async function trainingRow(log: (...args: unknown[]) => void, codebook: Codebook, options: StudyOptions): Promise<SuggestRow> {
  const dir = await mkdtemp(join(tmpdir(), 'framelens-bench-study-'));
  try {
    log(`  Generating the bench study (${options.articles} articles, ${options.tags.toLocaleString('en')} tags) for training…`);
    const study = await generateStudy(join(dir, 'data'), options);
    const store = await readData(study.dataDir);
    const project = store.project(study.projectId);
    if (!project) throw new Error('the study project is missing');
    let t = performance.now();
    const accepted = await projectTrainingSet(store, project);
    const selectSeconds = (performance.now() - t) / 1000;
    const acceptedSpans = accepted.reduce((n, a) => n + a.spans.length, 0);
    t = performance.now();
    const selected = await trainInWorker(accepted, codebook);
    const selectedSeconds = (performance.now() - t) / 1000;
    log(
      `    accepted tags (annotators agreeing): ${acceptedSpans.toLocaleString('en')} of ${study.tags.toLocaleString('en')} tags on ${accepted.length} articles, ` +
        `selected in ${fmt(selectSeconds, 2)} s, trained in a worker in ${fmt(selectedSeconds, 1)} s (${selected.trainedOn.tokens.toLocaleString('en')} tokens)`,
    );
    // Every tag taken as accepted (as if the whole study were curated): the most a model learns from.
    const everything: LabelledArticle[] = store.articles(project.id).map((article) => {
      const annotations = store.annotations(article.id);
      return {
        id: article.id,
        text: article.text,
        sentences: article.sentences,
        annotated: article.sentences.map((_, i) => i),
        spans: annotations.flatMap((a) => a.tags.map((tag) => ({ sentence: tag.sentence, start: tag.start, end: tag.end, category: tag.category }))),
      };
    });
    const allSpans = everything.reduce((n, a) => n + a.spans.length, 0);
    t = performance.now();
    const cpu = cpuMs();
    const model = await trainInWorker(everything, codebook);
    const seconds = (performance.now() - t) / 1000;
    const mainCpu = (cpuMs() - cpu) / 1000;
    log(
      `    every tag accepted: ${allSpans.toLocaleString('en')} tags, ${model.trainedOn.sentences.toLocaleString('en')} sentences, ${model.trainedOn.tokens.toLocaleString('en')} tokens: ` +
        `${fmt(seconds, 1)} s in a worker (process CPU meanwhile ${fmt(mainCpu, 1)} s, both threads); model ${(JSON.stringify(model).length / 1e6).toFixed(1)} MB of JSON`,
    );
    // Judged on CPU time, as the segmentation row is: on this shared machine the clock mostly
    // measures the other processes (the main thread only waits meanwhile).
    log(`    → judged on CPU time (${fmt(mainCpu, 1)} s); the clock said ${fmt(seconds, 1)} s at load average ${loadavg()[0]?.toFixed(1)} on ${cpus().length} CPUs`);
    return {
      figure: `training on the ${options.tags.toLocaleString('en')}-tag study (every tag), in a worker`,
      value: `${fmt(mainCpu, 1)} CPU-s (${fmt(seconds, 1)} s wall)`,
      baseline: `agreed tags only: ${fmt(selectSeconds + selectedSeconds, 1)} s wall`,
      ratio: '—',
      target: '< 30 s',
      pass: mainCpu < 30,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The sentence page with suggestions on (rules and learned) against the same page with them off,
 * through the real app, in turns: CPU per page in this process (client included), medians.
 */
async function pageWithSuggestionsRow(
  log: (...args: unknown[]) => void,
  store: Store,
  projectId: string,
  model: ReturnType<typeof trainModel>,
  paths: string[],
  page: (path: string) => Promise<void>,
  median: (xs: number[]) => number,
): Promise<SuggestRow> {
  await saveModel(store.dataDir, projectId, model);
  const on: SuggestionSettings = { mode: 'both', split: false, groups: {}, since: '' };
  const set = (settings: SuggestionSettings | null) =>
    store.updateProject(projectId, (p) => {
      if (settings) p.suggestions = settings;
      else delete p.suggestions;
    });
  await set(on);
  for (const p of paths) await page(p); // reads the model, fills the cache per sentence
  const offCpu: number[] = [];
  const onCpu: number[] = [];
  const rounds = 7;
  for (let round = 0; round < rounds; round++) {
    for (const [settings, into] of [[null, offCpu], [on, onCpu]] as const) {
      await set(settings);
      const cpu = cpuMs();
      for (let k = 0; k < 4; k++) for (const p of paths) await page(p);
      into.push((cpuMs() - cpu) / (4 * paths.length));
    }
  }
  await set(null);
  const off = median(offCpu);
  const withSuggestions = median(onCpu);
  const ratio = off / withSuggestions;
  log(`    sentence page with suggestions on (rules + learned, cached per sentence): ${fmt(withSuggestions * 1000, 0)} µs vs ${fmt(off * 1000, 0)} µs off → ${fmt(ratio, 2)}× the page rate`);
  return {
    figure: 'sentence page with suggestions on (rules + learned)',
    value: `${fmt(withSuggestions * 1000, 0)} µs CPU per page`,
    baseline: `suggestions off ${fmt(off * 1000, 0)} µs (same run, in turns)`,
    ratio: `${fmt(ratio, 2)}× page rate`,
    target: '≥ 0.80×',
    pass: ratio >= 0.8,
  };
}
