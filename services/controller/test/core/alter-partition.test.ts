import { Harness } from './harness';

function setup() {
  const h = new Harness().brokers(3);
  const topicId = h.topic('t', 1, 3);
  const p = h.partition('t', 0);
  const request = (newIsr: number[], overrides: Record<string, number> = {}) => ({
    brokerId: p.leader,
    brokerEpoch: h.epoch(p.leader),
    topicId,
    partitionId: 0,
    leaderEpoch: p.leaderEpoch,
    partitionEpoch: p.partitionEpoch,
    newIsr,
    ...overrides,
  });
  return { h, p, topicId, request };
}

describe('alterPartition', () => {
  it('shrinks and expands the ISR, bumping only the partition epoch', () => {
    const { h, p, request } = setup();
    const follower = p.replicas.find((id) => id !== p.leader) as number;
    const shrunk = p.isr.filter((id) => id !== follower);
    const result = h.core.alterPartition(h.image, request(shrunk));
    expect(result.records).toEqual([
      { type: 'PartitionChange', topicId: request([]).topicId, partitionId: 0, isr: shrunk },
    ]);
    expect(result.response).toMatchObject({
      leader: p.leader,
      leaderEpoch: p.leaderEpoch,
      partitionEpoch: p.partitionEpoch + 1,
      isr: shrunk,
    });
    h.commit(result);
    expect(h.partition('t', 0)).toMatchObject({ isr: shrunk, leaderEpoch: 0, partitionEpoch: 1 });
    const again = h.core.alterPartition(h.image, request([...shrunk, follower], { partitionEpoch: 1 }));
    h.commit(again);
    expect(h.partition('t', 0).isr).toEqual([...shrunk, follower]);
    // Same ISR: nothing to write.
    expect(h.core.alterPartition(h.image, request([...shrunk, follower], { partitionEpoch: 2 })).records).toEqual([]);
  });

  it('is fenced by broker epoch, leader epoch and partition epoch', () => {
    const { h, p, request } = setup();
    const other = p.replicas.find((id) => id !== p.leader) as number;
    h.refuses('STALE_BROKER_EPOCH', () => h.core.alterPartition(h.image, request(p.isr, { brokerEpoch: 999 })));
    h.refuses('BROKER_ID_NOT_REGISTERED', () => h.core.alterPartition(h.image, request(p.isr, { brokerId: 42 })));
    h.refuses('FENCED_LEADER_EPOCH', () => h.core.alterPartition(h.image, request(p.isr, { leaderEpoch: 5 })));
    h.refuses('NOT_LEADER_OR_FOLLOWER', () =>
      h.core.alterPartition(h.image, request(p.isr, { brokerId: other, brokerEpoch: h.epoch(other) })),
    );
    const stale = h.refuses('INVALID_REQUEST', () =>
      h.core.alterPartition(h.image, request(p.isr, { partitionEpoch: 3 })),
    );
    expect(stale.detail).toEqual({ kafkaError: 'INVALID_UPDATE_VERSION', partitionEpoch: '0' });
    h.refuses('UNKNOWN_TOPIC_ID', () =>
      h.core.alterPartition(h.image, { ...request(p.isr), topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' }),
    );
    h.refuses('UNKNOWN_TOPIC_OR_PARTITION', () => h.core.alterPartition(h.image, request(p.isr, { partitionId: 1 })));
  });

  it('checks the new ISR: within replicas, holds the leader, no duplicates, only eligible brokers', () => {
    const { h, p, request } = setup();
    h.refuses('INVALID_REQUEST', () => h.core.alterPartition(h.image, request([])));
    h.refuses('INVALID_REQUEST', () => h.core.alterPartition(h.image, request([p.leader, p.leader])));
    h.refuses('INVALID_REQUEST', () => h.core.alterPartition(h.image, request([p.leader, 9])));
    h.refuses('INVALID_REQUEST', () => h.core.alterPartition(h.image, request(p.isr.filter((id) => id !== p.leader))));
    const follower = p.replicas.find((id) => id !== p.leader) as number;
    h.commit(h.core.alterPartition(h.image, request([p.leader])));
    h.heartbeat(follower, { wantFence: true });
    const now = h.partition('t', 0);
    h.refuses('INELIGIBLE_REPLICA', () =>
      h.core.alterPartition(h.image, request([p.leader, follower], { partitionEpoch: now.partitionEpoch })),
    );
  });
});
