// Batched (storage/postgres/batch.ts): the reads every request makes, sent for many requests as
// one statement. What read-your-writes rests on: a call is answered only by a statement sent after
// it was made, never by one already in flight.
import { describe, expect, it } from 'vitest';
import { Batched } from '../../server/storage/postgres/batch.js';

/** A fake statement: records the keys of each call, answers when `finish` is called. */
function statements() {
  const sent: { keys: string[]; finish: (error?: Error) => void }[] = [];
  let version = 0;
  const batch = new Batched<string, string>(
    (keys) =>
      new Promise((resolve, reject) => {
        const at = ++version;
        sent.push({ keys, finish: (error) => (error ? reject(error) : resolve(new Map(keys.filter((k) => k !== 'none').map((k) => [k, `${k}@${at}`])))) });
      }),
  );
  return { batch, sent };
}

/** Past this turn of the event loop (a batch goes out at its end) and the next. */
const tick = () => new Promise((r) => setTimeout(() => setImmediate(r), 0));

describe('Batched', () => {
  it('sends the calls of one turn as one statement, and answers each its own key', async () => {
    const { batch, sent } = statements();
    const answers = Promise.all([batch.get('a'), batch.get('b'), batch.get('a'), batch.get('none')]);
    await tick();
    expect(sent.map((s) => s.keys)).toEqual([['a', 'b', 'none']]);
    sent[0]?.finish();
    expect(await answers).toEqual(['a@1', 'b@1', 'a@1', undefined]);
  });

  it("sends the calls made until the turn's end as one statement, the ones its ticks and microtasks make too", async () => {
    // A request's counters are asked for as it arrives, its session once its body was read: both
    // in the turn its bytes came in, a few ticks and promise callbacks apart.
    const { batch, sent } = statements();
    const first = batch.get('a');
    await Promise.resolve();
    await new Promise((r) => process.nextTick(r));
    const second = batch.get('b');
    await tick();
    expect(sent.map((s) => s.keys)).toEqual([['a', 'b']]);
    sent[0]?.finish();
    expect(await Promise.all([first, second])).toEqual(['a@1', 'b@1']);
  });

  it('answers a call made while a statement is in flight with the next statement, sent once that one returns', async () => {
    const { batch, sent } = statements();
    const first = batch.get('a');
    await tick();
    const later = [batch.get('a'), batch.get('c')];
    await tick();
    // One statement at a time: the later calls wait for the first to return.
    expect(sent).toHaveLength(1);
    sent[0]?.finish();
    expect(await first).toBe('a@1');
    await tick();
    expect(sent.map((s) => s.keys)).toEqual([['a'], ['a', 'c']]);
    sent[1]?.finish();
    expect(await Promise.all(later)).toEqual(['a@2', 'c@2']);
  });

  it('rejects the calls of a failed statement, and sends the next one for the calls after', async () => {
    const { batch, sent } = statements();
    const failed = batch.get('a');
    await tick();
    const after = batch.get('a');
    sent[0]?.finish(new Error('connection lost'));
    await expect(failed).rejects.toThrow('connection lost');
    await tick();
    sent[1]?.finish();
    expect(await after).toBe('a@2');
  });
});
