// The demo story's two counterpart articles (server/demo/story/): constructed examples that
// segment, align sensibly with the Sputnik demo article, and carry reference annotations whose
// phrases are in their text. They are wired into the seed and the lesson in phase 2.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { categories } from '../../../server/core/codebook.js';
import { resolvePhrases } from '../../../server/core/classroom/reference.js';
import { VOICES } from '../../../server/core/model.js';
import { alignStory } from '../../../server/core/stories/align.js';
import { alignedGroups } from '../../../server/core/stories/groups.js';
import { demoArticle } from '../../../server/demo/seed.js';
import { DEMO_DIR } from '../../../server/paths.js';
import { loadShippedCodebooks } from '../../../server/storage/shipped-codebooks.js';
import { loadArticle } from '../../helpers/stories.js';

const STORY = join(DEMO_DIR, 'story');
const COUNTERPARTS = { wire: 'wire-nato-talks.json', western: 'western-nato-talks.json' } as const;

async function story() {
  const sputnik = await demoArticle();
  const wire = loadArticle(join(STORY, COUNTERPARTS.wire), 'wire');
  const western = loadArticle(join(STORY, COUNTERPARTS.western), 'western');
  return { wire, western, articles: [{ id: 'sputnik', text: sputnik.text, sentences: sputnik.sentences }, wire, western] };
}

describe('the demo story', () => {
  it('the counterparts are marked as constructed examples in their metadata', async () => {
    const { wire, western } = await story();
    for (const a of [wire, western]) {
      expect(a.source).toMatch(/^Constructed Example/);
      expect(a.note).toMatch(/^Constructed example written for Framelens/);
      expect(a.note).toMatch(/Not a real outlet's text/);
      expect(new URL(a.url).hostname).toBe('example.org');
      expect(a.date).toBe('2022-01-12');
      expect(a.sentences.length).toBeGreaterThanOrEqual(8);
    }
  });

  it('aligns the counterparts with the Sputnik article where they report the same thing', async () => {
    const { articles } = await story();
    const find = (id: string, prefix: string) => {
      const a = articles.find((x) => x.id === id)!;
      const index = a.sentences.findIndex((r) => a.text.slice(r.start, r.end).replace(/^["“]/, '').startsWith(prefix));
      expect(index, `${id}: ${prefix}`).toBeGreaterThanOrEqual(0);
      return index;
    };
    const links = alignStory(articles);
    const linked = (x: string, p: string, y: string, q: string) => {
      const i = find(x, p);
      const j = find(y, q);
      return links.some((l) => l.a.article === x && l.a.sentence === i && l.b.article === y && l.b.sentence === j);
    };
    // The leads.
    expect(linked('sputnik', 'Russian and NATO officials held talks', 'wire', 'NATO and Russia failed')).toBe(true);
    expect(linked('sputnik', 'Russian and NATO officials held talks', 'western', 'NATO and Russia remain far apart')).toBe(true);
    expect(linked('wire', 'NATO and Russia failed', 'western', 'NATO and Russia remain far apart')).toBe(true);
    // Stoltenberg's quotation, in all three.
    expect(linked('sputnik', 'There are significant differences', 'wire', 'There are significant differences')).toBe(true);
    expect(linked('sputnik', 'There are significant differences', 'western', 'There are significant differences')).toBe(true);
    // The call to withdraw forces; the Crimea clause beside "annexed".
    expect(linked('sputnik', 'Stoltenberg indicated', 'wire', 'He said allies had called on Russia')).toBe(true);
    expect(linked('sputnik', 'Stoltenberg indicated', 'western', 'Moscow annexed Crimea')).toBe(true);
    // Putin's remarks are only in the Sputnik article.
    const groups = alignedGroups(articles.map((a) => ({ id: a.id, sentenceCount: a.sentences.length })), links);
    const putin = find('sputnik', 'They will chat endlessly');
    expect(groups.find((g) => g.sentences.sputnik?.includes(putin))?.onlyIn).toBe('sputnik');
  });

  it('has reference annotations for both counterparts whose phrases are in their sentences, in the lesson codebook', async () => {
    const starter = (await loadShippedCodebooks()).find((c) => c.id === 'starter')!;
    const known = new Set(categories(starter).map((c) => c.id));
    const { wire, western } = await story();
    for (const [file, article] of [
      ['reference-wire.json', wire],
      ['reference-western.json', western],
    ] as const) {
      const reference = JSON.parse(readFileSync(join(STORY, file), 'utf8')) as {
        schemaVersion: number;
        codebook: string;
        tags: { sentenceText: string; phrase: string; category: string; voice: string; rationale: string }[];
      };
      expect(reference.schemaVersion).toBe(1);
      expect(reference.codebook).toBe('starter');
      expect(reference.tags.length).toBeGreaterThanOrEqual(5);
      for (const tag of reference.tags) {
        expect(known.has(tag.category), tag.category).toBe(true);
        expect(VOICES).toContain(tag.voice);
        expect(tag.rationale.length).toBeGreaterThan(40);
        expect(tag.rationale.length).toBeLessThanOrEqual(1000);
      }
      const resolved = resolvePhrases(article, reference.tags.map((t) => ({ ...t, voice: VOICES.find((v) => v === t.voice)! })));
      resolved.forEach((r, i) => expect(article.text.slice(r.start, r.end)).toBe(reference.tags[i]!.phrase));
    }
  });
});
