import { NO_LEADER } from '@sluice/metadata';
import {
  applyRecords,
  clusterInvariantViolations,
  ControllerAssertionError,
  DEFAULT_MAX_PARTITION_CHANGES_PER_OPERATION,
  MAX_RECORDS_PER_USER_OP,
} from '../../src/core';
import { CLUSTER_ID, Harness, incarnation, SESSION_MS } from './harness';

describe('edge cases', () => {
  it('a returning broker is elected uncleanly only where the topic allows it', () => {
    const h = new Harness().brokers(2);
    h.commit(
      h.core.createTopics(h.image, [
        { name: 'safe', assignments: [[0, 1]] },
        { name: 'lossy', assignments: [[0, 1]], configs: { 'unclean.leader.election.enable': 'true' } },
      ]),
    );
    // Broker 1 goes away first, then broker 0: both partitions end leaderless with ISR [0].
    h.nowMs += SESSION_MS + 1;
    h.heartbeat(0);
    h.commit(h.core.fenceExpiredBrokers(h.image, h.nowMs));
    expect(h.partition('lossy', 0)).toMatchObject({ leader: 0, isr: [0] });
    h.nowMs += SESSION_MS + 1;
    h.commit(h.core.fenceExpiredBrokers(h.image, h.nowMs));
    expect(h.partition('safe', 0)).toMatchObject({ leader: NO_LEADER, isr: [0] });
    expect(h.partition('lossy', 0)).toMatchObject({ leader: NO_LEADER, isr: [0] });
    // Broker 1 comes back first.
    h.register(1);
    h.heartbeat(1);
    expect(h.partition('safe', 0)).toMatchObject({ leader: NO_LEADER, isr: [0] });
    expect(h.partition('lossy', 0)).toMatchObject({ leader: 1, isr: [1] });
  });

  it('controlled shutdown also works through heartbeats alone (wantShutDown twice)', () => {
    const h = new Harness().brokers(3);
    h.topic('t', 6, 3);
    const first = h.heartbeat(2, { wantShutDown: true });
    expect(first).toMatchObject({ shouldShutDown: false, inControlledShutdown: true, isFenced: false });
    const second = h.heartbeat(2, { wantShutDown: true });
    expect(second).toMatchObject({ shouldShutDown: true, isFenced: true });
    // Even without wantShutDown the broker stays in controlled shutdown and fenced.
    expect(h.heartbeat(2)).toMatchObject({ isFenced: true, shouldShutDown: false });
  });

  it('a broker that re-registers after controlled shutdown starts over', () => {
    const h = new Harness().brokers(2);
    h.topic('t', 2, 2);
    h.heartbeat(1, { wantShutDown: true });
    h.heartbeat(1, { wantShutDown: true });
    expect(h.image.cluster.broker(1)?.fenced).toBe(true);
    h.register(1);
    expect(h.heartbeat(1)).toMatchObject({ isFenced: false, inControlledShutdown: false });
  });

  it('applyRecords names the first record that does not apply', () => {
    const h = new Harness();
    expect(() => applyRecords(h.image, [{ type: 'FenceBroker', brokerId: 3, brokerEpoch: 1 }])).toThrow(
      ControllerAssertionError,
    );
    expect(() => applyRecords(h.image, [{ type: 'FenceBroker', brokerId: 3, brokerEpoch: 1 }])).toThrow(
      /record 0 \(FenceBroker\)/,
    );
  });

  // Speed is measured by bench:metadata; here only the bounds: chunked moves, each within the cap.
  it('fencing a broker in every ISR of tens of thousands of partitions stays bounded per operation', () => {
    const h = new Harness().brokers(3);
    for (let i = 0; i < 4; i++) h.topic(`big-${i}`, MAX_RECORDS_PER_USER_OP - 1, 3);
    const partitions = 4 * (MAX_RECORDS_PER_USER_OP - 1);
    expect(h.image.topics.partitionCount).toBe(partitions);
    h.nowMs += SESSION_MS + 1;
    h.heartbeat(0);
    h.heartbeat(1);
    const started = performance.now();
    const first = h.core.fenceExpiredBrokers(h.image, h.nowMs);
    const firstMs = performance.now() - started;
    // The FenceBroker record and one chunk of moves; the rest follows call by call.
    expect(first.records.length).toBe(1 + DEFAULT_MAX_PARTITION_CHANGES_PER_OPERATION);
    expect(first.records[0]).toMatchObject({ type: 'FenceBroker', brokerId: 2 });
    expect(first.response).toMatchObject({
      fencedBrokerIds: [2],
      partitionsChanged: DEFAULT_MAX_PARTITION_CHANGES_PER_OPERATION,
      movesPending: true,
    });
    expect(first.movesPending).toBe(true);
    h.commit(first);
    expect(h.image.cluster.broker(2)?.fenced).toBe(true);
    const rest = h.drainMoves();
    const elapsedMs = performance.now() - started;
    if (process.env.CORE_STATS)
      console.log(
        `fence: first chunk ${firstMs.toFixed(0)} ms, ${rest.length + 1} chunks in ${elapsedMs.toFixed(0)} ms`,
      );
    const chunks = Math.ceil(partitions / DEFAULT_MAX_PARTITION_CHANGES_PER_OPERATION);
    expect(rest.length).toBe(chunks - 1);
    for (const result of rest) {
      expect(result.records.length).toBeLessThanOrEqual(DEFAULT_MAX_PARTITION_CHANGES_PER_OPERATION);
      expect(result.records.every((record) => record.type === 'PartitionChange')).toBe(true);
      expect(result.response.fencedBrokerIds).toEqual([]);
    }
    expect(rest.at(-1)?.response.movesPending).toBe(false);
    expect(clusterInvariantViolations(h.image)).toEqual([]);
    for (let i = 0; i < 4; i++)
      for (let p = 0; p < MAX_RECORDS_PER_USER_OP - 1; p += 97) expect(h.partition(`big-${i}`, p).isr).not.toContain(2);
    // Done: the next call writes nothing.
    expect(h.core.fenceExpiredBrokers(h.image, h.nowMs).records).toEqual([]);
  });
});

describe('heartbeat sessions', () => {
  it('a heartbeat on an older image does not clobber the session of an in-flight re-registration', () => {
    const h = new Harness().brokers(1);
    const old = h.image;
    const listeners = [{ name: 'PLAINTEXT', host: 'b0', port: 9092 }];
    const result = h.core.registerBroker(
      h.image,
      { brokerId: 0, incarnationId: incarnation(0), listeners, rack: null, clusterId: CLUSTER_ID },
      h.nowMs,
    );
    const newEpoch = result.response.brokerEpoch;
    h.core.brokerHeartbeat(
      old,
      { brokerId: 0, brokerEpoch: h.epoch(0), currentMetadataOffset: 0, wantFence: false, wantShutDown: false },
      h.nowMs,
    );
    expect(h.core.heartbeats.peek(0, newEpoch)).toBeDefined();
  });
});
