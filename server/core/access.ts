// Who may see and do what inside a project. Pure: decisions from the project record alone.
// Anything a user may not see is answered as "not found" by the web layer.

export type ProjectRole = 'researcher' | 'annotator' | 'teacher';

export interface ProjectAccess {
  members: { userId: string; role: ProjectRole }[];
  assignment: { mode: 'all' | 'balanced'; perArticle: number; assigned: Record<string, string[]> };
  open: boolean;
}

export function roleIn(project: ProjectAccess, userId: string): ProjectRole | null {
  return project.members.find((m) => m.userId === userId)?.role ?? null;
}

export function isResearcher(project: ProjectAccess, userId: string): boolean {
  return roleIn(project, userId) === 'researcher';
}

export function annotatorsOf(project: ProjectAccess): string[] {
  return project.members.filter((m) => m.role === 'annotator').map((m) => m.userId);
}

/** The annotators who are to annotate an article. */
export function assignedTo(project: ProjectAccess, articleId: string): string[] {
  if (project.assignment.mode === 'all') return annotatorsOf(project);
  const current = new Set(annotatorsOf(project));
  return (project.assignment.assigned[articleId] ?? []).filter((id) => current.has(id));
}

export function canAnnotate(project: ProjectAccess, articleId: string, userId: string): boolean {
  const role = roleIn(project, userId);
  if (role === 'researcher') return true;
  if (role !== 'annotator') return false;
  // assignedTo() without building its lists (asked on every sentence page and save): the user is
  // a current annotator, so being listed for the article is enough.
  return project.assignment.mode === 'all' || (project.assignment.assigned[articleId] ?? []).includes(userId);
}

/** Researchers and teachers (who run lessons from a project's articles) see every article; annotators theirs. */
export function canSeeArticle(project: ProjectAccess, articleId: string, userId: string): boolean {
  const role = roleIn(project, userId);
  return role === 'researcher' || role === 'teacher' || canAnnotate(project, articleId, userId);
}

/**
 * Whose tags a user may see: researchers see everyone's; in a blind project everyone else sees
 * only their own, until a researcher opens the project's annotations to its members.
 */
export function visibleAnnotators(project: ProjectAccess, userId: string, all: string[]): string[] {
  if (isResearcher(project, userId) || project.open) return all;
  return all.filter((id) => id === userId);
}

/**
 * Balanced assignment: each article gets `perArticle` annotators, always choosing those with the
 * fewest articles so far (ties by id, so the result is reproducible). Existing assignments stay.
 */
export function assignBalanced(
  articleIds: string[],
  annotators: string[],
  perArticle: number,
  existing: Record<string, string[]>,
): Record<string, string[]> {
  const load = new Map(annotators.map((id) => [id, 0]));
  const result: Record<string, string[]> = {};
  for (const [articleId, ids] of Object.entries(existing)) {
    const kept = ids.filter((id) => load.has(id));
    result[articleId] = kept;
    for (const id of kept) load.set(id, (load.get(id) ?? 0) + 1);
  }
  for (const articleId of articleIds) {
    const chosen = result[articleId] ?? [];
    while (chosen.length < Math.min(perArticle, annotators.length)) {
      const next = [...load]
        .filter(([id]) => !chosen.includes(id))
        .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0];
      if (!next) break;
      chosen.push(next[0]);
      load.set(next[0], next[1] + 1);
    }
    result[articleId] = chosen;
  }
  return result;
}
