/**
 * Kafka's throttled-replica lists: the topic configs `leader.replication.throttled.replicas` and
 * `follower.replication.throttled.replicas`. A value is `*` (every replica of the topic), empty
 * (none: the default), or `partition:brokerId` items separated by commas. A broker throttles a
 * partition when the list names it with its own broker id (Kafka's
 * ConfigHandler.parseThrottledPartitions), so one list serves every broker of the topic.
 *
 * The controller validates a value with `throttledReplicasProblem` before it enters the metadata
 * log (Kafka's ThrottledReplicaListValidator); brokers parse it with `parseThrottledReplicas`.
 */

export const LEADER_THROTTLED_REPLICAS = 'leader.replication.throttled.replicas';
export const FOLLOWER_THROTTLED_REPLICAS = 'follower.replication.throttled.replicas';
export const LEADER_THROTTLED_RATE = 'leader.replication.throttled.rate';
export const FOLLOWER_THROTTLED_RATE = 'follower.replication.throttled.rate';

/** `*`, or the replicas listed (partition -> broker ids). */
export type ThrottledReplicas =
  | { readonly all: true }
  | { readonly all: false; readonly brokersByPartition: ReadonlyMap<number, ReadonlySet<number>> };

export const NO_THROTTLED_REPLICAS: ThrottledReplicas = Object.freeze({
  all: false,
  brokersByPartition: new Map<number, ReadonlySet<number>>(),
});

/** Partition ids and broker ids are int32s; no sign, no leading zeros beyond a lone 0. */
const REPLICA_ITEM = /^(0|[1-9]\d{0,9}):(0|[1-9]\d{0,9})$/;
const INT32_MAX = 2 ** 31 - 1;

function items(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** Why `value` is not a throttled-replica list, or undefined when it is. */
export function throttledReplicasProblem(value: string): string | undefined {
  const trimmed = value.trim();
  if (trimmed === '' || trimmed === '*') return undefined;
  for (const item of items(trimmed)) {
    const match = REPLICA_ITEM.exec(item);
    if (match === null)
      return `${JSON.stringify(item)} is not partition:brokerId (the value is a list of them, or *, or empty)`;
    if (Number(match[1]) > INT32_MAX || Number(match[2]) > INT32_MAX)
      return `${JSON.stringify(item)} does not fit in 32-bit ids`;
  }
  return undefined;
}

/** Parses a value `throttledReplicasProblem` accepts; throws RangeError on any other. */
export function parseThrottledReplicas(value: string | undefined): ThrottledReplicas {
  if (value === undefined) return NO_THROTTLED_REPLICAS;
  const problem = throttledReplicasProblem(value);
  if (problem !== undefined) throw new RangeError(problem);
  const trimmed = value.trim();
  if (trimmed === '*') return { all: true };
  const brokersByPartition = new Map<number, Set<number>>();
  for (const item of items(trimmed)) {
    const [partition, brokerId] = item.split(':').map(Number) as [number, number];
    let brokers = brokersByPartition.get(partition);
    if (brokers === undefined) brokersByPartition.set(partition, (brokers = new Set()));
    brokers.add(brokerId);
  }
  return { all: false, brokersByPartition };
}

/** Whether the list throttles `partition` on broker `brokerId`. */
export function isReplicaThrottled(list: ThrottledReplicas, partition: number, brokerId: number): boolean {
  return list.all || list.brokersByPartition.get(partition)?.has(brokerId) === true;
}
