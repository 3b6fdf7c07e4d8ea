// Suggestions on the running server: each project's learned model (read once, retrained in a
// worker thread as tags arrive or gold changes, debounced), and the suggestions for a sentence,
// cached per (article, sentence, model) so that the sentence page pays for them once per model.
import type { Article, Codebook } from '../core/model.js';
import { makeSuggesters, suggestSentence, type LearnedModel, type Suggester, type Suggestion } from '../core/suggest/index.js';
import { suggestersOf, type SuggestionMode } from '../core/suggest/design.js';
import type { Project } from '../storage/schemas.js';
import type { AppStore } from '../storage/app-store.js';
import { storedProjectModel, trainProjectModel } from './project-model.js';

/** How many sentences' suggestions are kept (each a handful of small objects). */
const CACHED_SENTENCES = 20_000;

interface ProjectState {
  model: LearnedModel | null;
  /** Goes up whenever the model is replaced: part of every cache key. */
  stamp: number;
  loading: Promise<void> | null;
  timer: NodeJS.Timeout | null;
  /** When the first change since the last training came (the debounce waits at most `maxWaitMs` from it). */
  firstChange: number;
  training: Promise<void> | null;
  /** Tags changed while training: train once more after. */
  again: boolean;
  suggesters: { key: string; list: Suggester[] } | null;
  /** The project's gold as last seen (the model learns from curated gold): a change retrains. */
  gold: { version: number; fingerprint: string } | null;
}

export interface LiveOptions {
  /** Quiet time after the last tag change before retraining. */
  delayMs: number;
  /** Retrain at the latest this long after the first change, however busy the annotators. */
  maxWaitMs: number;
  log: (message: string) => void;
}

const services = new WeakMap<AppStore, LiveSuggestions>();

export class LiveSuggestions {
  readonly options: LiveOptions;
  readonly #store: AppStore;
  readonly #projects = new Map<string, ProjectState>();
  readonly #cache = new Map<string, Suggestion[]>();

  constructor(store: AppStore, options: Partial<LiveOptions> = {}) {
    this.#store = store;
    this.options = { delayMs: 10_000, maxWaitMs: 60_000, log: (m) => console.error(m), ...options };
  }

  /** The store's service (one per store, made on first use). */
  static of(store: AppStore): LiveSuggestions {
    let service = services.get(store);
    if (!service) services.set(store, (service = new LiveSuggestions(store)));
    return service;
  }

  #state(projectId: string): ProjectState {
    let state = this.#projects.get(projectId);
    if (!state) {
      state = { model: null, stamp: 0, loading: null, timer: null, firstChange: 0, training: null, again: false, suggesters: null, gold: null };
      this.#projects.set(projectId, state);
    }
    return state;
  }

  /** Reads the stored model once, before the first page that needs it; with none yet, training starts. */
  async prepare(project: Project, codebook: Codebook): Promise<void> {
    const mode = project.suggestions?.mode ?? 'off';
    if (!suggestersOf(mode).includes('learned')) return;
    const state = this.#state(project.id);
    this.#watchGold(project, state);
    state.loading ??= (async () => {
      const model = await storedProjectModel(this.#store, project, codebook).catch(() => null);
      if (model && !state.model) this.#replace(state, model);
      else if (!model) this.tagsChanged(project, 0);
    })();
    await state.loading;
  }

  /**
   * Curation changes what the model learns from, but not through tag saves: when gold changed
   * since the last look (the store's gold version first, then this project's articles), retrain
   * as after a tag change.
   */
  #watchGold(project: Project, state: ProjectState): void {
    const version = this.#store.curation.version;
    if (state.gold?.version === version) return;
    const fingerprint = this.#store
      .articles(project.id)
      .filter((a) => this.#store.curation.has(a.id))
      .map((a) => {
        const gold = this.#store.curation.gold(a.id);
        return `${a.id}:${gold.history.length}@${gold.updatedAt}`;
      })
      .join(',');
    if (state.gold && state.gold.fingerprint !== fingerprint) this.tagsChanged(project);
    state.gold = { version, fingerprint };
  }

  /** The project's suggestions for one sentence (above each suggester's threshold), before any annotator's choices. */
  forSentence(project: Project, codebook: Codebook, article: Article, index: number): Suggestion[] {
    const mode: SuggestionMode = project.suggestions?.mode ?? 'off';
    const names = suggestersOf(mode);
    if (names.length === 0) return [];
    const state = this.#state(project.id);
    const key = `${project.id}:${state.stamp}:${codebook.id}:${mode}:${article.id}:${index}`;
    const hit = this.#cache.get(key);
    if (hit) return hit;
    const suggesterKey = `${state.stamp}:${codebook.id}:${mode}`;
    if (state.suggesters?.key !== suggesterKey) state.suggesters = { key: suggesterKey, list: makeSuggesters(codebook, names, state.model) };
    const found = suggestSentence(article, index, state.suggesters.list);
    this.#cache.set(key, found);
    if (this.#cache.size > CACHED_SENTENCES) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    return found;
  }

  /** The project's current model (null until one is trained or read). */
  model(projectId: string): LearnedModel | null {
    return this.#projects.get(projectId)?.model ?? null;
  }

  /** The project's suggesters as pages use them (for the live quality report). */
  suggesters(project: Project, codebook: Codebook): Suggester[] {
    return makeSuggesters(codebook, suggestersOf(project.suggestions?.mode ?? 'off'), this.model(project.id));
  }

  /**
   * Tags changed in a project: retrain its learned model once the annotators pause (`delayMs`
   * without a change, or `maxWaitMs` after the first), in a worker thread. Never awaited by a request.
   */
  tagsChanged(project: Project, delayMs = this.options.delayMs): void {
    if (!suggestersOf(project.suggestions?.mode ?? 'off').includes('learned')) return;
    const state = this.#state(project.id);
    if (state.training) {
      state.again = true;
      return;
    }
    const now = Date.now();
    if (!state.timer) state.firstChange = now;
    else clearTimeout(state.timer);
    const wait = Math.max(0, Math.min(delayMs, state.firstChange + this.options.maxWaitMs - now));
    state.timer = setTimeout(() => this.#train(project.id), wait);
    state.timer.unref();
  }

  #train(projectId: string): void {
    const state = this.#state(projectId);
    state.timer = null;
    state.training = (async () => {
      const project = this.#store.project(projectId);
      if (!project || !suggestersOf(project.suggestions?.mode ?? 'off').includes('learned')) return;
      const codebook = this.#store.codebook(project.codebookId);
      if (!codebook) return;
      try {
        const trained = await trainProjectModel(this.#store, project, codebook);
        if (trained) this.#replace(state, trained.model);
      } catch (error) {
        this.options.log(`Retraining the suggestions of project ${projectId} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    })().finally(() => {
      state.training = null;
      if (state.again) {
        state.again = false;
        const project = this.#store.project(projectId);
        if (project) this.tagsChanged(project);
      }
    });
  }

  #replace(state: ProjectState, model: LearnedModel): void {
    state.model = model;
    state.stamp++;
    state.suggesters = null;
  }

  /** Runs any retraining that is waiting now and resolves when none is under way (tests, shutdown). */
  async settle(): Promise<void> {
    for (;;) {
      const pending = [...this.#projects.entries()];
      for (const [id, state] of pending) {
        if (state.timer) {
          clearTimeout(state.timer);
          this.#train(id);
        }
      }
      const running = pending.map(([, s]) => s.training).filter((p): p is Promise<void> => p !== null);
      if (running.length === 0) return;
      await Promise.allSettled(running);
    }
  }
}
