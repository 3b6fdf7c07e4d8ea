// Page furniture: the lines around a news article that are not its text — the outlet's name,
// the byline, the date line, credits, dividers. The import preview ticks them to be left out;
// the researcher has the last word. Pure: no I/O.

/** Why a sentence looks like furniture, or null when it reads as article text. */
export type FurnitureKind = 'byline' | 'date' | 'credit' | 'divider' | 'short';

const MONTHS =
  'january february march april may june july august september october november december ' +
  'jan feb mar apr jun jul aug sep sept oct nov dec';
const DAYS = 'monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun';
const ZONES = 'am pm a.m p.m gmt utc bst cet cest eet eest et est edt ct cst cdt mt mst mdt pt pst pdt ist jst aest aedt msk';
/** What a date line may say besides the date: `Published: Monday 3 March 2025, 14:05 GMT`. */
const DATE_LABEL = 'published updated posted modified first last originally date dated on at';
const DATE_WORDS = new Set(`${MONTHS} ${DAYS} ${ZONES} ${DATE_LABEL}`.split(' '));
const MONTH_OR_DAY = new Set(`${MONTHS} ${DAYS}`.split(' '));
/** A number in a date or time: `3`, `3rd`, `2025`, `03/03/2025`, `2025-03-03`, `14:05`, `10.14`. */
const DATE_NUMBER = /^\d{1,4}(?:st|nd|rd|th)?(?:[/.:-]\d{1,4}){0,2}$/;

/** `By Maria Delgado, Staff Reporter`, `By JANE DOE and JOHN ROE | Reuters`, `Words by …`. */
const BYLINE = /^(?:(?:words|written|story|text|reporting|report|photos?|pictures?)\s+)?by\s+(?:\p{Lu}|@)/iu;
/** `(Reporting by …; Editing by …)`, `Photo: Reuters`, `© 2025 Reuters`, `All rights reserved.` */
const CREDIT =
  /^\(?(?:(?:additional\s+)?(?:reporting|writing|editing|compiled|translated)\s+by\b|(?:photo|image|picture|video|graphic|source)s?(?:\s+credit)?\s*:|©|\(c\)\s|copyright\b|all rights reserved\b)/iu;
/** Closing punctuation: the end of a sentence, a closing quotation mark or bracket. */
const CLOSED = /[.!?…"”'’»)\]]$/u;
const SENTENCE_END = /[.!?…]["”'’»)\]]*$/u;

/** Why `sentence` (one sentence of an article being imported) looks like page furniture, or null. */
export function furnitureKind(sentence: string): FurnitureKind | null {
  const s = sentence.trim();
  if (s === '') return null;
  if (!/[\p{L}\p{N}]/u.test(s)) return 'divider';
  if (CREDIT.test(s)) return 'credit';
  const words = s.split(/\s+/);
  if (isDateLine(words)) return 'date';
  const byline = BYLINE.exec(s);
  if (byline !== null && !SENTENCE_END.test(s) && words.length <= 12 && isNameList(s.slice(byline[0].length - 1).split(/\s+/))) {
    return 'byline';
  }
  // Outlet names, section labels and blog widgets: a few words with no closing punctuation.
  // A line ending in a closing quote or bracket is text (`‘We will win’`, `(in Kyiv)`), not furniture.
  if (words.length <= 3 && !CLOSED.test(s)) return 'short';
  return null;
}

/** Whether `sentence` looks like furniture (see furnitureKind). */
export function looksLikeFurniture(sentence: string): boolean {
  return furnitureKind(sentence) !== null;
}

/** Every word is part of a date or time, and there is a number and a month or day name among them. */
function isDateLine(words: string[]): boolean {
  let number = false;
  let named = false;
  for (const raw of words) {
    const word = raw.toLowerCase().replace(/^[(\[|–—-]+|[,.:;)\]|–—-]+$/g, '');
    if (word === '' || word === 'of' || word === 'the') continue;
    if (DATE_NUMBER.test(word)) number = true;
    else if (MONTH_OR_DAY.has(word)) named = true;
    else if (!DATE_WORDS.has(word)) return false;
  }
  return number && (named || words.some((w) => /\d[/.-]\d.*[/.-]\d/.test(w)));
}

/** After `By`: capitalised names (any case for the rest), joined by `and`, `&`, commas, `|`, `/`, dashes, `for`, `in`. */
function isNameList(words: string[]): boolean {
  let names = 0;
  for (const raw of words) {
    const word = raw.replace(/[,;|/]+$/, '');
    if (word === '' || /^(?:and|&|\||\/|[–—-]|for|in|at|of|the|with)$/i.test(word)) continue;
    if (!/^[@\p{Lu}][\p{L}\p{M}'’.-]*$/u.test(word)) return false;
    names++;
  }
  return names > 0;
}
