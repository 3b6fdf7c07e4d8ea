// The learned suggester's view of a token: the word, its stem and shape, its neighbours, its
// valence, the lexicons and rules that cover it, the codebook's cues, quotation marks and the
// sentence's place in the article. Each feature is a name hashed into one of 2^BITS slots (no
// vocabulary to store; the hashing trick), computed without building the name as a string.
import { STOP_WORDS, stem, valence } from '../../nlp/tokenizers.js';
import type { SentenceAnalysis, Token } from './analyse.js';
import { cueHits, type CodebookRules } from './codebook-rules.js';
import { ruleHits } from './rules/index.js';
import { reportingVerbMatches } from './rules/reporting-verbs.js';

/** Bumped whenever a feature changes: a model trained on other features is trained again. */
export const FEATURES_VERSION = 1;
export const BITS = 20;
const MASK = (1 << BITS) - 1;

// FNV-1a, 32 bits.
const OFFSET = 0x811c9dc5;
function mix(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return Math.imul(h ^ 0x1f, 0x01000193); // a separator, so ("ab","c") ≠ ("a","bc")
}
const seeds = new Map<string, number>();
function seed(kind: string): number {
  let h = seeds.get(kind);
  if (h === undefined) {
    h = mix(OFFSET, kind);
    seeds.set(kind, h);
  }
  return h;
}
const slot = (h: number) => (h >>> 0) & MASK;

function shape(text: string, t: Token, i: number): string | null {
  const s = text.slice(t.start, t.end);
  if (/\p{N}/u.test(s)) return 'num';
  if (s.length > 1 && s === s.toUpperCase() && /\p{Lu}/u.test(s)) return 'caps';
  if (i > 0 && /^\p{Lu}/u.test(s)) return 'cap';
  return null;
}

function valenceBucket(word: string): string | null {
  const v = valence(word);
  if (v === 0) return null;
  return `${v > 0 ? '+' : '-'}${Math.min(4, Math.abs(v))}`;
}

const QUOTE_LENGTH = ['0', '1', '2', '3', '4'];

/** A word's own feature slots, in each role it can play, found once per word (memo below). */
interface WordFeatures {
  /** The word's hash, for pair features. */
  raw: number;
  w: number;
  s: number;
  x3: number;
  p: number;
  n: number;
  ps: number;
  ns: number;
  p2: number;
  n2: number;
  /** Hyphen, stop word, valence: what this word adds to its own token's general features. */
  general: number[];
  /** Its valence as seen from the next or the previous token, if it has one. */
  nv: number | null;
  pv: number | null;
}

const wordMemo = new Map<string, WordFeatures>();
const MAX_WORDS = 100_000;

function wordFeatures(lower: string): WordFeatures {
  let f = wordMemo.get(lower);
  if (f) return f;
  const stemmed = lower === '<s>' || lower === '</s>' ? lower : stem(lower);
  const v = valenceBucket(lower);
  const general: number[] = [];
  if (lower.includes('-')) general.push(slot(seed('hyphen')));
  if (STOP_WORDS.has(lower)) general.push(slot(seed('stop')));
  if (v) general.push(slot(mix(seed('v'), v)));
  f = {
    raw: mix(OFFSET, lower) >>> 0,
    w: slot(mix(seed('w'), lower)),
    s: slot(mix(seed('s'), stemmed)),
    x3: slot(mix(seed('x3'), lower.slice(-3))),
    p: slot(mix(seed('p'), lower)),
    n: slot(mix(seed('n'), lower)),
    ps: slot(mix(seed('ps'), stemmed)),
    ns: slot(mix(seed('ns'), stemmed)),
    p2: slot(mix(seed('p2'), lower)),
    n2: slot(mix(seed('n2'), lower)),
    general,
    nv: v ? slot(mix(seed('nv'), v)) : null,
    pv: v ? slot(mix(seed('pv'), v)) : null,
  };
  if (wordMemo.size >= MAX_WORDS) wordMemo.clear();
  wordMemo.set(lower, f);
  return f;
}

/** A token's features: the words themselves, and what generalises beyond them. */
export interface TokenFeatures {
  /** The word, its stem, suffix and neighbours: what a model learns the vocabulary from. */
  lexical: number[];
  /** Lexicons, rules, cues, valence, shape, quotes, position: what carries over to unseen words. */
  general: number[];
}

/** The feature slots of every token of the sentence (a slot may repeat: it then counts twice). */
export function tokenFeatures(a: SentenceAnalysis, rules: CodebookRules): TokenFeatures[] {
  const { tokens, text } = a;
  const n = tokens.length;
  const out: TokenFeatures[] = tokens.map(() => ({ lexical: [], general: [] }));
  const add = (i: number, kind: string, value: string) => out[i]?.[kind === 'q-before' ? 'lexical' : 'general'].push(slot(mix(seed(kind), value)));
  const flag = (i: number, kind: string) => out[i]?.general.push(slot(seed(kind)));
  const wordAt = (i: number) => wordFeatures(i < 0 ? '<s>' : i >= n ? '</s>' : (tokens[i]?.lower ?? ''));
  let previous = wordAt(-2);
  let before = wordAt(-1);
  let current = wordAt(0);
  let after = wordAt(1);
  let next = wordAt(2);

  for (let i = 0; i < n; i++) {
    const t = tokens[i];
    const f = out[i];
    if (!t || !f) continue;
    f.lexical.push(current.w, current.s, current.x3, before.p, after.n, before.ps, after.ns, previous.p2, next.n2);
    // Word pairs: the two words' hashes combined (a hashed pair feature, no string built).
    f.lexical.push(slot(Math.imul(before.raw ^ 0x5bd1e995, 0x01000193) ^ current.raw));
    f.lexical.push(slot(Math.imul(current.raw ^ 0x27d4eb2f, 0x01000193) ^ after.raw));
    const sh = shape(text, t, i);
    if (sh) add(i, 'shape', sh);
    f.general.push(...current.general);
    if (i + 1 < n && after.nv !== null) f.general.push(after.nv);
    if (i > 0 && before.pv !== null) f.general.push(before.pv);
    if (t.quoted) flag(i, 'quoted');
    if (i === 0) flag(i, 'first-word');
    if (i === n - 1) flag(i, 'last-word');
    previous = before;
    before = current;
    current = after;
    after = next;
    next = wordAt(i + 3);
  }
  if (a.index === 0) for (let i = 0; i < n; i++) flag(i, 'lead');
  if (a.index === a.sentenceCount - 1) for (let i = 0; i < n; i++) flag(i, 'last-sentence');

  for (const q of a.quotes) {
    const length = q.last - q.first + 1;
    const bucket = QUOTE_LENGTH[length] ?? 'long';
    for (let i = q.first; i <= q.last; i++) add(i, 'qlen', bucket);
    if (q.first <= q.last) {
      flag(q.first, 'q-first');
      flag(q.last, 'q-last');
      add(q.first, 'q-before', q.first > 0 ? (tokens[q.first - 1]?.lower ?? '') : '<s>');
    }
  }
  for (const hit of ruleHits(a)) {
    const strength = hit.score >= 0.5 ? 'hi' : 'lo';
    for (let i = hit.first; i <= hit.last; i++) {
      add(i, 'rule', hit.rule);
      add(i, 'rule-hi', `${hit.rule}:${strength}`);
    }
    add(hit.first, 'rule-first', hit.rule);
  }
  for (const m of reportingVerbMatches(a)) {
    const speech = m.score > 0 || m.slant === 'neutral' ? m.slant : 'not-speech';
    for (let i = m.first; i <= m.last; i++) add(i, 'rv', speech);
    // The words before a reporting verb are often its speaker (sourcing); those after, the report.
    for (let i = Math.max(0, m.first - 3); i < m.first; i++) add(i, 'rv-next', speech);
    if (m.last + 1 < n) add(m.last + 1, 'rv-prev', speech);
  }
  for (const hit of cueHits(a, rules)) {
    for (let i = hit.first; i <= hit.last; i++) add(i, 'cue', hit.category);
    add(hit.first, 'cue-first', hit.category);
  }
  return out;
}

/**
 * What the rules (as the codebook routes them) and the codebook's cues say about each token:
 * for token i, the categories whose rule suggestions cover it, each with the best score. The
 * learned model starts from these and learns corrections, so a word it has never seen in
 * training is still suggested as the rules would.
 */
export function rulePriors(a: SentenceAnalysis, rules: CodebookRules, column: ReadonlyMap<string, number>): Map<number, number>[] {
  const out: Map<number, number>[] = a.tokens.map(() => new Map());
  const offer = (first: number, last: number, category: string, score: number) => {
    const c = column.get(category);
    if (c === undefined) return;
    for (let i = first; i <= last; i++) {
      const held = out[i];
      if (held && score > (held.get(c) ?? 0)) held.set(c, score);
    }
  };
  for (const hit of ruleHits(a)) for (const category of rules.routes.get(hit.rule) ?? []) offer(hit.first, hit.last, category, hit.score);
  for (const hit of cueHits(a, rules)) offer(hit.first, hit.last, hit.category, hit.score);
  return out;
}
