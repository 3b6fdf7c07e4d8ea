// CoNLL-style columns, one file per article and annotator: one token per line (token, start, end
// in UTF-16 code units, start_cp, end_cp in code points, then one BIO column per category, as in
// WebAnno TSV and multi-column CoNLL, since tags of different categories may overlap), a blank
// line between sentences. Before each sentence's tokens, comment lines (`# key = value`, never a
// tab) give its number, text, whether the annotator reviewed it, and any spans of one category
// that share a token (a BIO column holds their union: the comment keeps each span).
//
// Every non-space character is in a token: the words, and each run of one punctuation mark or
// symbol (`“`, `...`, `—`, an emoji). A tag's first token is always `B-`, so BIO is valid even
// when a tag starts inside a word or on a quotation mark.
import type { Annotation, Article, Range, Tag } from '../model.js';
import { reviewedSentences } from '../spans.js';
import { exportedText, type ExportedText } from '../offsets.js';

// Made on the first export, not at start: ICU loads its break rules then (30–130 ms here).
let graphemes: Intl.Segmenter | null = null;

/** The words of `range` (as `words` gives them) and, between them, every other non-space run. */
export function conllTokens(text: string, range: Range, words: Range[]): Range[] {
  const out: Range[] = [];
  const others = (from: number, to: number) => {
    let run: Range | null = null;
    let runText = '';
    graphemes ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
    for (const { segment, index } of graphemes.segment(text.slice(from, to))) {
      const start = from + index;
      if (/^\s+$/u.test(segment)) {
        run = null;
        continue;
      }
      // `...`, `--`, `!!` stay one token; `.”` are two.
      if (run && runText === segment && run.end === start) run.end = start + segment.length;
      else {
        run = { start, end: start + segment.length };
        runText = segment;
        out.push(run);
      }
    }
  };
  let at = range.start;
  for (const word of words) {
    others(at, word.start);
    out.push({ start: word.start, end: word.end });
    at = word.end;
  }
  others(at, range.end);
  return out;
}

/** Tags of one category grouped where they share a token: each group is one B-I… run. */
function runs(tags: Tag[], tokens: Range[]): { first: number; last: number; tags: Tag[] }[] {
  const touched = tags
    .map((tag) => {
      let first = -1;
      let last = -1;
      tokens.forEach((t, i) => {
        if (t.start < tag.end && t.end > tag.start) {
          if (first < 0) first = i;
          last = i;
        }
      });
      return { first, last, tag };
    })
    .filter((x) => x.first >= 0)
    .sort((a, b) => a.first - b.first || a.last - b.last);
  const out: { first: number; last: number; tags: Tag[] }[] = [];
  for (const x of touched) {
    const open = out[out.length - 1];
    if (open && x.first <= open.last) {
      open.last = Math.max(open.last, x.last);
      open.tags.push(x.tag);
    } else out.push({ first: x.first, last: x.last, tags: [x.tag] });
  }
  return out;
}

export function conll(
  article: Article,
  annotation: Annotation,
  categoryIds: string[],
  words: (article: Article, range: Range) => Range[],
  view: ExportedText = exportedText(article.text),
): string {
  const reviewed = reviewedSentences(annotation);
  const out = [
    `# article = ${article.id}`,
    '# offsets = start end: UTF-16 code units; start_cp end_cp: code points (Python str indexes); end exclusive',
    `# columns = token start end start_cp end_cp ${categoryIds.join(' ')}`,
  ];
  article.sentences.forEach((range, s) => {
    const tags = annotation.tags.filter((t) => t.sentence === s);
    const tokens = conllTokens(article.text, range, words(article, range));
    const labels = tokens.map(() => categoryIds.map(() => 'O'));
    const notes: string[] = [];
    categoryIds.forEach((category, c) => {
      const own = tags.filter((t) => t.category === category).sort((a, b) => a.start - b.start || a.end - b.end);
      for (const run of runs(own, tokens)) {
        for (let i = run.first; i <= run.last; i++) {
          const row = labels[i];
          if (row) row[c] = `${i === run.first ? 'B' : 'I'}-${category}`;
        }
        if (run.tags.length > 1) notes.push(`# overlap = ${category} ${run.tags.map((t) => `${t.start}-${t.end}`).join(' ')}`);
      }
      // A tag on spaces only touches no token; it is kept here, not lost.
      for (const t of own) {
        if (!tokens.some((k) => k.start < t.end && k.end > t.start)) notes.push(`# no-token = ${category} ${t.start}-${t.end}`);
      }
    });
    out.push(
      `# sentence = ${s + 1}`,
      `# text = ${article.text.slice(range.start, range.end)}`,
      `# reviewed = ${!reviewed.has(s) ? 'no' : tags.length > 0 ? 'yes' : 'nothing-here'}`,
      ...notes,
    );
    tokens.forEach((token, i) => {
      out.push(
        [article.text.slice(token.start, token.end), token.start, token.end, view.toCodePoint(token.start), view.toCodePoint(token.end), ...(labels[i] ?? [])].join('\t'),
      );
    });
    out.push('');
  });
  return `${out.join('\n')}\n`;
}
