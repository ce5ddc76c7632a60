import { NO_LEADER } from '@sluice/metadata';
import { Harness, SESSION_MS } from './harness';

describe('electLeaders preferred', () => {
  it('moves leadership back to the preferred replica once it is back in the ISR', () => {
    const h = new Harness().brokers(3);
    const topicId = h.topic('t', 1, 3);
    const p = h.partition('t', 0);
    const preferred = p.replicas[0] as number;
    expect(
      h.core.electLeaders(h.image, { type: 'preferred', partitions: [{ topic: 't', partitionId: 0 }] }).response
        .results[0]?.error?.errorName,
    ).toBe('ELECTION_NOT_NEEDED');
    // Preferred leader restarts: leadership moves off, it is out of the ISR.
    h.register(preferred);
    const moved = h.partition('t', 0);
    expect(moved.leader).not.toBe(preferred);
    const notAvailable = h.core.electLeaders(h.image, {
      type: 'preferred',
      partitions: [{ topic: 't', partitionId: 0 }],
    });
    expect(notAvailable.response.results[0]?.error?.errorName).toBe('PREFERRED_LEADER_NOT_AVAILABLE');
    expect(notAvailable.records).toEqual([]);
    h.heartbeat(preferred);
    h.commit(
      h.core.alterPartition(h.image, {
        brokerId: moved.leader,
        brokerEpoch: h.epoch(moved.leader),
        topicId,
        partitionId: 0,
        leaderEpoch: moved.leaderEpoch,
        partitionEpoch: moved.partitionEpoch,
        newIsr: [...moved.isr, preferred],
      }),
    );
    const result = h.core.electLeaders(h.image, {
      type: 'preferred',
      partitions: [
        { topic: 't', partitionId: 0 },
        { topic: 't', partitionId: 0 },
        { topic: 't', partitionId: 7 },
        { topic: 'nope', partitionId: 0 },
      ],
    });
    expect(result.response.results.map((r) => r.error?.errorName)).toEqual([
      undefined,
      'UNKNOWN_TOPIC_OR_PARTITION',
      'UNKNOWN_TOPIC_OR_PARTITION',
    ]);
    expect(result.response.results[0]?.leader).toBe(preferred);
    h.commit(result);
    expect(h.partition('t', 0)).toMatchObject({ leader: preferred, leaderEpoch: moved.leaderEpoch + 1 });
  });

  it('without a partition list, elects everywhere needed and omits the rest', () => {
    const h = new Harness().brokers(2);
    h.topic('t', 4, 2);
    expect(h.core.electLeaders(h.image, { type: 'preferred' }).response.results).toEqual([]);
    h.register(0);
    h.heartbeat(0);
    const result = h.core.electLeaders(h.image, { type: 'preferred' });
    // Broker 0 is not back in any ISR yet.
    expect(result.response.results.every((r) => r.error?.errorName === 'PREFERRED_LEADER_NOT_AVAILABLE')).toBe(true);
    expect(result.response.results.length).toBe(2);
  });
});

describe('electLeaders unclean', () => {
  it('elects an out-of-sync replica only when asked, resetting the ISR to it', () => {
    const h = new Harness().brokers(2);
    const topicId = h.topic('t', 1, 2);
    const p = h.partition('t', 0);
    const other = p.replicas.find((id) => id !== p.leader) as number;
    h.commit(
      h.core.alterPartition(h.image, {
        brokerId: p.leader,
        brokerEpoch: h.epoch(p.leader),
        topicId,
        partitionId: 0,
        leaderEpoch: 0,
        partitionEpoch: 0,
        newIsr: [p.leader],
      }),
    );
    h.nowMs += SESSION_MS + 1;
    h.heartbeat(other);
    h.commit(h.core.fenceExpiredBrokers(h.image, h.nowMs));
    expect(h.partition('t', 0)).toMatchObject({ leader: NO_LEADER, isr: [p.leader] });
    expect(
      h.core.electLeaders(h.image, { type: 'preferred', partitions: [{ topic: 't', partitionId: 0 }] }).response
        .results[0]?.error?.errorName,
    ).toBe('PREFERRED_LEADER_NOT_AVAILABLE');
    const result = h.core.electLeaders(h.image, { type: 'unclean', partitions: [{ topic: 't', partitionId: 0 }] });
    expect(result.response.results[0]).toMatchObject({ leader: other });
    h.commit(result);
    expect(h.partition('t', 0)).toMatchObject({ leader: other, isr: [other], leaderEpoch: p.leaderEpoch + 2 });
    expect(
      h.core.electLeaders(h.image, { type: 'unclean', partitions: [{ topic: 't', partitionId: 0 }] }).response
        .results[0]?.error?.errorName,
    ).toBe('ELECTION_NOT_NEEDED');
  });

  it('reports ELIGIBLE_LEADERS_NOT_AVAILABLE when no replica is alive', () => {
    const h = new Harness().brokers(1);
    h.topic('t', 1, 1);
    h.nowMs += SESSION_MS + 1;
    h.commit(h.core.fenceExpiredBrokers(h.image, h.nowMs));
    const result = h.core.electLeaders(h.image, { type: 'unclean', partitions: [{ topic: 't', partitionId: 0 }] });
    expect(result.response.results[0]?.error?.errorName).toBe('ELIGIBLE_LEADERS_NOT_AVAILABLE');
    expect(result.records).toEqual([]);
  });
});
