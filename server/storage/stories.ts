// Stories: the articles of a project that tell one event, and researchers' edits to their
// sentence alignment. One file per project, DATA_DIR/stories/<projectId>.json, so that a
// project's stories are saved together and one rule — an article belongs to at most one
// story — is checked inside a single update.
//
// Only the edits are stored, never the aligner's output (core/stories/edits.ts says why): the
// alignment is recomputed from the articles and the edits are merged over it.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { LinkEdit } from '../core/stories/edits.js';
import { cleanStaleTempFiles } from './durable-file.js';
import { openShard, type Shard } from './shard.js';
import { ID, versioned } from './schemas.js';
import { RuleError } from '../core/spans.js';
import type { StoryCollection } from './app-store.js';

/** A refused change the user can act on (an article already in another story, a story gone). */
export class StoryError extends RuleError {}

export const MAX_STORY_ARTICLES = 50;
export const MAX_LINK_EDITS = 20_000;

const id = z.string().regex(ID);
const isoTime = z.string().max(40);
const anchor = z.strictObject({ article: id, start: z.number().int().min(0) });
const edit = z.strictObject({
  action: z.enum(['add', 'remove']),
  a: anchor,
  b: anchor,
  by: id,
  at: isoTime,
}) satisfies z.ZodType<LinkEdit>;

/**
 * A reference annotation of a story's article, shown where no curated gold exists: the shipped
 * demo story carries one per article (a teacher's or researcher's "answer"), with its rationale.
 */
const referenceTag = z.strictObject({
  article: id,
  sentence: z.number().int().min(0),
  start: z.number().int().min(0),
  end: z.number().int().min(0),
  category: z.string().max(64),
  rationale: z.string().max(2000),
});
export type ReferenceTag = z.infer<typeof referenceTag>;

const story = z.strictObject({
  id,
  projectId: id,
  title: z.string().min(1).max(300),
  /** Shown under the title: where the articles come from (for a constructed example, that it is one). */
  note: z.string().max(2000),
  /** The story's articles in column order; the first is the pivot the view reads in. */
  articles: z.array(id).max(MAX_STORY_ARTICLES),
  edits: z.array(edit).max(MAX_LINK_EDITS),
  reference: z.array(referenceTag).max(5000).default([]),
  createdAt: isoTime,
  createdBy: id,
});
export type Story = z.infer<typeof story>;
/** A story read from elsewhere than its file (PostgreSQL), held to the file's rules. */
export const parseStory = (d: unknown): Story => story.parse(d);
export type NewStory = z.input<typeof story>;

const storiesFile = versioned(z.strictObject({ stories: z.array(story) }));
type StoriesFile = z.infer<typeof storiesFile>;

function checkId(value: string, what: string): string {
  if (!ID.test(value)) throw new Error(`invalid ${what} id`);
  return value;
}

/** The project's stories, opened on first use and kept in memory. */
export class StoryStore implements StoryCollection {
  /** DATA_DIR/stories */
  readonly dir: string;
  readonly #files = new Map<string, Shard<StoriesFile>>();
  readonly #opening = new Map<string, Promise<Shard<StoriesFile>>>();
  /** Goes up with every change, so derived alignments can be cached. */
  #version = 0;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'stories');
  }

  get version(): number {
    return this.#version;
  }

  /** Opens every project's file (at start-up, so that pages read stories synchronously). */
  async load(options: { readOnly?: boolean } = {}): Promise<void> {
    if (!options.readOnly) await cleanStaleTempFiles(this.dir);
    let names: string[] = [];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
    }
    for (const name of names) {
      const projectId = name.endsWith('.json') ? name.slice(0, -5) : '';
      if (ID.test(projectId)) await this.#file(projectId);
    }
  }

  #file(projectId: string): Promise<Shard<StoriesFile>> {
    checkId(projectId, 'project');
    const open = this.#files.get(projectId);
    if (open) return Promise.resolve(open);
    let opening = this.#opening.get(projectId);
    if (!opening) {
      opening = openShard(join(this.dir, `${projectId}.json`), (d) => storiesFile.parse(d), () => ({ schemaVersion: 1 as const, data: { stories: [] } })).then((shard) => {
        this.#files.set(projectId, shard);
        this.#opening.delete(projectId);
        return shard;
      });
      this.#opening.set(projectId, opening);
    }
    return opening;
  }

  /** The project's stories, oldest first (none if its file was never opened: it has none). */
  list(projectId: string): Story[] {
    return this.#files.get(projectId)?.data.data.stories ?? [];
  }

  story(projectId: string, storyId: string): Story | undefined {
    return this.list(projectId).find((s) => s.id === storyId);
  }

  /** The story holding an article, if any. */
  storyOf(projectId: string, articleId: string): Story | undefined {
    return this.list(projectId).find((s) => s.articles.includes(articleId));
  }

  /** Stores a new story; refuses articles that are already in another story. */
  async create(value: NewStory): Promise<void> {
    const parsed = story.parse(value);
    const shard = await this.#file(parsed.projectId);
    await shard.update((file) => storyChanges.create(file.data.stories, parsed));
    this.#version++;
  }

  /**
   * Changes one story and resolves once it is on disk. The story is looked up inside the change,
   * and the result is checked against the schema and the one-story-per-article rule.
   */
  async update(projectId: string, storyId: string, change: (story: Story) => void): Promise<void> {
    const shard = await this.#file(projectId);
    await shard.update((file) => storyChanges.update(file.data.stories, storyId, change));
    this.#version++;
  }

  async remove(projectId: string, storyId: string): Promise<void> {
    const shard = await this.#file(projectId);
    await shard.update((file) => {
      file.data.stories = file.data.stories.filter((s) => s.id !== storyId);
    });
    this.#version++;
  }

  /** An article was deleted: it leaves its story, and edits naming it go with it. */
  async forgetArticle(projectId: string, articleId: string): Promise<void> {
    if (!this.storyOf(projectId, articleId)) return;
    const shard = await this.#file(projectId);
    await shard.update((file) => storyChanges.forgetArticle(file.data.stories, articleId));
    this.#version++;
  }
}

/** The changes to a project's list of stories, whichever backend keeps it: each may throw, and then nothing is stored. */
export const storyChanges = {
  create(stories: Story[], parsed: Story): void {
    if (stories.some((s) => s.id === parsed.id)) throw new Error('story id in use');
    checkArticlesFree(stories, parsed);
    stories.push(parsed);
  },
  /** The story is looked up inside the change, and the result checked against the schema and the one-story-per-article rule. */
  update(stories: Story[], storyId: string, change: (story: Story) => void): void {
    const found = stories.find((s) => s.id === storyId);
    if (!found) throw new StoryError('That story no longer exists.');
    change(found);
    story.parse(found);
    if (new Set(found.articles).size !== found.articles.length) throw new StoryError('An article appears twice in the story.');
    checkArticlesFree(stories.filter((s) => s !== found), found);
  },
  /** An article was deleted: it leaves its story, and edits naming it go with it. */
  forgetArticle(stories: Story[], articleId: string): void {
    for (const s of stories) {
      s.articles = s.articles.filter((a) => a !== articleId);
      s.edits = s.edits.filter((e) => e.a.article !== articleId && e.b.article !== articleId);
      s.reference = s.reference.filter((t) => t.article !== articleId);
    }
  },
};

function checkArticlesFree(others: readonly Story[], story: Story): void {
  for (const other of others) {
    const shared = story.articles.find((a) => other.articles.includes(a));
    if (shared !== undefined) throw new StoryError(`An article can belong to one story only; one of these is already in “${other.title}”.`);
  }
}
