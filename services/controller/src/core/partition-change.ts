/**
 * Our PartitionChangeBuilder: given a partition's state, a target ISR and who may lead, decide
 * the new leader and ISR and express the difference as one PartitionChange record, merged by
 * MetadataDelta (a present `leader` bumps the leader epoch; every record bumps the partition
 * epoch). Pure; the callers decide the targets.
 */
import { NO_LEADER, type PartitionChangeRecord } from '@sluice/metadata';
import { assert } from './assert';

/** The plain-array partition state the builder reads (PlainPartition from the image fits). */
export interface PartitionStateView {
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
}

export type ElectionMode =
  /** Keep the current leader while it is in the ISR and eligible; else elect the first eligible ISR member in replica order. */
  | 'keep'
  /** Move leadership to the preferred (first) replica if it is in the ISR and eligible, else as 'keep'. */
  | 'preferred';

export interface PartitionChangeSpec {
  readonly topicId: string;
  readonly partitionId: number;
  readonly current: PartitionStateView;
  /** The ISR wanted; undefined keeps the current one. An empty target keeps the current ISR, as Kafka never writes an empty ISR. */
  readonly targetIsr?: readonly number[];
  readonly election: ElectionMode;
  /** May this broker lead or be elected: registered, unfenced and not shutting down. */
  readonly isEligible: (brokerId: number) => boolean;
  /** unclean.leader.election.enable for the topic: with no eligible ISR member, elect any eligible replica and reset the ISR to it. */
  readonly uncleanAllowed: boolean;
}

export interface PartitionChangeOutcome {
  /** null when nothing changes. */
  readonly record: PartitionChangeRecord | null;
  readonly leader: number;
  readonly isr: readonly number[];
  /** The new leader came from outside the ISR (data may be lost). */
  readonly unclean: boolean;
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function buildPartitionChange(spec: PartitionChangeSpec): PartitionChangeOutcome {
  const { current } = spec;
  const where = `${spec.topicId}:${spec.partitionId}`;
  assert(current.replicas.length > 0, () => `partition ${where} has no replicas`);
  let isr = spec.targetIsr === undefined || spec.targetIsr.length === 0 ? [...current.isr] : [...spec.targetIsr];
  for (const id of isr)
    assert(current.replicas.includes(id), () => `partition ${where}: target isr member ${id} is not a replica`);

  const canLead = (id: number): boolean => isr.includes(id) && spec.isEligible(id);
  let leader = NO_LEADER;
  let unclean = false;
  const preferred = current.replicas[0] as number;
  if (spec.election === 'preferred' && canLead(preferred)) {
    leader = preferred;
  } else if (current.leader !== NO_LEADER && canLead(current.leader)) {
    leader = current.leader;
  } else {
    leader = current.replicas.find(canLead) ?? NO_LEADER;
    if (leader === NO_LEADER && spec.uncleanAllowed) {
      const chosen = current.replicas.find((id) => spec.isEligible(id));
      if (chosen !== undefined) {
        leader = chosen;
        isr = [chosen];
        unclean = true;
      }
    }
  }
  assert(
    leader === NO_LEADER || isr.includes(leader),
    () => `partition ${where}: leader ${leader} outside isr ${isr.join(',')}`,
  );

  const isrChanged = !sameList(isr, current.isr);
  const leaderChanged = leader !== current.leader;
  if (!isrChanged && !leaderChanged) return { record: null, leader, isr, unclean };
  const record: PartitionChangeRecord = {
    type: 'PartitionChange',
    topicId: spec.topicId,
    partitionId: spec.partitionId,
    ...(isrChanged ? { isr } : {}),
    ...(leaderChanged ? { leader } : {}),
  };
  return { record, leader, isr, unclean };
}
