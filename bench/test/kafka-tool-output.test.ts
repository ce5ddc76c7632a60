import {
  combineProducerRuns,
  KafkaToolOutputError,
  parseConsumerPerformance,
  parseE2eRate,
  parseEndToEndLatency,
  parseProducerPerformance,
} from '../src/kafka-tool-output';

// As Kafka 4.1's ProducerPerformance prints them: progress every 5 s, then the summary.
const PRODUCER_OUTPUT = [
  '152881 records sent, 30576.2 records/sec (29.86 MB/sec), 652.3 ms avg latency, 1109.0 ms max latency.',
  '201114 records sent, 40222.8 records/sec (39.28 MB/sec), 498.1 ms avg latency, 801.0 ms max latency.',
  '600000 records sent, 36712.4 records/sec (35.85 MB/sec), 540.21 ms avg latency, 1109.00 ms max latency, 512 ms 50th, 901 ms 95th, 1003 ms 99th, 1090 ms 99.9th.',
  '',
].join('\n');

describe("ProducerPerformance's output", () => {
  it('reads the final summary, not a progress line', () => {
    expect(parseProducerPerformance(PRODUCER_OUTPUT)).toEqual({
      records: 600_000,
      recordsPerSecond: 36712.4,
      mbPerSecond: 35.85,
      avgLatencyMs: 540.21,
    });
  });

  it('says which tool and what was missing when there is no summary (a crashed run)', () => {
    const crashed = PRODUCER_OUTPUT.split('\n').slice(0, 2).join('\n') + '\nException in thread "main"';
    expect(() => parseProducerPerformance(crashed)).toThrow(KafkaToolOutputError);
    expect(() => parseProducerPerformance(crashed)).toThrow(/ProducerPerformance: no summary line/);
  });

  it('combines parallel producers over the longest one, not by adding their rates', () => {
    // 100k at 50k/s (2 s) and 100k at 25k/s (4 s): 200k in 4 s, not 75k/s.
    const combined = combineProducerRuns([
      { records: 100_000, recordsPerSecond: 50_000, mbPerSecond: 48.8, avgLatencyMs: 1 },
      { records: 100_000, recordsPerSecond: 25_000, mbPerSecond: 24.4, avgLatencyMs: 1 },
    ]);
    expect(combined).toEqual({ records: 200_000, seconds: 4 });
    expect(() => combineProducerRuns([])).toThrow(RangeError);
    expect(() => combineProducerRuns([{ records: 1, recordsPerSecond: 0, mbPerSecond: 0, avgLatencyMs: 0 }])).toThrow(
      /0 records\/s/,
    );
  });
});

describe("ConsumerPerformance's output", () => {
  const header =
    'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';
  const values =
    '2026-12-06 17:20:01:123, 2026-12-06 17:20:05:456, 292.9688, 67.6, 300000, 69231.2, 3012, 1321, 221.7805, 227100.7';

  it('reads records and fetch time by the header names', () => {
    expect(parseConsumerPerformance(`some log line\n${header}\n${values}\n`)).toEqual({
      records: 300_000,
      fetchMs: 1321,
      rebalanceMs: 3012,
    });
  });

  it('follows the header when the columns move', () => {
    const moved = 'start.time, end.time, fetch.time.ms, data.consumed.in.nMsg, rebalance.time.ms';
    expect(parseConsumerPerformance(`${moved}\n2026-12-06 17:20:01:123, x, 900, 5000, 12\n`)).toEqual({
      records: 5000,
      fetchMs: 900,
      rebalanceMs: 12,
    });
  });

  it("reads Kafka 4's column order without a header, and refuses output without a result", () => {
    expect(parseConsumerPerformance(values).records).toBe(300_000);
    expect(() => parseConsumerPerformance(header)).toThrow(/ConsumerPerformance: no result line/);
    expect(() => parseConsumerPerformance(`${header}\n2026-12-06 17:20:01:123, x, y`)).toThrow(
      /no data.consumed.in.nMsg/,
    );
  });
});

describe("EndToEndLatency's and E2eRate's output", () => {
  it('reads the average and the percentiles, telling 99th from 99.9th', () => {
    const out = 'Avg latency: 2.5310 ms\nPercentiles: 50th = 2, 99th = 7, 99.9th = 15\n';
    expect(parseEndToEndLatency(out)).toEqual({ avgMs: 2.531, p50: 2, p99: 7, p999: 15 });
    expect(() => parseEndToEndLatency('Percentiles: 50th = 2')).toThrow(/EndToEndLatency: no average latency/);
  });

  it("reads E2eRate.java's RESULT line and names a missing field", () => {
    const result = { records: 150_000, seconds: 30.1, received: 150_000, p50: 11.6, p99: 62.8, p999: 95 };
    expect(parseE2eRate(`warming\nRESULT ${JSON.stringify(result)}\n`)).toEqual(result);
    expect(() => parseE2eRate('RESULT {"records":1}')).toThrow(/E2eRate.java: no seconds/);
    expect(() => parseE2eRate('RESULT {oops')).toThrow(/JSON on the RESULT line/);
    expect(() => parseE2eRate('nothing')).toThrow(/no RESULT line/);
  });
});
