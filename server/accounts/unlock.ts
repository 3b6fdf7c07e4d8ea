// Unlocking an account that met the wrong-password limits: who may, and doing it.
import { isResearcher, roleIn } from '../core/access.js';
import type { User } from '../storage/schemas.js';
import { NotFoundError } from '../storage/store.js';
import type { AppStore } from '../storage/app-store.js';
import type { PasswordGuard } from '../web/security.js';
import { findUser } from './users.js';
import { isAdmin } from './admin.js';

/**
 * An administrator may unlock any account; a researcher their own and those of the members of any
 * project they lead. (Unlocking only lets the password be tried again; it reveals and changes
 * nothing else.)
 */
export function mayUnlock(store: AppStore, by: User, user: User): boolean {
  if (isAdmin(by)) return true;
  if (by.role !== 'researcher') return false;
  if (by.id === user.id) return true;
  return store.projects.data.data.projects.some((p) => isResearcher(p, by.id) && roleIn(p, user.id) !== null);
}

/**
 * Forgets the wrong passwords counted against an account, from every address. Refuses (as not
 * found, revealing nothing) an account `by` may not unlock.
 */
export async function unlockAccount(store: AppStore, guard: PasswordGuard, by: User, userId: string): Promise<User> {
  const user = findUser(store, userId);
  if (!user || !mayUnlock(store, by, user)) throw new NotFoundError('Account not found.');
  await guard.unlock(user.name);
  return user;
}
