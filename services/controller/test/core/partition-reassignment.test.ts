import { decodeRecord, encodeRecord, versionFor } from '@sluice/metadata';
import { Harness } from './harness';

/** The leader of `t-0` adds `joiner` to the ISR (its follower caught up). */
function expandIsr(h: Harness, topicId: string, joiner: number) {
  const p = h.partition('t', 0);
  return h.core.alterPartition(h.image, {
    brokerId: p.leader,
    brokerEpoch: h.epoch(p.leader),
    topicId,
    partitionId: 0,
    leaderEpoch: p.leaderEpoch,
    partitionEpoch: p.partitionEpoch,
    newIsr: [...p.isr, joiner],
  });
}

function reassign(h: Harness, target: number[] | null, topic = 't', partitionId = 0) {
  return h.core.alterPartitionReassignments(h.image, [{ topic, partitionId, targetReplicas: target }]);
}

describe('alterPartitionReassignments', () => {
  it('adds the target replicas, keeps the originals until the target is in the ISR, then completes', () => {
    const h = new Harness().brokers(4);
    const topicId = h.topic('t', 1, 3);
    const before = h.partition('t', 0);
    expect(before.replicas).not.toContain(3);
    const leaving = before.replicas.find((id) => id !== before.leader) as number;
    const target = [...before.replicas.filter((id) => id !== leaving), 3];

    const started = reassign(h, target);
    expect(started.response.results).toEqual([{ topic: 't', partitionId: 0 }]);
    const record = started.records[0];
    // The record carries adding/removing, so it is written at version 2; one without them stays older.
    expect(record !== undefined && versionFor(record)).toBe(2);
    expect(decodeRecord(encodeRecord(record!)).record).toEqual(record);
    h.commit(started);
    const during = h.partition('t', 0);
    expect(during.replicas).toEqual([...target, leaving]);
    expect(during.addingReplicas).toEqual([3]);
    expect(during.removingReplicas).toEqual([leaving]);
    expect(during.isr).toEqual(before.isr);
    expect(during.leader).toBe(before.leader);
    expect(h.core.listPartitionReassignments(h.image)).toEqual([
      { topic: 't', partitionId: 0, replicas: [...target, leaving], addingReplicas: [3], removingReplicas: [leaving] },
    ]);

    const expanded = expandIsr(h, topicId, 3);
    expect(expanded.records).toHaveLength(2);
    h.commit(expanded);
    const after = h.partition('t', 0);
    expect(after.replicas).toEqual(target);
    expect(after.isr.sort()).toEqual([...target].sort());
    expect(after.addingReplicas).toEqual([]);
    expect(after.removingReplicas).toEqual([]);
    expect(after.leader).toBe(before.leader);
    expect(expanded.response).toMatchObject({ leader: before.leader, partitionEpoch: after.partitionEpoch });
    expect(h.core.listPartitionReassignments(h.image)).toEqual([]);
  });

  it('moves leadership to the first target replica when the leader is removed', () => {
    const h = new Harness().brokers(4);
    const topicId = h.topic('t', 1, 3);
    const before = h.partition('t', 0);
    const target = [...before.replicas.filter((id) => id !== before.leader), 3];
    h.commit(reassign(h, target));
    expect(h.partition('t', 0).leader).toBe(before.leader);
    const completed = expandIsr(h, topicId, 3);
    h.commit(completed);
    const after = h.partition('t', 0);
    expect(after.replicas).toEqual(target);
    expect(after.leader).toBe(target[0]);
    expect(after.leaderEpoch).toBe(before.leaderEpoch + 1);
    expect(after.isr).not.toContain(before.leader);
    expect(completed.response).toMatchObject({ leader: target[0], leaderEpoch: before.leaderEpoch + 1 });
  });

  it('completes at once when the target is already in sync (shrink or reorder)', () => {
    const h = new Harness().brokers(3);
    h.topic('t', 1, 3);
    const before = h.partition('t', 0);
    const reordered = [...before.replicas].reverse();
    h.commit(reassign(h, reordered));
    expect(h.partition('t', 0)).toMatchObject({ replicas: reordered, addingReplicas: [], removingReplicas: [] });
    const shrunk = reordered.slice(0, 2);
    h.commit(reassign(h, shrunk));
    const after = h.partition('t', 0);
    expect(after.replicas).toEqual(shrunk);
    expect(after.isr.every((id) => shrunk.includes(id))).toBe(true);
    expect(shrunk).toContain(after.leader);
    expect(h.core.listPartitionReassignments(h.image)).toEqual([]);
  });

  it('cancels (null target) back to the original replicas, and replaces a target in progress', () => {
    const h = new Harness().brokers(5);
    const topicId = h.topic('t', 1, 3);
    const before = h.partition('t', 0);
    const spare = [0, 1, 2, 3, 4].filter((id) => !before.replicas.includes(id));
    h.commit(reassign(h, [spare[0] as number, ...before.replicas.slice(1)]));
    // A new target replaces the old: the original replicas stay the base.
    h.commit(reassign(h, [spare[1] as number, ...before.replicas.slice(1)]));
    const replaced = h.partition('t', 0);
    expect(replaced.addingReplicas).toEqual([spare[1]]);
    expect(replaced.removingReplicas).toEqual([before.replicas[0]]);
    expect(replaced.replicas).not.toContain(spare[0]);
    h.commit(reassign(h, null));
    const cancelled = h.partition('t', 0);
    // As Kafka's revert (replicas minus adding), the original set comes back; the order is the
    // union's (the cancelled target's survivors first).
    expect([...cancelled.replicas].sort()).toEqual([...before.replicas].sort());
    expect(cancelled).toMatchObject({
      isr: before.isr,
      leader: before.leader,
      addingReplicas: [],
      removingReplicas: [],
    });
    // Cancelling again: nothing in progress; the image does not change.
    const result = reassign(h, null);
    expect(result.records).toEqual([]);
    expect(result.response.results[0]?.error?.errorName).toBe('NO_REASSIGNMENT_IN_PROGRESS');
    // An ISR change for the cancelled joiner is refused (no longer a replica).
    expect(() => expandIsr(h, topicId, spare[1] as number)).toThrow(/not a replica/);
  });

  it('refuses bad targets with Kafka errors per partition and writes nothing for them', () => {
    const h = new Harness().brokers(3);
    h.topic('t', 2, 2);
    const result = h.core.alterPartitionReassignments(h.image, [
      { topic: 'nope', partitionId: 0, targetReplicas: [0] },
      { topic: 't', partitionId: 9, targetReplicas: [0] },
      { topic: 't', partitionId: 0, targetReplicas: [] },
      { topic: 't', partitionId: 1, targetReplicas: [0, 0] },
    ]);
    expect(result.records).toEqual([]);
    expect(result.response.results.map((r) => r.error?.errorName)).toEqual([
      'UNKNOWN_TOPIC_OR_PARTITION',
      'UNKNOWN_TOPIC_OR_PARTITION',
      'INVALID_REPLICA_ASSIGNMENT',
      'INVALID_REPLICA_ASSIGNMENT',
    ]);
    const unknownBroker = reassign(h, [0, 7], 't', 1);
    expect(unknownBroker.response.results[0]?.error?.errorName).toBe('INVALID_REPLICA_ASSIGNMENT');
    expect(unknownBroker.response.results[0]?.error?.message).toMatch(/broker 7 not registered/);
    expect(unknownBroker.records).toEqual([]);
    h.refuses('INVALID_REQUEST', () =>
      h.core.alterPartitionReassignments(h.image, [
        { topic: 't', partitionId: 0, targetReplicas: [0] },
        { topic: 't', partitionId: 0, targetReplicas: [1] },
      ]),
    );
  });

  it('keeps a reassignment in progress while an adding replica is fenced, and finishes after it returns', () => {
    const h = new Harness().brokers(4);
    const topicId = h.topic('t', 1, 3);
    const before = h.partition('t', 0);
    const target = [...before.replicas.slice(1), 3];
    h.commit(reassign(h, target));
    h.nowMs += 60_000;
    for (const id of [0, 1, 2]) h.heartbeat(id);
    h.drainMoves();
    expect(h.image.cluster.isFenced(3)).toBe(true);
    expect(h.core.listPartitionReassignments(h.image)).toHaveLength(1);
    const p = h.partition('t', 0);
    expect(() =>
      h.core.alterPartition(h.image, {
        brokerId: p.leader,
        brokerEpoch: h.epoch(p.leader),
        topicId,
        partitionId: 0,
        leaderEpoch: p.leaderEpoch,
        partitionEpoch: p.partitionEpoch,
        newIsr: [...p.isr, 3],
      }),
    ).toThrow(/cannot join the ISR/);
    h.heartbeat(3);
    h.commit(expandIsr(h, topicId, 3));
    expect(h.partition('t', 0)).toMatchObject({ replicas: target, addingReplicas: [], removingReplicas: [] });
  });
});
