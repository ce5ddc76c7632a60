/**
 * `sluice share list|describe|consume`: share groups (KIP-932) as Kafka's kafka-share-groups and
 * kafka-console-share-consumer show them, through the client's Admin (coordinators for the
 * groups and their share state, controllers and brokers for topics and log end offsets). Named
 * Kafka errors are exit 1 (`error: GROUP_ID_NOT_FOUND: ...`), bad flags exit 2.
 */
import { assignedPartitions, describeApiError, type Admin, type TopicPartition } from '@sluice/client';
import { ApiError } from '@sluice/protocol';
import { Command } from 'commander';
import { ExitCode } from './exit-codes';
import {
  collect,
  logEndOffsets,
  withAdmin,
  withGroupAdmin,
  withGroupOptions,
  type GroupOptions,
} from './group-command';
import type { CliIo } from './io';
import { shareConsumeCommand } from './share-consume-command';
import { formatShareDescription, formatShareList, shareDescriptionJson, sharePartitionLags } from './share-format';

interface ShareDescribeOptions extends GroupOptions {
  readonly topic?: string[];
}

/** Every partition of the named topics; an unknown topic is UNKNOWN_TOPIC_OR_PARTITION. */
async function topicPartitions(admin: Admin, topics: readonly string[]): Promise<TopicPartition[]> {
  if (topics.length === 0) return [];
  const described = await admin.describeTopics([...new Set(topics)]);
  return described.flatMap((info) => {
    if (info.error !== undefined)
      throw new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${info.name}' does not exist`);
    return info.partitions.map((p) => ({ topic: info.name, partition: p.partition }));
  });
}

export function shareCommand(io: CliIo, setExitCode: (code: ExitCode) => void): Command {
  const share = new Command('share').description('share groups (KIP-932): consume as a member, list and describe them');

  share.addCommand(shareConsumeCommand(io, setExitCode));

  withGroupOptions(
    share
      .command('list')
      .description('every share group with its state and member count')
      .option('--json', 'one JSON document instead of text'),
  ).action(async (options: GroupOptions) => {
    setExitCode(
      await withGroupAdmin(options, io, async (groups) => {
        const listed = await groups.listShareGroups();
        io.out(options.json === true ? `${JSON.stringify(listed.groups, null, 2)}\n` : formatShareList(listed.groups));
        for (const { coordinator, error } of listed.errors)
          io.err(
            `error: coordinator ${coordinator} did not answer, its groups are missing: ${describeApiError(error)}\n`,
          );
        return listed.errors.length > 0 ? ExitCode.FAILURE : ExitCode.OK;
      }),
    );
  });

  withGroupOptions(
    share
      .command('describe <group>')
      .description(
        "a share group's state and members, and per partition its share start offset, log end offset and lag (end - start)",
      )
      .option(
        '--topic <topic>',
        "show this topic's partitions too, assigned or not (repeatable; e.g. for a group without members)",
        collect,
      )
      .option('--json', 'one JSON document instead of text'),
  ).action(async (groupId: string, options: ShareDescribeOptions) => {
    setExitCode(
      await withAdmin(options, io, async (admin) => {
        const described = await admin.describeShareGroup(groupId);
        const partitions = [...assignedPartitions(described), ...(await topicPartitions(admin, options.topic ?? []))];
        const [offsets, ends] = await Promise.all([
          admin.listShareGroupOffsets(groupId, partitions),
          logEndOffsets(admin, partitions),
        ]);
        const lags = sharePartitionLags(offsets, ends);
        io.out(
          options.json === true
            ? `${JSON.stringify(shareDescriptionJson(described, lags), null, 2)}\n`
            : formatShareDescription(described, lags),
        );
        return ExitCode.OK;
      }),
    );
  });

  return share;
}
