/**
 * Partition reassignment on real processes: one controller, brokers 1-3 running and a fourth
 * started later (a scale-out). A topic of 4 partitions with replication factor 3
 * (min.insync.replicas 2) is written by the shared idempotent acks=all Workload while every
 * partition is reassigned to put a replica on the new broker: the first replica of each target
 * is the new broker in half the partitions and the current leader leaves in the others, so the
 * completion moves leadership too. Then the history checker proves nothing acknowledged was lost
 * or duplicated, and the partitions sit on their target replicas, all in sync.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHistory, describeVerdict, LocalCluster, sleep, waitFor, Workload } from '@sluice/local-cluster';

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
    for (const target of targets) {
      const p = after.find((q) => q.partition === target.partition);
      expect(p?.replicas).toEqual(target.targetReplicas);
      expect([...(p?.isr ?? [])].sort()).toEqual([...target.targetReplicas].sort());
      expect(target.targetReplicas).toContain(p?.leader);
      expect(p?.replicas).not.toContain(target.leaving);
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
