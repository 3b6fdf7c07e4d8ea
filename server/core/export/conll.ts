// CoNLL-style columns: one token per line (token, start, end, then one BIO column per category,
// since tags may overlap), a blank line between sentences.
import type { Annotation, Article, Range } from '../model.js';

export function conll(
  article: Article,
  annotation: Annotation,
  categoryIds: string[],
  words: (article: Article, range: Range) => Range[],
): string {
  const out = [`# article = ${article.id}`, `# columns = token start end ${categoryIds.join(' ')}`];
  article.sentences.forEach((range, s) => {
    out.push(`# sentence = ${s + 1}`);
    const tags = annotation.tags.filter((t) => t.sentence === s);
    for (const word of words(article, range)) {
      const labels = categoryIds.map((category) => {
        const tag = tags.find((t) => t.category === category && t.start < word.end && t.end > word.start);
        if (!tag) return 'O';
        return tag.start >= word.start ? `B-${category}` : `I-${category}`;
      });
      out.push([article.text.slice(word.start, word.end), word.start, word.end, ...labels].join('\t'));
    }
    out.push('');
  });
  return `${out.join('\n')}\n`;
}
