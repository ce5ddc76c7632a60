import { ApiError } from '@sluice/protocol';
import { Harness } from './harness';

function errorOf(result: { error?: ApiError }): string | undefined {
  return result.error?.errorName;
}

describe('createTopics', () => {
  it('creates Topic, Config and Partition records with a placed, balanced assignment', () => {
    const h = new Harness().brokers(3);
    const result = h.core.createTopics(h.image, [
      {
        name: 'orders',
        numPartitions: 6,
        replicationFactor: 3,
        configs: { 'retention.ms': '1000', 'cleanup.policy': 'compact,delete' },
      },
    ]);
    const [topic] = result.response.topics;
    expect(topic?.error).toBeUndefined();
    expect(result.records.map((r) => r.type)).toEqual(['Topic', 'Config', 'Config', ...Array(6).fill('Partition')]);
    expect(result.summary).toContain('created orders (6x3)');
    h.commit(result);
    const image = h.image.topics.topicByName('orders');
    expect(image?.topicId).toBe(topic?.topicId);
    expect(h.image.configs.value('topic', 'orders', 'retention.ms')).toBe('1000');
    const leaders = new Map<number, number>();
    for (let p = 0; p < 6; p++) {
      const partition = h.partition('orders', p);
      expect(new Set(partition.replicas).size).toBe(3);
      expect(partition.isr).toEqual(partition.replicas);
      expect(partition.leader).toBe(partition.replicas[0]);
      expect(partition).toMatchObject({ leaderEpoch: 0, partitionEpoch: 0 });
      leaders.set(partition.leader, (leaders.get(partition.leader) ?? 0) + 1);
    }
    expect([...leaders.values()]).toEqual([2, 2, 2]);
  });

  it('gives each bad topic its own error and creates the rest', () => {
    const h = new Harness().brokers(3);
    h.topic('exists', 1, 1);
    h.topic('a.b', 1, 1);
    const result = h.core.createTopics(h.image, [
      { name: 'ok', numPartitions: 2, replicationFactor: 2 },
      { name: 'bad name', numPartitions: 1, replicationFactor: 1 },
      { name: '..', numPartitions: 1, replicationFactor: 1 },
      { name: 'x'.repeat(250), numPartitions: 1, replicationFactor: 1 },
      { name: 'zero', numPartitions: 0, replicationFactor: 1 },
      { name: 'rf0', numPartitions: 1, replicationFactor: 0 },
      { name: 'rf4', numPartitions: 1, replicationFactor: 4 },
      { name: 'exists', numPartitions: 1, replicationFactor: 1 },
      { name: 'a_b', numPartitions: 1, replicationFactor: 1 },
      { name: 'twice', numPartitions: 1, replicationFactor: 1 },
      { name: 'twice', numPartitions: 1, replicationFactor: 1 },
      { name: 'cfg', numPartitions: 1, replicationFactor: 1, configs: { 'retention.ms': 'soon' } },
      { name: 'cfg2', numPartitions: 1, replicationFactor: 1, configs: { 'no.such.config': '1' } },
      { name: 'cfg3', numPartitions: 1, replicationFactor: 1, configs: { 'segment.bytes': '1000' } },
      { name: 'cfg4', numPartitions: 1, replicationFactor: 1, configs: { 'compression.type': 'brotli' } },
      { name: 'both', numPartitions: 1, assignments: [[0]] },
      { name: 'huge', numPartitions: 1_000_000, replicationFactor: 1 },
    ]);
    expect(result.response.topics.map((t) => [t.name.slice(0, 10), errorOf(t)])).toEqual([
      ['ok', undefined],
      ['bad name', 'INVALID_TOPIC_EXCEPTION'],
      ['..', 'INVALID_TOPIC_EXCEPTION'],
      ['xxxxxxxxxx', 'INVALID_TOPIC_EXCEPTION'],
      ['zero', 'INVALID_PARTITIONS'],
      ['rf0', 'INVALID_REPLICATION_FACTOR'],
      ['rf4', 'INVALID_REPLICATION_FACTOR'],
      ['exists', 'TOPIC_ALREADY_EXISTS'],
      ['a_b', 'INVALID_TOPIC_EXCEPTION'],
      ['twice', 'INVALID_REQUEST'],
      ['twice', 'INVALID_REQUEST'],
      ['cfg', 'INVALID_CONFIG'],
      ['cfg2', 'INVALID_CONFIG'],
      ['cfg3', 'INVALID_CONFIG'],
      ['cfg4', 'INVALID_CONFIG'],
      ['both', 'INVALID_REQUEST'],
      ['huge', 'POLICY_VIOLATION'],
    ]);
    expect(result.response.topics[6]?.error?.message).toContain(
      'replication factor 4 exceeds the 3 live unfenced brokers',
    );
    expect(result.response.topics[13]?.error?.message).toContain('segment.bytes');
    h.commit(result);
    expect(h.image.topics.topicCount).toBe(3);
  });

  it('validateOnly decides everything and writes nothing', () => {
    const h = new Harness().brokers(2);
    const result = h.core.createTopics(h.image, [{ name: 'dry', numPartitions: 3, replicationFactor: 2 }], {
      validateOnly: true,
    });
    expect(result.records).toEqual([]);
    expect(result.response.topics[0]).toMatchObject({ name: 'dry', numPartitions: 3, replicationFactor: 2 });
    expect(result.response.topics[0]?.topicId).toBeUndefined();
  });

  it('manual assignments: validated, ISR limited to unfenced replicas', () => {
    const h = new Harness().brokers(3);
    h.heartbeat(2, { wantFence: true });
    const bad = h.core.createTopics(h.image, [
      { name: 'dup', assignments: [[0, 0]] },
      { name: 'unknown', assignments: [[0, 7]] },
      { name: 'ragged', assignments: [[0, 1], [1]] },
      { name: 'empty', assignments: [[]] },
      { name: 'allfenced', assignments: [[2]] },
    ]);
    expect(bad.response.topics.map(errorOf)).toEqual(Array(5).fill('INVALID_REPLICA_ASSIGNMENT'));
    expect(bad.records).toEqual([]);
    h.commit(
      h.core.createTopics(h.image, [
        {
          name: 'manual',
          assignments: [
            [2, 0],
            [1, 2],
          ],
        },
      ]),
    );
    expect(h.partition('manual', 0)).toMatchObject({ replicas: [2, 0], isr: [0], leader: 0 });
    expect(h.partition('manual', 1)).toMatchObject({ replicas: [1, 2], isr: [1], leader: 1 });
  });

  it('places replicas on distinct racks when there are enough racks', () => {
    const h = new Harness().brokers(6, ['r1', 'r2', 'r3']);
    h.topic('racked', 30, 3);
    for (let p = 0; p < 30; p++) {
      const racks = h.partition('racked', p).replicas.map((id) => h.image.cluster.broker(id)?.rack);
      expect(new Set(racks).size).toBe(3);
    }
  });
});

describe('deleteTopics', () => {
  it('removes topics by name and id, with per-entry errors for unknown and repeated ones', () => {
    const h = new Harness().brokers(1);
    const a = h.topic('a', 2, 1, { 'retention.ms': '5' });
    h.topic('b', 1, 1);
    h.topic('c', 1, 1);
    const result = h.core.deleteTopics(h.image, {
      names: ['a', 'nope', 'c'],
      topicIds: ['AAAAAAAAAAAAAAAAAAAAAQ', h.image.topics.topicByName('c')?.topicId ?? ''],
    });
    expect(result.response.topics.map((t) => [t.name ?? t.topicId, errorOf(t)])).toEqual([
      ['a', undefined],
      ['nope', 'UNKNOWN_TOPIC_OR_PARTITION'],
      ['c', 'INVALID_REQUEST'],
      ['AAAAAAAAAAAAAAAAAAAAAQ', 'UNKNOWN_TOPIC_ID'],
      ['c', 'INVALID_REQUEST'],
    ]);
    expect(result.records).toEqual([{ type: 'RemoveTopic', topicId: a }]);
    h.commit(result);
    expect(h.image.topics.topicByName('a')).toBeUndefined();
    expect(h.image.configs.resource('topic', 'a')).toBeUndefined();
    expect(h.image.topics.topicCount).toBe(2);
    // The name can be reused.
    expect(h.topic('a', 1, 1)).not.toBe(a);
  });
});

describe('createPartitions', () => {
  it('adds partitions with the topic replication factor', () => {
    const h = new Harness().brokers(3);
    h.topic('grow', 2, 2);
    const result = h.core.createPartitions(h.image, { topic: 'grow', count: 5 });
    expect(result.records.map((r) => r.type)).toEqual(['Partition', 'Partition', 'Partition']);
    h.commit(result);
    expect(h.image.topics.topicByName('grow')?.partitionCount).toBe(5);
    expect(h.partition('grow', 4).replicas.length).toBe(2);
    h.commit(h.core.createPartitions(h.image, { topic: 'grow', count: 6, assignments: [[2, 1]] }));
    expect(h.partition('grow', 5).replicas).toEqual([2, 1]);
  });

  it('refuses shrinking, equal counts, unknown topics and bad assignments', () => {
    const h = new Harness().brokers(2);
    h.topic('t', 3, 2);
    h.refuses('INVALID_PARTITIONS', () => h.core.createPartitions(h.image, { topic: 't', count: 2 }));
    h.refuses('INVALID_PARTITIONS', () => h.core.createPartitions(h.image, { topic: 't', count: 3 }));
    h.refuses('UNKNOWN_TOPIC_OR_PARTITION', () => h.core.createPartitions(h.image, { topic: 'nope', count: 4 }));
    h.refuses('INVALID_REPLICA_ASSIGNMENT', () =>
      h.core.createPartitions(h.image, { topic: 't', count: 4, assignments: [[0]] }),
    );
    h.refuses('INVALID_REPLICA_ASSIGNMENT', () =>
      h.core.createPartitions(h.image, { topic: 't', count: 5, assignments: [[0, 1]] }),
    );
    expect(h.core.createPartitions(h.image, { topic: 't', count: 4, validateOnly: true }).records).toEqual([]);
  });
});
