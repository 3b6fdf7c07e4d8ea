// How far opening a data folder has got: the server shows it while it starts ("starting, 40%
// replayed"). Reading the journal left by a crash comes first, then every tag shard, with the
// journal's records put over them.
import type { ReadProgress } from './journal.js';

/** The share of a start spent reading the journal, when there is one (the rest reads the tag shards). */
const JOURNAL_SHARE = 0.4;

export class LoadProgress implements ReadProgress {
  #journalBytes = 0;
  #journalRead = 0;
  #files = 0;
  #filesLoaded = 0;
  #done = false;

  journalBytes(total: number): void {
    this.#journalBytes = total;
  }

  journalRead(bytes: number): void {
    this.#journalRead = bytes;
  }

  /** The number of tag shards to read. */
  tagFiles(total: number): void {
    this.#files = total;
  }

  tagFileLoaded(): void {
    this.#filesLoaded++;
  }

  /** Every tag is loaded. */
  finish(): void {
    this.#done = true;
  }

  /** Whether records left by a crash are being put back. */
  get replaying(): boolean {
    return this.#journalBytes > 0;
  }

  /** 0–100: how much of the start is done. */
  get percent(): number {
    if (this.#done) return 100;
    const files = this.#files === 0 ? 0 : this.#filesLoaded / this.#files;
    const journal = this.#journalBytes === 0 ? 1 : Math.min(1, this.#journalRead / this.#journalBytes);
    const fraction = this.replaying ? JOURNAL_SHARE * journal + (1 - JOURNAL_SHARE) * files : files;
    return Math.min(99, Math.floor(100 * fraction));
  }
}
