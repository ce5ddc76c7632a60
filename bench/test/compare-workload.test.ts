import { describeTuning, kafkaProducerProps, parsePlan, parseTuning, UsageError } from '../src/compare-workload';

describe('the fair plan (bench:compare without --quick)', () => {
  const plan = parsePlan([]);

  it("runs the issue's workload: 1 KiB, 6 partitions, RF 3, acks=all and acks=leader", () => {
    expect(plan.mode).toBe('fair');
    expect(plan.workload).toMatchObject({ recordBytes: 1024, partitions: 6, replication: 3, producers: 1 });
    expect(plan.systems).toEqual(['sluice', 'kafka', 'kafkajs', 'nats', 'redis']);
  });

  it('runs each produce setting on producer defaults and tuned the same way, plus sluice best for sluice only', () => {
    const produce = plan.workload.settings.filter((s) => s.kind === 'produce');
    expect(produce.map((s) => s.label)).toEqual([
      'produce acks=all · defaults',
      'produce acks=all · tuned',
      'produce acks=all · sluice best',
      'produce acks=leader · defaults',
      'produce acks=leader · tuned',
      'produce acks=leader · sluice best',
    ]);
    const tuned = produce.find((s) => s.label === 'produce acks=all · tuned');
    expect(tuned?.producer).toEqual({ name: 'tuned', batchSizeBytes: 131_072, lingerMs: 5 });
    expect(tuned?.onlySystems).toBeUndefined();
    const best = produce.find((s) => s.label === 'produce acks=all · sluice best');
    expect(best?.onlySystems).toEqual(['sluice']);
    expect(best?.compareTo).toBe('produce acks=all · tuned');
    expect(best?.producer).toEqual({ name: 'sluice best', batchSizeBytes: 1_048_576, lingerMs: 5 });
  });

  it("sends keyless produce records for the client's sticky partitioner, as ProducerPerformance does; the quick pass keeps its round robin", () => {
    const produce = plan.workload.settings.filter((s) => s.kind === 'produce');
    expect(produce.every((s) => s.clientPartitioner === true)).toBe(true);
    const quick = parsePlan(['--quick']).workload.settings.filter((s) => s.kind === 'produce');
    expect(quick.map((s) => s.clientPartitioner)).toEqual([undefined]);
  });

  it('reads the backlog and measures e2e at 5,000 records/s with p99.9', () => {
    const kinds = plan.workload.settings.map((s) => s.label);
    expect(kinds).toContain('consume backlog');
    expect(kinds).toContain('e2e @ 5,000/s acks=all');
  });

  it('reads 1,500,000 records a consume run; an explicit --records or --consume-records sets it', () => {
    const consumeRecords = (argv: string[]): number | undefined =>
      parsePlan(argv).workload.settings.find((s) => s.kind === 'consume')?.records;
    expect(consumeRecords([])).toBe(1_500_000);
    expect(plan.workload.settings.find((s) => s.kind === 'produce')?.records).toBe(300_000);
    // bench:builds against older builds passes --records: both builds then read that many.
    expect(consumeRecords(['--records', '300000'])).toBe(300_000);
    expect(consumeRecords(['--records', '300000', '--consume-records', '900000'])).toBe(900_000);
    expect(consumeRecords(['--quick'])).toBe(50_000);
    expect(() => parsePlan(['--consume-records', '0'])).toThrow(UsageError);
  });

  it('warms until two consecutive runs are within 5%, after 3 million records, at most 12 runs; 4 runs a produce setting', () => {
    expect(plan.fair).toEqual({
      produceRuns: 4,
      probeRuns: 2,
      warmup: { tolerance: 0.05, minRecords: 3_000_000, maxRuns: 12 },
    });
  });

  it('leaves the tracing and security rows to be asked for (the quick pass keeps them)', () => {
    expect(plan.tracingPercents).toEqual([]);
    expect(plan.security).toBe(false);
    const quick = parsePlan(['--quick']);
    expect(quick.tracingPercents).toEqual([1, 100]);
    expect(quick.security).toBe(true);
    expect(parsePlan(['--tracing', '1', '--security', 'on'])).toMatchObject({ tracingPercents: [1], security: true });
  });
});

describe('flags', () => {
  it('keeps the quick pass as one row per acks on producer defaults, labelled as before', () => {
    const quick = parsePlan(['--quick']);
    expect(quick.mode).toBe('quick');
    expect(quick.workload.partitions).toBe(12);
    expect(quick.workload.settings.filter((s) => s.kind === 'produce').map((s) => s.label)).toEqual([
      'produce acks=all',
    ]);
  });

  it('takes the warm-up rule, run counts, producer configs and sluice best from flags', () => {
    const plan = parsePlan([
      '--runs',
      '6',
      '--probe-runs',
      '3',
      '--warmup-tolerance',
      '3',
      '--warmup-min-records',
      '0',
      '--warmup-max-runs',
      '5',
      '--producer-configs',
      'tuned,best',
      '--sluice-best',
      'batch.size=262144,linger.ms=2',
    ]);
    expect(plan.fair).toEqual({ produceRuns: 6, probeRuns: 3, warmup: { tolerance: 0.03, minRecords: 0, maxRuns: 5 } });
    expect(plan.workload.settings.filter((s) => s.kind === 'produce').map((s) => s.producer)).toEqual([
      { name: 'tuned', batchSizeBytes: 131_072, lingerMs: 5 },
      { name: 'sluice best', batchSizeBytes: 262_144, lingerMs: 2 },
      { name: 'tuned', batchSizeBytes: 131_072, lingerMs: 5 },
      { name: 'sluice best', batchSizeBytes: 262_144, lingerMs: 2 },
    ]);
  });

  it('plans the scaling run: sluice and Kafka, produce tuned only, the issue sweeps', () => {
    const plan = parsePlan(['--scaling']);
    expect(plan.mode).toBe('scaling');
    expect(plan.systems).toEqual(['sluice', 'kafka']);
    expect(plan.scaling).toEqual({ partitionCounts: [6, 60, 600, 6_000], producerCounts: [1, 4, 16], runs: 2 });
    expect(plan.workload.settings.map((s) => s.label)).toEqual([
      'produce acks=all · tuned',
      'produce acks=leader · tuned',
    ]);
    expect(parsePlan(['--scaling', '--scaling-partitions', '6,600', '--scaling-producers', '2']).scaling).toEqual({
      partitionCounts: [6, 600],
      producerCounts: [2],
      runs: 2,
    });
  });

  it('refuses bad values with a clear usage error', () => {
    expect(() => parsePlan(['--quick', '--scaling'])).toThrow(/pick one/);
    expect(() => parsePlan(['--warmup-max-runs', '1'])).toThrow(/at least 2/);
    expect(() => parsePlan(['--warmup-tolerance', '0'])).toThrow(UsageError);
    expect(() => parsePlan(['--warmup-tolerance', 'five'])).toThrow(UsageError);
    expect(() => parsePlan(['--scaling-partitions', '6,x'])).toThrow(/comma list of positive integers/);
    expect(() => parsePlan(['--producer-configs', 'fast'])).toThrow(/not one of defaults, tuned, best/);
    expect(() => parsePlan(['--sluice-best', 'acks=1'])).toThrow(/only batch.size/);
    expect(() => parsePlan(['--sluice-best', 'batch.size=0'])).toThrow(UsageError);
    expect(() => parsePlan(['--runs', '0'])).toThrow(/positive integer/);
    expect(() => parsePlan(['--heap-prof'])).toThrow(/--heap-prof needs --cpu-prof DIR/);
  });

  it('profiles allocations only when asked, next to the CPU profiles', () => {
    expect(parsePlan(['--cpu-prof', '/tmp/p'])).toMatchObject({ cpuProfileDir: '/tmp/p', heapProfile: false });
    expect(parsePlan(['--cpu-prof', '/tmp/p', '--heap-prof', '--quick'])).toMatchObject({
      cpuProfileDir: '/tmp/p',
      heapProfile: true,
      mode: 'quick',
    });
  });
});

describe('producer tunings', () => {
  it('are described for the table and handed to Kafka as producer properties', () => {
    expect(describeTuning(undefined)).toBe('client defaults (batch.size 16384, linger.ms 5)');
    expect(describeTuning({ name: 'defaults' })).toBe('client defaults (batch.size 16384, linger.ms 5)');
    expect(describeTuning({ name: 'tuned', batchSizeBytes: 131_072, lingerMs: 5 })).toBe(
      'batch.size 131072, linger.ms 5',
    );
    expect(kafkaProducerProps({ name: 'defaults' })).toEqual([]);
    expect(kafkaProducerProps({ name: 'tuned', batchSizeBytes: 131_072, lingerMs: 5 })).toEqual([
      'batch.size=131072',
      'linger.ms=5',
    ]);
    expect(parseTuning('linger.ms=0', 'sluice best')).toEqual({ name: 'sluice best', lingerMs: 0 });
  });
});
