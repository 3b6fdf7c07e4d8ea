// Stories in PostgreSQL (StoryCollection), one row per story, kept in memory per server and
// brought up to date by refresh() (migration 005's counters). A change to a project's stories
// locks them all (and, for a first story, the project's advisory lock), applies the same rules as
// the JSON folder (storyChanges) to the project's list, and writes back the rows that changed.
import type pg from 'pg';
import type { StoryCollection } from '../app-store.js';
import { parseStory, storyChanges, type NewStory, type Story } from '../stories.js';
import { NOT_SEEN, Refresh, moved, readCounters, type Seen } from './changes.js';

const TABLES = ['stories'] as const;

type Transaction = <T>(work: (client: pg.PoolClient) => Promise<T>, mode?: string) => Promise<T>;

export class PostgresStories implements StoryCollection {
  readonly #pool: pg.Pool;
  readonly #transaction: Transaction;
  /** Per project: its stories by id, with their positions (creation order). */
  readonly #projects = new Map<string, Map<string, { position: number; story: Story }>>();
  #seen: Seen = NOT_SEEN;
  readonly #refresh = new Refresh(() => this.#read());

  private constructor(pool: pg.Pool, transaction: Transaction) {
    this.#pool = pool;
    this.#transaction = transaction;
  }

  static async open(store: { pool: pg.Pool; transaction: Transaction }): Promise<PostgresStories> {
    const stories = new PostgresStories(store.pool, (work, mode) => store.transaction(work, mode));
    await stories.refresh();
    return stories;
  }

  /** The stories counter: it follows every change, from any server, as of the last refresh. */
  get version(): number {
    return this.#seen.version;
  }

  /** Brings the stories up to date with every change committed before this call (see changes.ts). */
  refresh(): Promise<void> {
    return this.#refresh.run();
  }

  /** As refresh(), given the counters just read by the caller: nothing to do when they did not move. */
  async refreshIfMoved(now: Partial<Record<string, Seen>>): Promise<void> {
    if (moved(TABLES, { stories: this.#seen }, now)) await this.refresh();
  }

  async #read(): Promise<void> {
    const now = await readCounters(this.#pool, TABLES);
    if (now.stories.version === this.#seen.version) return;
    await this.#transaction(async (client) => {
      const { stories: counters } = await readCounters(client, TABLES);
      if (counters.deletions !== this.#seen.deletions) {
        const { rows } = await client.query<{ project_id: string; id: string }>('SELECT project_id, id FROM stories');
        const kept = new Set(rows.map((r) => `${r.project_id}/${r.id}`));
        for (const [projectId, stories] of this.#projects) for (const id of [...stories.keys()]) if (!kept.has(`${projectId}/${id}`)) stories.delete(id);
      }
      const { rows } = await client.query<{ position: number; doc: unknown }>('SELECT position::float8 AS position, doc FROM stories WHERE changed > $1', [this.#seen.version]);
      for (const row of rows) this.#put(row.position, parseStory(row.doc));
      this.#seen = counters;
    }, 'ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  #put(position: number, story: Story): void {
    let stories = this.#projects.get(story.projectId);
    if (!stories) this.#projects.set(story.projectId, (stories = new Map()));
    stories.set(story.id, { position, story });
  }

  list(projectId: string): Story[] {
    return [...(this.#projects.get(projectId)?.values() ?? [])].sort((a, b) => a.position - b.position).map((s) => s.story);
  }

  story(projectId: string, storyId: string): Story | undefined {
    return this.#projects.get(projectId)?.get(storyId)?.story;
  }

  storyOf(projectId: string, articleId: string): Story | undefined {
    return this.list(projectId).find((s) => s.articles.includes(articleId));
  }

  async create(value: NewStory): Promise<void> {
    const parsed = parseStory(value);
    await this.#change(parsed.projectId, (stories) => storyChanges.create(stories, parsed));
  }

  async update(projectId: string, storyId: string, change: (story: Story) => void): Promise<void> {
    await this.#change(projectId, (stories) => storyChanges.update(stories, storyId, change));
  }

  async remove(projectId: string, storyId: string): Promise<void> {
    await this.#change(projectId, (stories) => {
      stories.splice(0, stories.length, ...stories.filter((s) => s.id !== storyId));
    });
  }

  async forgetArticle(projectId: string, articleId: string): Promise<void> {
    if (!this.storyOf(projectId, articleId)) return;
    await this.#change(projectId, (stories) => storyChanges.forgetArticle(stories, articleId));
  }

  /** Applies `change` to the project's stories as stored now, alone among changes to them on every server, and writes what changed. */
  async #change(projectId: string, change: (stories: Story[]) => void): Promise<void> {
    const written = await this.#transaction(async (client) => {
      // A project with no story has no row to lock: the project's own lock orders first stories.
      await client.query("SELECT pg_advisory_xact_lock(hashtext('framelens stories ' || $1))", [projectId]);
      const { rows } = await client.query<{ doc: unknown }>(
        'SELECT doc FROM stories WHERE project_id = $1 ORDER BY position FOR UPDATE',
        [projectId],
      );
      const stories = rows.map((r) => parseStory(r.doc));
      const old = new Map(stories.map((s) => [s.id, JSON.stringify(s)]));
      change(stories);
      const kept = new Set(stories.map((s) => s.id));
      const gone = [...old.keys()].filter((id) => !kept.has(id));
      if (gone.length > 0) await client.query('DELETE FROM stories WHERE project_id = $1 AND id = ANY($2::text[])', [projectId, gone]);
      const out: { position: number; story: Story }[] = [];
      for (const story of stories) {
        const checked = parseStory(story);
        const doc = JSON.stringify(checked);
        if (old.get(checked.id) === doc) continue;
        const { rows: saved } = await client.query<{ position: number }>(
          `INSERT INTO stories (project_id, id, doc) VALUES ($1, $2, $3)
           ON CONFLICT (project_id, id) DO UPDATE SET doc = excluded.doc RETURNING position::float8 AS position`,
          [projectId, checked.id, doc],
        );
        out.push({ position: saved[0]?.position ?? 0, story: checked });
      }
      return { gone, out };
    });
    const stories = this.#projects.get(projectId);
    for (const id of written.gone) stories?.delete(id);
    for (const { position, story } of written.out) this.#put(position, story);
  }
}
