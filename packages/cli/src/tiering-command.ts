/**
 * `sluice tiering status [topic]`: per partition of each tiered topic (remote.storage.enable=true),
 * where its log starts (remote storage included), where its leader's local log starts, and its high
 * watermark, asked of the partition leaders (ListOffsets earliest, earliest-local, latest). What
 * lies between the first two is served from the object store.
 */
import type { TopicInfo } from '@sluice/client';
import { Command } from 'commander';
import { withAdmin, withConnectionOptions, type ConnectionOptions } from './bootstrap';
import { ExitCode } from './exit-codes';
import type { CliIo } from './io';
import { aboutTopic } from './topic-command';
import { isTiered, tieringOffsets, type PartitionTieringOffsets } from './tiering-offsets';

export function formatTieringStatus(topic: TopicInfo, offsets: readonly PartitionTieringOffsets[]): string {
  const lines = offsets.map(
    (o) =>
      `\tTopic: ${topic.name}\tPartition: ${o.partition}\tLeader: ${o.leader < 0 ? 'none' : o.leader}\tLogStartOffset: ${o.logStartOffset}\tLocalLogStartOffset: ${o.localLogStartOffset}\tHighWatermark: ${o.highWatermark}\tRemoteOffsets: ${Math.max(0, o.localLogStartOffset - o.logStartOffset)}`,
  );
  return `Topic: ${topic.name}\tTopicId: ${topic.topicId}\tPartitionCount: ${topic.partitions.length}\n${lines.join('\n')}\n`;
}

interface StatusOptions extends ConnectionOptions {
  readonly json?: boolean;
}

export function tieringCommand(io: CliIo, setExitCode: (code: ExitCode) => void): Command {
  const tiering = new Command('tiering').description('tiered storage (KIP-405): what is remote, what is local');
  withConnectionOptions(
    tiering
      .command('status [topic]')
      .description('per partition of each tiered topic: log start (remote included), local log start, high watermark')
      .option('--json', 'one JSON document instead of text'),
  ).action(async (name: string | undefined, options: StatusOptions) => {
    const code = await withAdmin(options, io, async (admin) => {
      const topics = (
        name === undefined ? await admin.describeTopics() : [await aboutTopic(name, () => admin.describeTopic(name))]
      ).filter((topic) => name !== undefined || isTiered(topic));
      const report: { topic: TopicInfo; tiered: boolean; offsets: PartitionTieringOffsets[] }[] = [];
      for (const topic of topics) {
        const tiered = isTiered(topic);
        report.push({ topic, tiered, offsets: tiered ? await tieringOffsets(admin, topic) : [] });
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
  return tiering;
}
