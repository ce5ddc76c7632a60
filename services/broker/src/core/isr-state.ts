import { assert } from './assert';

/**
 * The leader's view of the ISR with an AlterPartition possibly in flight (Kafka's KIP-497
 * CommittedPartitionState / PendingExpandIsr / PendingShrinkIsr). `isr` is always the last
 * committed ISR; a pending change says what we asked the controller for.
 */
export type IsrState = CommittedIsr | PendingIsrChange;

export interface CommittedIsr {
  readonly kind: 'committed';
  readonly isr: readonly number[];
}

export type PendingIsrChange =
  | {
      readonly kind: 'pending-expand';
      readonly isr: readonly number[];
      readonly newInSyncReplicaId: number;
      readonly proposedIsr: readonly number[];
    }
  | {
      readonly kind: 'pending-shrink';
      readonly isr: readonly number[];
      readonly outOfSyncReplicaIds: readonly number[];
      readonly proposedIsr: readonly number[];
    };

export function committedIsr(isr: readonly number[]): CommittedIsr {
  return { kind: 'committed', isr: [...isr] };
}

export function pendingExpand(state: IsrState, replicaId: number): PendingIsrChange {
  assert(state.kind === 'committed', `cannot expand the ISR while a ${state.kind} is in flight`);
  assert(!state.isr.includes(replicaId), `replica ${replicaId} is already in the ISR`);
  return {
    kind: 'pending-expand',
    isr: state.isr,
    newInSyncReplicaId: replicaId,
    proposedIsr: [...state.isr, replicaId],
  };
}

export function pendingShrink(state: IsrState, outOfSync: readonly number[]): PendingIsrChange {
  assert(state.kind === 'committed', `cannot shrink the ISR while a ${state.kind} is in flight`);
  assert(outOfSync.length > 0 && outOfSync.every((id) => state.isr.includes(id)), 'shrink must remove ISR members');
  return {
    kind: 'pending-shrink',
    isr: state.isr,
    outOfSyncReplicaIds: [...outOfSync],
    proposedIsr: state.isr.filter((id) => !outOfSync.includes(id)),
  };
}

/**
 * The ISR the high watermark and acks=all must respect while a change is in flight: the union of
 * the committed and the proposed ISR. An expansion counts the new member at once (waiting for one
 * more replica is only stricter, so safe if the controller refuses it); a shrink counts the
 * leaving members until the controller commits it (a leader that advanced the high watermark
 * without them and were then overruled would have acknowledged records they lack).
 */
export function maximalIsr(state: IsrState): readonly number[] {
  return state.kind === 'pending-expand' ? state.proposedIsr : state.isr;
}

export function isInflight(state: IsrState): boolean {
  return state.kind !== 'committed';
}
