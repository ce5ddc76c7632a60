/**
 * Share group (KIP-932) administration, as Kafka's Admin describes share groups: what the group
 * coordinator answers for DescribeShareGroups, and the share partitions' start offsets (SPSO)
 * read from the share coordinator's durable state (ReadShareGroupState with leader epoch -1, a
 * read-only look that fences nobody). GroupAdmin (admin-groups.ts) sends the requests; this file
 * holds the types and the pure conversions.
 */
import type { DescribedShareGroup__Output, DescribedShareMember__Output, TopicPartitions__Output } from '@sluice/proto';
import { ApiError } from '@sluice/protocol';
import type { TopicPartition } from './accumulator';
import type { ShareStatePersister } from './share-state-persister';

/** EMPTY, STABLE (or DEAD for a group that is gone). */
export type ShareGroupState = string;

export interface ShareGroupMember {
  readonly memberId: string;
  readonly rackId?: string;
  readonly clientId: string;
  readonly memberEpoch: number;
  readonly subscribedTopicNames: readonly string[];
  /** The partitions it fetches from; several members may share one partition. */
  readonly assigned: readonly TopicPartition[];
}

export interface ShareGroupDescription {
  readonly groupId: string;
  readonly state: ShareGroupState;
  readonly groupEpoch: number;
  readonly assignmentEpoch: number;
  readonly members: readonly ShareGroupMember[];
  /** GROUP_ID_NOT_FOUND for a group that is not a share group at its coordinator, ... */
  readonly error?: ApiError;
}

/** One share partition's start offset: records below it are done (acknowledged or archived). */
export interface SharePartitionOffset {
  readonly topic: string;
  readonly partition: number;
  /** null: the share partition is not initialized yet (no member has fetched from it). */
  readonly startOffset: number | null;
}

/** Most share-state reads in flight at once for one listShareGroupOffsets call. */
export const MAX_SHARE_STATE_READS_IN_FLIGHT = 16;

/** Each partition once, sorted by topic then partition. */
export function uniqueSortedPartitions(list: readonly TopicPartition[]): TopicPartition[] {
  const seen = new Map<string, TopicPartition>();
  for (const tp of list) seen.set(`${tp.topic}\u0000${tp.partition}`, { topic: tp.topic, partition: tp.partition });
  return [...seen.values()].sort((a, b) =>
    a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition,
  );
}

function partitionsOf(list: readonly TopicPartitions__Output[]): TopicPartition[] {
  return uniqueSortedPartitions(
    list.flatMap((entry) => entry.partitions.map((partition) => ({ topic: entry.topic, partition }))),
  );
}

function memberOf(m: DescribedShareMember__Output): ShareGroupMember {
  return {
    memberId: m.memberId,
    ...(m.rackId === '' ? {} : { rackId: m.rackId }),
    clientId: m.clientId,
    memberEpoch: m.memberEpoch,
    subscribedTopicNames: [...m.subscribedTopicNames],
    assigned: partitionsOf(m.assigned),
  };
}

/** A described group off the wire (its error, if any, is the caller's to attach). */
export function shareGroupDescription(wire: DescribedShareGroup__Output): ShareGroupDescription {
  return {
    groupId: wire.groupId,
    state: wire.state,
    groupEpoch: wire.groupEpoch,
    assignmentEpoch: wire.assignmentEpoch,
    members: wire.members.map(memberOf),
  };
}

/** A group with no answer but an error. */
export function deadShareGroup(groupId: string, error: ApiError): ShareGroupDescription {
  return { groupId, state: 'DEAD', groupEpoch: 0, assignmentEpoch: 0, members: [], error };
}

/** Every partition some member of the group is assigned, once each, sorted. */
export function assignedPartitions(group: Pick<ShareGroupDescription, 'members'>): TopicPartition[] {
  return uniqueSortedPartitions(group.members.flatMap((member) => member.assigned));
}

/**
 * The start offset of each of `partitions` (once each, sorted) for `groupId`, read through `persister` with
 * leader epoch -1 (read-only); at most MAX_SHARE_STATE_READS_IN_FLIGHT reads at a time. Rejects
 * with the first read's error (COORDINATOR_NOT_AVAILABLE once its retries ran out, ...).
 */
export async function readShareStartOffsets(
  persister: ShareStatePersister,
  groupId: string,
  partitions: readonly TopicPartition[],
): Promise<SharePartitionOffset[]> {
  for (const tp of partitions) {
    if (typeof tp.topic !== 'string' || tp.topic === '' || !Number.isSafeInteger(tp.partition) || tp.partition < 0) {
      throw new ApiError('INVALID_REQUEST', `${JSON.stringify(tp.topic)}-${tp.partition} is not a topic partition`);
    }
  }
  const todo = uniqueSortedPartitions(partitions);
  const results: SharePartitionOffset[] = new Array<SharePartitionOffset>(todo.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const index = next++;
      const tp = todo[index] as TopicPartition;
      const state = await persister.read({ groupId, topic: tp.topic, partition: tp.partition }, -1);
      results[index] = {
        topic: tp.topic,
        partition: tp.partition,
        startOffset: state === null ? null : state.startOffset,
      };
    }
  };
  await Promise.all(Array.from({ length: Math.min(MAX_SHARE_STATE_READS_IN_FLIGHT, todo.length) }, worker));
  return results;
}
