/**
 * Sets of partitions by topic, the shape assignments travel in (`topic -> partitions`), with the
 * few set operations reconciliation needs. Values are treated as immutable once built.
 */

export type TopicPartitions = ReadonlyMap<string, ReadonlySet<number>>;

export const NO_PARTITIONS: TopicPartitions = new Map();

export function topicPartitionsFrom(entries: Iterable<readonly [string, Iterable<number>]>): TopicPartitions {
  const result = new Map<string, Set<number>>();
  for (const [topic, partitions] of entries) {
    const set = new Set(partitions);
    if (set.size > 0) result.set(topic, set);
  }
  return result;
}

export function countPartitions(partitions: TopicPartitions): number {
  let count = 0;
  for (const set of partitions.values()) count += set.size;
  return count;
}

export function isEmpty(partitions: TopicPartitions): boolean {
  for (const set of partitions.values()) if (set.size > 0) return false;
  return true;
}

export function hasPartition(partitions: TopicPartitions, topic: string, partition: number): boolean {
  return partitions.get(topic)?.has(partition) ?? false;
}

export function equalTopicPartitions(a: TopicPartitions, b: TopicPartitions): boolean {
  if (countPartitions(a) !== countPartitions(b)) return false;
  for (const [topic, set] of a) {
    const other = b.get(topic);
    for (const partition of set) if (other === undefined || !other.has(partition)) return false;
  }
  return true;
}

/** a ∩ b */
export function intersect(a: TopicPartitions, b: TopicPartitions): TopicPartitions {
  const result = new Map<string, Set<number>>();
  for (const [topic, set] of a) {
    const other = b.get(topic);
    if (other === undefined) continue;
    const kept = new Set([...set].filter((p) => other.has(p)));
    if (kept.size > 0) result.set(topic, kept);
  }
  return result;
}

/** a − b */
export function subtract(a: TopicPartitions, b: TopicPartitions): TopicPartitions {
  const result = new Map<string, Set<number>>();
  for (const [topic, set] of a) {
    const other = b.get(topic);
    const kept = other === undefined ? new Set(set) : new Set([...set].filter((p) => !other.has(p)));
    if (kept.size > 0) result.set(topic, kept);
  }
  return result;
}

/** a ∪ b */
export function union(a: TopicPartitions, b: TopicPartitions): TopicPartitions {
  const result = new Map<string, Set<number>>();
  for (const source of [a, b]) {
    for (const [topic, set] of source) {
      const target = result.get(topic) ?? new Set<number>();
      for (const partition of set) target.add(partition);
      if (target.size > 0) result.set(topic, target);
    }
  }
  return result;
}

/** Sorted plain form for records, responses and test output: `[{ topic, partitions }]`. */
export function toSortedList(partitions: TopicPartitions): { topic: string; partitions: number[] }[] {
  const topics: string[] = [];
  for (const [topic, set] of partitions) if (set.size > 0) topics.push(topic);
  topics.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return topics.map((topic) => ({ topic, partitions: sortedNumbers(partitions.get(topic)!) }));
}

function sortedNumbers(set: ReadonlySet<number>): number[] {
  const numbers = [...set];
  let ascending = true;
  for (let i = 1; i < numbers.length && ascending; i++) ascending = numbers[i - 1]! < numbers[i]!;
  return ascending ? numbers : numbers.sort((x, y) => x - y);
}

export function fromList(
  list: readonly { readonly topic: string; readonly partitions: readonly number[] }[],
): TopicPartitions {
  return topicPartitionsFrom(list.map((entry) => [entry.topic, entry.partitions] as const));
}
