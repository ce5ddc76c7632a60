/**
 * Our PartitionChangeBuilder: given a partition's state, a target ISR and who may lead, decide
 * the new leader, ISR and eligible leader replicas (KIP-966, see eligible-leaders.ts) and
 * express the difference as one PartitionChange record, merged by MetadataDelta (a present
 * `leader` bumps the leader epoch; every record bumps the partition epoch). Pure; the callers
 * decide the targets.
 */
import { NO_LEADER, type PartitionChangeRecord } from '@sluice/metadata';
import { assert } from './assert';
import { nextEligibleLeaderReplicas } from './eligible-leaders';

/** The plain-array partition state the builder reads (PlainPartition from the image fits). */
export interface PartitionStateView {
  readonly replicas: readonly number[];
  readonly isr: readonly number[];
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly partitionEpoch: number;
  /** KIP-966; absent: none. */
  readonly eligibleLeaderReplicas?: readonly number[];
}

export type ElectionMode =
  /**
   * Keep the current leader while it is in the ISR and eligible; else elect the first eligible
   * ISR member in replica order, else the first eligible ELR member (the ISR becomes that one).
   */
  | 'keep'
  /** Move leadership to the preferred (first) replica if it is in the ISR and eligible, else as 'keep'. */
  | 'preferred';

export interface PartitionChangeSpec {
  readonly topicId: string;
  readonly partitionId: number;
  readonly current: PartitionStateView;
  /**
   * The ISR wanted; undefined keeps the current one. Empty only when every member's replicas
   * are lost (the ISR is otherwise never emptied: its last member stays, leaderless).
   */
  readonly targetIsr?: readonly number[];
  readonly election: ElectionMode;
  /** May this broker lead or be elected: registered, unfenced and not shutting down. */
  readonly isEligible: (brokerId: number) => boolean;
  /** unclean.leader.election.enable for the topic: with no eligible ISR or ELR member, elect any eligible replica and reset the ISR to it. */
  readonly uncleanAllowed: boolean;
  /** The topic's min.insync.replicas (capped at the replication factor): an ISR below it keeps its leavers in the ELR. */
  readonly minInsyncReplicas: number;
  /** Brokers whose replicas are void (registered without a log directory they had): out of ISR and ELR, never elected. */
  readonly lostReplicas?: ReadonlySet<number>;
}

export interface PartitionChangeOutcome {
  /** null when nothing changes. */
  readonly record: PartitionChangeRecord | null;
  readonly leader: number;
  readonly isr: readonly number[];
  readonly eligibleLeaderReplicas: readonly number[];
  /** The new leader came from neither the ISR nor the ELR (data may be lost). */
  readonly unclean: boolean;
}

const NONE: ReadonlySet<number> = new Set();

function sameList(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function buildPartitionChange(spec: PartitionChangeSpec): PartitionChangeOutcome {
  const { current } = spec;
  const where = `${spec.topicId}:${spec.partitionId}`;
  const lost = spec.lostReplicas ?? NONE;
  const currentElr = current.eligibleLeaderReplicas ?? [];
  assert(current.replicas.length > 0, () => `partition ${where} has no replicas`);
  assert(
    Number.isSafeInteger(spec.minInsyncReplicas) && spec.minInsyncReplicas >= 1,
    () => `partition ${where}: min.insync.replicas ${spec.minInsyncReplicas} is not a positive integer`,
  );
  let isr = (spec.targetIsr ?? current.isr).filter((id) => !lost.has(id));
  for (const id of isr)
    assert(current.replicas.includes(id), () => `partition ${where}: target isr member ${id} is not a replica`);
  assert(
    isr.length > 0 || current.isr.every((id) => lost.has(id)),
    () => `partition ${where}: the ISR may only become empty when every member lost its replicas`,
  );
  const eligible = (id: number): boolean => !lost.has(id) && spec.isEligible(id);

  const canLead = (id: number): boolean => isr.includes(id) && eligible(id);
  let leader = NO_LEADER;
  let unclean = false;
  // Who was in the ISR before this change, for the ELR: the current members, or those kept
  // until an ELR member replaces them below.
  let isrBefore = current.isr;
  const preferred = current.replicas[0] as number;
  if (spec.election === 'preferred' && canLead(preferred)) {
    leader = preferred;
  } else if (current.leader !== NO_LEADER && canLead(current.leader)) {
    leader = current.leader;
  } else {
    leader = current.replicas.find(canLead) ?? NO_LEADER;
    if (leader === NO_LEADER) {
      const candidates = nextEligibleLeaderReplicas(current.isr, currentElr, isr, spec.minInsyncReplicas, lost);
      const fromElr = current.replicas.find((id) => candidates.includes(id) && eligible(id));
      if (fromElr !== undefined) {
        // Every acknowledged record is on it (KIP-966): the ISR starts again from it, and the
        // members it replaces, which hold the same, stay eligible through the ELR.
        isrBefore = [...current.isr, ...isr];
        leader = fromElr;
        isr = [fromElr];
      } else if (spec.uncleanAllowed) {
        const chosen = current.replicas.find(eligible);
        if (chosen !== undefined) {
          leader = chosen;
          isr = [chosen];
          unclean = true;
        }
      }
    }
  }
  const elr = unclean ? [] : nextEligibleLeaderReplicas(isrBefore, currentElr, isr, spec.minInsyncReplicas, lost);
  assert(
    leader === NO_LEADER || isr.includes(leader),
    () => `partition ${where}: leader ${leader} outside isr ${isr.join(',')}`,
  );
  assert(
    elr.every((id) => !isr.includes(id) && current.replicas.includes(id)),
    () => `partition ${where}: ELR ${elr.join(',')} overlaps ISR ${isr.join(',')} or leaves the replicas`,
  );

  const isrChanged = !sameList(isr, current.isr);
  const leaderChanged = leader !== current.leader;
  const elrChanged = !sameList(elr, currentElr);
  if (!isrChanged && !leaderChanged && !elrChanged)
    return { record: null, leader, isr, eligibleLeaderReplicas: elr, unclean };
  const record: PartitionChangeRecord = {
    type: 'PartitionChange',
    topicId: spec.topicId,
    partitionId: spec.partitionId,
    ...(isrChanged ? { isr } : {}),
    ...(leaderChanged ? { leader } : {}),
    ...(elrChanged ? { eligibleLeaderReplicas: elr } : {}),
  };
  return { record, leader, isr, eligibleLeaderReplicas: elr, unclean };
}
