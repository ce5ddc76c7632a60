/**
 * `sluice produce <topic>`: records from stdin (one per line, as kafka-console-producer) or
 * generated ones (`--count N --size BYTES`, as kafka-producer-perf-test), through the client's
 * Producer. At most MAX_PENDING_RECORDS sends (and MAX_PENDING_BYTES of keys and values) are
 * unacknowledged at a time, and stdin is read only as fast as records are acknowledged, so
 * memory stays bounded whatever the input size. Ends with a summary: records, bytes, seconds,
 * records/s, MB/s and send-to-ack latency percentiles (stderr, or stdout with --json).
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import {
  Producer,
  describeApiError,
  errorReason,
  type Acks,
  type CompressionName,
  type ProducerRecord,
  type RecordMetadata,
} from '@sluice/client';
import { ApiError } from '@sluice/protocol';
import { Command } from 'commander';
import {
  integerOption,
  withBrokers,
  withClientConnectionOptions,
  type ClientConnectionOptions,
} from './client-session';
import { ExitCode, UsageError } from './exit-codes';
import { Interruption, onInterrupt, STOPPED, type CliIo } from './io';
import { LatencyHistogram } from './latency';
import { withCliTracing } from './tracing';
import { describeTopicFor, parseConfigPairs } from './topic-command';

/** Bounds on unacknowledged sends: back-pressure for stdin and generated records alike. */
export const MAX_PENDING_RECORDS = 10_000;
export const MAX_PENDING_BYTES = 16 * 1024 * 1024;
/** Size of generated values when only --count is given. */
export const DEFAULT_RECORD_SIZE = 100;
const PROGRESS_INTERVAL_MS = 500;
/** MB as kafka-producer-perf-test counts it. */
const MB = 1024 * 1024;
const COMPRESSIONS: readonly CompressionName[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

interface ProduceOptions extends ClientConnectionOptions {
  readonly key?: string;
  readonly keySeparator?: string;
  readonly header?: string[];
  readonly partition?: string;
  readonly count?: string;
  readonly size?: string;
  readonly acks: string;
  readonly compression: string;
  readonly lingerMs?: string;
  readonly batchSize?: string;
  readonly progress?: boolean;
  readonly json?: boolean;
  readonly trace?: boolean;
}

export interface ProduceSummary {
  readonly topic: string;
  /** Records acknowledged (as --acks says). */
  readonly records: number;
  /** Key and value bytes of the acknowledged records. */
  readonly bytes: number;
  /** Records whose send failed. */
  readonly failed: number;
  readonly seconds: number;
  readonly recordsPerSec: number;
  readonly mbPerSec: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly acks: string;
  readonly compression: string;
  readonly interrupted: boolean;
}

interface ProducePlan {
  readonly topic: string;
  readonly acks: Acks;
  readonly compression: CompressionName;
  readonly lingerMs?: number;
  readonly batchSizeBytes?: number;
  readonly partition?: number;
  readonly key?: Buffer;
  readonly keySeparator?: Buffer;
  /** The same headers on every record. */
  readonly headers: Readonly<Record<string, string>>;
  /** Generated records; stdin lines when absent. */
  readonly generate?: { readonly count: number; readonly size: number };
  readonly progress: boolean;
  readonly json: boolean;
  /** Trace every record (OpenTelemetry from the OTEL_* environment) and print each trace id. */
  readonly trace: boolean;
}

/** Validates the flags into a plan; every mistake is a UsageError (exit 2) before any connection. */
export function producePlan(topic: string, options: ProduceOptions, io: CliIo): ProducePlan {
  const acksText = options.acks.toLowerCase();
  if (!['0', '1', 'all', '-1'].includes(acksText))
    throw new UsageError(`--acks must be 0, 1 or all, got ${JSON.stringify(options.acks)}`);
  const acks: Acks = acksText === '0' ? 0 : acksText === '1' ? 1 : 'all';
  const compression = options.compression.toLowerCase() as CompressionName;
  if (!COMPRESSIONS.includes(compression))
    throw new UsageError(
      `--compression must be one of ${COMPRESSIONS.join(', ')}, got ${JSON.stringify(options.compression)}`,
    );
  if (options.key !== undefined && options.keySeparator !== undefined)
    throw new UsageError('--key and --key-separator exclude each other (one fixed key, or a key on every line)');
  if (options.keySeparator === '') throw new UsageError('--key-separator must not be empty');
  const generated = options.count !== undefined || options.size !== undefined;
  if (options.size !== undefined && options.count === undefined)
    throw new UsageError('--size needs --count (generated records); without them records are read from stdin');
  if (generated && options.keySeparator !== undefined)
    throw new UsageError('--key-separator applies to stdin lines, not to generated records (--count/--size)');
  return {
    topic,
    acks,
    compression,
    ...(options.lingerMs === undefined ? {} : { lingerMs: integerOption(options.lingerMs, '--linger-ms', 0) }),
    ...(options.batchSize === undefined
      ? {}
      : { batchSizeBytes: integerOption(options.batchSize, '--batch-size', 1, 2 ** 31 - 1) }),
    ...(options.partition === undefined
      ? {}
      : { partition: integerOption(options.partition, '--partition', 0, 2 ** 31 - 1) }),
    ...(options.key === undefined ? {} : { key: Buffer.from(options.key, 'utf8') }),
    ...(options.keySeparator === undefined ? {} : { keySeparator: Buffer.from(options.keySeparator, 'utf8') }),
    ...(generated
      ? {
          generate: {
            count: integerOption(options.count as string, '--count', 1),
            size: options.size === undefined ? DEFAULT_RECORD_SIZE : integerOption(options.size, '--size', 0, 2 ** 30),
          },
        }
      : {}),
    // By itself only on a terminal, and not while someone types records into that terminal.
    headers: parseConfigPairs(options.header ?? [], '--header'),
    progress: options.progress === true || (io.errIsTTY === true && (generated || io.stdinIsTTY !== true)),
    json: options.json === true,
    trace: options.trace === true,
  };
}

/**
 * Lines of a byte stream without their `\n` (or `\r\n`), read as they are consumed: nothing is
 * read ahead of the consumer but the current chunk. A last line without `\n` counts too.
 */
export async function* readLines(input: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  const line = (end: Buffer): Buffer => {
    const whole = parts.length === 0 ? end : Buffer.concat([...parts, end]);
    parts = [];
    return whole.length > 0 && whole[whole.length - 1] === 13 ? whole.subarray(0, whole.length - 1) : whole;
  };
  for await (const chunk of input) {
    const data = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    for (let newline = data.indexOf(10, start); newline !== -1; newline = data.indexOf(10, start)) {
      yield line(data.subarray(start, newline));
      start = newline + 1;
    }
    if (start < data.length) parts.push(data.subarray(start));
  }
  if (parts.length > 0) yield line(Buffer.alloc(0));
}

/** Sends with bounded unacknowledged records and bytes; records outcomes and latencies. */
class SendWindow {
  pending = 0;
  pendingBytes = 0;
  sent = 0;
  acked = 0;
  ackedBytes = 0;
  failed = 0;
  error: ApiError | undefined;
  readonly latency = new LatencyHistogram();
  private waiter: (() => void) | null = null;

  constructor(
    private readonly producer: Producer,
    /** Called with each acknowledged record's metadata (--trace prints its trace id). */
    private readonly onAck: ((metadata: RecordMetadata) => void) | undefined = undefined,
  ) {}

  hasRoom(bytes: number): boolean {
    return this.pending === 0 || (this.pending < MAX_PENDING_RECORDS && this.pendingBytes + bytes <= MAX_PENDING_BYTES);
  }

  /** Resolves when a send settles. */
  settled(): Promise<void> {
    return new Promise((resolve) => (this.waiter = resolve));
  }

  send(record: ProducerRecord, bytes: number): void {
    this.pending++;
    this.pendingBytes += bytes;
    this.sent++;
    const startedMs = performance.now();
    this.producer
      .send(record)
      .then(
        (metadata) => {
          this.latency.record(performance.now() - startedMs);
          this.acked++;
          this.ackedBytes += bytes;
          this.onAck?.(metadata);
        },
        (error: unknown) => {
          this.failed++;
          this.error ??= error instanceof ApiError ? error : new ApiError('UNKNOWN_SERVER_ERROR', String(error));
        },
      )
      .finally(() => {
        this.pending--;
        this.pendingBytes -= bytes;
        const waiter = this.waiter;
        this.waiter = null;
        waiter?.();
      });
  }

  async drain(): Promise<void> {
    while (this.pending > 0) await this.settled();
  }
}

// eslint-disable-next-line require-yield
async function* noInput(): AsyncGenerator<Buffer> {
  return;
}

/** Feeds the window from the plan's source until it ends, a send fails, or `stopped` resolves. */
async function feed(plan: ProducePlan, window: SendWindow, io: CliIo, interruption: Interruption): Promise<void> {
  const base = {
    topic: plan.topic,
    headers: plan.headers,
    ...(plan.partition === undefined ? {} : { partition: plan.partition }),
  };
  const fixedKey = plan.key ?? null;
  const keyBytes = fixedKey?.length ?? 0;
  const room = async (bytes: number): Promise<boolean> => {
    while (!window.hasRoom(bytes) && window.error === undefined && !interruption.stopped)
      await interruption.race(window.settled());
    return window.error === undefined && !interruption.stopped;
  };
  if (plan.generate !== undefined) {
    const { count, size } = plan.generate;
    // Printable random bytes (so a consumer can print them), values sliced at varying offsets.
    const pool = Buffer.from(
      randomBytes(Math.ceil(((size + 4096) * 3) / 4))
        .toString('base64')
        .slice(0, size + 4096),
      'latin1',
    );
    for (let i = 0; i < count; i++) {
      if (!(await room(size + keyBytes))) return;
      const offset = (i * 7919) % 4096;
      window.send({ ...base, key: fixedKey, value: pool.subarray(offset, offset + size) }, size + keyBytes);
    }
    return;
  }
  const iterator = readLines(io.stdin ?? noInput())[Symbol.asyncIterator]();
  let lineNumber = 0;
  try {
    for (;;) {
      const next = await interruption.race(iterator.next());
      if (next === STOPPED || next.done === true) return;
      lineNumber++;
      const line = next.value;
      let key = fixedKey;
      let value = line;
      if (plan.keySeparator !== undefined) {
        const at = line.indexOf(plan.keySeparator);
        if (at < 0) {
          window.error ??= new ApiError(
            'INVALID_RECORD',
            `line ${lineNumber} has no key separator ${JSON.stringify(plan.keySeparator.toString('utf8'))}`,
          );
          return;
        }
        key = line.subarray(0, at);
        value = line.subarray(at + plan.keySeparator.length);
      }
      const bytes = (key?.length ?? 0) + value.length;
      if (!(await room(bytes))) return;
      window.send({ ...base, key, value }, bytes);
    }
  } finally {
    // Not awaited: a generator blocked on a read that never comes would hold us forever.
    void iterator.return?.(undefined);
  }
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** `--trace`: one line per acknowledged record naming the trace it was created in. */
export function formatTraceLine(metadata: RecordMetadata, plan: Pick<ProducePlan, 'json'>): string {
  const traceId = metadata.traceId ?? null;
  if (plan.json)
    return `${JSON.stringify({ traceId, topic: metadata.topic, partition: metadata.partition, offset: metadata.offset })}\n`;
  return `trace ${traceId ?? '-'} ${metadata.topic}-${metadata.partition}@${metadata.offset}\n`;
}

export function formatSummary(summary: ProduceSummary): string {
  const { latencyMs } = summary;
  const failed = summary.failed > 0 ? `, ${summary.failed} failed` : '';
  const interrupted = summary.interrupted ? ' (interrupted)' : '';
  return (
    `Produced ${summary.records} records (${summary.bytes} bytes) to ${summary.topic} in ${summary.seconds.toFixed(2)} s${interrupted}${failed}: ` +
    `${summary.recordsPerSec.toFixed(1)} records/s, ${summary.mbPerSec.toFixed(2)} MB/s; ` +
    `send-to-ack latency p50 ${latencyMs.p50.toFixed(2)} ms, p99 ${latencyMs.p99.toFixed(2)} ms, max ${latencyMs.max.toFixed(2)} ms\n`
  );
}

async function produce(plan: ProducePlan, options: ProduceOptions, io: CliIo): Promise<ExitCode> {
  return withCliTracing(plan.trace, () => produceRecords(plan, options, io));
}

async function produceRecords(plan: ProducePlan, options: ProduceOptions, io: CliIo): Promise<ExitCode> {
  return withBrokers(options, io, async ({ admin, brokers }) => {
    // Ask the controller first: an unknown topic is a clear error now, not a max.block.ms wait.
    await describeTopicFor(admin, plan.topic, plan.partition);
    let producer: Producer;
    try {
      producer = new Producer({
        bootstrap: brokers,
        acks: plan.acks,
        compression: plan.compression,
        ...(plan.lingerMs === undefined ? {} : { lingerMs: plan.lingerMs }),
        ...(plan.batchSizeBytes === undefined ? {} : { batchSizeBytes: plan.batchSizeBytes }),
      });
    } catch (error) {
      if (error instanceof ApiError && error.errorName === 'INVALID_CONFIG') throw new UsageError(errorReason(error));
      throw error;
    }
    const window = new SendWindow(
      producer,
      plan.trace ? (metadata) => io.out(formatTraceLine(metadata, plan)) : undefined,
    );
    const interruption = new Interruption();
    const interrupt = onInterrupt(io.signal, () => interruption.stop());
    const startedMs = performance.now();
    let lastProgress = { ms: startedMs, acked: 0, bytes: 0 };
    let progressShown = false;
    const progress = plan.progress
      ? setInterval(() => {
          const nowMs = performance.now();
          const seconds = Math.max(1e-3, (nowMs - lastProgress.ms) / 1000);
          const rate = (window.acked - lastProgress.acked) / seconds;
          const mbps = (window.ackedBytes - lastProgress.bytes) / MB / seconds;
          lastProgress = { ms: nowMs, acked: window.acked, bytes: window.ackedBytes };
          const total = plan.generate === undefined ? '' : ` of ${plan.generate.count}`;
          const line = `${window.acked}${total} records acked (${(window.ackedBytes / MB).toFixed(1)} MB) in ${((nowMs - startedMs) / 1000).toFixed(1)} s, ${rate.toFixed(0)} records/s, ${mbps.toFixed(2)} MB/s`;
          io.err(io.errIsTTY === true ? `\r${line}\u001b[K` : `${line}\n`);
          progressShown = true;
        }, PROGRESS_INTERVAL_MS)
      : undefined;
    progress?.unref();
    let endedMs: number;
    try {
      await feed(plan, window, io, interruption);
      await window.drain();
      endedMs = performance.now();
    } finally {
      if (progress !== undefined) clearInterval(progress);
      interrupt.dispose();
      if (
        interruption.stopped &&
        io.stdin !== undefined &&
        'destroy' in io.stdin &&
        typeof io.stdin.destroy === 'function'
      )
        (io.stdin as NodeJS.ReadableStream & { destroy(): void }).destroy();
      await producer.close({ timeoutMs: 5_000 });
    }
    if (progressShown && io.errIsTTY === true) io.err('\r\u001b[K');
    const seconds = Math.max(1e-6, (endedMs - startedMs) / 1000);
    const summary: ProduceSummary = {
      topic: plan.topic,
      records: window.acked,
      bytes: window.ackedBytes,
      failed: window.failed,
      seconds: round(seconds, 3),
      recordsPerSec: round(window.acked / seconds, 1),
      mbPerSec: round(window.ackedBytes / MB / seconds, 3),
      latencyMs: {
        p50: round(window.latency.percentile(50), 2),
        p99: round(window.latency.percentile(99), 2),
        max: round(window.latency.max, 2),
      },
      acks: String(plan.acks),
      compression: plan.compression,
      interrupted: interruption.stopped,
    };
    if (plan.json)
      io.out(`${JSON.stringify(window.error === undefined ? summary : { ...summary, error: window.error.message })}\n`);
    else io.err(formatSummary(summary));
    if (window.error !== undefined) {
      io.err(`error: ${describeApiError(window.error)}\n`);
      return ExitCode.FAILURE;
    }
    // Generated records stopped short of --count did not do what was asked.
    return interruption.stopped && plan.generate !== undefined ? ExitCode.FAILURE : ExitCode.OK;
  });
}

export function produceCommand(io: CliIo, setExitCode: (code: ExitCode) => void): Command {
  return withClientConnectionOptions(
    new Command('produce')
      .argument('<topic>')
      .summary('write records from stdin lines, or generated ones (a load test)')
      .description(
        'produce records: stdin lines (one record per line), or --count generated ones; ends with a summary ' +
          '(records, bytes, seconds, records/s, MB/s with MB = 2^20 bytes, send-to-ack latency p50/p99) on stderr, or on stdout with --json',
      )
      .option(
        '--key <key>',
        'the same key for every record (default: no key, records spread by the sticky partitioner)',
      )
      .option('--key-separator <sep>', 'each stdin line is <key><sep><value>; a line without <sep> fails the command')
      .option(
        '--header <key=value>',
        'a header on every record (repeatable)',
        (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
      )
      .option('--partition <p>', 'write every record to this partition (default: the partitioner chooses)')
      .option('--count <n>', 'send n generated records instead of reading stdin')
      .option('--size <bytes>', `value size of generated records (with --count; default ${DEFAULT_RECORD_SIZE})`)
      .option('--acks <acks>', '0, 1 or all', 'all')
      .option('--compression <type>', `${COMPRESSIONS.join(', ')}`, 'none')
      .option('--linger-ms <ms>', 'linger.ms: how long a batch waits for more records (default 5)')
      .option('--batch-size <bytes>', 'batch.size (default 16384)')
      .option('--progress', 'print a progress line to stderr twice a second (the default when stderr is a terminal)')
      .option('--json', 'print the summary as one JSON object on stdout')
      .option(
        '--trace',
        'trace every record with OpenTelemetry (exporter, endpoint, sampler from the OTEL_* environment; OTLP to ' +
          'localhost:4318 when none is set) and print each trace id on stdout as its record is acknowledged',
      ),
  ).action(async (topic: string, options: ProduceOptions) => {
    const plan = producePlan(topic, options, io);
    setExitCode(await produce(plan, options, io));
  });
}
