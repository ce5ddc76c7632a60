/**
 * Binary form of metadata records.
 *
 * Frame: type id (int16) | version (int16) | body. Integers are big-endian; `str` is
 * uvarint(byteLength) + UTF-8; `str?` is uvarint(byteLength + 1) with 0 = null; `[i32]` is
 * uvarint(count) + int32s; `[i32]?` is uvarint(count + 1) with 0 = absent; `uuid` is 16 raw bytes.
 *
 * | type (id)              | v | body                                                                     |
 * |------------------------|---|--------------------------------------------------------------------------|
 * | BrokerRegistration (0) | 0 | brokerId i32, brokerEpoch i64, incarnationId uuid,                       |
 * |                        |   | listeners uvarint n × (name str, host str, port u16), rack str?, fenced  |
 * |                        | 1 | v0 + logDirs [uuid]? (uvarint count + 1, 0 = absent), replicasLost bool  |
 * | UnregisterBroker (1)   | 0 | brokerId i32, brokerEpoch i64                                            |
 * | Topic (2)              | 0 | name str, topicId uuid                                                   |
 * | Partition (3)          | 0 | topicId uuid, partitionId i32, replicas [i32], isr [i32], leader i32,    |
 * |                        |   | leaderEpoch i32, partitionEpoch i32                                      |
 * |                        | 1 | v0 + eligibleLeaderReplicas [i32]?                                       |
 * |                        | 2 | v1 + addingReplicas [i32]?, removingReplicas [i32]? (a reassignment)     |
 * | Config (4)             | 0 | resourceType i8 (cluster 1, topic 2, broker 4), resourceName str,        |
 * |                        |   | name str, value str?                                                     |
 * | PartitionChange (5)    | 0 | topicId uuid, partitionId i32, isr [i32]?, leader i32 (-2 = unchanged),  |
 * |                        |   | replicas [i32]?                                                          |
 * |                        | 1 | v0 + eligibleLeaderReplicas [i32]?                                       |
 * |                        | 2 | v1 + addingReplicas [i32]?, removingReplicas [i32]? (absent = unchanged) |
 * | FenceBroker (7)        | 0 | brokerId i32, brokerEpoch i64                                            |
 * | UnfenceBroker (8)      | 0 | brokerId i32, brokerEpoch i64                                            |
 * | RemoveTopic (9)        | 0 | topicId uuid                                                             |
 * | FeatureLevel (12)      | 0 | name str, level i16                                                      |
 * | ProducerIds (15)       | 0 | brokerId i32, brokerEpoch i64, nextProducerId i64                        |
 * | AccessControlEntry (23)| 0 | id uuid, resourceType i8, resourceName str, patternType i8, principal    |
 * |                        |   | str, host str, operation i8, permissionType i8 (Kafka's codes)           |
 * | RemoveAccessControl... | 0 | id uuid                                                                  |
 * |   Entry (24)           |   |                                                                          |
 */
import {
  ACL_OPERATION_CODES,
  ACL_PATTERN_TYPE_CODES,
  ACL_PERMISSION_CODES,
  ACL_RESOURCE_TYPE_CODES,
  codeLookup,
} from './acls';
import { ByteReader, ByteWriter } from './bytes';
import { InvalidMetadataRecordError, UnknownRecordTypeError, UnsupportedRecordVersionError } from './errors';
import {
  RECORD_TYPES,
  recordTypeForId,
  type ConfigResourceType,
  type Listener,
  type MetadataRecord,
  type MetadataRecordType,
} from './records';

/** Kafka's PartitionChangeRecord sentinel for "leader unchanged". */
const NO_LEADER_CHANGE = -2;

const RESOURCE_TYPE_CODES: { readonly [T in ConfigResourceType]: number } = { cluster: 1, topic: 2, broker: 4 };
const RESOURCE_TYPE_BY_CODE: ReadonlyMap<number, ConfigResourceType> = new Map(
  (Object.keys(RESOURCE_TYPE_CODES) as ConfigResourceType[]).map((type) => [RESOURCE_TYPE_CODES[type], type]),
);

const ACL_RESOURCE_TYPE_BY_CODE = codeLookup(ACL_RESOURCE_TYPE_CODES);
const ACL_PATTERN_TYPE_BY_CODE = codeLookup(ACL_PATTERN_TYPE_CODES);
const ACL_OPERATION_BY_CODE = codeLookup(ACL_OPERATION_CODES);
const ACL_PERMISSION_BY_CODE = codeLookup(ACL_PERMISSION_CODES);

/** A Kafka code for an ACL enum value, refusing names this build does not know. */
function aclCode(codes: { readonly [name: string]: number }, name: string, what: string): number {
  const code = codes[name];
  if (code === undefined) throw new InvalidMetadataRecordError(`unknown ACL ${what} ${name}`);
  return code;
}

/** The newest version of a record type this build knows. */
export function latestVersion(type: MetadataRecordType): number {
  return RECORD_TYPES[type].maxVersion;
}

/**
 * The version `encodeRecord` writes when none is asked for: the oldest that carries every field
 * the record sets, so a build that predates a field (no ELR, no log directory ids) still reads
 * the records that do not use it: a controller quorum mid-way through a rolling upgrade, or an
 * older build's controllers started from a newer build's snapshot, as bench:metadata's baseline.
 */
export function versionFor(record: MetadataRecord): number {
  switch (record.type) {
    case 'BrokerRegistration':
      return record.logDirs !== undefined || record.replicasLost !== undefined ? 1 : 0;
    case 'Partition':
    case 'PartitionChange':
      if (record.addingReplicas !== undefined || record.removingReplicas !== undefined) return 2;
      return record.eligibleLeaderReplicas !== undefined ? 1 : 0;
    default:
      return latestVersion(record.type);
  }
}

/** Version 2 of Partition and PartitionChange: a reassignment's adding and removing replicas. */
function encodeReassignment(
  writer: ByteWriter,
  record: {
    readonly type: MetadataRecordType;
    readonly addingReplicas?: readonly number[];
    readonly removingReplicas?: readonly number[];
  },
  version: number,
): void {
  if (version >= 2) {
    writer.nullableInt32Array(record.addingReplicas);
    writer.nullableInt32Array(record.removingReplicas);
  } else if (record.addingReplicas !== undefined || record.removingReplicas !== undefined) {
    throw new UnsupportedRecordVersionError(
      record.type,
      version,
      -1,
      'addingReplicas and removingReplicas need version 2',
    );
  }
}

/** Encodes one record as a fresh byte array. */
export function encodeRecord(record: MetadataRecord, version = versionFor(record)): Uint8Array {
  const writer = new ByteWriter();
  encodeRecordInto(writer, record, version);
  return Uint8Array.from(writer.view());
}

/** Appends one record's frame to `writer` (which the caller may reuse across records). */
export function encodeRecordInto(writer: ByteWriter, record: MetadataRecord, version = versionFor(record)): void {
  const info = RECORD_TYPES[record.type];
  if (info === undefined) throw new InvalidMetadataRecordError(`unknown record type ${String(record.type)}`);
  if (!Number.isInteger(version) || version < info.minVersion || version > info.maxVersion) {
    throw new UnsupportedRecordVersionError(record.type, version, -1);
  }
  writer.int16(info.typeId);
  writer.int16(version);
  switch (record.type) {
    case 'BrokerRegistration':
      writer.int32(record.brokerId);
      writer.int64(record.brokerEpoch);
      writer.uuid(record.incarnationId);
      writer.uvarint(record.listeners.length);
      for (const listener of record.listeners) {
        writer.string(listener.name);
        writer.string(listener.host);
        writer.uint16(listener.port);
      }
      writer.nullableString(record.rack);
      writer.bool(record.fenced);
      if (version >= 1) {
        if (record.logDirs === undefined) writer.uvarint(0);
        else {
          writer.uvarint(record.logDirs.length + 1);
          for (const dir of record.logDirs) writer.uuid(dir);
        }
        writer.bool(record.replicasLost === true);
      } else if (record.logDirs !== undefined || record.replicasLost !== undefined) {
        throw new UnsupportedRecordVersionError(record.type, version, -1, 'logDirs and replicasLost need version 1');
      }
      return;
    case 'FenceBroker':
    case 'UnfenceBroker':
    case 'UnregisterBroker':
      writer.int32(record.brokerId);
      writer.int64(record.brokerEpoch);
      return;
    case 'Topic':
      writer.string(record.name);
      writer.uuid(record.topicId);
      return;
    case 'RemoveTopic':
      writer.uuid(record.topicId);
      return;
    case 'Partition':
      writer.uuid(record.topicId);
      writer.int32(record.partitionId);
      writer.int32Array(record.replicas);
      writer.int32Array(record.isr);
      writer.int32(record.leader);
      writer.int32(record.leaderEpoch);
      writer.int32(record.partitionEpoch);
      if (version >= 1) {
        writer.nullableInt32Array(record.eligibleLeaderReplicas);
      } else if (record.eligibleLeaderReplicas !== undefined) {
        throw new UnsupportedRecordVersionError(record.type, version, -1, 'eligibleLeaderReplicas needs version 1');
      }
      encodeReassignment(writer, record, version);
      return;
    case 'PartitionChange':
      if (record.leader === NO_LEADER_CHANGE) {
        throw new InvalidMetadataRecordError('PartitionChange leader -2 is the wire sentinel; omit leader instead');
      }
      writer.uuid(record.topicId);
      writer.int32(record.partitionId);
      writer.nullableInt32Array(record.isr);
      writer.int32(record.leader ?? NO_LEADER_CHANGE);
      writer.nullableInt32Array(record.replicas);
      if (version >= 1) {
        writer.nullableInt32Array(record.eligibleLeaderReplicas);
      } else if (record.eligibleLeaderReplicas !== undefined) {
        throw new UnsupportedRecordVersionError(record.type, version, -1, 'eligibleLeaderReplicas needs version 1');
      }
      encodeReassignment(writer, record, version);
      return;
    case 'Config': {
      const code = RESOURCE_TYPE_CODES[record.resourceType];
      if (code === undefined)
        throw new InvalidMetadataRecordError(`unknown config resource type ${record.resourceType}`);
      writer.int8(code);
      writer.string(record.resourceName);
      writer.string(record.name);
      writer.nullableString(record.value);
      return;
    }
    case 'ProducerIds':
      writer.int32(record.brokerId);
      writer.int64(record.brokerEpoch);
      writer.int64(record.nextProducerId);
      return;
    case 'FeatureLevel':
      writer.string(record.name);
      writer.int16(record.level);
      return;
    case 'AccessControlEntry':
      writer.uuid(record.id);
      writer.int8(aclCode(ACL_RESOURCE_TYPE_CODES, record.resourceType, 'resource type'));
      writer.string(record.resourceName);
      writer.int8(aclCode(ACL_PATTERN_TYPE_CODES, record.patternType, 'pattern type'));
      writer.string(record.principal);
      writer.string(record.host);
      writer.int8(aclCode(ACL_OPERATION_CODES, record.operation, 'operation'));
      writer.int8(aclCode(ACL_PERMISSION_CODES, record.permission, 'permission'));
      return;
    case 'RemoveAccessControlEntry':
      writer.uuid(record.id);
      return;
  }
}

/** Reads an int8 Kafka code and maps it to its name, failing at the code's position when unknown. */
function readAclCode<T>(reader: ByteReader, names: ReadonlyMap<number, T>, what: string): T {
  const at = reader.position;
  const code = reader.int8();
  const name = names.get(code);
  if (name === undefined) reader.fail(`unknown ACL ${what} code ${code}`, at);
  return name;
}

export interface DecodedRecord {
  readonly record: MetadataRecord;
  readonly version: number;
}

/**
 * Decodes exactly one record filling all of `bytes`. `basePosition` is where `bytes` starts in
 * the enclosing file or batch, so errors name an absolute byte position.
 */
export function decodeRecord(bytes: Uint8Array, basePosition = 0): DecodedRecord {
  const reader = new ByteReader(bytes, basePosition);
  const typeAt = reader.position;
  const typeId = reader.int16();
  const version = reader.int16();
  const type = recordTypeForId(typeId);
  if (type === undefined) throw new UnknownRecordTypeError(typeId, typeAt);
  const info = RECORD_TYPES[type];
  if (version < info.minVersion || version > info.maxVersion) {
    throw new UnsupportedRecordVersionError(type, version, typeAt + 2);
  }
  const record = decodeBody(reader, type, version);
  if (reader.remaining !== 0) reader.fail(`${reader.remaining} trailing bytes after ${type} record`);
  return { record, version };
}

function decodeBody(reader: ByteReader, type: MetadataRecordType, version: number): MetadataRecord {
  switch (type) {
    case 'BrokerRegistration': {
      const brokerId = reader.int32();
      const brokerEpoch = reader.int64();
      const incarnationId = reader.uuid();
      const countAt = reader.position;
      const listenerCount = reader.uvarint();
      // Each listener takes at least 4 bytes (two empty strings and a port).
      reader.checkCount(listenerCount, 4, countAt, 'listeners');
      const listeners: Listener[] = [];
      for (let i = 0; i < listenerCount; i++) {
        const name = reader.string();
        const host = reader.string();
        const port = reader.uint16();
        listeners.push({ name, host, port });
      }
      const rack = reader.nullableString();
      const fenced = reader.bool();
      if (version < 1) return { type, brokerId, brokerEpoch, incarnationId, listeners, rack, fenced };
      const dirsAt = reader.position;
      const dirsPlusOne = reader.uvarint();
      let logDirs: string[] | undefined;
      if (dirsPlusOne > 0) {
        reader.checkCount(dirsPlusOne - 1, 16, dirsAt, 'logDirs');
        logDirs = [];
        for (let i = 0; i < dirsPlusOne - 1; i++) logDirs.push(reader.uuid());
      }
      const replicasLost = reader.bool();
      return {
        type,
        brokerId,
        brokerEpoch,
        incarnationId,
        listeners,
        rack,
        fenced,
        ...(logDirs === undefined ? {} : { logDirs }),
        ...(replicasLost ? { replicasLost: true as const } : {}),
      };
    }
    case 'FenceBroker':
    case 'UnfenceBroker':
    case 'UnregisterBroker': {
      const brokerId = reader.int32();
      const brokerEpoch = reader.int64();
      return { type, brokerId, brokerEpoch };
    }
    case 'Topic': {
      const name = reader.string();
      const topicId = reader.uuid();
      return { type, name, topicId };
    }
    case 'RemoveTopic':
      return { type, topicId: reader.uuid() };
    case 'Partition': {
      const topicId = reader.uuid();
      const partitionId = reader.int32();
      const replicas = reader.int32Array();
      const isr = reader.int32Array();
      const leader = reader.int32();
      const leaderEpoch = reader.int32();
      const partitionEpoch = reader.int32();
      const eligibleLeaderReplicas = version >= 1 ? reader.nullableInt32Array() : undefined;
      const addingReplicas = version >= 2 ? reader.nullableInt32Array() : undefined;
      const removingReplicas = version >= 2 ? reader.nullableInt32Array() : undefined;
      return {
        type,
        topicId,
        partitionId,
        replicas,
        isr,
        leader,
        leaderEpoch,
        partitionEpoch,
        ...(eligibleLeaderReplicas !== undefined ? { eligibleLeaderReplicas } : {}),
        ...(addingReplicas !== undefined ? { addingReplicas } : {}),
        ...(removingReplicas !== undefined ? { removingReplicas } : {}),
      };
    }
    case 'PartitionChange': {
      const topicId = reader.uuid();
      const partitionId = reader.int32();
      const isr = reader.nullableInt32Array();
      const leader = reader.int32();
      const replicas = reader.nullableInt32Array();
      const eligibleLeaderReplicas = version >= 1 ? reader.nullableInt32Array() : undefined;
      const addingReplicas = version >= 2 ? reader.nullableInt32Array() : undefined;
      const removingReplicas = version >= 2 ? reader.nullableInt32Array() : undefined;
      return {
        type,
        topicId,
        partitionId,
        ...(isr !== undefined ? { isr } : {}),
        ...(leader !== NO_LEADER_CHANGE ? { leader } : {}),
        ...(replicas !== undefined ? { replicas } : {}),
        ...(eligibleLeaderReplicas !== undefined ? { eligibleLeaderReplicas } : {}),
        ...(addingReplicas !== undefined ? { addingReplicas } : {}),
        ...(removingReplicas !== undefined ? { removingReplicas } : {}),
      };
    }
    case 'Config': {
      const codeAt = reader.position;
      const code = reader.int8();
      const resourceType = RESOURCE_TYPE_BY_CODE.get(code);
      if (resourceType === undefined) reader.fail(`unknown config resource type ${code}`, codeAt);
      const resourceName = reader.string();
      const name = reader.string();
      const value = reader.nullableString();
      return { type, resourceType, resourceName, name, value };
    }
    case 'ProducerIds': {
      const brokerId = reader.int32();
      const brokerEpoch = reader.int64();
      const nextProducerId = reader.int64();
      return { type, brokerId, brokerEpoch, nextProducerId };
    }
    case 'FeatureLevel': {
      const name = reader.string();
      const level = reader.int16();
      return { type, name, level };
    }
    case 'AccessControlEntry': {
      const id = reader.uuid();
      const resourceType = readAclCode(reader, ACL_RESOURCE_TYPE_BY_CODE, 'resource type');
      const resourceName = reader.string();
      const patternType = readAclCode(reader, ACL_PATTERN_TYPE_BY_CODE, 'pattern type');
      const principal = reader.string();
      const host = reader.string();
      const operation = readAclCode(reader, ACL_OPERATION_BY_CODE, 'operation');
      const permission = readAclCode(reader, ACL_PERMISSION_BY_CODE, 'permission');
      return { type, id, resourceType, resourceName, patternType, principal, host, operation, permission };
    }
    case 'RemoveAccessControlEntry':
      return { type, id: reader.uuid() };
  }
}
