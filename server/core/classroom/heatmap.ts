// The class heatmap: for every word of the lesson, how many different students tagged it.
// Pure: no I/O.
import type { Range } from '../model.js';
import { locate, type SpanTag } from './text.js';

export const HEAT_LEVELS = 5;

/**
 * Per sentence, per word: the number of distinct students with a tag covering that word
 * (a student with two overlapping tags on a word counts once). With `category`, only
 * tags of that category count.
 */
export function heatmap(words: Range[][], students: SpanTag[][], category?: string): number[][] {
  const counts = words.map((sentence) => sentence.map(() => 0));
  for (const tags of students) {
    const covered = new Set<string>();
    for (const { tag, span } of locate(words, category === undefined ? tags : tags.filter((t) => t.category === category))) {
      for (let w = span.first; w <= span.last; w++) covered.add(`${tag.sentence}:${w}`);
    }
    for (const key of covered) {
      const [s, w] = key.split(':').map(Number);
      const row = counts[s ?? -1];
      if (row && w !== undefined && row[w] !== undefined) row[w]++;
    }
  }
  return counts;
}

/**
 * A colour step for `count` of `total` students: 0 for nobody, otherwise 1–5 by the share
 * of the class (1 = up to a fifth, 5 = more than four fifths).
 */
export function heatLevel(count: number, total: number): number {
  if (count <= 0 || total <= 0) return 0;
  return Math.min(HEAT_LEVELS, Math.max(1, Math.ceil((count / total) * HEAT_LEVELS)));
}
