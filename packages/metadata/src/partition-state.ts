/** Invariants of one partition's state and Kafka's rule for merging a PartitionChange. */
import { InvalidPartitionStateError } from './errors';
import type { PartitionFields } from './partition-table';
import { NO_LEADER, type PartitionChangeRecord } from './records';

/** Above this many entries a Set beats the pairwise scan; replica lists are usually 3. */
const PAIRWISE_LIMIT = 16;

function checkBrokerList(values: ArrayLike<number>, what: string, where: string): void {
  const seen = values.length > PAIRWISE_LIMIT ? new Set<number>() : undefined;
  for (let i = 0; i < values.length; i++) {
    const id = values[i] as number;
    if (!(id >= 0 && (id | 0) === id)) {
      throw new InvalidPartitionStateError(`${where}: ${what} holds invalid broker id ${id}`);
    }
    let duplicate = false;
    if (seen !== undefined) {
      duplicate = seen.has(id);
      seen.add(id);
    } else {
      for (let j = 0; j < i && !duplicate; j++) duplicate = values[j] === id;
    }
    if (duplicate) throw new InvalidPartitionStateError(`${where}: ${what} lists broker ${id} twice`);
  }
}

function contains(values: ArrayLike<number>, id: number): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] === id) return true;
  return false;
}

/**
 * Checks the invariants every partition state must hold: a non-empty replica set without
 * duplicates; ISR and ELR drawn from the replicas and disjoint (KIP-966); a reassignment's adding
 * and removing replicas drawn from the replicas and disjoint, never removing all; the leader either
 * NO_LEADER or a member of the ISR; non-negative int32 epochs.
 */
export function validatePartition(partition: PartitionFields, where: string): void {
  if (partition.replicas.length === 0) throw new InvalidPartitionStateError(`${where}: empty replica set`);
  checkBrokerList(partition.replicas, 'replicas', where);
  checkBrokerList(partition.isr, 'isr', where);
  checkBrokerList(partition.eligibleLeaderReplicas, 'eligibleLeaderReplicas', where);
  for (let i = 0; i < partition.isr.length; i++) {
    const id = partition.isr[i] as number;
    if (!contains(partition.replicas, id))
      throw new InvalidPartitionStateError(`${where}: isr member ${id} is not a replica`);
  }
  for (let i = 0; i < partition.eligibleLeaderReplicas.length; i++) {
    const id = partition.eligibleLeaderReplicas[i] as number;
    if (!contains(partition.replicas, id))
      throw new InvalidPartitionStateError(`${where}: ELR member ${id} is not a replica`);
    if (contains(partition.isr, id))
      throw new InvalidPartitionStateError(`${where}: ELR member ${id} is also in the isr`);
  }
  const adding = partition.addingReplicas ?? [];
  const removing = partition.removingReplicas ?? [];
  checkBrokerList(adding, 'addingReplicas', where);
  checkBrokerList(removing, 'removingReplicas', where);
  for (let i = 0; i < adding.length; i++) {
    const id = adding[i] as number;
    if (!contains(partition.replicas, id))
      throw new InvalidPartitionStateError(`${where}: adding replica ${id} is not a replica`);
    if (contains(removing, id))
      throw new InvalidPartitionStateError(`${where}: replica ${id} is both adding and removing`);
  }
  for (let i = 0; i < removing.length; i++) {
    const id = removing[i] as number;
    if (!contains(partition.replicas, id))
      throw new InvalidPartitionStateError(`${where}: removing replica ${id} is not a replica`);
  }
  if (removing.length > 0 && removing.length >= partition.replicas.length)
    throw new InvalidPartitionStateError(`${where}: a reassignment would remove every replica`);
  if (partition.leader !== NO_LEADER && !contains(partition.isr, partition.leader)) {
    throw new InvalidPartitionStateError(`${where}: leader ${partition.leader} is not in the isr`);
  }
  for (const [name, epoch] of [
    ['leaderEpoch', partition.leaderEpoch],
    ['partitionEpoch', partition.partitionEpoch],
  ] as const) {
    if (!(epoch >= 0 && (epoch | 0) === epoch)) {
      throw new InvalidPartitionStateError(`${where}: ${name} ${epoch} is not a non-negative int32`);
    }
  }
}

/**
 * Kafka's PartitionRegistration.merge: absent fields keep their values; a present leader, even
 * the current one, starts a new leader epoch; every change starts a new partition epoch.
 */
export function mergePartitionChange(current: PartitionFields, change: PartitionChangeRecord): PartitionFields {
  const leaderChanged = change.leader !== undefined;
  return {
    replicas: change.replicas ?? current.replicas,
    isr: change.isr ?? current.isr,
    eligibleLeaderReplicas: change.eligibleLeaderReplicas ?? current.eligibleLeaderReplicas,
    addingReplicas: change.addingReplicas ?? current.addingReplicas ?? [],
    removingReplicas: change.removingReplicas ?? current.removingReplicas ?? [],
    leader: leaderChanged ? (change.leader as number) : current.leader,
    leaderEpoch: leaderChanged ? current.leaderEpoch + 1 : current.leaderEpoch,
    partitionEpoch: current.partitionEpoch + 1,
  };
}
