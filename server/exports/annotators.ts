// The annotators an import names, matched to accounts: an existing account must be a member of
// the project; a new name gets an annotator account (no password yet) and joins the project.
// Checked before anything is stored; created together, in one write.
import { USER_NAME, findUserByName, inviteUsers } from '../accounts/users.js';
import type { Project } from '../storage/schemas.js';
import type { AppStore } from '../storage/app-store.js';

export interface CheckedAnnotators {
  /** Account ids of the names that have one. */
  existing: Map<string, string>;
  /** Names that get a new account. */
  created: string[];
  problems: string[];
}

export function checkAnnotators(store: AppStore, project: Project, names: Iterable<string>): CheckedAnnotators {
  const existing = new Map<string, string>();
  const created: string[] = [];
  const problems: string[] = [];
  for (const name of new Set(names)) {
    const user = findUserByName(store, name);
    if (user) {
      if (project.members.some((m) => m.userId === user.id)) existing.set(name, user.id);
      else problems.push(`"${name}" has an account but is not a member of this project. Add them first.`);
    } else if (!USER_NAME.test(name.trim())) problems.push(`annotator name "${name}" is not a valid account name`);
    else if (created.some((n) => n.trim().toLowerCase() === name.trim().toLowerCase())) problems.push(`"${name}" is there twice, spelt differently`);
    else created.push(name);
  }
  return { existing, created, problems };
}

/** Creates the new accounts and adds them to the project; every name's account id. */
export async function addAnnotators(store: AppStore, project: Project, checked: CheckedAnnotators): Promise<Map<string, string>> {
  const ids = new Map(checked.existing);
  const invited = await inviteUsers(store, checked.created, 'annotator');
  invited.forEach(({ user }, i) => ids.set(checked.created[i] ?? user.name, user.id));
  if (invited.length > 0) {
    await store.updateProject(project.id, (p) => {
      for (const { user } of invited) if (!p.members.some((m) => m.userId === user.id)) p.members.push({ userId: user.id, role: 'annotator' });
    });
  }
  return ids;
}
