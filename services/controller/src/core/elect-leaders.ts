/**
 * ElectLeaders (preferred or unclean), per partition, as Kafka's ReplicationControlManager.electLeaders.
 * An unclean election still takes an eligible ELR member first (KIP-966: no data lost), and
 * only then any eligible replica.
 */
import { NO_LEADER, type PartitionChangeRecord, type TopicImage } from '@sluice/metadata';
import { ApiError } from '@sluice/protocol';
import { isEligibleBroker, type CoreContext } from './context';
import { brokersWithLostReplicas, minInsyncReplicasOf } from './eligible-leaders';
import { MAX_RECORDS_PER_USER_OP, MAX_REQUEST_ENTRIES } from './limits';
import { buildPartitionChange } from './partition-change';
import type { ControllerResult } from './result';

export interface TopicPartitionRef {
  readonly topic: string;
  readonly partitionId: number;
}

export interface ElectLeadersRequest {
  readonly type: 'preferred' | 'unclean';
  /** Omitted: every partition; then partitions needing no election are left out of the results. */
  readonly partitions?: readonly TopicPartitionRef[];
}

export interface ElectLeaderResult {
  readonly topic: string;
  readonly partitionId: number;
  /** The leader once the records apply, on success. */
  readonly leader?: number;
  readonly error?: ApiError;
}

export interface ElectLeadersResponse {
  readonly results: readonly ElectLeaderResult[];
  /** Whole-cluster elections stop at MAX_RECORDS_PER_USER_OP records; call again for the rest. */
  readonly truncated: boolean;
}

function electOne(
  ctx: CoreContext,
  type: 'preferred' | 'unclean',
  topic: TopicImage,
  partitionId: number,
): { record: PartitionChangeRecord | null; result: ElectLeaderResult } {
  const base = { topic: topic.name, partitionId };
  const current = topic.partitions.getPlain(partitionId);
  if (current === undefined) {
    return {
      record: null,
      result: {
        ...base,
        error: new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `partition ${topic.name}-${partitionId} does not exist`),
      },
    };
  }
  const isEligible = (id: number): boolean => isEligibleBroker(ctx, id);
  const where = `${topic.name}-${partitionId}`;
  const minInsyncReplicas = minInsyncReplicasOf(
    ctx.image,
    topic.name,
    current.replicas.length,
    ctx.settings.minInsyncReplicas,
  );
  const lostReplicas = brokersWithLostReplicas(ctx.image);
  if (type === 'preferred') {
    const preferred = current.replicas[0] as number;
    if (current.leader === preferred) {
      return {
        record: null,
        result: {
          ...base,
          error: new ApiError('ELECTION_NOT_NEEDED', `${where}: preferred replica ${preferred} already leads`),
        },
      };
    }
    if (!current.isr.includes(preferred) || !isEligible(preferred)) {
      return {
        record: null,
        result: {
          ...base,
          error: new ApiError(
            'PREFERRED_LEADER_NOT_AVAILABLE',
            `${where}: preferred replica ${preferred} is not an eligible ISR member`,
          ),
        },
      };
    }
    const outcome = buildPartitionChange({
      topicId: topic.topicId,
      partitionId,
      current,
      election: 'preferred',
      isEligible,
      uncleanAllowed: false,
      minInsyncReplicas,
      lostReplicas,
    });
    return { record: outcome.record, result: { ...base, leader: outcome.leader } };
  }
  if (current.leader !== NO_LEADER) {
    return {
      record: null,
      result: { ...base, error: new ApiError('ELECTION_NOT_NEEDED', `${where} already has leader ${current.leader}`) },
    };
  }
  const outcome = buildPartitionChange({
    topicId: topic.topicId,
    partitionId,
    current,
    election: 'keep',
    isEligible,
    uncleanAllowed: true,
    minInsyncReplicas,
    lostReplicas,
  });
  if (outcome.leader === NO_LEADER) {
    return {
      record: null,
      result: {
        ...base,
        error: new ApiError(
          'ELIGIBLE_LEADERS_NOT_AVAILABLE',
          `${where}: no replica of ${current.replicas.join(',')} is eligible to lead`,
        ),
      },
    };
  }
  return { record: outcome.record, result: { ...base, leader: outcome.leader } };
}

export function electLeaders(ctx: CoreContext, request: ElectLeadersRequest): ControllerResult<ElectLeadersResponse> {
  const { type } = request;
  if (type !== 'preferred' && type !== 'unclean')
    throw new ApiError('INVALID_REQUEST', `unknown election type ${JSON.stringify(type)}`);
  const records: PartitionChangeRecord[] = [];
  const results: ElectLeaderResult[] = [];
  let truncated = false;
  if (request.partitions === undefined) {
    outer: for (const topic of ctx.image.topics.sortedTopics()) {
      for (let partitionId = 0; partitionId < topic.partitionCount; partitionId++) {
        if (records.length >= MAX_RECORDS_PER_USER_OP) {
          truncated = true;
          break outer;
        }
        const { record, result } = electOne(ctx, type, topic, partitionId);
        if (result.error?.errorName === 'ELECTION_NOT_NEEDED') continue;
        if (record !== null) records.push(record);
        results.push(result);
      }
    }
  } else {
    if (request.partitions.length > MAX_REQUEST_ENTRIES) {
      throw new ApiError(
        'INVALID_REQUEST',
        `${request.partitions.length} partitions in one request exceed the limit of ${MAX_REQUEST_ENTRIES}`,
      );
    }
    const seen = new Set<string>();
    for (const { topic: name, partitionId } of request.partitions) {
      const key = `${name}\u0000${partitionId}`;
      if (seen.has(key)) continue; // Kafka takes the partitions as a set
      seen.add(key);
      const topic = ctx.image.topics.topicByName(name);
      if (topic === undefined) {
        results.push({
          topic: name,
          partitionId,
          error: new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${JSON.stringify(name)} does not exist`),
        });
        continue;
      }
      const { record, result } = electOne(ctx, type, topic, partitionId);
      if (record !== null) records.push(record);
      results.push(result);
    }
  }
  const elected = results.filter((r) => r.error === undefined);
  const summary =
    `electLeaders ${type}: ${elected.length} elected` +
    (elected.length > 0
      ? ` (${elected
          .slice(0, 10)
          .map((r) => `${r.topic}-${r.partitionId}->${r.leader}`)
          .join(', ')}${elected.length > 10 ? ', ...' : ''})`
      : '') +
    `, ${results.length - elected.length} not` +
    (truncated ? '; truncated, call again' : '');
  return { records, response: { results, truncated }, summary };
}
