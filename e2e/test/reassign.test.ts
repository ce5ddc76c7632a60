/**
 * Partition reassignment on real processes: one controller, brokers 1-3 running and a fourth
 * started later (a scale-out). A topic of 4 partitions with replication factor 3
 * (min.insync.replicas 2) is written by the shared idempotent acks=all Workload while every
 * partition is reassigned to put a replica on the new broker: the first replica of each target
 * is the new broker in half the partitions and the current leader leaves in the others, so the
 * completion moves leadership too. Then, still under the workload, the CLI scales back in:
 * `sluice topic reassign --plan --brokers 1,2,3`, `--execute`, `--verify` until complete, and
 * `sluice cluster drain` of another broker, which then stops. Last, a broker killed -9 and
 * restarted reports NOT_SERVING on grpc.health.v1 (`sluice.v1.Broker`, the chart's readiness)
 * until it is back in every ISR it belongs to. The history checker proves nothing acknowledged
 * was lost or duplicated, and the partitions sit on their target replicas, all in sync. A broker
 * a completed reassignment removed deletes the partition's log directory (Kafka's StopReplica
 * with delete); the added broker has one.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHistory, describeVerdict, LocalCluster, sleep, waitFor, Workload } from '@sluice/local-cluster';
import { createGrpcClient, unaryCall } from '@sluice/proto';
import { ExitCode, runCli } from '../../packages/cli/src';

/** The broker's readiness (what the chart's readiness probe asks). */
async function brokerHealth(address: string): Promise<string> {
  // Its own subchannel with a short reconnect backoff: a shared one still backing off from the
  // killed process would hide the restarted broker's first answers.
  const health = createGrpcClient('Health', address, {
    'grpc.use_local_subchannel_pool': 1,
    'grpc.initial_reconnect_backoff_ms': 20,
    'grpc.max_reconnect_backoff_ms': 50,
  });
  try {
    const answer = await unaryCall(health, 'Check', { service: 'sluice.v1.Broker' }, { timeoutMs: 500 });
    return answer.status;
  } catch (error) {
    return `unreachable (${(error as Error).message})`;
  } finally {
    health.close();
  }
}

async function sluice(...argv: string[]): Promise<{ code: ExitCode; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { out: (text) => void (out += text), err: (text) => void (err += text) });
  return { code, out, err };
}

jest.setTimeout(180_000);

const TOPIC = 'moved';
const PARTITIONS = 4;

describe('reassigning partitions onto a new broker under an idempotent acks=all producer', () => {
  let cluster: LocalCluster;

  beforeAll(async () => {
    cluster = await LocalCluster.create({
      baseDir: mkdtempSync(join(tmpdir(), 'sluice-reassign-')),
      roles: {
        controller: { count: 1 },
        broker: {
          count: 4,
          config: {
            'broker.heartbeat.interval.ms': 200,
            'min.insync.replicas': 2,
            'replica.fetch.wait.max.ms': 200,
          },
        },
        coordinator: { count: 0 },
      },
    });
    await cluster.start({ roles: ['controller'] });
    for (const id of cluster.brokers.nodeIds.slice(0, 3)) cluster.brokers.start(id);
    await cluster.waitForUnfencedBrokers(60_000, cluster.brokers.nodeIds.slice(0, 3));
  });

  afterAll(async () => {
    await cluster?.stop({ removeBaseDir: true });
  });

  it('moves replicas onto broker 4 and off the others, losing and duplicating nothing', async () => {
    const { admin, brokers } = cluster;
    const [first, second, third, added] = brokers.nodeIds as [number, number, number, number];
    await admin.createTopic({ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 });
    const workload = Workload.start({
      bootstrap: [first, second, third].map((id) => brokers.address(id)).join(','),
      topic: TOPIC,
      partitions: PARTITIONS,
    });
    await waitFor('writes before the scale-out', () => workload.acknowledged > 500, 30_000);

    brokers.start(added);
    await cluster.waitForUnfencedBrokers(60_000, [added]);
    const before = (await admin.describeTopic(TOPIC)).partitions;
    const targets = before.map((p) => {
      // Even partitions: the leader leaves and the new broker becomes the preferred replica.
      // Odd partitions: a follower leaves, the leader stays.
      const leaving = p.partition % 2 === 0 ? p.leader : (p.replicas.find((id) => id !== p.leader) as number);
      const kept = p.replicas.filter((id) => id !== leaving);
      return {
        topic: TOPIC,
        partition: p.partition,
        targetReplicas: p.partition % 2 === 0 ? [added, ...kept] : [...kept, added],
        leaving,
      };
    });
    const ackedBefore = workload.acknowledged;
    const results = await admin.alterPartitionReassignments(targets);
    expect(results.map((r) => r.error?.errorName)).toEqual(targets.map(() => undefined));

    const started = Date.now();
    await waitFor(
      'every reassignment complete',
      async () => (await admin.listPartitionReassignments()).length === 0,
      60_000,
    );
    const tookMs = Date.now() - started;
    await waitFor('writes after the reassignment', () => workload.acknowledged > ackedBefore + 500, 30_000);
    const moved = (await admin.describeTopic(TOPIC)).partitions;
    for (const target of targets) {
      const p = moved.find((q) => q.partition === target.partition);
      expect(p?.replicas).toEqual(target.targetReplicas);
      expect([...(p?.isr ?? [])].sort()).toEqual([...target.targetReplicas].sort());
      expect(target.targetReplicas).toContain(p?.leader);
      expect(p?.replicas).not.toContain(target.leaving);
    }

    // The removal is committed: each leaving broker deletes its copy (renamed, then removed).
    const logDirsOf = (id: number): string[] =>
      readdirSync(brokers.dataDir(id)).filter((name) => name.startsWith(`${TOPIC}-`));
    await waitFor(
      'the removed replicas deleted from the leaving brokers',
      () => targets.every((t) => !logDirsOf(t.leaving).some((name) => name.startsWith(`${TOPIC}-${t.partition}`))),
      30_000,
    );
    for (const target of targets)
      expect(existsSync(join(brokers.dataDir(added), `${TOPIC}-${target.partition}`))).toBe(true);

    // Scale back in with the CLI: a plan onto the first three brokers, executed and verified.
    const bootstrap = ['--bootstrap', cluster.controllers.addresses().join(',')];
    const planned = await sluice(
      'topic',
      'reassign',
      '--plan',
      '--topic',
      TOPIC,
      '--brokers',
      `${first},${second},${third}`,
      ...bootstrap,
    );
    expect(planned.code).toBe(ExitCode.OK);
    const planFile = join(cluster.baseDir, 'scale-in.json');
    writeFileSync(planFile, planned.out);
    const plan = JSON.parse(planned.out) as { partitions: { replicas: number[] }[] };
    expect(plan.partitions).toHaveLength(PARTITIONS);
    for (const p of plan.partitions) expect(p.replicas).not.toContain(added);
    const executed = await sluice('topic', 'reassign', '--execute', '--plan-file', planFile, ...bootstrap);
    expect(executed.err).toBe('');
    expect(executed.out).toBe(`Started ${PARTITIONS} of ${PARTITIONS} partition reassignments.\n`);
    await waitFor(
      'the scale-in plan verified complete',
      async () =>
        (await sluice('topic', 'reassign', '--verify', '--plan-file', planFile, ...bootstrap)).code === ExitCode.OK,
      60_000,
    );
    expect((await admin.describeTopic(TOPIC)).partitions.every((p) => !p.replicas.includes(added))).toBe(true);
    await waitFor(
      'no log of the topic left on the broker the scale-in emptied',
      () => logDirsOf(added).length === 0,
      30_000,
    );

    // Drain a broker (onto the one that is now empty), as before taking it out of service.
    const drained = await sluice('cluster', 'drain', String(first), '--wait-ms', '60000', ...bootstrap);
    expect(drained.err).toBe('');
    expect(drained.code).toBe(ExitCode.OK);
    expect(drained.out).toMatch(/drain: moving \d+ replicas off broker/);
    expect(drained.out).toContain(`drain: broker ${first} hosts no replicas.`);
    process.stdout.write(`reassign: sluice cluster drain ${first}:\n${drained.out}`);
    await waitFor('no log of the topic left on the drained broker', () => logDirsOf(first).length === 0, 30_000);
    // The scale-in itself: the drained broker stops, and the writes go on without it.
    await brokers.kill(first, 'SIGTERM');
    const ackedAfterDrain = workload.acknowledged;
    await waitFor(
      'writes after the drained broker stopped',
      () => workload.acknowledged > ackedAfterDrain + 500,
      30_000,
    );
    // Readiness with meaning: a broker killed -9 and restarted under the writes reports
    // NOT_SERVING until it is back in the ISR of every partition it hosts.
    const restarted = second;
    await brokers.kill(restarted, 'SIGKILL');
    await waitFor(
      `broker ${restarted} out of the ISRs`,
      async () => (await admin.describeTopic(TOPIC)).partitions.every((p) => !p.isr.includes(restarted)),
      30_000,
    );
    brokers.start(restarted);
    const seen = new Set<string>();
    await waitFor(
      `broker ${restarted} ready again`,
      async () => {
        const status = await brokerHealth(brokers.address(restarted));
        seen.add(status.startsWith('unreachable') ? 'unreachable' : status);
        return status === 'SERVING';
      },
      60_000,
      50,
    );
    expect(seen).toContain('NOT_SERVING');
    const hosted = (await admin.describeTopic(TOPIC)).partitions.filter((p) => p.replicas.includes(restarted));
    expect(hosted.length).toBeGreaterThan(0);
    for (const p of hosted) expect(p.isr).toContain(restarted);

    await sleep(500);
    await workload.stop();
    const history = await workload.readBack(60_000);
    const verdict = checkHistory(history);
    const stats = workload.producerStats();
    process.stdout.write(
      `reassign: ${PARTITIONS} partitions onto broker ${added} in ${tookMs} ms, ${stats.retries} batch retries; ` +
        `${describeVerdict(verdict)}\n`,
    );

    const after = (await admin.describeTopic(TOPIC)).partitions;
    for (const p of after) {
      expect(p.replicas).not.toContain(first);
      expect(p.replicas).toHaveLength(3);
      expect([...p.isr].sort()).toEqual([...p.replicas].sort());
    }
    expect(history.failed.map((f) => `${f.index}: ${f.error}`)).toEqual([]);
    expect(verdict.unresolved.examples).toEqual([]);
    expect(verdict.lost.examples).toEqual([]);
    expect(verdict.duplicated.examples).toEqual([]);
    expect(verdict.outOfOrder.examples).toEqual([]);
    expect(verdict.rolledBack.examples).toEqual([]);
    expect(verdict.outOfSequence.examples).toEqual([]);
    expect(verdict.ok).toBe(true);
  });
});
