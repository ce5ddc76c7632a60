/** CreatePartitions: grow a topic to a new total, placing the new partitions like new topics. */
import type { PartitionRecord } from '@sluice/metadata';
import { ApiError } from '@sluice/protocol';
import { assert } from './assert';
import { checkManualAssignments, newPartitionRecord } from './assignments';
import { usableBrokers, type CoreContext } from './context';
import { MAX_RECORDS_PER_USER_OP } from './limits';
import { placeReplicas } from './replica-placer';
import type { ControllerResult } from './result';

export interface CreatePartitionsRequest {
  readonly topic: string;
  /** The new total number of partitions. */
  readonly count: number;
  /** Replica lists of the new partitions only, in partition order. */
  readonly assignments?: readonly (readonly number[])[];
  readonly validateOnly?: boolean;
}

export interface CreatePartitionsResponse {
  readonly topic: string;
  readonly topicId: string;
  readonly previousCount: number;
  readonly count: number;
  readonly assignments: readonly (readonly number[])[];
  readonly validateOnly: boolean;
}

export function createPartitions(
  ctx: CoreContext,
  request: CreatePartitionsRequest,
): ControllerResult<CreatePartitionsResponse> {
  const topic = ctx.image.topics.topicByName(request.topic);
  if (topic === undefined)
    throw new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${JSON.stringify(request.topic)} does not exist`);
  const previousCount = topic.partitionCount;
  const { count } = request;
  if (!Number.isSafeInteger(count))
    throw new ApiError('INVALID_PARTITIONS', `partition count ${count} is not an integer`);
  if (count < previousCount) {
    throw new ApiError(
      'INVALID_PARTITIONS',
      `topic ${topic.name} has ${previousCount} partitions, more than the requested ${count}; partitions cannot be removed`,
    );
  }
  if (count === previousCount)
    throw new ApiError('INVALID_PARTITIONS', `topic ${topic.name} already has ${count} partitions`);
  const added = count - previousCount;
  if (added >= MAX_RECORDS_PER_USER_OP) {
    throw new ApiError(
      'POLICY_VIOLATION',
      `unable to perform excessively large batch operation: ${added} new partitions`,
    );
  }
  const first = topic.partitions.getPlain(0);
  assert(first !== undefined, `topic ${topic.name} has no partition 0`);
  // Kafka takes the replication factor from the existing partitions.
  const replicationFactor = first.replicas.length;
  let replicaLists: number[][];
  if (request.assignments !== undefined) {
    if (request.assignments.length !== added) {
      throw new ApiError(
        'INVALID_REPLICA_ASSIGNMENT',
        `${request.assignments.length} assignments given for ${added} new partitions`,
      );
    }
    const given = checkManualAssignments(ctx.image, request.assignments);
    if (given !== replicationFactor) {
      throw new ApiError(
        'INVALID_REPLICA_ASSIGNMENT',
        `the assignment has ${given} replicas per partition, the topic has ${replicationFactor}`,
      );
    }
    replicaLists = request.assignments.map((replicas) => [...replicas]);
  } else {
    replicaLists = placeReplicas({
      brokers: usableBrokers(ctx),
      numPartitions: added,
      replicationFactor,
      rng: ctx.rng,
    });
  }
  const partitionRecords: PartitionRecord[] = replicaLists.map((replicas, i) =>
    newPartitionRecord(ctx, topic.topicId, previousCount + i, replicas),
  );
  const validateOnly = request.validateOnly ?? false;
  return {
    records: validateOnly ? [] : partitionRecords,
    response: {
      topic: topic.name,
      topicId: topic.topicId,
      previousCount,
      count,
      assignments: replicaLists,
      validateOnly,
    },
    summary: `${validateOnly ? 'validated ' : ''}createPartitions ${topic.name}: ${previousCount} -> ${count} partitions`,
  };
}
