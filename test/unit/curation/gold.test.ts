// Replacing an article's gold as a whole (an import), as both storage backends do it.
import { describe, expect, it } from 'vitest';
import { emptyGold, replacementBy } from '../../../server/core/curation/gold.js';

describe('replacementBy', () => {
  it('makes the stored gold a copy of the imported one, which later changes to either leave apart', () => {
    const stored = { ...emptyGold('a1'), curated: [{ sentence: 0, by: 'u1', at: '2026-01-01T00:00:00.000Z' }] };
    const imported = { ...emptyGold('a1'), curated: [{ sentence: 3, by: 'u2', at: '2026-01-02T00:00:00.000Z' }], updatedAt: '2026-01-02T00:00:00.000Z' };
    replacementBy('a1', imported)(stored);
    expect(stored).toEqual(imported);
    stored.curated.push({ sentence: 4, by: 'u1', at: '2026-01-03T00:00:00.000Z' });
    expect(imported.curated.map((c) => c.sentence)).toEqual([3]);
  });

  it('refuses the gold of another article', () => {
    expect(() => replacementBy('a1', emptyGold('a2'))).toThrow('the gold belongs to another article');
  });
});
