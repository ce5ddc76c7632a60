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
import type { MemberState } from './reconciliation';

export interface PartitionList {
  readonly topic: string;
  readonly partitions: readonly number[];
}

export interface GroupEpochValue {
  readonly epoch: number;
  /** Partition counts of the subscribed topics the last target assignment used. */
  readonly topicPartitionCounts: Readonly<Record<string, number>>;
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
  | { readonly type: 'MemberSubscription'; readonly groupId: string; readonly memberId: string; readonly value: MemberSubscriptionValue | null }
  | { readonly type: 'TargetAssignmentEpoch'; readonly groupId: string; readonly value: TargetAssignmentEpochValue | null }
  | { readonly type: 'TargetAssignmentMember'; readonly groupId: string; readonly memberId: string; readonly value: TargetAssignmentMemberValue | null }
  | { readonly type: 'CurrentAssignment'; readonly groupId: string; readonly memberId: string; readonly value: CurrentAssignmentValue | null }
  | { readonly type: 'OffsetCommit'; readonly groupId: string; readonly topic: string; readonly partition: number; readonly value: OffsetCommitValue | null }
  | ShareGroupRecord;

export type ShareGroupRecord =
  | { readonly type: 'ShareGroupMetadata'; readonly groupId: string; readonly value: ShareGroupMetadataValue | null }
  | { readonly type: 'ShareGroupMember'; readonly groupId: string; readonly memberId: string; readonly value: ShareGroupMemberValue | null }
  | { readonly type: 'ShareGroupTargetMember'; readonly groupId: string; readonly memberId: string; readonly value: TargetAssignmentMemberValue | null };

const SHARE_GROUP_RECORD_TYPES: ReadonlySet<string> = new Set<ShareGroupRecord['type']>(['ShareGroupMetadata', 'ShareGroupMember', 'ShareGroupTargetMember']);

export function isShareGroupRecord(record: GroupRecord): record is ShareGroupRecord {
  return SHARE_GROUP_RECORD_TYPES.has(record.type);
}

export type GroupRecordType = GroupRecord['type'];

const RECORD_VERSION = 1;

export function recordKey(record: GroupRecord): Buffer {
  switch (record.type) {
    case 'GroupEpoch':
    case 'TargetAssignmentEpoch':
    case 'ShareGroupMetadata':
      return Buffer.from(JSON.stringify([record.type, record.groupId]));
    case 'MemberSubscription':
    case 'TargetAssignmentMember':
    case 'CurrentAssignment':
    case 'ShareGroupMember':
    case 'ShareGroupTargetMember':
      return Buffer.from(JSON.stringify([record.type, record.groupId, record.memberId]));
    case 'OffsetCommit':
      return Buffer.from(JSON.stringify([record.type, record.groupId, record.topic, record.partition]));
  }
}

/**
 * JSON of topicPartitionCounts objects. Every GroupEpoch record of a group shares one counts
 * object while the subscribed topics and their partition counts stay the same (a join bumps the
 * epoch but not the counts), so each is serialized once rather than on every join.
 */
const countsJson = new WeakMap<Readonly<Record<string, number>>, string>();

export function recordValue(record: GroupRecord): Buffer | null {
  if (record.value === null) return null;
  if (record.type === 'GroupEpoch') {
    const counts = record.value.topicPartitionCounts;
    let json = countsJson.get(counts);
    if (json === undefined) countsJson.set(counts, (json = JSON.stringify(counts)));
    // Same bytes as JSON.stringify({ v, ...value }) for a value built as { epoch, topicPartitionCounts }.
    return Buffer.from(`{"v":${RECORD_VERSION},"epoch":${JSON.stringify(record.value.epoch)},"topicPartitionCounts":${json}}`);
  }
  return Buffer.from(JSON.stringify({ v: RECORD_VERSION, ...record.value }));
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
  if (parsedValue !== null && (typeof parsedValue !== 'object' || parsedValue.v !== RECORD_VERSION)) {
    throw new ApiError('INVALID_RECORD', `unsupported __consumer_offsets value version in ${value!.toString('utf8').slice(0, 200)}`);
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
      if (typeof partition !== 'number' || !Number.isInteger(partition)) throw new ApiError('INVALID_RECORD', 'OffsetCommit key has no partition number');
      return { type, groupId, topic: field(2), partition, value: v };
    }
    default:
      throw new ApiError('INVALID_RECORD', `unknown __consumer_offsets record type ${JSON.stringify(type)}`);
  }
}
