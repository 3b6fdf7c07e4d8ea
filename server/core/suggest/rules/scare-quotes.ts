// Scare quotes: quotation marks around a word or short phrase that hold it at arm's length
// ("its 'core principles'", "the so-called “reforms”") rather than report what someone said.
// What tells them apart from a quotation, in order of weight:
//   - length: 1–4 words (a quoted clause is reporting);
//   - no sentence inside: no closing . ! ? within the marks, no pronoun subject or auxiliary verb
//     ("'will make every effort'"), no preposition first ("in and around Ukraine");
//   - no attribution: not followed by `," she said`, not after a colon or a speech verb, not the
//     start of the sentence;
//   - grammar that uses the words as a name: after a determiner or possessive ("its 'reforms'"),
//     after so-called / dubbed / what they call; not after "to" (a reported order: to 'withdraw
//     its forces') and not a title after "titled" / "entitled".
import type { SentenceAnalysis } from '../analyse.js';
import type { RuleHit } from './hit.js';

const CLAUSE_WORDS = new Set(
  'i we you he she they it is are was were be been being will would can could shall should must may might have has had do does did not'.split(' '),
);
const PREPOSITIONS = new Set('in on at around into onto from with by for of about against over under between after before during'.split(' '));
const NAMING_BEFORE = /(?:\b(?:its|their|his|her|our|the|a|an|this|these|those|so-called|so called|dubbed|called|termed|branded|labelled|labeled|call|calls)|what (?:it|they|he|she|we) (?:calls?|called|describes? as|described as))\s*$/iu;
const SPEECH_BEFORE = /(?:[:]|\b(?:said|says|say|told|tells|added|asked|replied|wrote|shouted|declared|stated))\s*$/iu;
const TITLE_BEFORE = /\b(?:titled|entitled|named|headlined)\s*$/iu;
const ATTRIBUTION_AFTER = /^[,]?\s+(?:(?:\p{Lu}[\p{L}.'’-]*|he|she|they|we|i)\s+){0,4}(?:said|says|told|added|asked|replied|wrote|insisted|claimed|warned|argued|noted|stressed|explained|declared)\b/u;

const BASE = [0, 0.75, 0.7, 0.6, 0.5];

export function scareQuoteHits(a: SentenceAnalysis): RuleHit[] {
  const out: RuleHit[] = [];
  const { text, tokens } = a;
  for (const q of a.quotes) {
    const count = q.last - q.first + 1;
    const base = BASE[count];
    if (base === undefined || base === 0) continue;
    const inner = text.slice(q.start + 1, q.end - 1).trim();
    const before = text.slice(a.range.start, q.start);
    const after = text.slice(q.end, a.range.end);
    const inside = tokens.slice(q.first, q.last + 1);
    const firstWord = inside[0];
    if (!firstWord) continue;
    if (/[.!?]$/.test(inner)) continue; // a sentence of its own
    if (before.trim() === '') continue; // the sentence opens with it: a quotation
    if (ATTRIBUTION_AFTER.test(after) || SPEECH_BEFORE.test(before) || TITLE_BEFORE.test(before)) continue;
    if (inside.some((t) => CLAUSE_WORDS.has(t.lower))) continue;
    if (PREPOSITIONS.has(firstWord.lower)) continue;
    let score = base;
    if (NAMING_BEFORE.test(before)) score += 0.1;
    if (/\bto\s*$/iu.test(before)) score *= 0.3; // to 'withdraw its forces': a reported demand
    if (count >= 2 && /ed$/.test(firstWord.lower)) score *= 0.4; // 'expressed serious concern': a verb phrase
    if (/,$/.test(inner)) score *= 0.6; // "…," inside the marks usually ends a quotation
    out.push({ rule: 'scare-quotes', start: q.start, end: q.end, first: q.first, last: q.last, score: Math.min(0.9, score) });
  }
  return out;
}
