import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '@sluice/protocol';
import { readMetaProperties, randomKafkaUuid } from '@sluice/runtime';
import {
  LocalCluster,
  ROLES,
  freePorts,
  serviceMainPath,
  serviceNodeFlags,
  waitFor,
  type LocalClusterOptions,
} from '@sluice/local-cluster';

jest.setTimeout(60_000);

const properties = (file: string): Map<string, string> =>
  new Map(
    readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('LocalCluster.create (nothing started)', () => {
  let baseDir: string;
  beforeEach(() => {
    baseDir = mkdtempSync(join(tmpdir(), 'sluice-local-cluster-'));
  });
  afterEach(() => rmSync(baseDir, { recursive: true, force: true }));

  it('writes every role its configuration, pairs a coordinator with each broker, and formats the data directories', async () => {
    const cluster = await LocalCluster.create({
      baseDir,
      roles: {
        controller: { count: 3, config: { 'metadata.snapshot.interval.entries': 16 } },
        broker: { count: 2, firstNodeId: 101, config: { 'min.insync.replicas': 2 } },
        coordinator: { config: { 'offsets.topic.replication.factor': 2 } },
      },
    });
    expect(cluster.controllers.nodeIds).toEqual([1, 2, 3]);
    expect(cluster.brokers.nodeIds).toEqual([101, 102]);
    expect(cluster.coordinators.nodeIds).toEqual([101, 102]);
    const addresses = [
      ...cluster.controllers.addresses(),
      ...cluster.brokers.addresses(),
      ...cluster.coordinators.addresses(),
    ];
    expect(new Set(addresses).size).toBe(7);
    expect(cluster.controllerVoters).toBe(
      cluster.controllers.nodeIds.map((id) => `${id}@${cluster.controllers.address(id)}`).join(','),
    );

    const controller = properties(cluster.controllers.configFile(2));
    expect(controller.get('node.id')).toBe('2');
    expect(controller.get('process.roles')).toBe('controller');
    expect(controller.get('controller.quorum.voters')).toBe(cluster.controllerVoters);
    expect(controller.get('listeners')).toBe(`CONTROLLER://${cluster.controllers.address(2)}`);
    expect(controller.get('metadata.snapshot.interval.entries')).toBe('16');

    const broker = properties(cluster.brokers.configFile(102));
    expect(broker.get('listeners')).toBe(`PLAINTEXT://${cluster.brokers.address(102)}`);
    expect(broker.get('log.dirs')).toBe(cluster.brokers.dataDir(102));
    expect(broker.get('min.insync.replicas')).toBe('2');
    expect(broker.get('share.coordinator.addresses')).toBe(cluster.coordinators.addresses().join(','));

    const coordinator = properties(cluster.coordinators.configFile(101));
    expect(coordinator.get('coordinator.broker')).toBe(cluster.brokers.address(101));
    expect(coordinator.get('coordinator.peers')).toBe(
      `101@${cluster.coordinators.address(101)},102@${cluster.coordinators.address(102)}`,
    );
    expect(coordinator.get('share.coordinator.state.topic.replication.factor')).toBe('2');

    for (const [role, id] of [
      [cluster.controllers, 1],
      [cluster.brokers, 101],
    ] as const)
      expect(readMetaProperties(role.dataDir(id))).toMatchObject({ clusterId: cluster.clusterId, nodeId: id });
    expect(() => cluster.coordinators.dataDir(101)).toThrow('a coordinator keeps no data directory');
    expect(() => cluster.brokers.address(1)).toThrow('no broker 1 in this cluster (brokers: 101, 102)');
    expect(cluster.processes()).toEqual([]);

    // Signal handlers only while asked for: a test runner or a CLI keeps its own.
    const before = ['SIGINT', 'SIGTERM'].map((signal) => process.listenerCount(signal));
    const release = cluster.stopOnSignals();
    expect(['SIGINT', 'SIGTERM'].map((signal) => process.listenerCount(signal))).toEqual(before.map((n) => n + 1));
    release();
    expect(['SIGINT', 'SIGTERM'].map((signal) => process.listenerCount(signal))).toEqual(before);
  });

  it('with networkFaults, hands out a fault proxy address for every listener and advertises it', async () => {
    const cluster = await LocalCluster.create({
      baseDir,
      networkFaults: true,
      roles: { controller: { count: 3 }, broker: { count: 2 } },
    });
    try {
      const proxyPort = (address: string): number => Number(address.split(':')[1]);
      for (const role of [cluster.controllers, cluster.brokers, cluster.coordinators])
        for (const id of role.nodeIds) {
          expect(role.address(id)).not.toBe(role.listenAddress(id));
          const name = `${role.role}-${id}`;
          expect(cluster.network.proxy(name).port).toBe(proxyPort(role.address(id)));
        }
      const controller = properties(cluster.controllers.configFile(2));
      expect(controller.get('listeners')).toBe(`CONTROLLER://${cluster.controllers.listenAddress(2)}`);
      expect(controller.get('advertised.listeners')).toBe(`CONTROLLER://${cluster.controllers.address(2)}`);
      expect(controller.get('controller.quorum.voters')).toBe(
        [1, 2, 3].map((id) => `${id}@${cluster.controllers.address(id)}`).join(','),
      );
      const broker = properties(cluster.brokers.configFile(2));
      expect(broker.get('listeners')).toBe(`PLAINTEXT://${cluster.brokers.listenAddress(2)}`);
      expect(broker.get('advertised.listeners')).toBe(`PLAINTEXT://${cluster.brokers.address(2)}`);
      expect(broker.get('share.coordinator.addresses')).toBe(cluster.coordinators.addresses().join(','));
      const coordinator = properties(cluster.coordinators.configFile(1));
      expect(coordinator.get('advertised.listeners')).toBe(`PLAINTEXT://${cluster.coordinators.address(1)}`);
      expect(coordinator.get('coordinator.broker')).toBe(cluster.brokers.address(1));
      expect(cluster.network.endpoints()).toEqual([
        'controller-1',
        'controller-2',
        'controller-3',
        'broker-1',
        'broker-2',
        'coordinator-1',
        'coordinator-2',
        'client',
      ]);
    } finally {
      await cluster.stop();
    }
    // Without the option there is no proxy, and every process is dialled where it listens.
    const plain = await LocalCluster.create({ baseDir: `${baseDir}-plain`, roles: { broker: { count: 1 } } });
    try {
      expect(plain.brokers.address(1)).toBe(plain.brokers.listenAddress(1));
      expect(() => plain.network).toThrow(/networkFaults/);
      expect(properties(plain.brokers.configFile(1)).has('advertised.listeners')).toBe(false);
    } finally {
      await plain.stop({ removeBaseDir: true });
    }
  });

  it('keeps a reused directory on its cluster id and refuses another one, changing nothing', async () => {
    const first = await LocalCluster.create({ baseDir, roles: { controller: { count: 1 }, broker: { count: 0 } } });
    const again = await LocalCluster.create({ baseDir, roles: { controller: { count: 1 }, broker: { count: 0 } } });
    expect(again.clusterId).toBe(first.clusterId);
    const before = readFileSync(first.controllers.configFile(1), 'utf8');
    await expect(
      LocalCluster.create({ baseDir, clusterId: randomKafkaUuid(), roles: { controller: { count: 1 } } }),
    ).rejects.toMatchObject({ errorName: 'INCONSISTENT_CLUSTER_ID' });
    expect(readFileSync(join(baseDir, 'cluster.id'), 'utf8')).toBe(`${first.clusterId}\n`);
    expect(readFileSync(first.controllers.configFile(1), 'utf8')).toBe(before);
  });

  it.each<[string, Omit<LocalClusterOptions, 'baseDir'>, RegExp]>([
    [
      'a coordinator count other than the brokers',
      { roles: { broker: { count: 3 }, coordinator: { count: 2 } } },
      /one per broker/,
    ],
    ['node ids for paired coordinators', { roles: { coordinator: { firstNodeId: 7 } } }, /firstNodeId is not allowed/],
    ['a negative count', { roles: { broker: { count: -1 } } }, /broker count -1/],
    [
      'brokers without controllers',
      { roles: { controller: { count: 0 }, broker: { count: 1 } } },
      /brokers need at least one controller/,
    ],
    [
      'a line break in a value',
      { roles: { broker: { config: { 'log.retention.ms': '1\nnode.id=9' } } } },
      /line break/,
    ],
    [
      'a key that is no configuration name',
      { roles: { controller: { config: { 'a b': 1 } } } },
      /is not a configuration name/,
    ],
    ['a cluster id that is no Kafka UUID', { clusterId: 'not-a-uuid' }, /is not a Kafka UUID/],
  ])('refuses %s with INVALID_CONFIG and writes nothing', async (_what, options, message) => {
    const dir = join(baseDir, 'never');
    const refused = await LocalCluster.create({ baseDir: dir, ...options }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ errorName: 'INVALID_CONFIG', message: expect.stringMatching(message) });
    expect(existsSync(dir)).toBe(false);
  });
});

describe('LocalCluster on real processes', () => {
  let baseDir: string;
  beforeAll(() => {
    baseDir = mkdtempSync(join(tmpdir(), 'sluice-local-cluster-run-'));
  });
  afterAll(() => rmSync(baseDir, { recursive: true, force: true }));

  it('starts in dependency order, restarts and kills one process by role and node id, stops all by pid', async () => {
    const dir = join(baseDir, 'healthy');
    const cluster = await LocalCluster.start({
      baseDir: dir,
      roles: {
        controller: { count: 1, config: { 'broker.session.timeout.ms': 2_000 } },
        broker: { count: 1, config: { 'broker.heartbeat.interval.ms': 200 } },
        coordinator: { config: { 'offsets.topic.replication.factor': 1, 'offsets.topic.num.partitions': 1 } },
      },
    });
    try {
      const started = cluster.processes();
      expect(started.map(({ role, nodeId }) => `${role}-${nodeId}`)).toEqual([
        'controller-1',
        'broker-1',
        'coordinator-1',
      ]);
      expect(await cluster.waitForControllerLeader(5_000)).toBe(1);
      expect(await cluster.describeController(1)).toMatchObject({ nodeId: 1, controllerId: 1 });
      const info = await cluster.admin.describeCluster();
      expect(info.brokers).toEqual([expect.objectContaining({ brokerId: 1, fenced: false })]);
      expect(readFileSync(cluster.controllers.logFile(1), 'utf8')).not.toBe('');
      // Each process runs with its service's node-flags (the broker's young generation and external
      // memory accounting), others with none.
      const commandLine = (pid: number | undefined): string[] =>
        readFileSync(`/proc/${pid}/cmdline`, 'utf8')
          .split('\0')
          .filter((arg) => arg !== '');
      expect(commandLine(cluster.brokers.pid(1)).slice(1, 3)).toEqual([
        '--max-semi-space-size=32',
        '--external-memory-accounted-in-global-limit',
      ]);
      expect(commandLine(cluster.controllers.pid(1))[1]).toBe(serviceMainPath('controller'));

      const brokerPid = cluster.brokers.pid(1);
      await cluster.brokers.restart(1);
      expect(cluster.brokers.pid(1)).not.toBe(brokerPid);
      await cluster.waitForUnfencedBrokers(20_000);
      await cluster.coordinators.kill(1);
      expect(cluster.coordinators.isRunning(1)).toBe(false);
      expect(await cluster.coordinators.exitCode(1, 1_000)).toBeNull();
      expect(cluster.processes().map(({ role }) => role)).toEqual(['controller', 'broker']);

      await cluster.stop({ removeBaseDir: true });
      for (const { pid } of started) expect(isAlive(pid)).toBe(false);
      expect(existsSync(dir)).toBe(false);
    } finally {
      await cluster.stop();
    }
  });

  it('names a broker that exits during start-up and its log', async () => {
    const cluster = await LocalCluster.create({
      baseDir: join(baseDir, 'bad-broker'),
      roles: { controller: { count: 1 }, broker: { count: 1, config: { 'message.max.bytes': 'lots' } } },
    });
    try {
      await expect(cluster.start({ brokersTimeoutMs: 20_000 })).rejects.toThrow(
        `broker 1 exited before it was unfenced (see ${cluster.brokers.logFile(1)})`,
      );
      expect(readFileSync(cluster.brokers.logFile(1), 'utf8')).toContain('message.max.bytes');
      expect(cluster.coordinators.isRunning(1)).toBe(false);
    } finally {
      await cluster.stop();
    }
    expect(cluster.processes()).toEqual([]);
  });
});

describe('launcher helpers', () => {
  it('finds every role service entry point in this workspace', () => {
    for (const spec of ROLES) expect(existsSync(serviceMainPath(spec.service))).toBe(true);
  });

  it("reads a service's node-flags, none without the file, and refuses anything but single --flags", () => {
    expect(serviceNodeFlags('broker')).toEqual([
      '--max-semi-space-size=32',
      '--external-memory-accounted-in-global-limit',
    ]);
    const root = mkdtempSync(join(tmpdir(), 'sluice-node-flags-'));
    try {
      expect(serviceNodeFlags('broker', root)).toEqual([]);
      mkdirSync(join(root, 'services', 'broker'), { recursive: true });
      writeFileSync(join(root, 'services', 'broker', 'node-flags'), '# why\n--stack-size=2000  # inline\n\n');
      expect(serviceNodeFlags('broker', root)).toEqual(['--stack-size=2000']);
      writeFileSync(join(root, 'services', 'broker', 'node-flags'), '--require /tmp/evil.js\n');
      expect(() => serviceNodeFlags('broker', root)).toThrow(/is not a single --flag/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('hands out distinct free ports', async () => {
    const ports = await freePorts(5);
    expect(new Set(ports).size).toBe(5);
    for (const port of ports) expect(port).toBeGreaterThan(0);
  });

  it('waitFor names what it waited for, its bound and the last error', async () => {
    let calls = 0;
    await waitFor('the third call', () => ++calls === 3, 2_000, 5);
    expect(calls).toBe(3);
    await expect(
      waitFor(
        'a refusing server',
        () => {
          throw new Error('ECONNREFUSED');
        },
        50,
        10,
      ),
    ).rejects.toThrow('timed out after 50 ms waiting for a refusing server (last error: ECONNREFUSED)');
  });
});
