/**
 * AlterPartition: a partition leader shrinks or expands its ISR (Kafka's
 * ReplicationControlManager.alterPartition). Fenced by broker epoch, leader epoch and
 * partition epoch, so a deposed leader or a stale request can never rewrite the ISR.
 *
 * Kafka answers a stale partition epoch with INVALID_UPDATE_VERSION, which our error table does
 * not have; we answer INVALID_REQUEST with `detail.kafkaError = 'INVALID_UPDATE_VERSION'` (and
 * the current epoch), so a leader can tell it apart and wait for newer metadata.
 */
import type { PartitionChangeRecord } from '@sluice/metadata';
import { ApiError } from '@sluice/protocol';
import { assert } from './assert';
import { registeredBroker } from './cluster-control';
import { isEligibleBroker, type CoreContext } from './context';
import { brokersWithLostReplicas, minInsyncReplicasOf, nextEligibleLeaderReplicas } from './eligible-leaders';
import { reassignmentCompletion } from './partition-reassignment';
import type { ControllerResult } from './result';

export interface AlterPartitionRequest {
  readonly brokerId: number;
  readonly brokerEpoch: number;
  readonly topicId: string;
  readonly partitionId: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly newIsr: readonly number[];
}

/** The partition state once the returned records are applied. */
export interface AlterPartitionResponse {
  readonly topicId: string;
  readonly partitionId: number;
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  readonly isr: readonly number[];
}

export function alterPartition(
  ctx: CoreContext,
  request: AlterPartitionRequest,
): ControllerResult<AlterPartitionResponse> {
  const { brokerId, topicId, partitionId } = request;
  registeredBroker(ctx, brokerId, request.brokerEpoch);
  const topic = ctx.image.topics.topicById(topicId);
  if (topic === undefined) throw new ApiError('UNKNOWN_TOPIC_ID', `topic id ${topicId} does not exist`);
  const current = topic.partitions.getPlain(partitionId);
  if (current === undefined)
    throw new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `partition ${topic.name}-${partitionId} does not exist`);
  const where = `${topic.name}-${partitionId}`;
  if (request.leaderEpoch !== current.leaderEpoch) {
    throw new ApiError(
      'FENCED_LEADER_EPOCH',
      `${where}: leader epoch ${request.leaderEpoch} does not match the current ${current.leaderEpoch}`,
    );
  }
  if (current.leader !== brokerId) {
    throw new ApiError(
      'NOT_LEADER_OR_FOLLOWER',
      `${where}: broker ${brokerId} is not the leader (leader is ${current.leader})`,
    );
  }
  if (request.partitionEpoch !== current.partitionEpoch) {
    throw new ApiError(
      'INVALID_REQUEST',
      `${where}: partition epoch ${request.partitionEpoch} does not match the current ${current.partitionEpoch} (INVALID_UPDATE_VERSION)`,
      { kafkaError: 'INVALID_UPDATE_VERSION', partitionEpoch: String(current.partitionEpoch) },
    );
  }
  const { newIsr } = request;
  if (newIsr.length === 0) throw new ApiError('INVALID_REQUEST', `${where}: the new ISR is empty`);
  if (new Set(newIsr).size !== newIsr.length)
    throw new ApiError('INVALID_REQUEST', `${where}: the new ISR ${newIsr.join(',')} lists a broker twice`);
  for (const id of newIsr) {
    if (!current.replicas.includes(id))
      throw new ApiError(
        'INVALID_REQUEST',
        `${where}: ISR member ${id} is not a replica (replicas ${current.replicas.join(',')})`,
      );
  }
  if (!newIsr.includes(brokerId))
    throw new ApiError('INVALID_REQUEST', `${where}: the new ISR must contain the leader ${brokerId}`);
  const ineligible = newIsr.filter((id) => !isEligibleBroker(ctx, id));
  if (ineligible.length > 0) {
    throw new ApiError(
      'INELIGIBLE_REPLICA',
      `${where}: broker${ineligible.length === 1 ? '' : 's'} ${ineligible.join(',')} fenced or shutting down cannot join the ISR`,
    );
  }
  const unchanged = newIsr.length === current.isr.length && newIsr.every((id, i) => current.isr[i] === id);
  const isr = [...newIsr];
  // KIP-966: who leaves an ISR that is then below min.insync.replicas keeps every acknowledged
  // record (nothing more is acknowledged until it is back), so it stays eligible in the ELR.
  const minInsync = minInsyncReplicasOf(ctx.image, topic.name, current.replicas.length, ctx.settings.minInsyncReplicas);
  const elr = nextEligibleLeaderReplicas(
    current.isr,
    current.eligibleLeaderReplicas,
    isr,
    minInsync,
    brokersWithLostReplicas(ctx.image),
  );
  const elrChanged =
    elr.length !== current.eligibleLeaderReplicas.length ||
    elr.some((id, i) => current.eligibleLeaderReplicas[i] !== id);
  const records: PartitionChangeRecord[] =
    unchanged && !elrChanged
      ? []
      : [
          {
            type: 'PartitionChange',
            topicId,
            partitionId,
            ...(unchanged ? {} : { isr }),
            ...(elrChanged ? { eligibleLeaderReplicas: elr } : {}),
          },
        ];
  assert(isr.includes(current.leader), `${where}: leader left the ISR`);
  // A reassignment completes in the same batch as the ISR change that brings its last target
  // replica in sync (Kafka's maybeCompleteReassignment), so no other change can come between.
  const completion = reassignmentCompletion(ctx, topicId, partitionId, {
    ...current,
    isr,
    eligibleLeaderReplicas: elr,
  });
  if (completion !== null) records.push(completion);
  const leader = completion?.leader ?? current.leader;
  const finalIsr = completion?.isr ?? isr;
  return {
    records,
    response: {
      topicId,
      partitionId,
      leader,
      leaderEpoch: current.leaderEpoch + (completion?.leader !== undefined ? 1 : 0),
      partitionEpoch: current.partitionEpoch + records.length,
      isr: finalIsr,
    },
    summary:
      (unchanged
        ? `alterPartition ${where}: ISR unchanged (${isr.join(',')})`
        : `alterPartition ${where}: ISR ${current.isr.join(',')} -> ${isr.join(',')} by leader ${brokerId}`) +
      (completion === null
        ? ''
        : `; reassignment complete: replicas ${(completion.replicas ?? current.replicas).join(',')}, leader ${leader}`),
  };
}
