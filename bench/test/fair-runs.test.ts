import { alternatingOrder, aggregateRuns, type RunRecord } from '../src/fair-runs';
import { cpuSecondsPerGB, mbPerSecond, recordsPerSecond } from '../src/compare-table';

describe('alternating order', () => {
  it('runs two systems as A B B A blocks', () => {
    expect(alternatingOrder(['sluice', 'kafka'], 4)).toEqual([
      'sluice',
      'kafka',
      'kafka',
      'sluice',
      'sluice',
      'kafka',
      'kafka',
      'sluice',
    ]);
  });

  it('gives every system the same number of turns, first as often as last over whole blocks', () => {
    const systems = ['a', 'b', 'c'];
    const order = alternatingOrder(systems, 6);
    for (const system of systems) expect(order.filter((s) => s === system)).toHaveLength(6);
    const passes = Array.from({ length: 6 }, (_, pass) => order.slice(pass * 3, pass * 3 + 3));
    for (const system of systems) {
      expect(passes.filter((pass) => pass[0] === system).length).toBe(
        passes.filter((pass) => pass[2] === system).length,
      );
    }
  });

  it('repeats a lone system and runs nothing for zero runs', () => {
    expect(alternatingOrder(['sluice'], 3)).toEqual(['sluice', 'sluice', 'sluice']);
    expect(alternatingOrder(['sluice', 'kafka'], 0)).toEqual([]);
    expect(alternatingOrder([], 4)).toEqual([]);
  });

  it('refuses repeated systems and impossible run counts', () => {
    expect(() => alternatingOrder(['a', 'a'], 2)).toThrow(/distinct/);
    expect(() => alternatingOrder(['a'], -1)).toThrow(RangeError);
    expect(() => alternatingOrder(['a'], 1.5)).toThrow(RangeError);
  });
});

function run(partial: Partial<RunRecord> & Pick<RunRecord, 'sequence' | 'system'>): RunRecord {
  return {
    driver: partial.system === 'sluice' ? '@sluice/client' : 'kafka-tools',
    setting: 'produce acks=all · tuned',
    kind: 'produce',
    records: 100_000,
    bytes: 100_000 * 1024,
    seconds: 2,
    rssMiB: 500,
    serverCpuSeconds: 4,
    phase: 'measured',
    ...partial,
  };
}

describe('aggregating runs into rows', () => {
  const runs: RunRecord[] = [
    run({ sequence: 1, system: 'sluice', phase: 'warm-up', seconds: 10, rssMiB: 9_999 }),
    run({ sequence: 2, system: 'sluice', seconds: 4, rssMiB: 700, producer: 'batch.size 131072, linger.ms 5' }),
    run({ sequence: 3, system: 'Apache Kafka 4.1.1', seconds: 2, reference: true, note: 'ProducerPerformance' }),
    run({ sequence: 4, system: 'Apache Kafka 4.1.1', seconds: 1, reference: true, note: 'ProducerPerformance' }),
    run({ sequence: 5, system: 'sluice', seconds: 2, rssMiB: 650, serverCpuSeconds: 8 }),
    run({ sequence: 6, system: 'sluice', seconds: 1, rssMiB: 600 }),
  ];
  const rows = aggregateRuns(runs);

  it('makes one row per system and setting, in first-seen order, warm-up runs left out', () => {
    expect(rows.map((row) => row.system)).toEqual(['sluice', 'Apache Kafka 4.1.1']);
    expect(rows[0]?.runs).toHaveLength(3);
    expect(rows[0]?.records).toBe(300_000);
    expect(rows[0]?.seconds).toBe(7);
  });

  it('shows the median of the runs, the peak RSS, and keeps each run', () => {
    const sluice = rows[0]!;
    // 102.4 MB per run over 4, 2, 1 s: 25.6, 51.2, 102.4 MB/s: median 51.2.
    expect(sluice.runs?.map((r) => r.mbPerSecond)).toEqual([25.6, 51.2, 102.4]);
    expect(mbPerSecond(sluice)).toBeCloseTo(51.2);
    expect(recordsPerSecond(sluice)).toBe(50_000);
    expect(sluice.rssMiB).toBe(700);
    // CPU s/GB per run: 4 / 0.1024, 8 / 0.1024, 4 / 0.1024: median 39.06.
    expect(cpuSecondsPerGB(sluice)).toBeCloseTo(4 / 0.1024);
    expect(sluice.producer).toBe('batch.size 131072, linger.ms 5');
  });

  it('averages the two middle runs of an even count and keeps the reference flag and notes', () => {
    const kafka = rows[1]!;
    expect(mbPerSecond(kafka)).toBeCloseTo((51.2 + 102.4) / 2);
    expect(kafka.reference).toBe(true);
    expect(kafka.note).toBe('ProducerPerformance');
  });

  it('takes the median of each latency percentile across runs', () => {
    const latencyRuns = [10, 30, 20].map((p99, i) =>
      run({
        sequence: i + 1,
        system: 'sluice',
        kind: 'latency',
        setting: 'e2e @ 5,000/s acks=all',
        latencyMs: { p50: p99 / 10, p99, p999: p99 * 2, count: 1000 },
      }),
    );
    const [row] = aggregateRuns(latencyRuns);
    expect(row?.latencyMs).toEqual({ p50: 2, p99: 20, p999: 40, count: 3000 });
    expect(row?.runs?.map((r) => r.p99Ms)).toEqual([10, 30, 20]);
  });
});
