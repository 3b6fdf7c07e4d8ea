import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CodebookError, categories, findCategory, parseCodebook } from '../../server/core/codebook.js';
import { VOICES, type Codebook } from '../../server/core/model.js';

const root = new URL('../../', import.meta.url);
const readJson = (path: string): unknown => JSON.parse(readFileSync(new URL(path, root), 'utf8'));
const shipped = {
  framing: readJson('server/codebooks/framing.json'),
  semeval: readJson('server/codebooks/semeval-2023.json'),
  starter: readJson('server/codebooks/starter.json'),
};

/** A small valid codebook to break in the error tests. */
function sample() {
  return {
    schemaVersion: 1,
    id: 'mini',
    name: 'Mini',
    description: '',
    groups: [
      {
        id: 'stance',
        name: 'Stance',
        categories: [
          { id: 'hedge', name: 'Hedge', definition: 'Doubt word.', span: 'The word.', example: 'alleged', colour: '#b3c1ff', key: 'h' },
          { id: 'label', name: 'Label', definition: 'One-sided name.', span: 'The name.', example: 'bloc', colour: '#e5b454', key: 'l' },
        ],
      },
    ],
  };
}

function problemsOf(input: unknown): string[] {
  try {
    parseCodebook(input);
  } catch (e) {
    expect(e).toBeInstanceOf(CodebookError);
    if (e instanceof CodebookError) {
      expect(e.message).toContain(e.problems[0]);
      return e.problems;
    }
  }
  throw new Error('expected parseCodebook to throw');
}

/** WCAG contrast ratio between two `#rrggbb` colours. */
function contrast(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r = 0, g = 0, bl = 0] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
}

describe('shipped codebooks', () => {
  const books: [string, Codebook][] = Object.entries(shipped).map(([name, json]) => [name, parseCodebook(json)]);

  it('parse, and need no normalising (the files are already clean)', () => {
    for (const [name, json] of Object.entries(shipped)) {
      const { schemaVersion: _, ...rest } = json as Record<string, unknown>;
      expect(parseCodebook(json), name).toEqual(rest);
    }
  });

  it('have the expected ids and sizes', () => {
    const framing = parseCodebook(shipped.framing);
    expect(framing.id).toBe('framing');
    expect(framing.groups).toHaveLength(5);
    expect(categories(framing).map((c) => c.id)).toEqual([
      'hedge',
      'presupposed-fact',
      'loaded-label',
      'loaded-language',
      'euphemism-dysphemism',
      'reporting-verb',
      'scare-quotes',
      'sourcing',
      'causal-framing',
      'emphasis',
      'missing-context',
      'persuasion-appeal',
    ]);

    const semeval = parseCodebook(shipped.semeval);
    expect(semeval.id).toBe('semeval-2023');
    expect(semeval.groups.map((g) => g.categories.length)).toEqual([5, 5, 3, 3, 3, 4]);
    expect(categories(semeval)).toHaveLength(23);

    const starter = parseCodebook(shipped.starter);
    expect(starter.id).toBe('starter');
    expect(starter.groups.length).toBeGreaterThanOrEqual(1);
    expect(starter.groups.length).toBeLessThanOrEqual(3);
    expect(categories(starter).map((c) => c.id).sort()).toEqual(
      ['hedge', 'loaded-label', 'loaded-wording', 'missing-context', 'reporting-verb', 'scare-quotes'],
    );
  });

  it('use unique lower-case letter keys, never j or k', () => {
    for (const [name, book] of books) {
      const keys = categories(book).map((c) => c.key);
      expect(new Set(keys).size, name).toBe(keys.length);
      for (const key of keys) {
        expect(key, name).toMatch(/^[a-z]$/);
        expect(['j', 'k'], name).not.toContain(key);
      }
    }
  });

  it('use distinct colours that work as highlights under dark text', () => {
    for (const [name, book] of books) {
      const colours = categories(book).map((c) => c.colour);
      expect(new Set(colours).size, name).toBe(colours.length);
      for (const colour of colours) {
        expect(contrast(colour, '#1a1a1a'), `${name} ${colour} vs dark text`).toBeGreaterThanOrEqual(6.5);
        expect(contrast(colour, '#ffffff'), `${name} ${colour} vs white page`).toBeGreaterThanOrEqual(1.3);
      }
    }
  });

  it('give every category a definition, span guidance and example', () => {
    for (const [name, book] of books) {
      for (const c of categories(book)) {
        expect(c.definition.length, `${name}/${c.id}`).toBeGreaterThan(80);
        expect(c.span, `${name}/${c.id}`).not.toBe('');
        expect(c.example, `${name}/${c.id}`).not.toBe('');
      }
    }
  });

  it('starter categories share colours with the default codebook where they map onto it', () => {
    const framing = parseCodebook(shipped.framing);
    const starter = parseCodebook(shipped.starter);
    const pairs: [string, string][] = [
      ['hedge', 'hedge'],
      ['loaded-label', 'loaded-label'],
      ['loaded-wording', 'loaded-language'],
      ['reporting-verb', 'reporting-verb'],
      ['scare-quotes', 'scare-quotes'],
      ['missing-context', 'missing-context'],
    ];
    for (const [s, f] of pairs) expect(findCategory(starter, s)?.colour).toBe(findCategory(framing, f)?.colour);
  });
});

describe('categories and findCategory', () => {
  it('flatten in order and look up by id', () => {
    const book = parseCodebook(sample());
    expect(categories(book).map((c) => c.id)).toEqual(['hedge', 'label']);
    expect(findCategory(book, 'label')?.key).toBe('l');
    expect(findCategory(book, 'nope')).toBeUndefined();
  });
});

describe('parseCodebook errors', () => {
  it('strips schemaVersion, trims text and lower-cases colours', () => {
    const input = sample();
    const first = input.groups[0]!.categories[0]!;
    first.colour = '#B3C1FF';
    first.name = '  Hedge  ';
    const book = parseCodebook(input);
    expect(book).not.toHaveProperty('schemaVersion');
    expect(book.groups[0]?.categories[0]).toMatchObject({ colour: '#b3c1ff', name: 'Hedge' });
  });

  it('reports a duplicate category id', () => {
    const input = sample();
    input.groups.push({
      id: 'more',
      name: 'More',
      categories: [{ ...input.groups[0]!.categories[0]!, key: 'x' }],
    });
    expect(problemsOf(input)).toEqual([
      'category "hedge": id "hedge" is also used by an earlier category (in group "stance"); category ids must be unique across the codebook',
    ]);
  });

  it('reports a duplicate key and a duplicate group id', () => {
    const input = sample();
    input.groups[0]!.categories[1]!.key = 'h';
    input.groups.push({ id: 'stance', name: 'Again', categories: [{ ...input.groups[0]!.categories[0]!, id: 'other', key: 'o' }] });
    expect(problemsOf(input)).toEqual([
      'category "label": key "h" is already used by category "hedge"',
      'group "stance": id "stance" is also used by group 1; group ids must be unique',
    ]);
  });

  it('reports a bad colour', () => {
    const input = sample();
    input.groups[0]!.categories[1]!.colour = 'red';
    expect(problemsOf(input)).toEqual([
      'category "label": colour "red" must be a colour written as # and six hex digits, like #a1b2c3',
    ]);
  });

  it('reports a reserved or malformed key', () => {
    const input = sample();
    input.groups[0]!.categories[0]!.key = 'j';
    input.groups[0]!.categories[1]!.key = '?';
    expect(problemsOf(input)).toEqual([
      'category "hedge": key "j" is reserved for navigation',
      'category "label": key "?" must be a single lower-case letter or digit',
    ]);
  });

  it('reports unknown extra fields at every level', () => {
    const input = { ...sample(), extra: true };
    Object.assign(input.groups[0]!.categories[0]!, { tooltip: 'x' });
    const problems = problemsOf(input);
    expect(problems).toContain(
      'category "hedge": unknown field "tooltip" (allowed: id, name, definition, span, example, colour, key, cues, suggest)',
    );
    expect(problems).toContain('codebook: unknown field "extra" (allowed: schemaVersion, id, name, description, groups)');
  });

  it('reports an unsupported schemaVersion on its own', () => {
    const problems = problemsOf({ ...sample(), schemaVersion: 2, groups: 'whatever' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^unsupported codebook schemaVersion 2\b/);
    expect(problemsOf({ ...sample(), schemaVersion: '1' })[0]).toMatch(/^unsupported codebook schemaVersion "1"/);
    const { schemaVersion: _, ...noVersion } = sample();
    expect(problemsOf(noVersion)).toEqual(['codebook: schemaVersion is missing (it must be 1)']);
  });

  it('reports missing fields, wrong types and empty lists', () => {
    const input = sample();
    Reflect.deleteProperty(input.groups[0]!.categories[0]!, 'colour');
    expect(problemsOf(input)).toEqual(['category "hedge": colour is missing']);

    expect(problemsOf({ ...sample(), name: 5 })).toEqual(['codebook: name must be text, not the number 5']);
    expect(problemsOf({ ...sample(), groups: [] })).toEqual(['codebook: groups must have at least one group']);
    const emptyGroup = sample();
    emptyGroup.groups[0]!.categories = [];
    expect(problemsOf(emptyGroup)).toEqual(['group "stance": categories must have at least one category']);
    expect(problemsOf(null)).toEqual(['a codebook must be a JSON object, not null']);
    expect(problemsOf([])).toEqual(['a codebook must be a JSON object, not a list']);
  });

  it('reports bad ids, empty names and over-long text, naming categories by position when the id is unusable', () => {
    const input = sample();
    const first = input.groups[0]!.categories[0]!;
    first.id = 'Hedge Words';
    first.name = '   ';
    first.definition = 'x'.repeat(1001);
    first.example = 'y'.repeat(301);
    expect(problemsOf(input)).toEqual([
      'category 1 of group "stance": id "Hedge Words" must be 1–40 lower-case letters, digits or hyphens',
      'category 1 of group "stance": name is empty',
      'category 1 of group "stance": definition is too long (1001 characters; at most 1000)',
      'category 1 of group "stance": example is too long (301 characters; at most 300)',
    ]);
    expect(problemsOf({ ...sample(), name: 'n'.repeat(81) })).toEqual([
      'codebook: name is too long (81 characters; at most 80)',
    ]);
  });

  it('lists every problem in the message', () => {
    const input = sample();
    input.groups[0]!.categories[0]!.key = 'k';
    input.groups[0]!.categories[1]!.colour = '#12345';
    try {
      parseCodebook(input);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(Error);
      const message = e instanceof Error ? e.message : '';
      expect(message).toContain('(2 problems)');
      expect(message).toContain('- category "hedge": key "k" is reserved for navigation');
      expect(message).toContain('- category "label": colour "#12345" must be');
    }
  });
});

describe('demo reference annotation', () => {
  const article = readFileSync(new URL('server/demo/sputnik-nato-talks.txt', root), 'utf8');
  const lines = article.split(/\r?\n/);
  const starter = parseCodebook(shipped.starter);
  const reference = readJson('server/demo/reference.json') as {
    schemaVersion: unknown;
    codebook: unknown;
    tags: Record<string, unknown>[];
  };
  const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;

  it('is a versioned starter-codebook annotation of a sensible size', () => {
    expect(Object.keys(reference).sort()).toEqual(['codebook', 'schemaVersion', 'tags']);
    expect(reference.schemaVersion).toBe(1);
    expect(reference.codebook).toBe('starter');
    expect(reference.tags.length).toBeGreaterThanOrEqual(12);
    expect(reference.tags.length).toBeLessThanOrEqual(18);
  });

  it.each(reference.tags.map((t, i) => [i, t] as const))('tag %i anchors in the article', (_, tag) => {
    expect(Object.keys(tag).sort()).toEqual(['category', 'phrase', 'rationale', 'sentenceText', 'voice']);
    const { sentenceText, phrase, category, voice, rationale } = tag;
    if (typeof sentenceText !== 'string' || typeof phrase !== 'string' || typeof rationale !== 'string') {
      throw new Error('sentenceText, phrase and rationale must be strings');
    }
    expect(count(article, sentenceText), `sentenceText ${sentenceText}`).toBe(1);
    const line = lines.find((l) => l.includes(sentenceText)) ?? '';
    expect(count(line, phrase), `phrase ${phrase}`).toBe(1);
    expect(line.indexOf(phrase), `phrase ${phrase} comes after its sentence start`).toBeGreaterThanOrEqual(
      line.indexOf(sentenceText),
    );
    expect(findCategory(starter, String(category)), `category ${String(category)}`).toBeDefined();
    expect(VOICES).toContain(voice);
    expect(rationale.length).toBeGreaterThan(40);
    expect(rationale.length).toBeLessThanOrEqual(500);
  });

  it('uses every starter category', () => {
    const used = new Set(reference.tags.map((t) => t.category));
    for (const c of categories(starter)) expect(used, c.id).toContain(c.id);
  });
});

describe('suggestion fields (cues, suggest)', () => {
  it('are optional: a codebook without them parses as before, with no such keys', () => {
    const parsed = parseCodebook(sample());
    expect(Object.keys(parsed.groups[0]!.categories[0]!)).toEqual(['id', 'name', 'definition', 'span', 'example', 'colour', 'key']);
  });

  it('carry cue words and the rules whose hits the category receives', () => {
    const input = sample();
    Object.assign(input.groups[0]!.categories[0]!, { cues: [' alleged ', 'so-called'], suggest: ['lexicon:hedges', 'so-called'] });
    const hedge = parseCodebook(input).groups[0]!.categories[0]!;
    expect(hedge.cues).toEqual(['alleged', 'so-called']);
    expect(hedge.suggest).toEqual(['lexicon:hedges', 'so-called']);
  });

  it('refuse unknown rules, a rule listed twice, and cues without a word', () => {
    const input = sample();
    Object.assign(input.groups[0]!.categories[0]!, { suggest: ['lexicon:hedges', 'lexicon:hedges'], cues: ['—'] });
    Object.assign(input.groups[0]!.categories[1]!, { suggest: ['oracle'] });
    const problems = problemsOf(input);
    expect(problems).toContain('category "hedge": suggest lists a rule twice');
    expect(problems).toContain('category "hedge": cues.0 "—" has no letter or digit');
    expect(problems.some((p) => p.startsWith('category "label": suggest.0 "oracle" is not a suggestion rule (the rules are lexicon:hedges, '))).toBe(true);
  });

  it('route every rule somewhere in the default codebook, and only to its own categories', () => {
    const framing = parseCodebook(shipped.framing);
    const routed = categories(framing).flatMap((c) => c.suggest ?? []);
    expect(new Set(routed).size).toBe(routed.length);
    expect(routed).toEqual(expect.arrayContaining(['lexicon:hedges', 'lexicon:weasels', 'so-called', 'scare-quotes', 'valence', 'intensifiers', 'boosters', 'factives']));
  });
});
