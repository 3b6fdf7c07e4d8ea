// The last change each user made on each sentence, so that it can be undone (and the undo redone).
// Kept in memory: an undo is for the change just made, not for yesterday's; a restart forgets them.
import { newId } from '../../storage/store.js';
import type { EditorTag } from './tags.js';

/** One change: a tag created (before null), deleted (after null) or edited (both set). */
export interface Change {
  id: string;
  before: EditorTag | null;
  after: EditorTag | null;
  /** This change is itself an undo: undoing it again is a redo. */
  undoes: boolean;
}

/** How many users × sentences are remembered; the oldest are forgotten first. */
const CAPACITY = 20_000;

export class RecentChanges {
  readonly #changes = new Map<string, Change>();

  record(key: string, before: EditorTag | null, after: EditorTag | null, undoes = false): Change {
    const change: Change = { id: newId(), before, after, undoes };
    this.#changes.delete(key); // re-inserted last: the Map's order is the order of use
    this.#changes.set(key, change);
    if (this.#changes.size > CAPACITY) {
      const oldest = this.#changes.keys().next();
      if (!oldest.done) this.#changes.delete(oldest.value);
    }
    return change;
  }

  /** The last change on this key, if its id is `id` (or any, when `id` is omitted). */
  last(key: string, id?: string): Change | undefined {
    const change = this.#changes.get(key);
    return change && (id === undefined || change.id === id) ? change : undefined;
  }

  forget(key: string): void {
    this.#changes.delete(key);
  }
}
