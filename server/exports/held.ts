// Imports between their check and their go-ahead, held in memory under a random token: the files
// a researcher uploaded stay on the server, byte for byte, while they choose how to map them (a
// browser cannot send a file again without asking, and would rewrite text in form fields).
import { randomBytes } from 'node:crypto';

interface Entry<T> {
  owner: string;
  expires: number;
  value: T;
}

export class Held<T> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #ttlMs: number;
  readonly #max: number;

  /** Each value is kept `ttlMs`; beyond `max` values the oldest goes. */
  constructor(options: { ttlMs: number; max: number }) {
    this.#ttlMs = options.ttlMs;
    this.#max = options.max;
  }

  /** Keeps `value` for `owner`; returns its token. */
  put(owner: string, value: T, now = Date.now()): string {
    this.#sweep(now);
    const token = randomBytes(18).toString('base64url');
    this.#entries.set(token, { owner, expires: now + this.#ttlMs, value });
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#max) break;
      this.#entries.delete(oldest);
    }
    return token;
  }

  /** The value under `token`, if `owner` put it there and it has not expired. */
  get(token: string, owner: string, now = Date.now()): T | undefined {
    this.#sweep(now);
    const entry = this.#entries.get(token);
    return entry && entry.owner === owner ? entry.value : undefined;
  }

  delete(token: string): void {
    this.#entries.delete(token);
  }

  #sweep(now: number): void {
    for (const [token, entry] of this.#entries) if (entry.expires <= now) this.#entries.delete(token);
  }
}
