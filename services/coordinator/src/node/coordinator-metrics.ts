/**
 * The coordinator's /metrics beyond the per-RPC series: consumer and share groups by state
 * (Kafka's GroupMetadataManager NumGroups* gauges), rebalances (a new target assignment: Kafka's
 * KIP-848 consumer-group-rebalance count), consumer lag per group, topic and partition, and the
 * internal partitions served. Group gauges are counted from the active shards at scrape time.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ConsumerGroupState } from '../core/consumer-group';
import type { GroupRecord } from '../core/group-records';
import type { ConsumerLag } from './consumer-lag';

export interface CoordinatorMetricsSource {
  /** Consumer groups (with committed offsets or members) and their states, on active partitions. */
  consumerGroups(): Iterable<{ readonly state: ConsumerGroupState }>;
  shareGroups(): Iterable<{ readonly state: string }>;
  /** Partitions of __consumer_offsets and __share_group_state served now, by status. */
  ownedPartitions(): Iterable<{ readonly topic: string; readonly status: string }>;
  readonly lag: ConsumerLag;
}

const CONSUMER_GROUP_STATES: readonly string[] = ['EMPTY', 'ASSIGNING', 'RECONCILING', 'STABLE'];
const SHARE_GROUP_STATES: readonly string[] = ['EMPTY', 'STABLE'];

export class CoordinatorMetrics {
  private readonly rebalances: Counter<'group_type'>;
  private readonly consumerRebalances: Counter.Internal;
  private readonly shareRebalances: Counter.Internal;
  private readonly metadataReads: Counter<'kind'>;
  /** The ownership check's reads of the paired broker's Metadata: `internal` (the two internal topics), `whole` (every topic). */
  readonly internalMetadataReads: Counter.Internal;
  readonly wholeMetadataReads: Counter.Internal;

  constructor(registry: Registry, source: CoordinatorMetricsSource) {
    const registers = [registry];
    this.rebalances = new Counter({
      name: 'sluice_coordinator_rebalances_total',
      help: 'Target assignments computed for a new group epoch (KIP-848 rebalances), by group type (consumer, share).',
      labelNames: ['group_type'],
      registers,
    });
    this.consumerRebalances = this.rebalances.labels({ group_type: 'consumer' });
    this.shareRebalances = this.rebalances.labels({ group_type: 'share' });
    this.metadataReads = new Counter({
      name: 'sluice_coordinator_metadata_reads_total',
      help: "The ownership check's Metadata reads of the paired broker, by kind: internal (the internal topics and the metadata offset, every check), whole (every topic, paged: when the offset moved).",
      labelNames: ['kind'],
      registers,
    });
    this.internalMetadataReads = this.metadataReads.labels({ kind: 'internal' });
    this.wholeMetadataReads = this.metadataReads.labels({ kind: 'whole' });
    const byState = (states: readonly string[], groups: Iterable<{ readonly state: string }>): Map<string, number> => {
      const counts = new Map(states.map((state) => [state, 0]));
      for (const { state } of groups) counts.set(state, (counts.get(state) ?? 0) + 1);
      return counts;
    };
    new Gauge({
      name: 'sluice_coordinator_consumer_groups',
      help: 'Consumer groups this coordinator serves, by state (EMPTY, ASSIGNING, RECONCILING, STABLE).',
      labelNames: ['state'],
      registers,
      collect() {
        for (const [state, count] of byState(CONSUMER_GROUP_STATES, source.consumerGroups()))
          this.set({ state }, count);
      },
    });
    new Gauge({
      name: 'sluice_coordinator_share_groups',
      help: 'Share groups this coordinator serves, by state (EMPTY, STABLE).',
      labelNames: ['state'],
      registers,
      collect() {
        for (const [state, count] of byState(SHARE_GROUP_STATES, source.shareGroups())) this.set({ state }, count);
      },
    });
    new Gauge({
      name: 'sluice_coordinator_partitions',
      help: 'Partitions of the internal topics (__consumer_offsets, __share_group_state) this coordinator serves, by status (loading, active).',
      labelNames: ['topic', 'status'],
      registers,
      collect() {
        this.reset();
        const counts = new Map<string, { topic: string; status: string; count: number }>();
        for (const { topic, status } of source.ownedPartitions()) {
          const key = `${topic}\u0000${status}`;
          const found = counts.get(key);
          if (found === undefined) counts.set(key, { topic, status, count: 1 });
          else found.count++;
        }
        for (const { topic, status, count } of counts.values()) this.set({ topic, status }, count);
      },
    });
    new Gauge({
      name: 'sluice_coordinator_consumer_group_lag',
      help: "Records between a consumer group's committed offset and the partition's high watermark (read periodically), by group, topic and partition.",
      labelNames: ['group', 'topic', 'partition'],
      registers,
      collect() {
        this.reset();
        for (const { groupId, topic, partition, lag } of source.lag.samples())
          this.set({ group: groupId, topic, partition: String(partition) }, lag);
      },
    });
    new Gauge({
      name: 'sluice_coordinator_consumer_lag_untracked_partitions',
      help: 'Committed partitions left out of sluice_coordinator_consumer_group_lag by its bound.',
      registers,
      collect() {
        this.set(source.lag.untrackedPartitions);
      },
    });
  }

  /** Counts the rebalances among records the coordinator committed. */
  written(records: readonly GroupRecord[]): void {
    for (const record of records) {
      if (record.type === 'TargetAssignmentEpoch') this.consumerRebalances.inc();
      else if (record.type === 'ShareGroupMetadata' && record.value !== null) this.shareRebalances.inc();
    }
  }
}
