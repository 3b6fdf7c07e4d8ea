// Slanted reporting verbs: a listed form counts only where it introduces someone's words —
// "Stoltenberg indicated that…", "…," she insisted — not where it is a noun ("the claims") or
// takes a plain object ("claimed responsibility", "admitting new members").
import type { SentenceAnalysis, Token } from '../analyse.js';
import { PhraseList } from '../phrases.js';
import { reportingVerbForms, type Slant } from '../lexicons/reporting-verbs.js';
import type { RuleId } from '../rule-ids.js';
import type { RuleHit } from './hit.js';

const FORMS = new PhraseList(reportingVerbForms());

const DETERMINERS = new Set('the a an this these those his her its their our my your such any no every each another some many new'.split(' '));
const AUXILIARIES = new Set('is are was were will would could can should must has have had did does do may might'.split(' '));
/** "claimed responsibility", "admitted defeat", "revealed plans": the verb takes a thing, not words. */
const THING_OBJECTS = new Set('responsibility victory defeat credit lives seats seat title titles control ownership power territory plans details names'.split(' '));
const PRONOUNS = new Set(['he', 'she', 'they', 'we', 'i', 'it', 'you']);
/** After a quotation: `…," Putin claimed` / `…," he insisted` / `…, officials alleged`. */
const AFTER_QUOTE_OR_COMMA = /[,:]["”’']?\s+(?:(?:\p{Lu}[\p{L}.'’-]*|he|she|they|we|i|it|officials|critics|the\s+\p{L}+)\s+){0,4}$/u;
const BEFORE_WORDS = /^\s*(?:[,:]|["“‘'])/u;

export interface ReportingVerbMatch {
  first: number;
  last: number;
  slant: Slant;
  /** The form's score times how surely it introduces speech here (0 when it does not). */
  score: number;
}

/** How surely the verb at tokens first…last introduces speech: 1, 0.7, 0.5, or 0 (it does not). */
function speechContext(a: SentenceAnalysis, first: number, last: number): number {
  const { tokens, text } = a;
  const before: Token | undefined = tokens[first - 1];
  const after: Token | undefined = tokens[last + 1];
  const verbStart = tokens[first]?.start ?? 0;
  const verbEnd = tokens[last]?.end ?? 0;
  if (before && DETERMINERS.has(before.lower) && text.slice(before.end, verbStart).trim() === '') return 0;
  if (after && DETERMINERS.has(after.lower) && text.slice(verbEnd, after.start).trim() === '') {
    // "claimed the lives of…" takes an object; "claimed the plan would fail" a clause without "that".
    return tokens.slice(last + 2, last + 6).some((t) => AUXILIARIES.has(t.lower)) ? 1 : 0;
  }
  if (after && THING_OBJECTS.has(after.lower)) return 0;
  if (after?.lower === 'that' || (after && PRONOUNS.has(after.lower))) return 1;
  if (BEFORE_WORDS.test(text.slice(verbEnd, verbEnd + 3))) return 1;
  if (AFTER_QUOTE_OR_COMMA.test(text.slice(a.range.start, verbStart))) return 1;
  if (after?.lower === 'to' || after?.lower === 'on') return 0.7;
  if (before && (PRONOUNS.has(before.lower) || /^\p{Lu}/u.test(text.slice(before.start, before.end)))) return 0.7;
  return 0.5;
}

const found = new WeakMap<SentenceAnalysis, ReportingVerbMatch[]>();

export function reportingVerbMatches(a: SentenceAnalysis): ReportingVerbMatch[] {
  let matches = found.get(a);
  if (!matches) {
    matches = FORMS.find(a.tokens).map((m) => ({
      first: m.first,
      last: m.last,
      slant: m.value.slant,
      score: m.value.score * speechContext(a, m.first, m.last),
    }));
    found.set(a, matches);
  }
  return matches;
}

const RULE_OF: Record<Exclude<Slant, 'neutral'>, RuleId> = {
  doubting: 'reporting-verbs:doubting',
  crediting: 'reporting-verbs:crediting',
  conceding: 'reporting-verbs:conceding',
  interpreting: 'reporting-verbs:interpreting',
  emotive: 'reporting-verbs:emotive',
};

export function reportingVerbHits(a: SentenceAnalysis): RuleHit[] {
  const out: RuleHit[] = [];
  for (const m of reportingVerbMatches(a)) {
    if (m.slant === 'neutral' || m.score <= 0) continue;
    const first = a.tokens[m.first];
    const last = a.tokens[m.last];
    if (!first || !last) continue;
    out.push({ rule: RULE_OF[m.slant], start: first.start, end: last.end, first: m.first, last: m.last, score: m.score });
  }
  return out;
}
