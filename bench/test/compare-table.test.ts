import { renderTable, TABLE_HEADERS, type ResultRow } from '../src/compare-table';
import { renderRunLog, RUN_LOG_HEADERS } from '../src/fair-table';
import type { RunRecord } from '../src/fair-runs';

const cells = (table: string, line: number): string[] =>
  (table.split('\n')[line] ?? '')
    .split('|')
    .slice(1, -1)
    .map((cell) => cell.trim());

const column = (name: string): number => TABLE_HEADERS.indexOf(name);

function row(partial: Partial<ResultRow> & Pick<ResultRow, 'system' | 'setting'>): ResultRow {
  return {
    driver: 'x',
    kind: 'produce',
    records: 100_000,
    bytes: 102_400_000,
    seconds: 1,
    rssMiB: 1000,
    serverCpuSeconds: 10,
    ...partial,
  };
}

describe('the side-by-side table', () => {
  const kafkaTuned = row({
    system: 'Apache Kafka 4.1.1',
    setting: 'produce acks=all · tuned',
    reference: true,
    producer: 'batch.size 131072, linger.ms 5',
    runs: [40, 60, 50, 70].map((mb) => ({
      mbPerSecond: mb,
      recordsPerSecond: mb * 1000,
      cpuSecondsPerGB: 20,
      rssMiB: 3000,
    })),
    rssMiB: 3000,
  });
  const sluiceTuned = row({
    system: 'sluice',
    setting: 'produce acks=all · tuned',
    producer: 'batch.size 131072, linger.ms 5',
    runs: [30, 40, 35, 38].map((mb) => ({
      mbPerSecond: mb,
      recordsPerSecond: mb * 1000,
      cpuSecondsPerGB: 30,
      rssMiB: 1500,
    })),
    rssMiB: 1500,
  });
  const sluiceBest = row({
    system: 'sluice',
    setting: 'produce acks=all · sluice best',
    compareTo: 'produce acks=all · tuned',
    producer: 'batch.size 1048576, linger.ms 5',
    runs: [{ mbPerSecond: 44, recordsPerSecond: 44_000, cpuSecondsPerGB: 25, rssMiB: 1600 }],
    rssMiB: 1600,
  });
  const table = renderTable([sluiceTuned, kafkaTuned, sluiceBest]);

  it('says which producer configuration each row ran and how many runs, with every run', () => {
    expect(cells(table, 0)).toEqual(TABLE_HEADERS);
    const sluice = cells(table, 2);
    expect(sluice[column('producer')]).toBe('batch.size 131072, linger.ms 5');
    expect(sluice[column('runs')]).toBe('4');
    expect(sluice[column('each run (MB/s, or e2e p99 ms)')]).toBe('30.0 / 40.0 / 35.0 / 38.0');
  });

  it('shows medians and ratios against the Kafka row of the same setting', () => {
    const sluice = cells(table, 2);
    expect(sluice[column('MB/s')]).toBe('36.5');
    expect(cells(table, 3)[column('MB/s')]).toBe('55.0');
    expect(sluice[column('× Kafka MB/s')]).toBe('0.66×');
    expect(sluice[column('× Kafka RSS')]).toBe('0.50×');
    expect(sluice[column('× Kafka CPU/GB')]).toBe('1.50×');
  });

  it("compares sluice's best with Kafka tuned, which it names", () => {
    const best = cells(table, 4);
    expect(best[column('× Kafka MB/s')]).toBe('0.80×');
    expect(best[column('runs')]).toBe('1');
  });

  it('shows one-pass rows (the peers, --quick) as one run without a run list', () => {
    const single = renderTable([row({ system: 'NATS', setting: 'consume backlog', kind: 'consume' })]);
    const line = cells(single, 2);
    expect(line[column('runs')]).toBe('1');
    expect(line[column('each run (MB/s, or e2e p99 ms)')]).toBe('–');
    expect(line[column('MB/s')]).toBe('102.4');
    expect(line[column('× Kafka MB/s')]).toBe('–');
  });

  it('lists e2e runs by their p99', () => {
    const e2e = renderTable([
      row({
        system: 'sluice',
        setting: 'e2e @ 5,000/s acks=all',
        kind: 'latency',
        latencyMs: { p50: 11.6, p99: 62.8, p999: 95, count: 300_000 },
        runs: [
          { mbPerSecond: 5, recordsPerSecond: 5000, cpuSecondsPerGB: 1, rssMiB: 1, p99Ms: 62.8 },
          { mbPerSecond: 5, recordsPerSecond: 5000, cpuSecondsPerGB: 1, rssMiB: 1, p99Ms: 7.25 },
        ],
      }),
    ]);
    const line = cells(e2e, 2);
    expect(line[column('each run (MB/s, or e2e p99 ms)')]).toBe('62.8 / 7.25');
    expect(line[column('p99.9 ms')]).toBe('95.0');
  });
});

describe('the run log', () => {
  const record = (sequence: number, phase: RunRecord['phase'], system: string): RunRecord => ({
    system,
    driver: 'x',
    setting: phase === 'warm-up' ? 'warm-up: produce acks=all · tuned' : 'produce acks=all · tuned',
    kind: 'produce',
    records: 300_000,
    bytes: 307_200_000,
    seconds: 10,
    rssMiB: 1234,
    serverCpuSeconds: 12.3,
    sequence,
    phase,
  });

  it('prints every run in the order run, warm-up runs marked with the verdict after each', () => {
    const log = renderRunLog(
      [record(3, 'measured', 'sluice'), record(1, 'warm-up', 'sluice'), record(2, 'warm-up', 'sluice')],
      new Map([
        [1, 'continue: 300000 of at least 1500000 records'],
        [2, 'warm: runs 1 and 2 within 1.0%'],
      ]),
    );
    expect(cells(log, 0)).toEqual(RUN_LOG_HEADERS);
    expect(cells(log, 2).slice(0, 2)).toEqual(['1', 'warm-up (not measured)']);
    expect(cells(log, 3)[9]).toBe('warm: runs 1 and 2 within 1.0%');
    expect(cells(log, 4).slice(0, 2)).toEqual(['3', 'measured']);
    expect(cells(log, 4)[4]).toBe('30.7');
    expect(cells(log, 4)[6]).toBe('–');
    expect(cells(log, 4)[9]).toBe('');
  });
});
