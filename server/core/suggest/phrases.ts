// Finding listed words and phrases among a sentence's tokens: a lexicon entry is a sequence of
// lower-case words ("of course", "so-called"), matched whole, word by word, longest entry first.
import { words } from '../segmentation.js';
import { stem } from '../../nlp/tokenizers.js';
import { lowerWord, type Token } from './analyse.js';

export interface PhraseMatch<T> {
  /** Indexes of the first and last token matched. */
  first: number;
  last: number;
  value: T;
}

/** The words of an entry as tokens would show them: `So-called` → [`so-called`]. */
export function entryWords(entry: string): string[] {
  return words(entry, { start: 0, end: entry.length }).map((w) => lowerWord(entry.slice(w.start, w.end)));
}

/** Whether words are compared as written (lower case) or by their stems (`regimes` = `regime`). */
export type MatchBy = 'lower' | 'stem';

export class PhraseList<T> {
  /** First word → the entries starting with it, longest first. */
  readonly #byFirst = new Map<string, { words: string[]; value: T }[]>();
  readonly #by: MatchBy;

  constructor(entries: Iterable<readonly [string, T]>, by: MatchBy = 'lower') {
    this.#by = by;
    for (const [entry, value] of entries) {
      const ws = by === 'stem' ? entryWords(entry).map(stem) : entryWords(entry);
      const first = ws[0];
      if (first === undefined) continue;
      const list = this.#byFirst.get(first) ?? [];
      // A later entry with the same words replaces an earlier one.
      const same = list.findIndex((e) => e.words.join(' ') === ws.join(' '));
      if (same >= 0) list.splice(same, 1);
      list.push({ words: ws, value });
      list.sort((a, b) => b.words.length - a.words.length);
      this.#byFirst.set(first, list);
    }
  }

  get size(): number {
    let n = 0;
    for (const list of this.#byFirst.values()) n += list.length;
    return n;
  }

  /** The longest entry starting at each token (matches may overlap when they start apart). */
  find(tokens: readonly Token[]): PhraseMatch<T>[] {
    const out: PhraseMatch<T>[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i];
      const candidates = token && this.#byFirst.get(token[this.#by]);
      if (!candidates) continue;
      for (const entry of candidates) {
        if (entry.words.every((w, k) => tokens[i + k]?.[this.#by] === w)) {
          out.push({ first: i, last: i + entry.words.length - 1, value: entry.value });
          break;
        }
      }
    }
    return out;
  }
}
