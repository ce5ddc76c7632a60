/**
 * The share group assignor (Kafka's SimpleAssignor semantics, KIP-932). Share group members do not
 * own partitions exclusively: records of a partition are handed out by the partition leader with
 * per-record locks, so several members may fetch from one partition. The assignor guarantees:
 * - coverage: every partition of a subscribed topic goes to at least one of its subscribers;
 * - work for everyone: every member subscribed to a topic with partitions gets at least one
 *   (when there are more members than partitions, partitions are shared);
 * - balance (members with the same subscriptions): with M members and P partitions, M <= P gives
 *   each member floor(P/M) or ceil(P/M) partitions, each partition one member; M > P gives each
 *   member one partition and each partition floor(M/P) or ceil(M/P) members;
 * - stability: a member keeps what it had (the previous target) as far as balance allows.
 *
 * Two phases. Phase 1 gives each partition one member (sticky first, within quotas that keep the
 * floor/ceil bound, then least loaded). Phase 2 gives every member still without work one
 * partition, sharing the partitions with the fewest members (sticky first, within the same kind
 * of quotas). Deterministic: members by id, partitions by topic then number.
 */
import type { TopicPartitions } from './topic-partitions';

export interface ShareAssignmentSpec {
  /** member id -> the topics it subscribes to (existing ones only matter). */
  readonly members: ReadonlyMap<string, ReadonlySet<string>>;
  /** topic -> partition count, for the topics any member subscribes to. */
  readonly topics: ReadonlyMap<string, number>;
  /** The previous target assignment, for stability. */
  readonly previous: ReadonlyMap<string, TopicPartitions>;
}

/** member id -> topic -> partitions; every member of the spec is present (maybe empty). */
export type ShareAssignment = Map<string, Map<string, Set<number>>>;

interface PartitionSlot {
  readonly topic: string;
  readonly partition: number;
  /** Subscribers, sorted by id. */
  readonly eligible: readonly string[];
  /** Members that had it in the previous target, sorted by id. */
  readonly previous: readonly string[];
  members: number;
}

export function assignShareGroup(spec: ShareAssignmentSpec): ShareAssignment {
  const memberIds = [...spec.members.keys()].sort();
  const result: ShareAssignment = new Map(memberIds.map((id) => [id, new Map<string, Set<number>>()]));
  const load = new Map<string, number>(memberIds.map((id) => [id, 0]));
  const give = (memberId: string, slot: PartitionSlot): void => {
    const byTopic = result.get(memberId)!;
    let set = byTopic.get(slot.topic);
    if (set === undefined) byTopic.set(slot.topic, (set = new Set()));
    set.add(slot.partition);
    slot.members++;
    load.set(memberId, load.get(memberId)! + 1);
  };

  const slots: PartitionSlot[] = [];
  for (const topic of [...spec.topics.keys()].sort()) {
    const count = spec.topics.get(topic)!;
    const eligible = memberIds.filter((id) => spec.members.get(id)!.has(topic));
    if (eligible.length === 0 || count <= 0) continue;
    for (let partition = 0; partition < count; partition++) {
      const previous = eligible.filter((id) => spec.previous.get(id)?.get(topic)?.has(partition) ?? false);
      slots.push({ topic, partition, eligible, previous, members: 0 });
    }
  }
  const workers = memberIds.filter((id) => slots.some((slot) => slot.eligible.includes(id)));
  if (slots.length === 0 || workers.length === 0) return result;

  // Phase 1: one member per partition. At most `ceilSlots` members may reach floor + 1.
  const floor = Math.floor(slots.length / workers.length);
  let ceilSlots = slots.length % workers.length;
  const leastLoaded = (candidates: readonly string[], limit: number): string | undefined => {
    let best: string | undefined;
    for (const id of candidates)
      if (load.get(id)! < limit && (best === undefined || load.get(id)! < load.get(best)!)) best = id;
    return best;
  };
  for (const slot of slots) {
    const keeper = leastLoaded(slot.previous, floor);
    if (keeper !== undefined) give(keeper, slot);
  }
  for (const slot of slots) {
    if (slot.members > 0 || ceilSlots === 0) continue;
    const keeper = leastLoaded(slot.previous, floor + 1);
    if (keeper === undefined) continue;
    if (load.get(keeper) === floor) ceilSlots--;
    give(keeper, slot);
  }
  // The most constrained partitions (fewest subscribers) choose first.
  const rest = slots.filter((slot) => slot.members === 0).sort((a, b) => a.eligible.length - b.eligible.length);
  for (const slot of rest) give(leastLoaded(slot.eligible, Number.POSITIVE_INFINITY)!, slot);

  // Phase 2: members without work share the partitions with the fewest members.
  const idle = workers.filter((id) => load.get(id) === 0);
  if (idle.length === 0) return result;
  const shareFloor = Math.floor(workers.length / slots.length);
  let shareCeilSlots = workers.length % slots.length;
  const placed = new Set<string>();
  const fewest = (candidates: readonly PartitionSlot[], limit: number): PartitionSlot | undefined => {
    let best: PartitionSlot | undefined;
    for (const slot of candidates)
      if (slot.members < limit && (best === undefined || slot.members < best.members)) best = slot;
    return best;
  };
  const eligibleSlots = new Map(idle.map((id) => [id, slots.filter((slot) => slot.eligible.includes(id))]));
  for (const id of idle) {
    const slot = fewest(
      eligibleSlots.get(id)!.filter((s) => s.previous.includes(id)),
      shareFloor,
    );
    if (slot === undefined) continue;
    give(id, slot);
    placed.add(id);
  }
  for (const id of idle) {
    if (placed.has(id) || shareCeilSlots === 0) continue;
    const slot = fewest(
      eligibleSlots.get(id)!.filter((s) => s.previous.includes(id)),
      shareFloor + 1,
    );
    if (slot === undefined) continue;
    if (slot.members === shareFloor) shareCeilSlots--;
    give(id, slot);
    placed.add(id);
  }
  for (const id of idle) {
    if (placed.has(id)) continue;
    give(id, fewest(eligibleSlots.get(id)!, Number.POSITIVE_INFINITY)!);
  }
  return result;
}
