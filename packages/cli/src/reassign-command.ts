/**
 * `sluice topic reassign --plan | --execute | --verify` (kafka-reassign-partitions' --generate,
 * --execute, --verify) and `sluice cluster drain <brokerId>`, over the Admin's
 * AlterPartitionReassignments / ListPartitionReassignments. Plans are computed by
 * reassign-plan.ts; this file only reads, calls and prints.
 */
import { readFileSync } from 'node:fs';
import type { Admin, OngoingReassignment, TopicInfo } from '@sluice/client';
import { sleep } from '@sluice/local-cluster';
import { Command } from 'commander';
import { withAdmin, withConnectionOptions, type ConnectionOptions } from './bootstrap';
import { ExitCode, UsageError } from './exit-codes';
import type { CliIo } from './io';
import {
  balancedPlan,
  drainPlan,
  parseBrokerList,
  parsePlan,
  type CurrentPartition,
  type ReassignmentPlan,
} from './reassign-plan';
import { parseThrottleRate, removeReassignThrottle, setReassignThrottle } from './reassign-throttle';
import { aboutTopic } from './topic-command';

/** How often a waiting command asks for the reassignments still in progress. */
const PROGRESS_POLL_MS = 1_000;

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function currentOf(topics: readonly TopicInfo[]): CurrentPartition[] {
  return topics.flatMap((topic) =>
    topic.partitions.map((p) => ({ topic: topic.name, partition: p.partition, replicas: p.replicas })),
  );
}

function planJson(plan: ReassignmentPlan): string {
  return `${JSON.stringify(plan)}\n`;
}

/** Submits a plan; prints one line per refused partition. True when every partition was accepted. */
async function executePlan(admin: Admin, plan: ReassignmentPlan, io: CliIo): Promise<boolean> {
  const results = await admin.alterPartitionReassignments(
    plan.partitions.map((p) => ({ topic: p.topic, partition: p.partition, targetReplicas: p.replicas })),
  );
  let ok = true;
  for (const result of results) {
    if (result.error === undefined) continue;
    ok = false;
    io.err(`${result.topic}-${result.partition}: ${result.error.errorName}: ${result.error.message}\n`);
  }
  io.out(
    `Started ${results.length - results.filter((r) => r.error !== undefined).length} of ${results.length} partition reassignments.\n`,
  );
  return ok;
}

type Status = 'complete' | 'in progress' | 'differs';

/** Each planned partition's state: done, still moving, or neither (cancelled, or replaced by another target). */
async function verifyPlan(
  admin: Admin,
  plan: ReassignmentPlan,
): Promise<{ partition: { topic: string; partition: number }; status: Status; detail: string }[]> {
  const names = [...new Set(plan.partitions.map((p) => p.topic))];
  const byTopic = new Map<string, number[]>();
  for (const p of plan.partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
  const ongoing = await admin.listPartitionReassignments(
    [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
  );
  const moving = new Map<string, OngoingReassignment>(ongoing.map((r) => [`${r.topic}\u0000${r.partition}`, r]));
  const topics = new Map((await admin.describeTopics(names)).map((t) => [t.name, t]));
  return plan.partitions.map((p) => {
    const partition = { topic: p.topic, partition: p.partition };
    const inProgress = moving.get(`${p.topic}\u0000${p.partition}`);
    if (inProgress !== undefined) {
      return {
        partition,
        status: 'in progress' as const,
        detail: `adding ${inProgress.addingReplicas.join(',') || 'none'}, removing ${inProgress.removingReplicas.join(',') || 'none'}`,
      };
    }
    const replicas = topics.get(p.topic)?.partitions.find((q) => q.partition === p.partition)?.replicas;
    const done = replicas !== undefined && replicas.join(',') === p.replicas.join(',');
    return {
      partition,
      status: done ? ('complete' as const) : ('differs' as const),
      detail: `replicas ${replicas === undefined ? 'unknown' : replicas.join(',')}`,
    };
  });
}

function readPlanFile(path: string | undefined): ReassignmentPlan {
  if (path === undefined) throw new UsageError('--execute and --verify need --plan-file <file>');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message}`);
  }
  return parsePlan(text, path);
}

interface ReassignOptions extends ConnectionOptions {
  readonly plan?: boolean;
  readonly execute?: boolean;
  readonly verify?: boolean;
  readonly topic?: string[];
  readonly brokers?: string;
  readonly planFile?: string;
  readonly throttle?: string;
}

export function topicReassignCommand(io: CliIo, setExitCode: (code: ExitCode) => void): Command {
  return withConnectionOptions(
    new Command('reassign')
      .description(
        'move partitions between brokers: --plan prints a JSON plan, --execute starts it, --verify reports its progress',
      )
      .option('--plan', 'print a plan moving --topic onto --brokers (JSON on stdout, the current assignment on stderr)')
      .option('--execute', 'start the reassignments of --plan-file')
      .option(
        '--verify',
        'report each partition of --plan-file: complete, in progress or differs (exit 1 unless all complete)',
      )
      .option('--topic <name>', 'with --plan: a topic to move (repeatable)', collect)
      .option('--brokers <ids>', 'with --plan: the brokers to place replicas on, e.g. 1,2,4')
      .option('--plan-file <file>', 'with --execute / --verify: a plan as --plan prints it')
      .option(
        '--throttle <bytes/s>',
        'with --execute: throttle the copy (leader/follower.replication.throttled.rate on the brokers involved, the replica lists on the topics); again on a running plan: a new rate. --verify removes it once all complete',
      ),
  ).action(async (options: ReassignOptions) => {
    const modes = [options.plan, options.execute, options.verify].filter((flag) => flag === true).length;
    if (modes !== 1) throw new UsageError('give exactly one of --plan, --execute, --verify');
    if (options.plan === true) {
      const topics = options.topic ?? [];
      if (topics.length === 0) throw new UsageError('--plan needs at least one --topic');
      if (options.brokers === undefined) throw new UsageError('--plan needs --brokers, e.g. --brokers 1,2,4');
      const brokers = parseBrokerList(options.brokers, '--brokers');
      setExitCode(
        await withAdmin(options, io, async (admin) => {
          const described: TopicInfo[] = [];
          for (const name of topics) described.push(await aboutTopic(name, () => admin.describeTopic(name)));
          const current = currentOf(described);
          io.err(
            `Current partition replica assignment (keep it to roll back):\n${planJson({ version: 1, partitions: current })}`,
          );
          io.out(planJson(balancedPlan(current, brokers)));
          return ExitCode.OK;
        }),
      );
      return;
    }
    if (options.throttle !== undefined && options.execute !== true)
      throw new UsageError('--throttle goes with --execute (--verify removes the throttle by itself)');
    const rate = options.throttle === undefined ? undefined : parseThrottleRate(options.throttle);
    const plan = readPlanFile(options.planFile);
    setExitCode(
      await withAdmin(options, io, async (admin) => {
        if (options.execute === true) {
          // As kafka-reassign-partitions: the throttle is in place before the first byte moves.
          if (rate !== undefined) {
            const topics = await admin.describeTopics([...new Set(plan.partitions.map((p) => p.topic))]);
            if (!(await setReassignThrottle(admin, plan, currentOf(topics), rate, io))) return ExitCode.FAILURE;
          }
          return (await executePlan(admin, plan, io)) ? ExitCode.OK : ExitCode.FAILURE;
        }
        const statuses = await verifyPlan(admin, plan);
        for (const s of statuses) io.out(`${s.partition.topic}-${s.partition.partition}: ${s.status} (${s.detail})\n`);
        if (!statuses.every((s) => s.status === 'complete')) return ExitCode.FAILURE;
        return (await removeReassignThrottle(admin, plan, io)) ? ExitCode.OK : ExitCode.FAILURE;
      }),
    );
  });
}

interface DrainOptions extends ConnectionOptions {
  readonly waitMs: string;
}

/** `sluice cluster drain <brokerId>`: every replica off the broker, then wait until moved. */
export function clusterDrainCommand(io: CliIo, setExitCode: (code: ExitCode) => void): Command {
  return withConnectionOptions(
    new Command('drain')
      .argument('<brokerId>', 'the broker to empty')
      .description(
        'move every replica off a broker onto the other unfenced brokers (least loaded first), and wait until done (before scaling in)',
      )
      .option('--wait-ms <ms>', 'give up waiting for the moves after this long (they go on)', '600000'),
  ).action(async (brokerText: string, options: DrainOptions) => {
    if (!/^\d+$/.test(brokerText))
      throw new UsageError(`broker id must be a non-negative integer, got ${JSON.stringify(brokerText)}`);
    if (!/^\d+$/.test(options.waitMs))
      throw new UsageError(`--wait-ms must be milliseconds, got ${JSON.stringify(options.waitMs)}`);
    const brokerId = Number(brokerText);
    const waitMs = Number(options.waitMs);
    setExitCode(
      await withAdmin(options, io, async (admin) => {
        const cluster = await admin.describeCluster();
        if (!cluster.brokers.some((b) => b.brokerId === brokerId)) {
          io.err(`error: broker ${brokerId} is not registered\n`);
          return ExitCode.FAILURE;
        }
        const others = cluster.brokers.filter((b) => !b.fenced && b.brokerId !== brokerId).map((b) => b.brokerId);
        if (others.length === 0) {
          io.err(`error: no other unfenced broker to move broker ${brokerId}'s replicas to\n`);
          return ExitCode.FAILURE;
        }
        const plan = drainPlan(currentOf(await admin.describeTopics()), brokerId, others);
        if (plan.partitions.length === 0) {
          io.out(`drain: broker ${brokerId} hosts no replicas.\n`);
          return ExitCode.OK;
        }
        io.out(`drain: moving ${plan.partitions.length} replicas off broker ${brokerId} onto ${others.join(',')}\n`);
        if (!(await executePlan(admin, plan, io))) return ExitCode.FAILURE;
        const deadline = Date.now() + waitMs;
        let last = -1;
        for (;;) {
          const statuses = await verifyPlan(admin, plan);
          const done = statuses.filter((s) => s.status === 'complete').length;
          const differs = statuses.filter((s) => s.status === 'differs');
          if (done !== last) io.out(`drain: ${done}/${statuses.length} partitions moved\n`);
          last = done;
          if (differs.length > 0) {
            for (const s of differs)
              io.err(
                `${s.partition.topic}-${s.partition.partition}: no longer moving and not on the plan (${s.detail})\n`,
              );
            return ExitCode.FAILURE;
          }
          if (done === statuses.length) {
            io.out(`drain: broker ${brokerId} hosts no replicas.\n`);
            return ExitCode.OK;
          }
          if (Date.now() >= deadline || io.signal?.aborted === true) {
            io.err(
              `drain: ${statuses.length - done} partitions still moving after ${waitMs} ms (the moves go on; see sluice topic reassign --verify)\n`,
            );
            return ExitCode.FAILURE;
          }
          await sleep(PROGRESS_POLL_MS);
        }
      }),
    );
  });
}
