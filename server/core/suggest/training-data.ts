// Which tags the learned suggester learns from (and the live quality is measured against): the
// accepted ones. Where a curator settled a sentence (the gold layer, core/curation/layer.ts:
// its `reviewed` sentences are those gold speaks for), gold's spans there are taken as they are.
// Elsewhere a tag is accepted when enough of the article's
// annotators agree on it: tags of one category in one sentence that overlap form a group, and a
// group with tags by at least `max(2, ⌈share × annotators⌉)` different annotators is accepted,
// as the span most of them chose (ties: the shortest, then the first). An article with a single
// annotator has no one to disagree: their tags are taken (a researcher annotating alone teaches
// the model as INCEpTION's recommenders learn from the user's own annotations), unless
// `single: 'skip'`.
//
// Only sentences that count as annotated teach the model anything (an untagged sentence nobody
// has read is no evidence that it holds nothing): those gold speaks for, and those tagged or
// marked reviewed by as many annotators as acceptance needs.
import type { Annotation, Article, Tag } from '../model.js';
import type { LabelledArticle, LabelledSpan } from './types.js';

export interface SelectionOptions {
  /** This article's gold layer, if any: its spans are taken as they are on the sentences it marks reviewed. */
  gold?: Annotation | null;
  /** Share of the article's annotators that must agree (default 0.5: a majority). */
  share?: number;
  /** What to do with an article only one annotator worked on (default `accept`). */
  single?: 'accept' | 'skip';
}

function worked(a: Annotation): boolean {
  return a.tags.length > 0 || a.reviewed.length > 0;
}

function covered(a: Annotation): Set<number> {
  return new Set([...a.reviewed, ...a.tags.map((t) => t.sentence)]);
}

const spanOf = (t: Tag): LabelledSpan => ({ sentence: t.sentence, start: t.start, end: t.end, category: t.category });

/** The accepted tags of one article, or null when it teaches nothing yet. */
export function acceptedTags(article: Article, annotations: readonly Annotation[], options: SelectionOptions = {}): LabelledArticle | null {
  const agreed = agreedTags(article, annotations, options);
  const curated = options.gold?.reviewed.filter((s) => s >= 0 && s < article.sentences.length) ?? [];
  if (curated.length === 0) return agreed;
  const fromGold = new Set(curated);
  const spans = [...(agreed?.spans ?? []).filter((s) => !fromGold.has(s.sentence)), ...(options.gold?.tags ?? []).filter((t) => fromGold.has(t.sentence)).map(spanOf)];
  return {
    id: article.id,
    text: article.text,
    sentences: article.sentences,
    annotated: [...new Set([...(agreed?.annotated ?? []), ...curated])].sort((x, y) => x - y),
    spans: spans.sort(bySpan),
    curated: [...fromGold].sort((x, y) => x - y),
  };
}

const bySpan = (x: LabelledSpan, y: LabelledSpan) => x.start - y.start || x.end - y.end || x.category.localeCompare(y.category);

/** The tags the article's annotators agree on (see the file comment), or null when it teaches nothing yet. */
function agreedTags(article: Article, annotations: readonly Annotation[], options: SelectionOptions): LabelledArticle | null {
  const base = { id: article.id, text: article.text, sentences: article.sentences };
  const workers = annotations.filter((a) => a.articleId === article.id && worked(a));
  if (workers.length === 0) return null;
  if (workers.length === 1) {
    const only = workers[0];
    if (!only || options.single === 'skip') return null;
    return { ...base, annotated: [...covered(only)].sort((x, y) => x - y), spans: only.tags.map(spanOf) };
  }
  const need = Math.max(2, Math.ceil((options.share ?? 0.5) * workers.length));

  const sentenceVotes = new Map<number, number>();
  for (const a of workers) for (const s of covered(a)) sentenceVotes.set(s, (sentenceVotes.get(s) ?? 0) + 1);
  const annotated = [...sentenceVotes].filter(([, votes]) => votes >= need).map(([s]) => s).sort((x, y) => x - y);

  // Groups of overlapping tags per sentence and category: sort by start, sweep.
  const byKey = new Map<string, Tag[]>();
  for (const a of workers) {
    for (const t of a.tags) {
      const key = `${t.sentence}\u0000${t.category}`;
      const list = byKey.get(key);
      if (list) list.push(t);
      else byKey.set(key, [t]);
    }
  }
  const spans: LabelledSpan[] = [];
  for (const tags of byKey.values()) {
    tags.sort((x, y) => x.start - y.start || x.end - y.end);
    let group: Tag[] = [];
    let reach = -1;
    const close = () => {
      if (new Set(group.map((t) => t.annotatorId)).size >= need) spans.push(spanOf(mostChosen(group)));
      group = [];
    };
    for (const t of tags) {
      if (group.length > 0 && t.start >= reach) close();
      group.push(t);
      reach = Math.max(reach, t.end);
    }
    if (group.length > 0) close();
  }
  spans.sort(bySpan);
  return { ...base, annotated, spans };
}

/** The span most annotators of a group chose (each annotator counted once per span). */
function mostChosen(group: readonly Tag[]): Tag {
  const votes = new Map<string, { tag: Tag; voters: Set<string> }>();
  for (const t of group) {
    const key = `${t.start}:${t.end}`;
    const entry = votes.get(key) ?? { tag: t, voters: new Set<string>() };
    entry.voters.add(t.annotatorId);
    votes.set(key, entry);
  }
  const ranked = [...votes.values()].sort(
    (x, y) =>
      y.voters.size - x.voters.size ||
      x.tag.end - x.tag.start - (y.tag.end - y.tag.start) ||
      x.tag.start - y.tag.start,
  );
  const best = ranked[0];
  if (!best) throw new Error('empty group');
  return best.tag;
}

/** The accepted tags of every article that has any annotated sentence. */
export function trainingSet(
  articles: readonly Article[],
  annotationsOf: (articleId: string) => readonly Annotation[],
  options: Omit<SelectionOptions, 'gold'> & { gold?: (articleId: string) => Annotation | null } = {},
): LabelledArticle[] {
  const out: LabelledArticle[] = [];
  for (const article of articles) {
    const selected = acceptedTags(article, annotationsOf(article.id), { ...options, gold: options.gold?.(article.id) ?? null });
    if (selected && selected.annotated.length > 0) out.push(selected);
  }
  return out;
}
