import {
  DuplicatePartitionError,
  DuplicateTopicIdError,
  DuplicateTopicNameError,
  InvalidConfigRecordError,
  InvalidFeatureLevelError,
  InvalidPartitionStateError,
  InvalidTopicNameError,
  MetadataDelta,
  MetadataImage,
  NonContiguousPartitionError,
  ProducerIdRegressionError,
  ProvenanceRegressionError,
  StaleBrokerEpochError,
  UnknownBrokerError,
  UnknownPartitionError,
  UnknownTopicError,
  imageRecords,
  type BrokerRegistrationRecord,
  type MetadataRecord,
} from '@sluice/metadata';

const ORDERS = 'AAAAAAAAAAAAAAAAAAAAAQ';
const PAYMENTS = 'AAAAAAAAAAAAAAAAAAAAAg';

function register(brokerId: number, brokerEpoch: number, fenced = true): BrokerRegistrationRecord {
  return {
    type: 'BrokerRegistration',
    brokerId,
    brokerEpoch,
    incarnationId: 'q1Sh-9_ISia_MbCI9kpKcg',
    listeners: [{ name: 'PLAINTEXT', host: `broker-${brokerId}`, port: 9092 }],
    rack: null,
    fenced,
  };
}

function replayAll(
  image: MetadataImage,
  records: MetadataRecord[],
  firstOffset = image.provenance.lastContainedOffset + 1,
): MetadataImage {
  const delta = new MetadataDelta(image);
  records.forEach((record, i) => delta.replay(record, { offset: firstOffset + i, epoch: 1 }));
  return delta.apply();
}

/** Three unfenced brokers and topic "orders" with 3 partitions on brokers 1..3. */
function baseImage(): MetadataImage {
  return replayAll(MetadataImage.EMPTY, [
    register(1, 10),
    register(2, 11),
    register(3, 12),
    { type: 'UnfenceBroker', brokerId: 1, brokerEpoch: 10 },
    { type: 'UnfenceBroker', brokerId: 2, brokerEpoch: 11 },
    { type: 'UnfenceBroker', brokerId: 3, brokerEpoch: 12 },
    { type: 'Topic', name: 'orders', topicId: ORDERS },
    ...[0, 1, 2].map((partitionId) => ({
      type: 'Partition' as const,
      topicId: ORDERS,
      partitionId,
      replicas: [1 + partitionId, 1 + ((partitionId + 1) % 3), 1 + ((partitionId + 2) % 3)],
      isr: [1 + partitionId, 1 + ((partitionId + 1) % 3), 1 + ((partitionId + 2) % 3)],
      leader: 1 + partitionId,
      leaderEpoch: 0,
      partitionEpoch: 0,
    })),
  ]);
}

describe('cluster image', () => {
  it('registers brokers fenced, then unfences and fences them by epoch', () => {
    const registered = replayAll(MetadataImage.EMPTY, [register(1, 10)]);
    expect(registered.cluster.broker(1)?.fenced).toBe(true);
    expect(registered.cluster.isFenced(1)).toBe(true);
    const unfenced = replayAll(registered, [{ type: 'UnfenceBroker', brokerId: 1, brokerEpoch: 10 }]);
    expect(unfenced.cluster.isFenced(1)).toBe(false);
    const fenced = replayAll(unfenced, [{ type: 'FenceBroker', brokerId: 1, brokerEpoch: 10 }]);
    expect(fenced.cluster.isFenced(1)).toBe(true);
    // Older images are untouched.
    expect(unfenced.cluster.isFenced(1)).toBe(false);
    expect(registered.cluster.broker(1)?.fenced).toBe(true);
  });

  it("keeps a registration's log directory ids, and its replicasLost mark until the broker is unfenced", () => {
    const dirs = ['AAAAAAAAAAAAAAAAAAAAAw', 'AAAAAAAAAAAAAAAAAAAABA'];
    let image = replayAll(baseImage(), [{ ...register(2, 30), logDirs: dirs, replicasLost: true }]);
    expect(image.cluster.broker(2)).toMatchObject({ fenced: true, logDirs: dirs, replicasLost: true });
    // A snapshot carries both.
    expect([...imageRecords(image)].find((r) => r.type === 'BrokerRegistration' && r.brokerId === 2)).toMatchObject({
      logDirs: dirs,
      replicasLost: true,
    });
    // Fencing again keeps the mark; unfencing clears it, the directories stay.
    image = replayAll(image, [{ type: 'FenceBroker', brokerId: 2, brokerEpoch: 30 }]);
    expect(image.cluster.broker(2)?.replicasLost).toBe(true);
    image = replayAll(image, [{ type: 'UnfenceBroker', brokerId: 2, brokerEpoch: 30 }]);
    expect(image.cluster.broker(2)).toMatchObject({ fenced: false, logDirs: dirs });
    expect(image.cluster.broker(2)?.replicasLost).toBeUndefined();
    expect(image.cluster.broker(1)?.logDirs).toBeUndefined();
  });

  it('refuses fencing with a stale epoch and unknown brokers', () => {
    const image = baseImage();
    const delta = new MetadataDelta(image);
    expect(() => delta.replay({ type: 'FenceBroker', brokerId: 1, brokerEpoch: 9 })).toThrow(StaleBrokerEpochError);
    expect(() => delta.replay({ type: 'FenceBroker', brokerId: 9, brokerEpoch: 9 })).toThrow(UnknownBrokerError);
    expect(() => delta.replay({ type: 'UnregisterBroker', brokerId: 2, brokerEpoch: 1 })).toThrow(
      StaleBrokerEpochError,
    );
    expect(() => delta.replay(register(1, 10))).toThrow(StaleBrokerEpochError);
    expect(delta.recordCount).toBe(0);
    expect(delta.cluster.changes()).toEqual([]);
  });

  it('re-registers with a higher epoch and unregisters', () => {
    const image = baseImage();
    const delta = new MetadataDelta(image);
    delta.replay(register(1, 20));
    delta.replay({ type: 'UnregisterBroker', brokerId: 3, brokerEpoch: 12 });
    const changes = delta.cluster.changes();
    expect(changes.map((c) => [c.brokerId, c.previous?.brokerEpoch, c.current?.brokerEpoch])).toEqual([
      [1, 10, 20],
      [3, 12, undefined],
    ]);
    const next = delta.apply();
    expect(next.cluster.broker(1)).toMatchObject({ brokerEpoch: 20, fenced: true });
    expect(next.cluster.broker(3)).toBeUndefined();
    expect(next.cluster.size).toBe(2);
    expect(image.cluster.size).toBe(3);
  });
});

describe('topics image', () => {
  it('creates a topic with partitions, findable by id and by name', () => {
    const image = baseImage();
    expect(image.topics.topicCount).toBe(1);
    expect(image.topics.partitionCount).toBe(3);
    const orders = image.topics.topicByName('orders');
    expect(orders?.topicId).toBe(ORDERS);
    expect(image.topics.topicById(ORDERS)?.name).toBe('orders');
    const p1 = orders?.partition(1);
    expect(p1 && Array.from(p1.replicas)).toEqual([2, 3, 1]);
    expect(p1?.leader).toBe(2);
    expect(orders?.leader(2)).toBe(3);
    expect(orders?.partition(3)).toBeUndefined();
  });

  it('answers replica, ISR and ELR membership without materializing partitions', () => {
    const image = replayAll(baseImage(), [
      { type: 'PartitionChange', topicId: ORDERS, partitionId: 1, isr: [2, 3] },
      { type: 'PartitionChange', topicId: ORDERS, partitionId: 2, isr: [3], eligibleLeaderReplicas: [1] },
    ]);
    const table = image.topics.topicByName('orders')?.partitions;
    expect(table?.hasReplica(1, 1)).toBe(true);
    expect(table?.isrIncludes(1, 1)).toBe(false);
    expect(table?.isrIncludes(1, 3)).toBe(true);
    expect(table?.isrIncludes(9, 3)).toBe(false);
    expect(table?.elrIncludes(2, 1)).toBe(true);
    expect(table?.elrIncludes(2, 3)).toBe(false);
    expect(table?.elrIncludes(1, 1)).toBe(false);
    expect(table?.elrIncludes(9, 1)).toBe(false);
  });

  it('applies a PartitionChange exactly as Kafka merges it', () => {
    const image = baseImage();
    const isrOnly = replayAll(image, [{ type: 'PartitionChange', topicId: ORDERS, partitionId: 0, isr: [1, 2] }]);
    expect(isrOnly.topics.partition(ORDERS, 0)).toMatchObject({ leader: 1, leaderEpoch: 0, partitionEpoch: 1 });
    expect(Array.from(isrOnly.topics.partition(ORDERS, 0)?.isr ?? [])).toEqual([1, 2]);

    const newLeader = replayAll(isrOnly, [{ type: 'PartitionChange', topicId: ORDERS, partitionId: 0, leader: 2 }]);
    expect(newLeader.topics.partition(ORDERS, 0)).toMatchObject({ leader: 2, leaderEpoch: 1, partitionEpoch: 2 });

    // A present leader field bumps the leader epoch even when the leader stays the same.
    const sameLeader = replayAll(newLeader, [{ type: 'PartitionChange', topicId: ORDERS, partitionId: 0, leader: 2 }]);
    expect(sameLeader.topics.partition(ORDERS, 0)).toMatchObject({ leader: 2, leaderEpoch: 2, partitionEpoch: 3 });

    const noLeader = replayAll(sameLeader, [
      { type: 'PartitionChange', topicId: ORDERS, partitionId: 0, leader: -1, isr: [] },
    ]);
    expect(noLeader.topics.partition(ORDERS, 0)).toMatchObject({ leader: -1, leaderEpoch: 3, partitionEpoch: 4 });

    // Untouched partitions and earlier images keep their state.
    expect(noLeader.topics.partition(ORDERS, 1)).toEqual(image.topics.partition(ORDERS, 1));
    expect(image.topics.partition(ORDERS, 0)).toMatchObject({ leader: 1, leaderEpoch: 0, partitionEpoch: 0 });
  });

  it('shares untouched topics between images', () => {
    const image = replayAll(baseImage(), [{ type: 'Topic', name: 'payments', topicId: PAYMENTS }]);
    const next = replayAll(image, [{ type: 'PartitionChange', topicId: ORDERS, partitionId: 0, isr: [1, 2] }]);
    expect(next.topics.topicById(PAYMENTS)).toBe(image.topics.topicById(PAYMENTS));
    expect(next.topics.topicById(ORDERS)).not.toBe(image.topics.topicById(ORDERS));
    expect(next.cluster).toBe(image.cluster);
    expect(next.configs).toBe(image.configs);
  });

  it('refuses invalid topic and partition records without changing anything', () => {
    const image = baseImage();
    const delta = new MetadataDelta(image);
    const bad: [MetadataRecord, new (...args: never[]) => Error][] = [
      [{ type: 'Topic', name: 'orders', topicId: PAYMENTS }, DuplicateTopicNameError],
      [{ type: 'Topic', name: 'other', topicId: ORDERS }, DuplicateTopicIdError],
      [{ type: 'Topic', name: 'no spaces', topicId: PAYMENTS }, InvalidTopicNameError],
      [{ type: 'RemoveTopic', topicId: PAYMENTS }, UnknownTopicError],
      [
        {
          type: 'Partition',
          topicId: PAYMENTS,
          partitionId: 0,
          replicas: [1],
          isr: [1],
          leader: 1,
          leaderEpoch: 0,
          partitionEpoch: 0,
        },
        UnknownTopicError,
      ],
      [
        {
          type: 'Partition',
          topicId: ORDERS,
          partitionId: 1,
          replicas: [1],
          isr: [1],
          leader: 1,
          leaderEpoch: 0,
          partitionEpoch: 0,
        },
        DuplicatePartitionError,
      ],
      [
        {
          type: 'Partition',
          topicId: ORDERS,
          partitionId: 5,
          replicas: [1],
          isr: [1],
          leader: 1,
          leaderEpoch: 0,
          partitionEpoch: 0,
        },
        NonContiguousPartitionError,
      ],
      [
        {
          type: 'Partition',
          topicId: ORDERS,
          partitionId: 3,
          replicas: [1, 1],
          isr: [1],
          leader: 1,
          leaderEpoch: 0,
          partitionEpoch: 0,
        },
        InvalidPartitionStateError,
      ],
      [
        {
          type: 'Partition',
          topicId: ORDERS,
          partitionId: 3,
          replicas: [1, 2],
          isr: [1],
          leader: 2,
          leaderEpoch: 0,
          partitionEpoch: 0,
        },
        InvalidPartitionStateError,
      ],
      [{ type: 'PartitionChange', topicId: ORDERS, partitionId: 7, isr: [1] }, UnknownPartitionError],
      [{ type: 'PartitionChange', topicId: ORDERS, partitionId: 0, isr: [2, 3] }, InvalidPartitionStateError],
      [{ type: 'PartitionChange', topicId: ORDERS, partitionId: 0, leader: 9 }, InvalidPartitionStateError],
      [
        { type: 'PartitionChange', topicId: ORDERS, partitionId: 0, eligibleLeaderReplicas: [2] },
        InvalidPartitionStateError,
      ],
    ];
    for (const [record, errorClass] of bad) expect(() => delta.replay(record)).toThrow(errorClass);
    expect(delta.recordCount).toBe(0);
    expect(delta.topics.isEmpty).toBe(true);
    const after = delta.apply();
    expect([...imageRecords(after)]).toEqual([...imageRecords(image)]);
  });

  it('removes a topic with its partitions and topic configs', () => {
    const image = replayAll(baseImage(), [
      { type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'retention.ms', value: '1000' },
      { type: 'Config', resourceType: 'broker', resourceName: '1', name: 'log.retention.hours', value: '1' },
    ]);
    const delta = new MetadataDelta(image);
    delta.replay({ type: 'RemoveTopic', topicId: ORDERS });
    expect(delta.topics.deletedTopics().map((t) => t.name)).toEqual(['orders']);
    expect(delta.topics.localChanges(2).deletes.map((d) => d.partitionId)).toEqual([0, 1, 2]);
    const next = delta.apply();
    expect(next.topics.topicById(ORDERS)).toBeUndefined();
    expect(next.topics.topicByName('orders')).toBeUndefined();
    expect(next.topics.partitionCount).toBe(0);
    expect(next.configs.resource('topic', 'orders')).toBeUndefined();
    expect(next.configs.value('broker', '1', 'log.retention.hours')).toBe('1');
    // The name is free again, under a new id.
    const recreated = replayAll(next, [{ type: 'Topic', name: 'orders', topicId: PAYMENTS }]);
    expect(recreated.topics.topicByName('orders')?.topicId).toBe(PAYMENTS);
  });

  it('frees a deleted name for a new topic within the same delta', () => {
    const delta = new MetadataDelta(baseImage());
    delta.replay({ type: 'RemoveTopic', topicId: ORDERS });
    delta.replay({ type: 'Topic', name: 'orders', topicId: PAYMENTS });
    delta.replay({
      type: 'Partition',
      topicId: PAYMENTS,
      partitionId: 0,
      replicas: [3],
      isr: [3],
      leader: 3,
      leaderEpoch: 0,
      partitionEpoch: 0,
    });
    const next = delta.apply();
    expect(next.topics.topicByName('orders')?.topicId).toBe(PAYMENTS);
    expect(next.topics.topicById(ORDERS)).toBeUndefined();
    expect(next.topics.partitionCount).toBe(1);
  });

  it('reports changed topics, partitions and local leader/follower changes', () => {
    const delta = new MetadataDelta(baseImage());
    delta.replay({ type: 'Topic', name: 'payments', topicId: PAYMENTS });
    delta.replay({
      type: 'Partition',
      topicId: PAYMENTS,
      partitionId: 0,
      replicas: [1, 2],
      isr: [1, 2],
      leader: 1,
      leaderEpoch: 0,
      partitionEpoch: 0,
    });
    delta.replay({ type: 'PartitionChange', topicId: ORDERS, partitionId: 1, leader: 3 });
    delta.replay({ type: 'PartitionChange', topicId: ORDERS, partitionId: 2, replicas: [3, 2], isr: [3, 2] });
    expect(delta.topics.createdTopicIds()).toEqual([PAYMENTS]);
    expect(delta.topics.changedTopics()).toEqual(
      expect.arrayContaining([
        { topicId: PAYMENTS, name: 'payments', created: true, partitionIds: [0] },
        { topicId: ORDERS, name: 'orders', created: false, partitionIds: [1, 2] },
      ]),
    );
    const changes = [...delta.topics.partitionChanges()];
    const orders1 = changes.find((c) => c.topicId === ORDERS && c.partitionId === 1);
    expect(orders1?.previous?.leader).toBe(2);
    expect(orders1?.current.leader).toBe(3);
    expect(orders1?.current.leaderEpoch).toBe(1);

    const broker1 = delta.topics.localChanges(1);
    expect(broker1.leaders.map((p) => `${p.topicName}-${p.partitionId}`)).toEqual(['payments-0']);
    expect(broker1.followers.map((p) => `${p.topicName}-${p.partitionId}`)).toEqual(['orders-1']);
    expect(broker1.deletes.map((p) => `${p.topicName}-${p.partitionId}`)).toEqual(['orders-2']);
    const broker3 = delta.topics.localChanges(3);
    expect(broker3.leaders.map((p) => `${p.topicName}-${p.partitionId}`).sort()).toEqual(['orders-1', 'orders-2']);
  });

  it('returned registrations are copies: mutating them cannot change the image', () => {
    const image = baseImage();
    const p0 = image.topics.partition(ORDERS, 0);
    p0?.replicas.fill(42);
    expect(Array.from(image.topics.partition(ORDERS, 0)?.replicas ?? [])).toEqual([1, 2, 3]);
  });
});

describe('configs, producer ids, features, provenance', () => {
  it('sets and deletes configs per resource', () => {
    const image = replayAll(MetadataImage.EMPTY, [
      { type: 'Config', resourceType: 'cluster', resourceName: '', name: 'min.insync.replicas', value: '2' },
      { type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'retention.ms', value: '1000' },
      { type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'cleanup.policy', value: 'compact' },
    ]);
    expect(image.configs.value('cluster', '', 'min.insync.replicas')).toBe('2');
    expect(image.configs.resource('topic', 'orders')?.entries.size).toBe(2);
    const next = replayAll(image, [
      { type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'retention.ms', value: null },
      { type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'cleanup.policy', value: null },
      { type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'never.set', value: null },
    ]);
    expect(next.configs.resource('topic', 'orders')).toBeUndefined();
    expect(image.configs.value('topic', 'orders', 'retention.ms')).toBe('1000');
    const delta = new MetadataDelta(next);
    expect(() =>
      delta.replay({ type: 'Config', resourceType: 'cluster', resourceName: 'x', name: 'a', value: '1' }),
    ).toThrow(InvalidConfigRecordError);
    expect(() =>
      delta.replay({ type: 'Config', resourceType: 'topic', resourceName: 'orders', name: '', value: '1' }),
    ).toThrow(InvalidConfigRecordError);
  });

  it('advances the producer id block and refuses regressions', () => {
    const image = replayAll(MetadataImage.EMPTY, [
      { type: 'ProducerIds', brokerId: 1, brokerEpoch: 10, nextProducerId: 1000 },
    ]);
    expect(image.producerIds.nextProducerId).toBe(1000);
    const delta = new MetadataDelta(image);
    expect(() => delta.replay({ type: 'ProducerIds', brokerId: 2, brokerEpoch: 11, nextProducerId: 1000 })).toThrow(
      ProducerIdRegressionError,
    );
    delta.replay({ type: 'ProducerIds', brokerId: 2, brokerEpoch: 11, nextProducerId: 2000 });
    expect(delta.apply().producerIds.nextProducerId).toBe(2000);
  });

  it('sets feature levels; level 0 removes the feature', () => {
    const image = replayAll(MetadataImage.EMPTY, [
      { type: 'FeatureLevel', name: 'metadata.version', level: 21 },
      { type: 'FeatureLevel', name: 'kraft.version', level: 1 },
    ]);
    expect(image.features.level('metadata.version')).toBe(21);
    const next = replayAll(image, [{ type: 'FeatureLevel', name: 'kraft.version', level: 0 }]);
    expect(next.features.level('kraft.version')).toBe(0);
    expect(next.features.sortedLevels()).toEqual([['metadata.version', 21]]);
    expect(() => new MetadataDelta(next).replay({ type: 'FeatureLevel', name: 'x', level: -1 })).toThrow(
      InvalidFeatureLevelError,
    );
  });

  it('tracks provenance and refuses positions that go backwards', () => {
    const image = replayAll(MetadataImage.EMPTY, [{ type: 'FeatureLevel', name: 'metadata.version', level: 21 }], 5);
    expect(image.provenance).toEqual({ lastContainedOffset: 5, lastContainedEpoch: 1 });
    const delta = new MetadataDelta(image);
    const record: MetadataRecord = { type: 'FeatureLevel', name: 'metadata.version', level: 22 };
    expect(() => delta.replay(record, { offset: 5, epoch: 1 })).toThrow(ProvenanceRegressionError);
    expect(() => delta.replay(record, { offset: 6, epoch: 0 })).toThrow(ProvenanceRegressionError);
    expect(delta.features.level('metadata.version')).toBe(21);
    delta.replay(record, { offset: 9, epoch: 2 });
    expect(delta.apply().provenance).toEqual({ lastContainedOffset: 9, lastContainedEpoch: 2 });
  });

  it('an empty delta applies to an equal image', () => {
    const image = baseImage();
    const next = new MetadataDelta(image).apply();
    expect(next.topics).toBe(image.topics);
    expect(next.cluster).toBe(image.cluster);
    expect(next.provenance).toEqual(image.provenance);
    expect(MetadataImage.EMPTY.isEmpty).toBe(true);
    expect(image.isEmpty).toBe(false);
  });
});
