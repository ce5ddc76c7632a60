/** fast-check generators shared by the metadata tests. */
import fc from 'fast-check';
import {
  ACL_OPERATIONS,
  ACL_PATTERN_TYPES,
  ACL_PERMISSIONS,
  ACL_RESOURCE_TYPES,
  RECORD_TYPES,
  uuidFromBytes,
  type ConfigResourceType,
  type MetadataRecord,
  type MetadataRecordType,
} from '@sluice/metadata';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

export const arbUuid = fc.uint8Array({ minLength: 16, maxLength: 16 }).map(uuidFromBytes);
const int32 = fc.integer({ min: INT32_MIN, max: INT32_MAX });
const int64 = fc.maxSafeInteger();
const text = fc.string({ unit: 'grapheme', maxLength: 12 });
const int32s = fc.array(int32, { maxLength: 6 });
const resourceType = fc.constantFrom<ConfigResourceType>('topic', 'broker', 'cluster');

/** The Partition / PartitionChange versions that can carry the optional fields a record sets. */
function versionsCarrying(fields: {
  readonly eligibleLeaderReplicas?: readonly number[];
  readonly addingReplicas?: readonly number[];
  readonly removingReplicas?: readonly number[];
}): number[] {
  if (fields.addingReplicas !== undefined || fields.removingReplicas !== undefined) return [2];
  return fields.eligibleLeaderReplicas === undefined ? [0, 1, 2] : [1, 2];
}

/** Any encodable record (wire-valid, not necessarily replay-valid), with a version it supports. */
export const arbEncodable: fc.Arbitrary<{ record: MetadataRecord; version: number }> = fc.oneof(
  fc
    .record({
      brokerId: int32,
      brokerEpoch: int64,
      incarnationId: arbUuid,
      listeners: fc.array(fc.record({ name: text, host: text, port: fc.integer({ min: 0, max: 65535 }) }), {
        maxLength: 3,
      }),
      rack: fc.option(text, { nil: null }),
      fenced: fc.boolean(),
    })
    .map((fields) => ({ record: { type: 'BrokerRegistration' as const, ...fields }, version: 0 })),
  fc
    .record(
      {
        brokerId: int32,
        brokerEpoch: int64,
        incarnationId: arbUuid,
        listeners: fc.array(fc.record({ name: text, host: text, port: fc.integer({ min: 0, max: 65535 }) }), {
          maxLength: 3,
        }),
        rack: fc.option(text, { nil: null }),
        fenced: fc.boolean(),
        logDirs: fc.array(arbUuid, { maxLength: 3 }),
        replicasLost: fc.constant(true as const),
      },
      { requiredKeys: ['brokerId', 'brokerEpoch', 'incarnationId', 'listeners', 'rack', 'fenced'] },
    )
    .map((fields) => ({ record: { type: 'BrokerRegistration' as const, ...fields }, version: 1 })),
  fc
    .record({
      type: fc.constantFrom('FenceBroker' as const, 'UnfenceBroker' as const, 'UnregisterBroker' as const),
      brokerId: int32,
      brokerEpoch: int64,
    })
    .map((record) => ({ record, version: 0 })),
  fc
    .record({ name: text, topicId: arbUuid })
    .map((fields) => ({ record: { type: 'Topic' as const, ...fields }, version: 0 })),
  arbUuid.map((topicId) => ({ record: { type: 'RemoveTopic' as const, topicId }, version: 0 })),
  fc
    .record(
      {
        topicId: arbUuid,
        partitionId: int32,
        replicas: int32s,
        isr: int32s,
        leader: int32,
        leaderEpoch: int32,
        partitionEpoch: int32,
        eligibleLeaderReplicas: int32s,
        addingReplicas: int32s,
        removingReplicas: int32s,
      },
      { requiredKeys: ['topicId', 'partitionId', 'replicas', 'isr', 'leader', 'leaderEpoch', 'partitionEpoch'] },
    )
    .chain((fields) =>
      fc.constantFrom(...versionsCarrying(fields)).map((version) => ({
        record: { type: 'Partition' as const, ...fields },
        version,
      })),
    ),
  fc
    .record(
      {
        topicId: arbUuid,
        partitionId: int32,
        isr: int32s,
        leader: int32.filter((leader) => leader !== -2),
        replicas: int32s,
        eligibleLeaderReplicas: int32s,
        addingReplicas: int32s,
        removingReplicas: int32s,
      },
      { requiredKeys: ['topicId', 'partitionId'] },
    )
    .chain((fields) =>
      fc.constantFrom(...versionsCarrying(fields)).map((version) => ({
        record: { type: 'PartitionChange' as const, ...fields },
        version,
      })),
    ),
  fc
    .record({ resourceType, resourceName: text, name: text, value: fc.option(text, { nil: null }) })
    .map((fields) => ({ record: { type: 'Config' as const, ...fields }, version: 0 })),
  fc
    .record({ brokerId: int32, brokerEpoch: int64, nextProducerId: int64 })
    .map((fields) => ({ record: { type: 'ProducerIds' as const, ...fields }, version: 0 })),
  fc
    .record({ name: text, level: fc.integer({ min: -32768, max: 32767 }) })
    .map((fields) => ({ record: { type: 'FeatureLevel' as const, ...fields }, version: 0 })),
  fc
    .record({
      id: arbUuid,
      resourceType: fc.constantFrom(...ACL_RESOURCE_TYPES),
      resourceName: text,
      patternType: fc.constantFrom(...ACL_PATTERN_TYPES),
      principal: text,
      host: text,
      operation: fc.constantFrom(...ACL_OPERATIONS),
      permission: fc.constantFrom(...ACL_PERMISSIONS),
    })
    .map((fields) => ({ record: { type: 'AccessControlEntry' as const, ...fields }, version: 0 })),
  arbUuid.map((id) => ({ record: { type: 'RemoveAccessControlEntry' as const, id }, version: 0 })),
);

/** Every (type, version) pair this build supports. */
export function allTypeVersions(): [MetadataRecordType, number][] {
  const pairs: [MetadataRecordType, number][] = [];
  for (const type of Object.keys(RECORD_TYPES) as MetadataRecordType[]) {
    for (let version = RECORD_TYPES[type].minVersion; version <= RECORD_TYPES[type].maxVersion; version++)
      pairs.push([type, version]);
  }
  return pairs;
}

// A small universe so random sequences hit existing brokers, topics and partitions often.
export const TOPIC_IDS = [
  'AAAAAAAAAAAAAAAAAAAAAQ',
  'AAAAAAAAAAAAAAAAAAAAAg',
  'AAAAAAAAAAAAAAAAAAAAAw',
  'AAAAAAAAAAAAAAAAAAAABA',
];
const TOPIC_NAMES = ['orders', 'payments', 'audit.log', 'bad name!', 'clicks'];
const BROKER = fc.integer({ min: 0, max: 4 });
const BROKERS = fc.uniqueArray(BROKER, { minLength: 0, maxLength: 4 });
const SMALL_EPOCH = fc.integer({ min: 0, max: 6 });
const TOPIC_ID = fc.constantFrom(...TOPIC_IDS);
const PARTITION_ID = fc.integer({ min: 0, max: 3 });

/** Records over the small universe: many valid, some invalid on purpose. */
export const arbModelRecord: fc.Arbitrary<MetadataRecord> = fc.oneof(
  fc.record({
    type: fc.constant('BrokerRegistration' as const),
    brokerId: BROKER,
    brokerEpoch: SMALL_EPOCH,
    incarnationId: arbUuid,
    listeners: fc.constant([{ name: 'PLAINTEXT', host: 'localhost', port: 9092 }]),
    rack: fc.constantFrom(null, 'rack-a'),
    fenced: fc.boolean(),
  }),
  fc.record({
    type: fc.constant('BrokerRegistration' as const),
    brokerId: BROKER,
    brokerEpoch: SMALL_EPOCH,
    incarnationId: arbUuid,
    listeners: fc.constant([{ name: 'PLAINTEXT', host: 'localhost', port: 9092 }]),
    rack: fc.constant(null),
    fenced: fc.constant(true),
    logDirs: fc.array(arbUuid, { minLength: 1, maxLength: 2 }),
    replicasLost: fc.constant(true as const),
  }),
  fc.record({
    type: fc.constantFrom('FenceBroker' as const, 'UnfenceBroker' as const, 'UnregisterBroker' as const),
    brokerId: BROKER,
    brokerEpoch: SMALL_EPOCH,
  }),
  {
    arbitrary: fc.record({
      type: fc.constant('Topic' as const),
      name: fc.constantFrom(...TOPIC_NAMES),
      topicId: TOPIC_ID,
    }),
    weight: 2,
  },
  fc.record({ type: fc.constant('RemoveTopic' as const), topicId: TOPIC_ID }),
  {
    arbitrary: fc
      .record({
        topicId: TOPIC_ID,
        partitionId: PARTITION_ID,
        replicas: BROKERS,
        isrSize: fc.nat(4),
        leaderPick: fc.integer({ min: -1, max: 4 }),
      })
      .map(({ topicId, partitionId, replicas, isrSize, leaderPick }) => {
        const isr = replicas.slice(0, Math.min(isrSize, replicas.length));
        const leader = leaderPick < 0 || isr.length === 0 ? -1 : (isr[leaderPick % isr.length] as number);
        const elr = replicas.slice(isr.length, isr.length + 1);
        return {
          type: 'Partition' as const,
          topicId,
          partitionId,
          replicas,
          isr,
          leader,
          leaderEpoch: 0,
          partitionEpoch: 0,
          ...(elr.length > 0 && leaderPick === 4 ? { eligibleLeaderReplicas: elr } : {}),
        };
      }),
    weight: 4,
  },
  {
    arbitrary: fc.record(
      {
        type: fc.constant('PartitionChange' as const),
        topicId: TOPIC_ID,
        partitionId: PARTITION_ID,
        isr: BROKERS,
        leader: fc.integer({ min: -1, max: 4 }),
        replicas: BROKERS,
        eligibleLeaderReplicas: fc.constant([]),
      },
      { requiredKeys: ['type', 'topicId', 'partitionId'] },
    ),
    weight: 4,
  },
  fc.record({
    type: fc.constant('Config' as const),
    resourceType,
    resourceName: fc.constantFrom('', 'orders', 'payments', '1'),
    name: fc.constantFrom('retention.ms', 'min.insync.replicas', ''),
    value: fc.constantFrom(null, '1', '604800000'),
  }),
  fc.record({
    type: fc.constant('ProducerIds' as const),
    brokerId: BROKER,
    brokerEpoch: SMALL_EPOCH,
    nextProducerId: fc.integer({ min: -1, max: 5000 }),
  }),
  fc.record({
    type: fc.constant('FeatureLevel' as const),
    name: fc.constantFrom('metadata.version', 'kraft.version', ''),
    level: fc.integer({ min: -1, max: 3 }),
  }),
);
