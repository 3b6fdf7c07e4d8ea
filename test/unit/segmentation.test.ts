import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Range } from '../../server/core/model.js';
import { lines, segment, words } from '../../server/core/segmentation.js';

interface GoldenCase {
  id: string;
  name: string;
  input: string;
  expected: string[];
}

const golden = JSON.parse(
  readFileSync(new URL('../fixtures/golden-rules-en.json', import.meta.url), 'utf8'),
) as { license: string; license_text: string; cases: GoldenCase[] };

/** pySBD leaves these four out of its 48-case English set. */
const NOT_IN_PYSBD = new Set(['en-040', 'en-041', 'en-042', 'en-052']);

const demo = readFileSync(new URL('../../server/demo/sputnik-nato-talks.txt', import.meta.url), 'utf8');

function sentences(text: string): string[] {
  return segment(text).map((r) => text.slice(r.start, r.end));
}

/** Every range is non-empty, trimmed, in order, non-overlapping and inside `text`. */
function expectWellFormed(text: string, ranges: Range[]): void {
  const bad: Range[] = [];
  let previousEnd = 0;
  for (const range of ranges) {
    const slice = text.slice(range.start, range.end);
    if (range.start < previousEnd || range.end <= range.start || range.end > text.length || slice.trim() !== slice) {
      bad.push(range);
    }
    previousEnd = range.end;
  }
  expect(bad).toEqual([]);
}

describe('segment() on the Golden Rules', () => {
  it('keeps the licence with the fixture', () => {
    expect(golden.license).toMatch(/MIT/);
    expect(golden.license_text).toMatch(/Kevin S\. Dias/);
    expect(golden.cases).toHaveLength(52);
  });

  it('gets at least 50 of the 52 cases exactly right', () => {
    const failed: string[] = [];
    let right = 0;
    let rightPySbd = 0;
    for (const c of golden.cases) {
      // The scoring rule: trim each produced sentence, drop empty ones, compare.
      const produced = sentences(c.input)
        .map((s) => s.trim())
        .filter((s) => s !== '');
      if (JSON.stringify(produced) === JSON.stringify(c.expected)) {
        right++;
        if (!NOT_IN_PYSBD.has(c.id)) rightPySbd++;
      } else {
        failed.push(c.id);
      }
    }
    const pySbdTotal = golden.cases.filter((c) => !NOT_IN_PYSBD.has(c.id)).length;
    console.log(
      `golden rules: ${right}/${golden.cases.length} right, pySBD subset ${rightPySbd}/${pySbdTotal}; ` +
        `failing: ${failed.join(', ') || 'none'}`,
    );
    expect(pySbdTotal).toBe(48);
    // 49 before issue 13 (en-018, a.m./p.m., failed too); en-040 and en-041 join lines our convention keeps apart.
    expect(right).toBeGreaterThanOrEqual(50);
  });

  it('returns exact offsets into the original text', () => {
    for (const c of [...golden.cases.map((g) => g.input), demo]) {
      const ranges = segment(c);
      expectWellFormed(c, ranges);
      // Nothing but whitespace is left between or around the sentences.
      let rest = c;
      for (const { start, end } of [...ranges].reverse()) rest = rest.slice(0, start) + rest.slice(end);
      expect(rest.trim()).toBe('');
    }
  });
});

describe('segment() conventions', () => {
  it('returns nothing for empty or blank text', () => {
    expect(segment('')).toEqual([]);
    expect(segment(' \n\t\r\n  ')).toEqual([]);
  });

  it('gives offsets that index the original text', () => {
    const text = '  Hello World.   My name is Jonas.  ';
    expect(segment(text)).toEqual([
      { start: 2, end: 14 },
      { start: 17, end: 34 },
    ]);
  });

  it('always ends a sentence at a line break', () => {
    const text = 'Talks end without a deal\r\nBy Jane Doe, Brussels\n\nOfficials met on Monday. They did not agree\u2028Another line';
    expect(sentences(text)).toEqual([
      'Talks end without a deal',
      'By Jane Doe, Brussels',
      'Officials met on Monday.',
      'They did not agree',
      'Another line',
    ]);
    expect(lines(text).map((r) => text.slice(r.start, r.end))).toEqual([
      'Talks end without a deal',
      'By Jane Doe, Brussels',
      'Officials met on Monday. They did not agree',
      'Another line',
    ]);
  });

  it('splits a quotation of several sentences, keeping the attribution with the last', () => {
    expect(sentences('"We are ready. We have always been ready. Talks must go on," the minister said on Monday.')).toEqual([
      '"We are ready.',
      'We have always been ready.',
      'Talks must go on," the minister said on Monday.',
    ]);
    expect(sentences('“Is it over?” she asked. “Not yet!” he said. The crowd left.')).toEqual([
      '“Is it over?” she asked.',
      '“Not yet!” he said.',
      'The crowd left.',
    ]);
    expect(sentences('"Will they withdraw? Will they talk?" Putin asked on Friday. Nobody answered.')).toEqual([
      '"Will they withdraw?',
      'Will they talk?" Putin asked on Friday.',
      'Nobody answered.',
    ]);
  });

  it('keeps a list marker with its item', () => {
    expect(sentences('1. The first item. 2. The second item.')).toEqual(['1. The first item.', '2. The second item.']);
    expect(sentences('a) Ask first b) Then act')).toEqual(['a) Ask first', 'b) Then act']);
    expect(sentences('- Stop the war.\n- Talk now. Then agree.\n• 9. Ninth\n3) Third')).toEqual([
      '- Stop the war.',
      '- Talk now.',
      'Then agree.',
      '• 9. Ninth',
      '3) Third',
    ]);
    expect(sentences('There are two options. 1. Go home. 2. Stay here.')).toEqual([
      'There are two options.',
      '1. Go home.',
      '2. Stay here.',
    ]);
  });

  it('does not split after titles, initials, initialisms, decimals or addresses', () => {
    expect(
      sentences(
        'The U.S. Government said on Jan. 6 that Gen. Milley met Jane E. Doe. Prices rose 3.5% in the U.S. ' +
          'The site is www.example.org/a.html. Write to press@example.org. Apple Inc. Chief Executive Tim Cook ' +
          'spoke to Smith et al. on Monday.',
      ),
    ).toEqual([
      'The U.S. Government said on Jan. 6 that Gen. Milley met Jane E. Doe.',
      'Prices rose 3.5% in the U.S.',
      'The site is www.example.org/a.html.',
      'Write to press@example.org.',
      'Apple Inc. Chief Executive Tim Cook spoke to Smith et al. on Monday.',
    ]);
  });
});

const news = JSON.parse(readFileSync(new URL('../fixtures/news-paragraphs-en.json', import.meta.url), 'utf8')) as {
  cases: GoldenCase[];
};

describe('segment() on real-news-style paragraphs', () => {
  it('splits every paragraph of our own set as expected', () => {
    const failed = news.cases.filter((c) => JSON.stringify(sentences(c.input)) !== JSON.stringify(c.expected));
    console.log(`news paragraphs: ${news.cases.length - failed.length}/${news.cases.length} right`);
    expect(failed.map((c) => ({ id: c.id, got: sentences(c.input) }))).toEqual([]);
    for (const c of news.cases) expectWellFormed(c.input, segment(c.input));
  });

  it('keeps degrees and other multi-period abbreviations inside a sentence', () => {
    expect(sentences('She earned an M.Sc. at Leeds. He has a Ph.D. from Yale and an LL.M. too.')).toEqual([
      'She earned an M.Sc. at Leeds.',
      'He has a Ph.D. from Yale and an LL.M. too.',
    ]);
    expect(sentences('She earned an M.Sc. She then left.')).toEqual(['She earned an M.Sc.', 'She then left.']);
  });

  it('weighs what follows an abbreviation that may end a sentence', () => {
    // A time ends the sentence before any capital but a time zone, a day or a month…
    expect(sentences('The vote ended at 11 p.m. Turnout was low.')).toEqual(['The vote ended at 11 p.m.', 'Turnout was low.']);
    expect(sentences('Polls closed at 8 p.m. Eastern. Counting began at 9 p.m. Friday.')).toEqual([
      'Polls closed at 8 p.m. Eastern.',
      'Counting began at 9 p.m. Friday.',
    ]);
    expect(sentences('They met at 5 p.m. Brussels time.')).toEqual(['They met at 5 p.m. Brussels time.']);
    // …unless the sentence so far is only a time phrase.
    expect(sentences('At 5 a.m. Mr. Smith left. Shortly after 9 a.m. Police arrived.')).toEqual([
      'At 5 a.m. Mr. Smith left.',
      'Shortly after 9 a.m. Police arrived.',
    ]);
    // A sentence starter after an initialism: a new sentence; a name: the same one.
    expect(sentences('They held talks with the U.S. Both sides want more.')).toEqual([
      'They held talks with the U.S.',
      'Both sides want more.',
    ]);
    expect(sentences('He wrote to the U.S. Senate and Dr. Smith.')).toEqual(['He wrote to the U.S. Senate and Dr. Smith.']);
    // A common word the text writes in lower case elsewhere starts a sentence…
    expect(sentences('The team flew home from the U.S. Officials said little. Two officials stayed.')).toEqual([
      'The team flew home from the U.S.',
      'Officials said little.',
      'Two officials stayed.',
    ]);
    // …but not a word the text capitalises inside sentences, a part of a name, or a Title Case run.
    expect(sentences('He met U.S. Officials Group leaders. The Officials Group is new. officials')).toEqual([
      'He met U.S. Officials Group leaders.',
      'The Officials Group is new. officials',
    ]);
    expect(sentences('The U.S. Government said so. The government agreed.')).toEqual([
      'The U.S. Government said so.',
      'The government agreed.',
    ]);
    expect(sentences('The contract went to Acme Corp. Shares rose. Its shares fell later.')).toEqual([
      'The contract went to Acme Corp.',
      'Shares rose.',
      'Its shares fell later.',
    ]);
  });

  it('never ends a sentence after e.g., i.e. or a.k.a. but at the end of a line', () => {
    expect(sentences('Fuels, e.g. Those from Qatar, cost more. He is Ali, a.k.a. The Fixer. Use one, i.e.\nThe first.')).toEqual([
      'Fuels, e.g. Those from Qatar, cost more.',
      'He is Ali, a.k.a. The Fixer.',
      'Use one, i.e.',
      'The first.',
    ]);
  });

  it('gives well-formed ranges that cover every non-space character, whatever the mix of abbreviations and punctuation', () => {
    const pieces = [' ', '\n', '. ', '… ', '!” ', '?! ', 'U.S. ', 'M.Sc. ', 'p.m. ', 'Mr. ', '[Walter] ', 'Turnout ', 'turnout ', 'The ', 'said ', '1. ', 'e.g. ', '“', '” ', 'Co. ', 'Officials ', 'at 5 '];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        const ranges = segment(text);
        expectWellFormed(text, ranges);
        let rest = text;
        for (const { start, end } of [...ranges].reverse()) rest = rest.slice(0, start) + rest.slice(end);
        expect(rest.trim()).toBe('');
      }),
      { numRuns: 2000 },
    );
  });

  it('does not split a title from a bracketed name', () => {
    expect(sentences('Mr. [Walter] Matt said no. Dr. (Jane) Doe agreed.')).toEqual(['Mr. [Walter] Matt said no.', 'Dr. (Jane) Doe agreed.']);
  });

  it('keeps punctuation-only pieces at the start of a line with the sentence after them', () => {
    expect(sentences('… The talks resumed. They failed.')).toEqual(['… The talks resumed.', 'They failed.']);
    expect(sentences('Intro.\n!” She left. Then he did.')).toEqual(['Intro.', '!” She left.', 'Then he did.']);
    expect(sentences('?! What now?')).toEqual(['?! What now?']);
    expect(sentences('1. … The first.')).toEqual(['1. … The first.']);
    // A line of punctuation alone stays a line of its own (a line break always ends a sentence).
    expect(sentences('The end.\n***\n…')).toEqual(['The end.', '***', '…']);
  });
});

describe('segment() on the demo article', () => {
  it('splits it as a careful reader would', () => {
    expect(sentences(demo)).toEqual([
      'Sputnik',
      'Russian and NATO officials held talks in Brussels on Wednesday to discuss the security proposals put forward by the Russian Foreign Ministry in mid-December aimed at easing tensions between Moscow and the Western alliance.',
      'The discussions took place following talks in Geneva between Russian and US officials on Monday.',
      "The Western bloc's member states 'will make every effort' to find a political way forward with Russia, but will not give up on its 'core principles', including its open door policy for membership, NATO Secretary General Jens Stoltenberg has said.",
      '"Today Russia raised the proposal that they published in December aimed at addressing their security concerns; these include demands to stop admitting any new member to NATO and withdraw forces from eastern allies.',
      "Allies on their side reaffirmed NATO's open door policy and the right for each nation to choose its own security arrangements.",
      'Allies made clear that they will not renounce their ability to protect and defend each other, including with the presence of troops in the eastern part of the alliance," Stoltenberg said in a press conference Wednesday after the conclusion of a meeting of the Russia-NATO Council.',
      '"There are significant differences between NATO allies and Russia on these issues, and the differences will not be easy to bridge.',
      'But it is a positive sign that all NATO allies and Russia sat down around the same table," Stoltenberg said.',
      "Stoltenberg indicated that the bloc called on Russia during the meeting to 'withdraw its forces' from Georgia, Moldova and Ukraine - presumably in a reference to Russian peacekeeping forces stationed in Transnistria, Abkhazia and South Ossetia, and to Crimea - the region which broke off from Ukraine and rejoined Russia in 2014 following a Western-backed coup in Kiev.",
      'NATO, he said, "expressed serious concern" about the alleged Russian military buildup "in and around Ukraine," and called on Russia to de-escalate the situation and to "respect the sovereignty and territorial integrity of its neighbours."',
      '"They also called on Russia to refrain from aggressive force posturing and malign activities directed against allies and abide by all its international obligations and commitments," Stoltenberg said.',
      "Last month, asked to comment on the Foreign Ministry's decision to publish Russia's security proposals openly, President Vladimir Putin indicated that Moscow did so openly amid fears that the Western bloc might try stalling tactics.",
      '"They will chat endlessly, speak endlessly about the need to negotiate, and do nothing, except pumping up our neighbour with modern weapons systems, and increase the threat to Russia, with which we will then be forced to somehow deal with, somehow live," Putin said.',
      'No comments:',
      'Post a Comment',
    ]);
  });
});

describe('words()', () => {
  it('gives word tokens as absolute offsets, punctuation left out', () => {
    const text = "Intro. NATO's reply to a Western-backed coup, in 2014, was “firm.”";
    const [, sentence] = segment(text);
    expect(sentence).toBeDefined();
    if (sentence === undefined) return;
    const tokens = words(text, sentence);
    expect(tokens.map((r) => text.slice(r.start, r.end))).toEqual([
      "NATO's",
      'reply',
      'to',
      'a',
      'Western-backed',
      'coup',
      'in',
      '2014',
      'was',
      'firm',
    ]);
    const first = tokens[0];
    const last = tokens[tokens.length - 1];
    expect(first?.start).toBe(sentence.start);
    // A span from word i to word j is [words[i].start, words[j].end).
    expect(first && last ? text.slice(first.start, last.end) : '').toBe(
      "NATO's reply to a Western-backed coup, in 2014, was “firm",
    );
  });

  it('keeps numbers and initialisms whole', () => {
    const text = 'It cost $1,000.50, or 3.5% of U.S. aid.';
    expect(words(text, { start: 0, end: text.length }).map((r) => text.slice(r.start, r.end))).toEqual([
      'It',
      'cost',
      '1,000.50',
      'or',
      '3.5',
      'of',
      'U.S',
      'aid',
    ]);
  });
});

describe('astral characters', () => {
  it('keep UTF-16 offsets right in sentences and words', () => {
    const text = '😀 Emoji first. 𝐀𝐁𝐂 bold letters here! Thé café 🇺🇦 closed.';
    const ranges = segment(text);
    expect(ranges.map((r) => text.slice(r.start, r.end))).toEqual([
      '😀 Emoji first.',
      '𝐀𝐁𝐂 bold letters here!',
      'Thé café 🇺🇦 closed.',
    ]);
    expect(ranges[0]).toEqual({ start: 0, end: 15 });
    expect(ranges[1]).toEqual({ start: 16, end: 41 }); // 𝐀𝐁𝐂 is six UTF-16 code units
    const second = ranges[1];
    if (second === undefined) return;
    const tokens = words(text, second);
    expect(tokens[0]).toEqual({ start: 16, end: 22 });
    expect(tokens.map((r) => text.slice(r.start, r.end))).toEqual(['𝐀𝐁𝐂', 'bold', 'letters', 'here']);
    const third = ranges[2];
    if (third === undefined) return;
    expect(words(text, third).map((r) => text.slice(r.start, r.end))).toEqual(['Thé', 'café', 'closed']);
  });
});

/** Paragraphs of six sentences each, `size` characters in all. */
function newsParagraphs(size: number): string[] {
  const paragraphs: string[] = [];
  let total = 0;
  for (let i = 0; total < size; i++) {
    const paragraph =
      `The U.S. Government said on Jan. ${(i % 28) + 1} that it would act. ` +
      `"We are ready. We always were," Gen. Smith told reporters in Washington, D.C. on Tuesday. ` +
      `Prices rose ${i % 10}.5% in March, the office said. ` +
      `"Is it over?" she asked. ` +
      `Read more at https://example.com/item/${i}.html.`;
    paragraphs.push(paragraph);
    total += paragraph.length + 2;
  }
  return paragraphs;
}

describe('a 1 MB article', () => {
  it('segments completely, one paragraph at a time', () => {
    const paragraphs = newsParagraphs(1_000_000);
    const text = paragraphs.join('\n\n');
    expect(text.length).toBeGreaterThanOrEqual(1_000_000);
    const ranges = segment(text);
    expect(ranges).toHaveLength(paragraphs.length * 6);
    expectWellFormed(text, ranges);
    expect(text.slice(ranges[1]?.start, ranges[1]?.end)).toBe('"We are ready.');
  });

  it('segments a long line without breaks the same way, in pieces natural can handle', () => {
    const paragraphs = newsParagraphs(100_000);
    const lined = paragraphs.join('\n');
    const oneLine = paragraphs.join(' ');
    expect(sentences(oneLine)).toEqual(sentences(lined));
    expect(segment(oneLine)).toHaveLength(paragraphs.length * 6);
  });
});
