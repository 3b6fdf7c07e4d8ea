// Word-choice contrasts between two outlets' aligned sentences: the phrases where their words
// differ, side by side ("coup" / "ouster"; "alleged" / nothing), ranked. A token diff (jsdiff's
// diffArrays) over the two sides' words, compared by Porter stem and number value, so that
// "killed" / "kill" or "Twenty-seven" / "27" are not contrasts but "coup" / "ouster" is.
import { diffArrays } from 'diff';
import type { Range } from '../model.js';
import { STOP_WORDS, stem } from '../../nlp/tokenizers.js';
import { numberValue, tokens, type Token } from './features.js';

/** One outlet's side of an aligned pair: its sentences in the group. */
export interface ContrastSide {
  article: string;
  text: string;
  /** Sentence indexes and their ranges, in text order. */
  sentences: { index: number; range: Range }[];
}

/** A phrase of one side: its text as written, where it is, and in which sentence. */
export interface Phrase {
  text: string;
  start: number;
  end: number;
  sentence: number;
}

export interface Contrast {
  /** `substitution`: each side words it its own way; `only-a` / `only-b`: one side has words the other lacks. */
  kind: 'substitution' | 'only-a' | 'only-b';
  a: Phrase | null;
  b: Phrase | null;
  /** Higher first; see rankScore. */
  score: number;
  /** Why it ranks where it does, for the page's tooltip and the tests. */
  reasons: string[];
}

/** Tells whether a span of an article carries a framing tag (the gold, or annotators' tags). */
export type Tagged = (article: string, start: number, end: number) => boolean;

interface Word extends Token {
  sentence: number;
  key: string;
  content: boolean;
}

function sideWords(side: ContrastSide): Word[] {
  return side.sentences.flatMap(({ index, range }) =>
    tokens(side.text, range).map((t) => {
      const number = numberValue(t.word);
      return { ...t, sentence: index, key: number ?? stem(t.word), content: number !== null || !STOP_WORDS.has(t.word) };
    }),
  );
}

function phrase(side: ContrastSide, run: Word[]): Phrase | null {
  const first = run[0];
  const last = run[run.length - 1];
  if (!first || !last) return null;
  // A run may cross a sentence boundary; the phrase keeps to the first sentence's words.
  const inFirst = run.filter((w) => w.sentence === first.sentence);
  const end = inFirst[inFirst.length - 1]!.end;
  return { text: side.text.slice(first.start, end), start: first.start, end, sentence: first.sentence };
}

/**
 * The rank of a contrast (the ranking rule, stated once):
 * - a substitution scores 2, a one-sided phrase 1: swapping one wording for another is the
 *   plainest word choice ("coup" / "ouster"); a one-sided word is a hedge, a label or an omission;
 * - times brevity, 1 / (1 + max(0, n − 3) / 3) for n content words on both sides: a few words
 *   are word choice, a long run is different content (shown as "only in" sentences instead);
 * - plus 1 when either side carries a framing tag: what annotators marked comes first;
 * - plus 1 when both sides hold numbers and they differ ("14 dead" / "several dead").
 */
export function rankScore(kind: Contrast['kind'], contentWords: number, tagged: boolean, numbersDiffer: boolean): { score: number; reasons: string[] } {
  const reasons: string[] = [kind === 'substitution' ? 'different wording on both sides (×2)' : 'words on one side only (×1)'];
  const brevity = 1 / (1 + Math.max(0, contentWords - 3) / 3);
  if (brevity < 1) reasons.push(`long (${contentWords} content words)`);
  let score = (kind === 'substitution' ? 2 : 1) * brevity;
  if (tagged) {
    score += 1;
    reasons.push('tagged as framing');
  }
  if (numbersDiffer) {
    score += 1;
    reasons.push('numbers differ');
  }
  return { score, reasons };
}

/** The contrasts of one aligned pair, ranked (highest score first, then by position in `a`). */
export function wordChoiceContrasts(a: ContrastSide, b: ContrastSide, tagged: Tagged = () => false): Contrast[] {
  const left = sideWords(a);
  const right = sideWords(b);
  const changes = diffArrays(left, right, { comparator: (x, y) => x.key === y.key });
  const out: Contrast[] = [];
  for (let k = 0; k < changes.length; k++) {
    const change = changes[k]!;
    if (!change.removed && !change.added) continue;
    let removed: Word[] = [];
    let added: Word[] = [];
    if (change.removed) {
      removed = change.value;
      const next = changes[k + 1];
      if (next?.added) {
        added = next.value;
        k++;
      }
    } else {
      added = change.value;
    }
    const contentA = removed.filter((w) => w.content);
    const contentB = added.filter((w) => w.content);
    if (contentA.length === 0 && contentB.length === 0) continue; // "the" / "a": not word choice
    const kind: Contrast['kind'] = contentA.length > 0 && contentB.length > 0 ? 'substitution' : contentA.length > 0 ? 'only-a' : 'only-b';
    const pa = contentA.length > 0 ? phrase(a, trim(removed)) : null;
    const pb = contentB.length > 0 ? phrase(b, trim(added)) : null;
    const isTagged = (pa !== null && tagged(a.article, pa.start, pa.end)) || (pb !== null && tagged(b.article, pb.start, pb.end));
    const numbersA = new Set(contentA.map((w) => numberValue(w.word)).filter((n) => n !== null));
    const numbersB = new Set(contentB.map((w) => numberValue(w.word)).filter((n) => n !== null));
    const numbersDiffer = numbersA.size > 0 && numbersB.size > 0 && [...numbersA].some((n) => !numbersB.has(n));
    const { score, reasons } = rankScore(kind, contentA.length + contentB.length, isTagged, numbersDiffer);
    out.push({ kind, a: pa, b: pb, score, reasons });
  }
  return out.sort((x, y) => y.score - x.score || (x.a?.start ?? x.b?.start ?? 0) - (y.a?.start ?? y.b?.start ?? 0));
}

/** A run without its leading and trailing stop words: "the coup" shows as "coup". */
function trim(run: Word[]): Word[] {
  let from = 0;
  let to = run.length;
  while (from < to && !run[from]!.content) from++;
  while (to > from && !run[to - 1]!.content) to--;
  return run.slice(from, to);
}
