import { renderScalingTable, scalingCells, SCALING_HEADERS, type ScalingResult } from '../src/scaling-plan';

describe('scaling cells', () => {
  it("runs the issue's sweeps: producers at the base partitions first, then partitions ascending, shared cell once", () => {
    const cells = scalingCells({ partitionCounts: [6_000, 6, 600, 60], producerCounts: [16, 1, 4], runs: 2 }, 6);
    expect(cells).toEqual([
      { partitions: 6, producers: 1 },
      { partitions: 6, producers: 4 },
      { partitions: 6, producers: 16 },
      { partitions: 60, producers: 1 },
      { partitions: 600, producers: 1 },
      { partitions: 6_000, producers: 1 },
    ]);
  });
});

describe('the scaling table', () => {
  const result = (system: string, partitions: number, mb: number[], rss: number, reference = false): ScalingResult => ({
    cell: { partitions, producers: 1 },
    system,
    reference,
    mbPerSecondByRun: mb,
    recordsPerSecondByRun: mb.map((v) => v * 1000),
    peakRssMiB: rss,
    idleRssMiB: rss / 2,
    cpuSecondsPerGBByRun: [10, 20],
    createSeconds: 1.25,
  });
  const table = renderScalingTable([
    result('sluice', 6, [30, 40], 1500),
    result('Apache Kafka 4.1.1', 6, [60, 80], 3000, true),
    result('sluice', 6000, [], 4000),
    result('Apache Kafka 4.1.1', 6000, [20, 20], 5000, true),
  ]);
  const line = (n: number): string[] =>
    (table.split('\n')[n] ?? '')
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());

  it('shows each run, the median, both RSS figures and ratios against Kafka in the same cell', () => {
    expect(line(0)).toEqual(SCALING_HEADERS);
    expect(line(2)).toEqual([
      '6',
      '1',
      'sluice',
      '30.0 / 40.0',
      '35.0',
      '35,000',
      '1,500',
      '750',
      '15.0',
      '1.3',
      '0.50×',
      '0.50×',
    ]);
    expect(line(5)[0]).toBe('6,000');
  });

  it('marks a cell whose runs all failed instead of printing a zero ratio', () => {
    expect(line(4)[3]).toBe('(failed)');
    expect(line(4)[10]).toBe('–');
    expect(line(4)[11]).toBe('0.80×');
  });
});
