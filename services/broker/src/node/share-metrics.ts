/**
 * /metrics for share groups (KIP-932) on a partition leader: records acquired, acknowledged (by
 * type), archived, locks that expired, and how long share state writes take (they are on the path
 * of every ShareFetch / ShareAcknowledge answer).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AcknowledgeType } from '../core/share-partition';

export interface ShareMetrics {
  acquired(records: number): void;
  acknowledged(type: AcknowledgeType, records: number): void;
  archived(records: number): void;
  lockExpired(records: number): void;
  /** `outcome`: ok or the error name. */
  persisterWrite(seconds: number, outcome: string): void;
}

export const noShareMetrics: ShareMetrics = {
  acquired: () => undefined,
  acknowledged: () => undefined,
  archived: () => undefined,
  lockExpired: () => undefined,
  persisterWrite: () => undefined,
};

export function registerShareMetrics(registry: Registry): ShareMetrics {
  const acquired = new Counter({
    name: 'sluice_broker_share_records_acquired_total',
    help: 'Records acquired by share group members (each delivery counts).',
    registers: [registry],
  });
  const acknowledged = new Counter({
    name: 'sluice_broker_share_records_acknowledged_total',
    help: 'Records share group members acknowledged, by type (ACCEPT, RELEASE, REJECT).',
    labelNames: ['type'],
    registers: [registry],
  });
  const archived = new Counter({
    name: 'sluice_broker_share_records_archived_total',
    help: 'Records archived without being accepted: rejected, or released/expired at the delivery count limit.',
    registers: [registry],
  });
  const expired = new Counter({
    name: 'sluice_broker_share_lock_expiries_total',
    help: 'Acquired records whose lock expired before an acknowledgement.',
    registers: [registry],
  });
  const writeSeconds = new Histogram({
    name: 'sluice_broker_share_state_write_seconds',
    help: 'Latency of share state writes through the persister (share coordinator), by outcome.',
    labelNames: ['outcome'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return {
    acquired: (records) => acquired.inc(records),
    acknowledged: (type, records) => acknowledged.inc({ type }, records),
    archived: (records) => archived.inc(records),
    lockExpired: (records) => expired.inc(records),
    persisterWrite: (seconds, outcome) => writeSeconds.observe({ outcome }, seconds),
  };
}

/** Share partitions (group x partition) the leader holds in memory, read at scrape time. */
export function registerSharePartitionGauge(registry: Registry, count: () => number): void {
  new Gauge({
    name: 'sluice_broker_share_partitions',
    help: 'Share partitions (share group x topic partition) this broker holds in memory as their leader.',
    registers: [registry],
    collect() {
      this.set(count());
    },
  });
}
