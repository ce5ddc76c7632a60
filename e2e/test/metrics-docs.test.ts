/**
 * docs/metrics.md lists every metric: a controller, a broker and a coordinator start in-process
 * (a one-node controller quorum, one broker, its coordinator, each with its metrics server on, so
 * the default Node.js metrics are registered as in production), and every name in their
 * registries must have a row in the table, and every row a registered name (no stale rows).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../packages/runtime/src';
import { BrokerNode } from '../../services/broker/src/node/broker-node';
import { MemoryAuditSink } from '../../services/controller/src/audit/audit-trail';
import { ControllerNode } from '../../services/controller/src/node/controller-node';
import { CoordinatorNode } from '../../services/coordinator/src/node/coordinator-node';
import { TieringMetrics } from '../../services/tiering/src/node/tiering-metrics';
import { createMetricsRegistry } from '../../packages/runtime/src';
import { SingleNodeQuorum } from '../../services/controller/test/support/single-node-quorum';

jest.setTimeout(60_000);

const CLUSTER_ID = 'MkU3OEVBNTcwNTJENDM2Qg';
const DOC = join(__dirname, '..', '..', 'docs', 'metrics.md');
const METRICS = { host: '127.0.0.1', port: 0 } as const;

/** The first column of the table rows: `| \`name\` | ...`. */
function documentedNames(markdown: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of markdown.split('\n')) {
    const match = /^\|\s*`([a-z_:][a-z0-9_:]*)`\s*\|\s*([a-z]+)\s*\|/.exec(line);
    if (match !== null) rows.set(match[1]!, match[2]!);
  }
  return rows;
}

describe('docs/metrics.md', () => {
  let baseDir: string;
  let controller: ControllerNode | undefined;
  let broker: BrokerNode | undefined;
  let coordinator: CoordinatorNode | undefined;

  beforeAll(async () => {
    baseDir = mkdtempSync(join(tmpdir(), 'sluice-metrics-docs-'));
    controller = await ControllerNode.start({
      nodeId: 1,
      clusterId: CLUSTER_ID,
      bindHost: '127.0.0.1',
      bindPort: 0,
      voters: new Map([[1, '127.0.0.1:1']]),
      brokerSessionTimeoutMs: 60_000,
      settings: { uncleanLeaderElectionEnable: false, defaultNumPartitions: 1, defaultReplicationFactor: 1 },
      metrics: METRICS,
      log: silentLogger(),
      auditSink: new MemoryAuditSink(),
      createQuorum: async (stateMachine) => new SingleNodeQuorum(1, stateMachine),
    });
    broker = await BrokerNode.start({
      nodeId: 1,
      clusterId: CLUSTER_ID,
      logDir: join(baseDir, 'broker-1'),
      bindHost: '127.0.0.1',
      bindPort: 0,
      listenerName: 'PLAINTEXT',
      advertisedHost: '127.0.0.1',
      advertisedPort: 0,
      controllerAddresses: [controller.address],
      heartbeatIntervalMs: 100,
      replicaLagTimeMaxMs: 10_000,
      replicaFetchWaitMaxMs: 200,
      maxMessageBytes: 1024 * 1024 + 12,
      minInsyncReplicas: 1,
      metrics: METRICS,
      log: silentLogger(),
    });
    coordinator = await CoordinatorNode.start({
      nodeId: 1,
      bindHost: '127.0.0.1',
      bindPort: 0,
      brokerAddress: broker.address,
      controllerAddresses: [controller.address],
      peers: new Map(),
      offsetsTopicPartitions: 1,
      offsetsTopicReplicationFactor: 1,
      shareStateTopic: { partitions: 1, replicationFactor: 1, minIsr: 1 },
      groups: {
        sessionTimeoutMs: 45_000,
        heartbeatIntervalMs: 1_000,
        maxGroupSize: 1_000,
        maxOffsetMetadataBytes: 4_096,
        assignors: ['uniform'],
      },
      metrics: METRICS,
      log: silentLogger(),
    });
  });

  afterAll(async () => {
    await coordinator?.stop();
    await broker?.stop();
    await controller?.stop();
    rmSync(baseDir, { recursive: true, force: true });
  });

  it('has a row for every registered metric, of its type, and none for an unregistered one', () => {
    const documented = documentedNames(readFileSync(DOC, 'utf8'));
    const registered = new Map<string, string>();
    // The tiering service's own series (its node needs an object store; its metrics do not).
    const tiering = createMetricsRegistry({ service: 'tiering', nodeId: 1, defaultMetrics: false });
    new TieringMetrics(tiering);
    for (const registry of [controller!.registry, broker!.registry, coordinator!.registry, tiering])
      for (const metric of registry.getMetricsAsArray()) registered.set(metric.name, String(metric.type));
    // prom-client's default metrics are there, as in production.
    expect(registered.has('nodejs_eventloop_lag_seconds')).toBe(true);
    const missing = [...registered.keys()].filter((name) => !documented.has(name)).sort();
    const stale = [...documented.keys()].filter((name) => !registered.has(name)).sort();
    const wrongType = [...registered]
      .filter(([name, type]) => documented.has(name) && documented.get(name) !== type)
      .map(([name, type]) => `${name} is a ${type}, documented as ${documented.get(name)}`);
    expect({ missing, stale, wrongType }).toEqual({ missing: [], stale: [], wrongType: [] });
  });
});
