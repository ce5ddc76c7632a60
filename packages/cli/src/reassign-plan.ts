/**
 * Reassignment plans, pure: the JSON kafka-reassign-partitions reads and writes
 * (`{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[1,2,4]}]}`), a balanced
 * plan for a broker list (scale-out / scale-in), and a drain plan for one broker. Both move as
 * little as they can: a replica stays where it is unless its broker leaves the list or holds
 * more than its share.
 */
import { UsageError } from './exit-codes';

export interface PlannedPartition {
  readonly topic: string;
  readonly partition: number;
  /** Preferred leader first. */
  readonly replicas: readonly number[];
}

export interface ReassignmentPlan {
  readonly version: 1;
  readonly partitions: readonly PlannedPartition[];
}

/** What a plan starts from: a partition's current replicas. */
export interface CurrentPartition {
  readonly topic: string;
  readonly partition: number;
  readonly replicas: readonly number[];
}

/** Plans beyond this many partitions are refused (one AlterPartitionReassignments request). */
export const MAX_PLAN_PARTITIONS = 10_000;

/** The least-loaded broker of `candidates` not in `taken` (ties: the lower id); undefined if none. */
function leastLoaded(
  candidates: readonly number[],
  loads: Map<number, number>,
  taken: readonly number[],
): number | undefined {
  let best: number | undefined;
  for (const id of candidates) {
    if (taken.includes(id)) continue;
    if (best === undefined || (loads.get(id) ?? 0) < (loads.get(best) ?? 0)) best = id;
  }
  return best;
}

function checkBrokerIds(brokers: readonly number[]): number[] {
  if (brokers.length === 0) throw new UsageError('the broker list is empty');
  for (const id of brokers)
    if (!Number.isSafeInteger(id) || id < 0) throw new UsageError(`broker id ${id} is not a non-negative integer`);
  if (new Set(brokers).size !== brokers.length)
    throw new UsageError(`the broker list ${brokers.join(',')} repeats an id`);
  return [...brokers].sort((a, b) => a - b);
}

/**
 * Every partition onto `brokers`, keeping its replication factor, balanced to within one replica
 * per broker: replicas on brokers left out of the list go to the least-loaded brokers, then single
 * replicas move from the most- to the least-loaded broker (one this plan placed first, then a
 * follower's place before a preferred leader's) until the loads differ by at most one. Partitions already in place are left out.
 */
export function balancedPlan(current: readonly CurrentPartition[], brokerList: readonly number[]): ReassignmentPlan {
  const brokers = checkBrokerIds(brokerList);
  if (current.length > MAX_PLAN_PARTITIONS)
    throw new UsageError(`${current.length} partitions exceed the plan limit of ${MAX_PLAN_PARTITIONS}`);
  const loads = new Map<number, number>(brokers.map((id) => [id, 0]));
  const assigned = current.map((p) => {
    if (p.replicas.length > brokers.length) {
      throw new UsageError(
        `${p.topic}-${p.partition} has ${p.replicas.length} replicas, more than the ${brokers.length} brokers given`,
      );
    }
    for (const id of p.replicas) if (loads.has(id)) loads.set(id, (loads.get(id) ?? 0) + 1);
    return [...p.replicas];
  });
  for (const replicas of assigned) {
    for (let i = 0; i < replicas.length; i++) {
      if (loads.has(replicas[i] as number)) continue;
      const id = leastLoaded(brokers, loads, replicas) as number;
      replicas[i] = id;
      loads.set(id, (loads.get(id) ?? 0) + 1);
    }
  }
  // Each move narrows the gap between the two loads it touches, so this ends; the bound is a guard.
  const totalReplicas = assigned.reduce((sum, replicas) => sum + replicas.length, 0);
  for (let moves = 0; moves < totalReplicas; moves++) {
    const byLoad = [...brokers].sort((a, b) => (loads.get(a) ?? 0) - (loads.get(b) ?? 0) || a - b);
    const under = byLoad[0] as number;
    const over = byLoad[byLoad.length - 1] as number;
    if ((loads.get(over) ?? 0) - (loads.get(under) ?? 0) <= 1) break;
    const movable = (replicas: number[]): boolean => replicas.includes(over) && !replicas.includes(under);
    // Undo a placement this plan made before moving a replica that was there, and move a
    // follower before a preferred leader.
    const firstWhere = (test: (replicas: number[], i: number) => boolean): number =>
      assigned.findIndex((replicas, i) => movable(replicas) && test(replicas, i));
    let index = firstWhere((_, i) => !(current[i] as CurrentPartition).replicas.includes(over));
    if (index < 0) index = firstWhere((replicas) => replicas[0] !== over);
    if (index < 0) index = firstWhere(() => true);
    const target = assigned[index];
    if (target === undefined) break;
    target[target.indexOf(over)] = under;
    loads.set(over, (loads.get(over) ?? 0) - 1);
    loads.set(under, (loads.get(under) ?? 0) + 1);
  }
  const planned: PlannedPartition[] = [];
  current.forEach((p, i) => {
    const replicas = assigned[i] as number[];
    if (!sameList(replicas, p.replicas)) planned.push({ topic: p.topic, partition: p.partition, replicas });
  });
  return { version: 1, partitions: planned };
}

/**
 * Every replica on `brokerId` moved to the least-loaded of `others` (by replicas across all of
 * `current`) that the partition does not already have, in the same position of the list.
 */
export function drainPlan(
  current: readonly CurrentPartition[],
  brokerId: number,
  otherBrokers: readonly number[],
): ReassignmentPlan {
  const others = checkBrokerIds(otherBrokers.filter((id) => id !== brokerId));
  const loads = new Map<number, number>(others.map((id) => [id, 0]));
  for (const p of current) for (const id of p.replicas) if (loads.has(id)) loads.set(id, (loads.get(id) ?? 0) + 1);
  const planned: PlannedPartition[] = [];
  for (const p of current) {
    const at = p.replicas.indexOf(brokerId);
    if (at < 0) continue;
    const replacement = leastLoaded(others, loads, p.replicas);
    if (replacement === undefined) {
      throw new UsageError(
        `${p.topic}-${p.partition} has ${p.replicas.length} replicas and no other broker is free to take broker ${brokerId}'s`,
      );
    }
    loads.set(replacement, (loads.get(replacement) ?? 0) + 1);
    const replicas = [...p.replicas];
    replicas[at] = replacement;
    planned.push({ topic: p.topic, partition: p.partition, replicas });
  }
  if (planned.length > MAX_PLAN_PARTITIONS)
    throw new UsageError(`${planned.length} partitions exceed the plan limit of ${MAX_PLAN_PARTITIONS}`);
  return { version: 1, partitions: planned };
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => b[i] === id);
}

/** Parses and checks a plan file's text; a bad one is a usage error naming what is wrong. */
export function parsePlan(text: string, source: string): ReassignmentPlan {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not JSON: ${(error as Error).message}`);
  }
  const bad = (what: string): UsageError => new UsageError(`${source}: ${what}`);
  if (typeof value !== 'object' || value === null) throw bad('expected an object with "version" and "partitions"');
  const { version, partitions } = value as { version?: unknown; partitions?: unknown };
  if (version !== 1) throw bad(`version ${JSON.stringify(version)} is not 1`);
  if (!Array.isArray(partitions)) throw bad('"partitions" is not an array');
  if (partitions.length > MAX_PLAN_PARTITIONS)
    throw bad(`${partitions.length} partitions exceed the plan limit of ${MAX_PLAN_PARTITIONS}`);
  const seen = new Set<string>();
  const parsed = partitions.map((entry: unknown, index): PlannedPartition => {
    const { topic, partition, replicas } = (entry ?? {}) as {
      topic?: unknown;
      partition?: unknown;
      replicas?: unknown;
    };
    if (typeof topic !== 'string' || topic === '') throw bad(`partitions[${index}].topic is not a topic name`);
    if (!Number.isSafeInteger(partition) || (partition as number) < 0)
      throw bad(`partitions[${index}].partition is not a partition number`);
    if (!Array.isArray(replicas) || replicas.some((id) => !Number.isSafeInteger(id) || (id as number) < 0))
      throw bad(`partitions[${index}].replicas is not a list of broker ids`);
    const key = `${topic}\u0000${String(partition)}`;
    if (seen.has(key)) throw bad(`${topic}-${String(partition)} is listed twice`);
    seen.add(key);
    return { topic, partition: partition as number, replicas: replicas as number[] };
  });
  return { version: 1, partitions: parsed };
}

/** A broker list flag (`1,2,4`). */
export function parseBrokerList(text: string, flag: string): number[] {
  const ids = text.split(',').map((part) => part.trim());
  if (ids.some((id) => !/^\d+$/.test(id)))
    throw new UsageError(`${flag} expects broker ids separated by commas, got ${JSON.stringify(text)}`);
  return ids.map(Number);
}
