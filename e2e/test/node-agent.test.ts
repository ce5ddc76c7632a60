/**
 * The chart's pods really running: a real control plane (e2e/test/kubernetes.ts) and the node
 * agent (e2e/node-agent, a kubelet stand-in that runs each pod as local processes on its own
 * loopback address), so the real StatefulSet controller drives sluice:
 *
 * - `helm install` to every pod Ready (`kubectl get pods` printed), then `helm test` (its pod
 *   creates a topic, produces and consumes one record through the client Service);
 * - `kubectl rollout restart` of the brokers and then the controllers while an idempotent acks=all producer and a tailing
 *   consumer run: every acknowledged record is in the log once, in order, nothing a consumer saw
 *   vanishes, and no send fails (the checker of kill-leaders.test.ts);
 * - a broker's process killed -9: the pod's container is restarted and the pod is Ready again;
 * - `kubectl delete pod`: the StatefulSet makes the pod again (same name, same claim), Ready;
 * - brokers 3 -> 4 -> 3 by `kubectl scale statefulset` under the same kind of producer and
 *   consumer (the Workload and history checker of the fault tests): the new broker registers and
 *   is Ready, `sluice topic reassign --plan/--execute/--verify` moves replicas onto it, `sluice
 *   cluster drain` empties it and the StatefulSet is scaled back. The CLI runs in this process
 *   (the agent has no `kubectl exec`) against the controllers' pod names.
 *
 * Pods advertise DNS names (<pod>.<headless>.<ns>.svc.cluster.local). The agent's hosts file maps
 * them for the pods; this process has no cluster DNS, so its lookups are answered from the same
 * file while the test runs (e2e/test/node-agent-harness.ts, shared with node-agent-secure.test.ts).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkHistory, describeVerdict, sleep, waitFor, Workload } from '@sluice/local-cluster';
import { Admin, Consumer, Producer, type ConsumerRecord, type RecordMetadata } from '../../packages/client/src';
import { ExitCode, runCli } from '../../packages/cli/src';
import { BUILD_TIMEOUT_MS, CHART_DIR, valuesFile, type ControlPlane, type KubeObject } from './kubernetes';
import {
  agentChartValues,
  isReady,
  servicePods,
  startNodeAgent,
  statefulSetRolledOut,
  stopNodeAgent,
  type NodeAgentRun,
} from './node-agent-harness';

const NS = 'data';
const TOPIC = 'rolled';
const PARTITIONS = 6;
const MAX_PENDING = 200;
const ROLES = ['controller', 'broker', 'coordinator'] as const;

const dnsName = (role: string, i: number): string =>
  `rel-sluice-${role}-${i}.rel-sluice-${role}-headless.${NS}.svc.cluster.local`;
const controllers = [0, 1, 2].map((i) => `${dnsName('controller', i)}:9093`);
const brokers = [0, 1, 2].map((i) => `${dnsName('broker', i)}:9092`);

let run: NodeAgentRun | undefined;
let plane: ControlPlane;
let stateDir: string;

/** The release's service pods (the `helm test` pod left Succeeded is not one of them). */
function pods(): KubeObject[] {
  return servicePods(plane, NS);
}

/** What `kubectl rollout status` waits for: every replica on the new revision and Ready. */
function rolledOut(statefulSet: string): boolean {
  return statefulSetRolledOut(plane, NS, statefulSet);
}

beforeAll(async () => {
  run = await startNodeAgent();
  plane = run.plane;
  stateDir = run.stateDir;
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await stopNodeAgent(run);
}, 90_000);

test('helm install: every pod of every role runs and becomes Ready', async () => {
  const values = valuesFile(stateDir, 'e2e-values', agentChartValues());
  const started = Date.now();
  const result = plane.helm(['install', 'rel', CHART_DIR, '-n', NS, '--create-namespace', '-f', values]);
  expect(result.stderr).toBe('');
  await waitFor(
    'all nine pods Ready',
    () => {
      const all = pods();
      return all.length === 9 && all.every(isReady);
    },
    240_000,
    1_000,
  );
  process.stdout.write(
    `node-agent: helm install to nine Ready pods in ${Date.now() - started} ms\n${plane.kubectl(['get', 'pods', '-n', NS, '-o', 'wide'])}`,
  );
  const names = pods()
    .map((p) => p.metadata.name)
    .sort();
  expect(names).toEqual(ROLES.flatMap((role) => [0, 1, 2].map((i) => `rel-sluice-${role}-${i}`)).sort());
}, 300_000);

test('helm test: the test pod creates a topic, produces one record and consumes it through the client Service', () => {
  const started = Date.now();
  const result = plane.helm(['test', 'rel', '-n', NS, '--timeout', '180s']);
  const log = readFileSync(join(stateDir, 'logs', `${NS}_rel-sluice-test-produce-consume_produce-consume.log`), 'utf8');
  process.stdout.write(`node-agent: helm test in ${Date.now() - started} ms\n${result.stdout}${log}`);
  expect(result.stderr).toBe('');
  expect(result.stdout).toMatch(/TEST SUITE:\s+rel-sluice-test-produce-consume[\s\S]*Phase:\s+Succeeded/);
  expect(log).toMatch(/helm test: produced and consumed record-of-helm-test-\d+ on helm-test-\d+/);
}, 240_000);

test('kubectl rollout restart of the brokers and then the controllers under an idempotent acks=all producer: 0 lost, 0 duplicated', async () => {
  const admin = new Admin({ bootstrap: controllers, timeoutMs: 20_000 });
  try {
    await admin.createTopic({ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 3 });
    await waitFor(
      'the topic to have leaders and full ISRs',
      async () => (await admin.describeTopic(TOPIC)).partitions.every((p) => p.leader >= 0 && p.isr.length === 3),
      60_000,
      500,
    );
    const producer = new Producer({
      bootstrap: brokers,
      acks: 'all',
      lingerMs: 5,
      deliveryTimeoutMs: 120_000,
      requestTimeoutMs: 5_000,
      retryBackoffMs: 50,
      retryBackoffMaxMs: 500,
    });
    const acked: { index: number; meta: RecordMetadata }[] = [];
    const failed: { index: number; error: unknown }[] = [];
    let writing = true;
    let sentCount = 0;
    const writer = (async () => {
      const pending = new Set<Promise<void>>();
      while (writing) {
        const index = sentCount++;
        const sent = producer
          .send({ topic: TOPIC, key: `k${index % 64}`, value: `r${index}` })
          .then(
            (meta) => void acked.push({ index, meta }),
            (error: unknown) => void failed.push({ index, error }),
          )
          .finally(() => pending.delete(sent));
        pending.add(sent);
        if (pending.size >= MAX_PENDING) await Promise.race(pending);
        if (index % 20 === 0) await sleep(5);
      }
      await Promise.all(pending);
    })();
    const tail = new Consumer({
      bootstrap: brokers,
      autoOffsetReset: 'earliest',
      fetchMaxWaitMs: 200,
      requestTimeoutMs: 5_000,
    });
    const tailSeen = new Map<string, string>();
    const tailNext = new Map<number, number>();
    const tailGaps: string[] = [];
    let tailing = true;
    tail.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition })));
    const tailer = (async () => {
      while (tailing) {
        for (const record of await tail.poll(200)) {
          const expected = tailNext.get(record.partition) ?? 0;
          if (record.offset !== expected)
            tailGaps.push(`partition ${record.partition}: expected offset ${expected}, got ${record.offset}`);
          tailNext.set(record.partition, record.offset + 1);
          tailSeen.set(`${record.partition}/${record.offset}`, record.value?.toString() ?? '');
        }
      }
    })();

    await waitFor('writes to flow', () => acked.length > 300, 60_000, 200);
    // Brokers first, then the controller quorum, each rolled as a user would: rollout restart,
    // then wait until `kubectl rollout status` would return.
    const rollMs = new Map<string, number>();
    for (const role of ['broker', 'controller']) {
      const uidsBefore = new Map(pods().map((p) => [p.metadata.name, p.metadata.uid as string]));
      const ackedBefore = acked.length;
      const rollStarted = Date.now();
      plane.kubectl(['rollout', 'restart', `statefulset/rel-sluice-${role}`, '-n', NS]);
      await waitFor(`the ${role}s to roll`, () => rolledOut(`rel-sluice-${role}`), 400_000, 500);
      rollMs.set(role, Date.now() - rollStarted);
      for (const i of [0, 1, 2]) {
        const pod = pods().find((p) => p.metadata.name === `rel-sluice-${role}-${i}`);
        expect(pod?.metadata.uid).not.toBe(uidsBefore.get(`rel-sluice-${role}-${i}`));
      }
      expect(acked.length).toBeGreaterThan(ackedBefore);
    }
    const ackedDuringRoll = acked.length;
    await waitFor('writes to go on after the roll', () => acked.length > ackedDuringRoll + 300, 60_000, 200);

    writing = false;
    await writer;
    await producer.close({ timeoutMs: 60_000 });
    tailing = false;
    await tailer;
    tail.close();

    const reader = new Consumer({ bootstrap: brokers, autoOffsetReset: 'earliest' });
    const all: ConsumerRecord[] = [];
    try {
      const assignment = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition }));
      reader.assign(assignment);
      const ends = await reader.endOffsets(assignment);
      const total = [...ends.values()].reduce((sum, end) => sum + end.offset, 0);
      const deadline = Date.now() + 60_000;
      while (all.length < total && Date.now() < deadline) all.push(...(await reader.poll(500)));
      expect(all.length).toBe(total);
    } finally {
      reader.close();
    }
    const byPosition = new Map(all.map((r) => [`${r.partition}/${r.offset}`, r.value?.toString() ?? '']));
    const lost = acked.filter((a) => byPosition.get(`${a.meta.partition}/${a.meta.offset}`) !== `r${a.index}`);
    const counts = new Map<string, number>();
    for (const r of all) counts.set(r.value?.toString() ?? '', (counts.get(r.value?.toString() ?? '') ?? 0) + 1);
    const duplicated = [...counts].filter(([, n]) => n > 1);
    const stats = producer.stats();
    process.stdout.write(
      `node-agent rollout-restart checker: brokers rolled in ${rollMs.get('broker')} ms, controllers in ${rollMs.get('controller')} ms; sent ${sentCount}, acknowledged ${acked.length}, ` +
        `lost ${lost.length}, duplicated ${duplicated.length}, failed ${failed.length}, retries ${stats.retries}, ` +
        `${all.length} in the log, ${tailSeen.size} seen by the tailing consumer\n`,
    );
    expect(acked.length + failed.length).toBe(sentCount);
    expect(failed.map((f) => `${f.index}: ${String(f.error)}`).slice(0, 10)).toEqual([]);
    expect(lost.slice(0, 10).map((a) => `r${a.index} at ${a.meta.partition}/${a.meta.offset}`)).toEqual([]);
    expect(duplicated.slice(0, 10)).toEqual([]);
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const indexes = all
        .filter((r) => r.partition === partition)
        .sort((a, b) => a.offset - b.offset)
        .map((r) => Number(r.value?.toString().slice(1)));
      const outOfOrder = indexes.findIndex((index, i) => i > 0 && index <= (indexes[i - 1] as number));
      expect({ partition, outOfOrder }).toEqual({ partition, outOfOrder: -1 });
    }
    expect([...tailSeen].filter(([position, value]) => byPosition.get(position) !== value).slice(0, 10)).toEqual([]);
    expect(tailGaps.slice(0, 10)).toEqual([]);
    await waitFor(
      'full ISRs after the roll',
      async () => (await admin.describeTopic(TOPIC)).partitions.every((p) => p.isr.length === 3),
      60_000,
      500,
    );
  } finally {
    admin.close();
  }
}, 600_000);

test("a broker's process killed -9 is restarted in its pod, which is Ready again", async () => {
  const podDir = readdirSync(join(stateDir, 'pods')).find((d) => d.startsWith(`${NS}_rel-sluice-broker-1_`));
  expect(podDir).toBeDefined();
  const pid = Number(readFileSync(join(stateDir, 'pods', podDir as string, 'broker.pid'), 'utf8'));
  const before = pods().find((p) => p.metadata.name === 'rel-sluice-broker-1');
  const restartsBefore = before?.status.containerStatuses[0].restartCount as number;
  process.kill(pid, 'SIGKILL');
  const killedAt = Date.now();
  await waitFor(
    'rel-sluice-broker-1 restarted and Ready',
    () => {
      const pod = pods().find((p) => p.metadata.name === 'rel-sluice-broker-1');
      return pod !== undefined && isReady(pod) && pod.status.containerStatuses[0].restartCount === restartsBefore + 1;
    },
    120_000,
    500,
  );
  process.stdout.write(`node-agent: broker-1 killed -9 and Ready again after ${Date.now() - killedAt} ms\n`);
  expect(pods().find((p) => p.metadata.name === 'rel-sluice-broker-1')?.metadata.uid).toBe(before?.metadata.uid);
}, 180_000);

test('kubectl delete pod: the StatefulSet makes it again, on the same volume, and it is Ready', async () => {
  for (const name of ['rel-sluice-controller-0', 'rel-sluice-coordinator-2']) {
    const before = pods().find((p) => p.metadata.name === name);
    const deletedAt = Date.now();
    plane.kubectl(['delete', 'pod', name, '-n', NS, '--wait=false']);
    await waitFor(
      `${name} made again and Ready`,
      () => {
        const pod = pods().find((p) => p.metadata.name === name);
        return pod !== undefined && pod.metadata.uid !== before?.metadata.uid && isReady(pod);
      },
      120_000,
      500,
    );
    process.stdout.write(`node-agent: kubectl delete pod ${name}: back and Ready after ${Date.now() - deletedAt} ms\n`);
  }
  await waitFor('every pod Ready', () => pods().length === 9 && pods().every(isReady), 60_000, 500);
}, 300_000);

/** The CLI in this process (its lookups go through the agent's hosts file, like the clients'). */
async function sluice(...argv: string[]): Promise<{ code: ExitCode; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli([...argv, '--bootstrap', controllers.join(',')], {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
  });
  return { code, out, err };
}

test('kubectl scale of the broker StatefulSet 3 -> 4 -> 3 with reassignment and drain under an idempotent acks=all producer: 0 lost, 0 duplicated', async () => {
  const topic = 'scaled';
  const partitions = 4;
  const addedBrokerId = 103; // broker-3: ordinal 3 + broker.nodeIdOffset 100
  const admin = new Admin({ bootstrap: controllers, timeoutMs: 20_000 });
  const stepMs: string[] = [];
  const step = async (name: string, run: () => Promise<void>): Promise<void> => {
    const started = Date.now();
    await run();
    stepMs.push(`${name} ${Date.now() - started} ms`);
  };
  try {
    await admin.createTopic({ name: topic, numPartitions: partitions, replicationFactor: 3 });
    await waitFor(
      'the topic to have leaders and full ISRs',
      async () => (await admin.describeTopic(topic)).partitions.every((p) => p.leader >= 0 && p.isr.length === 3),
      60_000,
      500,
    );
    const workload = Workload.start({ bootstrap: brokers.join(','), topic, partitions });
    try {
      await waitFor('writes to flow', () => workload.acknowledged > 300, 60_000, 200);

      await step('kubectl scale --replicas=4 to broker-3 Ready and registered', async () => {
        plane.kubectl(['scale', 'statefulset', 'rel-sluice-broker', '-n', NS, '--replicas=4']);
        await waitFor(
          'rel-sluice-broker-3 Ready',
          () => pods().some((p) => p.metadata.name === 'rel-sluice-broker-3' && isReady(p)),
          180_000,
          500,
        );
        await waitFor(
          `broker ${addedBrokerId} registered and unfenced`,
          async () => (await admin.describeCluster()).brokers.some((b) => b.brokerId === addedBrokerId && !b.fenced),
          60_000,
          500,
        );
      });

      const planFile = join(stateDir, 'scale-out.json');
      await step('sluice topic reassign --plan/--execute/--verify onto broker 103', async () => {
        const planned = await sluice('topic', 'reassign', '--plan', '--topic', topic, '--brokers', '100,101,102,103');
        expect(planned.code).toBe(ExitCode.OK);
        const plan = JSON.parse(planned.out) as { partitions: { replicas: number[] }[] };
        expect(plan.partitions.filter((p) => p.replicas.includes(addedBrokerId)).length).toBeGreaterThan(0);
        writeFileSync(planFile, planned.out);
        const executed = await sluice('topic', 'reassign', '--execute', '--plan-file', planFile);
        expect(executed.err).toBe('');
        expect(executed.code).toBe(ExitCode.OK);
        await waitFor(
          'the scale-out plan verified complete',
          async () => (await sluice('topic', 'reassign', '--verify', '--plan-file', planFile)).code === ExitCode.OK,
          120_000,
          500,
        );
      });
      const spread = (await admin.describeTopic(topic)).partitions;
      expect(spread.filter((p) => p.replicas.includes(addedBrokerId)).length).toBeGreaterThan(0);
      for (const p of spread) expect([...p.isr].sort()).toEqual([...p.replicas].sort());
      const ackedAfterScaleOut = workload.acknowledged;
      await waitFor(
        'writes with broker 103 hosting replicas',
        () => workload.acknowledged > ackedAfterScaleOut + 300,
        60_000,
        200,
      );

      let drainOutput = '';
      await step('sluice cluster drain 103', async () => {
        const drained = await sluice('cluster', 'drain', String(addedBrokerId), '--wait-ms', '120000');
        drainOutput = drained.out;
        expect(drained.err).toBe('');
        expect(drained.code).toBe(ExitCode.OK);
        expect(drained.out).toContain(`drain: broker ${addedBrokerId} hosts no replicas.`);
      });
      expect((await admin.describeTopic(topic)).partitions.every((p) => !p.replicas.includes(addedBrokerId))).toBe(
        true,
      );

      await step('kubectl scale --replicas=3 to broker-3 gone', async () => {
        plane.kubectl(['scale', 'statefulset', 'rel-sluice-broker', '-n', NS, '--replicas=3']);
        await waitFor(
          'rel-sluice-broker-3 gone and three brokers Ready',
          () => !pods().some((p) => p.metadata.name === 'rel-sluice-broker-3') && rolledOut('rel-sluice-broker'),
          180_000,
          500,
        );
      });
      const ackedAfterScaleIn = workload.acknowledged;
      await waitFor('writes after the scale-in', () => workload.acknowledged > ackedAfterScaleIn + 300, 60_000, 200);

      await workload.stop();
      const history = await workload.readBack(60_000);
      const verdict = checkHistory(history);
      process.stdout.write(
        `node-agent scale 3 -> 4 -> 3: ${stepMs.join('; ')}\n${drainOutput}` +
          `node-agent scale checker: ${workload.producerStats().retries} batch retries; ${describeVerdict(verdict)}\n`,
      );
      expect(history.failed.map((f) => `${f.index}: ${f.error}`).slice(0, 10)).toEqual([]);
      expect(verdict.unresolved.examples).toEqual([]);
      expect(verdict.lost.examples).toEqual([]);
      expect(verdict.duplicated.examples).toEqual([]);
      expect(verdict.outOfOrder.examples).toEqual([]);
      expect(verdict.rolledBack.examples).toEqual([]);
      expect(verdict.outOfSequence.examples).toEqual([]);
      expect(verdict.ok).toBe(true);
    } catch (error) {
      // What a stalled step needs to be understood: the writer's counters and the cluster's view.
      process.stdout.write(
        `node-agent scale: failed after ${stepMs.join('; ')}: sent ${workload.sent}, acknowledged ${workload.acknowledged}, ` +
          `failed ${workload.failures}, seen ${workload.seen}, producer ${JSON.stringify(workload.producerStats())}\n` +
          `brokers ${JSON.stringify((await admin.describeCluster()).brokers.map((b) => [b.brokerId, b.fenced]))}\n` +
          `partitions ${JSON.stringify((await admin.describeTopic(topic)).partitions)}\n`,
      );
      throw error;
    } finally {
      await workload.stop();
    }
    await waitFor('every pod Ready', () => pods().length === 9 && pods().every(isReady), 60_000, 500);
  } finally {
    admin.close();
  }
}, 600_000);
