import fc from 'fast-check';
import { propertyOptions } from '../../../test-support/property';
import {
  CorruptMetadataRecordError,
  InvalidMetadataRecordError,
  MetadataError,
  RECORD_TYPES,
  UnknownRecordTypeError,
  UnsupportedRecordVersionError,
  decodeRecord,
  encodeRecord,
  latestVersion,
  type MetadataRecord,
  type MetadataRecordType,
} from '@sluice/metadata';
import { allTypeVersions, arbEncodable } from './arbitraries';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';

/** One fixed example per (type, version), so every pair is covered even if fast-check misses one. */
const EXAMPLES: Record<string, MetadataRecord> = {
  'BrokerRegistration/0': {
    type: 'BrokerRegistration',
    brokerId: 1,
    brokerEpoch: 2 ** 40,
    incarnationId: 'q1Sh-9_ISia_MbCI9kpKcg',
    listeners: [
      { name: 'PLAINTEXT', host: 'broker-1.sluice', port: 9092 },
      { name: 'CONTROLLER', host: '10.0.0.1', port: 9093 },
    ],
    rack: 'us-east-1a',
    fenced: true,
  },
  'BrokerRegistration/1': {
    type: 'BrokerRegistration',
    brokerId: 1,
    brokerEpoch: 77,
    incarnationId: 'q1Sh-9_ISia_MbCI9kpKcg',
    listeners: [{ name: 'PLAINTEXT', host: 'broker-1.sluice', port: 9092 }],
    rack: null,
    fenced: true,
    logDirs: ['AAAAAAAAAAAAAAAAAAAAAQ', 'AAAAAAAAAAAAAAAAAAAAAg'],
    replicasLost: true,
  },
  'UnregisterBroker/0': { type: 'UnregisterBroker', brokerId: 7, brokerEpoch: 99 },
  'Topic/0': { type: 'Topic', name: 'orders', topicId: TOPIC_ID },
  'Partition/0': {
    type: 'Partition',
    topicId: TOPIC_ID,
    partitionId: 3,
    replicas: [1, 2, 3],
    isr: [1, 2],
    leader: 1,
    leaderEpoch: 4,
    partitionEpoch: 9,
  },
  'Partition/1': {
    type: 'Partition',
    topicId: TOPIC_ID,
    partitionId: 3,
    replicas: [1, 2, 3],
    isr: [1],
    leader: 1,
    leaderEpoch: 4,
    partitionEpoch: 9,
    eligibleLeaderReplicas: [2],
  },
  'Partition/2': {
    type: 'Partition',
    topicId: TOPIC_ID,
    partitionId: 3,
    replicas: [4, 2, 1],
    isr: [1, 2],
    leader: 1,
    leaderEpoch: 4,
    partitionEpoch: 9,
    addingReplicas: [4],
    removingReplicas: [1],
  },
  'Config/0': { type: 'Config', resourceType: 'topic', resourceName: 'orders', name: 'retention.ms', value: null },
  'PartitionChange/0': { type: 'PartitionChange', topicId: TOPIC_ID, partitionId: 0, isr: [1, 2] },
  'PartitionChange/1': {
    type: 'PartitionChange',
    topicId: TOPIC_ID,
    partitionId: 0,
    leader: -1,
    replicas: [2, 3],
    eligibleLeaderReplicas: [],
  },
  'PartitionChange/2': {
    type: 'PartitionChange',
    topicId: TOPIC_ID,
    partitionId: 0,
    replicas: [4, 2],
    addingReplicas: [],
    removingReplicas: [],
  },
  'FenceBroker/0': { type: 'FenceBroker', brokerId: 1, brokerEpoch: 5 },
  'UnfenceBroker/0': { type: 'UnfenceBroker', brokerId: 1, brokerEpoch: 5 },
  'RemoveTopic/0': { type: 'RemoveTopic', topicId: TOPIC_ID },
  'FeatureLevel/0': { type: 'FeatureLevel', name: 'metadata.version', level: 21 },
  'ProducerIds/0': { type: 'ProducerIds', brokerId: 2, brokerEpoch: 10, nextProducerId: 3000 },
  'AccessControlEntry/0': {
    type: 'AccessControlEntry',
    id: 'q1Sh-9_ISia_MbCI9kpKcg',
    resourceType: 'TOPIC',
    resourceName: 'orders-',
    patternType: 'PREFIXED',
    principal: 'User:alice',
    host: '*',
    operation: 'WRITE',
    permission: 'ALLOW',
  },
  'RemoveAccessControlEntry/0': { type: 'RemoveAccessControlEntry', id: 'q1Sh-9_ISia_MbCI9kpKcg' },
};

describe('metadata record codec', () => {
  it.each(allTypeVersions())('round-trips %s version %i', (type: MetadataRecordType, version: number) => {
    const record = EXAMPLES[`${type}/${version}`];
    expect(record).toBeDefined();
    const bytes = encodeRecord(record as MetadataRecord, version);
    expect(new DataView(bytes.buffer, bytes.byteOffset).getInt16(0)).toBe(RECORD_TYPES[type].typeId);
    expect(new DataView(bytes.buffer, bytes.byteOffset).getInt16(2)).toBe(version);
    expect(decodeRecord(bytes)).toEqual({ record, version });
  });

  it('round-trips random records of every type and version (property)', () => {
    fc.assert(
      fc.property(arbEncodable, ({ record, version }) => {
        const decoded = decodeRecord(encodeRecord(record, version));
        expect(decoded.version).toBe(version);
        expect(decoded.record).toEqual(record);
      }),
      propertyOptions({ numRuns: 2000 }),
    );
  });

  it('writes by default the oldest version that carries every field the record sets', () => {
    const bytes = encodeRecord(EXAMPLES['Partition/2'] as MetadataRecord);
    expect(decodeRecord(bytes).version).toBe(latestVersion('Partition'));
    for (const name of [
      'Partition/0',
      'Partition/1',
      'PartitionChange/0',
      'PartitionChange/1',
      'BrokerRegistration/0',
      'BrokerRegistration/1',
    ]) {
      const version = Number(name.split('/')[1]);
      const decoded = decodeRecord(encodeRecord(EXAMPLES[name] as MetadataRecord));
      expect({ name, version: decoded.version }).toEqual({ name, version });
      expect(decoded.record).toEqual(EXAMPLES[name]);
    }
  });

  it('refuses to write eligible leader replicas at Partition version 0', () => {
    expect(() => encodeRecord(EXAMPLES['Partition/1'] as MetadataRecord, 0)).toThrow(UnsupportedRecordVersionError);
  });

  it('refuses out-of-range values on encode', () => {
    expect(() => encodeRecord({ type: 'FenceBroker', brokerId: 2 ** 31, brokerEpoch: 0 })).toThrow(
      InvalidMetadataRecordError,
    );
    expect(() => encodeRecord({ type: 'Topic', name: 'x', topicId: 'not-a-uuid' })).toThrow(InvalidMetadataRecordError);
    expect(() => encodeRecord({ type: 'PartitionChange', topicId: TOPIC_ID, partitionId: 0, leader: -2 })).toThrow(
      InvalidMetadataRecordError,
    );
    expect(() => encodeRecord({ type: 'FeatureLevel', name: 'x'.repeat(40_000), level: 1 })).toThrow(
      InvalidMetadataRecordError,
    );
  });

  it('names an unknown type id with its byte position', () => {
    const bytes = Uint8Array.from([0x00, 0x63, 0x00, 0x00]);
    const error = catchError(() => decodeRecord(bytes, 100));
    expect(error).toBeInstanceOf(UnknownRecordTypeError);
    expect((error as UnknownRecordTypeError).typeId).toBe(99);
    expect((error as UnknownRecordTypeError).position).toBe(100);
  });

  it('names an unsupported version', () => {
    const bytes = encodeRecord(EXAMPLES['Topic/0'] as MetadataRecord);
    bytes[3] = 7;
    const error = catchError(() => decodeRecord(bytes));
    expect(error).toBeInstanceOf(UnsupportedRecordVersionError);
    expect((error as UnsupportedRecordVersionError).version).toBe(7);
    expect((error as UnsupportedRecordVersionError).position).toBe(2);
  });

  it('reports truncation with the byte position where data ran out', () => {
    const bytes = encodeRecord(EXAMPLES['ProducerIds/0'] as MetadataRecord);
    // frame 4 + brokerId 4 + brokerEpoch 8 = 16; cut inside nextProducerId.
    const error = catchError(() => decodeRecord(bytes.subarray(0, 20), 1000));
    expect(error).toBeInstanceOf(CorruptMetadataRecordError);
    expect((error as CorruptMetadataRecordError).position).toBe(1016);
  });

  it('refuses trailing bytes', () => {
    const bytes = encodeRecord(EXAMPLES['RemoveTopic/0'] as MetadataRecord);
    const padded = new Uint8Array(bytes.length + 1);
    padded.set(bytes);
    expect(() => decodeRecord(padded)).toThrow(CorruptMetadataRecordError);
  });

  it('refuses a huge array count before allocating for it', () => {
    // Partition v1: frame, uuid, partitionId, then replicas count as a 5-byte varint of 2^31-1.
    const bytes = Uint8Array.from([
      0,
      3,
      0,
      1,
      ...new Array<number>(16).fill(0),
      0,
      0,
      0,
      0,
      0xff,
      0xff,
      0xff,
      0xff,
      0x07,
    ]);
    const error = catchError(() => decodeRecord(bytes));
    expect(error).toBeInstanceOf(CorruptMetadataRecordError);
    expect((error as CorruptMetadataRecordError).position).toBe(24);
  });

  it('refuses invalid UTF-8, bad booleans and bad resource types', () => {
    const topic = encodeRecord({ type: 'Topic', name: 'ab', topicId: TOPIC_ID });
    topic[5] = 0xff;
    expect(() => decodeRecord(topic)).toThrow(CorruptMetadataRecordError);
    const broker = encodeRecord(EXAMPLES['BrokerRegistration/0'] as MetadataRecord);
    broker[broker.length - 1] = 2;
    expect(() => decodeRecord(broker)).toThrow(/bool byte 2/);
    const config = encodeRecord(EXAMPLES['Config/0'] as MetadataRecord);
    config[4] = 3;
    expect(() => decodeRecord(config)).toThrow(/unknown config resource type 3 at byte 4/);
  });

  it('only ever fails with a named metadata error on arbitrary bytes (fuzz)', () => {
    fc.assert(
      fc.property(
        arbEncodable,
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.nat(),
        ({ record, version }, flipAt, flipTo, cutAt) => {
          const bytes = encodeRecord(record, version);
          bytes[flipAt % bytes.length] = flipTo;
          const cut = bytes.subarray(0, cutAt % (bytes.length + 1));
          for (const candidate of [bytes, cut]) {
            try {
              decodeRecord(candidate);
            } catch (error) {
              expect(error).toBeInstanceOf(MetadataError);
              expect(typeof (error as { position?: unknown }).position).toBe('number');
            }
          }
        },
      ),
      propertyOptions({ numRuns: 2000 }),
    );
  });
});

function catchError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('ACL records in Kafka layout', () => {
  it("writes Kafka's AccessControlEntryRecord codes (TOPIC 2, PREFIXED 4, WRITE 4, ALLOW 3)", () => {
    const bytes = Buffer.from(encodeRecord(EXAMPLES['AccessControlEntry/0'] as MetadataRecord));
    expect(bytes.readInt16BE(0)).toBe(23);
    // frame 4 + uuid 16, then the resource type code.
    expect(bytes[20]).toBe(2);
    const nameEnd = 21 + 1 + 'orders-'.length;
    expect(bytes[nameEnd]).toBe(4);
    expect(bytes[bytes.length - 2]).toBe(4);
    expect(bytes[bytes.length - 1]).toBe(3);
  });

  it('refuses an unknown ACL code on decode, naming its position', () => {
    const bytes = encodeRecord(EXAMPLES['AccessControlEntry/0'] as MetadataRecord);
    bytes[bytes.length - 1] = 9;
    const error = catchError(() => decodeRecord(bytes));
    expect(error).toBeInstanceOf(CorruptMetadataRecordError);
    expect((error as CorruptMetadataRecordError).position).toBe(bytes.length - 1);
  });
});
