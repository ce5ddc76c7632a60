/**
 * Eligible leader replicas (KIP-966) and lost replicas (a broker back without a log directory it
 * had, KIP-858's directory ids), decided by the controller core, step by step.
 */
import { NO_LEADER } from '@sluice/metadata';
import { minInsyncReplicasOf, nextEligibleLeaderReplicas, randomUuid, seededRng } from '../../src/core';
import { Harness, SESSION_MS } from './harness';

/** A directory id per (broker, generation): a new generation is a new or re-formatted disk. */
const dir = (brokerId: number, generation = 0): string => randomUuid(seededRng(brokerId * 1_000 + generation + 7));

/** Brokers 0..2 reporting their first directories, unfenced; topic `t` (replicas 0,1,2) with min.insync.replicas 2. */
function cluster(partitions = 1, options: ConstructorParameters<typeof Harness>[0] = {}): Harness {
  const h = new Harness(options);
  for (const id of [0, 1, 2]) h.register(id, null, id, [dir(id)]);
  for (const id of [0, 1, 2]) h.heartbeat(id);
  h.commit(
    h.core.createTopics(h.image, [
      {
        name: 't',
        assignments: Array.from({ length: partitions }, () => [0, 1, 2]),
        configs: { 'min.insync.replicas': '2' },
      },
    ]),
  );
  return h;
}

/** Lets the leases of every broker but `alive` expire, and writes the fences and every move. */
function expireAllBut(h: Harness, alive: readonly number[]): void {
  h.nowMs += SESSION_MS + 1;
  for (const id of alive) h.heartbeat(id);
  h.drainMoves();
}

/** Registers `id` again (with `generation`'s directory), and heartbeats it until it is unfenced or refused. */
function comeBack(h: Harness, id: number, generation = 0, seed = id + 100 * (generation + 1)): boolean {
  h.register(id, null, seed, [dir(id, generation)]);
  h.drainMoves();
  for (const other of h.image.cluster.brokers()) if (!other.fenced) h.heartbeat(other.brokerId);
  return !h.heartbeat(id).isFenced;
}

function alterIsr(h: Harness, leader: number, newIsr: number[]): void {
  const p = h.partition('t', 0);
  h.commit(
    h.core.alterPartition(h.image, {
      brokerId: leader,
      brokerEpoch: h.epoch(leader),
      topicId: h.image.topics.topicByName('t')?.topicId ?? '',
      partitionId: 0,
      leaderEpoch: p.leaderEpoch,
      partitionEpoch: p.partitionEpoch,
      newIsr,
    }),
  );
}

describe('eligible leader replicas', () => {
  it('keep who leaves an ISR below min.insync.replicas, and elect one when no ISR member can lead', () => {
    const h = cluster();
    expect(h.partition('t', 0)).toMatchObject({ leader: 0, isr: [0, 1, 2], eligibleLeaderReplicas: [] });
    // 1 goes: the ISR still has 2 = min.insync.replicas, acknowledgements go on without 1.
    expireAllBut(h, [0, 2]);
    expect(h.partition('t', 0)).toMatchObject({ isr: [0, 2], eligibleLeaderReplicas: [] });
    // 2 goes: the ISR is below min, nothing more is acknowledged; 2 holds it all.
    expireAllBut(h, [0]);
    expect(h.partition('t', 0)).toMatchObject({ leader: 0, isr: [0], eligibleLeaderReplicas: [2] });
    // The leader goes too: it stays as the last ISR member, the partition is leaderless.
    expireAllBut(h, []);
    expect(h.partition('t', 0)).toMatchObject({ leader: NO_LEADER, isr: [0], eligibleLeaderReplicas: [2] });
    // 1 comes back first: neither in the ISR nor in the ELR, it may not lead (it missed acknowledged records).
    expect(comeBack(h, 1)).toBe(true);
    expect(h.partition('t', 0)).toMatchObject({ leader: NO_LEADER, isr: [0], eligibleLeaderReplicas: [2] });
    // 2 comes back: elected from the ELR; 0, which holds the same, stays eligible.
    expect(comeBack(h, 2)).toBe(true);
    expect(h.partition('t', 0)).toMatchObject({ leader: 2, isr: [2], eligibleLeaderReplicas: [0] });
    // Followers catch up: once the ISR is back at min.insync.replicas the ELR is cleared.
    alterIsr(h, 2, [2, 1]);
    expect(h.partition('t', 0)).toMatchObject({ leader: 2, isr: [2, 1], eligibleLeaderReplicas: [] });
  });

  it('follow ISR changes a leader asks for: a shrink below min keeps the leaver, an expansion takes it back', () => {
    const h = cluster();
    alterIsr(h, 0, [0, 1]);
    expect(h.partition('t', 0).eligibleLeaderReplicas).toEqual([]);
    alterIsr(h, 0, [0]);
    expect(h.partition('t', 0)).toMatchObject({ isr: [0], eligibleLeaderReplicas: [1] });
    alterIsr(h, 0, [0, 2]);
    expect(h.partition('t', 0)).toMatchObject({ isr: [0, 2], eligibleLeaderReplicas: [] });
  });

  it('are cleared when min.insync.replicas changes, since acknowledgements may resume without them', () => {
    const h = cluster(3);
    expireAllBut(h, [0]);
    for (let p = 0; p < 3; p++) expect(h.partition('t', p).eligibleLeaderReplicas.length).toBeGreaterThan(0);
    const result = h.core.alterConfigs(h.image, { type: 'topic', name: 't' }, [
      { name: 'min.insync.replicas', value: '1' },
    ]);
    expect(result.summary).toMatch(/eligible leader replicas cleared on 3 partitions/);
    h.commit(result);
    for (let p = 0; p < 3; p++) expect(h.partition('t', p).eligibleLeaderReplicas).toEqual([]);
    // Another config leaves them alone (there are none left to clear, and none would be).
    expect(
      h.core.alterConfigs(h.image, { type: 'topic', name: 't' }, [{ name: 'retention.ms', value: '1000' }]).records,
    ).toHaveLength(1);
  });

  it('take in everyone who was in the ISR when it fell below min, together', () => {
    const h = cluster();
    expireAllBut(h, [0]);
    expect(h.partition('t', 0)).toMatchObject({ leader: 0, isr: [0], eligibleLeaderReplicas: [1, 2] });
    expireAllBut(h, []);
    // Either may lead when it returns; the last ISR member, not back yet, joins the ELR.
    expect(comeBack(h, 1)).toBe(true);
    expect(h.partition('t', 0)).toMatchObject({ leader: 1, isr: [1], eligibleLeaderReplicas: [2, 0] });
  });

  it('come before any other replica in an unclean election, and only without them is data given up', () => {
    const h = cluster();
    expireAllBut(h, [0, 2]);
    expireAllBut(h, [0]);
    expireAllBut(h, []);
    expect(comeBack(h, 1)).toBe(true);
    expect(h.partition('t', 0)).toMatchObject({ leader: NO_LEADER, isr: [0], eligibleLeaderReplicas: [2] });
    const elected = h.commit(
      h.core.electLeaders(h.image, { type: 'unclean', partitions: [{ topic: 't', partitionId: 0 }] }),
    );
    // Nobody eligible in ISR or ELR (0 and 2 are down): the unclean election takes 1, and the ELR no longer means anything.
    expect(elected.results[0]?.leader).toBe(1);
    expect(h.partition('t', 0)).toMatchObject({ leader: 1, isr: [1], eligibleLeaderReplicas: [] });
  });

  it('is a pure rule: the old ELR and the leavers, minus the new ISR and lost replicas, empty at min', () => {
    expect(nextEligibleLeaderReplicas([0, 1, 2], [], [0], 2, new Set())).toEqual([1, 2]);
    expect(nextEligibleLeaderReplicas([0], [1, 2], [0, 1], 2, new Set())).toEqual([]);
    expect(nextEligibleLeaderReplicas([0], [1, 2], [2], 3, new Set([1]))).toEqual([0]);
    const h = cluster();
    expect(minInsyncReplicasOf(h.image, 't', 3, 1)).toBe(2);
    expect(minInsyncReplicasOf(h.image, 't', 1, 1)).toBe(1); // capped at the replication factor
    expect(minInsyncReplicasOf(h.image, 'other', 3, 2)).toBe(2); // the controller's default
  });
});

describe('lost replicas (a broker back without a log directory it had)', () => {
  it('a broker back with its directories keeps its place: a restart is not a lost disk', () => {
    const h = cluster();
    expireAllBut(h, [0, 2]);
    expireAllBut(h, [0]);
    expect(comeBack(h, 2, 0)).toBe(true);
    expect(h.image.cluster.broker(2)?.replicasLost).toBeUndefined();
    expect(h.partition('t', 0)).toMatchObject({ leader: 0, isr: [0], eligibleLeaderReplicas: [2] });
  });

  it('the last ISR member back on an empty disk leads nothing it lost; an ELR member leads instead', () => {
    const h = cluster();
    expireAllBut(h, [0, 2]);
    expireAllBut(h, [0]);
    expireAllBut(h, []);
    expect(h.partition('t', 0)).toMatchObject({ leader: NO_LEADER, isr: [0], eligibleLeaderReplicas: [2] });
    // 0 comes back with a new directory: out of the ISR (now empty), never elected.
    expect(comeBack(h, 0, 1)).toBe(true);
    expect(h.image.cluster.broker(0)).toMatchObject({ fenced: false, logDirs: [dir(0, 1)] });
    expect(h.image.cluster.broker(0)?.replicasLost).toBeUndefined();
    expect(h.partition('t', 0)).toMatchObject({ leader: NO_LEADER, isr: [], eligibleLeaderReplicas: [2] });
    // The ELR member holds every acknowledged record: it leads, and 0 follows it from scratch.
    expect(comeBack(h, 2)).toBe(true);
    expect(h.partition('t', 0)).toMatchObject({ leader: 2, isr: [2], eligibleLeaderReplicas: [] });
  });

  it('without any ELR the partition stays offline rather than elect an empty replica; only an operator may elect uncleanly', () => {
    const h = cluster();
    alterIsr(h, 0, [0, 1]); // ISR {0,1} >= min: 2 left with no ELR (it may have missed acknowledgements)
    expireAllBut(h, [0]); // 1 leaves below min: ELR [1]... then 1 is gone with its disk
    expect(h.partition('t', 0)).toMatchObject({ isr: [0], eligibleLeaderReplicas: [1] });
    expireAllBut(h, []);
    expect(comeBack(h, 1, 1)).toBe(true);
    expect(comeBack(h, 0, 1)).toBe(true);
    expect(h.partition('t', 0)).toMatchObject({ leader: NO_LEADER, isr: [], eligibleLeaderReplicas: [] });
    expect(comeBack(h, 2)).toBe(true);
    // 2 missed acknowledgements and is in neither set: offline until an operator accepts the loss.
    expect(h.partition('t', 0).leader).toBe(NO_LEADER);
    const elected = h.commit(
      h.core.electLeaders(h.image, { type: 'unclean', partitions: [{ topic: 't', partitionId: 0 }] }),
    );
    expect(elected.results[0]?.leader).toBe(0);
  });

  it('a leader restarted on an empty disk before its lease ran out is moved off at once, without the ISR it held', () => {
    const h = cluster(4);
    const led = [0, 1, 2, 3].filter((p) => h.partition('t', p).leader === 0);
    expect(led.length).toBeGreaterThan(0);
    // Back as soon as its old session lets it register, before the controller wrote the fence.
    h.nowMs += SESSION_MS + 1;
    for (const id of [1, 2]) h.heartbeat(id);
    expect(h.image.cluster.broker(0)?.fenced).toBe(false);
    h.register(0, null, 500, [dir(0, 1)]);
    expect(h.image.cluster.broker(0)).toMatchObject({ fenced: true, replicasLost: true });
    for (let p = 0; p < 4; p++) {
      expect(h.partition('t', p).isr).not.toContain(0);
      expect(h.partition('t', p).leader).not.toBe(0);
    }
    expect(h.heartbeat(0).isFenced).toBe(false);
    for (let p = 0; p < 4; p++) expect(h.partition('t', p).leader).not.toBe(0);
  });

  it('stays fenced until chunked moves have taken it out of every ISR and ELR', () => {
    const h = cluster(10, { maxPartitionChangesPerOperation: 3 });
    expireAllBut(h, [0]);
    expireAllBut(h, []);
    for (let p = 0; p < 10; p++) expect(h.partition('t', p).isr).toEqual([0]);
    for (const id of [1, 2]) comeBack(h, id);
    const result = h.core.registerBroker(
      h.image,
      {
        brokerId: 0,
        incarnationId: randomUuid(seededRng(900)),
        listeners: [{ name: 'PLAINTEXT', host: 'b0', port: 9092 }],
        rack: null,
        clusterId: 'sluice-test-cluster',
        logDirs: [dir(0, 1)],
      },
      h.nowMs,
    );
    expect(result.movesPending).toBe(true);
    h.commit(result);
    h.epochs.set(0, result.response.brokerEpoch);
    // Caught up with its registration, but still in ISRs the next chunks have not reached.
    const early = h.heartbeat(0);
    expect(early.isFenced).toBe(true);
    h.drainMoves();
    expect(h.heartbeat(0).isFenced).toBe(false);
    for (let p = 0; p < 10; p++) expect(h.partition('t', p).isr).not.toContain(0);
  });

  it('refuses bad directory ids and changes nothing', () => {
    const h = cluster();
    const base = {
      brokerId: 0,
      incarnationId: randomUuid(seededRng(901)),
      listeners: [{ name: 'PLAINTEXT', host: 'b0', port: 9092 }],
      rack: null,
      clusterId: 'sluice-test-cluster',
    };
    h.nowMs += SESSION_MS + 1;
    h.refuses('INVALID_REQUEST', () => h.core.registerBroker(h.image, { ...base, logDirs: ['not-a-uuid'] }, h.nowMs));
    h.refuses('INVALID_REQUEST', () => h.core.registerBroker(h.image, { ...base, logDirs: [dir(0), dir(0)] }, h.nowMs));
    h.refuses('INVALID_REQUEST', () => h.core.registerBroker(h.image, { ...base, logDirs: [] }, h.nowMs));
    h.refuses('INVALID_REQUEST', () =>
      h.core.registerBroker(h.image, { ...base, logDirs: ['AAAAAAAAAAAAAAAAAAAAAA'] }, h.nowMs),
    );
    // Not reporting directories (an older broker) is never taken for a lost disk.
    h.register(0, null, 902);
    expect(h.image.cluster.broker(0)?.replicasLost).toBeUndefined();
  });
});
