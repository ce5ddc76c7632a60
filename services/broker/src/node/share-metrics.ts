/**
 * /metrics for share groups (KIP-932) on a partition leader: records acquired (also by which
 * delivery of the record it was), acknowledged (by type), archived, locks that expired, how long
 * share state writes take (they are on the path of every ShareFetch / ShareAcknowledge answer),
 * and at scrape time the share partitions held, the records locked and the lag per group and topic.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AcknowledgeType } from '../core/share-partition';

/** Delivery counts at and above this share one label value (`5+`): Kafka's default limit is 5. */
const MAX_DELIVERY_LABEL = 5;

export interface ShareMetrics {
  acquired(records: number): void;
  /** `records` acquired for their `deliveryCount`-th delivery (one call per acquired range). */
  delivered(deliveryCount: number, records: number): void;
  acknowledged(type: AcknowledgeType, records: number): void;
  archived(records: number): void;
  lockExpired(records: number): void;
  /** `outcome`: ok or the error name. */
  persisterWrite(seconds: number, outcome: string): void;
}

export const noShareMetrics: ShareMetrics = {
  acquired: () => undefined,
  delivered: () => undefined,
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
  const deliveries = new Counter({
    name: 'sluice_broker_share_deliveries_total',
    help: `Records acquired by share group members, by which delivery of the record it was (1 to ${MAX_DELIVERY_LABEL - 1}, then ${MAX_DELIVERY_LABEL}+): redeliveries show as counts above 1.`,
    labelNames: ['delivery_count'],
    registers: [registry],
  });
  // The label set is fixed and small: one child each, looked up once.
  const deliveryChildren = Array.from({ length: MAX_DELIVERY_LABEL }, (_, i) =>
    deliveries.labels({ delivery_count: i + 1 === MAX_DELIVERY_LABEL ? `${MAX_DELIVERY_LABEL}+` : String(i + 1) }),
  );
  const writeSeconds = new Histogram({
    name: 'sluice_broker_share_state_write_seconds',
    help: 'Latency of share state writes through the persister (share coordinator), by outcome.',
    labelNames: ['outcome'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return {
    acquired: (records) => acquired.inc(records),
    delivered: (deliveryCount, records) =>
      deliveryChildren[Math.min(Math.max(deliveryCount, 1), MAX_DELIVERY_LABEL) - 1]!.inc(records),
    acknowledged: (type, records) => acknowledged.inc({ type }, records),
    archived: (records) => archived.inc(records),
    lockExpired: (records) => expired.inc(records),
    persisterWrite: (seconds, outcome) => writeSeconds.observe({ outcome }, seconds),
  };
}

export interface ShareGaugeSource {
  readonly sharePartitionCount: number;
  shareGauges(): {
    readonly lockedRecords: number;
    readonly lag: ReadonlyMap<string, { readonly group: string; readonly topic: string; readonly records: number }>;
  };
}

/** Share partitions held, records locked, and lag per share group and topic, read at scrape time. */
export function registerShareGauges(registry: Registry, source: ShareGaugeSource): void {
  new Gauge({
    name: 'sluice_broker_share_partitions',
    help: 'Share partitions (share group x topic partition) this broker holds in memory as their leader.',
    registers: [registry],
    collect() {
      this.set(source.sharePartitionCount);
    },
  });
  new Gauge({
    name: 'sluice_broker_share_records_locked',
    help: 'Records acquired by a share group member and not yet acknowledged, released or expired (locks in flight).',
    registers: [registry],
    collect() {
      this.set(source.shareGauges().lockedRecords);
    },
  });
  new Gauge({
    name: 'sluice_broker_share_group_lag_records',
    help: "Records of a share group's partitions led here between the share partition start offset and the high watermark (not yet acknowledged or archived), by group and topic.",
    labelNames: ['group', 'topic'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { group, topic, records } of source.shareGauges().lag.values()) this.set({ group, topic }, records);
    },
  });
}
