// A researcher's link edits, merged over the automatic alignment so that they survive a
// re-alignment (new weights, a new article in the story): the aligner's output is never
// stored as truth, only the edits are, and this merge runs after every alignment.
//
// An edit names its two sentences by the offset where each starts in its article's text,
// not by index: an article's text is never rewritten, so the offset still finds the sentence
// if the article is segmented again and indexes shift. An edit whose sentence no longer starts
// there is returned as stale rather than applied to another sentence.
import type { Range } from '../model.js';
import type { Link, SentenceRef } from './align.js';
import { linkKey } from './evaluate.js';

/** One end of an edited link: the article and where its sentence starts in the article's text. */
export interface SentenceAnchor {
  article: string;
  start: number;
}

export interface LinkEdit {
  action: 'add' | 'remove';
  a: SentenceAnchor;
  b: SentenceAnchor;
  /** Who made the edit (a user id). */
  by: string;
  /** ISO time; for the same pair of sentences the latest edit wins. */
  at: string;
}

export interface MergedLink extends Link {
  /** `auto` from the aligner, `manual` added by a researcher. */
  origin: 'auto' | 'manual';
  /** `aligner`, or the user id of the researcher who added the link. */
  by: string;
}

export interface MergeResult {
  links: MergedLink[];
  /** Automatic links a researcher removed (to show them, or offer an undo). */
  removed: Link[];
  /** Edits whose sentences are no longer where they were. */
  stale: LinkEdit[];
}

/** The sentence of `sentences` that starts at `start`, by binary search; null if none does. */
export function sentenceAt(sentences: readonly Range[], start: number): number | null {
  let lo = 0;
  let hi = sentences.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = sentences[mid]!.start;
    if (s === start) return mid;
    if (s < start) lo = mid + 1;
    else hi = mid - 1;
  }
  return null;
}

/**
 * `automatic` with the edits applied, edits winning: for each pair of sentences the latest
 * edit decides (`add` keeps or adds the link, `remove` drops it). `sentencesOf` gives each
 * article's current sentences; `score` gives a manual link the aligner's similarity, so that
 * every link carries one. Links run from the earlier article in `order` to the later.
 */
export function mergeEdits(
  automatic: readonly Link[],
  edits: readonly LinkEdit[],
  sentencesOf: ReadonlyMap<string, readonly Range[]>,
  order: readonly string[],
  score: (a: SentenceRef, b: SentenceRef) => number,
): MergeResult {
  const rank = new Map(order.map((id, i) => [id, i]));
  const stale: LinkEdit[] = [];
  const latest = new Map<string, { edit: LinkEdit; a: SentenceRef; b: SentenceRef }>();
  const resolve = (anchor: SentenceAnchor): SentenceRef | null => {
    const sentences = sentencesOf.get(anchor.article);
    const sentence = sentences ? sentenceAt(sentences, anchor.start) : null;
    return sentence === null ? null : { article: anchor.article, sentence };
  };
  const sorted = [...edits].sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0));
  for (const edit of sorted) {
    let a = resolve(edit.a);
    let b = resolve(edit.b);
    if (a === null || b === null || a.article === b.article || !rank.has(a.article) || !rank.has(b.article)) {
      stale.push(edit);
      continue;
    }
    if (rank.get(a.article)! > rank.get(b.article)!) [a, b] = [b, a];
    latest.set(linkKey({ a, b }), { edit, a, b });
  }
  const links: MergedLink[] = [];
  const removed: Link[] = [];
  const seen = new Set<string>();
  for (const link of automatic) {
    const key = linkKey(link);
    seen.add(key);
    const decision = latest.get(key);
    if (decision?.edit.action === 'remove') removed.push(link);
    else if (decision?.edit.action === 'add') links.push({ ...link, origin: 'manual', by: decision.edit.by });
    else links.push({ ...link, origin: 'auto', by: 'aligner' });
  }
  for (const [key, { edit, a, b }] of latest) {
    if (edit.action === 'add' && !seen.has(key)) links.push({ a, b, score: score(a, b), origin: 'manual', by: edit.by });
  }
  links.sort((x, y) => rank.get(x.a.article)! - rank.get(y.a.article)! || rank.get(x.b.article)! - rank.get(y.b.article)! || x.a.sentence - y.a.sentence || x.b.sentence - y.b.sentence);
  return { links, removed, stale };
}
