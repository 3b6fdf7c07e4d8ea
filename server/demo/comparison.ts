// The ready-made "compare outlets" lesson: the demo story's three versions of the NATO–Russia
// talks (the Sputnik demo article and its two constructed counterparts), each with the story's
// reference in the `starter` codebook, aligned as the story view aligns them.
import { alignStory } from '../core/stories/align.js';
import { alignedGroups } from '../core/stories/groups.js';
import { lessonGroups, type LessonGroup } from '../core/classroom/compare.js';
import type { ResolvedEntry } from '../core/classroom/reference.js';
import { loadDemoLesson } from './lesson.js';
import { DEMO_STORY_TITLE, demoStoryArticles } from './story.js';

export const DEMO_COMPARISON_TITLE = 'Ready-made lesson: compare outlets on the NATO–Russia talks';

export interface DemoComparison {
  title: string;
  story: string;
  codebookId: string;
  versions: { article: { title: string; source: string; text: string; sentences: { start: number; end: number }[] }; reference: ResolvedEntry[] }[];
  groups: LessonGroup[];
}

export async function loadDemoComparison(): Promise<DemoComparison> {
  const articles = await demoStoryArticles();
  // The story's references are written with the lesson's codebook (reference.json names it).
  const { codebookId } = await loadDemoLesson();
  const ids = articles.map((_, i) => `v${i + 1}`);
  const aligned = articles.map((a, i) => ({ id: ids[i]!, text: a.text, sentences: a.sentences }));
  const groups = alignedGroups(
    aligned.map((a) => ({ id: a.id, sentenceCount: a.sentences.length })),
    alignStory(aligned),
  );
  return {
    title: DEMO_COMPARISON_TITLE,
    story: DEMO_STORY_TITLE,
    codebookId,
    versions: articles.map((a) => ({
      article: { title: a.title, source: a.source, text: a.text, sentences: a.sentences },
      reference: a.starterReference,
    })),
    groups: lessonGroups(groups, ids),
  };
}
