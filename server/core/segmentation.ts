// Sentence segmentation and word tokenisation, as offsets into the original
// text (tags are stored against these offsets, so the text is never rewritten).
//
// natural's SentenceTokenizer splits after nearly every period and ignores
// line breaks, so we wrap it: split at line breaks and list markers first, hide
// the periods that must not end a sentence behind a same-length mask, let
// natural split what is left, then glue back pieces that only continue the
// sentence before them (`"Is it?" she asked.`).
import { splitSentences } from '../nlp/tokenizers.js';
import type { Range } from './model.js';

/** Stands in for a period (or ellipsis) that must not end a sentence. Same length, so offsets hold. */
const MASK = '\uE000';

const LINE_BREAK = /\r\n|[\n\r\v\f\u0085\u2028\u2029]/g;

/** A list marker at the start of a line: `1.`, `2.)`, `a)`, `-`, `•`, `• 9.`, `⁃10.` */
const LIST_MARKER = /^(?:([•‣⁃◦▪●■*–—-])\s*)?(?:(\d{1,3}|[A-Za-z])(\.\)|[.)]))?(?=\s)/;

/** Capitalised words that usually begin a sentence: after `U.S.` or `E.` they mean a new one. */
const STARTERS = new Set(
  (
    'A An The This That These Those There Here It Its He His She Her They Their We Our You Your I My ' +
    'Who What When Where Why How Which But And Or So Yet For If In On At As By To Of From With After ' +
    'Before Since While Although Though Because However Meanwhile Moreover Then Now Today Yesterday ' +
    'Some Many Most All Both Each Every Another Such No Not None One Did Do Does Is Are Was Were Has ' +
    'Have Had Will Would Can Could Should May Might Must Let Please Instead Indeed Thus Later Earlier ' +
    'Despite During Under Among According Also Even Still Few Several Neither Either Nor Whether Unless Once ' +
    'Until Nothing Nobody Everyone Everybody Someone Somebody Others Yes Yet Last Next Asked Two Three Four Five'
  ).split(' '),
);

/**
 * What may follow `a.m.`/`p.m.` inside the sentence, capitalised: a time zone, a day, a month
 * (`8 p.m. Eastern on Tuesday`, `9 a.m. Wednesday`). Any other capital after a time starts a sentence.
 */
const AFTER_TIME = new Set(
  (
    'Eastern Central Mountain Pacific Atlantic Alaska Hawaii Greenwich Universal Coordinated ' +
    'ET EST EDT CT CST CDT MT MST MDT PT PST PDT AKST HST GMT UTC UT BST WET CET CEST EET EEST MSK IST PKT ' +
    'JST KST AEST AEDT AWST NZST NZDT HKT SGT WIB Z ' +
    'Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mon Tue Tues Wed Thu Thur Thurs Fri Sat Sun ' +
    'January February March April May June July August September October November December ' +
    'Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec'
  ).split(' '),
);
/**
 * Capitalised as parts of names after an initialism even where the text writes them in lower
 * case elsewhere (`the U.S. Government`, `the U.N. Security Council`, `U.K. Prime Minister`);
 * a news sentence would rarely start with one of them bare.
 */
const NAME_PARTS = new Set(
  (
    'Government Administration Senate House Congress Parliament Assembly Council Commission Committee Agency ' +
    'Army Navy Air Marine Marines Coast Military Forces Command Embassy Consulate Mission Ambassador Envoy ' +
    'President Vice Prime Minister Ministry Secretary Department Office Treasury State Federal Central National ' +
    'Supreme Court District Attorney Security Special Representative Capitol Open Cup Championship Team Dollar'
  ).split(' '),
);
/** `At 5 a.m.` on its own is not a sentence: a fronted time phrase goes on (`At 5 a.m. Mr. Smith left`). */
const FRONTED_TIME = /^[("“‘'[]*(?:At|By|From|Until|Till|Before|After|Around|About|Since|Shortly|Just|Only|Even|Then|On|In)\b/u;
const TIME = /^[AaPp]\.[Mm]\.$/;
/** `e.g.`, `i.e.`, `a.k.a.` introduce what follows: they end a sentence only at the end of a line. */
const INTRODUCES = /^(?:e\.g|i\.e|a\.k\.a|E\.g|I\.e)\.$/;

// natural's own URI/e-mail patterns. Its URI pattern swallows a sentence's
// final period, so we hide the address ourselves and leave that period visible.
const URI_OR_EMAIL =
  /(https?:\/\/\S+|www\.\S+|ftp:\/\/\S+|(mailto:)?[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}|file:\/\/\S+)/gi;
const TRAILING_PUNCTUATION = /[.,;:!?'"”’»)\]]+$/;
const MAY_HOLD_ELLIPSIS = /\.\s?\.|…/;
const BRACKETED_ELLIPSIS = /[[(](?:\.{3}|…|\.(?: \.){2})[\])]/g;
/** `. . .` is never a boundary by itself; a period just before or after it may be (`words. . . . The`). */
const SPACED_ELLIPSIS = /(?<=\s|^)\.(?:[ \u00a0]\.){2}/g;
const ELLIPSIS = /\.{3,}|…+/g;
const MAY_HOLD_ADDRESS = /@|:\/\/|www\./i;
const BEFORE_APOSTROPHE = /\.(?=['’]\p{L})/gu; // Jr.'s
const DECIMAL = /(\d)\.(?=\d)/g;
/** Mr. Smith, Gen. Milley, St. Michael's, Roe v. Wade: no boundary before a capital. */
const TITLE = abbreviations(
  'Mr Mrs Ms Mx Messrs Mmes Dr Prof Rev Fr Hon Rt Pres Gov Sen Sens Rep Reps Amb Gen Lt Col Maj Capt Cmdr Cdr ' +
    'Adm Brig Sgt Cpl Pvt Insp Det Supt Atty St Mt Ft v vs',
  `(?=\\s+[("“‘'[]*\\p{Lu})`,
);
/** No. 3, p. 55, Jan. 6: no boundary before a number. */
const BEFORE_NUMBER = abbreviations(
  'No Nos no nos Nr N° p pp para paras Vol vol Vols vols Art art Ch ch Fig fig Sec sec Sect sect ca c approx ' +
    'Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec',
  '(?=\\s*\\p{N})',
);
/**
 * U.S.A., e.g., a.m., and degrees and the like with longer parts: M.Sc., Ph.D., LL.M., Ed.D.
 * The leading lookahead (a period within the next four characters) changes no match, but V8
 * then skips most positions at once: on the bench's 1 MB this regex takes less than half the
 * time that `(?:\p{L}\.){2,}` alone took; the same trick makes INITIAL ~15× faster.
 */
const INITIALISM =
  /(?=[^\s.]{1,3}\.)(?<![\p{L}\p{N}.\uE000])(?:\p{L}\.(?:\p{L}{1,3}\.)+|\p{L}{2,3}\.\p{L}\.(?:\p{L}{1,3}\.)*)/gu;
/** Briggs & Co. at noon, Jr., et al.: a boundary only where a sentence starter follows. */
const POSTPOSITIVE = abbreviations('Inc Corp Ltd Co Cos Bros Plc Jr Sr etc al', '(?=\\s)');
const INITIAL = /(?=[^\s]\.)(?<![\p{L}\p{N}.'’\uE000])\p{Lu}\.(?=\s)/gu; // Jonas E. Smith
/** A list marker's period after the start of a segment or the end of a sentence: `… options. 1. Go home.` */
const ENUMERATOR = /(^|[.!?:]["”’)\]]?\s+)((?:[•‣⁃◦▪●■*–—-]\s*)?(?:\d{1,3}|\p{L}))\.(?=\)?\s)/gu;

const CHUNK = 250;
const SAFE_CUT = /[.?!…]["'”’)}\]]?\s+(?=[^\s.?!…])/g;

/** A whole word of letters (a capital only first, or all lower case), not a part of `iPhone` or `NATO's`. */
const WORD_START = /(?<![\p{L}\p{M}\p{N}'’.-])\p{L}\p{Ll}*(?![\p{L}\p{M}\p{N}])/gu;
const NEXT_WORD = /\s+[("“‘'[]*(\p{L}[\p{L}\p{M}'’-]*)/uy;
/** The next word and, if a plain space follows it, the word after: `Turnout was`, `Senate voted`. */
const NEXT_TWO_WORDS = /\s+[("“‘'[]*(\p{L}[\p{L}\p{M}'’-]*)(?: [("“‘'[]*(\p{L}+))?/uy;
const CAPITAL_FOLLOWS = /[”’"')\]]*\s+[("“‘'[]*\p{Lu}/uy;
const ONLY_SPACE = /\s*$/y;
const SENTENCE_END = /[.!?…]["'”’)\]]*\s+/g;
const PREVIOUS_TOKEN = /(\S*)\s*$/u;

const SPEECH_VERBS =
  'said says asked asks added adds told tells replied wrote writes stated declared insisted warned argued noted ' +
  'explained continued claimed shouted exclaimed wondered demanded';
/** `Putin asked.` after `"Why not?"`: the attribution of a quotation that ends in `?` or `!`. */
const ATTRIBUTION = new RegExp(
  `^(?:\\p{Lu}[\\p{L}\\p{M}'’.-]*\\s+){1,4}(?:${SPEECH_VERBS.replaceAll(' ', '|')})\\b[^.?!]*\\.?$`,
  'u',
);
const QUESTION_OR_EXCLAMATION_QUOTED = /[?!]+["”’']$/;

/**
 * A piece natural cut off that only continues the sentence before it: it starts
 * lower-case (but not `iPhone`), with `, ; : ) ]` or a closing quote, or it has
 * no letters or digits at all.
 */
const CONTINUATION =
  /^(?:[,;:)\]}”’»]|["'](?=[\s,.;:!?)\]]|$)|[–—-]?\s*\p{Ll}(?!\p{Ll}*\p{Lu})|[^\p{L}\p{N}]*$)/u;

/** A piece with no word in it, but perhaps a list marker: `…`, `!”`, `?!`, `1. …`. */
const WITHOUT_WORDS = /^(?:(?:\d{1,3}|[A-Za-z])(?:\.\)|[.)])\s+)?[^\p{L}\p{N}]*$/u;

/** Letters and digits, joined by internal apostrophes, hyphens, periods (`U.S`, `3.5`) and digit commas (`1,000`). */
const WORD =
  /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*(?:['’\-‐.][\p{L}\p{N}][\p{L}\p{N}\p{M}]*|(?<=\p{N}),\p{N}[\p{L}\p{N}\p{M}]*)*/gu;

/** The sentences of `text`, as trimmed, non-empty `[start, end)` ranges in text order. */
export function segment(text: string): Range[] {
  const sentences: Range[] = [];
  const usage = new WordUsage(text);
  for (const line of lines(text)) {
    for (const item of listItems(text, line)) splitSegment(text, item, sentences, usage);
  }
  return sentences;
}

/**
 * How a text writes its words elsewhere: the evidence behind "a capital here means a sentence
 * start" (Punkt's orthographic context). Built on the first question only, in one pass.
 */
class WordUsage {
  readonly #text: string;
  #lowerCase: Set<string> | null = null;
  #capitalisedInside: Set<string> | null = null;

  constructor(text: string) {
    this.#text = text;
  }

  /** `word` (capitalised) is written in lower case somewhere in the text and never capitalised inside a sentence. */
  isCommonWord(word: string): boolean {
    if (this.#lowerCase === null || this.#capitalisedInside === null) this.#read();
    const key = word.toLowerCase();
    return (this.#lowerCase?.has(key) ?? false) && !(this.#capitalisedInside?.has(key) ?? false);
  }

  #read(): void {
    const lowerCase = new Set<string>();
    const capitalisedInside = new Set<string>();
    const text = this.#text;
    for (const m of text.matchAll(WORD_START)) {
      const word = m[0];
      if (word === word.toLowerCase()) {
        lowerCase.add(word);
        continue;
      }
      // Capitalised after a letter, digit, comma or semicolon on the same line: a name, not a sentence start.
      let i = m.index - 1;
      while (i >= 0 && (text[i] === ' ' || text[i] === '\t' || text[i] === '\u00a0')) i--;
      if (i >= 0 && i < m.index - 1 && /[\p{L}\p{N},;]/u.test(text[i] ?? '')) capitalisedInside.add(word.toLowerCase());
    }
    this.#lowerCase = lowerCase;
    this.#capitalisedInside = capitalisedInside;
  }
}

/** The word tokens of `range` of `text`, as absolute ranges. */
export function words(text: string, range: Range): Range[] {
  const out: Range[] = [];
  for (const m of text.slice(range.start, range.end).matchAll(WORD)) {
    out.push({ start: range.start + m.index, end: range.start + m.index + m[0].length });
  }
  return out;
}

/** The non-empty lines of `text`, trimmed. A line break always ends a sentence. */
export function lines(text: string): Range[] {
  const out: Range[] = [];
  let start = 0;
  for (const m of text.matchAll(LINE_BREAK)) {
    pushTrimmed(text, start, m.index, out);
    start = m.index + m[0].length;
  }
  pushTrimmed(text, start, text.length, out);
  return out;
}

/** Splits a line that starts with a list marker before each following marker in sequence (`1. … 2. …`). */
function listItems(text: string, line: Range): Range[] {
  const s = text.slice(line.start, line.end);
  const marker = LIST_MARKER.exec(s);
  if (marker === null || marker[0] === '') return [line];
  const [, bullet, value, punctuation] = marker;
  // Dashes are too common inside sentences to be taken for a second item.
  if (value === undefined && (bullet === undefined || '*–—-'.includes(bullet))) return [line];
  if (value !== undefined && /^[A-Zb-z]$/.test(value)) return [line]; // `A. Smith and B. Jones`: initials
  const cuts: number[] = [];
  let next = value;
  let from = marker[0].length;
  for (;;) {
    next = next === undefined ? undefined : successor(next);
    const pattern =
      (bullet === undefined ? '' : escapeRegExp(bullet) + '\\s*') +
      (next === undefined ? '' : escapeRegExp(next + (punctuation ?? '')));
    const re = new RegExp(`\\s(${pattern})(?=\\s)`, 'g');
    re.lastIndex = from;
    const hit = re.exec(s);
    if (hit === null) break;
    cuts.push(hit.index + 1);
    from = hit.index + 1 + (hit[1]?.length ?? 0);
  }
  if (cuts.length === 0) return [line];
  const items: Range[] = [];
  let start = 0;
  for (const cut of [...cuts, s.length]) {
    pushTrimmed(text, line.start + start, line.start + cut, items);
    start = cut;
  }
  return items;
}

function successor(value: string): string {
  return /^\d+$/.test(value) ? String(Number(value) + 1) : String.fromCharCode(value.charCodeAt(0) + 1);
}

/**
 * natural cuts after every group of delimiters (its pattern: `[.?!… ]*[.?!…]` and one closing
 * quote or bracket). With a single group, at the very end, the line is one sentence: most of
 * natural's time would go on building and restoring its placeholders.
 */
const ONE_SENTENCE = /^[^.?!…]*[.?!…][.?!… ]*(?<=[.?!…])["'”’)}\]]?$/;

/** Runs natural on one line or list item and appends its sentences to `out`. */
function splitSegment(text: string, segment: Range, out: Range[], usage: WordUsage): void {
  const s = text.slice(segment.start, segment.end);
  if (!/[.?!…]/.test(s)) {
    out.push(segment);
    return;
  }
  const masked = protect(s, usage);
  const pieces = ONE_SENTENCE.test(masked) ? [masked] : chunks(masked).flatMap(splitSentences);
  // natural restores its own placeholders by search and replace; should that
  // ever alter the text, keep the segment whole rather than lose offsets.
  if (pieces.join('') !== masked) {
    out.push(segment);
    return;
  }
  const first = out.length;
  let position = segment.start;
  /** Where a first piece without words (`…`, `!”`, `1. …`) began: it opens the sentence after it. */
  let opening: number | null = null;
  for (const piece of pieces) {
    const start = position;
    position += piece.length;
    const range = trimmed(text, start, position);
    if (range === null) continue;
    const previous = out[out.length - 1];
    const sentence = text.slice(range.start, range.end);
    if (out.length === first && (opening !== null || WITHOUT_WORDS.test(sentence))) {
      opening ??= range.start;
      if (WITHOUT_WORDS.test(sentence)) continue;
      out.push({ start: opening, end: range.end });
      continue;
    }
    const continues =
      CONTINUATION.test(sentence) ||
      (ATTRIBUTION.test(sentence) &&
        previous !== undefined &&
        QUESTION_OR_EXCLAMATION_QUOTED.test(text.slice(previous.start, previous.end)));
    if (out.length > first && previous !== undefined && continues) {
      out[out.length - 1] = { start: previous.start, end: range.end };
    } else {
      out.push(range);
    }
  }
  if (out.length === first && opening !== null) pushTrimmed(text, opening, segment.end, out);
}

/**
 * `masked` cut into runs of about CHUNK characters, because natural's time grows
 * with the square of its input (a 1 MB line would take minutes). Cuts fall only
 * after a delimiter, its closing quote and whitespace, where natural splits
 * anyway, so the pieces are the same as for one call.
 */
function chunks(masked: string): string[] {
  if (masked.length <= 2 * CHUNK) return [masked];
  const out: string[] = [];
  let start = 0;
  while (masked.length - start > 2 * CHUNK) {
    SAFE_CUT.lastIndex = start + CHUNK;
    const cut = SAFE_CUT.exec(masked);
    if (cut === null) break;
    const end = cut.index + cut[0].length;
    out.push(masked.slice(start, end));
    start = end;
  }
  out.push(masked.slice(start));
  return out;
}

/** `s` with every period that must not end a sentence replaced by MASK (and addresses by `x`s). */
function protect(s: string, usage: WordUsage): string {
  if (!s.includes('.') && !s.includes('…')) return s;
  let p = s.replace(/\{/g, '('); // natural's own placeholders look like `{{DELIM_0}}`
  if (MAY_HOLD_ADDRESS.test(p)) p = p.replace(URI_OR_EMAIL, hideAddress);
  if (MAY_HOLD_ELLIPSIS.test(p)) {
    p = p
      .replace(BRACKETED_ELLIPSIS, maskAll)
      .replace(SPACED_ELLIPSIS, maskAll)
      .replace(ELLIPSIS, (m, offset: number, all: string) =>
        followedBy(CAPITAL_FOLLOWS, all, offset + m.length) ? m : maskAll(m),
      );
  }
  return (
    p
      .replace(DECIMAL, `$1${MASK}`)
      .replace(BEFORE_APOSTROPHE, MASK)
      .replace(TITLE, maskLast)
      .replace(BEFORE_NUMBER, maskLast)
      .replace(INITIALISM, (m, offset: number, all: string) => {
        const inner = maskAll(m.slice(0, -1)) + '.';
        const ends = INTRODUCES.test(m)
          ? followedBy(ONLY_SPACE, all, offset + m.length)
          : opensSentence(all, offset, offset + m.length, TIME.test(m), usage);
        return ends ? inner : maskLast(inner);
      })
      .replace(POSTPOSITIVE, (m, offset: number, all: string) =>
        opensSentence(all, offset, offset + m.length, false, usage) ? m : maskLast(m),
      )
      .replace(INITIAL, (m, offset: number, all: string) => {
        const next = nextWord(all, offset + m.length);
        const previous = PREVIOUS_TOKEN.exec(all.slice(Math.max(0, offset - 40), offset))?.[1] ?? '';
        // `you and I. Jones …` is the pronoun; `Albert I. Jones` an initial.
        const initial = m !== 'I.' || previous === '' || /^[("“‘'[]*\p{Lu}/u.test(previous) || /[.!?:;]$/.test(previous);
        return next !== undefined && /^\p{Lu}/u.test(next) && !STARTERS.has(next) && initial ? maskLast(m) : m;
      })
      .replace(ENUMERATOR, `$1$2${MASK}`)
      // natural guards every number with a placeholder, which costs it a regex per
      // number per sentence; decimal points are masked already, so hide the digits.
      .replace(/\d/g, '#')
  );
}

function hideAddress(m: string): string {
  const address = m.replace(TRAILING_PUNCTUATION, '');
  return 'x'.repeat(address.length) + m.slice(address.length);
}

function maskAll(m: string): string {
  return m.replace(/[.…]/g, MASK);
}

function maskLast(m: string): string {
  return m.slice(0, -1) + MASK;
}

/**
 * Whether a sentence starts at `index`, right after an abbreviation at `offset` that may or may
 * not end the sentence before (`U.S.`, `M.Sc.`, `p.m.`, `Co.`). Weighs what follows:
 *   - the end of the line, or a word from the closed list of sentence starters (`The`, `Both`,
 *     `It`): a new sentence;
 *   - a lower-case word, a number or a dash: the same sentence;
 *   - after a time (`p.m.`), any capital but a time zone, a day or a month (`8 p.m. Eastern`,
 *     `9 a.m. Wednesday`), unless the sentence so far is only a time phrase (`At 5 a.m. Mr. …`);
 *   - otherwise a capitalised word is taken for a name going on (`U.S. Senate`, `Inc. Chief
 *     Executive`), unless the text itself shows it is a common word: written in lower case
 *     elsewhere and never capitalised inside a sentence (`… the U.S. Officials said …` in an
 *     article that speaks of `officials`), it is no part of an institution's name (`Senate`,
 *     `Government`), the word after it is not capitalised too (a Title Case headline) and the
 *     sentence so far is more than `The U.S.`. This is Punkt's orthographic heuristic (Kiss &
 *     Strunk 2006) with a news writer's caution.
 * In doubt it keeps the sentence whole: a wrong split cuts a sentence that tags cannot cross.
 */
function opensSentence(s: string, offset: number, index: number, time: boolean, usage: WordUsage): boolean {
  if (followedBy(ONLY_SPACE, s, index)) return true;
  NEXT_TWO_WORDS.lastIndex = index;
  const found = NEXT_TWO_WORDS.exec(s);
  const next = found?.[1];
  if (next === undefined || !/^\p{Lu}/u.test(next)) return false;
  if (STARTERS.has(next)) return true;
  const after = found?.[2];
  if (time) {
    return !AFTER_TIME.has(next) && after !== 'time' && !isFrontedTime(sentenceBefore(s, offset));
  }
  return (
    !NAME_PARTS.has(next) &&
    (after === undefined || !/^\p{Lu}/u.test(after)) &&
    sentenceBefore(s, offset).trim().split(/\s+/).length > 1 &&
    usage.isCommonWord(next)
  );
}

/** The sentence up to `offset`: what follows the last sentence end before it (looking 60 characters back). */
function sentenceBefore(s: string, offset: number): string {
  const before = s.slice(Math.max(0, offset - 60), offset);
  let start = 0;
  for (const m of before.matchAll(SENTENCE_END)) start = m.index + m[0].length;
  return before.slice(start);
}

/** `sentence` (up to a time) is a short phrase like `At 5` or `Shortly after 9`. */
function isFrontedTime(sentence: string): boolean {
  return FRONTED_TIME.test(sentence) && sentence.trim().split(/\s+/).length <= 3;
}

function nextWord(s: string, index: number): string | undefined {
  NEXT_WORD.lastIndex = index;
  return NEXT_WORD.exec(s)?.[1];
}

function followedBy(re: RegExp, s: string, index: number): boolean {
  re.lastIndex = index;
  return re.test(s);
}

function trimmed(text: string, start: number, end: number): Range | null {
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return start < end ? { start, end } : null;
}

function pushTrimmed(text: string, start: number, end: number, out: Range[]): void {
  const range = trimmed(text, start, end);
  if (range !== null) out.push(range);
}

function isSpace(code: number): boolean {
  return code <= 0x20 ? code === 0x20 || (code >= 0x09 && code <= 0x0d) : /\s/.test(String.fromCharCode(code));
}

/** A regex for any of the space-separated `words` followed by a period and `lookahead`. */
function abbreviations(words: string, lookahead: string): RegExp {
  return new RegExp(`\\b(?:${words.split(' ').map(escapeRegExp).join('|')})\\.${lookahead}`, 'gu');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
