import { describe, expect, it } from 'vitest';
import { resolvePhrases } from '../../../server/core/classroom/reference.js';
import { TEXT, lesson } from './fixtures.js';

const entry = { category: 'hedge', voice: 'author' as const, rationale: 'Because.' };

describe('phrase-based reference entries', () => {
  it('become offsets in the sentence that starts with the given text', () => {
    const [a, b] = resolvePhrases(lesson, [
      { sentenceText: 'Officials alleg', phrase: 'allegedly', ...entry },
      { sentenceText: 'The regime', phrase: 'regime', ...entry, category: 'loaded-label' },
    ]);
    expect(a).toMatchObject({ sentence: 0, category: 'hedge', voice: 'author', rationale: 'Because.' });
    expect(TEXT.slice(a?.start, a?.end)).toBe('allegedly');
    expect(b?.sentence).toBe(1);
    expect(TEXT.slice(b?.start, b?.end)).toBe('regime');
  });

  it('name the entry that cannot be found', () => {
    expect(() => resolvePhrases(lesson, [{ sentenceText: 'Nobody', phrase: 'x', ...entry }])).toThrow(/entry 1: no sentence starts with "Nobody"/);
    expect(() => resolvePhrases(lesson, [{ sentenceText: 'The', phrase: 'allegedly', ...entry }])).toThrow(/entry 1: the phrase "allegedly" is not in sentence 2/);
  });
});
