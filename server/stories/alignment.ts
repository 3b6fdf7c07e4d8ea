// A stored story's alignment: the aligner's links over its articles, with the researchers'
// edits merged over them (core/stories/edits.ts), and the aligned groups the story view shows.
// The automatic part depends only on the articles' texts, which never change, so it is cached
// per list of articles; the edits are merged on every call (cheap beside aligning).
import type { Article } from '../core/model.js';
import { alignStory, pairScorer, type Link, type SentenceRef } from '../core/stories/align.js';
import { mergeEdits, type MergeResult } from '../core/stories/edits.js';
import { alignedGroups, type AlignedGroup } from '../core/stories/groups.js';
import type { Story } from '../storage/stories.js';
import type { AppStore } from '../storage/app-store.js';

export interface StoryAlignment {
  /** The story's articles that still exist, in column order. */
  articles: Article[];
  merged: MergeResult;
  groups: AlignedGroup[];
  /** The aligner's probability for any pair of the story's sentences. */
  score: (a: SentenceRef, b: SentenceRef) => number;
}

interface Automatic {
  links: Link[];
  score: (a: SentenceRef, b: SentenceRef) => number;
}

const CACHED = 50;
const cache = new Map<string, Automatic>();

function automatic(articles: readonly Article[]): Automatic {
  const key = articles.map((a) => a.id).join(' ');
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const computed = { links: alignStory(articles), score: pairScorer(articles) };
  cache.set(key, computed);
  for (const old of cache.keys()) {
    if (cache.size <= CACHED) break;
    cache.delete(old);
  }
  return computed;
}

export function storyArticles(store: AppStore, story: Story): Article[] {
  return story.articles.map((id) => store.article(id)).filter((a): a is Article => a !== undefined && a.projectId === story.projectId);
}

export function storyAlignment(store: AppStore, story: Story): StoryAlignment {
  const articles = storyArticles(store, story);
  const { links, score } = automatic(articles);
  const merged = mergeEdits(
    links,
    story.edits,
    new Map(articles.map((a) => [a.id, a.sentences])),
    articles.map((a) => a.id),
    score,
  );
  const groups = alignedGroups(articles.map((a) => ({ id: a.id, sentenceCount: a.sentences.length })), merged.links);
  return { articles, merged, groups, score };
}
