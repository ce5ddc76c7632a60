/**
 * ShareStateWriteQueue: group commit of one share partition's state updates against a store that
 * folds them (applyShareStateUpdate), with writes held until a test lets them finish.
 */
import { ApiError, applyShareStateUpdate, type ShareStateSnapshot, type ShareStateUpdate } from '@sluice/protocol';
import { ShareStateWriteQueue } from '../src/node/share-state-write-queue';

const update = (startOffset: number, first: number, last: number, deliveryCount: number): ShareStateUpdate => ({
  stateEpoch: 0,
  startOffset,
  ranges: [{ firstOffset: first, lastOffset: last, state: 'AVAILABLE', deliveryCount }],
});

/** A store whose writes wait for `finish` (ok) or `fail`. */
class HeldStore {
  state: ShareStateSnapshot = { stateEpoch: 0, startOffset: 0, ranges: [] };
  readonly written: ShareStateUpdate[] = [];
  private held: { update: ShareStateUpdate; resolve(): void; reject(error: unknown): void }[] = [];

  write = (update: ShareStateUpdate): Promise<void> =>
    new Promise((resolve, reject) => this.held.push({ update, resolve, reject }));

  get outstanding(): number {
    return this.held.length;
  }

  finish(): void {
    const next = this.held.shift()!;
    const result = applyShareStateUpdate(this.state, next.update);
    if (!result.ok) throw result.error;
    this.state = result.snapshot;
    this.written.push(next.update);
    next.resolve();
  }

  fail(): void {
    this.held.shift()!.reject(new ApiError('COORDINATOR_NOT_AVAILABLE', 'store down'));
  }
}

const nextMacrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const settled = async (promise: Promise<void>): Promise<string> => {
  const state = await Promise.race([
    promise.then(
      () => 'resolved',
      (error: ApiError) => `rejected ${error.errorName}`,
    ),
    new Promise<string>((resolve) => setImmediate(() => resolve('pending'))),
  ]);
  return state;
};

describe('ShareStateWriteQueue', () => {
  it('writes what one macrotask enqueued as one update, and merges what comes meanwhile into the next write', async () => {
    const store = new HeldStore();
    const queue = new ShareStateWriteQueue(store.write, 16);
    const first = queue.enqueue(update(0, 0, 4, 1));
    expect(store.outstanding).toBe(0); // goes out on the next macrotask, with whatever joins it
    await nextMacrotask();
    expect(store.outstanding).toBe(1);
    const second = queue.enqueue(update(0, 5, 9, 1));
    const third = queue.enqueue(update(2, 3, 6, 2)); // start moves up; 3..6 redelivered
    expect(store.outstanding).toBe(1);
    expect([await settled(first), await settled(second), await settled(third)]).toEqual([
      'pending',
      'pending',
      'pending',
    ]);
    store.finish();
    expect(await settled(first)).toBe('resolved');
    expect(await settled(second)).toBe('pending'); // not durable until its own write is
    expect(store.outstanding).toBe(1);
    store.finish();
    expect([await settled(second), await settled(third)]).toEqual(['resolved', 'resolved']);
    expect(store.written.length).toBe(2);
    expect(queue.stats()).toEqual({ updates: 3, writes: 2 });
    // The same state as three writes one at a time.
    let oneByOne: ShareStateSnapshot = { stateEpoch: 0, startOffset: 0, ranges: [] };
    for (const u of [update(0, 0, 4, 1), update(0, 5, 9, 1), update(2, 3, 6, 2)]) {
      const result = applyShareStateUpdate(oneByOne, u);
      if (!result.ok) throw result.error;
      oneByOne = result.snapshot;
    }
    expect(store.state).toEqual(oneByOne);
    expect(queue.isIdle).toBe(true);
  });

  it('a failed write fails its updates and every one merged behind it; the next update writes afresh', async () => {
    const store = new HeldStore();
    const queue = new ShareStateWriteQueue(store.write, 16);
    const first = queue.enqueue(update(0, 0, 4, 1));
    await nextMacrotask();
    const behind = queue.enqueue(update(0, 5, 9, 1));
    const idle = queue.idle();
    store.fail();
    expect([await settled(first), await settled(behind), await settled(idle)]).toEqual([
      'rejected COORDINATOR_NOT_AVAILABLE',
      'rejected COORDINATOR_NOT_AVAILABLE',
      'rejected COORDINATOR_NOT_AVAILABLE',
    ]);
    expect(store.outstanding).toBe(0);
    expect(queue.isIdle).toBe(true);
    const fresh = queue.enqueue(update(0, 0, 1, 1));
    await nextMacrotask();
    store.finish();
    expect(await settled(fresh)).toBe('resolved');
    expect(store.state.ranges).toEqual([{ firstOffset: 0, lastOffset: 1, state: 'AVAILABLE', deliveryCount: 1 }]);
  });

  it('idle() waits for everything enqueued so far, and is resolved when nothing is', async () => {
    const store = new HeldStore();
    const queue = new ShareStateWriteQueue(store.write, 16);
    expect(await settled(queue.idle())).toBe('resolved');
    void queue.enqueue(update(0, 0, 0, 1));
    await nextMacrotask();
    void queue.enqueue(update(0, 1, 1, 1));
    const idle = queue.idle();
    store.finish();
    expect(await settled(idle)).toBe('pending');
    store.finish();
    expect(await settled(idle)).toBe('resolved');
  });

  it('bounds the updates waiting behind the write out, and refuses updates of another state epoch', async () => {
    const store = new HeldStore();
    const queue = new ShareStateWriteQueue(store.write, 2);
    void queue.enqueue(update(0, 0, 0, 1)); // out
    await nextMacrotask();
    void queue.enqueue(update(0, 1, 1, 1));
    void queue.enqueue(update(0, 2, 2, 1));
    expect(() => queue.enqueue(update(0, 3, 3, 1))).toThrow(
      expect.objectContaining({ errorName: 'REQUEST_TIMED_OUT' }) as Error,
    );
    expect(queue.stats()).toEqual({ updates: 3, writes: 1 });
    const other = new ShareStateWriteQueue(store.write, 2);
    void other.enqueue(update(0, 0, 0, 1)); // out
    await nextMacrotask();
    void other.enqueue(update(0, 1, 1, 1));
    expect(() => other.enqueue({ ...update(0, 4, 4, 1), stateEpoch: 1 })).toThrow(/state epochs 0 and 1/);
    expect(() => new ShareStateWriteQueue(store.write, 0)).toThrow(RangeError);
  });
});
