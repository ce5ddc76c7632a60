/**
 * Partition choice for a record, as Kafka's producer makes it:
 * - an explicit partition wins;
 * - a key: murmur2 over all partitions (available or not), so a key always maps the same way;
 * - no key, `sticky` (the default, KIP-480): stay on one partition until the accumulator starts a
 *   new batch for it, then move to another random available partition: fuller batches, less
 *   latency than spreading every record;
 * - no key, `round-robin` (Kafka's RoundRobinPartitioner): cycle over available partitions.
 * Randomness is injected (`nextInt` returns any int) so tests replay.
 */
import { partitionForKey, toPositive } from './murmur2';

/** A partition of the topic and whether it has a leader now (Kafka's "available"). */
export interface PartitionAvailability {
  readonly partition: number;
  readonly hasLeader: boolean;
}

export interface RecordToPartition {
  readonly topic: string;
  readonly key: Uint8Array | null;
  readonly partition?: number | null;
}

export type PartitionerKind = 'sticky' | 'round-robin';

export interface PartitionerOptions {
  readonly kind?: PartitionerKind;
  /** A uniformly random int (any sign); defaults to Math.random. */
  readonly nextInt?: () => number;
  /** Bound on topics remembered (sticky partitions / counters); least recently used dropped. */
  readonly maxTopics?: number;
}

const defaultNextInt = (): number => Math.floor(Math.random() * 0x1_0000_0000) | 0;

export class Partitioner {
  readonly kind: PartitionerKind;
  private readonly nextInt: () => number;
  private readonly maxTopics: number;
  /** topic -> sticky partition, or round-robin counter. Map order tracks recency. */
  private readonly perTopic = new Map<string, number>();
  /**
   * The available partitions of a frozen partition list (ClusterMetadata shares one per Metadata
   * answer): picked at every new batch, a filter over thousands of partitions each time was a
   * tenth of a producer's CPU at 6,000 partitions. Held weakly, so a replaced list goes with it.
   */
  private readonly availableOf = new WeakMap<readonly PartitionAvailability[], readonly PartitionAvailability[]>();

  constructor(options: PartitionerOptions = {}) {
    this.kind = options.kind ?? 'sticky';
    this.nextInt = options.nextInt ?? defaultNextInt;
    this.maxTopics = options.maxTopics ?? 10_000;
    if (!Number.isSafeInteger(this.maxTopics) || this.maxTopics < 1)
      throw new RangeError(`maxTopics ${this.maxTopics} must be positive`);
  }

  /** The partition for `record` given the topic's partitions (all of them, in any order). */
  partition(record: RecordToPartition, partitions: readonly PartitionAvailability[]): number {
    const count = partitions.length;
    if (count === 0) throw new RangeError(`topic ${record.topic} has no partitions`);
    if (record.partition !== undefined && record.partition !== null) {
      if (!Number.isInteger(record.partition) || record.partition < 0 || record.partition >= count) {
        throw new RangeError(`partition ${record.partition} is outside 0..${count - 1} of topic ${record.topic}`);
      }
      return record.partition;
    }
    if (record.key !== null) return partitionForKey(record.key, count);
    if (this.kind === 'round-robin') return this.roundRobin(record.topic, partitions);
    const sticky = this.perTopic.get(record.topic);
    if (sticky !== undefined && sticky < count) {
      this.remember(record.topic, sticky);
      return sticky;
    }
    return this.nextSticky(record.topic, partitions, null);
  }

  /**
   * The accumulator is about to start a new batch on `previousPartition` for a keyless record:
   * KIP-480's onNewBatch. Moves the sticky partition only if it still is `previousPartition`
   * (another record may have moved it already). Returns the partition to use now.
   */
  onNewBatch(topic: string, partitions: readonly PartitionAvailability[], previousPartition: number): number {
    if (this.kind !== 'sticky') throw new Error('onNewBatch applies to the sticky partitioner only');
    const current = this.perTopic.get(topic);
    if (current !== undefined && current !== previousPartition && current < partitions.length) return current;
    return this.nextSticky(topic, partitions, current ?? null);
  }

  /** Kafka's StickyPartitionCache.nextPartition: a random available partition other than the old. */
  private nextSticky(topic: string, partitions: readonly PartitionAvailability[], old: number | null): number {
    const available = this.available(partitions);
    let chosen: number;
    if (available.length === 0) {
      chosen = toPositive(this.nextInt()) % partitions.length;
    } else if (available.length === 1) {
      chosen = available[0]!.partition;
    } else {
      // Bounded retries instead of Kafka's unbounded loop: a bad rng must not hang the producer.
      chosen = available[toPositive(this.nextInt()) % available.length]!.partition;
      for (let attempt = 0; chosen === old && attempt < 64; attempt++)
        chosen = available[toPositive(this.nextInt()) % available.length]!.partition;
      if (chosen === old) chosen = available.find((p) => p.partition !== old)!.partition;
    }
    this.remember(topic, chosen);
    return chosen;
  }

  /** Kafka's RoundRobinPartitioner: a per-topic counter from 0 over available partitions. */
  private roundRobin(topic: string, partitions: readonly PartitionAvailability[]): number {
    const counter = this.perTopic.get(topic) ?? 0;
    this.remember(topic, (counter + 1) | 0);
    const available = this.available(partitions);
    if (available.length > 0) return available[toPositive(counter) % available.length]!.partition;
    return toPositive(counter) % partitions.length;
  }

  /** Those with a leader; kept for a frozen list (its entries cannot change), computed otherwise. */
  private available(partitions: readonly PartitionAvailability[]): readonly PartitionAvailability[] {
    if (!Object.isFrozen(partitions)) return partitions.filter((p) => p.hasLeader);
    let available = this.availableOf.get(partitions);
    if (available === undefined) {
      available = Object.freeze(partitions.filter((p) => p.hasLeader));
      this.availableOf.set(partitions, available);
    }
    return available;
  }

  private remember(topic: string, value: number): void {
    this.perTopic.delete(topic);
    this.perTopic.set(topic, value);
    if (this.perTopic.size > this.maxTopics) this.perTopic.delete(this.perTopic.keys().next().value as string);
  }
}
