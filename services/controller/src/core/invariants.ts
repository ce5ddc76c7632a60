/**
 * Checks the core runs on its own output (and tests run on every image): the records replay
 * cleanly onto the image they were decided from, and the cluster-level partition invariants
 * hold. MetadataDelta already checks each partition's own shape (leader in ISR ⊆ replicas,
 * distinct replicas); these add what needs the broker table.
 */
import { MetadataDelta, NO_LEADER, type MetadataImage, type MetadataRecord } from '@sluice/metadata';
import { ControllerAssertionError } from './assert';

function replayAll(image: MetadataImage, records: readonly MetadataRecord[]): MetadataDelta {
  const delta = new MetadataDelta(image);
  records.forEach((record, index) => {
    try {
      delta.replay(record);
    } catch (error) {
      throw new ControllerAssertionError(
        `assertion: record ${index} (${record.type}) does not apply: ${(error as Error).message}`,
      );
    }
  });
  return delta;
}

/** Throws ControllerAssertionError naming the first record that does not replay onto `image`. */
export function checkRecordsApply(image: MetadataImage, records: readonly MetadataRecord[]): void {
  replayAll(image, records);
}

/** The image after `records`; throws ControllerAssertionError naming the first record that does not apply. */
export function applyRecords(image: MetadataImage, records: readonly MetadataRecord[]): MetadataImage {
  return replayAll(image, records).apply();
}

export interface InvariantOptions {
  /** Violations to collect before stopping; default 10. */
  readonly limit?: number;
  /**
   * Allow the state between chunks of a bounded fence (see cluster-control.ts): a fenced broker
   * still leading, or in the ISR of, a partition not moved yet. The leader must still be a
   * registered broker in the ISR. Off by default; once `fenceExpiredBrokers` answers without
   * `movesPending`, the strict invariants hold again.
   */
  readonly pendingMovesAllowed?: boolean;
}

/**
 * Every leader is a registered, unfenced broker; every ISR member is unfenced, except the one
 * member a leaderless partition keeps after its last ISR replica was fenced (Kafka's rule that
 * the ISR never becomes empty, unless every member lost its replicas: then it is empty and the
 * partition leaderless); no broker with lost replicas is in an ISR or ELR. With
 * `pendingMovesAllowed` a fenced leader or ISR member, or a broker with lost replicas still in
 * an ISR or ELR, is tolerated (moves still to come). Returns the violations (empty when all hold).
 */
export function clusterInvariantViolations(image: MetadataImage, options: InvariantOptions | number = {}): string[] {
  const { limit = 10, pendingMovesAllowed = false } = typeof options === 'number' ? { limit: options } : options;
  const problems: string[] = [];
  for (const topic of image.topics.topics()) {
    for (let partitionId = 0; partitionId < topic.partitionCount && problems.length < limit; partitionId++) {
      const p = topic.partitions.getPlain(partitionId);
      if (p === undefined) {
        problems.push(`${topic.name}-${partitionId} missing`);
        continue;
      }
      const where = `${topic.name}-${partitionId}`;
      if (new Set(p.replicas).size !== p.replicas.length)
        problems.push(`${where}: duplicate replicas ${p.replicas.join(',')}`);
      if (p.isr.length === 0 && p.leader !== NO_LEADER) problems.push(`${where}: empty ISR under leader ${p.leader}`);
      if (p.isr.some((id) => !p.replicas.includes(id)))
        problems.push(`${where}: ISR ${p.isr.join(',')} not within replicas ${p.replicas.join(',')}`);
      if (p.leader !== NO_LEADER) {
        if (!p.isr.includes(p.leader)) problems.push(`${where}: leader ${p.leader} outside ISR ${p.isr.join(',')}`);
        if (image.cluster.broker(p.leader) === undefined)
          problems.push(`${where}: leader ${p.leader} is not registered`);
        else if (!pendingMovesAllowed && image.cluster.isFenced(p.leader))
          problems.push(`${where}: leader ${p.leader} is fenced`);
      }
      if (pendingMovesAllowed) continue;
      const lost = [...p.isr, ...p.eligibleLeaderReplicas].filter(
        (id) => image.cluster.broker(id)?.replicasLost === true,
      );
      if (lost.length > 0)
        problems.push(`${where}: broker(s) ${lost.join(',')} with lost replicas still in ISR or ELR`);
      const fencedInIsr = p.isr.filter((id) => image.cluster.isFenced(id));
      if (fencedInIsr.length > 0 && !(p.leader === NO_LEADER && p.isr.length === 1)) {
        problems.push(
          `${where}: fenced broker(s) ${fencedInIsr.join(',')} in ISR ${p.isr.join(',')} with leader ${p.leader}`,
        );
      }
    }
  }
  return problems;
}
