/**
 * `sluice tiering scrub [--dry-run]`: objects no remote-log metadata names (a crash between a PUT
 * and its metadata, a topic deleted while its leaders were down), deleted after a grace period.
 *
 * `sluice tiering status [topic]`: per partition of each tiered topic (remote.storage.enable=true),
 * where its log starts (remote storage included), where its leader's local log starts, and its high
 * watermark, asked of the partition leaders (ListOffsets earliest, earliest-local, latest), and
 * the leader's local log size (DescribeLogDirs); with the tiering service, the remote segments and
 * bytes too. What lies between the first two offsets is served from the object store.
 */
import type { TopicInfo } from '@sluice/client';
import { Command } from 'commander';
import { resolveTieringService, withAdmin, withConnectionOptions, type ConnectionOptions } from './bootstrap';
import { readFileSync } from 'node:fs';
import { InvalidConfigError } from '@sluice/log';
import { parseProperties } from '@sluice/runtime';
import {
  parseClusterTieringConfig,
  S3ObjectStore,
  scrubRemoteStorage,
  TopicRemoteLogMetadataLog,
  type ClusterTieringConfig,
} from '@sluice/tiering';
import { ExitCode, UsageError } from './exit-codes';
import type { CliIo } from './io';
import { aboutTopic, parseConfigPairs } from './topic-command';
import {
  formatLocalColumns,
  formatRemoteColumns,
  isTiered,
  tieringStatus,
  withTieringServiceOption,
  type PartitionTieringOffsets,
} from './tiering-offsets';

export function formatTieringStatus(topic: TopicInfo, offsets: readonly PartitionTieringOffsets[]): string {
  const lines = offsets.map(
    (o) =>
      `\tTopic: ${topic.name}\tPartition: ${o.partition}\tLeader: ${o.leader < 0 ? 'none' : o.leader}\tLogStartOffset: ${o.logStartOffset}\tLocalLogStartOffset: ${o.localLogStartOffset}\tHighWatermark: ${o.highWatermark}${formatLocalColumns(o)}\tRemoteOffsets: ${Math.max(0, o.localLogStartOffset - o.logStartOffset)}${formatRemoteColumns(o)}`,
  );
  return `Topic: ${topic.name}\tTopicId: ${topic.topicId}\tPartitionCount: ${topic.partitions.length}\n${lines.join('\n')}\n`;
}

interface StatusOptions extends ConnectionOptions {
  readonly json?: boolean;
  readonly tieringService?: string;
}

export function tieringCommand(io: CliIo, setExitCode: (code: ExitCode) => void): Command {
  const tiering = new Command('tiering').description('tiered storage (KIP-405): what is remote, what is local');
  withTieringServiceOption(
    withConnectionOptions(
      tiering
        .command('status [topic]')
        .description(
          'per partition of each tiered topic: log start (remote included), local log start, high watermark; remote segments and bytes from the tiering service',
        )
        .option('--json', 'one JSON document instead of text'),
    ),
  ).action(async (name: string | undefined, options: StatusOptions) => {
    const service = resolveTieringService(options.tieringService, options.bootstrap);
    const code = await withAdmin(options, io, async (admin) => {
      const topics = (
        name === undefined ? await admin.describeTopics() : [await aboutTopic(name, () => admin.describeTopic(name))]
      ).filter((topic) => name !== undefined || isTiered(topic));
      const report: { topic: TopicInfo; tiered: boolean; offsets: PartitionTieringOffsets[] }[] = [];
      for (const topic of topics) {
        const tiered = isTiered(topic);
        report.push({
          topic,
          tiered,
          offsets: tiered ? await tieringStatus(admin, topic, service, Number(options.timeout)) : [],
        });
      }
      if (options.json === true) {
        io.out(
          `${JSON.stringify(
            report.map((r) => ({
              name: r.topic.name,
              topicId: r.topic.topicId,
              tiered: r.tiered,
              partitions: r.offsets,
            })),
            null,
            2,
          )}\n`,
        );
      } else {
        for (const r of report) {
          io.out(
            r.tiered
              ? formatTieringStatus(r.topic, r.offsets)
              : `Topic: ${r.topic.name}\tnot tiered (remote.storage.enable=false)\n`,
          );
        }
        if (report.length === 0) io.out('no topic has remote.storage.enable=true\n');
      }
      return ExitCode.OK;
    });
    setExitCode(code);
  });
  withConnectionOptions(
    tiering
      .command('scrub')
      .description(
        'delete objects no remote-log metadata names (older than --grace-ms) and stale multipart uploads; --dry-run lists them',
      )
      .option('--dry-run', 'report what would be deleted, delete nothing')
      .option(
        '--grace-ms <ms>',
        'only objects (and multipart uploads) at least this old',
        String(DEFAULT_SCRUB_GRACE_MS),
      )
      .option(
        '--command-config <file>',
        "a .properties file with the brokers' rsm.config.* S3 settings (and remote.log.metadata.topic.num.partitions)",
      )
      .option('--config <key=value>', 'one such setting (repeatable; wins over --command-config)', collectPairs)
      .option('--json', 'one JSON document instead of text'),
  ).action(async (options: ScrubOptions) => {
    const graceMs = Number(options.graceMs);
    if (!/^\d+$/.test(options.graceMs) || !Number.isSafeInteger(graceMs))
      throw new UsageError(`--grace-ms must be a non-negative integer, got ${JSON.stringify(options.graceMs)}`);
    const props: Record<string, string> = {};
    if (options.commandConfig !== undefined) {
      for (const [key, value] of parseProperties(readFileSync(options.commandConfig, 'utf8'))) props[key] = value;
    }
    Object.assign(props, parseConfigPairs(options.config ?? [], '--config'));
    props['remote.log.storage.system.enable'] = 'true';
    let config: ClusterTieringConfig;
    try {
      config = parseClusterTieringConfig(props, process.env);
    } catch (error) {
      if (error instanceof InvalidConfigError) throw new UsageError(error.message);
      throw error;
    }
    const s3 = config.s3!;
    const code = await withAdmin(options, io, async (admin) => {
      const cluster = await admin.describeCluster();
      const brokers = cluster.brokers
        .filter((broker) => !broker.fenced)
        .flatMap((broker) => broker.listeners.slice(0, 1).map((l) => `${l.host}:${l.port}`));
      if (brokers.length === 0) throw new Error('no unfenced broker: the remote-log metadata cannot be read');
      const store = new S3ObjectStore(s3);
      const metadataLog = new TopicRemoteLogMetadataLog({
        bootstrap: brokers,
        numPartitions: config.metadataTopicNumPartitions,
      });
      try {
        const result = await scrubRemoteStorage({
          store,
          metadataLog,
          prefix: s3.keyPrefix,
          graceMs,
          dryRun: options.dryRun === true,
          nowMs: Date.now(),
        });
        if (options.json === true) {
          io.out(
            `${JSON.stringify(
              {
                bucket: s3.bucket,
                prefix: s3.keyPrefix,
                dryRun: options.dryRun === true,
                orphans: result.orphans.map((o) => o.key),
                tooYoung: result.tooYoung.map((o) => o.key),
                named: result.named,
                foreign: result.foreign,
                deleted: result.deleted,
                abortedMultipartUploads: result.abortedMultipartUploads,
              },
              null,
              2,
            )}\n`,
          );
        } else {
          const verb = options.dryRun === true ? 'would delete' : 'deleted';
          for (const orphan of result.orphans) io.out(`${verb}\t${orphan.key}\t${orphan.sizeBytes} bytes\n`);
          io.out(
            `bucket ${s3.bucket} prefix '${s3.keyPrefix}': ${result.named} objects named by the metadata, ${result.orphans.length} orphans ${options.dryRun === true ? '(dry run: nothing deleted)' : 'deleted'}, ${result.tooYoung.length} unnamed but younger than ${graceMs} ms (kept), ${result.foreign} not ours (kept), ${result.abortedMultipartUploads} stale multipart uploads aborted\n`,
          );
        }
      } finally {
        await metadataLog.close();
        store.destroy();
      }
      return ExitCode.OK;
    });
    setExitCode(code);
  });
  return tiering;
}

/** An hour: far longer than a copy's PUTs take to be followed by their COPY_SEGMENT_STARTED's replay. */
const DEFAULT_SCRUB_GRACE_MS = 3_600_000;

interface ScrubOptions extends ConnectionOptions {
  readonly dryRun?: boolean;
  readonly graceMs: string;
  readonly commandConfig?: string;
  readonly config?: string[];
  readonly json?: boolean;
}

function collectPairs(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
