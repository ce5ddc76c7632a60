import { Registry } from 'prom-client';
import { partitionsToExport, registerTieringMetrics } from '../src/node/tiering-metrics';
import type { PartitionTieringGauges, TieringSnapshot } from '../src/node/remote-log-manager';

function partition(topic: string, index: number, lagBytes: number, sizeBytes: number): PartitionTieringGauges {
  return {
    topic,
    partition: index,
    remoteSizeBytes: sizeBytes,
    copyLagBytes: lagBytes,
    copyLagSegments: lagBytes > 0 ? 1 : 0,
  };
}

function snapshotOf(partitions: PartitionTieringGauges[]): TieringSnapshot {
  return {
    counts: new Map(),
    partitions,
    remoteSizeBytes: new Map(),
    copyLagBytes: new Map(),
    copyLagSegments: new Map(),
    store: {
      putRequests: 0,
      getRequests: 0,
      deleteRequests: 0,
      listRequests: 0,
      putBytes: 0,
      getBytes: 0,
      failures: 0,
    },
    chunkCache: { hits: 0, misses: 0, cachedBytes: 0 },
    remoteReads: { inFlight: 3, pending: 2, peakInFlight: 3, rejected: 0 },
  };
}

describe('per-partition tiering series', () => {
  it('exports the most lagging, then the largest partitions, at most the cap', () => {
    const chosen = partitionsToExport(
      [
        partition('b', 0, 0, 10),
        partition('a', 1, 0, 10),
        partition('a', 2, 500, 1),
        partition('a', 0, 0, 99),
        partition('c', 3, 900, 0),
      ],
      4,
    );
    expect(chosen.map((p) => `${p.topic}-${p.partition}`)).toEqual(['c-3', 'a-2', 'a-0', 'a-1']);
    expect(partitionsToExport([partition('a', 0, 1, 1)], 0)).toEqual([]);
  });

  it('labels the gauges with topic and partition and bounds their cardinality', async () => {
    const registry = new Registry();
    const partitions = Array.from({ length: 30 }, (_, i) => partition('orders', i, i * 100, 1000 + i));
    registerTieringMetrics(registry, { tieringSnapshot: () => snapshotOf(partitions) }, 10);
    const text = await registry.metrics();
    const lagLines = text
      .split('\n')
      .filter((line) => line.startsWith('sluice_broker_remote_partition_copy_lag_bytes{'));
    expect(lagLines).toHaveLength(10);
    expect(lagLines).toContain('sluice_broker_remote_partition_copy_lag_bytes{topic="orders",partition="29"} 2900');
    const sizeLines = text
      .split('\n')
      .filter((line) => line.startsWith('sluice_broker_remote_partition_log_size_bytes{'));
    expect(sizeLines).toHaveLength(10);
    expect(sizeLines).toContain('sluice_broker_remote_partition_log_size_bytes{topic="orders",partition="20"} 1020');
    expect(text).not.toContain('partition="19"');
    expect(() => registerTieringMetrics(new Registry(), { tieringSnapshot: () => null }, -1)).toThrow(
      /maxPartitionSeries/,
    );
  });

  it('exports the remote reads in flight and waiting (remote.log.reader.*)', async () => {
    const registry = new Registry();
    registerTieringMetrics(registry, { tieringSnapshot: () => snapshotOf([]) });
    const lines = (await registry.metrics()).split('\n');
    expect(lines).toContain('sluice_broker_remote_reads_in_flight 3');
    expect(lines).toContain('sluice_broker_remote_reads_pending 2');
    expect(lines).toContain('sluice_broker_remote_reads_rejected_total 0');
  });

  it('exports nothing per partition while tiering is off', async () => {
    const registry = new Registry();
    registerTieringMetrics(registry, { tieringSnapshot: () => null });
    expect(await registry.metrics()).not.toMatch(/^sluice_broker_remote_partition_\w+\{/m);
  });
});
