/** The controller's Prometheus metrics (Kafka-ish names under the sluice_controller_ prefix). */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

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

  constructor(registry: Registry) {
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
      help: 'time from a write reaching the controller to its commit',
      labelNames: ['operation'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
  }
}
