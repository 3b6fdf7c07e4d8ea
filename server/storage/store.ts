// The one module that knows where data lives under DATA_DIR. Every other part
// of the app asks the Store; nothing else touches the files.
//
// Layout (each file small, so a save rewrites little however large the study grows):
//   instance.json                      session secret
//   users.json, projects.json
//   sessions.log                       browser sessions, an append-only log (session-log.ts)
//   codebooks/<id>.json                uploaded codebooks
//   articles/<articleId>.json          one article with its sentences
//   stories/<projectId>.json           a project's stories and alignment edits (stories.ts)
//   tags/<articleId>.pack              every annotator's tags on one article, one entry each (tag-pack.ts)
//   journal/<n>.log                    tag saves not yet written to their pack (journal.ts)
//   gold/<articleId>.json              the article's gold standard, from curation (gold-files.ts)
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Annotation, Article, Codebook } from '../core/model.js';
import type { AppStore } from './app-store.js';
import { parseCodebook } from '../core/codebook.js';
import { RuleError } from '../core/spans.js';
import { annotatorsOf, assignBalanced } from '../core/access.js';
import { cleanStaleTempFiles, parseJSONBytes, readFileBytes, readJSONFile, removeDirDurably, removeFileDurably, writeDurably } from './durable-file.js';
import { FileSums } from './file-sums.js';
import { PackWriter, PackedShard, decodePack, encodePack, entryName, packPath, readPackEntry, readPackShared, shardOf, type PackContent } from './tag-pack.js';
import { Journal, journalSegments, readJournal, readJournalSync, type JournalOptions, type JournalRecord } from './journal.js';
import { JournalledFile, applyRecords } from './journalled-file.js';
import { annotationChanges, checkNotMoved } from './annotation-changes.js';
import { LoadProgress } from './progress.js';
import { deferredShard, openShard, openShardWith, readShard, type Shard } from './shard.js';
import { SessionLog } from './session-log.js';
import { GoldFiles } from './gold-files.js';
import { StoryStore } from './stories.js';
import {
  ID,
  parse,
  type AnnotationFile,
  type ArticleFile,
  type InstanceFile,
  type Project,
  type ProjectsFile,
  type UsersFile,
} from './schemas.js';

/** A record that does not exist (any more): the web layer answers 404. */
export class NotFoundError extends Error {
  readonly status = 404;
  readonly refusal = true;
}

/** The codebook a project gets when it names none. */
export const DEFAULT_CODEBOOK = 'framing';

/** A project's codebook is neither stored nor the default: the data folder is damaged. */
export class MissingCodebookError extends Error {}

/** The codebook a project (or activity) uses, found by `find`: the default one if its own is gone. */
export function projectCodebook(project: { codebookId: string }, find: (id: string) => Codebook | undefined): Codebook {
  const codebook = find(project.codebookId) ?? find(DEFAULT_CODEBOOK);
  if (!codebook) throw new MissingCodebookError(`Codebook "${project.codebookId}" is missing, and so is the default "${DEFAULT_CODEBOOK}".`);
  return codebook;
}

// Random bytes are drawn 4 KB at a time (as crypto.randomUUID does): a call per id costs more
// than the rest of making a tag.
let idPool = Buffer.alloc(0);
let idOffset = 0;

/**
 * A new random id: 9 bytes from the CSPRNG, 12 characters of base64url, never starting with `-`
 * (one id in 64 would, and a command line takes it for an option): such a draw is drawn again.
 */
export function newId(): string {
  for (;;) {
    if (idOffset + 9 > idPool.length) {
      idPool = randomBytes(4096);
      idOffset = 0;
    }
    const id = idPool.toString('base64url', idOffset, idOffset + 9);
    idOffset += 9;
    if (!id.startsWith('-')) return id;
  }
}

function checkId(value: string, what: string): string {
  if (!ID.test(value)) throw new Error(`invalid ${what} id`);
  return value;
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * Runs `task` over `items` with at most `limit` in flight (start-up reads thousands of shards),
 * letting the event loop turn every few milliseconds: the server answers ("starting …") meanwhile.
 */
async function eachLimited<T>(items: T[], limit: number, task: (item: T) => Promise<void>) {
  let next = 0;
  let turned = performance.now();
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++];
      if (item !== undefined) await task(item);
      if (performance.now() - turned > 10) {
        turned = performance.now();
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** A shard without journal records (shared: a start checks ~20,000 of them). */
const NO_RECORDS: readonly JournalRecord[] = [];

/** Throws unless a tag shard's content is the annotation its path (tags/<articleId>/<annotatorId>.json) says. */
function belongsTo(path: string, file: AnnotationFile, articleId: string, annotatorId: string): void {
  if (file.data.articleId !== articleId) throw new Error(`${path}: belongs to article ${file.data.articleId}, not ${articleId}`);
  if (file.data.annotatorId !== annotatorId) throw new Error(`${path}: belongs to annotator ${file.data.annotatorId}, not ${annotatorId}`);
}

/** One annotator's empty annotation of one article: a tag shard before its first save. */
function emptyAnnotation(articleId: string, annotatorId: string): AnnotationFile {
  return { schemaVersion: 1, data: { articleId, annotatorId, reviewed: [], tags: [], updatedAt: '' } };
}

/**
 * A tag shard's stored content by its journal name (tags/<articleId>/<annotatorId>.json): the
 * file's, in the layout before packs, else its entry in the article's pack; null when neither holds it.
 */
function readTagShard(dataDir: string, path: string): AnnotationFile | null {
  const inFile = readJSONFile(path, parse.annotation);
  const shard = shardOf(join(dataDir, 'tags'), path);
  if (inFile !== null || shard === null) return inFile;
  const pack = packPath(dataDir, shard.articleId);
  const bytes = readPackEntry(pack, shard.articleId, shard.annotatorId);
  return bytes === null ? null : parseJSONBytes(entryName(pack, shard.annotatorId), bytes, parse.annotation);
}

/**
 * Every file with records in the journal of `dataDir`, with the content the next start would read
 * for it (its records put over the file). For tools and tests; the journal holds tag shards only.
 */
export function journalledFiles(dataDir: string): Map<string, unknown> {
  const files = new Map<string, unknown>();
  for (const [path, records] of readJournalSync(dataDir).records) {
    files.set(path, applyRecords(annotationChanges, readTagShard(dataDir, path), records));
  }
  return files;
}

/**
 * Every tag shard in the packs of `dataDir` (not the journal's records for them), by the path a
 * shard file had in the layout before packs (tags/<articleId>/<annotatorId>.json), with its text.
 * For tools and tests.
 */
export function packedShards(dataDir: string): Map<string, string> {
  const shards = new Map<string, string>();
  const tagsDir = join(dataDir, 'tags');
  let names: string[];
  try {
    names = readdirSync(tagsDir);
  } catch {
    return shards;
  }
  for (const name of names) {
    const articleId = name.slice(0, -'.pack'.length);
    if (!name.endsWith('.pack') || !ID.test(articleId)) continue;
    const pack = join(tagsDir, name);
    const buffer = readPackShared(pack);
    if (buffer === null) continue;
    for (const entry of decodePack(pack, articleId, buffer)) {
      shards.set(join(tagsDir, articleId, `${entry.annotatorId}.json`), buffer.toString('utf8', entry.start, entry.start + entry.length));
    }
  }
  return shards;
}

export class Store implements AppStore {
  readonly dataDir: string;
  readonly instance: Shard<InstanceFile>;
  readonly users: Shard<UsersFile>;
  readonly projects: Shard<ProjectsFile>;
  readonly sessions: SessionLog;
  /** Stories: articles about one event, and their alignment edits (stories.ts). */
  readonly stories: StoryStore;
  readonly #articles = new Map<string, Shard<ArticleFile>>();
  readonly #annotations = new Map<string, Map<string, Shard<AnnotationFile>>>();
  readonly #codebooks = new Map<string, Codebook>();
  /** How many tags a tag shard not read since the start holds (it is read when first used). */
  readonly #unreadTags = new WeakMap<Shard<AnnotationFile>, number>();
  /** Goes up with every change to articles or tags, so derived reports can be cached. */
  #version = 0;
  /**
   * Resolves once every annotator's tags are loaded; rejects naming a corrupt file. Articles,
   * users and projects are loaded before `open` returns, tags after: the server answers sooner
   * and pages that need tags wait for this.
   */
  ready: Promise<void> = Promise.resolve();
  #tagsLoaded = false;
  #closed = false;
  /** Annotation saves under way, per article (an article is deleted only once they are done). */
  readonly #saving = new Map<string, Set<Promise<void>>>();
  /** Where tag saves go first (group commit); null for a read-only store. */
  readonly #journal: Journal | null;
  /** Each article's gold standard (curation); set in open(). */
  curation!: GoldFiles;
  /**
   * The checkpoint a start runs once the tags are loaded, when it put records left by a crash over
   * the shards (so that the journal does not grow from crash to crash); resolved otherwise.
   */
  afterReplay: Promise<void> = Promise.resolve();

  private constructor(
    dataDir: string,
    shards: {
      instance: Shard<InstanceFile>;
      users: Shard<UsersFile>;
      projects: Shard<ProjectsFile>;
      sessions: SessionLog;
    },
    journal: Journal | null,
  ) {
    this.dataDir = dataDir;
    this.#journal = journal;
    this.instance = shards.instance;
    this.users = shards.users;
    this.projects = shards.projects;
    this.sessions = shards.sessions;
    this.stories = new StoryStore(dataDir);
  }

  /**
   * Reads every file under `dataDir` once; a corrupt file rejects with its path in the message.
   * `readOnly` is for commands that only read while a server may be running: they leave the
   * server's temporary files alone and write nothing. `progress` follows the start.
   */
  static async open(
    dataDir: string,
    shippedCodebooks: Codebook[],
    options: { readOnly?: boolean; journal?: JournalOptions; progress?: LoadProgress } = {},
  ): Promise<Store> {
    const file = (name: string) => join(dataDir, name);
    const clean = options.readOnly ? async () => 0 : cleanStaleTempFiles;
    const progress = options.progress ?? new LoadProgress();
    await clean(dataDir);
    // A crash may have left saves in the journal only: they are put over the shards read below.
    const opened = options.readOnly ? null : await Journal.open(dataDir, { ...options.journal, writer: new PackWriter(resolve(dataDir, 'tags')) }, progress);
    const journal = opened?.journal ?? null;
    const store = new Store(dataDir, {
      instance: await openShard(file('instance.json'), parse.instance, () => ({
        schemaVersion: 1 as const,
        data: { sessionSecret: randomBytes(32).toString('hex'), createdAt: new Date().toISOString() },
      })),
      users: await openShard(file('users.json'), parse.users, () => ({
        schemaVersion: 1 as const,
        data: { users: [], setupTokenHash: null },
      })),
      projects: await openShard(file('projects.json'), parse.projects, () => ({
        schemaVersion: 1 as const,
        data: { projects: [] },
      })),
      sessions: await SessionLog.open(dataDir, { readOnly: options.readOnly }),
    }, journal);
    if (!store.instance.exists && !options.readOnly) await store.instance.update(() => {});
    for (const codebook of shippedCodebooks) store.#codebooks.set(codebook.id, codebook);
    await store.#loadCodebooks(clean);
    await store.#loadArticles(clean);
    store.curation = await GoldFiles.open(dataDir, clean, (id) => store.#articles.has(id), options.readOnly === true);
    await store.stories.load({ readOnly: options.readOnly });
    const loadTags = opened ? store.#loadTags(clean, opened.contents.records, progress) : store.#loadTagsBesideServer();
    store.ready = loadTags.then(() => {
      store.#tagsLoaded = true;
      progress.finish();
      if (journal && opened && opened.contents.segments.length > 0) {
        store.afterReplay = journal.checkpointNow();
        // Awaited by whoever cares (the server logs a failure); the journal stays until a later one.
        store.afterReplay.catch(() => {});
      }
      // Once the start is done (and the checkpoint after a replay, which reads the shards it writes).
      if (journal) void store.afterReplay.catch(() => {}).then(() => setImmediate(() => void store.#readInBackground()));
    });
    // Whoever opens the store awaits `ready` (or handles its failure); never an unhandled rejection.
    store.ready.catch(() => {});
    return store;
  }

  async #loadCodebooks(clean: (dir: string) => Promise<number>) {
    const dir = join(this.dataDir, 'codebooks');
    await clean(dir);
    for (const name of await listDir(dir)) {
      if (!name.endsWith('.json')) continue;
      const shard = await readShard(join(dir, name), parseCodebookFile);
      const { schemaVersion: _, ...codebook } = shard.data;
      this.#codebooks.set(codebook.id, codebook);
    }
  }

  async #loadArticles(clean: (dir: string) => Promise<number>) {
    const articlesDir = join(this.dataDir, 'articles');
    await clean(articlesDir);
    const names = (await listDir(articlesDir)).filter((n) => n.endsWith('.json'));
    await eachLimited(names, 32, async (name) => {
      const shard = await readShard(join(articlesDir, name), parse.article);
      this.#articles.set(shard.data.data.id, shard);
    });
  }

  /**
   * The tag shards, each with the journal's `records` for it (newer than the pack) put over it.
   * The records are taken out of `records` as they are used.
   */
  async #loadTags(
    clean: ((dir: string, listed?: string[]) => Promise<number>) | null,
    records: Map<string, JournalRecord[]>,
    progress: LoadProgress | null,
  ) {
    // Absolute, as the journal names files: the paths below need no path.resolve each.
    const tagsDir = resolve(this.dataDir, 'tags');
    // A deletion or a pack write interrupted by a crash leaves a folder renamed aside or a
    // temporary file: finish removing them.
    await clean?.(tagsDir);
    const packs = new Set<string>();
    // Folders of the layout before packs (tags/<articleId>/<annotatorId>.json).
    const folders = new Set<string>();
    for (const name of await listDir(tagsDir)) {
      if (name.endsWith('.pack')) {
        if (ID.test(name.slice(0, -'.pack'.length))) packs.add(name.slice(0, -'.pack'.length));
      } else if (ID.test(name)) {
        folders.add(name);
      }
    }
    for (const articleId of [...packs, ...folders]) {
      if (this.#articles.has(articleId)) continue;
      // The article was deleted, and a crash came before its tags were (or the journal brought
      // some back): they go with it.
      if (clean) {
        await removeFileDurably(join(tagsDir, `${articleId}.pack`));
        await removeDirDurably(join(tagsDir, articleId));
      }
      packs.delete(articleId);
      folders.delete(articleId);
    }
    if (this.#journal) {
      if (folders.size > 0) {
        // An older data folder: each article's shards are packed now, trusting the sums that
        // version kept of shards it had checked (file-sums.ts), checking the others in full.
        const sums = FileSums.read(this.dataDir);
        for (const articleId of folders) {
          await this.#pack(tagsDir, articleId, sums);
          packs.add(articleId);
        }
      }
      // Packs carry their own checksums: the sums of the layout before them are not needed.
      await removeFileDurably(join(this.dataDir, 'tags.sums'));
      await this.#checkPacks(tagsDir, packs, records, progress);
    } else {
      await this.#readTagsOnly(tagsDir, packs, folders, records, progress);
    }
    // Shards that exist in the journal only (created since the last checkpoint).
    for (const [path, own] of records) await this.#overlay(path, own);
  }

  /**
   * Writes the pack of an article from its folder of the layout before packs, durably, then
   * removes the folder. A crash in between leaves both: the folder wins, and is packed again.
   */
  async #pack(tagsDir: string, articleId: string, sums: FileSums): Promise<void> {
    const dir = join(tagsDir, articleId);
    const listed = await listDir(dir);
    await cleanStaleTempFiles(dir, listed);
    const contents: PackContent[] = [];
    for (const name of listed) {
      if (!name.endsWith('.json')) continue;
      const path = join(dir, name);
      const annotatorId = name.slice(0, -'.json'.length);
      const bytes = readFileBytes(path);
      if (bytes === null) continue;
      let count = ID.test(annotatorId) ? sums.check(path, bytes) : null;
      if (count === null) {
        const data = parseJSONBytes(path, bytes, parse.annotation);
        belongsTo(path, data, articleId, annotatorId);
        count = annotationChanges.count(data);
      }
      contents.push({ annotatorId, bytes, count });
    }
    contents.sort((x, y) => (x.annotatorId < y.annotatorId ? -1 : x.annotatorId > y.annotatorId ? 1 : 0));
    await writeDurably(join(tagsDir, `${articleId}.pack`), encodePack(articleId, contents));
    await removeDirDurably(dir);
  }

  /**
   * A start of the server: each pack read once and checked (its checksums; see tag-pack.ts), its
   * shards kept on disk until first used, with their tag counts. Synchronous: one loop, turning the
   * event loop every few milliseconds (the server answers "starting …" meanwhile).
   */
  async #checkPacks(tagsDir: string, packs: Set<string>, records: Map<string, JournalRecord[]>, progress: LoadProgress | null) {
    progress?.tagFiles(packs.size);
    let turned = performance.now();
    for (const articleId of packs) {
      const pack = join(tagsDir, `${articleId}.pack`);
      const buffer = readPackShared(pack);
      const dir = `${tagsDir}${sep}${articleId}${sep}`;
      for (const entry of buffer === null ? [] : decodePack(pack, articleId, buffer)) {
        const path = dir + entry.annotatorId + '.json'; // the journal's name for the shard
        const own = records.get(path);
        if (own) records.delete(path);
        this.#checkAnnotationShard(path, articleId, entry.annotatorId, own ?? NO_RECORDS, new PackedShard(pack, articleId, entry.annotatorId, entry.count));
      }
      progress?.tagFileLoaded();
      if (performance.now() - turned > 10) {
        await new Promise((resolve) => setImmediate(resolve));
        turned = performance.now();
      }
    }
  }

  /**
   * A read-only store (beside a running server, or on a folder no server has opened since an older
   * version): packs, and folders of the layout before packs, which win over a pack of the same
   * article (an upgrade cut short by a crash), as at the server's start. Nothing is written.
   */
  async #readTagsOnly(tagsDir: string, packs: Set<string>, folders: Set<string>, records: Map<string, JournalRecord[]>, progress: LoadProgress | null) {
    const listed: { articleId: string; annotatorId: string; path: string; content?: AnnotationFile }[] = [];
    for (const articleId of folders) {
      const dir = join(tagsDir, articleId);
      const names = (await listDir(dir)).filter((name) => name.endsWith('.json'));
      // Gone since the listing (a server's start packed it meanwhile): its pack is read instead.
      if (names.length === 0) folders.delete(articleId);
      for (const name of names) listed.push({ articleId, annotatorId: name.slice(0, -'.json'.length), path: join(dir, name) });
    }
    for (const articleId of packs) {
      if (folders.has(articleId)) continue;
      const pack = join(tagsDir, `${articleId}.pack`);
      const buffer = readPackShared(pack);
      if (buffer === null) continue;
      for (const entry of decodePack(pack, articleId, buffer)) {
        const name = entryName(pack, entry.annotatorId);
        const content = parseJSONBytes(name, buffer.subarray(entry.start, entry.start + entry.length), parse.annotation);
        belongsTo(name, content, articleId, entry.annotatorId);
        listed.push({ articleId, annotatorId: entry.annotatorId, path: join(tagsDir, articleId, `${entry.annotatorId}.json`), content });
      }
    }
    progress?.tagFiles(listed.length);
    await eachLimited(listed, 32, async ({ articleId, annotatorId, path, content }) => {
      const own = records.get(path);
      records.delete(path);
      const options = content ? { records: own ?? [], content } : { records: own ?? [] };
      this.#addAnnotationShard(articleId, path, await this.#openAnnotationShard(path, articleId, annotatorId, options));
      progress?.tagFileLoaded();
    });
  }

  #openAnnotationShard(
    path: string,
    articleId: string,
    annotatorId: string,
    options: { records?: readonly JournalRecord[]; content?: AnnotationFile | null } = {},
  ): Promise<Shard<AnnotationFile>> {
    // The server's shards live in their article's pack; a read-only store's are given or read from their files.
    const source = this.#journal ? { source: new PackedShard(packPath(resolve(this.dataDir), articleId), articleId, annotatorId, null) } : {};
    const file = new JournalledFile(path, annotationChanges, this.#journal, { ...source, ...options });
    return openShardWith(file, () => emptyAnnotation(articleId, annotatorId));
  }

  /**
   * A tag shard the server reads at start: checked now (with the journal's records for it), and
   * kept on disk until it is first used (see deferredShard); only its tag count is kept.
   */
  #checkAnnotationShard(path: string, articleId: string, annotatorId: string, records: readonly JournalRecord[], source: PackedShard): void {
    const file = new JournalledFile(path, annotationChanges, this.#journal, { records, source });
    // Called on every content the check parses; a pack's entry was found to belong here when the
    // server wrote it.
    const count = file.check((data) => belongsTo(path, data, articleId, annotatorId));
    if (count === null) return; // deleted since it was listed
    const shard = deferredShard(file);
    this.#annotationsOf(articleId).set(annotatorId, shard);
    this.#unreadTags.set(shard, count);
  }

  #addAnnotationShard(articleId: string, path: string, shard: Shard<AnnotationFile>): void {
    const data = shard.data;
    if (data.data.articleId !== articleId) {
      throw new Error(`${path}: belongs to article ${data.data.articleId}, not ${articleId}`);
    }
    this.#annotationsOf(articleId).set(data.data.annotatorId, shard);
  }

  /**
   * A read-only store beside a running server: the latest tags may be in the server's journal
   * only. The journal is read after the shards (a record is never older than the file it is put
   * over); shards read while a checkpoint deletes segments may miss a save that was in the
   * journal before and in its shard only after the read, so then it reads again.
   */
  async #loadTagsBesideServer(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const before = journalSegments(this.dataDir);
      this.#annotations.clear();
      await this.#loadTags(null, new Map(), null);
      const journal = await readJournal(this.dataDir);
      if (before.every((segment) => journal.segments.includes(segment))) {
        try {
          for (const [path, records] of journal.records) await this.#overlay(path, records);
          return;
        } catch (error) {
          // Records that do not fit the shards read: a checkpoint came in between (segments
          // created and deleted while the shards were read); read again. Otherwise, damage.
          const now = journalSegments(this.dataDir);
          if (now.length === journal.segments.length && now.every((segment, i) => segment === journal.segments[i])) throw error;
        }
      }
      if (attempt === 5) throw new Error(`${join(this.dataDir, 'journal')}: the running server kept checkpointing while the tags were read; try again`);
    }
  }

  /**
   * Puts journalled records over the annotation read from its file (or over none). The journal
   * forgets records for what is no tag shard of an existing article (deleted before a crash).
   */
  async #overlay(path: string, records: JournalRecord[]): Promise<void> {
    const shard = shardOf(join(this.dataDir, 'tags'), path);
    if (shard === null || !this.#articles.has(shard.articleId)) {
      await this.#journal?.forget(path);
      return;
    }
    const read = this.#annotations.get(shard.articleId)?.get(shard.annotatorId);
    const opened = await this.#openAnnotationShard(path, shard.articleId, shard.annotatorId, { records, content: read?.data ?? null });
    this.#addAnnotationShard(shard.articleId, path, opened);
  }

  /** Writes every journalled save to its shard file (the journal does this by itself, too). */
  async checkpoint(): Promise<void> {
    await this.#journal?.checkpoint();
  }

  /** Writes what the journal holds to the shards and refuses further tag saves. */
  /**
   * Reads into memory, a few milliseconds at a time, the tag shards a start checked but did not
   * keep: the first pages and saves after a start then do not each pay for reading their
   * article's shards (20 annotators' each, for a page). Requests are answered in between.
   */
  async #readInBackground(): Promise<void> {
    let turned = performance.now();
    for (const byAnnotator of this.#annotations.values()) {
      for (const shard of byAnnotator.values()) {
        if (this.#closed) return;
        if (!shard.loaded) {
          try {
            void shard.data; // read on first use: this is its first use
          } catch {
            // A shard that cannot be read again fails the request that needs it, which says why.
          }
        }
        if (performance.now() - turned > 4) {
          await new Promise((resolve) => setImmediate(resolve));
          turned = performance.now();
        }
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.sessions.close();
    await this.#journal?.close();
  }

  get version(): number {
    return this.#version;
  }

  // Projects

  project(id: string): Project | undefined {
    return this.projects.data.data.projects.find((p) => p.id === id);
  }

  /**
   * Changes one project and resolves once it is on disk. The project is looked up inside the
   * change, so a handler never edits a copy that a failed save has replaced.
   */
  async updateProject(id: string, change: (project: Project) => void): Promise<void> {
    await this.projects.update((file) => {
      const project = file.data.projects.find((p) => p.id === id);
      if (!project) throw new NotFoundError('That project no longer exists.');
      change(project);
      this.#rebalance(project);
    });
  }

  /**
   * Balanced assignment stays current as articles and annotators come and go: each article keeps
   * its annotators and gets more from those with the fewest articles. Deleted articles drop out.
   */
  #rebalance(project: Project): void {
    rebalance(project, () => this.articles(project.id).map((a) => a.id));
  }

  // Codebooks

  codebook(id: string): Codebook | undefined {
    return this.#codebooks.get(id);
  }

  codebooks(): Codebook[] {
    return [...this.#codebooks.values()];
  }

  /** The codebook a project (or activity) uses; the default one if its own is gone. */
  codebookOf(project: { codebookId: string }): Codebook {
    return projectCodebook(project, (id) => this.#codebooks.get(id));
  }

  /** Stores a new codebook; an id already in use is refused (codebooks are never overwritten). */
  async saveCodebook(codebook: Codebook): Promise<void> {
    checkId(codebook.id, 'codebook');
    if (this.#codebooks.has(codebook.id)) throw new RuleError(`A codebook with the id "${codebook.id}" exists already; choose another id.`);
    // Claimed before the write, so a second upload with the same id arriving meanwhile is refused.
    this.#codebooks.set(codebook.id, codebook);
    try {
      const path = join(this.dataDir, 'codebooks', `${codebook.id}.json`);
      const shard = await openShard(path, parseCodebookFile, () => ({ schemaVersion: 1 as const, ...codebook }));
      await shard.update(() => {});
    } catch (error) {
      this.#codebooks.delete(codebook.id);
      throw error;
    }
  }

  // Articles

  article(id: string): Article | undefined {
    return this.#articles.get(id)?.data.data;
  }

  articles(projectId?: string): Article[] {
    const all = [...this.#articles.values()].map((s) => s.data.data);
    const chosen = projectId === undefined ? all : all.filter((a) => a.projectId === projectId);
    return chosen.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async createArticle(article: Article): Promise<void> {
    checkId(article.id, 'article');
    if (this.#articles.has(article.id)) throw new RuleError(`An article with the id "${article.id}" exists already.`);
    const path = join(this.dataDir, 'articles', `${article.id}.json`);
    const shard = await openShard(path, parse.article, () => ({ schemaVersion: 1 as const, data: article }));
    await shard.update(() => {});
    this.#articles.set(article.id, shard);
    this.#version++;
  }

  /** Changes an article's metadata (title, outlet, URL, date); its text and sentences never change. */
  async updateArticleMetadata(id: string, metadata: Pick<Article, 'title' | 'source' | 'url' | 'publishedAt'>): Promise<void> {
    const shard = this.#articles.get(checkId(id, 'article'));
    if (!shard) throw new NotFoundError('That article no longer exists.');
    await shard.update((file) => {
      Object.assign(file.data, { title: metadata.title, source: metadata.source, url: metadata.url, publishedAt: metadata.publishedAt });
    });
    this.#version++;
  }

  /** Removes the article, every annotator's tags on it, and its place in a story. */
  async removeArticle(id: string): Promise<void> {
    checkId(id, 'article');
    const projectId = this.#articles.get(id)?.data.data.projectId;
    if (projectId !== undefined) await this.stories.forgetArticle(projectId, id);
    // Refuse new saves first, then let saves already under way finish, so none recreates the folder.
    this.#articles.delete(id);
    this.#version++;
    await this.ready;
    await Promise.allSettled([...(this.#saving.get(id) ?? [])]);
    // The article first: if a crash comes before its tags are gone, the next start removes them.
    await removeFileDurably(join(this.dataDir, 'articles', `${id}.json`));
    const tagsDir = join(this.dataDir, 'tags', id);
    await this.#journal?.forget(tagsDir);
    await removeFileDurably(packPath(this.dataDir, id));
    // A folder of the layout before packs, if a crash came before a start packed it.
    await removeDirDurably(tagsDir);
    this.#annotations.delete(id);
    await this.curation.remove(id);
  }

  // Annotations: one annotator's tags and reviewed sentences on one article

  /** Reading tags before they are loaded would show empty work as if it were lost: fail loudly. */
  #checkLoaded(): void {
    if (!this.#tagsLoaded) throw new Error('Tags are still loading; await store.ready first.');
  }

  #annotationsOf(articleId: string): Map<string, Shard<AnnotationFile>> {
    let byAnnotator = this.#annotations.get(articleId);
    if (!byAnnotator) {
      byAnnotator = new Map();
      this.#annotations.set(articleId, byAnnotator);
    }
    return byAnnotator;
  }

  annotation(articleId: string, annotatorId: string): Annotation {
    this.#checkLoaded();
    return (
      this.#annotations.get(articleId)?.get(annotatorId)?.data.data ?? {
        articleId,
        annotatorId,
        reviewed: [],
        tags: [],
        updatedAt: '',
      }
    );
  }

  /** How many tags are stored, over every article and annotator. */
  tagCount(): number {
    this.#checkLoaded();
    let count = 0;
    for (const byAnnotator of this.#annotations.values()) {
      for (const shard of byAnnotator.values()) count += (shard.loaded ? undefined : this.#unreadTags.get(shard)) ?? shard.data.data.tags.length;
    }
    return count;
  }

  /** Every annotator's annotation of one article. */
  annotations(articleId: string): Annotation[] {
    this.#checkLoaded();
    return [...(this.#annotations.get(articleId)?.values() ?? [])].map((s) => s.data.data);
  }

  /** One process owns the folder: nothing was changed elsewhere. */
  async refresh(): Promise<void> {}

  /**
   * A new set-up link's token while no account administers the others (null once one does); the
   * links made before stop working. The folder keeps only the token's hash, and one server holds
   * it, so there is no shared token to give again: `fresh` or not, the token is new.
   */
  async setupToken(_fresh: boolean): Promise<string | null> {
    if (this.users.data.data.users.some((u) => u.admin === true)) return null;
    const token = randomBytes(24).toString('base64url');
    await this.users.update((file) => {
      file.data.setupTokenHash = createHash('sha256').update(token).digest('hex');
    });
    return token;
  }

  // The asynchronous reads of tags (AppStore): from memory, without a copy, once tags are loaded.

  async readAnnotation(articleId: string, annotatorId: string): Promise<Annotation> {
    await this.ready;
    return this.annotation(articleId, annotatorId);
  }

  async readAnnotations(articleId: string): Promise<Annotation[]> {
    await this.ready;
    return this.annotations(articleId);
  }

  async readAnnotationsBy(annotatorId: string, articleIds: readonly string[]): Promise<Annotation[]> {
    await this.ready;
    return articleIds.map((articleId) => this.annotation(articleId, annotatorId));
  }

  async *eachAnnotation(articleIds: readonly string[]): AsyncIterable<Annotation> {
    await this.ready;
    for (const articleId of articleIds) {
      const annotations = this.annotations(articleId).sort((x, y) => (x.annotatorId < y.annotatorId ? -1 : x.annotatorId > y.annotatorId ? 1 : 0));
      yield* annotations;
    }
  }

  async countTags(): Promise<number> {
    await this.ready;
    return this.tagCount();
  }

  /**
   * Applies a synchronous change to one annotator's annotation and resolves once it is on disk.
   * `change` may throw (for example, a refused duplicate) and then nothing is stored.
   */
  async updateAnnotation(
    articleId: string,
    annotatorId: string,
    change: (annotation: Annotation) => void,
  ): Promise<void> {
    await this.#update(articleId, annotatorId, change);
  }

  /**
   * Stores an annotation exactly as given, updatedAt included (`framelens migrate` copies a study
   * into a new data folder with it); replaces what the annotator had on that article.
   */
  async putAnnotation(annotation: Annotation): Promise<void> {
    const { articleId, annotatorId } = annotation;
    const change = (stored: Annotation) => {
      stored.tags = annotation.tags.map((tag) => ({ ...tag }));
      stored.reviewed = annotation.reviewed.slice();
      if (annotation.rejected) stored.rejected = annotation.rejected.map((r) => ({ ...r }));
    };
    await this.#update(articleId, annotatorId, change, annotation.updatedAt);
  }

  /** `at`: the updatedAt to store (now when not given). */
  async #update(articleId: string, annotatorId: string, change: (annotation: Annotation) => void, at?: string): Promise<void> {
    checkId(articleId, 'article');
    checkId(annotatorId, 'annotator');
    await this.ready;
    if (!this.#articles.has(articleId)) throw new NotFoundError('That article no longer exists.');
    const saving = this.#saving.get(articleId) ?? new Set<Promise<void>>();
    this.#saving.set(articleId, saving);
    const save = this.#saveAnnotation(articleId, annotatorId, change, at);
    saving.add(save);
    try {
      await save;
    } finally {
      saving.delete(save);
      if (saving.size === 0) this.#saving.delete(articleId);
    }
  }

  async #saveAnnotation(articleId: string, annotatorId: string, change: (annotation: Annotation) => void, at?: string): Promise<void> {
    const byAnnotator = this.#annotationsOf(articleId);
    let shard = byAnnotator.get(annotatorId);
    if (!shard) {
      const path = join(this.dataDir, 'tags', articleId, `${annotatorId}.json`);
      shard = await this.#openAnnotationShard(path, articleId, annotatorId);
      // Another request may have opened it while we awaited: keep the first.
      shard = byAnnotator.get(annotatorId) ?? shard;
      byAnnotator.set(annotatorId, shard);
    }
    await shard.update((file) => {
      change(file.data);
      checkNotMoved(articleId, annotatorId, file.data);
      file.data.updatedAt = at ?? new Date().toISOString();
      // Checked before it is journalled (a throw here undoes the change): a record the next start
      // cannot read would stop that start.
      file.data = parse.annotation(file).data;
    });
    this.#version++;
  }
}

/**
 * Keeps a balanced assignment current (`articleIds`: the project's articles, in order): each
 * article keeps its annotators and gets more from those with the fewest; deleted ones drop out.
 */
export function rebalance(project: Project, articleIds: () => string[]): void {
  if (project.assignment.mode !== 'balanced') return;
  const ids = articleIds();
  const current = new Set(ids);
  const existing = Object.fromEntries(Object.entries(project.assignment.assigned).filter(([id]) => current.has(id)));
  project.assignment.assigned = assignBalanced(ids, annotatorsOf(project), project.assignment.perArticle, existing);
}

/** An uploaded codebook is stored as the same JSON a researcher uploads (schemaVersion included). */
type CodebookFile = Codebook & { schemaVersion: 1 };

function parseCodebookFile(d: unknown): CodebookFile {
  return { schemaVersion: 1, ...parseCodebook(d) };
}
