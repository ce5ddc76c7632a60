/**
 * What the broker's readiness (grpc.health.v1, service `sluice.v1.Broker`) means: registered,
 * unfenced (the controller unfences a broker only once its metadata caught up to its
 * registration), and in the ISR of every partition it hosts, so a StatefulSet rolling update
 * moves to the next broker only once this one holds every partition's data again (Strimzi's
 * KafkaRoller rule, kept by the pod itself). A partition being reassigned onto this broker is
 * not waited for, its copy is not needed yet; a leaderless partition neither, nobody can add
 * this broker to its ISR until it has a leader.
 */
import { NO_LEADER, type MetadataImage } from '@sluice/metadata';

export interface BrokerReadiness {
  readonly ready: boolean;
  /** Why not, for logs and the health detail; '' when ready. */
  readonly reason: string;
}

/** Partitions named in a not-ready reason at most. */
const MAX_NAMED_PARTITIONS = 5;

export function brokerReadiness(
  image: MetadataImage,
  brokerId: number,
  state: { readonly registered: boolean; readonly fenced: boolean },
): BrokerReadiness {
  if (!state.registered) return { ready: false, reason: 'not registered' };
  if (state.fenced) return { ready: false, reason: 'fenced (metadata not caught up, or shutting down)' };
  const outOfSync: string[] = [];
  let count = 0;
  for (const topic of image.topics.topics()) {
    const partitions = topic.partitions;
    for (let p = 0; p < topic.partitionCount; p++) {
      if (!partitions.hasReplica(p, brokerId) || partitions.isrIncludes(p, brokerId)) continue;
      if (partitions.leader(p) === NO_LEADER) continue;
      if (partitions.isReassigning(p) && partitions.get(p)?.addingReplicas.includes(brokerId) === true) continue;
      count++;
      if (outOfSync.length < MAX_NAMED_PARTITIONS) outOfSync.push(`${topic.name}-${p}`);
    }
  }
  if (count === 0) return { ready: true, reason: '' };
  return {
    ready: false,
    reason: `not in the ISR of ${count} partition${count === 1 ? '' : 's'} (${outOfSync.join(', ')}${count > outOfSync.length ? ', ...' : ''})`,
  };
}
