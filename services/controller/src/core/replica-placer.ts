/**
 * Replica placement, after Kafka's StripedReplicaPlacer and the rack-aware assignment it
 * replaced. Brokers are laid out in a rack-alternating ring (rack A's first broker, rack B's
 * first, ..., then each rack's second, ...), shuffled by the injected rng. Partition p's leader
 * is ring[(start + p) % n], so over many partitions every broker leads within one of every
 * other. Followers are taken walking the ring from a shift that changes every n partitions,
 * preferring brokers on racks the partition does not use yet; so with at least RF racks every
 * replica of a partition sits on a different rack. No broker ever holds two replicas of one
 * partition.
 */
import { ApiError } from '@sluice/protocol';
import { assert } from './assert';
import { MAX_BROKERS, MAX_REPLICATION_FACTOR } from './limits';
import { randomInt, shuffled, type Rng } from './rng';

export interface PlacementBroker {
  readonly brokerId: number;
  readonly rack: string | null;
}

export interface PlacementRequest {
  /** Brokers that may receive replicas: registered, unfenced, not shutting down. */
  readonly brokers: readonly PlacementBroker[];
  readonly numPartitions: number;
  readonly replicationFactor: number;
  readonly rng: Rng;
}

/** Brokers without a rack share one unnamed rack, as Kafka's placer treats an empty rack. */
const NO_RACK = '\u0000no-rack';

export function rackAlternatedRing(brokers: readonly PlacementBroker[], rng: Rng): PlacementBroker[] {
  const byRack = new Map<string, PlacementBroker[]>();
  for (const broker of [...brokers].sort((a, b) => a.brokerId - b.brokerId)) {
    const rack = broker.rack ?? NO_RACK;
    let members = byRack.get(rack);
    if (members === undefined) byRack.set(rack, (members = []));
    members.push(broker);
  }
  const racks = shuffled([...byRack.keys()].sort(), rng).map((rack) => shuffled(byRack.get(rack) ?? [], rng));
  const ring: PlacementBroker[] = [];
  for (let round = 0; ring.length < brokers.length; round++) {
    for (const members of racks) {
      const broker = members[round];
      if (broker !== undefined) ring.push(broker);
    }
  }
  return ring;
}

/** Replica lists for `numPartitions` new partitions, leader first. */
export function placeReplicas(request: PlacementRequest): number[][] {
  const { brokers, numPartitions, replicationFactor, rng } = request;
  assert(Number.isSafeInteger(numPartitions) && numPartitions >= 0, `numPartitions ${numPartitions}`);
  assert(brokers.length <= MAX_BROKERS, `${brokers.length} brokers exceed ${MAX_BROKERS}`);
  assert(new Set(brokers.map((b) => b.brokerId)).size === brokers.length, 'placement brokers must be distinct');
  if (!(
    Number.isSafeInteger(replicationFactor) &&
    replicationFactor >= 1 &&
    replicationFactor <= MAX_REPLICATION_FACTOR
  )) {
    throw new ApiError(
      'INVALID_REPLICATION_FACTOR',
      `replication factor ${replicationFactor} is outside 1..${MAX_REPLICATION_FACTOR}`,
    );
  }
  if (brokers.length === 0)
    throw new ApiError('INVALID_REPLICATION_FACTOR', 'there are no live unfenced brokers to place replicas on');
  if (replicationFactor > brokers.length) {
    throw new ApiError(
      'INVALID_REPLICATION_FACTOR',
      `replication factor ${replicationFactor} exceeds the ${brokers.length} live unfenced broker${brokers.length === 1 ? '' : 's'}`,
    );
  }
  const ring = rackAlternatedRing(brokers, rng);
  const n = ring.length;
  const rackCount = new Set(ring.map((b) => b.rack ?? NO_RACK)).size;
  const start = randomInt(rng, n);
  const result: number[][] = [];
  for (let p = 0; p < numPartitions; p++) {
    const leaderAt = (start + p) % n;
    const shift = n > 1 ? 1 + (Math.floor(p / n) % (n - 1)) : 0;
    const leader = ring[leaderAt] as PlacementBroker;
    const chosen = new Set<number>([leader.brokerId]);
    const racksUsed = new Set<string>([leader.rack ?? NO_RACK]);
    const replicas = [leader.brokerId];
    while (replicas.length < replicationFactor) {
      const wantNewRack = racksUsed.size < rackCount;
      let picked: PlacementBroker | undefined;
      for (let k = 0; k < n && picked === undefined; k++) {
        const candidate = ring[(leaderAt + shift + k) % n] as PlacementBroker;
        if (chosen.has(candidate.brokerId)) continue;
        if (wantNewRack && racksUsed.has(candidate.rack ?? NO_RACK)) continue;
        picked = candidate;
      }
      assert(picked !== undefined, () => `no broker left for replica ${replicas.length} of partition ${p}`);
      chosen.add(picked.brokerId);
      racksUsed.add(picked.rack ?? NO_RACK);
      replicas.push(picked.brokerId);
    }
    result.push(replicas);
  }
  return result;
}
