/**
 * The chart's pods really running: a real control plane (e2e/test/kubernetes.ts) and the node
 * agent (e2e/node-agent, a kubelet stand-in that runs each pod as local processes on its own
 * loopback address), so the real StatefulSet controller drives sluice:
 *
 * - `helm install` to every pod Ready (`kubectl get pods` printed), then `helm test` (its pod
 *   creates a topic, produces and consumes one record through the client Service);
 * - `kubectl rollout restart` of the brokers, the controllers and then the coordinators while an
 *   idempotent acks=all producer, a tailing consumer and a committing consumer group run
 *   (rolling-checker.ts): every acknowledged record is in the log once, in order, nothing a
 *   consumer saw vanishes, no send fails, the group's committed offsets only move forward and it
 *   commits again after each coordinator's restart, up to the end of the log;
 * - `helm upgrade --reuse-values --set broker.config.<key>=<value>` under the same checker: only
 *   the brokers roll (the config checksum is per role), each runs with the new value, the cluster
 *   id Secret is unchanged; `helm rollback` rolls them back to the old value;
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
import { checkHistory, describeVerdict, waitFor, Workload } from '@sluice/local-cluster';
import { Admin } from '../../packages/client/src';
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
import { RollingChecker } from './rolling-checker';

const NS = 'data';
const TOPIC = 'rolled';
const PARTITIONS = 6;
const ROLES = ['controller', 'broker', 'coordinator'] as const;

const dnsName = (role: string, i: number): string =>
  `rel-sluice-${role}-${i}.rel-sluice-${role}-headless.${NS}.svc.cluster.local`;
const controllers = [0, 1, 2].map((i) => `${dnsName('controller', i)}:9093`);
const brokers = [0, 1, 2].map((i) => `${dnsName('broker', i)}:9092`);
const coordinators = [0, 1, 2].map((i) => `${dnsName('coordinator', i)}:9094`);

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

/** The node agent's directory of a pod's current run (volumes/<name> holds its emptyDirs). */
function podDir(pod: KubeObject): string {
  return join(stateDir, 'pods', `${NS}_${pod.metadata.name}_${pod.metadata.uid as string}`);
}

/** Rolls one StatefulSet as a user would: the command, then wait until `kubectl rollout status` would return. */
async function roll(statefulSet: string, command: () => void, what: string): Promise<number> {
  const started = Date.now();
  command();
  await waitFor(what, () => rolledOut(statefulSet), 400_000, 500);
  return Date.now() - started;
}

const uidsOf = (role: string): Map<string, string> =>
  new Map(
    pods()
      .filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === role)
      .map((p) => [p.metadata.name, p.metadata.uid as string]),
  );

async function createCheckedTopic(admin: Admin, topic: string): Promise<void> {
  await admin.createTopic({ name: topic, numPartitions: PARTITIONS, replicationFactor: 3 });
  await waitFor(
    'the topic to have leaders and full ISRs',
    async () => (await admin.describeTopic(topic)).partitions.every((p) => p.leader >= 0 && p.isr.length === 3),
    60_000,
    500,
  );
}

test('kubectl rollout restart of the brokers, the controllers and then the coordinators under an idempotent acks=all producer and a committing consumer group: 0 lost, 0 duplicated, commits only forward', async () => {
  const admin = new Admin({ bootstrap: controllers, timeoutMs: 20_000 });
  try {
    await createCheckedTopic(admin, TOPIC);
    const checker = new RollingChecker({
      brokers,
      controllers,
      coordinators,
      topic: TOPIC,
      partitions: PARTITIONS,
      groupId: 'rolled-checker',
    });
    await waitFor('writes to flow', () => checker.acked.length > 300, 60_000, 200);
    await checker.waitForCommitAfter(0, 'the group to commit', 60_000);
    // Brokers first, then the controller quorum, then the coordinators, each rolled as a user
    // would: rollout restart, then wait until `kubectl rollout status` would return.
    const rollMs = new Map<string, number>();
    /** When each restarted coordinator pod was first seen Ready. */
    const coordinatorReadyAtMs = new Map<string, number>();
    for (const role of ['broker', 'controller', 'coordinator']) {
      const uidsBefore = uidsOf(role);
      const ackedBefore = checker.acked.length;
      const rollStarted = Date.now();
      plane.kubectl(['rollout', 'restart', `statefulset/rel-sluice-${role}`, '-n', NS]);
      await waitFor(
        `the ${role}s to roll`,
        () => {
          // Rolled out first, pods after: the last pod may turn Ready between the two reads, and
          // read in this order it is still seen (and timed) in the same round.
          const done = rolledOut(`rel-sluice-${role}`);
          if (role === 'coordinator')
            for (const pod of pods())
              if (uidsBefore.has(pod.metadata.name) && uidsBefore.get(pod.metadata.name) !== pod.metadata.uid)
                if (isReady(pod) && !coordinatorReadyAtMs.has(pod.metadata.name))
                  coordinatorReadyAtMs.set(pod.metadata.name, Date.now());
          return done;
        },
        400_000,
        500,
      );
      rollMs.set(role, Date.now() - rollStarted);
      for (const i of [0, 1, 2]) {
        const pod = pods().find((p) => p.metadata.name === `rel-sluice-${role}-${i}`);
        expect(pod?.metadata.uid).not.toBe(uidsBefore.get(`rel-sluice-${role}-${i}`));
      }
      expect(checker.acked.length).toBeGreaterThan(ackedBefore);
    }
    // The group resumed after each coordinator came back: a commit within a bound of its Ready.
    expect([...coordinatorReadyAtMs.keys()].sort()).toEqual([0, 1, 2].map((i) => `rel-sluice-coordinator-${i}`));
    const lastReadyMs = Math.max(...coordinatorReadyAtMs.values());
    await checker.waitForCommitAfter(lastReadyMs, 'the group to commit after the last coordinator restart', 60_000);
    const resumedAfterMs = [...coordinatorReadyAtMs].map(([name, readyMs]) => {
      const next = checker.commitTimesMs.find((t) => t > readyMs);
      return { name, resumedWithin60s: next !== undefined && next - readyMs <= 60_000 };
    });
    expect(resumedAfterMs.filter((r) => !r.resumedWithin60s)).toEqual([]);
    const ackedDuringRoll = checker.acked.length;
    await waitFor('writes to go on after the roll', () => checker.acked.length > ackedDuringRoll + 300, 60_000, 200);

    await checker.stopAndVerify(
      'node-agent rollout-restart checker',
      `brokers rolled in ${rollMs.get('broker')} ms, controllers in ${rollMs.get('controller')} ms, coordinators in ${rollMs.get('coordinator')} ms`,
    );
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

test('helm upgrade of a broker config value rolls only the brokers and puts it in effect, helm rollback restores it: 0 lost, 0 duplicated', async () => {
  const topic = 'upgraded';
  const key = 'replica.lag.time.max.ms';
  const installed = `${key}=5000`;
  const upgraded = `${key}=6000`;
  const admin = new Admin({ bootstrap: controllers, timeoutMs: 20_000 });
  const secret = (): string =>
    (JSON.parse(plane.kubectl(['get', 'secret', 'rel-sluice-cluster-id', '-n', NS, '-o', 'json'])) as KubeObject).data
      .clusterId as string;
  /** Every broker pod's properties as its process read them (the agent's emptyDir of the current run). */
  const brokerProperties = (): string[] =>
    pods()
      .filter((p) => p.metadata.labels?.['app.kubernetes.io/component'] === 'broker')
      .map((p) => readFileSync(join(podDir(p), 'volumes', 'run', 'server.properties'), 'utf8'));
  try {
    await createCheckedTopic(admin, topic);
    const clusterIdBefore = secret();
    const revisionBefore = (
      JSON.parse(plane.helm(['status', 'rel', '-n', NS, '-o', 'json']).stdout) as { version: number }
    ).version;
    expect(brokerProperties().every((text) => text.split('\n').includes(installed))).toBe(true);
    const checker = new RollingChecker({
      brokers,
      controllers,
      coordinators,
      topic,
      partitions: PARTITIONS,
      groupId: 'upgraded-checker',
    });
    await waitFor('writes to flow', () => checker.acked.length > 300, 60_000, 200);

    const others = new Map([...uidsOf('controller'), ...uidsOf('coordinator')]);
    const brokersBefore = uidsOf('broker');
    const upgradeMs = await roll(
      'rel-sluice-broker',
      () => {
        const result = plane.helm([
          'upgrade',
          'rel',
          CHART_DIR,
          '-n',
          NS,
          '--reuse-values',
          '--set',
          `broker.config.${key.replaceAll('.', '\\.')}=6000`,
        ]);
        expect(result.stderr).toBe('');
      },
      'the brokers to roll onto the upgraded config',
    );
    expect([...uidsOf('broker')].filter(([name, uid]) => brokersBefore.get(name) === uid)).toEqual([]);
    expect(brokerProperties().map((text) => text.split('\n').includes(upgraded))).toEqual([true, true, true]);
    expect(pods().every(isReady)).toBe(true);
    // Only the role whose config changed rolled (the checksum is per role); the id stayed.
    expect(new Map([...uidsOf('controller'), ...uidsOf('coordinator')])).toEqual(others);
    expect(secret()).toBe(clusterIdBefore);
    const ackedAfterUpgrade = checker.acked.length;
    await waitFor('writes after the upgrade', () => checker.acked.length > ackedAfterUpgrade + 300, 60_000, 200);

    const upgradedBrokers = uidsOf('broker');
    const rollbackMs = await roll(
      'rel-sluice-broker',
      () => {
        const result = plane.helm(['rollback', 'rel', String(revisionBefore), '-n', NS]);
        expect(result.stderr).toBe('');
      },
      'the brokers to roll back',
    );
    expect([...uidsOf('broker')].filter(([name, uid]) => upgradedBrokers.get(name) === uid)).toEqual([]);
    expect(brokerProperties().map((text) => text.split('\n').includes(installed))).toEqual([true, true, true]);
    expect(pods().every(isReady)).toBe(true);
    expect(new Map([...uidsOf('controller'), ...uidsOf('coordinator')])).toEqual(others);
    expect(secret()).toBe(clusterIdBefore);
    const ackedAfterRollback = checker.acked.length;
    await waitFor('writes after the rollback', () => checker.acked.length > ackedAfterRollback + 300, 60_000, 200);

    await checker.stopAndVerify(
      'node-agent helm upgrade/rollback checker',
      `helm upgrade --set broker.config.${key}=6000 rolled the brokers in ${upgradeMs} ms, helm rollback ${revisionBefore} in ${rollbackMs} ms`,
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
