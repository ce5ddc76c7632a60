/**
 * `sluice log-dirs describe [--broker ids] [--topic names]`: Kafka's `kafka-log-dirs.sh --describe`.
 * Each broker's log directories (asked of the broker itself: DescribeLogDirs) with the local size,
 * offset lag and is-future of every replica in them, leaders and followers alike. `--json` prints
 * the document kafka-log-dirs.sh prints (version 1), so scripts written for it keep working.
 */
import type { BrokerLogDirs } from '@sluice/client';
import { Command } from 'commander';
import { withAdmin, withConnectionOptions, type ConnectionOptions } from './bootstrap';
import { ExitCode, UsageError } from './exit-codes';
import type { CliIo } from './io';

interface DescribeOptions extends ConnectionOptions {
  readonly broker?: string[];
  readonly topic?: string[];
  readonly json?: boolean;
}

export function logDirsCommand(io: CliIo, setExitCode: (code: ExitCode) => void): Command {
  const logDirs = new Command('log-dirs').description("brokers' log directories (Kafka's kafka-log-dirs.sh)");
  withConnectionOptions(
    logDirs
      .command('describe')
      .description('per broker and log directory: the size, offset lag and is-future of each partition replica')
      .option('--broker <ids>', 'broker ids, comma-separated (repeatable; default: every registered broker)', collect)
      .option('--topic <names>', 'topic names, comma-separated (repeatable; default: every topic)', collect)
      .option('--json', "kafka-log-dirs.sh's JSON document instead of text"),
  ).action(async (options: DescribeOptions) => {
    const brokerIds = parseBrokerIds(options.broker);
    const topics = splitList(options.topic);
    if (topics?.some((name) => name === '')) throw new UsageError('--topic names must not be empty');
    const code = await withAdmin(options, io, async (admin) => {
      const answers = await admin.describeLogDirs(
        brokerIds,
        (topics ?? []).map((topic) => ({ topic })),
      );
      io.out(options.json === true ? `${JSON.stringify(kafkaLogDirsJson(answers))}\n` : formatLogDirs(answers));
      const failed = answers.filter((answer) => answer.error !== undefined);
      for (const answer of failed)
        io.err(`error: broker ${answer.brokerId}: ${answer.error!.errorName}: ${answer.error!.message}\n`);
      return failed.length === 0 ? ExitCode.OK : ExitCode.FAILURE;
    });
    setExitCode(code);
  });
  return logDirs;
}

/** kafka-log-dirs.sh --describe's document: partitions as "<topic>-<partition>", errors by exception name. */
export function kafkaLogDirsJson(answers: readonly BrokerLogDirs[]): unknown {
  return {
    version: 1,
    brokers: answers
      .filter((answer) => answer.error === undefined)
      .map((answer) => ({
        broker: answer.brokerId,
        logDirs: answer.logDirs.map((dir) => ({
          logDir: dir.path,
          error: dir.error === undefined ? null : dir.error.errorName,
          partitions: dir.partitions.map((p) => ({
            partition: `${p.topic}-${p.partition}`,
            size: p.sizeBytes,
            offsetLag: p.offsetLag,
            isFuture: p.isFuture,
          })),
        })),
      })),
  };
}

export function formatLogDirs(answers: readonly BrokerLogDirs[]): string {
  const lines: string[] = [];
  for (const answer of answers) {
    if (answer.error !== undefined) {
      lines.push(`Broker: ${answer.brokerId}\tError: ${answer.error.errorName}`);
      continue;
    }
    for (const dir of answer.logDirs) {
      const error = dir.error === undefined ? '' : `\tError: ${dir.error.errorName}`;
      const sizeBytes = dir.partitions.reduce((sum, p) => sum + p.sizeBytes, 0);
      lines.push(
        `Broker: ${answer.brokerId}\tLogDir: ${dir.path}\tTotalBytes: ${dir.totalBytes}\tUsableBytes: ${dir.usableBytes}\tPartitions: ${dir.partitions.length}\tSizeBytes: ${sizeBytes}${error}`,
      );
      for (const p of dir.partitions)
        lines.push(
          `\tTopic: ${p.topic}\tPartition: ${p.partition}\tSizeBytes: ${p.sizeBytes}\tOffsetLag: ${p.offsetLag}\tIsFuture: ${p.isFuture}`,
        );
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function parseBrokerIds(values: string[] | undefined): number[] | undefined {
  const list = splitList(values);
  if (list === undefined) return undefined;
  return list.map((text) => {
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text)))
      throw new UsageError(`--broker must be broker ids (non-negative integers), got ${JSON.stringify(text)}`);
    return Number(text);
  });
}

/** Comma-separated values of a repeatable option; undefined when it was not given. */
function splitList(values: string[] | undefined): string[] | undefined {
  return values?.flatMap((value) => value.split(',').map((item) => item.trim()));
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
