/**
 * `helm install` of the chart into a real Kubernetes control plane (etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler from scripts/build-kubernetes.sh, on loopback): every
 * object is accepted by the API server's own validation, the real StatefulSet controller turns the
 * StatefulSets into pods and claims, and the release's life cycle keeps the cluster id (upgrade,
 * rollback, uninstall and reinstall) and refuses what would break the cluster before applying
 * anything. The secure example values (TLS, OAuth, ACLs) install the same way, their test pod
 * accepted by a server-side dry run. No kubelet runs here, so the pods stay Pending: this proves the objects, not the pods.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@sluice/local-cluster';
import {
  BUILD_TIMEOUT_MS,
  CHART_DIR,
  kubernetesBinDir,
  parseManifests,
  startControlPlane,
  valuesFile,
  type ControlPlane,
  type KubeObject,
} from './kubernetes';

const NS = 'data';
const SECURE_VALUES = join(CHART_DIR, 'examples/values-secure.yaml');
const ROLES = ['controller', 'broker', 'coordinator'] as const;

let plane: ControlPlane;
let scratch: string;

beforeAll(async () => {
  plane = await startControlPlane(kubernetesBinDir());
  scratch = mkdtempSync(join(tmpdir(), 'sluice-helm-install-'));
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await plane?.stop();
  if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
}, 60_000);

function helmOk(args: readonly string[]): string {
  const result = plane.helm(args);
  if (result.status !== 0) throw new Error(`helm ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

function getJson(kind: string, name: string): KubeObject {
  return JSON.parse(plane.kubectl(['get', kind, name, '-n', NS, '-o', 'json'])) as KubeObject;
}

function clusterIdInSecret(): string {
  const secret = getJson('secret', 'rel-sluice-cluster-id');
  return Buffer.from(secret.data.clusterId as string, 'base64').toString('utf8');
}

function revision(): number {
  const [release] = JSON.parse(helmOk(['list', '-n', NS, '-o', 'json'])) as { revision: string }[];
  return Number(release?.revision);
}

function brokerChecksum(): string {
  return getJson('statefulset', 'rel-sluice-broker').spec.template.metadata.annotations['checksum/config'];
}

test('helm install: every object is accepted server-side; the StatefulSets create every pod and claim', async () => {
  helmOk(['install', 'rel', CHART_DIR, '-n', NS, '--create-namespace']);
  const manifest = parseManifests(helmOk(['get', 'manifest', 'rel', '-n', NS]));
  expect(manifest.length).toBeGreaterThanOrEqual(18);
  for (const object of manifest) {
    const served = getJson(object.kind, object.metadata.name);
    expect(served.metadata.name).toBe(object.metadata.name);
  }
  // The hook (helm test pod) is not created by install.
  expect(plane.kubectl(['get', 'pods', '-n', NS, '-o', 'name']).includes('test-produce-consume')).toBe(false);
  const expectedPods = ROLES.flatMap((role) => [0, 1, 2].map((i) => `pod/rel-sluice-${role}-${i}`)).sort();
  await waitFor(
    'the StatefulSet controller to create all nine pods',
    () =>
      plane.kubectl(['get', 'pods', '-n', NS, '-o', 'name']).trim().split('\n').sort().join(',') ===
      expectedPods.join(','),
    60_000,
    500,
  );
  const claims = plane.kubectl(['get', 'pvc', '-n', NS, '-o', 'name']).trim().split('\n').sort();
  expect(claims).toEqual(
    ['controller', 'broker']
      .flatMap((role) => [0, 1, 2].map((i) => `persistentvolumeclaim/data-rel-sluice-${role}-${i}`))
      .sort(),
  );
  // The pod the API server stored carries the probes and the hook as the chart wrote them.
  const pod = getJson('pod', 'rel-sluice-broker-1');
  expect(pod.spec.containers[0].readinessProbe.grpc).toEqual({ port: 9092, service: 'sluice.v1.Broker' });
  expect(pod.spec.initContainers[0].name).toBe('prepare');
}, 180_000);

test('helm upgrade of a config value rolls the pods and keeps the cluster id; a different id is refused', () => {
  const clusterId = clusterIdInSecret();
  const before = brokerChecksum();
  const file = valuesFile(scratch, 'retention', { broker: { config: { 'log.retention.check.interval.ms': 60000 } } });
  helmOk(['upgrade', 'rel', CHART_DIR, '-n', NS, '-f', file]);
  expect(revision()).toBe(2);
  expect(clusterIdInSecret()).toBe(clusterId);
  expect(brokerChecksum()).not.toBe(before);
  const broker = getJson('configmap', 'rel-sluice-broker');
  expect(broker.data['server.properties']).toContain('log.retention.check.interval.ms=60000');

  const other = clusterId === 'MkU3OEVBNTcwNTJENDM2Qg' ? 'AAAAAAAAAAAAAAAAAAAAAQ' : 'MkU3OEVBNTcwNTJENDM2Qg';
  const refused = plane.helm(['upgrade', 'rel', CHART_DIR, '-n', NS, '--set', `clusterId=${other}`]);
  expect(refused.status).not.toBe(0);
  expect(refused.stderr).toContain(`differs from "${clusterId}", the id this release's volumes are formatted with`);
  expect(revision()).toBe(2);
  expect(clusterIdInSecret()).toBe(clusterId);
}, 120_000);

test('helm rollback returns the config; settings that would break the quorum are refused before anything is applied', () => {
  const clusterId = clusterIdInSecret();
  helmOk(['rollback', 'rel', '1', '-n', NS]);
  expect(getJson('configmap', 'rel-sluice-broker').data['server.properties']).not.toContain(
    'log.retention.check.interval.ms',
  );
  expect(clusterIdInSecret()).toBe(clusterId);
  const rollbackRevision = revision();

  const refused = plane.helm(['upgrade', 'rel', CHART_DIR, '-n', NS, '--set', 'controller.replicas=2']);
  expect(refused.status).not.toBe(0);
  expect(refused.stderr).toContain('cannot keep the metadata quorum');
  expect(revision()).toBe(rollbackRevision);
  expect(getJson('statefulset', 'rel-sluice-controller').spec.replicas).toBe(3);

  const fresh = plane.helm(['install', 'other', CHART_DIR, '-n', NS, '--set', 'broker.replicas=2']);
  expect(fresh.status).not.toBe(0);
  expect(fresh.stderr).toContain('needs at least 3 brokers');
  expect(plane.kubectl(['get', 'statefulsets', '-n', NS, '-o', 'name'])).not.toContain('other-sluice');
}, 120_000);

test('helm uninstall keeps the cluster id Secret and the volumes; a reinstall finds the same id', () => {
  const clusterId = clusterIdInSecret();
  helmOk(['uninstall', 'rel', '-n', NS, '--wait', '--timeout', '60s']);
  expect(plane.kubectl(['get', 'statefulsets', '-n', NS, '-o', 'name']).trim()).toBe('');
  expect(clusterIdInSecret()).toBe(clusterId);
  expect(plane.kubectl(['get', 'pvc', '-n', NS, '-o', 'name'])).toContain('data-rel-sluice-broker-0');
  // The kept Secret still names its release, so installing the same release name adopts it.
  helmOk(['install', 'rel', CHART_DIR, '-n', NS]);
  expect(clusterIdInSecret()).toBe(clusterId);
}, 120_000);

test('helm install of the secure example values: every object accepted, certificates mounted, /readyz probes', async () => {
  const ns = 'secure';
  const result = plane.helm(['install', 'sec', CHART_DIR, '-n', ns, '--create-namespace', '-f', SECURE_VALUES]);
  if (result.status !== 0) throw new Error(`helm install failed: ${result.stderr}`);
  const manifest = parseManifests(plane.helm(['get', 'manifest', 'sec', '-n', ns]).stdout);
  expect(manifest.length).toBeGreaterThanOrEqual(18);
  for (const object of manifest) {
    const served = JSON.parse(
      plane.kubectl(['get', object.kind, object.metadata.name, '-n', ns, '-o', 'json']),
    ) as KubeObject;
    expect(served.metadata.name).toBe(object.metadata.name);
  }
  // The helm test pod (a hook, not created by install) passes the API server's validation too.
  const hooks = plane.helm(['get', 'hooks', 'sec', '-n', ns]).stdout;
  expect(hooks).toContain('sec-sluice-test-produce-consume');
  expect(plane.kubectl(['apply', '--dry-run=server', '-n', ns, '-f', '-'], hooks)).toContain(
    'pod/sec-sluice-test-produce-consume created (server dry run)',
  );
  await waitFor(
    'the StatefulSet controller to create the secure pods',
    () => plane.kubectl(['get', 'pods', '-n', ns, '-o', 'name']).trim().split('\n').length === 9,
    60_000,
    500,
  );
  const pod = JSON.parse(plane.kubectl(['get', 'pod', 'sec-sluice-broker-0', '-n', ns, '-o', 'json'])) as KubeObject;
  const [main] = pod.spec.containers;
  expect(main.readinessProbe.httpGet).toMatchObject({ path: '/readyz?service=sluice.v1.Broker', port: 'metrics' });
  expect(pod.spec.volumes).toContainEqual(
    expect.objectContaining({ name: 'tls', secret: expect.objectContaining({ secretName: 'sluice-broker-tls' }) }),
  );
  const config = JSON.parse(
    plane.kubectl(['get', 'configmap', 'sec-sluice-broker', '-n', ns, '-o', 'json']),
  ) as KubeObject;
  expect(config.data['server.properties']).toContain(
    'listener.security.protocol.map=CONTROLLER:SASL_SSL,SASL_SSL:SASL_SSL',
  );
  expect(config.data['server.properties']).toContain(
    'super.users=User:CN=sluice-controller;User:CN=sluice-broker;User:CN=sluice-coordinator;User:CN=sluice-admin',
  );
  // NOTES.txt tells a user what clients now need.
  const notes = helmOk(['get', 'notes', 'sec', '-n', ns]);
  expect(notes).toContain('Every listener is SASL_SSL (ssl.client.auth=requested): clients need');
  expect(notes).toContain('SLUICE_TLS_CA=<ca.crt of sluice-controller-tls>');
  expect(notes).toContain('a token from https://keycloak.example.com/realms/streaming');
  expect(notes).toContain('ACLs are on: super users are User:CN=sluice-controller;');
  helmOk(['uninstall', 'sec', '-n', ns, '--wait', '--timeout', '60s']);
}, 180_000);
