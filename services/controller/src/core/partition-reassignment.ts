/**
 * Partition reassignment on Kafka's AlterPartitionReassignments model (KIP-455), as
 * ReplicationControlManager and PartitionReassignmentReplicas do it:
 *
 * - Starting one sets the replica set to target + original (the union, target first), with
 *   `addingReplicas` = target - original and `removingReplicas` = original - target recorded in
 *   the partition. The ISR is untouched: adding replicas start as followers (the brokers see
 *   themselves in the replica set through the metadata delta), catch up, and the leader adds
 *   them to the ISR through the ordinary AlterPartition path.
 * - Once every target replica is in the ISR the controller completes it, in the same batch as
 *   the AlterPartition that made it so: replicas = target, the ISR loses the removed replicas,
 *   the leader moves to the first target replica when it is being removed, and adding/removing
 *   are cleared. A reassignment whose target is already in the ISR completes at once.
 * - A new target replaces one in progress (the original replicas are replicas - adding); a null
 *   target cancels, reverting to the original replicas.
 *
 * The original replicas are never dropped before the target is in sync, so min.insync.replicas
 * and acks=all hold throughout.
 */
import { NO_LEADER, type PartitionChangeRecord, type PlainPartition, type TopicImage } from '@sluice/metadata';
import { ApiError } from '@sluice/protocol';
import { assert } from './assert';
import { isEligibleBroker, type CoreContext } from './context';
import { MAX_REPLICATION_FACTOR, MAX_REQUEST_ENTRIES } from './limits';
import type { ControllerResult } from './result';

export interface PartitionReassignmentRequest {
  readonly topic: string;
  readonly partitionId: number;
  /** The replicas wanted, preferred leader first; null cancels the reassignment in progress. */
  readonly targetReplicas: readonly number[] | null;
}

export interface PartitionReassignmentResult {
  readonly topic: string;
  readonly partitionId: number;
  readonly error?: ApiError;
}

export interface AlterPartitionReassignmentsResponse {
  readonly results: readonly PartitionReassignmentResult[];
}

export interface OngoingReassignment {
  readonly topic: string;
  readonly partitionId: number;
  /** The whole replica set now: target and original together. */
  readonly replicas: readonly number[];
  readonly addingReplicas: readonly number[];
  readonly removingReplicas: readonly number[];
}

/** The partition fields a reassignment decides on. */
type Fields = Pick<
  PlainPartition,
  'replicas' | 'isr' | 'leader' | 'eligibleLeaderReplicas' | 'addingReplicas' | 'removingReplicas'
>;

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => b[i] === id);
}

/** The replica set before the reassignment in progress (Kafka: replicas minus adding). */
function originalReplicas(current: Fields): number[] {
  return current.replicas.filter((id) => !current.addingReplicas.includes(id));
}

/** Why a target is refused, or undefined when it is acceptable. */
function targetProblem(ctx: CoreContext, target: readonly number[]): string | undefined {
  if (target.length === 0) return 'the target replica list is empty';
  if (target.length > MAX_REPLICATION_FACTOR)
    return `${target.length} target replicas exceed the limit of ${MAX_REPLICATION_FACTOR}`;
  for (const id of target) if (!Number.isSafeInteger(id) || id < 0) return `broker id ${id} is not valid`;
  if (new Set(target).size !== target.length) return `the target ${target.join(',')} lists a broker twice`;
  const unknown = target.filter((id) => ctx.image.cluster.broker(id) === undefined);
  if (unknown.length > 0) return `broker${unknown.length === 1 ? '' : 's'} ${unknown.join(',')} not registered`;
  return undefined;
}

/**
 * The state once a reassignment is complete, if every target replica is in the ISR and one of
 * them can lead; else undefined (it stays in progress).
 */
function completed(ctx: CoreContext, state: Fields): Fields | undefined {
  if (state.addingReplicas.length === 0 && state.removingReplicas.length === 0) return undefined;
  const target = state.replicas.filter((id) => !state.removingReplicas.includes(id));
  if (!target.every((id) => state.isr.includes(id))) return undefined;
  let leader = state.leader;
  if (!target.includes(leader)) {
    // The leader is being removed: hand over to the first target replica that may lead (all
    // of them are in the ISR, so it holds every acknowledged record).
    const next = target.find((id) => isEligibleBroker(ctx, id));
    if (next === undefined) return undefined;
    leader = next;
  }
  return {
    replicas: target,
    isr: state.isr.filter((id) => target.includes(id)),
    leader,
    // The ISR now holds the whole replica set, so no one is eligible beyond it (KIP-966).
    eligibleLeaderReplicas: [],
    addingReplicas: [],
    removingReplicas: [],
  };
}

/** One PartitionChange taking `current` to `next`, or null when nothing differs. */
function changeRecord(
  topicId: string,
  partitionId: number,
  current: Fields,
  next: Fields,
): PartitionChangeRecord | null {
  const replicasChanged = !sameList(current.replicas, next.replicas);
  const isrChanged = !sameList(current.isr, next.isr);
  const leaderChanged = current.leader !== next.leader;
  const elrChanged = !sameList(current.eligibleLeaderReplicas, next.eligibleLeaderReplicas);
  const reassignmentChanged =
    !sameList(current.addingReplicas, next.addingReplicas) ||
    !sameList(current.removingReplicas, next.removingReplicas);
  if (!replicasChanged && !isrChanged && !leaderChanged && !elrChanged && !reassignmentChanged) return null;
  return {
    type: 'PartitionChange',
    topicId,
    partitionId,
    ...(replicasChanged ? { replicas: next.replicas } : {}),
    ...(isrChanged ? { isr: next.isr } : {}),
    ...(leaderChanged ? { leader: next.leader } : {}),
    ...(elrChanged ? { eligibleLeaderReplicas: next.eligibleLeaderReplicas } : {}),
    ...(reassignmentChanged ? { addingReplicas: next.addingReplicas, removingReplicas: next.removingReplicas } : {}),
  };
}

/**
 * The record completing the partition's reassignment now that its ISR is `isr` (after an
 * AlterPartition), or null when it is not complete (or none is in progress).
 */
export function reassignmentCompletion(
  ctx: CoreContext,
  topicId: string,
  partitionId: number,
  state: Fields,
): PartitionChangeRecord | null {
  const next = completed(ctx, state);
  return next === undefined ? null : changeRecord(topicId, partitionId, state, next);
}

function reassignOne(
  ctx: CoreContext,
  topic: TopicImage,
  request: PartitionReassignmentRequest,
): PartitionChangeRecord | null {
  const where = `${topic.name}-${request.partitionId}`;
  const current = topic.partitions.getPlain(request.partitionId);
  if (current === undefined) throw new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `partition ${where} does not exist`);
  const reassigning = current.addingReplicas.length > 0 || current.removingReplicas.length > 0;
  const original = originalReplicas(current);
  let target = request.targetReplicas;
  if (target === null) {
    if (!reassigning)
      throw new ApiError('NO_REASSIGNMENT_IN_PROGRESS', `${where} has no reassignment in progress to cancel`);
    target = original;
  } else {
    const problem = targetProblem(ctx, target);
    if (problem !== undefined) throw new ApiError('INVALID_REPLICA_ASSIGNMENT', `${where}: ${problem}`);
  }
  const adding = target.filter((id) => !original.includes(id));
  const removing = original.filter((id) => !target.includes(id));
  const replicas = [...target, ...removing];
  const isr = current.isr.filter((id) => replicas.includes(id));
  if (isr.length === 0) {
    // Only replicas this change drops were in sync (a cancel after every original replica fell
    // out): refuse rather than leave the partition with nobody in sync.
    throw new ApiError(
      'INVALID_REPLICA_ASSIGNMENT',
      `${where}: no replica of ${replicas.join(',')} is in the ISR ${current.isr.join(',')}`,
    );
  }
  const leader = isr.includes(current.leader) ? current.leader : NO_LEADER;
  const started: Fields = {
    replicas,
    isr,
    leader,
    eligibleLeaderReplicas: current.eligibleLeaderReplicas.filter((id) => replicas.includes(id)),
    addingReplicas: adding,
    removingReplicas: removing,
  };
  // Nothing added or removed (a reordering, or a cancel of a move not yet begun) is done at
  // once, as is a move whose target is already in sync; the rest wait for the ISR.
  const next = completed(ctx, started) ?? started;
  if (next.leader === NO_LEADER && current.leader !== NO_LEADER) {
    throw new ApiError(
      'INVALID_REPLICA_ASSIGNMENT',
      `${where}: the leader ${current.leader} would leave and no target replica may take over`,
    );
  }
  return changeRecord(topic.topicId, request.partitionId, current, next);
}

export function alterPartitionReassignments(
  ctx: CoreContext,
  requests: readonly PartitionReassignmentRequest[],
): ControllerResult<AlterPartitionReassignmentsResponse> {
  if (requests.length > MAX_REQUEST_ENTRIES) {
    throw new ApiError(
      'INVALID_REQUEST',
      `${requests.length} partitions in one request exceed the limit of ${MAX_REQUEST_ENTRIES}`,
    );
  }
  const seen = new Set<string>();
  for (const { topic, partitionId } of requests) {
    const key = `${topic}\u0000${partitionId}`;
    if (seen.has(key)) throw new ApiError('INVALID_REQUEST', `partition ${topic}-${partitionId} is listed twice`);
    seen.add(key);
  }
  const records: PartitionChangeRecord[] = [];
  const results: PartitionReassignmentResult[] = [];
  for (const request of requests) {
    const base = { topic: request.topic, partitionId: request.partitionId };
    const topic = ctx.image.topics.topicByName(request.topic);
    try {
      if (topic === undefined)
        throw new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `topic ${JSON.stringify(request.topic)} does not exist`);
      const record = reassignOne(ctx, topic, request);
      if (record !== null) records.push(record);
      results.push(base);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      results.push({ ...base, error });
    }
  }
  assert(records.length <= requests.length, 'at most one record per partition');
  const done = results.filter((r) => r.error === undefined);
  const described = (r: PartitionReassignmentRequest): string =>
    `${r.topic}-${r.partitionId}->${r.targetReplicas === null ? 'cancel' : r.targetReplicas.join(',')}`;
  const accepted = requests.filter((_, i) => results[i]?.error === undefined);
  return {
    records,
    response: { results },
    summary:
      `alterPartitionReassignments: ${done.length} accepted` +
      (accepted.length > 0
        ? ` (${accepted.slice(0, 10).map(described).join(', ')}${accepted.length > 10 ? ', ...' : ''})`
        : '') +
      `, ${results.length - done.length} refused`,
  };
}

/** Reassignments in progress, for the named partitions (those without one are left out) or all. */
export function listPartitionReassignments(
  ctx: Pick<CoreContext, 'image'>,
  partitions?: readonly { readonly topic: string; readonly partitionId: number }[],
): OngoingReassignment[] {
  const out: OngoingReassignment[] = [];
  const describe = (topic: TopicImage, partitionId: number): void => {
    if (!topic.partitions.isReassigning(partitionId)) return;
    const p = topic.partitions.getPlain(partitionId) as PlainPartition;
    out.push({
      topic: topic.name,
      partitionId,
      replicas: p.replicas,
      addingReplicas: p.addingReplicas,
      removingReplicas: p.removingReplicas,
    });
  };
  if (partitions === undefined) {
    for (const topic of ctx.image.topics.sortedTopics())
      for (let partitionId = 0; partitionId < topic.partitionCount; partitionId++) describe(topic, partitionId);
    return out;
  }
  if (partitions.length > MAX_REQUEST_ENTRIES) {
    throw new ApiError(
      'INVALID_REQUEST',
      `${partitions.length} partitions in one request exceed the limit of ${MAX_REQUEST_ENTRIES}`,
    );
  }
  for (const { topic: name, partitionId } of partitions) {
    const topic = ctx.image.topics.topicByName(name);
    if (topic !== undefined) describe(topic, partitionId);
  }
  return out;
}
