// Accounts: creating users, one-time links (set-up, new accounts, password resets), passwords.
import { createHash, randomBytes } from 'node:crypto';
import type { AppStore } from '../storage/app-store.js';
import { NotFoundError, newId } from '../storage/store.js';
import type { Role, User } from '../storage/schemas.js';
import { hashPassword, passwordProblem } from './passwords.js';

export const USER_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,39}$/u;
const LINK_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** A refused account change (name taken, weak password …): the web layer answers 400. */
export class AccountError extends Error {
  readonly status = 400;
  readonly refusal = true;
}

function sha256(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

export function findUserByName(store: AppStore, name: string): User | undefined {
  const folded = name.trim().toLowerCase();
  return store.users.data.data.users.find((u) => u.name.toLowerCase() === folded);
}

export function findUser(store: AppStore, id: string): User | undefined {
  return store.users.data.data.users.find((u) => u.id === id);
}

/** Why a name cannot be a new account's, or null when it can. */
export function nameProblem(store: AppStore, name: string): string | null {
  const trimmed = name.trim();
  if (!USER_NAME.test(trimmed)) return 'A name has 1–40 letters, digits, spaces, dots, dashes or underscores.';
  if (findUserByName(store, trimmed)) return `The name "${trimmed}" is taken.`;
  return null;
}

function checkName(store: AppStore, name: string): string {
  const problem = nameProblem(store, name);
  if (problem) throw new AccountError(problem);
  return name.trim();
}

/** Whether any account may manage accounts (while none may, the set-up link works). */
export function hasAdmin(store: AppStore): boolean {
  return store.users.data.data.users.some((u) => u.admin === true);
}

/** A deactivated account cannot sign in, use a one-time link, or keep a session. */
export function isActive(user: User): boolean {
  return user.deactivatedAt === undefined;
}

export interface NewAccount {
  /** The account may manage accounts (the Accounts page). */
  admin?: boolean;
  /**
   * The first administrator (set-up link, or the command line before anyone is one): refused when
   * an administrator exists by the time it is saved, so two set-up forms sent at once make one.
   */
  firstAdmin?: boolean;
}

/** Creates an account with a password (set-up, command line, tests). */
export async function createUser(store: AppStore, name: string, role: Role, password: string, options: NewAccount = {}): Promise<User> {
  const checked = checkName(store, name);
  const problem = passwordProblem(password, checked);
  if (problem) throw new AccountError(problem);
  const admin = options.admin === true || options.firstAdmin === true;
  const user: User = {
    id: newId(),
    name: checked,
    role,
    passwordHash: await hashPassword(password),
    createdAt: new Date().toISOString(),
    resetToken: null,
    ...(admin ? { admin: true } : {}),
  };
  await store.users.update((file) => {
    if (options.firstAdmin && file.data.users.some((u) => u.admin === true)) throw new AccountError('Framelens is already set up: sign in instead.');
    if (findUserByName(store, checked)) throw new AccountError(`The name "${checked}" is taken.`);
    file.data.users.push(user);
    // The set-up link is for making the first administrator: once there is one, it is spent.
    if (admin) file.data.setupTokenHash = null;
  });
  return user;
}

/** Creates an account without a password; the returned token makes its one-time set-password link. */
export async function inviteUser(store: AppStore, name: string, role: Role, options: { admin?: boolean } = {}): Promise<{ user: User; token: string }> {
  const checked = checkName(store, name);
  const token = newToken();
  const user: User = {
    id: newId(),
    name: checked,
    role,
    passwordHash: '',
    createdAt: new Date().toISOString(),
    resetToken: { hash: sha256(token), expiresAt: new Date(Date.now() + LINK_TTL_MS).toISOString() },
    ...(options.admin ? { admin: true } : {}),
  };
  await store.users.update((file) => {
    if (findUserByName(store, checked)) throw new AccountError(`The name "${checked}" is taken.`);
    file.data.users.push(user);
    if (options.admin) file.data.setupTokenHash = null;
  });
  return { user, token };
}

/**
 * Creates accounts without passwords for several names in one write: all of them, or (a name
 * invalid or taken) none. Returns each user with the token of its set-password link.
 */
export async function inviteUsers(store: AppStore, names: readonly string[], role: Role): Promise<{ user: User; token: string }[]> {
  const checked = names.map((name) => checkName(store, name));
  if (new Set(checked.map((n) => n.toLowerCase())).size !== checked.length) throw new AccountError('The same name is there twice.');
  const invited = checked.map((name) => {
    const token = newToken();
    const user: User = {
      id: newId(),
      name,
      role,
      passwordHash: '',
      createdAt: new Date().toISOString(),
      resetToken: { hash: sha256(token), expiresAt: new Date(Date.now() + LINK_TTL_MS).toISOString() },
    };
    return { user, token };
  });
  if (invited.length === 0) return [];
  await store.users.update((file) => {
    for (const { user } of invited) {
      if (findUserByName(store, user.name)) throw new AccountError(`The name "${user.name}" is taken.`);
    }
    file.data.users.push(...invited.map((i) => i.user));
  });
  return invited;
}

/** A fresh one-time link for a user; their old password stops working once the link is used. */
export async function issueResetLink(store: AppStore, userId: string): Promise<string> {
  const token = newToken();
  await store.users.update((file) => {
    const user = file.data.users.find((u) => u.id === userId);
    if (!user) throw new AccountError('No such user.');
    if (!isActive(user)) throw new AccountError(`${user.name}’s account is deactivated: reactivate it first.`);
    user.resetToken = { hash: sha256(token), expiresAt: new Date(Date.now() + LINK_TTL_MS).toISOString() };
  });
  return token;
}

export function userForLink(store: AppStore, token: string): User | undefined {
  const hash = sha256(token);
  const now = new Date().toISOString();
  return store.users.data.data.users.find((u) => u.resetToken?.hash === hash && u.resetToken.expiresAt > now && isActive(u));
}

/** Whether `token` is still the user's one-time link (not used, replaced or expired). */
export function isLinkOf(store: AppStore, userId: string, token: string): boolean {
  return userForLink(store, token)?.id === userId;
}

/** Notes a successful sign-in, for the Accounts page. */
export async function recordSignIn(store: AppStore, userId: string): Promise<void> {
  await store.users.update((file) => {
    const user = file.data.users.find((u) => u.id === userId);
    if (user) user.lastSignInAt = new Date().toISOString();
  });
}

export async function setPassword(store: AppStore, userId: string, password: string): Promise<void> {
  const user = findUser(store, userId);
  if (!user) throw new AccountError('No such user.');
  const problem = passwordProblem(password, user.name);
  if (problem) throw new AccountError(problem);
  const passwordHash = await hashPassword(password);
  await store.users.update((file) => {
    const stored = file.data.users.find((u) => u.id === userId);
    if (!stored) throw new AccountError('No such user.');
    stored.passwordHash = passwordHash;
    stored.resetToken = null;
  });
}

export const LINK_USED = 'This link has been used, has expired or is not valid. Ask your researcher for a new one.';

/**
 * Sets a password through a one-time link, and uses the link up. The link is checked again
 * inside the same change that stores the password, so of several forms sent at once with the
 * same link exactly one succeeds (the others get NotFoundError), as with the set-up link.
 */
export async function setPasswordWithLink(store: AppStore, token: string, password: string): Promise<User> {
  const user = userForLink(store, token);
  if (!user) throw new NotFoundError(LINK_USED);
  const problem = passwordProblem(password, user.name);
  if (problem) throw new AccountError(problem);
  const passwordHash = await hashPassword(password);
  const hash = sha256(token);
  await store.users.update((file) => {
    const stored = file.data.users.find((u) => u.id === user.id);
    const now = new Date().toISOString();
    if (!stored || stored.resetToken?.hash !== hash || stored.resetToken.expiresAt <= now || !isActive(stored)) throw new NotFoundError(LINK_USED);
    stored.passwordHash = passwordHash;
    stored.resetToken = null;
  });
  return user;
}

/**
 * The one-time set-up token printed at start while no administrator exists: accounts made before
 * it is used (a teacher from the command line) do not spend it.
 */
export function issueSetupToken(store: AppStore): Promise<string | null> {
  return store.setupToken(true);
}

export function isSetupToken(store: AppStore, token: string): boolean {
  const expected = store.users.data.data.setupTokenHash;
  return expected !== null && !hasAdmin(store) && sha256(token) === expected;
}
