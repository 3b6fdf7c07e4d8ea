// "Most contested": the spans where the class disagreed most, as discussion prompts.
// Pure: no I/O.
//
// Candidates are the spans (as word ranges) that students tagged. For a candidate X every
// student gives one answer: the category of their tag that overlaps X best, if that tag's
// overlap credit with X (shared words / words in either, see text.ts) is at least 1/2, or
// "not tagged". The candidate's score is the Shannon entropy of the class's answers, in bits:
//   H = −Σ p(answer) · log2 p(answer)   over the answers {category…, not tagged}.
// So a span half the class tagged and half did not scores 1 bit, as does one the taggers
// split evenly between two categories with everyone tagging; a span everybody tagged alike
// scores 0. Spans fewer than `minTagged` students tagged are skipped, and overlapping
// candidates in a sentence are reduced to the highest-scoring one. Candidates that tie (a
// variant like "try stalling tactics" that one student tagged scores the same as the
// "stalling tactics" ten tagged, since their overlap credit counts them alike) are ranked by
// how many students tagged exactly their words, so the list shows the span the class actually
// tagged; then by taggers and position. The reason shown is
// `split` when the second most frequent category has at least a quarter of the taggers,
// otherwise `half` (the disagreement is about tagging the span at all).
import type { Range } from '../model.js';
import { locate, overlapCredit, type SpanTag, type WordSpan } from './text.js';

export interface Contested {
  sentence: number;
  /** Word indexes within the sentence, inclusive. */
  first: number;
  last: number;
  /** Offsets in the text. */
  start: number;
  end: number;
  /** Students whose tag matches the span (overlap ≥ 1/2). */
  tagged: number;
  /** Students who tagged exactly these words. */
  exact: number;
  total: number;
  /** Their categories, most frequent first. */
  categories: { category: string; count: number }[];
  /** Entropy of the class's answers, in bits. */
  entropy: number;
  /** `split`: the taggers disagree on the category; `half`: the class disagrees mainly on tagging it at all. */
  reason: 'split' | 'half';
}

export const MIN_OVERLAP = 0.5;
/** Entropies closer than this are a tie (the same answers summed in another order differ in the last bits). */
const TIE = 1e-9;

function entropy(counts: number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / total) * Math.log2(c / total);
  return h;
}

export function contested(
  words: Range[][],
  students: SpanTag[][],
  options: { limit?: number; minTagged?: number } = {},
): Contested[] {
  const limit = options.limit ?? 10;
  const minTagged = options.minTagged ?? 2;
  const total = students.length;
  const located = students.map((tags) => locate(words, tags));
  const candidates = new Map<string, { sentence: number; span: WordSpan; students: Set<number> }>();
  located.forEach((tags, student) => {
    for (const { tag, span } of tags) {
      const key = `${tag.sentence}:${span.first}:${span.last}`;
      const candidate = candidates.get(key) ?? { sentence: tag.sentence, span, students: new Set<number>() };
      candidate.students.add(student);
      candidates.set(key, candidate);
    }
  });
  const scored: Contested[] = [];
  for (const { sentence, span, students: exactly } of candidates.values()) {
    const answers = new Map<string, number>();
    let tagged = 0;
    for (const tags of located) {
      let best: { category: string; credit: number } | null = null;
      for (const t of tags) {
        if (t.tag.sentence !== sentence) continue;
        const credit = overlapCredit(t.span, span);
        if (credit >= MIN_OVERLAP && (!best || credit > best.credit || (credit === best.credit && t.tag.category < best.category))) {
          best = { category: t.tag.category, credit };
        }
      }
      if (best) {
        tagged++;
        answers.set(best.category, (answers.get(best.category) ?? 0) + 1);
      }
    }
    if (tagged < minTagged) continue;
    const categories = [...answers]
      .map(([category, count]) => ({ category, count }))
      .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category));
    const all = entropy([...categories.map((c) => c.count), total - tagged]);
    if (all === 0) continue;
    const range = words[sentence] ?? [];
    scored.push({
      sentence,
      first: span.first,
      last: span.last,
      start: range[span.first]?.start ?? 0,
      end: range[span.last]?.end ?? 0,
      tagged,
      exact: exactly.size,
      total,
      categories,
      entropy: all,
      reason: (categories[1]?.count ?? 0) >= tagged / 4 ? 'split' : 'half',
    });
  }
  scored.sort(
    (a, b) =>
      (Math.abs(b.entropy - a.entropy) > TIE ? b.entropy - a.entropy : 0) ||
      b.exact - a.exact ||
      b.tagged - a.tagged ||
      a.sentence - b.sentence ||
      a.first - b.first ||
      a.last - b.last,
  );
  const chosen: Contested[] = [];
  for (const c of scored) {
    if (chosen.length >= limit) break;
    if (chosen.some((d) => d.sentence === c.sentence && d.first <= c.last && c.first <= d.last)) continue;
    chosen.push(c);
  }
  return chosen;
}
