// The research design around suggestions: which suggesters a project runs, who sees them (a split
// design shows them to half the annotators), which ones an annotator is still offered, and where
// a tag came from. Pure: decisions from the project's settings and one annotation.
import type { Annotation, Range, Rejection, Tag, TagOrigin } from '../model.js';
import type { SuggesterName, Suggestion } from './types.js';

export const SUGGESTION_MODES = ['off', 'rules', 'learned', 'both'] as const;
export type SuggestionMode = (typeof SUGGESTION_MODES)[number];
export type SuggestionGroup = 'shown' | 'hidden';

export interface SuggestionSettings {
  mode: SuggestionMode;
  split: boolean;
  groups: Record<string, SuggestionGroup>;
  since: string;
}

export const MODE_LABELS: Record<SuggestionMode, string> = {
  off: 'Off',
  rules: 'Rules (lexicons and the codebook’s cues)',
  learned: 'Learned from this project’s accepted tags',
  both: 'Rules and learned',
};

export function suggestersOf(mode: SuggestionMode): SuggesterName[] {
  if (mode === 'both') return ['rules', 'learned'];
  return mode === 'off' ? [] : [mode];
}

/** A fixed half for an annotator in a project (FNV-1a of both ids): the tie-breaker of assignGroups. */
function stableHalf(projectId: string, userId: string): SuggestionGroup {
  let hash = 0x811c9dc5;
  for (const ch of `${projectId}\u0000${userId}`) {
    hash ^= ch.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash & 1 ? 'shown' : 'hidden';
}

/**
 * Split-design groups: an annotator keeps the group they were given (switching an annotator
 * mid-study would mix the conditions); a new one joins the smaller group, or on a tie the half
 * their ids hash to, so the groups stay within one of each other and the result is reproducible.
 */
export function assignGroups(projectId: string, annotators: readonly string[], existing: Readonly<Record<string, SuggestionGroup>>): Record<string, SuggestionGroup> {
  const groups: Record<string, SuggestionGroup> = {};
  const current = new Set(annotators);
  for (const [id, group] of Object.entries(existing)) if (current.has(id)) groups[id] = group;
  const size = (g: SuggestionGroup) => Object.values(groups).filter((x) => x === g).length;
  for (const id of [...annotators].sort()) {
    if (groups[id]) continue;
    const shown = size('shown');
    const hidden = size('hidden');
    groups[id] = shown < hidden ? 'shown' : hidden < shown ? 'hidden' : stableHalf(projectId, id);
  }
  return groups;
}

/** The group an annotator is in (everyone is `shown` without a split design). */
export function groupOf(settings: SuggestionSettings, projectId: string, userId: string): SuggestionGroup {
  if (!settings.split) return 'shown';
  return settings.groups[userId] ?? stableHalf(projectId, userId);
}

/** Whether this user is shown suggestions in this project. */
export function seesSuggestions(settings: SuggestionSettings | undefined, projectId: string, userId: string): boolean {
  return settings !== undefined && settings.mode !== 'off' && groupOf(settings, projectId, userId) === 'shown';
}

const MANUAL: TagOrigin = { kind: 'manual' };

export function originOf(tag: Pick<Tag, 'origin'>): TagOrigin {
  return tag.origin ?? MANUAL;
}

/** A suggestion as forms name it: `start-end-suggester-category` (category ids may hold dashes, so it comes last). */
export function suggestionKey(s: Range & { suggester: string; category: string }): string {
  return `${s.start}-${s.end}-${s.suggester}-${s.category}`;
}

/**
 * Whether an annotator is still offered suggestions in a sentence: not once they marked it
 * "nothing to tag here", and not where all their tags there predate the switching on of
 * suggestions (work done without them stays so). Tagging a sentence does not end its
 * suggestions: each one is a decision of its own, until accepted or rejected.
 */
export function offeredIn(annotation: Annotation, sentence: number, since: string): boolean {
  let tagged = false;
  for (const t of annotation.tags) {
    if (t.sentence !== sentence) continue;
    if (t.createdAt >= since) return true;
    tagged = true;
  }
  // A tag marks its sentence reviewed too (core/spans.ts): only an untagged one was marked by hand.
  return !tagged && !annotation.reviewed.includes(sentence);
}

const overlaps = (a: Range, b: Range) => a.start < b.end && b.start < a.end;

/**
 * What an annotator is offered of a sentence's suggestions: one per span and category (the best
 * scored, if both suggesters propose it), without those they rejected and those their own tags
 * of that category already cover. In text order.
 */
export function pendingSuggestions(suggestions: readonly Suggestion[], tags: readonly Tag[], rejected: readonly Rejection[]): Suggestion[] {
  const best = new Map<string, Suggestion>();
  for (const s of suggestions) {
    const key = `${s.start}:${s.end}:${s.category}`;
    const held = best.get(key);
    if (!held || s.score > held.score) best.set(key, s);
  }
  const out: Suggestion[] = [];
  for (const s of best.values()) {
    if (rejected.some((r) => r.sentence === s.sentence && r.start === s.start && r.end === s.end && r.category === s.category)) continue;
    if (tags.some((t) => t.sentence === s.sentence && t.category === s.category && overlaps(t, s))) continue;
    out.push(s);
  }
  return out.sort((x, y) => x.start - y.start || x.end - y.end || x.category.localeCompare(y.category));
}
