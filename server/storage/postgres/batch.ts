// A read that every request makes (the change counters, its session), sent for many requests as
// one statement: calls made while such a statement is in flight are answered together by the next,
// sent as soon as it returns. A call is only ever answered by a statement sent after it was made,
// so it sees every commit made before the call (read-your-writes holds); at 50 concurrent requests
// one statement answers many of them, where each used to send its own.
type Waiter<V> = { resolve: (value: V | undefined) => void; reject: (error: unknown) => void };

export class Batched<K, V> {
  readonly #read: (keys: K[]) => Promise<Map<K, V>>;
  #waiting = new Map<K, Waiter<V>[]>();
  #inFlight = false;
  #scheduled = false;

  /** `read`: the values of the keys it is given, in one statement (a key it leaves out has none). */
  constructor(read: (keys: K[]) => Promise<Map<K, V>>) {
    this.#read = read;
  }

  get(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.#waiting.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.#waiting.set(key, [{ resolve, reject }]);
      if (this.#inFlight || this.#scheduled) return;
      // Calls made in the same turn of the event loop go out together.
      this.#scheduled = true;
      queueMicrotask(() => {
        this.#scheduled = false;
        this.#send();
      });
    });
  }

  #send(): void {
    if (this.#inFlight || this.#waiting.size === 0) return;
    const batch = this.#waiting;
    this.#waiting = new Map();
    this.#inFlight = true;
    void this.#read([...batch.keys()]).then(
      (values) => {
        for (const [key, waiters] of batch) for (const w of waiters) w.resolve(values.get(key));
      },
      (error: unknown) => {
        for (const waiters of batch.values()) for (const w of waiters) w.reject(error);
      },
    ).finally(() => {
      this.#inFlight = false;
      this.#send();
    });
  }
}
