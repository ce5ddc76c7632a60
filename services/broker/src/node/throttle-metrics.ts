/**
 * The replication throttle's series, read from its core at scrape time (Kafka exposes the
 * LeaderReplication / FollowerReplication byte-rate sensors): the rate in force per side, the
 * bytes charged to it, and the reads it held back. A side without a rate has no rate sample.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { THROTTLE_SIDES, type ReplicationThrottle } from '../core/replication-throttle';

export function registerThrottleMetrics(registry: Registry, throttle: ReplicationThrottle): void {
  const registers = [registry];
  new Gauge({
    name: 'sluice_broker_replication_throttled_rate_bytes',
    help: 'The replication throttle in force on this broker, bytes/s, by side (leader|follower.replication.throttled.rate); no sample: unlimited.',
    labelNames: ['side'],
    registers,
    collect() {
      this.reset();
      for (const side of THROTTLE_SIDES) {
        const rate = throttle.rateBytesPerSecond(side);
        if (rate !== null) this.set({ side }, rate);
      }
    },
  });
  const cumulative = (name: string, help: string, read: (side: (typeof THROTTLE_SIDES)[number]) => number): void => {
    const reported = new Map<string, number>();
    new Counter({
      name,
      help,
      labelNames: ['side'],
      registers,
      collect() {
        for (const side of THROTTLE_SIDES) {
          const total = read(side);
          const before = reported.get(side) ?? 0;
          // Zero as well: the series exists from the first scrape.
          this.inc({ side }, Math.max(0, total - before));
          reported.set(side, Math.max(total, before));
        }
      },
    });
  };
  cumulative(
    'sluice_broker_replication_throttled_bytes_total',
    'Bytes of throttled replicas (out of the ISR, listed in leader|follower.replication.throttled.replicas) charged to the replication throttle, by side.',
    (side) => throttle.counts(side).throttledBytes,
  );
  cumulative(
    'sluice_broker_replication_throttled_reads_total',
    'Partition reads of throttled replicas held back because the side had used its rate, by side (each waits for the bytes before it to be paid).',
    (side) => throttle.counts(side).heldBackReads,
  );
}
