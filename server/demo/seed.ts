// The demo a newcomer meets on first start: the Sputnik article on the NATO–Russia talks,
// imported like any other, in a project that the first researcher account takes over; beside
// it two constructed counterpart articles, and the three as a story (story.ts).
import type { AppStore } from '../storage/app-store.js';
import { newId } from '../storage/store.js';
import { DEMO_STORY_NOTE, DEMO_STORY_TITLE, demoStoryArticles } from './story.js';

export { demoArticle } from './article.js';

export const DEMO_PROJECT_NAME = 'Demo: NATO–Russia talks';

/** Creates the demo project, its articles and its story once, on a data folder that has no projects yet. */
export async function ensureDemo(store: AppStore): Promise<void> {
  if (store.projects.exists || store.projects.data.data.projects.length > 0) return;
  const start = Date.now();
  const now = new Date(start).toISOString();
  const projectId = newId();
  const articles = await demoStoryArticles();
  const ids: string[] = [];
  // One millisecond apart, so that the project lists the Sputnik article first, as before.
  for (const [i, { reference: _r, starterReference: _s, ...article }] of articles.entries()) {
    const id = newId();
    ids.push(id);
    await store.createArticle({ id, projectId, ...article, createdAt: new Date(start + i).toISOString(), createdBy: 'system' });
  }
  await store.projects.update((file) => {
    file.data.projects.push({
      id: projectId,
      name: DEMO_PROJECT_NAME,
      description:
        'A ready-made example: a news article, two constructed counterparts about the same meeting (a story to compare outlets), and the default framing codebook. Tag them, then look at the summary and the story.',
      codebookId: 'framing',
      members: [],
      assignment: { mode: 'all', perArticle: 2, assigned: {} },
      open: false,
      createdAt: now,
      createdBy: 'system',
    });
  });
  await store.stories.create({
    id: newId(),
    projectId,
    title: DEMO_STORY_TITLE,
    note: DEMO_STORY_NOTE,
    articles: ids,
    edits: [],
    reference: articles.flatMap((a, i) => a.reference.map((t) => ({ article: ids[i]!, ...t }))),
    createdAt: now,
    createdBy: 'system',
  });
}

/** The first researcher becomes the researcher of every project nobody owns yet (the demo). */
export async function adoptOrphanProjects(store: AppStore, userId: string): Promise<void> {
  await store.projects.update((file) => {
    for (const project of file.data.projects) {
      if (!project.members.some((m) => m.role === 'researcher')) project.members.push({ userId, role: 'researcher' });
    }
  });
}
