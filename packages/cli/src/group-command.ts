/**
 * `sluice group list|describe|delete|reset-offsets`: consumer group administration as Kafka's
 * kafka-consumer-groups does it, through the client's Admin (coordinators for the groups, the
 * controllers and brokers for topics and log offsets). Named Kafka errors are exit 1
 * (`error: NON_EMPTY_GROUP: ...`), bad flags exit 2.
 */
import {
  Admin,
  describeApiError,
  GroupAdmin,
  topicPartitionKey,
  type GroupDescription,
  type TopicPartition,
} from '@sluice/client';
import { ApiError } from '@sluice/protocol';
import { Command } from 'commander';
import { resolveBootstrap, resolveCoordinators, withConnectionOptions, type ConnectionOptions } from './bootstrap';
import { integerOption } from './client-session';
import { ExitCode } from './exit-codes';
import { formatDescription, formatResetPlan, formatTable, partitionLags } from './group-format';
import {
  planOffsetReset,
  resetRequest,
  type PartitionOffsets,
  type ResetFlags,
  type ResetRequest,
} from './group-reset-plan';
import type { CliIo } from './io';

export interface GroupOptions extends ConnectionOptions {
  readonly coordinators?: string;
  readonly json?: boolean;
}

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function withGroupOptions(command: Command): Command {
  return withConnectionOptions(command).option(
    '--coordinators <host:port,...>',
    "every group coordinator (default: $SLUICE_COORDINATORS, else the local cluster 'sluice cluster up' started)",
  );
}

/** ApiErrors become exit 1 with `error: NAME: reason` on stderr; anything else propagates. */
async function reportingApiErrors(io: CliIo, work: () => Promise<ExitCode>): Promise<ExitCode> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    io.err(`error: ${describeApiError(error)}\n`);
    return ExitCode.FAILURE;
  }
}

/** The coordinators only (list, delete): no controller is needed. */
export async function withGroupAdmin(
  options: GroupOptions,
  io: CliIo,
  body: (groups: GroupAdmin) => Promise<ExitCode>,
): Promise<ExitCode> {
  const timeoutMs = integerOption(options.timeout, '--timeout', 1);
  const groups = new GroupAdmin({ coordinators: resolveCoordinators(options.coordinators), timeoutMs });
  try {
    return await reportingApiErrors(io, () => body(groups));
  } finally {
    groups.close();
  }
}

/** Coordinators, controllers and (through them) brokers: describe and reset-offsets read log offsets. */
export async function withAdmin(
  options: GroupOptions,
  io: CliIo,
  body: (admin: Admin) => Promise<ExitCode>,
): Promise<ExitCode> {
  const timeoutMs = integerOption(options.timeout, '--timeout', 1);
  const admin = new Admin({
    bootstrap: resolveBootstrap(options.bootstrap),
    coordinators: resolveCoordinators(options.coordinators),
    timeoutMs,
    attemptTimeoutMs: Math.min(5_000, timeoutMs),
  });
  try {
    return await reportingApiErrors(io, () => body(admin));
  } finally {
    admin.close();
  }
}

/** High watermark of each partition by topicPartitionKey; partitions of topics that are gone are left out. */
export async function logEndOffsets(admin: Admin, partitions: readonly TopicPartition[]): Promise<Map<string, number>> {
  const byTopic = new Map<string, TopicPartition[]>();
  for (const tp of partitions) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp]);
  const ends = new Map<string, number>();
  await Promise.all(
    [...byTopic.values()].map(async (list) => {
      try {
        for (const [key, end] of await admin.listOffsets(list, 'latest')) ends.set(key, end.offset);
      } catch (error) {
        if (!(error instanceof ApiError) || error.errorName !== 'UNKNOWN_TOPIC_OR_PARTITION') throw error;
      }
    }),
  );
  return ends;
}

/** The group as reset-offsets needs it: refused (NON_EMPTY_GROUP) while it has members; an unknown group is fine. */
async function requireInactive(admin: Admin, groupId: string): Promise<void> {
  const [described] = await admin.describeGroups([groupId]);
  if (described === undefined) throw new ApiError('UNKNOWN_SERVER_ERROR', `no answer for group ${groupId}`);
  if (described.error !== undefined) {
    if (described.error.errorName === 'GROUP_ID_NOT_FOUND') return;
    throw described.error;
  }
  if (described.members.length > 0) {
    throw new ApiError(
      'NON_EMPTY_GROUP',
      `offsets can only be reset for an inactive group, but group '${groupId}' has ${described.members.length} member(s) (state ${described.state}); stop its consumers first`,
    );
  }
}

/** The partitions a reset covers: the named ones (checked against the topics), or every partition the group committed. */
async function resetPartitions(admin: Admin, groupId: string, request: ResetRequest): Promise<TopicPartition[]> {
  if (request.scope.kind === 'all-topics')
    return (await admin.listGroupOffsets(groupId)).map((o) => ({ topic: o.topic, partition: o.partition }));
  const topics = await admin.describeTopics(request.scope.topics.map((t) => t.topic));
  const partitions: TopicPartition[] = [];
  for (const [index, selection] of request.scope.topics.entries()) {
    const info = topics[index];
    if (info === undefined || info.error !== undefined)
      throw new ApiError('UNKNOWN_TOPIC_OR_PARTITION', `topic '${selection.topic}' does not exist`);
    const count = info.partitions.length;
    const wanted = selection.partitions ?? Array.from({ length: count }, (_, p) => p);
    for (const partition of wanted) {
      if (partition >= count)
        throw new ApiError(
          'UNKNOWN_TOPIC_OR_PARTITION',
          `topic '${selection.topic}' has no partition ${partition} (it has ${count})`,
        );
      partitions.push({ topic: selection.topic, partition });
    }
  }
  return partitions;
}

async function resetOffsets(
  admin: Admin,
  groupId: string,
  request: ResetRequest,
  json: boolean,
  io: CliIo,
): Promise<ExitCode> {
  await requireInactive(admin, groupId);
  const partitions = await resetPartitions(admin, groupId, request);
  if (partitions.length === 0) {
    io.err(`Group ${groupId} has no committed offsets: nothing to reset (name topics with --topic).\n`);
    if (json) io.out(`${JSON.stringify({ group: groupId, executed: false, partitions: [] }, null, 2)}\n`);
    return ExitCode.OK;
  }
  const committed = new Map(
    (await admin.listGroupOffsets(groupId, partitions)).map((o) => [topicPartitionKey(o.topic, o.partition), o.offset]),
  );
  const [starts, ends, forTime] = await Promise.all([
    admin.listOffsets(partitions, 'earliest'),
    admin.listOffsets(partitions, 'latest'),
    request.target.kind === 'datetime'
      ? admin.listOffsets(partitions, { timestampMs: request.target.timestampMs })
      : Promise.resolve(null),
  ]);
  const inputs: PartitionOffsets[] = partitions.map((tp) => {
    const key = topicPartitionKey(tp.topic, tp.partition);
    const logStart = starts.get(key)?.offset;
    const logEnd = ends.get(key)?.offset;
    if (logStart === undefined || logEnd === undefined)
      throw new ApiError('UNKNOWN_SERVER_ERROR', `no log offsets for ${tp.topic}-${tp.partition}`);
    const offsetForTime = forTime?.get(key)?.offset;
    return {
      ...tp,
      committed: committed.get(key) ?? null,
      logStart,
      logEnd,
      ...(offsetForTime === undefined ? {} : { offsetForTime }),
    };
  });
  const plan = planOffsetReset(inputs, request.target);
  let failed = 0;
  if (request.execute) {
    const results = await admin.alterGroupOffsets(
      groupId,
      plan.map((p) => ({ topic: p.topic, partition: p.partition, offset: p.newOffset })),
    );
    for (const result of results) {
      if (result.error === undefined) continue;
      failed++;
      io.err(`error: ${result.topic}-${result.partition}: ${describeApiError(result.error)}\n`);
    }
  }
  if (json) io.out(`${JSON.stringify({ group: groupId, executed: request.execute, partitions: plan }, null, 2)}\n`);
  else io.out(formatResetPlan(groupId, plan));
  if (!request.execute) io.err('Dry run: nothing was changed. Add --execute to commit these offsets.\n');
  return failed > 0 ? ExitCode.FAILURE : ExitCode.OK;
}

function describeJson(group: GroupDescription, lags: ReturnType<typeof partitionLags>): object {
  return {
    group: group.groupId,
    state: group.state,
    groupEpoch: group.groupEpoch,
    assignmentEpoch: group.assignmentEpoch,
    assignor: group.assignor,
    members: group.members,
    partitions: lags,
  };
}

export function groupCommand(io: CliIo, setExitCode: (code: ExitCode) => void): Command {
  const group = new Command('group').description(
    'list, describe and delete consumer groups; reset their committed offsets',
  );

  withGroupOptions(
    group
      .command('list')
      .description('every consumer group with its state and member count')
      .option('--json', 'one JSON document instead of text'),
  ).action(async (options: GroupOptions) => {
    setExitCode(
      await withGroupAdmin(options, io, async (groups) => {
        const listed = await groups.listGroups();
        if (options.json === true) io.out(`${JSON.stringify(listed.groups, null, 2)}\n`);
        else if (listed.groups.length > 0)
          io.out(
            formatTable(
              ['GROUP', 'STATE', 'MEMBERS'],
              listed.groups.map((g) => [g.groupId, g.state, g.members]),
            ),
          );
        for (const { coordinator, error } of listed.errors)
          io.err(
            `error: coordinator ${coordinator} did not answer, its groups are missing: ${describeApiError(error)}\n`,
          );
        return listed.errors.length > 0 ? ExitCode.FAILURE : ExitCode.OK;
      }),
    );
  });

  withGroupOptions(
    group
      .command('describe <group>')
      .description("a group's state and members, and per partition its committed offset, log end offset, lag and owner")
      .option('--json', 'one JSON document instead of text'),
  ).action(async (groupId: string, options: GroupOptions) => {
    setExitCode(
      await withAdmin(options, io, async (admin) => {
        const described = await admin.describeGroup(groupId);
        const committed = await admin.listGroupOffsets(groupId);
        const partitions = [
          ...committed.map((o) => ({ topic: o.topic, partition: o.partition })),
          ...described.members.flatMap((m) => m.assigned),
        ];
        const lags = partitionLags(described, committed, await logEndOffsets(admin, partitions));
        io.out(
          options.json === true
            ? `${JSON.stringify(describeJson(described, lags), null, 2)}\n`
            : formatDescription(described, lags),
        );
        return ExitCode.OK;
      }),
    );
  });

  withGroupOptions(
    group.command('delete <groups...>').description('delete groups without members, with their committed offsets'),
  ).action(async (groupIds: string[], options: GroupOptions) => {
    setExitCode(
      await withGroupAdmin(options, io, async (groups) => {
        let failed = false;
        for (const result of await groups.deleteGroups(groupIds)) {
          if (result.error === undefined) {
            io.out(`Deleted group ${result.groupId}.\n`);
          } else {
            failed = true;
            io.err(`error: group ${result.groupId}: ${describeApiError(result.error)}\n`);
          }
        }
        return failed ? ExitCode.FAILURE : ExitCode.OK;
      }),
    );
  });

  withGroupOptions(
    group
      .command('reset-offsets <group>')
      .description(
        "plan (default) or --execute new committed offsets for an inactive group, kept within each log's start and end",
      )
      .option('--topic <topic[:p,p]>', 'a topic, or some of its partitions (repeatable)', collect)
      .option('--all-topics', 'every partition the group has committed offsets for')
      .option('--to-earliest', 'the log start')
      .option('--to-latest', 'the log end')
      .option(
        '--to-datetime <iso-8601>',
        'the first offset with a timestamp at or after this time (2026-11-23T10:00:00Z)',
      )
      .option('--shift-by <n>', 'the committed offset plus n (negative: back)')
      .option('--to-offset <n>', 'this offset')
      .option('--dry-run', 'print the plan only (the default)')
      .option('--execute', 'commit the planned offsets')
      .option('--json', 'the plan as one JSON document'),
  ).action(async (groupId: string, options: GroupOptions & ResetFlags) => {
    const request = resetRequest(options);
    setExitCode(
      await withAdmin(options, io, (admin) => resetOffsets(admin, groupId, request, options.json === true, io)),
    );
  });

  return group;
}
