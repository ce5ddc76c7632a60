/**
 * `sluice consume <topic>`: prints a topic's records as kafka-console-consumer does, through the
 * client's Consumer with manual assignment (every partition, or --partition). Starts at the end
 * unless told otherwise (--from-beginning, --offset, --from-time); stops after --count records,
 * after --timeout-ms without a record, or on Ctrl-C / SIGTERM, always closing the consumer. Prints
 * values one per line (--print-key: key TAB value), or one JSON object per record with --json.
 */
import { Consumer, type ConsumerRecord, type TopicPartition } from '@sluice/client';
import { Command } from 'commander';
import { resolveCoordinators } from './bootstrap';
import {
  integerOption,
  withBrokers,
  withClientConnectionOptions,
  type ClientConnectionOptions,
} from './client-session';
import { ExitCode, UsageError } from './exit-codes';
import { Interruption, onInterrupt, STOPPED, type CliIo } from './io';
import { describeTopicFor } from './topic-command';
import { recordContext } from '@sluice/tracing';
import { withCliTracing } from './tracing';

/** Longest single poll: bounds how late a --timeout-ms check can be. */
const POLL_MS = 1_000;

interface ConsumeOptions extends ClientConnectionOptions {
  readonly fromBeginning?: boolean;
  readonly offset?: string;
  readonly fromTime?: string;
  readonly partition?: string;
  readonly count?: string;
  readonly timeoutMs?: string;
  readonly json?: boolean;
  readonly printKey?: boolean;
  readonly base64?: boolean;
  readonly group?: string;
  readonly coordinators?: string;
  readonly trace?: boolean;
}

type StartAt =
  | { readonly kind: 'end' }
  | { readonly kind: 'beginning' }
  | { readonly kind: 'offset'; readonly offset: number }
  | { readonly kind: 'time'; readonly timestampMs: number };

interface ConsumePlan {
  readonly topic: string;
  readonly start: StartAt;
  readonly partition?: number;
  readonly count?: number;
  readonly timeoutMs?: number;
  readonly json: boolean;
  readonly printKey: boolean;
  readonly base64: boolean;
  /** Join this consumer group: partitions come from the coordinator; printed records are committed. */
  readonly group?: string;
  /** Trace receiving and printing (a `process` span per record) with OpenTelemetry from OTEL_*. */
  readonly trace: boolean;
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * `--from-time`: a duration back from now (`30m`, `24h`, `7d`, `1.5h`; units ms s m h d w) or
 * an ISO-8601 date/time (`2026-11-23`, `2026-11-23T10:00:00Z`; without a zone: local time).
 */
export function parseFromTime(text: string, nowMs: number = Date.now()): number {
  const relative = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text.trim());
  let ms: number;
  if (relative !== null) ms = Math.round(nowMs - Number(relative[1]) * (UNIT_MS[relative[2] as string] as number));
  else if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}(:?\d{2})?)?)?$/.test(text.trim())) ms = Date.parse(text.trim());
  else
    throw new UsageError(
      `--from-time must be a duration back from now (30m, 24h, 7d) or an ISO-8601 time (2026-11-23T10:00:00Z), got ${JSON.stringify(text)}`,
    );
  if (!Number.isSafeInteger(ms) || ms < 0)
    throw new UsageError(`--from-time ${JSON.stringify(text)} is not a time after 1970-01-01`);
  return ms;
}

export function consumePlan(topic: string, options: ConsumeOptions): ConsumePlan {
  const starts = [
    options.fromBeginning === true ? '--from-beginning' : null,
    options.offset !== undefined ? '--offset' : null,
    options.fromTime !== undefined ? '--from-time' : null,
  ].filter((flag) => flag !== null);
  if (starts.length > 1) throw new UsageError(`${starts.join(' and ')} exclude each other: give one start position`);
  if (options.group !== undefined) {
    // As kafka-console-consumer: a group member consumes what the group assigns, from its committed offsets.
    const clash = [
      options.partition !== undefined ? '--partition' : null,
      options.offset !== undefined ? '--offset' : null,
      options.fromTime !== undefined ? '--from-time' : null,
    ].filter((flag) => flag !== null);
    if (clash.length > 0)
      throw new UsageError(`--group takes its partitions and offsets from the group: drop ${clash.join(' and ')}`);
    if (options.group.trim() === '') throw new UsageError('--group needs a group id');
  }
  const start: StartAt =
    options.fromBeginning === true
      ? { kind: 'beginning' }
      : options.offset !== undefined
        ? { kind: 'offset', offset: integerOption(options.offset, '--offset', 0) }
        : options.fromTime !== undefined
          ? { kind: 'time', timestampMs: parseFromTime(options.fromTime) }
          : { kind: 'end' };
  return {
    topic,
    start,
    ...(options.partition === undefined
      ? {}
      : { partition: integerOption(options.partition, '--partition', 0, 2 ** 31 - 1) }),
    ...(options.count === undefined ? {} : { count: integerOption(options.count, '--count', 1) }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: integerOption(options.timeoutMs, '--timeout-ms', 1) }),
    json: options.json === true,
    printKey: options.printKey === true,
    base64: options.base64 === true,
    ...(options.group === undefined ? {} : { group: options.group }),
    trace: options.trace === true,
  };
}

/** `traceId` of the record's creation context (its traceparent header), when it carries one. */
function traceIdField(record: ConsumerRecord): { traceId?: string } {
  if (record.headers.length === 0) return {};
  const creation = recordContext(record.headers);
  return creation === undefined ? {} : { traceId: creation.traceId };
}

export function formatRecord(record: ConsumerRecord, plan: Pick<ConsumePlan, 'json' | 'printKey' | 'base64'>): string {
  const text = (bytes: Buffer | null): string | null =>
    bytes === null ? null : bytes.toString(plan.base64 ? 'base64' : 'utf8');
  if (plan.json) {
    return `${JSON.stringify({
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp,
      key: text(record.key),
      value: text(record.value),
      headers: record.headers.map((header) => ({ key: header.key, value: text(header.value) })),
      ...traceIdField(record),
    })}\n`;
  }
  const value = text(record.value) ?? 'null';
  return plan.printKey ? `${text(record.key) ?? 'null'}\t${value}\n` : `${value}\n`;
}

/** Seeks every assigned partition to the plan's start; --offset is kept within [log start, end]. */
async function seekToStart(consumer: Consumer, assignment: readonly TopicPartition[], start: StartAt): Promise<void> {
  switch (start.kind) {
    case 'end':
      consumer.seekToEnd(assignment);
      return;
    case 'beginning':
      consumer.seekToBeginning(assignment);
      return;
    case 'time':
      await consumer.seekToTimestamp(start.timestampMs, assignment);
      return;
    case 'offset': {
      const [beginning, end] = await Promise.all([
        consumer.beginningOffsets(assignment),
        consumer.endOffsets(assignment),
      ]);
      for (const tp of assignment) {
        const low = beginning.get(Consumer.key(tp))?.offset ?? 0;
        const high = end.get(Consumer.key(tp))?.offset ?? start.offset;
        consumer.seek(tp, Math.max(low, Math.min(high, start.offset)));
      }
      return;
    }
  }
}

/** Commits the offsets after the printed records (a partition's highest printed offset + 1). */
async function commitPrinted(consumer: Consumer, records: readonly ConsumerRecord[]): Promise<void> {
  const next = new Map<number, number>();
  for (const record of records)
    next.set(record.partition, Math.max(next.get(record.partition) ?? 0, record.offset + 1));
  await consumer.commitSync(
    [...next].map(([partition, offset]) => ({ topicPartition: { topic: records[0]!.topic, partition }, offset })),
  );
}

async function consume(plan: ConsumePlan, options: ConsumeOptions, io: CliIo): Promise<ExitCode> {
  return withCliTracing(plan.trace, () => consumeRecords(plan, options, io));
}

async function consumeRecords(plan: ConsumePlan, options: ConsumeOptions, io: CliIo): Promise<ExitCode> {
  return withBrokers(options, io, async ({ admin, brokers }) => {
    const info = await describeTopicFor(admin, plan.topic, plan.partition);
    const assignment = (plan.partition === undefined ? info.partitions.map((p) => p.partition) : [plan.partition]).map(
      (partition) => ({ topic: plan.topic, partition }),
    );
    const consumer =
      plan.group === undefined
        ? new Consumer({ bootstrap: brokers, autoOffsetReset: 'latest' })
        : new Consumer({
            bootstrap: brokers,
            groupId: plan.group,
            coordinators: resolveCoordinators(options.coordinators),
            // Commits follow printing (below), so a record is committed only once it was written out.
            enableAutoCommit: false,
            autoOffsetReset: plan.start.kind === 'beginning' ? 'earliest' : 'latest',
          });
    const interruption = new Interruption();
    const interrupt = onInterrupt(io.signal, () => interruption.stop());
    let received = 0;
    try {
      if (plan.group === undefined) {
        consumer.assign(assignment);
        await interruption.race(seekToStart(consumer, assignment, plan.start));
      } else {
        consumer.subscribe([plan.topic]);
      }
      let lastRecordMs = Date.now();
      while (!interruption.stopped && (plan.count === undefined || received < plan.count)) {
        let waitMs = POLL_MS;
        if (plan.timeoutMs !== undefined) {
          const left = lastRecordMs + plan.timeoutMs - Date.now();
          if (left <= 0) break;
          waitMs = Math.min(waitMs, left);
        }
        // A poll abandoned on Ctrl-C may reject once the consumer is closed under it: race() observes that.
        const polled = await interruption.race(consumer.poll(waitMs));
        if (polled === STOPPED) break;
        let records = polled;
        if (records.length === 0) continue;
        lastRecordMs = Date.now();
        if (plan.count !== undefined && received + records.length > plan.count)
          records = records.slice(0, plan.count - received);
        received += records.length;
        if (plan.trace)
          // Printing is this command's processing: each record's trace ends with it.
          for (const record of records) await consumer.process(record, () => io.out(formatRecord(record, plan)));
        else io.out(records.map((record) => formatRecord(record, plan)).join(''));
        if (io.outDrained !== undefined) await interruption.race(io.outDrained());
        if (plan.group !== undefined) {
          // A refused commit (the partition moved in a rebalance) is not fatal: the next owner reprints from the last commit.
          await interruption.race(
            commitPrinted(consumer, records).catch((error: unknown) =>
              io.err(`warning: offset commit failed: ${error instanceof Error ? error.message : String(error)}\n`),
            ),
          );
        }
      }
    } finally {
      interrupt.dispose();
      await consumer.close();
    }
    io.err(`Processed a total of ${received} records\n`);
    return ExitCode.OK;
  });
}

export function consumeCommand(io: CliIo, setExitCode: (code: ExitCode) => void): Command {
  return withClientConnectionOptions(
    new Command('consume')
      .argument('<topic>')
      .summary('print records of a topic (from its end, the beginning, an offset or a time)')
      .description(
        'print records of a topic as they arrive, starting at its end unless told otherwise; runs until Ctrl-C, --count or --timeout-ms',
      )
      .option('--from-beginning', 'start at the first record of each partition')
      .option(
        '--offset <n>',
        "start at this offset in every partition read (kept within the partition's log start and end)",
      )
      .option(
        '--from-time <when>',
        'start at the first record at or after a time: back from now (30m, 24h, 7d) or ISO-8601 (2026-11-23T10:00:00Z)',
      )
      .option('--partition <p>', 'read only this partition (default: all)')
      .option('--count <n>', 'exit after n records')
      .option('--timeout-ms <ms>', 'exit when no record arrived for this long (default: wait for records until Ctrl-C)')
      .option(
        '--json',
        'one JSON object per record: {"partition","offset","timestamp","key","value","headers"}, and "traceId" when the record carries a traceparent',
      )
      .option(
        '--trace',
        'trace with OpenTelemetry (settings from the OTEL_* environment; OTLP to localhost:4318 when none): a ' +
          'receive span per poll and a process span around printing each record, in the trace the record was created in',
      )
      .option('--print-key', 'print key<TAB>value instead of the value alone')
      .option('--base64', 'keys, values and header values in base64 instead of UTF-8 text (binary data)')
      .option(
        '--group <id>',
        'join this consumer group: members share the partitions, and what is printed is committed (start: the committed offsets, else the end, or the beginning with --from-beginning)',
      )
      .option(
        '--coordinators <host:port,...>',
        "group coordinator addresses (default: $SLUICE_COORDINATORS, else the local cluster's)",
      ),
  ).action(async (topic: string, options: ConsumeOptions) => {
    const plan = consumePlan(topic, options);
    setExitCode(await consume(plan, options, io));
  });
}
