/**
 * The role table: what each kind of sluice process needs to run on loopback. The launcher walks
 * it in order to start a cluster (each role waits for the ones above it) and backwards to stop
 * one, so a new role (tiering) is one more row, not another launcher.
 */

export type Role = 'controller' | 'broker' | 'coordinator' | 'tiering';

/** Configuration in Kafka's names, one `key=value` line each in a process's .properties file. */
export type Settings = Readonly<Record<string, string | number>>;

/** What "started" means before the next role may start. */
export type Readiness =
  /** One controller reports itself leader of the quorum. */
  | 'controller-leader'
  /** Every broker of the cluster is registered and unfenced. */
  | 'brokers-unfenced'
  /**
   * Every process of the role answers grpc.health.v1 Check with SERVING (a coordinator: its topics
   * exist and its paired broker's metadata has them, so FindCoordinator names an owner; the
   * partitions it owns may still be loading).
   */
  | 'health-serving';

/** One process's place in the cluster, as its settings see it. */
export interface NodePlace {
  readonly nodeId: number;
  /** Where it listens. */
  readonly port: number;
  /** Where the others dial it: `port`, or the port of the fault proxy in front of it. */
  readonly advertisedPort: number;
  /** Its /metrics port, chosen up front like `port` (a scraper's configuration can name it before any start). */
  readonly metricsPort: number;
  /** Its data directory; undefined for a role that keeps none. */
  readonly dataDir: string | undefined;
}

/** The rest of the cluster, as a process's settings see it (every port is chosen before any config is written). */
export interface ClusterPlaces {
  readonly host: string;
  /** `controller.quorum.voters`: `1@127.0.0.1:9093,...` (the advertised addresses). */
  readonly controllerVoters: string;
  nodeIds(role: Role): readonly number[];
  /** Where the others dial the process: its listener, or the fault proxy in front of it. */
  address(role: Role, nodeId: number): string;
}

export interface RoleSpec {
  readonly role: Role;
  /** Its entry point is `services/<service>/dist/main.js`. */
  readonly service: string;
  /** Processes when the caller does not say; a paired role has one per process of its pair. */
  readonly defaultCount?: number;
  /** One process per process of that role, with the same node id (a coordinator per broker). */
  readonly pairedWith?: Role;
  /** The key naming its data directory, formatted for the cluster before the first start; none: it keeps no data. */
  readonly dataDirKey?: string;
  readonly readiness: Readiness;
  /** How long a SIGTERM may take (a broker's controlled shutdown moves its leaderships) before SIGKILL. */
  readonly stopTimeoutMs: number;
  /** The role's own settings; the caller's extra settings are laid over them. */
  settings(node: NodePlace, cluster: ClusterPlaces, extra: Settings): Settings;
}

const addressesOf = (cluster: ClusterPlaces, role: Role): string[] =>
  cluster.nodeIds(role).map((nodeId) => cluster.address(role, nodeId));

/** `advertised.listeners` when the others dial a proxy in front of the listener; nothing otherwise. */
const advertised = (listener: string, node: NodePlace, cluster: ClusterPlaces): Settings =>
  node.advertisedPort === node.port
    ? {}
    : { 'advertised.listeners': `${listener}://${cluster.host}:${node.advertisedPort}` };

const CONTROLLER: RoleSpec = {
  role: 'controller',
  service: 'controller',
  defaultCount: 3,
  dataDirKey: 'metadata.log.dir',
  readiness: 'controller-leader',
  stopTimeoutMs: 5_000,
  settings: (node, cluster) => ({
    'node.id': node.nodeId,
    'process.roles': 'controller',
    'controller.quorum.voters': cluster.controllerVoters,
    listeners: `CONTROLLER://${cluster.host}:${node.port}`,
    ...advertised('CONTROLLER', node, cluster),
    'metadata.log.dir': node.dataDir ?? '',
    'metrics.host': cluster.host,
    'metrics.port': node.metricsPort,
  }),
};

const BROKER: RoleSpec = {
  role: 'broker',
  service: 'broker',
  defaultCount: 3,
  dataDirKey: 'log.dirs',
  readiness: 'brokers-unfenced',
  stopTimeoutMs: 10_000,
  settings: (node, cluster) => {
    // Brokers keep share group state through the coordinators, whose ports are known before any start.
    const coordinators = addressesOf(cluster, 'coordinator');
    return {
      'node.id': node.nodeId,
      'process.roles': 'broker',
      'controller.quorum.voters': cluster.controllerVoters,
      listeners: `PLAINTEXT://${cluster.host}:${node.port}`,
      ...advertised('PLAINTEXT', node, cluster),
      'log.dirs': node.dataDir ?? '',
      'metrics.host': cluster.host,
      'metrics.port': node.metricsPort,
      ...(coordinators.length === 0 ? {} : { 'share.coordinator.addresses': coordinators.join(',') }),
    };
  },
};

const COORDINATOR: RoleSpec = {
  role: 'coordinator',
  service: 'coordinator',
  pairedWith: 'broker',
  readiness: 'health-serving',
  stopTimeoutMs: 10_000,
  settings: (node, cluster, extra) => ({
    'node.id': node.nodeId,
    'process.roles': 'coordinator',
    'controller.quorum.voters': cluster.controllerVoters,
    listeners: `PLAINTEXT://${cluster.host}:${node.port}`,
    ...advertised('PLAINTEXT', node, cluster),
    'coordinator.broker': cluster.address('broker', node.nodeId),
    'coordinator.peers': cluster
      .nodeIds('coordinator')
      .map((nodeId) => `${nodeId}@${cluster.address('coordinator', nodeId)}`)
      .join(','),
    'metrics.host': cluster.host,
    'metrics.port': node.metricsPort,
    // Local clusters are often smaller than 3 brokers: the share coordinator's topic follows the
    // offsets topic's replication factor unless it is set on its own.
    ...(extra['offsets.topic.replication.factor'] === undefined
      ? {}
      : { 'share.coordinator.state.topic.replication.factor': extra['offsets.topic.replication.factor'] }),
  }),
};

/**
 * The tiering service (scheduled scrub, tiered partitions' status): none unless asked for. Its
 * object store settings (rsm.config.*) come from the caller's config, as the brokers' do.
 */
const TIERING: RoleSpec = {
  role: 'tiering',
  service: 'tiering',
  defaultCount: 0,
  readiness: 'health-serving',
  stopTimeoutMs: 10_000,
  settings: (node, cluster) => ({
    'node.id': node.nodeId,
    'process.roles': 'tiering',
    'controller.quorum.voters': cluster.controllerVoters,
    listeners: `PLAINTEXT://${cluster.host}:${node.port}`,
    ...advertised('PLAINTEXT', node, cluster),
    'metrics.host': cluster.host,
    'metrics.port': node.metricsPort,
  }),
};

/** Every role, in start order: each one needs the ones before it running. */
export const ROLES: readonly RoleSpec[] = [CONTROLLER, BROKER, COORDINATOR, TIERING];
