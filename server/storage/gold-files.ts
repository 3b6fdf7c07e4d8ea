// The gold standard of each article, one file per article: gold/<articleId>.json, written
// durably like every shard. Only the Store uses this module (store.curation).
import { join } from 'node:path';
import { readdir } from 'node:fs/promises';
import { emptyGold, replacementBy, type Gold } from '../core/curation/gold.js';
import { goldFileOf, parseGoldFile, type GoldFile } from '../core/curation/schema.js';
import { removeFileDurably } from './durable-file.js';
import { openShard, readShard, type Shard } from './shard.js';
import { ID } from './schemas.js';
import type { GoldCollection } from './app-store.js';

const parse = (d: unknown): GoldFile => goldFileOf(parseGoldFile(d));

export class GoldFiles implements GoldCollection {
  readonly #dir: string;
  readonly #shards = new Map<string, Shard<GoldFile>>();
  /** Goes up with every change to gold, so derived reports can be cached. */
  #version = 0;

  private constructor(dir: string) {
    this.#dir = dir;
  }

  /** Reads every gold file; one of an article that is gone (a crash during its removal) is removed. */
  static async open(dataDir: string, clean: (dir: string) => Promise<number>, articleExists: (id: string) => boolean, readOnly: boolean): Promise<GoldFiles> {
    const files = new GoldFiles(join(dataDir, 'gold'));
    await clean(files.#dir);
    let names: string[] = [];
    try {
      names = await readdir(files.#dir);
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
    }
    for (const name of names) {
      const id = name.endsWith('.json') ? name.slice(0, -5) : '';
      if (!ID.test(id)) continue;
      const path = join(files.#dir, name);
      if (!articleExists(id)) {
        if (!readOnly) await removeFileDurably(path);
        continue;
      }
      const shard = await readShard(path, parse);
      if (shard.data.data.articleId !== id) throw new Error(`${path}: belongs to article ${shard.data.data.articleId}, not ${id}`);
      files.#shards.set(id, shard);
    }
    return files;
  }

  get version(): number {
    return this.#version;
  }

  /** The article's gold as stored, or an empty one (nothing curated yet). Read only. */
  gold(articleId: string): Gold {
    return this.#shards.get(articleId)?.data.data ?? emptyGold(articleId);
  }

  /** Whether anything was ever stored for the article. */
  has(articleId: string): boolean {
    return this.#shards.has(articleId);
  }

  /** Applies a synchronous change (which may throw: then nothing is stored) and resolves once on disk. */
  async update(articleId: string, change: (gold: Gold) => void): Promise<void> {
    if (!ID.test(articleId)) throw new Error('invalid article id');
    let shard = this.#shards.get(articleId);
    if (!shard) {
      const opened = await openShard(join(this.#dir, `${articleId}.json`), parse, () => goldFileOf(emptyGold(articleId)));
      shard = this.#shards.get(articleId) ?? opened;
      this.#shards.set(articleId, shard);
    }
    await shard.update((file) => change(file.data));
    this.#version++;
  }

  /** Replaces the article's gold as a whole (an import). */
  async replace(articleId: string, gold: Gold): Promise<void> {
    await this.update(articleId, replacementBy(articleId, gold));
  }

  async remove(articleId: string): Promise<void> {
    if (!ID.test(articleId)) throw new Error('invalid article id');
    this.#shards.delete(articleId);
    this.#version++;
    await removeFileDurably(join(this.#dir, `${articleId}.json`));
  }
}
