/**
 * The broker's share group shell (SharePartitionManager) over a real ReplicaManager and log
 * directory, with an in-memory persister: acquire/acknowledge round trips, redelivery after lock
 * expiry, archiving, persister failures, reloads after restart and leader changes, bad requests.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeRecordBatches } from '@sluice/protocol';
import { HIGH_WATERMARK_CHECKPOINT_FILE } from '../src/node/high-watermark-checkpoint';
import { acquiredOffsets, shareImage, ShareFixture, TOPIC } from './support/share-fixture';
import { received } from './support/wire';

const key = (partition: number) => ({ groupId: 'g', topic: TOPIC, partition });

/** Polls `predicate` every 5 ms; throws after `timeoutMs`. */
async function waitUntil(predicate: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('SharePartitionManager', () => {
  let dir: string;
  let fx: ShareFixture;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sluice-share-'))));
  afterEach(() => {
    fx?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('acquires, returns the records, and an ACCEPT is written and never redelivered', async () => {
    fx = new ShareFixture(dir, 1);
    await fx.produce(0, 5);
    const first = await fx.fetch('m1', 0, [{ partition: 0 }]);
    const p = first.topics![0]!.partitions![0]!;
    expect(p.errorName).toBe('');
    expect(p.acquiredRecords).toEqual([{ firstOffset: 0, lastOffset: 4, deliveryCount: 1 }]);
    const values = decodeRecordBatches(p.records as Buffer).flatMap((b) => b.records.map((r) => r.value!.toString()));
    expect(values).toEqual(['value-0', 'value-1', 'value-2', 'value-3', 'value-4']);
    // The acquisition is durable before the answer: a delivery counted, state AVAILABLE if the lock is lost.
    expect(fx.persister.state(key(0))).toEqual({
      stateEpoch: 0,
      startOffset: 0,
      ranges: [{ firstOffset: 0, lastOffset: 4, state: 'AVAILABLE', deliveryCount: 1 }],
    });
    // Another member finds nothing to take.
    expect(acquiredOffsets(await fx.fetch('m2', 0, [{ partition: 0 }]))).toEqual([]);
    const acked = await fx.acknowledge('m1', 1, 0, [[0, 4, 'ACCEPT']]);
    expect(acked.topics![0]!.partitions![0]!.errorName).toBe('');
    expect(fx.persister.state(key(0))).toEqual({ stateEpoch: 0, startOffset: 5, ranges: [] });
    expect(acquiredOffsets(await fx.fetch('m2', 1, [{ partition: 0 }]))).toEqual([]);
  });

  it('applies the acknowledgements of a ShareFetch before acquiring, and starts a new group at latest by default', async () => {
    fx = new ShareFixture(dir, 1, { autoOffsetReset: () => 'latest' });
    await fx.produce(0, 3);
    expect(acquiredOffsets(await fx.fetch('m1', 0, [{ partition: 0 }]))).toEqual([]);
    await fx.produce(0, 2);
    expect(acquiredOffsets(await fx.fetch('m1', 1, [{ partition: 0 }])).map((r) => r.offset)).toEqual([3, 4]);
    await fx.produce(0, 1);
    const next = await fx.fetch('m1', 2, [{ partition: 0, acks: [[3, 4, 'ACCEPT']] }]);
    expect(next.topics![0]!.partitions![0]!.acknowledgeErrorName).toBe('');
    expect(acquiredOffsets(next).map((r) => r.offset)).toEqual([5]);
    expect(fx.persister.state(key(0))!.startOffset).toBe(5);
  });

  it('acquires max_records across log reads of a deep backlog, and past max_bytes takes only the first batch', async () => {
    fx = new ShareFixture(dir, 1, {
      config: { recordLockDurationMs: 30_000, deliveryCountLimit: 5, maxInFlightRecords: 10_000 },
    });
    // 400 batches of 10 records: about 100 KiB, more than one 64 KiB read.
    for (let i = 0; i < 400; i++) await fx.produce(0, 10);
    const first = await fx.fetch('m1', 0, [{ partition: 0 }], { maxRecords: 3_000 });
    expect(first.topics![0]!.partitions![0]!.acquiredRecords).toEqual([
      { firstOffset: 0, lastOffset: 2_999, deliveryCount: 1 },
    ]);
    const values = decodeRecordBatches(first.topics![0]!.partitions![0]!.records as Buffer).flatMap((b) =>
      b.records.map((r) => r.value!.toString()),
    );
    expect(values).toEqual(Array.from({ length: 3_000 }, (_, i) => `value-${i}`));
    // Part of a batch: the core splits it.
    expect(
      acquiredOffsets(await fx.fetch('m2', 0, [{ partition: 0 }], { maxRecords: 5 })).map((r) => r.offset),
    ).toEqual([3_000, 3_001, 3_002, 3_003, 3_004]);
    // A 1-byte budget still takes one batch (the rest of the one at the window's end).
    const tight = await fx.shares.shareFetch(
      received('ShareFetch', {
        groupId: 'g',
        memberId: 'm3',
        shareSessionEpoch: 0,
        maxWaitMs: 0,
        minBytes: 1,
        maxBytes: 1,
        maxRecords: 500,
        topics: [{ name: TOPIC, partitions: [{ partition: 0, acknowledgements: [] }] }],
      }),
    );
    expect(tight.topics![0]!.partitions![0]!.acquiredRecords).toEqual([
      { firstOffset: 3_005, lastOffset: 3_009, deliveryCount: 1 },
    ]);
  });

  it('a long-polling ShareFetch answers as soon as records arrive', async () => {
    fx = new ShareFixture(dir, 1);
    const startedMs = Date.now();
    const pending = fx.fetch('m1', 0, [{ partition: 0 }], { maxWaitMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await fx.produce(0, 2);
    const answer = await pending;
    expect(acquiredOffsets(answer).map((r) => r.offset)).toEqual([0, 1]);
    expect(Date.now() - startedMs).toBeLessThan(2_000);
    // With nothing to take, it waits max_wait_ms and answers empty.
    const emptyStartedMs = Date.now();
    expect(acquiredOffsets(await fx.fetch('m2', 0, [{ partition: 0 }], { maxWaitMs: 300 }))).toEqual([]);
    expect(Date.now() - emptyStartedMs).toBeGreaterThanOrEqual(250);
  });

  it('redelivers the records of a member that stopped to another member after the lock duration', async () => {
    fx = new ShareFixture(dir, 1, {
      config: { recordLockDurationMs: 1_000, deliveryCountLimit: 5, maxInFlightRecords: 2_000 },
    });
    await fx.produce(0, 4);
    // Timed from before the acquisition: the lock runs from when it is taken, so a slow answer to
    // 'stopped' (a loaded machine) must not count against the lock's duration.
    const startedMs = Date.now();
    expect(acquiredOffsets(await fx.fetch('stopped', 0, [{ partition: 0 }])).map((r) => r.offset)).toEqual([
      0, 1, 2, 3,
    ]);
    // m2 long-polls; the lock-expiry timer releases the records and wakes it.
    const redelivered = acquiredOffsets(await fx.fetch('m2', 0, [{ partition: 0 }], { maxWaitMs: 5_000 }));
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(900);
    expect(redelivered).toEqual([0, 1, 2, 3].map((offset) => ({ partition: 0, offset, deliveryCount: 2 })));
    // The stopped member's late acknowledgement is refused and changes nothing.
    const late = await fx.acknowledge('stopped', 1, 0, [[0, 3, 'ACCEPT']]);
    expect(late.topics![0]!.partitions![0]!.errorName).toBe('INVALID_RECORD_STATE');
    expect(fx.shares.sharePartition('g', TOPIC, 0)!.stateOf(0)).toMatchObject({ state: 'ACQUIRED', memberId: 'm2' });
  });

  it('REJECT archives; RELEASE makes records available again until the delivery limit, then archives', async () => {
    fx = new ShareFixture(dir, 1, {
      config: { recordLockDurationMs: 30_000, deliveryCountLimit: 2, maxInFlightRecords: 2_000 },
    });
    await fx.produce(0, 2);
    expect(acquiredOffsets(await fx.fetch('m1', 0, [{ partition: 0 }])).map((r) => r.offset)).toEqual([0, 1]);
    // Offset 0 rejected, offset 1 released; the release comes back with delivery count 2.
    const second = await fx.fetch('m1', 1, [
      {
        partition: 0,
        acks: [
          [0, 0, 'REJECT'],
          [1, 1, 'RELEASE'],
        ],
      },
    ]);
    expect(acquiredOffsets(second)).toEqual([{ partition: 0, offset: 1, deliveryCount: 2 }]);
    // Released at the limit: archived, not delivered again.
    const third = await fx.fetch('m1', 2, [{ partition: 0, acks: [[1, 1, 'RELEASE']] }]);
    expect(acquiredOffsets(third)).toEqual([]);
    expect(fx.persister.state(key(0))).toEqual({ stateEpoch: 0, startOffset: 2, ranges: [] });
  });

  it('six members on two partitions all get work and no record is held by two members at once', async () => {
    fx = new ShareFixture(dir, 2);
    for (let i = 0; i < 30; i++) await fx.produce(i % 2, 2);
    const members = ['a', 'b', 'c', 'd', 'e', 'f'];
    const epochs = new Map(members.map((m) => [m, 0]));
    const holder = new Map<string, string>();
    const received = new Map(members.map((m) => [m, 0]));
    const delivered = new Set<string>();
    for (let round = 0; round < 20 && delivered.size < 60; round++) {
      // Every member fetches at the same time, acknowledging what it held.
      const answers = await Promise.all(
        members.map(async (member) => {
          const held = [...holder]
            .filter(([, m]) => m === member)
            .map(([k]) => k.split('-').map(Number) as [number, number]);
          const acks = (partition: number) =>
            held.filter(([p]) => p === partition).map(([, o]) => [o, o, 'ACCEPT'] as [number, number, string]);
          const epoch = epochs.get(member)!;
          epochs.set(member, epoch + 1);
          for (const [p, o] of held) holder.delete(`${p}-${o}`);
          const answer = await fx.fetch(
            member,
            epoch,
            [0, 1].map((partition) => ({ partition, acks: acks(partition) })),
            { maxRecords: 3 },
          );
          return { member, answer };
        }),
      );
      for (const { member, answer } of answers) {
        for (const p of answer.topics![0]!.partitions!) expect(p.acknowledgeErrorName).toBe('');
        for (const r of acquiredOffsets(answer)) {
          const k = `${r.partition}-${r.offset}`;
          expect(holder.get(k)).toBeUndefined();
          holder.set(k, member);
          delivered.add(k);
          received.set(member, received.get(member)! + 1);
        }
      }
    }
    expect(delivered.size).toBe(60);
    for (const member of members) expect(received.get(member)).toBeGreaterThan(0);
  });

  it('group-commits: steps decided while a write is out share the next write, and none answers before it is durable', async () => {
    fx = new ShareFixture(dir, 1);
    expect(acquiredOffsets(await fx.fetch('m0', 0, [{ partition: 0 }]))).toEqual([]); // initializes at 0
    await fx.produce(0, 10);
    const writesBefore = fx.persister.writes;
    fx.persister.mode = 'hang';
    let answered = 0;
    const fetchAs = (m: string) =>
      fx.fetch(m, 0, [{ partition: 0 }], { maxRecords: 2 }).then((answer) => {
        answered++;
        return answer;
      });
    const fetches = [fetchAs('m1')];
    await waitUntil(() => fx.persister.hungWrites === 1);
    fetches.push(...['m2', 'm3', 'm4', 'm5'].map(fetchAs));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // One write out, the other four steps decided behind it; nobody answered.
    expect(fx.persister.hungWrites).toBe(1);
    expect(fx.persister.writes - writesBefore).toBe(1);
    expect(answered).toBe(0);
    fx.persister.mode = 'ok';
    fx.persister.settleHung('apply');
    const answers = await Promise.all(fetches);
    // Five acquisitions in two writes: the first alone, the other four merged.
    expect(fx.persister.writes - writesBefore).toBe(2);
    const offsets = answers.flatMap((a) => acquiredOffsets(a).map((r) => r.offset)).sort((a, b) => a - b);
    expect(offsets).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(fx.persister.state(key(0))).toEqual({
      stateEpoch: 0,
      startOffset: 0,
      ranges: [{ firstOffset: 0, lastOffset: 9, state: 'AVAILABLE', deliveryCount: 1 }],
    });
  });

  it("a ShareFetch's acknowledgements and its acquisition share one write", async () => {
    fx = new ShareFixture(dir, 1);
    await fx.produce(0, 4);
    expect(acquiredOffsets(await fx.fetch('m1', 0, [{ partition: 0 }], { maxRecords: 2 })).length).toBe(2);
    const writesBefore = fx.persister.writes;
    const next = await fx.fetch('m1', 1, [{ partition: 0, acks: [[0, 1, 'ACCEPT']] }], { maxRecords: 2 });
    expect(next.topics![0]!.partitions![0]!.acknowledgeErrorName).toBe('');
    expect(acquiredOffsets(next).map((r) => r.offset)).toEqual([2, 3]);
    expect(fx.persister.writes - writesBefore).toBe(1);
    expect(fx.persister.state(key(0))).toEqual({
      stateEpoch: 0,
      startOffset: 2,
      ranges: [{ firstOffset: 2, lastOffset: 3, state: 'AVAILABLE', deliveryCount: 1 }],
    });
  });

  it('a failed group write fails every step merged into it or decided after it, and the state reloads', async () => {
    fx = new ShareFixture(dir, 1);
    expect(acquiredOffsets(await fx.fetch('m0', 0, [{ partition: 0 }]))).toEqual([]);
    await fx.produce(0, 6);
    fx.persister.mode = 'hang';
    const fetches = ['m1', 'm2', 'm3'].map((m) => fx.fetch(m, 0, [{ partition: 0 }], { maxRecords: 2 }));
    await waitUntil(() => fx.persister.hungWrites === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    fx.persister.settleHung('fail');
    const answers = await Promise.all(fetches);
    for (const answer of answers) {
      expect(answer.topics![0]!.partitions![0]!.errorName).toBe('COORDINATOR_NOT_AVAILABLE');
      expect(acquiredOffsets(answer)).toEqual([]);
    }
    expect(fx.persister.state(key(0))).toEqual({ stateEpoch: 0, startOffset: 0, ranges: [] });
    // Nothing was handed out, so nothing counted a delivery: a fresh member gets every record, first delivery.
    fx.persister.mode = 'ok';
    const again = acquiredOffsets(await fx.fetch('m4', 0, [{ partition: 0 }]));
    expect(again.map((r) => [r.offset, r.deliveryCount])).toEqual([0, 1, 2, 3, 4, 5].map((o) => [o, 1]));
  });

  it('a failed write is not acknowledged to the client and changes nothing visible', async () => {
    fx = new ShareFixture(dir, 1);
    await fx.produce(0, 3);
    expect(acquiredOffsets(await fx.fetch('m1', 0, [{ partition: 0 }])).map((r) => r.offset)).toEqual([0, 1, 2]);
    const before = fx.persister.state(key(0));
    fx.persister.mode = 'fail';
    const failed = await fx.acknowledge('m1', 1, 0, [[0, 2, 'ACCEPT']]);
    expect(failed.topics![0]!.partitions![0]!.errorName).toBe('COORDINATOR_NOT_AVAILABLE');
    expect(fx.persister.state(key(0))).toEqual(before);
    // A fetch while the persister fails acquires nothing and says why.
    await fx.produce(0, 1);
    const fetchFailed = await fx.fetch('m2', 0, [{ partition: 0 }]);
    expect(fetchFailed.topics![0]!.partitions![0]!.errorName).toBe('COORDINATOR_NOT_AVAILABLE');
    expect(acquiredOffsets(fetchFailed)).toEqual([]);
    expect(fx.persister.state(key(0))).toEqual(before);
    // Back up: the state reloads from the store. The records m1 held were never accepted, so they
    // are available again (one delivery counted), and offset 3 is new.
    fx.persister.mode = 'ok';
    const again = acquiredOffsets(await fx.fetch('m2', 1, [{ partition: 0 }]));
    expect(again).toEqual([
      { partition: 0, offset: 0, deliveryCount: 2 },
      { partition: 0, offset: 1, deliveryCount: 2 },
      { partition: 0, offset: 2, deliveryCount: 2 },
      { partition: 0, offset: 3, deliveryCount: 1 },
    ]);
  });

  it('a hung write times out unacknowledged, and the share partition reloads only once it settled', async () => {
    fx = new ShareFixture(dir, 1, { persisterTimeoutMs: 200 });
    await fx.produce(0, 2);
    expect(acquiredOffsets(await fx.fetch('m1', 0, [{ partition: 0 }])).length).toBe(2);
    fx.persister.mode = 'hang';
    const timedOut = await fx.acknowledge('m1', 1, 0, [[0, 1, 'ACCEPT']]);
    expect(timedOut.topics![0]!.partitions![0]!.errorName).toBe('REQUEST_TIMED_OUT');
    expect(fx.persister.hungWrites).toBe(1);
    fx.persister.mode = 'ok';
    const blocked = await fx.fetch('m1', 2, [{ partition: 0 }]);
    expect(blocked.topics![0]!.partitions![0]!.errorName).toBe('COORDINATOR_NOT_AVAILABLE');
    // The slow write lands after all: the reload sees it, so the ACCEPT holds.
    fx.persister.settleHung('apply');
    await new Promise((resolve) => setImmediate(resolve));
    const after = await fx.fetch('m2', 0, [{ partition: 0 }]);
    expect(after.topics![0]!.partitions![0]!.errorName).toBe('');
    expect(acquiredOffsets(after)).toEqual([]);
    expect(fx.persister.state(key(0))!.startOffset).toBe(2);
  });

  it('after a restart the state comes from the persister: accepted records are never redelivered', async () => {
    fx = new ShareFixture(dir, 1);
    await fx.produce(0, 4);
    await fx.fetch('m1', 0, [{ partition: 0 }], { maxRecords: 4 });
    await fx.acknowledge('m1', 1, 0, [
      [0, 0, 'ACCEPT'],
      [2, 2, 'ACCEPT'],
    ]);
    fx.restartShares();
    const after = acquiredOffsets(await fx.fetch('m2', 0, [{ partition: 0 }]));
    expect(after).toEqual([
      { partition: 0, offset: 1, deliveryCount: 2 },
      { partition: 0, offset: 3, deliveryCount: 2 },
    ]);
  });

  it('leadership loss drops the share partition; leading again reloads it from the persister', async () => {
    fx = new ShareFixture(dir, 1);
    await fx.produce(0, 3);
    await fx.fetch('m1', 0, [{ partition: 0 }]);
    await fx.acknowledge('m1', 1, 0, [[1, 1, 'ACCEPT']]);
    fx.replicas.applyImage(shareImage(1, 2, 1, 2));
    expect(fx.shares.sharePartitionCount).toBe(0);
    const away = await fx.fetch('m1', 2, [{ partition: 0, acks: [[0, 0, 'ACCEPT']] }]);
    expect(away.topics![0]!.partitions![0]!).toMatchObject({
      errorName: 'NOT_LEADER_OR_FOLLOWER',
      acknowledgeErrorName: 'NOT_LEADER_OR_FOLLOWER',
    });
    fx.replicas.applyImage(shareImage(1, 1, 2, 3));
    const back = acquiredOffsets(await fx.fetch('m2', 0, [{ partition: 0 }]));
    expect(back.map((r) => r.offset)).toEqual([0, 2]);
    expect(fx.persister.state(key(0))).toEqual({
      stateEpoch: 0,
      startOffset: 0,
      ranges: [
        { firstOffset: 0, lastOffset: 0, state: 'AVAILABLE', deliveryCount: 2 },
        { firstOffset: 1, lastOffset: 1, state: 'ACKNOWLEDGED', deliveryCount: 1 },
        { firstOffset: 2, lastOffset: 2, state: 'AVAILABLE', deliveryCount: 2 },
      ],
    });
  });

  it('a new leader whose high watermark trails the in-flight window hands out nothing until it caught up', async () => {
    fx = new ShareFixture(dir, 1);
    await fx.produce(0, 3);
    await fx.fetch('m1', 0, [{ partition: 0 }]);
    // The broker restarts with a checkpointed high watermark of 1 (the checkpoint trails the high
    // watermark by up to its interval) and leads again in a new epoch, now with a follower in the
    // ISR: its high watermark starts at 1, as a new leader's may trail the old one's.
    const persister = fx.persister;
    fx.stop();
    writeFileSync(join(dir, HIGH_WATERMARK_CHECKPOINT_FILE), `0\n1\n${TOPIC} 0 1\n`);
    fx = new ShareFixture(dir, 1, {}, persister);
    fx.replicas.applyImage(shareImage(1, 1, 2, 3, [1, 2]));
    const replica = fx.replicas.replica(TOPIC, 0)!;
    expect(replica.highWatermark).toBe(1);
    expect(acquiredOffsets(await fx.fetch('m2', 0, [{ partition: 0 }]))).toEqual([]);
    // The follower catches up: the high watermark reaches the window's end, the records go out whole.
    await fx.replicas.fetch(
      received('Fetch', {
        replicaId: 2,
        replicaEpoch: 1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1 << 20,
        topics: [
          {
            name: TOPIC,
            partitions: [
              {
                partition: 0,
                fetchOffset: 3,
                currentLeaderEpoch: 2,
                lastFetchedEpoch: -1,
                logStartOffset: 0,
                partitionMaxBytes: 1 << 20,
              },
            ],
          },
        ],
      }),
    );
    expect(replica.highWatermark).toBe(3);
    const answer = await fx.fetch('m2', 1, [{ partition: 0 }]);
    expect(acquiredOffsets(answer).map((r) => [r.offset, r.deliveryCount])).toEqual([
      [0, 2],
      [1, 2],
      [2, 2],
    ]);
    expect(
      decodeRecordBatches(answer.topics![0]!.partitions![0]!.records as Buffer).flatMap((b) =>
        b.records.map((r) => r.offset),
      ),
    ).toEqual([0, 1, 2]);
  });

  it('closing the session (epoch -1) applies its acknowledgements and releases the rest at once', async () => {
    fx = new ShareFixture(dir, 1);
    await fx.produce(0, 3);
    await fx.fetch('m1', 0, [{ partition: 0 }]);
    const closed = await fx.acknowledge('m1', -1, 0, [[0, 0, 'ACCEPT']]);
    expect(closed.topics![0]!.partitions![0]!.errorName).toBe('');
    expect(
      acquiredOffsets(await fx.fetch('m2', 0, [{ partition: 0 }])).map((r) => [r.offset, r.deliveryCount]),
    ).toEqual([
      [1, 2],
      [2, 2],
    ]);
    // The closed session is gone: continuing it is SHARE_SESSION_NOT_FOUND.
    await expect(fx.fetch('m1', 1, [{ partition: 0 }])).rejects.toMatchObject({ errorName: 'SHARE_SESSION_NOT_FOUND' });
  });

  it('checks share session epochs', async () => {
    fx = new ShareFixture(dir, 1);
    await fx.fetch('m1', 0, [{ partition: 0 }]);
    await expect(fx.fetch('m1', 5, [{ partition: 0 }])).rejects.toMatchObject({
      errorName: 'INVALID_SHARE_SESSION_EPOCH',
    });
    await expect(fx.acknowledge('m1', 0, 0, [])).rejects.toMatchObject({ errorName: 'INVALID_SHARE_SESSION_EPOCH' });
    await expect(fx.fetch('m9', 3, [{ partition: 0 }])).rejects.toMatchObject({ errorName: 'SHARE_SESSION_NOT_FOUND' });
    expect((await fx.fetch('m1', 1, [{ partition: 0 }])).topics![0]!.partitions![0]!.errorName).toBe('');
  });

  it('bad requests get named errors and change nothing', async () => {
    fx = new ShareFixture(dir, 1);
    await fx.produce(0, 3);
    await fx.fetch('m1', 0, [{ partition: 0 }]);
    const stored = fx.persister.state(key(0));
    const writes = fx.persister.writes;
    const unknown = await fx.fetch('m1', 1, [{ partition: 0 }], { topic: 'nope' });
    expect(unknown.topics![0]!.partitions![0]!.errorName).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    const badType = await fx.fetch('m1', 2, [{ partition: 0, acks: [[0, 0, 'MAYBE']] }]);
    expect(badType.topics![0]!.partitions![0]!).toMatchObject({
      errorName: 'INVALID_REQUEST',
      acknowledgeErrorName: 'INVALID_REQUEST',
    });
    const unsorted = await fx.acknowledge('m1', 3, 0, [
      [2, 2, 'ACCEPT'],
      [0, 1, 'ACCEPT'],
    ]);
    expect(unsorted.topics![0]!.partitions![0]!.errorName).toBe('INVALID_REQUEST');
    const inverted = await fx.acknowledge('m1', 4, 0, [[2, 1, 'ACCEPT']]);
    expect(inverted.topics![0]!.partitions![0]!.errorName).toBe('INVALID_REQUEST');
    // Not this member's records: INVALID_RECORD_STATE.
    const notHeld = await fx.acknowledge('m2', -1, 0, [[0, 2, 'ACCEPT']]);
    expect(notHeld.topics![0]!.partitions![0]!.errorName).toBe('INVALID_RECORD_STATE');
    await expect(fx.fetch('', 0, [{ partition: 0 }])).rejects.toMatchObject({ errorName: 'INVALID_REQUEST' });
    await expect(fx.fetch('m1', 0, [{ partition: 0 }], { groupId: '' })).rejects.toMatchObject({
      errorName: 'INVALID_GROUP_ID',
    });
    expect(fx.persister.state(key(0))).toEqual(stored);
    expect(fx.persister.writes).toBe(writes);
  });

  it('bounds share partitions in memory (idle ones are evicted, ones with locks are not) and parked fetches', async () => {
    fx = new ShareFixture(dir, 1, { maxSharePartitions: 1, maxParkedFetches: 0 });
    await fx.produce(0, 2);
    // g1 holds locks: g2 cannot get a share partition of its own.
    expect(acquiredOffsets(await fx.fetch('m1', 0, [{ partition: 0 }], { groupId: 'g1' })).length).toBe(2);
    const refused = await fx.fetch('m2', 0, [{ partition: 0 }], { groupId: 'g2' });
    expect(refused.topics![0]!.partitions![0]!.errorName).toBe('REQUEST_TIMED_OUT');
    // Once g1 holds nothing, its share partition is evicted for g2's (its state stays in the store).
    await fx.shares.shareAcknowledge(
      received('ShareAcknowledge', {
        groupId: 'g1',
        memberId: 'm1',
        shareSessionEpoch: 1,
        topics: [
          {
            name: TOPIC,
            partitions: [
              { partition: 0, acknowledgements: [{ firstOffset: 0, lastOffset: 1, acknowledgeType: 'ACCEPT' }] },
            ],
          },
        ],
      }),
    );
    // No fetch may park: an empty answer comes at once even with a long max wait.
    const startedMs = Date.now();
    expect(
      acquiredOffsets(await fx.fetch('m2', 1, [{ partition: 0 }], { groupId: 'g2', maxWaitMs: 5_000 })).map(
        (r) => r.offset,
      ),
    ).toEqual([0, 1]);
    expect(acquiredOffsets(await fx.fetch('m3', 0, [{ partition: 0 }], { groupId: 'g2', maxWaitMs: 5_000 }))).toEqual(
      [],
    );
    expect(Date.now() - startedMs).toBeLessThan(2_000);
    expect(fx.shares.sharePartitionCount).toBe(1);
    expect(fx.persister.state({ groupId: 'g1', topic: TOPIC, partition: 0 })!.startOffset).toBe(2);
  });

  it('answers COORDINATOR_NOT_AVAILABLE, saying why, when no persister is configured', async () => {
    fx = new ShareFixture(dir, 1, { persister: null, unavailableReason: 'share.coordinator.addresses is empty' });
    await expect(fx.fetch('m1', 0, [{ partition: 0 }])).rejects.toMatchObject({
      errorName: 'COORDINATOR_NOT_AVAILABLE',
      message: expect.stringContaining('share.coordinator.addresses'),
    });
  });

  it('retention moving the log start archives what it removed', async () => {
    fx = new ShareFixture(dir, 1);
    await fx.produce(0, 2);
    fx.replicas.replica(TOPIC, 0)!.log.roll();
    await fx.produce(0, 2);
    await fx.fetch('m1', 0, [{ partition: 0 }], { maxRecords: 1 });
    fx.replicas.replica(TOPIC, 0)!.log.advanceLogStartOffset(2);
    const next = acquiredOffsets(await fx.fetch('m2', 0, [{ partition: 0 }]));
    expect(next.map((r) => r.offset)).toEqual([2, 3]);
    expect(fx.persister.state(key(0))!.startOffset).toBe(2);
  });
});
