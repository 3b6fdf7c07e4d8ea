// One-time links waiting to be handed on: the researcher or administrator who made a link sees it
// on a page they can reload, until it is used or replaced. Only the link's hash is stored (in
// users.json); the link itself is kept here, in memory, for the person who made it, so no secret
// reaches the disk. After a restart it is gone, and the page offers to make a new one.
import type { AppStore } from '../storage/app-store.js';
import { isLinkOf } from './users.js';

export interface PendingLink {
  /** The account the link is for. */
  userId: string;
  token: string;
  /** Where the page leads back to: the project's members, the Accounts page. */
  back: string;
  /** What the link was made for: a new account or a password reset. */
  kind: 'new account' | 'password reset';
}

/** At most this many waiting links per person; the oldest goes first. */
const PER_CREATOR = 200;

export class PendingLinks {
  readonly #store: AppStore;
  /** creator's user id → account's user id → link */
  readonly #byCreator = new Map<string, Map<string, PendingLink>>();

  constructor(store: AppStore) {
    this.#store = store;
  }

  /** Keeps a link its creator has just made (replacing one they made earlier for the same account). */
  add(creatorId: string, link: PendingLink): void {
    let mine = this.#byCreator.get(creatorId);
    if (!mine) this.#byCreator.set(creatorId, (mine = new Map()));
    mine.delete(link.userId);
    mine.set(link.userId, link);
    for (const userId of mine.keys()) {
      if (mine.size <= PER_CREATOR) break;
      mine.delete(userId);
    }
  }

  /**
   * The link `creatorId` made for `userId`: `waiting` while it is still the account's link, `gone`
   * once it was used, replaced by a newer one or expired, undefined if they made none.
   */
  get(creatorId: string, userId: string): { link: PendingLink; waiting: boolean } | undefined {
    const link = this.#byCreator.get(creatorId)?.get(userId);
    return link && { link, waiting: isLinkOf(this.#store, userId, link.token) };
  }

  /** The accounts for which `creatorId` holds a link still waiting to be used. */
  waiting(creatorId: string): Set<string> {
    const mine = this.#byCreator.get(creatorId);
    return new Set([...(mine?.keys() ?? [])].filter((userId) => this.get(creatorId, userId)?.waiting === true));
  }
}
