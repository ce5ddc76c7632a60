/**
 * What the group coordinator writes to `__consumer_offsets` (Kafka's coordinator records for
 * the KIP-848 protocol, in our own encoding). Every record has a key (what compaction keeps the
 * latest value of) and a value; a null value is a tombstone. State is rebuilt by replaying them
 * in log order, and every change the coordinator makes goes through the same replay, so memory
 * after a change equals memory after a reload.
 *
 * Encoding: key and value are UTF-8 JSON (`[type, groupId, ...]` and an object). Small, readable
 * with `sluice consume __consumer_offsets --json`, versioned by the `v` field of each value.
 */
import { ApiError } from '@sluice/protocol';
import { topicsMetadataHash } from './metadata-hash';
import type { MemberState } from './reconciliation';

export interface PartitionList {
  readonly topic: string;
  readonly partitions: readonly number[];
}

export interface GroupEpochValue {
  readonly epoch: number;
  /**
   * topicsMetadataHash of the subscribed topics that existed, with their partition counts, when
   * the epoch was written (Kafka 4.1+, KIP-1101). Written as value version 2; a version 1 value
   * (the whole counts map) is read as the hash of its map.
   */
  readonly metadataHash: number;
}

export interface MemberSubscriptionValue {
  readonly instanceId: string | null;
  readonly rackId: string | null;
  readonly clientId: string;
  readonly subscribedTopicNames: readonly string[];
  readonly subscribedTopicRegex: string | null;
  readonly serverAssignor: string | null;
  readonly rebalanceTimeoutMs: number;
}

export interface TargetAssignmentEpochValue {
  readonly assignmentEpoch: number;
}

export interface TargetAssignmentMemberValue {
  readonly partitions: readonly PartitionList[];
}

export interface CurrentAssignmentValue {
  readonly memberEpoch: number;
  readonly previousMemberEpoch: number;
  readonly state: MemberState;
  readonly assigned: readonly PartitionList[];
  readonly pendingRevocation: readonly PartitionList[];
}

export interface OffsetCommitValue {
  readonly offset: number;
  readonly leaderEpoch: number;
  readonly metadata: string;
  readonly commitTimestampMs: number;
}

/** A share group's epoch (KIP-932); its target assignment is computed at once, so it is at this epoch too. */
export interface ShareGroupMetadataValue {
  readonly epoch: number;
  /** Partition counts of the subscribed topics the target assignment used. */
  readonly topicPartitionCounts: Readonly<Record<string, number>>;
}

/** A share group member: its subscription and the assignment it was last given, at its epoch. */
export interface ShareGroupMemberValue {
  readonly rackId: string | null;
  readonly clientId: string;
  readonly subscribedTopicNames: readonly string[];
  readonly memberEpoch: number;
  /** The epoch before the last change (a heartbeat whose answer was lost may still carry it). */
  readonly previousMemberEpoch: number;
  readonly assigned: readonly PartitionList[];
}

export type GroupRecord =
  | { readonly type: 'GroupEpoch'; readonly groupId: string; readonly value: GroupEpochValue | null }
  | {
      readonly type: 'MemberSubscription';
      readonly groupId: string;
      readonly memberId: string;
      readonly value: MemberSubscriptionValue | null;
    }
  | {
      readonly type: 'TargetAssignmentEpoch';
      readonly groupId: string;
      readonly value: TargetAssignmentEpochValue | null;
    }
  | {
      readonly type: 'TargetAssignmentMember';
      readonly groupId: string;
      readonly memberId: string;
      readonly value: TargetAssignmentMemberValue | null;
    }
  | {
      readonly type: 'CurrentAssignment';
      readonly groupId: string;
      readonly memberId: string;
      readonly value: CurrentAssignmentValue | null;
    }
  | {
      readonly type: 'OffsetCommit';
      readonly groupId: string;
      readonly topic: string;
      readonly partition: number;
      readonly value: OffsetCommitValue | null;
    }
  | ShareGroupRecord;

export type ShareGroupRecord =
  | { readonly type: 'ShareGroupMetadata'; readonly groupId: string; readonly value: ShareGroupMetadataValue | null }
  | {
      readonly type: 'ShareGroupMember';
      readonly groupId: string;
      readonly memberId: string;
      readonly value: ShareGroupMemberValue | null;
    }
  | {
      readonly type: 'ShareGroupTargetMember';
      readonly groupId: string;
      readonly memberId: string;
      readonly value: TargetAssignmentMemberValue | null;
    };

const SHARE_GROUP_RECORD_TYPES: ReadonlySet<string> = new Set<ShareGroupRecord['type']>([
  'ShareGroupMetadata',
  'ShareGroupMember',
  'ShareGroupTargetMember',
]);

export function isShareGroupRecord(record: GroupRecord): record is ShareGroupRecord {
  return SHARE_GROUP_RECORD_TYPES.has(record.type);
}

export type GroupRecordType = GroupRecord['type'];

const RECORD_VERSION = 1;
/** GroupEpoch values carry a metadata hash from version 2 on (version 1: topicPartitionCounts). */
const GROUP_EPOCH_VERSION = 2;

export function recordKey(record: GroupRecord): Buffer {
  // Same bytes as JSON.stringify([...]) of the fields; built by hand as keys are written on every heartbeat.
  const prefix = `[${JSON.stringify(record.type)},${JSON.stringify(record.groupId)}`;
  switch (record.type) {
    case 'GroupEpoch':
    case 'TargetAssignmentEpoch':
    case 'ShareGroupMetadata':
      return Buffer.from(`${prefix}]`);
    case 'MemberSubscription':
    case 'TargetAssignmentMember':
    case 'CurrentAssignment':
    case 'ShareGroupMember':
    case 'ShareGroupTargetMember':
      return Buffer.from(`${prefix},${JSON.stringify(record.memberId)}]`);
    case 'OffsetCommit':
      return Buffer.from(`${prefix},${JSON.stringify(record.topic)},${JSON.stringify(record.partition)}]`);
  }
}

/**
 * JSON of subscribed-name lists. Members with the same subscription share one list (the shard
 * interns them), so the names are serialized once per list rather than on every join.
 */
const namesJson = new WeakMap<readonly string[], string>();

export function recordValue(record: GroupRecord): Buffer | null {
  if (record.value === null) return null;
  switch (record.type) {
    case 'GroupEpoch':
      return Buffer.from(
        `{"v":${GROUP_EPOCH_VERSION},"epoch":${JSON.stringify(record.value.epoch)},"metadataHash":${JSON.stringify(record.value.metadataHash)}}`,
      );
    case 'MemberSubscription': {
      const value = record.value;
      let names = namesJson.get(value.subscribedTopicNames);
      if (names === undefined)
        namesJson.set(value.subscribedTopicNames, (names = JSON.stringify(value.subscribedTopicNames)));
      // Same bytes as JSON.stringify({ v, ...value }) for a value built in this field order.
      return Buffer.from(
        `{"v":${RECORD_VERSION},"instanceId":${JSON.stringify(value.instanceId)},"rackId":${JSON.stringify(value.rackId)},"clientId":${JSON.stringify(value.clientId)},` +
          `"subscribedTopicNames":${names},"subscribedTopicRegex":${JSON.stringify(value.subscribedTopicRegex)},"serverAssignor":${JSON.stringify(value.serverAssignor)},` +
          `"rebalanceTimeoutMs":${JSON.stringify(value.rebalanceTimeoutMs)}}`,
      );
    }
    // The records every heartbeat of a rebalance writes; same bytes as JSON.stringify({ v, ...value }).
    case 'TargetAssignmentMember':
      return Buffer.from(`{"v":${RECORD_VERSION},"partitions":${partitionListJson(record.value.partitions)}}`);
    case 'CurrentAssignment': {
      const value = record.value;
      return Buffer.from(
        `{"v":${RECORD_VERSION},"memberEpoch":${JSON.stringify(value.memberEpoch)},"previousMemberEpoch":${JSON.stringify(value.previousMemberEpoch)},"state":${JSON.stringify(value.state)},` +
          `"assigned":${partitionListJson(value.assigned)},"pendingRevocation":${partitionListJson(value.pendingRevocation)}}`,
      );
    }
    default:
      return Buffer.from(JSON.stringify({ v: RECORD_VERSION, ...record.value }));
  }
}

/** JSON.stringify(list) for a partition list, without the generic walk over its objects. */
function partitionListJson(list: readonly PartitionList[]): string {
  if (list.length === 0) return '[]';
  let json = '[';
  for (let i = 0; i < list.length; i++) {
    const entry = list[i]!;
    // Partition numbers are integers: join writes them as JSON does.
    json += `${i === 0 ? '' : ','}{"topic":${JSON.stringify(entry.topic)},"partitions":[${entry.partitions.join(',')}]}`;
  }
  return `${json}]`;
}

/** A GroupEpoch value as read: version 2 as written, version 1 with its counts map turned into the hash. */
function groupEpochValue(parsed: Record<string, unknown>, text: () => string): GroupEpochValue {
  if (typeof parsed.epoch !== 'number' || !Number.isSafeInteger(parsed.epoch))
    throw new ApiError('INVALID_RECORD', `GroupEpoch value has no epoch: ${text()}`);
  if (parsed.v === GROUP_EPOCH_VERSION) {
    if (typeof parsed.metadataHash !== 'number' || !Number.isSafeInteger(parsed.metadataHash))
      throw new ApiError('INVALID_RECORD', `GroupEpoch value has no metadata hash: ${text()}`);
    return { epoch: parsed.epoch, metadataHash: parsed.metadataHash };
  }
  const counts = parsed.topicPartitionCounts;
  if (
    typeof counts !== 'object' ||
    counts === null ||
    Object.values(counts).some((count) => typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0)
  ) {
    throw new ApiError('INVALID_RECORD', `GroupEpoch version 1 value has no topic partition counts: ${text()}`);
  }
  return { epoch: parsed.epoch, metadataHash: topicsMetadataHash(Object.entries(counts as Record<string, number>)) };
}

/** Parses a record read back from the topic; a malformed one is INVALID_RECORD naming what is wrong. */
export function decodeGroupRecord(key: Buffer | null, value: Buffer | null): GroupRecord {
  if (key === null) throw new ApiError('INVALID_RECORD', 'a __consumer_offsets record has no key');
  let parsedKey: unknown;
  let parsedValue: Record<string, unknown> | null = null;
  try {
    parsedKey = JSON.parse(key.toString('utf8'));
    if (value !== null) parsedValue = JSON.parse(value.toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new ApiError('INVALID_RECORD', `a __consumer_offsets record is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsedKey) || typeof parsedKey[0] !== 'string' || typeof parsedKey[1] !== 'string') {
    throw new ApiError('INVALID_RECORD', `bad __consumer_offsets key ${key.toString('utf8').slice(0, 200)}`);
  }
  const groupEpoch = Array.isArray(parsedKey) && parsedKey[0] === 'GroupEpoch';
  const versionKnown = (v: unknown): boolean => v === RECORD_VERSION || (groupEpoch && v === GROUP_EPOCH_VERSION);
  if (parsedValue !== null && (typeof parsedValue !== 'object' || !versionKnown(parsedValue.v))) {
    throw new ApiError(
      'INVALID_RECORD',
      `unsupported __consumer_offsets value version in ${value!.toString('utf8').slice(0, 200)}`,
    );
  }
  const [type, groupId] = parsedKey as [string, string, ...unknown[]];
  const field = (index: number): string => {
    const item: unknown = parsedKey[index];
    if (typeof item !== 'string') throw new ApiError('INVALID_RECORD', `key field ${index} of ${type} is not a string`);
    return item;
  };
  // Values are trusted to match their type once the version matches: we wrote them.
  let v = null as never;
  if (parsedValue !== null) {
    const { v: _version, ...rest } = parsedValue;
    v = rest as never;
  }
  switch (type) {
    case 'GroupEpoch':
      return {
        type,
        groupId,
        value: parsedValue === null ? null : groupEpochValue(parsedValue, () => value!.toString('utf8').slice(0, 200)),
      };
    case 'TargetAssignmentEpoch':
    case 'ShareGroupMetadata':
      return { type, groupId, value: v };
    case 'MemberSubscription':
    case 'TargetAssignmentMember':
    case 'CurrentAssignment':
    case 'ShareGroupMember':
    case 'ShareGroupTargetMember':
      return { type, groupId, memberId: field(2), value: v };
    case 'OffsetCommit': {
      const partition: unknown = parsedKey[3];
      if (typeof partition !== 'number' || !Number.isInteger(partition))
        throw new ApiError('INVALID_RECORD', 'OffsetCommit key has no partition number');
      return { type, groupId, topic: field(2), partition, value: v };
    }
    default:
      throw new ApiError('INVALID_RECORD', `unknown __consumer_offsets record type ${JSON.stringify(type)}`);
  }
}
