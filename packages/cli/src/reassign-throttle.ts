/**
 * The replication throttle of `sluice topic reassign` (kafka-reassign-partitions' --throttle):
 * `--execute --throttle <bytes/s>` sets, before the moves start,
 * - `leader.replication.throttled.replicas` on each moving partition's current replicas (any of
 *   them may lead while the move runs),
 * - `follower.replication.throttled.replicas` on the replicas being added,
 * - `leader.replication.throttled.rate` and `follower.replication.throttled.rate` on every broker
 *   involved (current and target replicas);
 * and `--verify`, once every partition of the plan is complete, removes the lists from the plan's
 * topics and the rates from every registered broker (as Kafka's, which clears all brokers).
 *
 * Re-executing a running plan with a new `--throttle` sets the same lists (computed from the
 * replicas before the move: the current ones less those being added) and the new rate.
 * `throttleConfigs` is pure; the rest calls the Admin and prints.
 */
import type { Admin, OngoingReassignment } from '@sluice/client';
import { UsageError } from './exit-codes';
import type { CliIo } from './io';
import type { CurrentPartition, ReassignmentPlan } from './reassign-plan';

export const LEADER_THROTTLED_REPLICAS = 'leader.replication.throttled.replicas';
export const FOLLOWER_THROTTLED_REPLICAS = 'follower.replication.throttled.replicas';
export const LEADER_THROTTLED_RATE = 'leader.replication.throttled.rate';
export const FOLLOWER_THROTTLED_RATE = 'follower.replication.throttled.rate';

/**
 * The controller's bound on one config value: a longer list (hundreds of moving partitions of one
 * topic) becomes `*`, every replica of the topic, which throttles more but never less.
 */
export const MAX_THROTTLED_LIST_CHARS = 4_096;

/** The topic lists and the brokers a plan's throttle touches. */
export interface ThrottleConfigs {
  /** Topic -> its two lists (`partition:brokerId,...`, sorted; '' when nothing on that side; `*` when too long). */
  readonly topics: ReadonlyMap<string, { readonly leader: string; readonly follower: string }>;
  /** Every broker among the current and target replicas, ascending. */
  readonly brokers: readonly number[];
}

/** `--throttle` as bytes/s: a positive integer. */
export function parseThrottleRate(text: string): number {
  const rate = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  if (!(Number.isSafeInteger(rate) && rate >= 1))
    throw new UsageError(`--throttle must be a rate in bytes/s (a positive integer), got ${JSON.stringify(text)}`);
  return rate;
}

function formatList(items: readonly { partition: number; brokerId: number }[]): string {
  const list = [...items]
    .sort((a, b) => a.partition - b.partition || a.brokerId - b.brokerId)
    .map((item) => `${item.partition}:${item.brokerId}`)
    .join(',');
  return list.length > MAX_THROTTLED_LIST_CHARS ? '*' : list;
}

/**
 * The lists and brokers for `plan`, given each partition's replicas now and the reassignments in
 * progress (whose adding replicas are not yet among the replicas the move started from).
 */
export function throttleConfigs(
  plan: ReassignmentPlan,
  current: readonly CurrentPartition[],
  ongoing: readonly OngoingReassignment[],
): ThrottleConfigs {
  const key = (topic: string, partition: number): string => `${topic}\u0000${partition}`;
  const replicasNow = new Map(current.map((p) => [key(p.topic, p.partition), p.replicas]));
  const adding = new Map(ongoing.map((r) => [key(r.topic, r.partition), r.addingReplicas]));
  const leaderItems = new Map<string, { partition: number; brokerId: number }[]>();
  const followerItems = new Map<string, { partition: number; brokerId: number }[]>();
  const brokers = new Set<number>();
  for (const p of plan.partitions) {
    const now = replicasNow.get(key(p.topic, p.partition));
    if (now === undefined) throw new UsageError(`${p.topic}-${p.partition} of the plan does not exist`);
    const beingAdded = adding.get(key(p.topic, p.partition)) ?? [];
    const original = now.filter((id) => !beingAdded.includes(id));
    const added = p.replicas.filter((id) => !original.includes(id));
    if (!leaderItems.has(p.topic)) leaderItems.set(p.topic, []);
    if (!followerItems.has(p.topic)) followerItems.set(p.topic, []);
    for (const brokerId of original) leaderItems.get(p.topic)!.push({ partition: p.partition, brokerId });
    for (const brokerId of added) followerItems.get(p.topic)!.push({ partition: p.partition, brokerId });
    for (const id of [...original, ...p.replicas]) brokers.add(id);
  }
  const topics = new Map<string, { leader: string; follower: string }>();
  for (const [topic, items] of leaderItems)
    topics.set(topic, { leader: formatList(items), follower: formatList(followerItems.get(topic) ?? []) });
  return { topics, brokers: [...brokers].sort((a, b) => a - b) };
}

/** Reports refused alterations; true when all were applied. */
function applied(
  results: readonly { type: string; name: string; error?: { errorName: string; message: string } }[],
  io: CliIo,
): boolean {
  let ok = true;
  for (const result of results) {
    if (result.error === undefined) continue;
    ok = false;
    io.err(`${result.type} ${result.name}: ${result.error.errorName}: ${result.error.message}\n`);
  }
  return ok;
}

/** Sets the throttle of `plan` at `rateBytesPerSecond`; prints what it set. True when all was set. */
export async function setReassignThrottle(
  admin: Admin,
  plan: ReassignmentPlan,
  current: readonly CurrentPartition[],
  rateBytesPerSecond: number,
  io: CliIo,
): Promise<boolean> {
  const byTopic = new Map<string, number[]>();
  for (const p of plan.partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition]);
  const ongoing = await admin.listPartitionReassignments(
    [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
  );
  const configs = throttleConfigs(plan, current, ongoing);
  const rate = String(rateBytesPerSecond);
  const results = await admin.alterConfigs([
    ...[...configs.topics].map(([topic, lists]) => ({
      type: 'topic' as const,
      name: topic,
      set: { [LEADER_THROTTLED_REPLICAS]: lists.leader, [FOLLOWER_THROTTLED_REPLICAS]: lists.follower },
    })),
    ...configs.brokers.map((id) => ({
      type: 'broker' as const,
      name: String(id),
      set: { [LEADER_THROTTLED_RATE]: rate, [FOLLOWER_THROTTLED_RATE]: rate },
    })),
  ]);
  for (const [topic, lists] of configs.topics) {
    io.out(`Throttle: topic ${topic} ${LEADER_THROTTLED_REPLICAS}=${lists.leader}\n`);
    io.out(`Throttle: topic ${topic} ${FOLLOWER_THROTTLED_REPLICAS}=${lists.follower}\n`);
  }
  io.out(
    `Throttle: ${LEADER_THROTTLED_RATE}=${rate} and ${FOLLOWER_THROTTLED_RATE}=${rate} (bytes/s) on brokers ${configs.brokers.join(',')}\n`,
  );
  io.out('Run --verify until every partition is complete: it removes the throttle.\n');
  return applied(results, io);
}

/** Removes the throttle configs: the lists of the plan's topics, the rates of every registered broker. */
export async function removeReassignThrottle(admin: Admin, plan: ReassignmentPlan, io: CliIo): Promise<boolean> {
  const topics = [...new Set(plan.partitions.map((p) => p.topic))].sort();
  const brokers = (await admin.describeCluster()).brokers.map((b) => b.brokerId).sort((a, b) => a - b);
  const results = await admin.alterConfigs([
    ...topics.map((name) => ({
      type: 'topic' as const,
      name,
      delete: [LEADER_THROTTLED_REPLICAS, FOLLOWER_THROTTLED_REPLICAS],
    })),
    ...brokers.map((id) => ({
      type: 'broker' as const,
      name: String(id),
      delete: [LEADER_THROTTLED_RATE, FOLLOWER_THROTTLED_RATE],
    })),
  ]);
  io.out(
    `Throttle removed: ${LEADER_THROTTLED_REPLICAS} and ${FOLLOWER_THROTTLED_REPLICAS} of topics ${topics.join(',')}; ${LEADER_THROTTLED_RATE} and ${FOLLOWER_THROTTLED_RATE} of brokers ${brokers.join(',')}\n`,
  );
  return applied(results, io);
}
