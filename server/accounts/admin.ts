// Administering accounts: who may (administrators), the first administrator, deactivating and
// reactivating, naming others administrators, and adding an account from any door (the Accounts
// page, the command line, the running server's control socket).
import type { Role, User } from '../storage/schemas.js';
import { DEMO_PROJECT_NAME, adoptOrphanProjects } from '../demo/seed.js';
import type { AppStore } from '../storage/app-store.js';
import { AccountError, createUser, hasAdmin, inviteUser, isActive } from './users.js';

export function isAdmin(user: User | undefined): boolean {
  return user !== undefined && user.admin === true && isActive(user);
}

/**
 * The first administrator: a researcher account that takes over every project nobody leads yet
 * (the demo project). Made by the set-up link, or by the command line when nobody is one yet.
 */
export async function createFirstAdmin(store: AppStore, name: string, password: string): Promise<User> {
  const user = await createUser(store, name, 'researcher', password, { firstAdmin: true });
  await adoptOrphanProjects(store, user.id);
  return user;
}

/**
 * Data from before administrators existed: the researcher who leads the demo project (else the
 * earliest researcher) becomes the administrator. Nothing changes while no researcher exists: the
 * set-up link then makes the first one.
 */
export async function ensureAdmin(store: AppStore): Promise<void> {
  if (hasAdmin(store)) return;
  const researchers = store.users.data.data.users
    .filter((u) => u.role === 'researcher' && isActive(u))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  if (researchers.length === 0) return;
  const demo = store.projects.data.data.projects.find((p) => p.createdBy === 'system' && p.name === DEMO_PROJECT_NAME);
  const owner = researchers.find((u) => demo?.members.some((m) => m.userId === u.id && m.role === 'researcher')) ?? researchers[0];
  if (!owner) return;
  await store.users.update((file) => {
    const stored = file.data.users.find((u) => u.id === owner.id);
    if (stored && !file.data.users.some((u) => u.admin === true)) stored.admin = true;
    file.data.setupTokenHash = null;
  });
}

export interface AddAccount {
  name: string;
  role: Role;
  admin: boolean;
  /** With a password the account can sign in at once; without, it gets a one-time link. */
  password: string | null;
}

/**
 * Adds an account from the command line (directly, or through the running server). The first
 * researcher while nobody administers accounts becomes the administrator and takes over the demo.
 * Returns the one-time link's token when no password was given.
 */
export async function addAccount(store: AppStore, request: AddAccount): Promise<{ user: User; token: string | null }> {
  const first = request.role === 'researcher' && !hasAdmin(store);
  if (request.password !== null) {
    const user = first
      ? await createFirstAdmin(store, request.name, request.password)
      : await createUser(store, request.name, request.role, request.password, { admin: request.admin });
    return { user, token: null };
  }
  const { user, token } = await inviteUser(store, request.name, request.role, { admin: request.admin || first });
  if (first) await adoptOrphanProjects(store, user.id);
  return { user, token };
}

/** Changes one account inside a single write; returns it as stored. */
async function changeAccount(store: AppStore, userId: string, change: (user: User) => void): Promise<User> {
  let changed: User | undefined;
  await store.users.update((file) => {
    const user = file.data.users.find((u) => u.id === userId);
    if (!user) throw new AccountError('No such account.');
    change(user);
    changed = { ...user };
  });
  if (!changed) throw new AccountError('No such account.');
  return changed;
}

/**
 * Deactivates or reactivates an account. Nobody changes their own (so an administrator always
 * remains); ending a deactivated account's sessions is the caller's part.
 */
export async function setActive(store: AppStore, by: User, userId: string, active: boolean): Promise<User> {
  if (by.id === userId) throw new AccountError('You cannot deactivate your own account.');
  return changeAccount(store, userId, (user) => {
    if (active) delete user.deactivatedAt;
    else user.deactivatedAt ??= new Date().toISOString();
  });
}

/** Names an account administrator, or no longer; not one's own (an administrator always remains). */
export async function setAdmin(store: AppStore, by: User, userId: string, admin: boolean): Promise<User> {
  if (by.id === userId) throw new AccountError('You cannot change whether you are an administrator yourself: ask another administrator.');
  return changeAccount(store, userId, (user) => {
    if (admin) user.admin = true;
    else delete user.admin;
  });
}
