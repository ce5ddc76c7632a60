/**
 * The chart as `helm template` renders it (the real helm 3.19 binary, built on first use): every
 * template's objects and the values that shape them, and the refusals, each with its message.
 * Needs only helm; `helm-install.test.ts` sends the same objects to a real API server.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isKafkaUuid } from '@sluice/runtime';
import { ChartRenderer, envOf, one, properties } from './helm-render';
import { BUILD_TIMEOUT_MS, CHART_DIR, KUBE_VERSION, runHelm, type KubeObject } from './kubernetes';

const GRAFANA_DIR = join(__dirname, '../../deploy/grafana');
const ROLES = ['controller', 'broker', 'coordinator'] as const;

let chart: ChartRenderer;
let binDir: string;

beforeAll(() => {
  chart = ChartRenderer.start();
  binDir = chart.binDir;
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  chart.close();
});

function render(values: object = {}, extraArgs: readonly string[] = []): KubeObject[] {
  return chart.render(values, extraArgs);
}

function refusal(values: object): string {
  return chart.refusal(values);
}

describe('helm lint', () => {
  test('the chart lints clean, strictly', () => {
    const result = runHelm(binDir, ['lint', '--strict', '--kube-version', KUBE_VERSION, CHART_DIR]);
    expect(result.stderr + result.stdout).toContain('0 chart(s) failed');
    expect(result.status).toBe(0);
  });
});

describe('helm template with the default values', () => {
  let objects: KubeObject[];
  beforeAll(() => {
    objects = render();
  });

  test('every object is namespaced to the release and labelled with it', () => {
    for (const object of objects) {
      if (object.kind === 'Namespace') continue;
      expect(object.metadata.namespace).toBe('data');
      expect(object.metadata.labels?.['app.kubernetes.io/instance']).toBe('rel');
    }
    const kinds = objects.map((o) => o.kind).sort();
    expect(kinds).toEqual(
      [
        ...Array(3).fill('StatefulSet'),
        ...Array(4).fill('Service'),
        ...Array(3).fill('PodDisruptionBudget'),
        ...Array(3 + 4).fill('ConfigMap'), // three roles' server.properties, four dashboards
        'Secret',
        'ServiceAccount',
        'Pod', // the helm test
      ].sort(),
    );
  });

  test('a StatefulSet per role, Parallel, its pods selected by role, with the documented replicas', () => {
    for (const role of ROLES) {
      const set = one(objects, 'StatefulSet', `rel-sluice-${role}`);
      expect(set.spec.replicas).toBe(3);
      expect(set.spec.serviceName).toBe(`rel-sluice-${role}-headless`);
      expect(set.spec.podManagementPolicy).toBe('Parallel');
      expect(set.spec.selector.matchLabels['app.kubernetes.io/component']).toBe(role);
      expect(set.spec.template.metadata.labels).toMatchObject(set.spec.selector.matchLabels);
      // Only roles that keep data get a volume; coordinators keep theirs in topics.
      expect((set.spec.volumeClaimTemplates ?? []).map((v: KubeObject) => v.metadata.name)).toEqual(
        role === 'coordinator' ? [] : ['data'],
      );
    }
  });

  test('headless Services publish not-ready pods; the client Service bootstraps through the controllers', () => {
    for (const role of ROLES) {
      const service = one(objects, 'Service', `rel-sluice-${role}-headless`);
      expect(service.spec.clusterIP).toBe('None');
      expect(service.spec.publishNotReadyAddresses).toBe(true);
      expect(service.spec.selector['app.kubernetes.io/component']).toBe(role);
      expect(service.spec.ports.map((p: { name: string }) => p.name)).toEqual(['grpc', 'metrics']);
    }
    const client = one(objects, 'Service', 'rel-sluice');
    expect(client.spec.clusterIP).toBeUndefined();
    expect(client.spec.selector['app.kubernetes.io/component']).toBe('controller');
    expect(client.spec.ports).toEqual([{ name: 'grpc', port: 9093, targetPort: 'grpc' }]);
  });

  test('each pod advertises its own DNS name: voters, peers and share coordinators name every pod', () => {
    const dns = (role: string, i: number): string =>
      `rel-sluice-${role}-${i}.rel-sluice-${role}-headless.data.svc.cluster.local`;
    const voters = [0, 1, 2].map((i) => `${i + 1}@${dns('controller', i)}:9093`).join(',');
    const controller = properties(one(objects, 'ConfigMap', 'rel-sluice-controller'));
    const broker = properties(one(objects, 'ConfigMap', 'rel-sluice-broker'));
    const coordinator = properties(one(objects, 'ConfigMap', 'rel-sluice-coordinator'));
    expect(controller.get('controller.quorum.voters')).toBe(voters);
    expect(broker.get('controller.quorum.voters')).toBe(voters);
    expect(coordinator.get('controller.quorum.voters')).toBe(voters);
    expect(controller.get('process.roles')).toBe('controller');
    expect(controller.get('metadata.log.dir')).toBe('/var/lib/sluice/data');
    expect(broker.get('log.dirs')).toBe('/var/lib/sluice/data');
    expect(broker.get('share.coordinator.addresses')).toBe(
      [0, 1, 2].map((i) => `${dns('coordinator', i)}:9094`).join(','),
    );
    // Coordinators carry their paired broker's node id.
    expect(coordinator.get('coordinator.peers')).toBe(
      [0, 1, 2].map((i) => `${100 + i}@${dns('coordinator', i)}:9094`).join(','),
    );
    expect(broker.get('min.insync.replicas')).toBe('2');
  });

  test('the prepare init step gets its node.id offset, DNS parts and (with data) the cluster id Secret', () => {
    const offsets = { controller: '1', broker: '100', coordinator: '100' };
    for (const role of ROLES) {
      const pod = one(objects, 'StatefulSet', `rel-sluice-${role}`).spec.template.spec;
      const [init] = pod.initContainers;
      expect(init.command).toEqual(['/opt/sluice/deploy/docker/sluice.sh', 'prepare']);
      const env = envOf(init);
      expect(env.get('SLUICE_ROLE')).toBe(role);
      expect(env.get('SLUICE_NODE_ID_OFFSET')).toBe(offsets[role]);
      expect(env.get('SLUICE_HEADLESS_SERVICE')).toBe(`rel-sluice-${role}-headless`);
      const podIp = init.env.find((e: { name: string }) => e.name === 'POD_IP');
      expect(podIp.valueFrom.fieldRef.fieldPath).toBe('status.podIP');
      const clusterId = init.env.find((e: { name: string }) => e.name === 'SLUICE_CLUSTER_ID');
      if (role === 'coordinator') {
        expect(clusterId).toBeUndefined();
        expect(env.get('SLUICE_PAIRED_BROKER_PREFIX')).toBe('rel-sluice-broker-');
        expect(env.get('SLUICE_PAIRED_BROKER_SUFFIX')).toBe('.rel-sluice-broker-headless.data.svc.cluster.local:9092');
      } else {
        expect(clusterId.valueFrom.secretKeyRef).toEqual({ name: 'rel-sluice-cluster-id', key: 'clusterId' });
      }
      const [main] = pod.containers;
      expect(main.command).toEqual([
        '/opt/sluice/deploy/docker/sluice.sh',
        role,
        '--config',
        '/var/run/sluice/server.properties',
      ]);
    }
  });

  test('probes: grpc.health.v1 for startup (whole server) and readiness (the role service), TCP liveness', () => {
    const services = {
      controller: 'sluice.v1.Controller',
      broker: 'sluice.v1.Broker',
      coordinator: 'sluice.v1.Coordinator',
    };
    const ports = { controller: 9093, broker: 9092, coordinator: 9094 };
    for (const role of ROLES) {
      const [main] = one(objects, 'StatefulSet', `rel-sluice-${role}`).spec.template.spec.containers;
      expect(main.startupProbe.grpc).toEqual({ port: ports[role], service: '' });
      expect(main.startupProbe.periodSeconds * main.startupProbe.failureThreshold).toBe(600);
      expect(main.readinessProbe.grpc).toEqual({ port: ports[role], service: services[role] });
      expect(main.livenessProbe.tcpSocket).toEqual({ port: 'grpc' });
      expect(main.lifecycle.preStop.exec.command).toEqual(['sleep', '5']);
    }
  });

  test('pods run as non-root on a read-only root, spread softly across nodes and zones', () => {
    for (const role of ROLES) {
      const pod = one(objects, 'StatefulSet', `rel-sluice-${role}`).spec.template.spec;
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
      expect(pod.automountServiceAccountToken).toBe(false);
      const term = pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm;
      expect(term.topologyKey).toBe('kubernetes.io/hostname');
      expect(term.labelSelector.matchLabels['app.kubernetes.io/component']).toBe(role);
      expect(pod.topologySpreadConstraints[0]).toMatchObject({
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'ScheduleAnyway',
      });
    }
    expect(one(objects, 'StatefulSet', 'rel-sluice-broker').spec.template.spec.terminationGracePeriodSeconds).toBe(120);
  });

  test('PDBs: one controller and one broker at a time, selecting the pods of their role', () => {
    for (const role of ROLES) {
      const pdb = one(objects, 'PodDisruptionBudget', `rel-sluice-${role}`);
      expect(pdb.spec.maxUnavailable).toBe(1);
      const set = one(objects, 'StatefulSet', `rel-sluice-${role}`);
      expect(pdb.spec.selector.matchLabels).toEqual(set.spec.selector.matchLabels);
    }
  });

  test('a generated cluster id is a Kafka UUID, in a Secret kept on uninstall', () => {
    const secret = one(objects, 'Secret', 'rel-sluice-cluster-id');
    expect(secret.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
    const clusterId = Buffer.from(secret.data.clusterId as string, 'base64').toString('utf8');
    expect(isKafkaUuid(clusterId)).toBe(true);
  });

  test('the dashboards are ConfigMaps for the Grafana sidecar, identical to deploy/grafana', () => {
    const files = readdirSync(GRAFANA_DIR).filter((f) => f.endsWith('.json'));
    expect(files.length).toBe(4);
    for (const file of files) {
      const map = objects.find((o) => o.kind === 'ConfigMap' && o.data?.[file] !== undefined);
      expect(map?.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
      // The chart carries copies (helm reads no file outside the chart): they must not go stale.
      expect(readFileSync(join(CHART_DIR, 'dashboards', file), 'utf8')).toBe(
        readFileSync(join(GRAFANA_DIR, file), 'utf8'),
      );
      expect(JSON.parse(map?.data[file] as string)).toEqual(JSON.parse(readFileSync(join(GRAFANA_DIR, file), 'utf8')));
    }
  });

  test('the helm test pod creates a topic, produces and consumes one record through the client Service', () => {
    const pod = one(objects, 'Pod', 'rel-sluice-test-produce-consume');
    expect(pod.metadata.annotations?.['helm.sh/hook']).toBe('test');
    const [container] = pod.spec.containers;
    expect(envOf(container).get('SLUICE_BOOTSTRAP')).toBe('rel-sluice.data.svc.cluster.local:9093');
    const script = container.command.at(-1) as string;
    expect(script).toMatch(/topic create "\$TOPIC" --partitions 1 --replication-factor 3/);
    expect(script).toMatch(/produce "\$TOPIC" --acks all/);
    expect(script).toMatch(/grep -qx "\$marker"/);
    // Kubernetes turns "$$" in a command into "$" before the shell runs it.
    expect(script).not.toContain('$$');
  });

  test('no tracing, ServiceMonitor or image tag surprises by default', () => {
    const [main] = one(objects, 'StatefulSet', 'rel-sluice-broker').spec.template.spec.containers;
    expect(envOf(main).has('OTEL_TRACES_EXPORTER')).toBe(false);
    expect(main.image).toBe('sluice:0.1.0');
    expect(objects.some((o) => o.kind === 'ServiceMonitor')).toBe(false);
  });
});

describe('helm template with values', () => {
  test('replicas and node.id offsets: coordinators follow the brokers one to one', () => {
    const objects = render({
      controller: { replicas: 5, nodeIdOffset: 10 },
      broker: { replicas: 4, nodeIdOffset: 2000 },
    });
    expect(one(objects, 'StatefulSet', 'rel-sluice-controller').spec.replicas).toBe(5);
    expect(one(objects, 'StatefulSet', 'rel-sluice-broker').spec.replicas).toBe(4);
    expect(one(objects, 'StatefulSet', 'rel-sluice-coordinator').spec.replicas).toBe(4);
    const broker = properties(one(objects, 'ConfigMap', 'rel-sluice-broker'));
    expect(
      broker
        .get('controller.quorum.voters')
        ?.split(',')
        .map((v) => v.split('@')[0]),
    ).toEqual(['10', '11', '12', '13', '14']);
    const coordinator = properties(one(objects, 'ConfigMap', 'rel-sluice-coordinator'));
    expect(
      coordinator
        .get('coordinator.peers')
        ?.split(',')
        .map((v) => v.split('@')[0]),
    ).toEqual(['2000', '2001', '2002', '2003']);
    expect(broker.get('share.coordinator.addresses')?.split(',')).toHaveLength(4);
  });

  test('Kafka-named config: the role map wins over the common one; big integers stay integers', () => {
    const objects = render({
      config: { 'log.retention.check.interval.ms': 600000, 'durable.acks.enable': true },
      broker: { config: { 'log.retention.check.interval.ms': 30000, 'message.max.bytes': 10485760 } },
    });
    const broker = properties(one(objects, 'ConfigMap', 'rel-sluice-broker'));
    const controller = properties(one(objects, 'ConfigMap', 'rel-sluice-controller'));
    expect(broker.get('log.retention.check.interval.ms')).toBe('30000');
    expect(broker.get('message.max.bytes')).toBe('10485760');
    expect(broker.get('durable.acks.enable')).toBe('true');
    expect(controller.get('log.retention.check.interval.ms')).toBe('600000');
    expect(controller.has('message.max.bytes')).toBe(false);
  });

  test('a config change changes the pods (checksum annotation), so helm upgrade rolls them', () => {
    const checksum = (objects: KubeObject[]): string =>
      one(objects, 'StatefulSet', 'rel-sluice-broker').spec.template.metadata.annotations['checksum/config'];
    expect(checksum(render())).toBe(checksum(render()));
    expect(checksum(render({ config: { 'log.retention.check.interval.ms': 1000 } }))).not.toBe(checksum(render()));
  });

  test("a role's config change rolls that role only; a common one rolls every role", () => {
    const checksums = (objects: KubeObject[]): Record<string, string> =>
      Object.fromEntries(
        ROLES.map((role) => [
          role,
          one(objects, 'StatefulSet', `rel-sluice-${role}`).spec.template.metadata.annotations['checksum/config'],
        ]),
      );
    const before = checksums(render());
    const brokerChange = checksums(render({ broker: { config: { 'replica.lag.time.max.ms': 6000 } } }));
    expect(brokerChange.broker).not.toBe(before.broker);
    expect({ controller: brokerChange.controller, coordinator: brokerChange.coordinator }).toEqual({
      controller: before.controller,
      coordinator: before.coordinator,
    });
    const readinessChange = checksums(render({ controller: { readiness: { maxLagOffsets: 50 } } }));
    expect(readinessChange.controller).not.toBe(before.controller);
    expect(readinessChange.broker).toBe(before.broker);
    const commonChange = checksums(render({ config: { 'log.retention.check.interval.ms': 1000 } }));
    for (const role of ROLES) expect(commonChange[role]).not.toBe(before[role]);
  });

  test("the controller's readiness bounds are values, written under their Kafka-style names", () => {
    const readinessKeys = (objects: KubeObject[], role: string): [string, string][] =>
      [...properties(one(objects, 'ConfigMap', `rel-sluice-${role}`))].filter(([key]) =>
        key.startsWith('controller.readiness.'),
      );
    // The defaults are the service's own (SLUICE_CONFIG_SCHEMA), stated in values.yaml.
    expect(readinessKeys(render(), 'controller')).toEqual([
      ['controller.readiness.leader.silence.max.ms', '2000'],
      ['controller.readiness.max.lag.offsets', '100'],
    ]);
    const tuned = render({ controller: { readiness: { leaderSilenceMaxMs: 15000, maxLagOffsets: 2500 } } });
    expect(readinessKeys(tuned, 'controller')).toEqual([
      ['controller.readiness.leader.silence.max.ms', '15000'],
      ['controller.readiness.max.lag.offsets', '2500'],
    ]);
    expect(readinessKeys(tuned, 'broker')).toEqual([]);
    expect(readinessKeys(tuned, 'coordinator')).toEqual([]);
    // A bound removed (null), as an old release's values reused by `helm upgrade --reuse-values`
    // lack it: not written, so the service's default applies.
    expect(readinessKeys(render({ controller: { readiness: { maxLagOffsets: null } } }), 'controller')).toEqual([
      ['controller.readiness.leader.silence.max.ms', '2000'],
    ]);
  });

  test('a given cluster id goes into the Secret as is', () => {
    const objects = render({ clusterId: 'MkU3OEVBNTcwNTJENDM2Qg' });
    const secret = one(objects, 'Secret', 'rel-sluice-cluster-id');
    expect(Buffer.from(secret.data.clusterId, 'base64').toString()).toBe('MkU3OEVBNTcwNTJENDM2Qg');
  });

  test('tracing, ServiceMonitor, storage class, image and PDB switches', () => {
    const objects = render({
      tracing: { otlpEndpoint: 'http://otel-collector:4318' },
      metrics: { serviceMonitor: { enabled: true, labels: { release: 'prom' } }, dashboards: { enabled: false } },
      broker: { storage: { size: '200Gi', storageClassName: 'fast-ssd' }, pdb: { enabled: false, maxUnavailable: 1 } },
      image: { repository: 'registry.example/sluice', tag: '1.2.3' },
      tests: { enabled: false },
    });
    const [main] = one(objects, 'StatefulSet', 'rel-sluice-broker').spec.template.spec.containers;
    const env = envOf(main);
    expect(env.get('OTEL_TRACES_EXPORTER')).toBe('otlp');
    expect(env.get('OTEL_EXPORTER_OTLP_ENDPOINT')).toBe('http://otel-collector:4318');
    expect(env.get('OTEL_SERVICE_NAME')).toBe('sluice-broker');
    expect(main.image).toBe('registry.example/sluice:1.2.3');
    const monitor = one(objects, 'ServiceMonitor', 'rel-sluice');
    expect(monitor.metadata.labels?.release).toBe('prom');
    expect(monitor.spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
    const claim = one(objects, 'StatefulSet', 'rel-sluice-broker').spec.volumeClaimTemplates[0];
    expect(claim.spec).toMatchObject({ storageClassName: 'fast-ssd', resources: { requests: { storage: '200Gi' } } });
    expect(objects.filter((o) => o.kind === 'PodDisruptionBudget').map((o) => o.metadata.name)).toEqual([
      'rel-sluice-controller',
      'rel-sluice-coordinator',
    ]);
    expect(objects.some((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1')).toBe(false);
    expect(objects.some((o) => o.kind === 'Pod')).toBe(false);
  });

  test('a single-node development install renders when its PDBs allow no disruption', () => {
    const objects = render({
      controller: { replicas: 1, pdb: { enabled: true, maxUnavailable: 0 } },
      broker: { replicas: 1, pdb: { enabled: true, maxUnavailable: 0 } },
      config: {
        'default.replication.factor': 1,
        'min.insync.replicas': 1,
        'offsets.topic.replication.factor': 1,
        'share.coordinator.state.topic.replication.factor': 1,
      },
    });
    expect(one(objects, 'PodDisruptionBudget', 'rel-sluice-controller').spec.maxUnavailable).toBe(0);
  });
});

describe('helm template refuses, naming what to change', () => {
  test('a controller PDB that could take the quorum below its majority', () => {
    expect(refusal({ controller: { replicas: 2 } })).toContain(
      'controller.pdb.maxUnavailable=1 cannot keep the metadata quorum: 2 controllers need 2 up (a majority), so at most 0 may be unavailable',
    );
    expect(refusal({ controller: { replicas: 1 } })).toContain('1 controllers need 1 up');
    expect(refusal({ controller: { replicas: 5, pdb: { enabled: true, maxUnavailable: 3 } } })).toContain(
      '5 controllers need 3 up (a majority), so at most 2 may be unavailable',
    );
  });

  test('a replication factor larger than the brokers', () => {
    expect(refusal({ broker: { replicas: 2 } })).toContain(
      'default.replication.factor=3 needs at least 3 brokers, broker.replicas is 2',
    );
    expect(refusal({ broker: { replicas: 2 }, config: { 'default.replication.factor': 2 } })).toContain(
      'offsets.topic.replication.factor=3 needs at least 3 brokers',
    );
  });

  test('a broker PDB that would take partitions below min.insync.replicas', () => {
    expect(refusal({ broker: { pdb: { enabled: true, maxUnavailable: 2 } } })).toContain(
      'broker.pdb.maxUnavailable=2 would let a disruption take a partition with default.replication.factor=3 below min.insync.replicas=2',
    );
    expect(refusal({ config: { 'min.insync.replicas': 4 } })).toContain(
      'min.insync.replicas=4 is above default.replication.factor=3',
    );
  });

  test('keys the chart sets per pod', () => {
    expect(refusal({ broker: { config: { 'node.id': 7 } } })).toContain(
      'broker.config.node.id: the chart sets node.id for each pod',
    );
    expect(refusal({ config: { 'advertised.listeners': 'PLAINTEXT://x:9092' } })).toContain(
      'config.advertised.listeners: the chart sets advertised.listeners',
    );
  });

  test('readiness bounds given twice, or out of range', () => {
    expect(refusal({ controller: { config: { 'controller.readiness.max.lag.offsets': 5 } } })).toContain(
      'controller.config.controller.readiness.max.lag.offsets: the chart writes it from controller.readiness (leaderSilenceMaxMs, maxLagOffsets); set it there',
    );
    expect(refusal({ config: { 'controller.readiness.leader.silence.max.ms': 500 } })).toContain(
      'config.controller.readiness.leader.silence.max.ms: the chart writes it from controller.readiness',
    );
    expect(refusal({ controller: { readiness: { maxLagOffsets: -1 } } })).toMatch(
      /controller\/readiness\/maxLagOffsets.*minimum: got -1, want 0/s,
    );
    expect(refusal({ controller: { readiness: { leaderSilenceMaxMs: 0 } } })).toMatch(
      /controller\/readiness\/leaderSilenceMaxMs.*minimum: got 0, want 1/s,
    );
    expect(refusal({ controller: { readiness: { leaderSilenceMaxMs: '2s' } } })).toMatch(
      /controller\/readiness\/leaderSilenceMaxMs.*want integer/s,
    );
    expect(refusal({ controller: { readiness: { maxLagMs: 10 } } })).toMatch(
      /additional properties 'maxLagMs' not allowed/,
    );
  });

  test('values the schema rejects: a malformed cluster id, unknown keys, a config value that is not a scalar', () => {
    expect(refusal({ clusterId: 'not-a-uuid' })).toMatch(/clusterId.*does not match pattern/s);
    expect(refusal({ brokers: 3 })).toMatch(/additional properties 'brokers' not allowed/);
    expect(refusal({ config: { 'log.retention.hours': { nested: 1 } } })).toMatch(/log\.retention\.hours/);
    expect(refusal({ broker: { replicas: 0 } })).toMatch(/broker\.replicas|replicas/);
  });
});

describe('helm template with tiered storage', () => {
  const TIERING = {
    tiering: {
      enabled: true,
      s3: {
        endpoint: 'http://minio.storage:9000',
        region: 'eu-west-1',
        bucket: 'sluice-segments',
        prefix: 'prod/',
        pathStyle: true,
        credentialsSecret: { name: 's3-credentials', accessKeyIdKey: 'id', secretAccessKeyKey: 'secret' },
      },
      scrub: { intervalMs: 600000, graceMs: 7200000 },
    },
  };

  test('is off by default: no tiering objects, brokers without object store settings', () => {
    const objects = render();
    expect(objects.filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'tiering')).toEqual([]);
    const broker = properties(one(objects, 'ConfigMap', 'rel-sluice-broker'));
    expect([...broker.keys()].filter((key) => key.startsWith('rsm.') || key.startsWith('remote.'))).toEqual([]);
  });

  test('a tiering StatefulSet with its headless Service, config and probes; brokers get the same S3 settings', () => {
    const objects = render(TIERING);
    const s3 = {
      'remote.log.storage.system.enable': 'true',
      'rsm.config.storage.s3.endpoint.url': 'http://minio.storage:9000',
      'rsm.config.storage.s3.region': 'eu-west-1',
      'rsm.config.storage.s3.bucket.name': 'sluice-segments',
      'rsm.config.storage.s3.path.style.access.enabled': 'true',
      'rsm.config.key.prefix': 'prod/',
    };
    const broker = properties(one(objects, 'ConfigMap', 'rel-sluice-broker'));
    for (const [key, value] of Object.entries(s3)) expect([key, broker.get(key)]).toEqual([key, value]);
    const tiering = properties(one(objects, 'ConfigMap', 'rel-sluice-tiering'));
    for (const [key, value] of Object.entries(s3)) expect([key, tiering.get(key)]).toEqual([key, value]);
    expect(tiering.get('process.roles')).toBe('tiering');
    expect(tiering.get('tiering.scrub.interval.ms')).toBe('600000');
    expect(tiering.get('tiering.scrub.grace.ms')).toBe('7200000');
    expect(tiering.get('controller.quorum.voters')).toBe(broker.get('controller.quorum.voters'));
    // The shared config reaches the tiering service too (one key each: checked by properties()).
    expect(tiering.get('min.insync.replicas')).toBe('2');

    const set = one(objects, 'StatefulSet', 'rel-sluice-tiering');
    expect(set.spec.replicas).toBe(1);
    expect(set.spec.serviceName).toBe('rel-sluice-tiering-headless');
    expect(set.spec.volumeClaimTemplates).toBeUndefined();
    const container = set.spec.template.spec.containers[0];
    expect(container.command.slice(1)).toEqual(['tiering', '--config', '/var/run/sluice/server.properties']);
    expect(container.readinessProbe.grpc).toEqual({ port: 9095, service: 'sluice.v1.Tiering' });
    expect(container.volumeMounts.map((m: { name: string }) => m.name)).not.toContain('data');
    const prepare = envOf(set.spec.template.spec.initContainers[0]);
    expect(prepare.get('SLUICE_ROLE')).toBe('tiering');
    expect(prepare.get('SLUICE_NODE_ID_OFFSET')).toBe('500');
    expect(prepare.has('SLUICE_CLUSTER_ID')).toBe(false);
    const headless = one(objects, 'Service', 'rel-sluice-tiering-headless');
    expect(headless.spec.ports.map((p: { port: number }) => p.port)).toEqual([9095, 9464]);

    // Credentials: the Secret's keys as the standard AWS variables, in brokers and the tiering pod.
    const brokerSet = one(objects, 'StatefulSet', 'rel-sluice-broker');
    for (const c of [container, brokerSet.spec.template.spec.containers[0]]) {
      const secretEnv = (c.env as { name: string; valueFrom?: { secretKeyRef?: object } }[])
        .filter((e) => e.name.startsWith('AWS_'))
        .map((e) => [e.name, e.valueFrom?.secretKeyRef]);
      expect(secretEnv).toEqual([
        ['AWS_ACCESS_KEY_ID', { name: 's3-credentials', key: 'id' }],
        ['AWS_SECRET_ACCESS_KEY', { name: 's3-credentials', key: 'secret' }],
      ]);
    }
    // Coordinators and controllers never see the object store.
    expect(
      properties(one(objects, 'ConfigMap', 'rel-sluice-coordinator')).has('rsm.config.storage.s3.bucket.name'),
    ).toBe(false);
  });

  test('without a credentials Secret: no AWS variables (the SDK default chain, e.g. pod identity)', () => {
    const objects = render({
      tiering: { ...TIERING.tiering, s3: { ...TIERING.tiering.s3, credentialsSecret: { name: '' } } },
    });
    const container = one(objects, 'StatefulSet', 'rel-sluice-tiering').spec.template.spec.containers[0];
    expect((container.env as { name: string }[]).filter((e) => e.name.startsWith('AWS_'))).toEqual([]);
  });

  test('refuses: no bucket, object store keys given twice, a key the chart sets per pod, a bad prefix', () => {
    expect(refusal({ tiering: { enabled: true } })).toContain('tiering.enabled needs tiering.s3.bucket');
    expect(refusal({ ...TIERING, broker: { config: { 'rsm.config.storage.s3.bucket.name': 'other' } } })).toContain(
      'broker.config.rsm.config.storage.s3.bucket.name: with tiering.enabled the chart writes it from tiering.s3',
    );
    expect(refusal({ ...TIERING, config: { 'tiering.scrub.grace.ms': 1 } })).toContain('config.tiering.scrub.grace.ms');
    expect(refusal({ tiering: { config: { 'node.id': 3 } } })).toContain(
      'tiering.config.node.id: the chart sets node.id',
    );
    expect(refusal({ tiering: { s3: { prefix: 'no-slash' } } })).toMatch(/prefix.*does not match pattern/s);
    expect(refusal({ tiering: { replicas: 2 } })).toMatch(/replicas/);
  });
});
