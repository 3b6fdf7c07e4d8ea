// Students' nicknames: the form shown, the key two nicknames are compared by, and the look-alikes
// a teacher should know about. Pure: no I/O.
//
// Invisible characters (Unicode's default-ignorable code points: joiners, bidi controls,
// variation selectors, fillers …) would let `Sam`, `Sam`+U+200D and U+200D+`Sam` join one class
// as three students who look the same. Nicknames are therefore compared without any of them,
// under NFKC and case folding; a nickname's shown form keeps only the joiners that do something
// visible (inside an emoji sequence such as 👩‍💻, or between letters as in Persian or Hindi).
// Letters from different alphabets that look alike (Cyrillic `Ѕ` in `Ѕam`) cannot all be told
// from real names, so they are not refused but shown to the teacher (nicknameFlags).
import unhomoglyph from 'unhomoglyph';

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
const PICTOGRAPH = /\p{Extended_Pictographic}/u;
/** Letters of scripts whose spelling uses joiners (Arabic, Persian, Indic …), not Latin. */
const LETTER = /(?!\p{Script=Latin})[\p{L}\p{M}]/u;
const SKIN_TONE = /[\u{1F3FB}-\u{1F3FF}]/u;
const TAG = /[\u{E0020}-\u{E007F}]/u;
const KEYCAP_BASE = /[0-9#*]/;
/** Control characters, and format characters other than the joiners and tags kept above. */
const FORBIDDEN = /\p{Cc}|(?![\u200c\u200d\u{E0020}-\u{E007F}])\p{Cf}/u;

/** Whether the default-ignorable `c` at `i` of `chars` does something visible and stays in the shown form. */
function keeps(chars: string[], i: number): boolean {
  const c = chars[i] ?? '';
  let before = i - 1;
  // An emoji's variation selector or skin tone sits between it and a following joiner.
  while (before >= 0 && (chars[before] === '\ufe0f' || SKIN_TONE.test(chars[before] ?? ''))) before--;
  const prev = chars[before] ?? '';
  const next = chars[i + 1] ?? '';
  if (c === '\u200d') return (PICTOGRAPH.test(prev) && PICTOGRAPH.test(next)) || (LETTER.test(chars[i - 1] ?? '') && LETTER.test(next));
  if (c === '\u200c') return LETTER.test(chars[i - 1] ?? '') && LETTER.test(next);
  // Emoji presentation (❤️) and keycaps (1️⃣).
  if (c === '\ufe0f' || c === '\ufe0e') return PICTOGRAPH.test(chars[i - 1] ?? '') || KEYCAP_BASE.test(chars[i - 1] ?? '');
  // Flag tag sequences (🏴 + tags, as in the flag of Scotland).
  if (TAG.test(c)) return chars[i - 1] === '\u{1F3F4}' || TAG.test(chars[i - 1] ?? '');
  return false;
}

/**
 * A nickname as shown: NFC, invisible characters removed but for those inside emoji sequences
 * and between letters, single spaces, trimmed. Null when nothing is left, when it is longer than
 * `maxLength` UTF-16 code units (as the stored file's schema counts), or when it holds control
 * or other format characters.
 */
export function displayNickname(input: string, maxLength: number): string | null {
  const chars = [...input.normalize('NFC')];
  const kept = chars.filter((c, i) => !/\p{Default_Ignorable_Code_Point}/u.test(c) || keeps(chars, i));
  const name = kept.join('').replace(/\s+/gu, ' ').trim();
  if (name.length === 0 || name.length > maxLength || FORBIDDEN.test(name)) return null;
  // A joiner left at an end, once spaces are trimmed, joins nothing.
  if (/^[\u200c\u200d]|[\u200c\u200d]$/u.test(name)) return displayNickname(name.replace(/^[\u200c\u200d]+|[\u200c\u200d]+$/gu, ''), maxLength);
  return name;
}

/**
 * What two nicknames are compared by: NFKC with every default-ignorable code point removed and
 * case folded (close to Unicode's NFKC_Casefold). `Sam`, `SAM`, `ｓａｍ`, ` sam `, `Sam`+U+200D
 * and U+200D+`Sam` all give `sam`.
 */
export function nicknameKey(nickname: string): string {
  return caseFold(bare(nickname));
}

/** NFKC without default-ignorable code points, single spaces, trimmed. */
function bare(nickname: string): string {
  return nickname.normalize('NFKC').replace(IGNORABLE, '').replace(/\s+/gu, ' ').trim();
}

/** Upper then lower case folds more than lower alone: ß and SS, ς and σ meet. */
function caseFold(text: string): string {
  return text.toUpperCase().toLowerCase().normalize('NFKC');
}

/**
 * UTS #39's skeleton, case folded: look-alike nicknames (`Sam` and Cyrillic `Ѕam`, `Ali` and
 * `AIi`, `rn` and `m`) share it. Taken before folding, since capitals have look-alikes too.
 */
export function lookAlikeKey(nickname: string): string {
  return caseFold(unhomoglyph(bare(nickname).normalize('NFD')).normalize('NFD'));
}

/** Scripts that names are written in; a letter of none of them counts as its own. */
const SCRIPTS = [
  'Latin', 'Greek', 'Cyrillic', 'Armenian', 'Georgian', 'Hebrew', 'Arabic', 'Syriac', 'Thaana', 'Devanagari', 'Bengali',
  'Gurmukhi', 'Gujarati', 'Oriya', 'Tamil', 'Telugu', 'Kannada', 'Malayalam', 'Sinhala', 'Thai', 'Lao', 'Tibetan',
  'Myanmar', 'Khmer', 'Mongolian', 'Ethiopic', 'Cherokee', 'Hangul', 'Hiragana', 'Katakana', 'Bopomofo', 'Han',
] as const;
const SCRIPT_TESTS = SCRIPTS.map((name) => ({ name, test: new RegExp(`\\p{Script_Extensions=${name}}`, 'u') }));
/** Writing systems that mix scripts by design (UTS #39's augmented script sets). */
const AUGMENTED: Record<string, string[]> = {
  Han: ['Han', 'Japanese', 'Korean', 'Chinese'],
  Hiragana: ['Japanese'],
  Katakana: ['Japanese'],
  Hangul: ['Korean'],
  Bopomofo: ['Chinese'],
};

/** The scripts of a nickname's letters that do not share one writing system, or [] when they do. */
export function mixedScripts(nickname: string): string[] {
  const seen = new Set<string>();
  const perLetter: Set<string>[] = [];
  for (const c of nickname.normalize('NFKC')) {
    if (!/\p{L}/u.test(c)) continue; // digits, marks, spaces, emoji belong to every script
    const scripts: string[] = SCRIPT_TESTS.filter((s) => s.test.test(c)).map((s) => s.name);
    if (scripts.length === 0) scripts.push('Other');
    for (const s of scripts) seen.add(s);
    perLetter.push(new Set(scripts.flatMap((s) => AUGMENTED[s] ?? [s])));
  }
  const [first, ...rest] = perLetter;
  if (!first) return [];
  const shared = [...first].filter((s) => rest.every((set) => set.has(s)));
  return shared.length > 0 ? [] : [...seen];
}

/** Why a teacher should look twice at a nickname; keyed by the student's id. */
export function nicknameFlags(students: { id: string; nickname: string }[]): Map<string, string> {
  const flags = new Map<string, string>();
  const bySkeleton = new Map<string, { id: string; nickname: string }[]>();
  for (const s of students) {
    const key = lookAlikeKey(s.nickname);
    bySkeleton.set(key, [...(bySkeleton.get(key) ?? []), s]);
  }
  for (const s of students) {
    const reasons: string[] = [];
    const scripts = mixedScripts(s.nickname);
    if (scripts.length > 0) reasons.push(`mixes alphabets (${scripts.join(', ')})`);
    const twins = (bySkeleton.get(lookAlikeKey(s.nickname)) ?? []).filter((t) => t.id !== s.id).map((t) => `“${t.nickname}”`);
    if (twins.length > 0) reasons.push(`looks like ${twins.join(', ')}`);
    if (reasons.length > 0) flags.set(s.id, reasons.join('; '));
  }
  return flags;
}
