/**
 * `sluice topic create|list|describe|alter|delete|alter-config|reassign`, over the controller's
 * Admin API (reassign: reassign-command.ts, added in program.ts).
 * Output follows kafka-topics: `Topic: x<TAB>TopicId: ...<TAB>PartitionCount: ...` and one line
 * per partition with Leader, Replicas and Isr.
 */
import type { Admin, TopicInfo } from '@sluice/client';
import { ApiError } from '@sluice/protocol';
import { Command } from 'commander';
import { withAdmin, withConnectionOptions } from './bootstrap';
import type { ConnectionOptions } from './bootstrap';
import { ExitCode, UsageError } from './exit-codes';
import type { CliIo } from './io';
import {
  formatLocalColumns,
  formatRemoteColumns,
  isTiered,
  tieringStatus,
  withTieringServiceOption,
} from './tiering-offsets';
import { resolveTieringService } from './bootstrap';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function countOption(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 2 ** 31 - 1)
    throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  return Number(text);
}

/**
 * `k=v` flags (one pair per flag: values such as `cleanup.policy=compact,delete` hold commas)
 * -> a record; a bad pair is a usage error.
 */
export function parseConfigPairs(values: readonly string[], flag: string): Record<string, string> {
  const configs: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} expects key=value, got ${JSON.stringify(value)}`);
    configs[value.slice(0, eq).trim()] = value.slice(eq + 1);
  }
  return configs;
}

function unknownTopic(name: string, error: ApiError): ApiError {
  return error.errorName === 'UNKNOWN_TOPIC_OR_PARTITION'
    ? new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${name}' does not exist`)
    : error;
}

/** Runs an admin call about one topic, naming the topic in UNKNOWN_TOPIC_OR_PARTITION. */
export async function aboutTopic<T>(name: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw error instanceof ApiError ? unknownTopic(name, error) : error;
  }
}

/** The topic's description, refusing by name a partition it does not have (produce and consume --partition). */
export async function describeTopicFor(
  admin: Pick<Admin, 'describeTopic'>,
  topic: string,
  partition: number | undefined,
): Promise<TopicInfo> {
  const info = await aboutTopic(topic, () => admin.describeTopic(topic));
  if (partition !== undefined && partition >= info.partitions.length) {
    throw new ApiError(
      'UNKNOWN_TOPIC_OR_PARTITION',
      `topic '${topic}' has no partition ${partition} (it has ${info.partitions.length})`,
    );
  }
  return info;
}

function formatConfigs(configs: Readonly<Record<string, string>>): string {
  return Object.keys(configs)
    .sort()
    .map((key) => `${key}=${configs[key]}`)
    .join(',');
}

export function formatTopic(topic: TopicInfo): string {
  const replicationFactor = topic.partitions[0]?.replicas.length ?? 0;
  const lines = [
    `Topic: ${topic.name}\tTopicId: ${topic.topicId}\tPartitionCount: ${topic.partitions.length}\tReplicationFactor: ${replicationFactor}\tConfigs: ${formatConfigs(topic.configs)}`,
  ];
  for (const p of topic.partitions) {
    const elr = p.eligibleLeaderReplicas.length > 0 ? `\tElr: ${p.eligibleLeaderReplicas.join(',')}` : '';
    lines.push(
      `\tTopic: ${topic.name}\tPartition: ${p.partition}\tLeader: ${p.leader < 0 ? 'none' : p.leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}${elr}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Every topic in name order, one call per whole topic, following the controller's pages: a topic
 * split across pages is held until its last part arrives, nothing else is kept.
 */
export async function forEachTopic(admin: Admin, onTopic: (info: TopicInfo) => void): Promise<void> {
  let pending: TopicInfo | undefined;
  await admin.describeTopicPages([], (page) => {
    for (const info of page) {
      if (pending !== undefined && pending.name === info.name) {
        pending = { ...pending, partitions: [...pending.partitions, ...info.partitions] };
        continue;
      }
      if (pending !== undefined) onTopic(pending);
      pending = info;
    }
  });
  if (pending !== undefined) onTopic(pending);
}

function indent(text: string): string {
  return text.replace(/^/gm, '  ');
}

export function topicJson(topic: TopicInfo): object {
  return {
    name: topic.name,
    topicId: topic.topicId,
    partitionCount: topic.partitions.length,
    replicationFactor: topic.partitions[0]?.replicas.length ?? 0,
    configs: topic.configs,
    partitions: topic.partitions,
  };
}

interface CreateOptions extends ConnectionOptions {
  readonly partitions?: string;
  readonly replicationFactor?: string;
  readonly config?: string[];
}

interface DescribeOptions extends ConnectionOptions {
  readonly json?: boolean;
  readonly tieringService?: string;
}

interface AlterOptions extends ConnectionOptions {
  readonly set?: string[];
  readonly delete?: string[];
}

export function topicCommand(io: CliIo, setExitCode: (code: ExitCode) => void): Command {
  const topic = new Command('topic').description('create, list, describe, delete and configure topics');
  const run = (options: ConnectionOptions, body: (admin: Admin) => Promise<ExitCode>): Promise<void> =>
    withAdmin(options, io, body).then(setExitCode);

  withConnectionOptions(
    topic
      .command('create <name>')
      .description('create a topic')
      .option('--partitions <n>', 'partition count (default: the cluster default, num.partitions)')
      .option(
        '--replication-factor <n>',
        'replicas per partition (default: the cluster default, default.replication.factor)',
      )
      .option('--config <key=value>', 'a topic config override (repeatable)', collect),
  ).action(async (name: string, options: CreateOptions) => {
    const numPartitions = countOption(options.partitions, '--partitions');
    const replicationFactor = countOption(options.replicationFactor, '--replication-factor');
    const configs = parseConfigPairs(options.config ?? [], '--config');
    await run(options, async (admin) => {
      const created = await admin.createTopic({
        name,
        ...(numPartitions === undefined ? {} : { numPartitions }),
        ...(replicationFactor === undefined ? {} : { replicationFactor }),
        configs,
      });
      io.out(
        `Created topic ${name} (TopicId: ${created.topicId}, PartitionCount: ${created.numPartitions}, ReplicationFactor: ${created.replicationFactor}).\n`,
      );
      return ExitCode.OK;
    });
  });

  withConnectionOptions(topic.command('list').description('list topic names, one per line')).action(
    async (options: ConnectionOptions) => {
      await run(options, async (admin) => {
        await forEachTopic(admin, (info) => io.out(`${info.name}\n`));
        return ExitCode.OK;
      });
    },
  );

  withTieringServiceOption(
    withConnectionOptions(
      topic
        .command('describe [name]')
        .description('partitions, leaders, replicas, ISR and config overrides of a topic (every topic without a name)')
        .option('--json', 'one JSON document instead of text'),
    ),
  ).action(async (name: string | undefined, options: DescribeOptions) => {
    await run(options, async (admin) => {
      if (name !== undefined) {
        const info = await aboutTopic(name, () => admin.describeTopic(name));
        // A tiered topic also shows where each partition starts remotely and locally (asked of the
        // leaders), and what the object store holds when the tiering service is known.
        const service = resolveTieringService(options.tieringService, options.bootstrap);
        const offsets = isTiered(info) ? await tieringStatus(admin, info, service, Number(options.timeout)) : undefined;
        if (options.json === true) {
          const json = { ...topicJson(info), ...(offsets === undefined ? {} : { tiering: offsets }) };
          io.out(`${JSON.stringify(json, null, 2)}\n`);
        } else {
          io.out(formatTopic(info));
          for (const o of offsets ?? [])
            io.out(
              `\tTopic: ${info.name}\tPartition: ${o.partition}\tLogStartOffset: ${o.logStartOffset}\tLocalLogStartOffset: ${o.localLogStartOffset}\tHighWatermark: ${o.highWatermark}${formatLocalColumns(o)}${formatRemoteColumns(o)}\n`,
            );
        }
        return ExitCode.OK;
      }
      // Every topic, printed as the controller's pages arrive: a large cluster is never held at once.
      // (Remote and local start offsets of tiered topics: `topic describe <name>` or `tiering status`.)
      if (options.json !== true) {
        await forEachTopic(admin, (info) => io.out(formatTopic(info)));
        return ExitCode.OK;
      }
      let first = true;
      io.out('[');
      await forEachTopic(admin, (info) => {
        io.out(`${first ? '\n' : ',\n'}${indent(JSON.stringify(topicJson(info), null, 2))}`);
        first = false;
      });
      io.out(first ? ']\n' : '\n]\n');
      return ExitCode.OK;
    });
  });

  withConnectionOptions(
    topic
      .command('alter <name>')
      .description('raise the partition count of a topic (partitions are never removed)')
      .requiredOption('--partitions <n>', 'the new total partition count'),
  ).action(async (name: string, options: ConnectionOptions & { partitions: string }) => {
    const count = countOption(options.partitions, '--partitions') as number;
    await run(options, async (admin) => {
      const [result] = await admin.createPartitions([{ name, count }]);
      if (result?.error !== undefined) throw unknownTopic(name, result.error);
      io.out(`Topic ${name} now has ${count} partitions.\n`);
      return ExitCode.OK;
    });
  });

  withConnectionOptions(topic.command('delete <name>').description('delete a topic and its data')).action(
    async (name: string, options: ConnectionOptions) => {
      await run(options, async (admin) => {
        await aboutTopic(name, () => admin.deleteTopic(name));
        io.out(`Deleted topic ${name}.\n`);
        return ExitCode.OK;
      });
    },
  );

  withConnectionOptions(
    topic
      .command('alter-config <name>')
      .description("set or delete a topic's config overrides (Kafka's incremental AlterConfigs)")
      .option('--set <key=value>', 'set a config (repeatable)', collect)
      .option('--delete <key>', 'remove an override, back to the default (repeatable)', collect),
  ).action(async (name: string, options: AlterOptions) => {
    const set = parseConfigPairs(options.set ?? [], '--set');
    const remove = (options.delete ?? [])
      .flatMap((entry) => entry.split(','))
      .map((key) => key.trim())
      .filter((key) => key !== '');
    if (Object.keys(set).length === 0 && remove.length === 0)
      throw new UsageError('alter-config needs at least one --set key=value or --delete key');
    await run(options, async (admin) => {
      await aboutTopic(name, () => admin.alterTopicConfigs(name, { set, delete: remove }));
      const changes = [
        ...Object.entries(set).map(([key, value]) => `${key}=${value}`),
        ...remove.map((key) => `-${key}`),
      ];
      io.out(`Altered configs of topic ${name}: ${changes.join(', ')}.\n`);
      return ExitCode.OK;
    });
  });
  return topic;
}
