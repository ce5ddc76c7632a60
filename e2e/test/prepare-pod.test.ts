/**
 * deploy/docker/prepare-pod.sh, the init step of every sluice pod, run for real (sh, the built CLI
 * on the workspace's Node 24) with the environment the chart gives it: the pod's server.properties,
 * an idempotent format, and the refusal of a volume that holds another node's or cluster's data.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readMetaProperties } from '@sluice/runtime';

const ROOT = join(__dirname, '../..');
const ENTRYPOINT = join(ROOT, 'deploy/docker/sluice.sh');
const CLUSTER_ID = 'MkU3OEVBNTcwNTJENDM2Qg';
const VOTERS = [0, 1, 2].map((i) => `${i}@c-${i}.c-headless.data.svc.cluster.local:9093`).join(',');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-prepare-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function prepare(role: string, podName: string, overrides: Record<string, string> = {}): ReturnType<typeof spawnSync> {
  const dataDir = join(dir, 'data');
  const roleConfig = join(dir, `${role}.properties`);
  const lines = [`process.roles=${role}`, `controller.quorum.voters=${VOTERS}`];
  if (role === 'controller') lines.push(`metadata.log.dir=${dataDir}`);
  if (role === 'broker') lines.push(`log.dirs=${dataDir}`);
  writeFileSync(roleConfig, `${lines.join('\n')}\n`);
  return spawnSync('sh', [ENTRYPOINT, 'prepare'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH ?? ''}`,
      POD_NAME: podName,
      POD_NAMESPACE: 'data',
      POD_IP: '10.1.2.3',
      SLUICE_ROLE: role,
      SLUICE_NODE_ID_OFFSET: role === 'controller' ? '0' : '100',
      SLUICE_PORT: role === 'controller' ? '9093' : role === 'broker' ? '9092' : '9094',
      SLUICE_METRICS_PORT: '9464',
      SLUICE_HEADLESS_SERVICE: `rel-sluice-${role}-headless`,
      SLUICE_CLUSTER_DOMAIN: 'cluster.local',
      SLUICE_ROLE_CONFIG: roleConfig,
      SLUICE_POD_CONFIG: join(dir, 'server.properties'),
      SLUICE_CLUSTER_ID: CLUSTER_ID,
      SLUICE_PAIRED_BROKER_PREFIX: 'rel-sluice-broker-',
      SLUICE_PAIRED_BROKER_SUFFIX: '.rel-sluice-broker-headless.data.svc.cluster.local:9092',
      ...overrides,
    },
  });
}

function podConfig(): string[] {
  return readFileSync(join(dir, 'server.properties'), 'utf8').trim().split('\n');
}

test('a broker pod: node.id from its ordinal, binds its IP, advertises its DNS name, formats its volume once', () => {
  const first = prepare('broker', 'rel-sluice-broker-2');
  expect(first.stderr).toBe('');
  expect(first.status).toBe(0);
  expect(podConfig()).toEqual([
    'process.roles=broker',
    `controller.quorum.voters=${VOTERS}`,
    `log.dirs=${join(dir, 'data')}`,
    'node.id=102',
    'listeners=PLAINTEXT://10.1.2.3:9092',
    'advertised.listeners=PLAINTEXT://rel-sluice-broker-2.rel-sluice-broker-headless.data.svc.cluster.local:9092',
    'metrics.host=10.1.2.3',
    'metrics.port=9464',
  ]);
  expect(first.stdout).toContain('Formatting');
  const meta = readMetaProperties(join(dir, 'data'));
  expect(meta).toMatchObject({ clusterId: CLUSTER_ID, nodeId: 102 });
  // A restart of the same pod (a new IP) goes on with its data.
  const again = prepare('broker', 'rel-sluice-broker-2', { POD_IP: '10.1.2.4' });
  expect(again.status).toBe(0);
  expect(again.stdout).toContain('already formatted for cluster.id');
  expect(podConfig()).toContain('listeners=PLAINTEXT://10.1.2.4:9092');
  expect(readMetaProperties(join(dir, 'data'))).toEqual(meta);
});

test("a volume holding another node's or cluster's data keeps the pod from starting, and is left as it was", () => {
  expect(prepare('controller', 'rel-sluice-controller-1').status).toBe(0);
  const meta = readMetaProperties(join(dir, 'data'));
  expect(meta?.nodeId).toBe(1);
  const otherNode = prepare('controller', 'rel-sluice-controller-1', { SLUICE_NODE_ID_OFFSET: '5' });
  expect(otherNode.status).not.toBe(0);
  expect(otherNode.stderr).toMatch(/node\.id|node id/i);
  const otherCluster = prepare('controller', 'rel-sluice-controller-1', {
    SLUICE_CLUSTER_ID: 'AAAAAAAAAAAAAAAAAAAAAQ',
  });
  expect(otherCluster.status).not.toBe(0);
  expect(otherCluster.stderr).toContain('already formatted for cluster');
  expect(readMetaProperties(join(dir, 'data'))).toEqual(meta);
});

test('a coordinator pod pairs with the broker of its ordinal and formats nothing', () => {
  const result = prepare('coordinator', 'rel-sluice-coordinator-0');
  expect(result.status).toBe(0);
  expect(podConfig()).toEqual(
    expect.arrayContaining([
      'node.id=100',
      'listeners=PLAINTEXT://10.1.2.3:9094',
      'advertised.listeners=PLAINTEXT://rel-sluice-coordinator-0.rel-sluice-coordinator-headless.data.svc.cluster.local:9094',
      'coordinator.broker=rel-sluice-broker-0.rel-sluice-broker-headless.data.svc.cluster.local:9092',
    ]),
  );
  expect(result.stdout).not.toContain('Formatting');
});

test('a controller does not advertise; a pod name without an ordinal or a missing variable is refused', () => {
  expect(prepare('controller', 'rel-sluice-controller-0').status).toBe(0);
  expect(podConfig().some((line) => line.startsWith('advertised.listeners='))).toBe(false);
  const noOrdinal = prepare('broker', 'rel-sluice-broker-x');
  expect(noOrdinal.status).not.toBe(0);
  expect(noOrdinal.stderr).toContain('does not end in a StatefulSet ordinal');
  const missing = prepare('broker', 'rel-sluice-broker-0', { POD_IP: '' });
  expect(missing.status).not.toBe(0);
  expect(missing.stderr).toContain('POD_IP');
});

test("the chart's listener name (SSL, SASL_SSL with TLS) names both listeners; a malformed one is refused", () => {
  const coordinator = prepare('coordinator', 'rel-sluice-coordinator-1', { SLUICE_LISTENER_NAME: 'SASL_SSL' });
  expect(coordinator.status).toBe(0);
  expect(podConfig()).toEqual(
    expect.arrayContaining([
      'listeners=SASL_SSL://10.1.2.3:9094',
      'advertised.listeners=SASL_SSL://rel-sluice-coordinator-1.rel-sluice-coordinator-headless.data.svc.cluster.local:9094',
    ]),
  );
  const bad = prepare('coordinator', 'rel-sluice-coordinator-1', { SLUICE_LISTENER_NAME: 'ssl://x' });
  expect(bad.status).not.toBe(0);
  expect(bad.stderr).toContain('SLUICE_LISTENER_NAME ssl://x is not a listener name');
});
