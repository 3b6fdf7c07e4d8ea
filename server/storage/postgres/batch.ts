// A read that every request makes (the change counters, its session, its annotation), sent for
// many requests as one statement: calls made while such a statement is in flight are answered
// together by the next, sent at the end of the event loop's turn in which it returns. A call is
// only ever answered by a statement sent after it was made, so it sees every commit made before
// the call (read-your-writes holds); at 50 concurrent requests one statement answers many of
// them, where each used to send its own.
//
// DataLoader does the batching, without its cache (a value read once must not answer a later
// call), with one policy of ours: one statement in flight at a time, the next batch sent at the
// end of the turn (setImmediate, after the turn's I/O callbacks and their ticks and promises,
// not at the first microtask checkpoint): a request whose body came with its headers asks for
// its session a few ticks after its counters, and both go out in one statement.
import DataLoader from 'dataloader';

export class Batched<K, V> {
  readonly #loader: DataLoader<K, V | undefined>;
  /** The statement in flight, if any: the next batch is sent once it settles. */
  #inFlight: Promise<unknown> | null = null;

  /**
   * `read`: the values of the keys it is given, in one statement (a key it leaves out has none;
   * an Error for a key fails that key's call alone).
   */
  constructor(read: (keys: K[]) => Promise<Map<K, V | Error>>) {
    this.#loader = new DataLoader<K, V | undefined>(
      (keys) => {
        // A key asked for twice in one batch is read once (DataLoader without a cache repeats it).
        const sent = read([...new Set(keys)]);
        const settled = sent.then(
          () => undefined,
          () => undefined,
        );
        this.#inFlight = settled;
        void settled.then(() => {
          if (this.#inFlight === settled) this.#inFlight = null;
        });
        return sent.then((values) => keys.map((key) => values.get(key)));
      },
      {
        cache: false,
        // Calls made in the same turn of the event loop go out together (sent once the turn's I/O
        // callbacks ran: a request whose body came with its headers asks for its session in the
        // turn that asked for the counters); while a statement is in flight, the batch waits for
        // it (and gathers every call made meanwhile, and those its answer leads to).
        batchScheduleFn: (send) => this.#schedule(send),
      },
    );
  }

  get(key: K): Promise<V | undefined> {
    return this.#loader.load(key);
  }

  /** Sends `send`'s batch at the end of this turn, or after the statement that went out meanwhile (another batch's). */
  #schedule(send: () => void): void {
    const waitFor = this.#inFlight;
    if (waitFor) void waitFor.then(() => this.#schedule(send));
    else setImmediate(() => this.#sendUnlessBusy(send));
  }

  #sendUnlessBusy(send: () => void): void {
    if (this.#inFlight) this.#schedule(send);
    else send();
  }
}
