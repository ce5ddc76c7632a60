/**
 * What Apache Kafka's own tools print, read into numbers: ProducerPerformance's summary line,
 * ConsumerPerformance's CSV, EndToEndLatency's percentiles and bench/peers/E2eRate.java's RESULT
 * line. Pure: text in, figures out; a clear error naming the tool when the text is not what it
 * prints (a changed version, a crash), never a made-up zero.
 */

export class KafkaToolOutputError extends Error {
  constructor(tool: string, what: string, output: string) {
    super(`${tool}: no ${what} in its output:\n${output.trim().split('\n').slice(-20).join('\n')}`);
    this.name = 'KafkaToolOutputError';
  }
}

function numberIn(text: string, pattern: RegExp, tool: string, what: string, output: string): number {
  const match = pattern.exec(text);
  const value = match === null ? NaN : Number(match[1]);
  if (!Number.isFinite(value)) throw new KafkaToolOutputError(tool, what, output);
  return value;
}

export interface ProducerPerformanceSummary {
  readonly records: number;
  readonly recordsPerSecond: number;
  readonly mbPerSecond: number;
  readonly avgLatencyMs: number;
}

/**
 * ProducerPerformance prints a progress line every 5 s and a final summary with percentiles:
 * `600000 records sent, 66890.7 records/sec (65.32 MB/sec), 350.12 ms avg latency, 1200.00 ms max
 * latency, 300 ms 50th, 900 ms 95th, 1100 ms 99th, 1190 ms 99.9th.` The summary is the last line
 * that reports records sent and carries percentiles.
 */
export function parseProducerPerformance(output: string): ProducerPerformanceSummary {
  const tool = 'ProducerPerformance';
  const summary = output
    .split('\n')
    .filter((line) => /records sent/.test(line) && /99\.9th/.test(line))
    .pop();
  if (summary === undefined) throw new KafkaToolOutputError(tool, 'summary line', output);
  return {
    records: numberIn(summary, /^\s*(\d+) records sent/, tool, 'records sent', output),
    recordsPerSecond: numberIn(summary, /records sent, ([\d.]+) records\/sec/, tool, 'records/sec', output),
    mbPerSecond: numberIn(summary, /\(([\d.]+) MB\/sec\)/, tool, 'MB/sec', output),
    avgLatencyMs: numberIn(summary, /([\d.]+) ms avg latency/, tool, 'avg latency', output),
  };
}

/**
 * Several ProducerPerformance JVMs run at once (one per producer): records add up; the time is
 * the longest one's own (records / its rate), so a JVM that started late or ran slow is not
 * hidden by adding rates up (which would overstate the total when the runs do not overlap).
 */
export function combineProducerRuns(runs: readonly ProducerPerformanceSummary[]): {
  records: number;
  seconds: number;
} {
  if (runs.length === 0) throw new RangeError('combineProducerRuns: no runs');
  let records = 0;
  let seconds = 0;
  for (const run of runs) {
    if (!(run.recordsPerSecond > 0)) throw new RangeError(`a producer run reported ${run.recordsPerSecond} records/s`);
    records += run.records;
    seconds = Math.max(seconds, run.records / run.recordsPerSecond);
  }
  return { records, seconds };
}

export interface ConsumerPerformanceSummary {
  readonly records: number;
  /** fetch.time.ms: the time from the first fetch to the last (the group join left out). */
  readonly fetchMs: number;
  readonly rebalanceMs: number;
}

const CONSUMER_COLUMNS = [
  'start.time',
  'end.time',
  'data.consumed.in.MB',
  'MB.sec',
  'data.consumed.in.nMsg',
  'nMsg.sec',
  'rebalance.time.ms',
  'fetch.time.ms',
  'fetch.MB.sec',
  'fetch.nMsg.sec',
];

/**
 * ConsumerPerformance prints a CSV header (`start.time, end.time, data.consumed.in.MB, ...`) and
 * one line of values that starts with a date. Columns are read by the header's names where it is
 * there, else in the order Kafka 4 prints them.
 */
export function parseConsumerPerformance(output: string): ConsumerPerformanceSummary {
  const tool = 'ConsumerPerformance';
  const lines = output.split('\n').map((line) => line.trim());
  const header = lines.find((line) => line.startsWith('start.time'));
  const columns = header === undefined ? CONSUMER_COLUMNS : header.split(',').map((cell) => cell.trim());
  const values = lines.find((line) => /^\d{4}-\d\d-\d\d/.test(line));
  if (values === undefined) throw new KafkaToolOutputError(tool, 'result line', output);
  const cells = values.split(',').map((cell) => cell.trim());
  const column = (name: string): number => {
    const index = columns.indexOf(name);
    const value = index < 0 ? NaN : Number(cells[index]);
    if (!Number.isFinite(value)) throw new KafkaToolOutputError(tool, name, output);
    return value;
  };
  return {
    records: column('data.consumed.in.nMsg'),
    fetchMs: column('fetch.time.ms'),
    rebalanceMs: column('rebalance.time.ms'),
  };
}

export interface LatencyPercentiles {
  readonly avgMs: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
}

/** EndToEndLatency: `Avg latency: 2.3456 ms` and `Percentiles: 50th = 2, 99th = 5, 99.9th = 9`. */
export function parseEndToEndLatency(output: string): LatencyPercentiles {
  const tool = 'EndToEndLatency';
  return {
    avgMs: numberIn(output, /Avg latency: ([\d.]+) ms/, tool, 'average latency', output),
    p50: numberIn(output, /50th = ([\d.]+)/, tool, '50th percentile', output),
    p99: numberIn(output, /[^.]99th = ([\d.]+)/, tool, '99th percentile', output),
    p999: numberIn(output, /99\.9th = ([\d.]+)/, tool, '99.9th percentile', output),
  };
}

export interface E2eRateResult {
  readonly records: number;
  readonly seconds: number;
  readonly received: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
}

/** bench/peers/E2eRate.java ends with `RESULT {"records":..,"seconds":..,"received":..,"p50":..}`. */
export function parseE2eRate(output: string): E2eRateResult {
  const tool = 'E2eRate.java';
  const line = output.split('\n').find((l) => l.startsWith('RESULT '));
  if (line === undefined) throw new KafkaToolOutputError(tool, 'RESULT line', output);
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(line.slice('RESULT '.length)) as Record<string, unknown>;
  } catch {
    throw new KafkaToolOutputError(tool, 'JSON on the RESULT line', output);
  }
  const field = (name: keyof E2eRateResult): number => {
    const value = parsed[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new KafkaToolOutputError(tool, name, output);
    return value;
  };
  return {
    records: field('records'),
    seconds: field('seconds'),
    received: field('received'),
    p50: field('p50'),
    p99: field('p99'),
    p999: field('p999'),
  };
}
