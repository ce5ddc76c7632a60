/**
 * Manual replica assignments (createTopics / createPartitions with explicit replica lists),
 * checked as Kafka's ReplicationControlManager does.
 */
import { type MetadataImage, type PartitionRecord } from '@sluice/metadata';
import { ApiError } from '@sluice/protocol';
import { isEligibleBroker, type CoreContext } from './context';
import { MAX_REPLICATION_FACTOR } from './limits';

/** Checks replica lists: non-empty, same length, distinct, registered brokers. Returns the replication factor. */
export function checkManualAssignments(image: MetadataImage, assignments: readonly (readonly number[])[]): number {
  if (assignments.length === 0)
    throw new ApiError('INVALID_REPLICA_ASSIGNMENT', 'the replica assignment names no partitions');
  const replicationFactor = assignments[0]?.length ?? 0;
  assignments.forEach((replicas, partitionIndex) => {
    if (replicas.length === 0)
      throw new ApiError('INVALID_REPLICA_ASSIGNMENT', `partition ${partitionIndex} has an empty replica list`);
    if (replicas.length > MAX_REPLICATION_FACTOR) {
      throw new ApiError(
        'INVALID_REPLICA_ASSIGNMENT',
        `partition ${partitionIndex} lists ${replicas.length} replicas, more than ${MAX_REPLICATION_FACTOR}`,
      );
    }
    if (replicas.length !== replicationFactor) {
      throw new ApiError(
        'INVALID_REPLICA_ASSIGNMENT',
        'all partitions in a manual assignment must have the same number of replicas',
      );
    }
    if (new Set(replicas).size !== replicas.length) {
      throw new ApiError(
        'INVALID_REPLICA_ASSIGNMENT',
        `partition ${partitionIndex} lists a broker twice: ${replicas.join(',')}`,
      );
    }
    for (const brokerId of replicas) {
      if (!Number.isInteger(brokerId) || image.cluster.broker(brokerId) === undefined) {
        throw new ApiError(
          'INVALID_REPLICA_ASSIGNMENT',
          `partition ${partitionIndex} names broker ${brokerId}, which is not registered`,
        );
      }
    }
  });
  return replicationFactor;
}

/**
 * A new partition's record: the ISR is the eligible replicas in replica order and the leader
 * its first member. Placed replicas are all eligible; manual ones may not be, and a partition
 * with no eligible replica at all is refused.
 */
export function newPartitionRecord(
  ctx: CoreContext,
  topicId: string,
  partitionId: number,
  replicas: readonly number[],
): PartitionRecord {
  const isr = replicas.filter((brokerId) => isEligibleBroker(ctx, brokerId));
  const leader = isr[0];
  if (leader === undefined) {
    throw new ApiError(
      'INVALID_REPLICA_ASSIGNMENT',
      `all brokers in the assignment of partition ${partitionId} (${replicas.join(',')}) are fenced or shutting down`,
    );
  }
  return {
    type: 'Partition',
    topicId,
    partitionId,
    replicas: [...replicas],
    isr,
    leader,
    leaderEpoch: 0,
    partitionEpoch: 0,
  };
}
