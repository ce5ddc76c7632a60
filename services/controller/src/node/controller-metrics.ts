/**
 * The controller's Prometheus metrics (Kafka-ish names under the sluice_controller_ prefix). The
 * cluster-wide gauges (offline partitions, metadata lag per node) are read from the image and the
 * quorum at scrape time, on the active controller only, so a cluster sums to one answer.
 */
import type { MetadataImage, MetadataRecord } from '@sluice/metadata';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What the scrape-time gauges read. */
export interface ControllerMetricsSource {
  /** This node is the active controller now. */
  isActive(): boolean;
  image(): MetadataImage;
  /** The last applied metadata offset (Raft index). */
  appliedOffset(): number;
  /** Each broker's last reported applied metadata offset (the active controller's heartbeat sessions). */
  brokerMetadataOffsets(): ReadonlyMap<number, number>;
  /** While leading: last Raft index and each other voter's match index. */
  voterProgress(): { readonly lastIndex: number; readonly matchByVoter: ReadonlyMap<number, number> } | null;
}

export class ControllerMetrics {
  readonly activeController: Gauge;
  readonly raftTerm: Gauge;
  readonly appliedOffset: Gauge;
  readonly topics: Gauge;
  readonly partitions: Gauge;
  readonly brokers: Gauge;
  readonly fencedBrokers: Gauge;
  readonly fetchStreams: Gauge;
  readonly requests: Counter;
  readonly writeLatency: Histogram;
  readonly electionsWon: Counter;
  readonly partitionLeaderElections: Counter;

  constructor(registry: Registry, source: ControllerMetricsSource) {
    const registers = [registry];
    this.activeController = new Gauge({
      name: 'sluice_controller_active',
      help: '1 on the active (leader) controller once activated',
      registers,
    });
    this.raftTerm = new Gauge({
      name: 'sluice_controller_raft_term',
      help: 'current Raft term as this node knows it',
      registers,
    });
    this.appliedOffset = new Gauge({
      name: 'sluice_controller_metadata_applied_offset',
      help: 'Raft index of the last applied metadata entry',
      registers,
    });
    this.topics = new Gauge({
      name: 'sluice_controller_topics',
      help: 'topics in the applied metadata image',
      registers,
    });
    this.partitions = new Gauge({
      name: 'sluice_controller_partitions',
      help: 'partitions in the applied metadata image',
      registers,
    });
    this.brokers = new Gauge({ name: 'sluice_controller_registered_brokers', help: 'registered brokers', registers });
    this.fencedBrokers = new Gauge({
      name: 'sluice_controller_fenced_brokers',
      help: 'registered brokers that are fenced',
      registers,
    });
    this.fetchStreams = new Gauge({
      name: 'sluice_controller_fetch_metadata_streams',
      help: 'open FetchMetadata streams',
      registers,
    });
    this.requests = new Counter({
      name: 'sluice_controller_requests_total',
      help: 'controller requests by operation and result',
      labelNames: ['operation', 'result'],
      registers,
    });
    this.writeLatency = new Histogram({
      name: 'sluice_controller_write_latency_seconds',
      help: 'time from a write reaching the controller to its commit (the quorum commit latency a caller sees)',
      labelNames: ['operation'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.electionsWon = new Counter({
      name: 'sluice_controller_elections_won_total',
      help: 'Raft terms in which this node became the quorum leader (summed over the quorum: controller elections)',
      registers,
    });
    this.partitionLeaderElections = new Counter({
      name: 'sluice_controller_partition_leader_elections_total',
      help: 'partition leader changes this node committed as the active controller (failover, controlled shutdown, preferred or unclean election) (Kafka LeaderElectionRateAndTimeMs count)',
      registers,
    });
    new Gauge({
      name: 'sluice_controller_offline_partitions',
      help: 'partitions without a leader, on the active controller (Kafka OfflinePartitionsCount)',
      registers,
      collect() {
        if (!source.isActive()) return this.set(0);
        let offline = 0;
        for (const topic of source.image().topics.topics()) {
          for (let p = 0; p < topic.partitionCount; p++) if (topic.leader(p) < 0) offline++;
        }
        this.set(offline);
      },
    });
    new Gauge({
      name: 'sluice_controller_metadata_offset_lag',
      help: "how far each node's metadata trails, on the active controller: brokers by their last heartbeat's applied offset (peer_role=broker), voters by their replicated Raft index (peer_role=controller)",
      labelNames: ['peer_role', 'peer_id'],
      registers,
      collect() {
        this.reset();
        if (!source.isActive()) return;
        const applied = source.appliedOffset();
        for (const [brokerId, offset] of source.brokerMetadataOffsets())
          this.set({ peer_role: 'broker', peer_id: String(brokerId) }, Math.max(0, applied - offset));
        const voters = source.voterProgress();
        if (voters === null) return;
        for (const [voterId, match] of voters.matchByVoter)
          this.set({ peer_role: 'controller', peer_id: String(voterId) }, Math.max(0, voters.lastIndex - match));
      },
    });
  }

  /** Counts the partition leader changes among records this node committed. */
  committed(records: readonly MetadataRecord[]): void {
    let elections = 0;
    for (const record of records) if (record.type === 'PartitionChange' && record.leader !== undefined) elections++;
    if (elections > 0) this.partitionLeaderElections.inc(elections);
  }
}
