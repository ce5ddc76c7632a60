/**
 * The node agent's pure part (e2e/node-agent/pod-plan.ts): what it runs for a pod spec. The
 * chart's own pods (from `helm template`) must plan without a refusal; what the agent cannot
 * honour is refused by name; volume mounts are ordered so none hides another's source.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { expandArg, fieldValue, mountScript, planPod, UnsupportedPodError } from '../node-agent/pod-plan.ts';
import { BUILD_TIMEOUT_MS, CHART_DIR, KUBE_VERSION, kubernetesBinDir, parseManifests, runHelm } from './kubernetes';

let chartPods: Map<string, V1Pod>;

beforeAll(() => {
  const binDir = kubernetesBinDir(true);
  const result = runHelm(binDir, ['template', 'rel', CHART_DIR, '--namespace', 'data', '--kube-version', KUBE_VERSION]);
  if (result.status !== 0) throw new Error(result.stderr);
  chartPods = new Map(
    parseManifests(result.stdout)
      .filter((o) => o.kind === 'StatefulSet')
      .map((set) => {
        const template = set.spec.template;
        // The StatefulSet controller adds each claim template as a persistentVolumeClaim volume.
        const claims = (set.spec.volumeClaimTemplates ?? []).map((claim: { metadata: { name: string } }) => ({
          name: claim.metadata.name,
          persistentVolumeClaim: { claimName: `${claim.metadata.name}-${set.metadata.name}-0` },
        }));
        const pod: V1Pod = {
          metadata: { name: `${set.metadata.name}-0`, namespace: 'data', uid: 'u1' },
          spec: { ...template.spec, volumes: [...(template.spec.volumes ?? []), ...claims] },
        };
        return [set.metadata.name as string, pod];
      }),
  );
}, BUILD_TIMEOUT_MS);

test('every pod of the chart plans: init step, probes, preStop and volumes as the chart wrote them', () => {
  expect([...chartPods.keys()].sort()).toEqual([
    'rel-sluice-broker',
    'rel-sluice-controller',
    'rel-sluice-coordinator',
  ]);
  const broker = planPod(chartPods.get('rel-sluice-broker') as V1Pod);
  expect(broker.init.map((c) => c.argv)).toEqual([['/opt/sluice/deploy/docker/sluice.sh', 'prepare']]);
  const [main] = broker.containers;
  expect(main?.argv).toEqual([
    '/opt/sluice/deploy/docker/sluice.sh',
    'broker',
    '--config',
    '/var/run/sluice/server.properties',
  ]);
  expect(main?.startup).toMatchObject({ kind: 'grpc', port: 9092, service: '' });
  expect(main?.readiness).toMatchObject({ kind: 'grpc', port: 9092, service: 'sluice.v1.Broker' });
  // tcpSocket names the port "grpc": resolved through the container's ports.
  expect(main?.liveness).toMatchObject({ kind: 'tcp', port: 9092 });
  expect(main?.preStop).toEqual(['sleep', '5']);
  expect(broker.gracePeriodMs).toBe(120_000);
  expect(broker.volumes).toEqual([
    { name: 'role-config', kind: 'configMap', source: 'rel-sluice-broker' },
    { name: 'run', kind: 'emptyDir', source: '' },
    { name: 'tmp', kind: 'emptyDir', source: '' },
    { name: 'data', kind: 'claim', source: 'data-rel-sluice-broker-0' },
  ]);
  const coordinator = planPod(chartPods.get('rel-sluice-coordinator') as V1Pod);
  expect(coordinator.volumes.map((v) => v.kind)).toEqual(['configMap', 'emptyDir', 'emptyDir']);
  expect(planPod(chartPods.get('rel-sluice-controller') as V1Pod).containers[0]?.readiness).toMatchObject({
    service: 'sluice.v1.Controller',
  });
});

test('what the agent cannot honour is refused by name', () => {
  const base = chartPods.get('rel-sluice-coordinator') as V1Pod;
  const spec = base.spec as NonNullable<V1Pod['spec']>;
  const withVolume = { ...base, spec: { ...spec, volumes: [{ name: 'host', hostPath: { path: '/' } }] } };
  expect(() => planPod(withVolume)).toThrow(
    new UnsupportedPodError('volume host: only emptyDir, persistentVolumeClaim, configMap and secret'),
  );
  const noCommand = { ...base, spec: { ...spec, containers: [{ name: 'c', image: 'x' }] } };
  expect(() => planPod(noCommand)).toThrow(/container c: no command/);
  const withProbe = (readinessProbe: object): V1Pod =>
    ({ ...base, spec: { ...spec, containers: [{ ...spec.containers[0], name: 'c', readinessProbe }] } }) as V1Pod;
  expect(() => planPod(withProbe({ exec: { command: ['true'] } }))).toThrow(/only grpc, tcpSocket and httpGet probes/);
  expect(() => planPod(withProbe({ httpGet: { port: 80, path: '/', scheme: 'HTTPS' } }))).toThrow(
    /only HTTP httpGet probes/,
  );
  expect(
    planPod(withProbe({ httpGet: { port: 'metrics', path: '/readyz?service=x' } })).containers[0]?.readiness,
  ).toEqual({
    kind: 'http',
    port: 9464,
    path: '/readyz?service=x',
    plan: { periodMs: 10_000, timeoutMs: 1_000, failureThreshold: 3 },
  });
  expect(() => fieldValue(base, '127.0.0.2', 'metadata.labels')).toThrow(UnsupportedPodError);
  expect(fieldValue(base, '127.0.0.2', 'status.podIP')).toBe('127.0.0.2');
  expect(fieldValue(base, '127.0.0.2', 'metadata.name')).toBe('rel-sluice-coordinator-0');
});

test("$(VAR) in args expands from the container's env, $$ escapes, unknown names stay", () => {
  const env = new Map([['POD_IP', '127.0.0.3']]);
  expect(expandArg('--listen=$(POD_IP):9092', env)).toBe('--listen=127.0.0.3:9092');
  expect(expandArg('$$(POD_IP) $(NOPE)', env)).toBe('$(POD_IP) $(NOPE)');
});

test('a mount over a directory holding the sources goes last; paths are shell-quoted', () => {
  const script = mountScript(
    [
      { from: '/tmp/agent/pods/p/tmp', to: '/tmp' },
      { from: '/tmp/agent/claims/c', to: '/var/lib/sluice/data' },
    ],
    '/tmp/agent/hosts',
  );
  expect(script.split('\n')).toEqual([
    'set -e',
    "mount --bind '/tmp/agent/hosts' /etc/hosts",
    "mkdir -p '/var/lib/sluice/data'",
    "mount --bind '/tmp/agent/claims/c' '/var/lib/sluice/data'",
    "mkdir -p '/tmp'",
    "mount --bind '/tmp/agent/pods/p/tmp' '/tmp'",
    'exec "$@"',
  ]);
  const quoted = mountScript([{ from: "/a'b", to: '/c' }], '/h');
  expect(quoted).toContain(`mount --bind '/a'\\''b' '/c'`);
});
