/**
 * One seeded chaos run against a LocalCluster with fault proxies: a fresh topic (replication
 * factor 3, min.insync.replicas 2), the Workload, then each fault of the seed's schedule in turn
 * (resolved against the leaders of that moment, held for its duration, healed, and followed by
 * a bounded wait until every partition has a leader and a full ISR again), then the checker on
 * the whole history. Every step is printed through `log` with the seed, so a failure replays.
 */
import type { Admin } from '@sluice/client';
import type { LocalCluster } from '../local-cluster';
import { sleep, waitFor } from '../wait';
import {
  describeScheduledFault,
  faultLinks,
  faultSchedule,
  type ClusterView,
  type FaultKind,
  type ScheduledFault,
} from './fault-schedule';
import { checkHistory, describeVerdict, type Verdict } from './history';
import { Workload, type WorkloadOptions } from './workload';

export interface ChaosRunOptions {
  /** Created with `networkFaults: true`, at least 3 brokers. */
  readonly cluster: LocalCluster;
  readonly seed: number;
  readonly steps: number;
  /** The topic the run creates and writes. */
  readonly topic: string;
  readonly partitions: number;
  readonly kinds?: readonly FaultKind[];
  /** Healthy time between a recovery and the next fault; default 1000. */
  readonly quietMs?: number;
  /** Bound on the recovery after each heal (leaders and full ISRs); default 60000. */
  readonly recoveryTimeoutMs?: number;
  readonly workload?: Partial<Omit<WorkloadOptions, 'bootstrap' | 'topic' | 'partitions'>>;
  readonly log?: (line: string) => void;
}

export interface ChaosStep {
  readonly fault: ScheduledFault;
  /** What it hit, resolved when it started. */
  readonly target: string;
  /** How the cluster looked just before the heal (the fault's effect): leader and ISR, or the active controller. */
  readonly during: string;
  /** Records sent from the fault's start to the end of its recovery: indexes [firstIndex, endIndex). */
  readonly firstIndex: number;
  readonly endIndex: number;
  /** From the heal until leaders and ISRs were whole again. */
  readonly recoveryMs: number;
}

export interface ChaosRun {
  readonly seed: number;
  readonly topic: string;
  readonly steps: readonly ChaosStep[];
  readonly verdict: Verdict;
  /** Send indexes that were acknowledged (to attribute acknowledgements to faults). */
  readonly ackedIndexes: ReadonlySet<number>;
}

const REPLICATION_FACTOR = 3;

async function wholeAgain(admin: Admin, topic: string): Promise<boolean> {
  const described = await admin.describeTopic(topic);
  return described.partitions.every((p) => p.leader >= 0 && p.isr.length === p.replicas.length);
}

async function viewOf(cluster: LocalCluster, topic: string, partition: number): Promise<ClusterView> {
  const described = await cluster.admin.describeTopic(topic);
  const found = described.partitions.find((p) => p.partition === partition);
  if (found === undefined) throw new Error(`${topic} has no partition ${partition}`);
  return {
    partitionLeader: found.leader,
    partitionReplicas: found.replicas,
    controllerLeader: await cluster.waitForControllerLeader(10_000),
    controllers: cluster.controllers.nodeIds,
    brokers: cluster.brokers.nodeIds,
    coordinators: cluster.coordinators.nodeIds,
  };
}

/** The fault's effect as the controllers see it: the partition's leader, epoch and ISR, or who leads the quorum. */
async function describeDuring(cluster: LocalCluster, topic: string, fault: ScheduledFault): Promise<string> {
  try {
    if (fault.kind === 'isolate-controller-leader')
      return `controller ${await cluster.waitForControllerLeader(5_000)} leads the quorum`;
    const found = (await cluster.admin.describeTopic(topic)).partitions.find((p) => p.partition === fault.partition);
    return found === undefined
      ? `p${fault.partition} missing`
      : `p${fault.partition} leader ${found.leader} (epoch ${found.leaderEpoch}) isr [${found.isr.join(',')}]`;
  } catch (error) {
    return `unknown (${error instanceof Error ? error.message : String(error)})`;
  }
}

export async function runChaos(options: ChaosRunOptions): Promise<ChaosRun> {
  const { cluster, seed, topic, partitions } = options;
  const log = options.log ?? (() => undefined);
  const network = cluster.network;
  const recoveryTimeoutMs = options.recoveryTimeoutMs ?? 60_000;
  if (cluster.brokers.nodeIds.length < REPLICATION_FACTOR)
    throw new RangeError(
      `a chaos run needs ${REPLICATION_FACTOR} brokers, the cluster has ${cluster.brokers.nodeIds.length}`,
    );
  const schedule = faultSchedule({
    seed,
    steps: options.steps,
    partitions,
    ...(options.kinds === undefined ? {} : { kinds: options.kinds }),
  });
  log(`seed ${seed}: ${schedule.map(describeScheduledFault).join('; ')}`);

  await cluster.admin.createTopic({
    name: topic,
    numPartitions: partitions,
    replicationFactor: REPLICATION_FACTOR,
    configs: { 'min.insync.replicas': '2' },
  });
  await waitFor(`${topic} led and fully in sync`, () => wholeAgain(cluster.admin, topic), 30_000);
  const workload = Workload.start({
    bootstrap: cluster.brokers.addresses().join(','),
    topic,
    partitions,
    ...options.workload,
  });
  const steps: ChaosStep[] = [];
  try {
    await waitFor('the first acknowledgements', () => workload.acknowledged >= 200, 30_000);
    for (const fault of schedule) {
      const resolved = faultLinks(fault, await viewOf(cluster, topic, fault.partition));
      const firstIndex = workload.sent;
      const ackedBefore = workload.acknowledged;
      const ackedInBefore = workload.acknowledgedIn(fault.partition);
      for (const change of resolved.links) network.setLinks(change.from, change.to, change.fault);
      log(`seed ${seed} ${describeScheduledFault(fault)}: ${resolved.target}`);
      await sleep(fault.durationMs);
      const during = await describeDuring(cluster, topic, fault);
      const ackedIn = workload.acknowledgedIn(fault.partition) - ackedInBefore;
      network.heal();
      const healedAt = Date.now();
      await waitFor(
        `seed ${seed} step ${fault.step}: ${topic} led and fully in sync after the heal`,
        () => wholeAgain(cluster.admin, topic),
        recoveryTimeoutMs,
        200,
      );
      const recoveryMs = Date.now() - healedAt;
      await sleep(options.quietMs ?? 1_000);
      steps.push({ fault, target: resolved.target, during, firstIndex, endIndex: workload.sent, recoveryMs });
      log(
        `seed ${seed} step ${fault.step}: before the heal ${during}, ${ackedIn} acknowledged in p${fault.partition}; ` +
          `healed, whole again after ${recoveryMs} ms; ${workload.acknowledged - ackedBefore} acknowledged in all`,
      );
    }
  } finally {
    network.heal();
    await workload.stop();
  }
  const history = await workload.readBack();
  const verdict = checkHistory(history);
  log(`seed ${seed}: ${describeVerdict(verdict)}`);
  return { seed, topic, steps, verdict, ackedIndexes: new Set(history.acked.map((acked) => acked.index)) };
}
