/**
 * A whole sluice cluster as real processes on loopback, for `sluice cluster up`, the e2e suite,
 * the component tests that start processes and the benches: controllers, brokers and one group
 * coordinator per broker (the role table in roles.ts), each spawned from its service's built
 * `dist/main.js` on this process's Node.
 *
 * `create` chooses every port, writes each process's .properties, formats the data directories
 * for one cluster id (kept in `<baseDir>/cluster.id`, so a reused directory keeps its data) and
 * starts nothing. `start` starts the roles in dependency order, each behind a bounded wait with
 * an error naming what it waited for: the controllers until one leads, the brokers until every
 * one is registered and unfenced, then the coordinators (the brokers already have their
 * addresses in `share.coordinator.addresses`). `stop` stops every process by pid, in reverse
 * order, and removes the data directory when asked; every child is also killed when this process
 * exits. Files per process in `baseDir`: `<role>-<id>.properties`, `<role>-<id>.out` (its
 * output) and `<role>-<id>/` (its data).
 *
 * With `networkFaults`, a fault proxy stands in front of every listener and every address the
 * cluster hands out (`controller.quorum.voters`, advertised listeners, coordinator addresses,
 * `address()`) is the proxy's, so every process and client dials every other through one:
 * `network` then cuts, slows or narrows the link between any two of them (faults/).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { formatLogDirs } from '@sluice/runtime';
import { Admin, ControllerChannel } from '@sluice/client';
import { GrpcClientPool, unaryCall, type ClientSecurity, type DescribeClusterResponse__Output } from '@sluice/proto';
import { issueClusterCertificates, type IssuedCluster } from './security';
import { FaultNetwork } from './faults/fault-network';
import { endpointName } from './faults/link-faults';
import { choosePorts, writeNode } from './layout';
import { loopbackHost } from './ports';
import { checkClusterId, clusterIdFor, nodeIdsOf, type LocalClusterOptions, type StartOptions } from './options';
import { LocalRole } from './role-processes';
import { ROLES, type ClusterPlaces, type Role } from './roles';
import { assertServiceBuilt } from './service-main';
import { sleep } from './wait';

/** One controller's own view, from DescribeCluster asked of that node alone. */
export interface ControllerView {
  readonly nodeId: number;
  /** The leader it knows, -1 for none. */
  readonly controllerId: number;
  /** The last metadata offset it applied. */
  readonly metadataOffset: number;
}

export interface ProcessInfo {
  readonly role: Role;
  readonly nodeId: number;
  readonly pid: number;
}

export class LocalCluster {
  private readonly roles: ReadonlyMap<Role, LocalRole>;
  private adminClient: Admin | undefined;
  /** Follows NOT_CONTROLLER to the active controller: the broker wait reads the leader's view. */
  private probeChannel: ControllerChannel | undefined;
  /** One Controller client per controller, for probes of each node's own view (no redirect, no retry). */
  private readonly nodeClients: GrpcClientPool<'Controller'>;
  private readonly healthClients: GrpcClientPool<'Health'>;
  private faultNetwork: FaultNetwork | undefined;

  private constructor(
    readonly baseDir: string,
    readonly clusterId: string,
    readonly host: string,
    roles: ReadonlyMap<Role, LocalRole>,
    /** A secure cluster's certificates (undefined: PLAINTEXT). */
    readonly issued: IssuedCluster | undefined,
  ) {
    this.roles = roles;
    // Explicit even when plaintext: the process default (a CLI's) must not leak into the launcher's probes.
    const security = { security: issued?.adminSecurity ?? {} };
    this.nodeClients = new GrpcClientPool('Controller', security);
    // Readiness probes of processes that may just have been restarted: channels of their own with
    // a short reconnect backoff, so the backoff a killed process left (grpc-js doubles it from 1 s
    // up to 120 s) does not delay the first answers of the one started in its place.
    this.healthClients = new GrpcClientPool('Health', {
      ...security,
      channelOptions: {
        'grpc.use_local_subchannel_pool': 1,
        'grpc.initial_reconnect_backoff_ms': 50,
        'grpc.max_reconnect_backoff_ms': 500,
      },
    });
  }

  /** How an operator's client reaches this cluster: TLS with the admin certificate on a secure one. */
  get adminSecurity(): ClientSecurity | undefined {
    return this.issued?.adminSecurity;
  }

  /** The fault proxies and their link table; only for a cluster created with `networkFaults`. */
  get network(): FaultNetwork {
    if (this.faultNetwork === undefined)
      throw new RangeError('this cluster has no fault proxies: create it with networkFaults: true');
    return this.faultNetwork;
  }

  /** The endpoint name of a running process of this cluster by pid (`broker-2`), for the fault proxies. */
  private processName(pid: number): string | undefined {
    const found = this.processes().find((candidate) => candidate.pid === pid);
    return found === undefined ? undefined : endpointName(found.role, found.nodeId);
  }

  /** Chooses ports, writes every process's configuration and formats the data directories; starts nothing. */
  static async create(options: LocalClusterOptions): Promise<LocalCluster> {
    const host = options.host ?? loopbackHost();
    checkClusterId(options.clusterId);
    const nodeIds = nodeIdsOf(options);
    for (const spec of ROLES)
      if ((nodeIds.get(spec.role) ?? []).length > 0)
        assertServiceBuilt(spec.service, options.roles?.[spec.role]?.workspace);
    const withProxies = options.networkFaults === true;
    const portOf = await choosePorts(nodeIds, host, withProxies);
    const advertisedPortOf = (role: Role, nodeId: number): number =>
      portOf(role, nodeId, withProxies ? 'proxy' : 'grpc');
    const places: ClusterPlaces = {
      host,
      controllerVoters: (nodeIds.get('controller') ?? [])
        .map((id) => `${id}@${host}:${advertisedPortOf('controller', id)}`)
        .join(','),
      nodeIds: (role) => nodeIds.get(role) ?? [],
      address: (role, nodeId) => `${host}:${advertisedPortOf(role, nodeId)}`,
    };
    mkdirSync(options.baseDir, { recursive: true });
    const clusterId = clusterIdFor(options.baseDir, options.clusterId);
    const issued =
      options.security === undefined
        ? undefined
        : await issueClusterCertificates(options.baseDir, nodeIds, options.security, host);
    const roles = new Map<Role, LocalRole>();
    for (const spec of ROLES) {
      const wanted = options.roles?.[spec.role] ?? {};
      const slots = (nodeIds.get(spec.role) ?? []).map((nodeId) =>
        writeNode(
          options.baseDir,
          spec,
          {
            nodeId,
            port: portOf(spec.role, nodeId),
            advertisedPort: advertisedPortOf(spec.role, nodeId),
            metricsPort: portOf(spec.role, nodeId, 'metrics'),
            clusterId,
          },
          places,
          { ...(issued?.settingsFor(spec.role, nodeId) ?? {}), ...(wanted.config ?? {}) },
        ),
      );
      roles.set(
        spec.role,
        new LocalRole(spec, host, slots, {
          output: options.output ?? 'file',
          env: wanted.env ?? {},
          ...(wanted.workspace === undefined ? {} : { workspace: wanted.workspace }),
        }),
      );
    }
    const cluster = new LocalCluster(options.baseDir, clusterId, host, roles, issued);
    if (withProxies) {
      cluster.faultNetwork = await FaultNetwork.start({
        host,
        targets: ROLES.flatMap((spec) =>
          (nodeIds.get(spec.role) ?? []).map((nodeId) => ({
            name: endpointName(spec.role, nodeId),
            host,
            port: portOf(spec.role, nodeId),
            proxyPort: advertisedPortOf(spec.role, nodeId),
          })),
        ),
        processName: (pid) => cluster.processName(pid),
        processPids: () => cluster.processes().map((found) => found.pid),
      });
    }
    return cluster;
  }

  /** create, then start; on a failed start every process is stopped before the error is thrown. */
  static async start(options: LocalClusterOptions, startOptions: StartOptions = {}): Promise<LocalCluster> {
    const cluster = await LocalCluster.create(options);
    try {
      await cluster.start(startOptions);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  role(role: Role): LocalRole {
    const found = this.roles.get(role);
    if (found === undefined) throw new RangeError(`unknown role ${JSON.stringify(role)}`);
    return found;
  }

  get controllers(): LocalRole {
    return this.role('controller');
  }

  get brokers(): LocalRole {
    return this.role('broker');
  }

  get coordinators(): LocalRole {
    return this.role('coordinator');
  }

  /** The tiering service processes (none unless the options ask for them). */
  get tiering(): LocalRole {
    return this.role('tiering');
  }

  /** `controller.quorum.voters` of this cluster. */
  get controllerVoters(): string {
    return this.controllers.nodeIds.map((id) => `${id}@${this.controllers.address(id)}`).join(',');
  }

  /** An Admin on the controllers (and the coordinators, when there are any); closed by stop(). */
  get admin(): Admin {
    this.adminClient ??= new Admin({
      bootstrap: this.controllers.addresses(),
      security: this.issued?.adminSecurity ?? {},
      timeoutMs: 15_000,
      ...(this.coordinators.nodeIds.length === 0 ? {} : { coordinators: this.coordinators.addresses() }),
    });
    return this.adminClient;
  }

  private get probe(): ControllerChannel {
    this.probeChannel ??= new ControllerChannel(this.controllers.addresses(), {
      security: this.issued?.adminSecurity ?? {},
      timeoutMs: 5_000,
      attemptTimeoutMs: 1_000,
      retryBackoffMs: 20,
    });
    return this.probeChannel;
  }

  /**
   * Starts the processes not running yet, role by role in dependency order, each role after the
   * ones above it are ready (bounded waits).
   */
  async start(options: StartOptions = {}): Promise<void> {
    for (const spec of ROLES) {
      const role = this.role(spec.role);
      if (role.nodeIds.length === 0 || (options.roles !== undefined && !options.roles.includes(spec.role))) continue;
      role.startAll();
      if (spec.readiness === 'controller-leader') await this.waitForControllerLeader(options.leaderTimeoutMs ?? 30_000);
      else if (spec.readiness === 'brokers-unfenced')
        await this.waitForUnfencedBrokers(options.brokersTimeoutMs ?? 60_000);
      else await this.waitForServing(spec.role, options.servingTimeoutMs ?? 60_000);
    }
  }

  /** One controller's own view (DescribeCluster on that node only); undefined if it does not answer in `timeoutMs`. */
  async describeController(nodeId: number, timeoutMs = 500): Promise<ControllerView | undefined> {
    try {
      const answer: DescribeClusterResponse__Output = await unaryCall(
        this.nodeClients.client(this.controllers.address(nodeId)),
        'DescribeCluster',
        {},
        { timeoutMs },
      );
      return {
        nodeId: answer.nodeId,
        controllerId: answer.controllerId,
        metadataOffset: Number(answer.metadataOffset),
      };
    } catch {
      return undefined;
    }
  }

  /**
   * Polls the running controllers until one reports itself leader (other than `notNodeId`) and
   * returns its node id; throws after `timeoutMs` naming the running nodes.
   */
  async waitForControllerLeader(
    timeoutMs: number,
    options: { readonly notNodeId?: number; readonly pollMs?: number } = {},
  ): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const views = await Promise.all(this.controllers.running().map((id) => this.describeController(id, 200)));
      const leader = views.find(
        (view) => view !== undefined && view.controllerId === view.nodeId && view.nodeId !== options.notNodeId,
      );
      if (leader !== undefined) return leader.nodeId;
      await sleep(options.pollMs ?? 10);
    }
    throw new Error(
      `no controller leader within ${timeoutMs} ms (running: ${this.controllers.running().join(', ') || 'none'})`,
    );
  }

  /**
   * Waits until the active controller reports every one of `brokerIds` (default: this cluster's
   * brokers; in-process brokers are fine too) registered and unfenced, and each broker this
   * cluster launched answers grpc.health.v1 Check ('' = the whole server) with SERVING itself.
   * The controller's view alone is not enough after a restart: a broker killed and started again
   * within its session timeout is still listed unfenced under its old registration while the new
   * process does not listen yet; a broker sets '' to SERVING only once it has registered. Throws
   * at once, naming its log, when one this cluster started has exited; after `timeoutMs`, naming
   * the ones missing.
   */
  async waitForUnfencedBrokers(timeoutMs: number, brokerIds: readonly number[] = this.brokers.nodeIds): Promise<void> {
    const launched = new Set(this.brokers.nodeIds);
    const deadline = Date.now() + timeoutMs;
    let unfenced = new Set<number>();
    let notServing: number[] = [];
    let lastError: unknown;
    while (Date.now() < deadline) {
      const dead = brokerIds.find((id) => launched.has(id) && !this.brokers.isRunning(id));
      if (dead !== undefined)
        throw new Error(`broker ${dead} exited before it was unfenced (see ${this.brokers.logFile(dead)})`);
      try {
        const answer: DescribeClusterResponse__Output = await this.probe.leaderRead('DescribeCluster', {});
        unfenced = new Set(answer.brokers.filter((broker) => !broker.fenced).map((broker) => broker.brokerId));
        if (brokerIds.every((id) => unfenced.has(id))) {
          const own = brokerIds.filter((id) => launched.has(id));
          const serving = await Promise.all(own.map((id) => this.serving(this.brokers, id)));
          notServing = own.filter((_, index) => !serving[index]);
          if (notServing.length === 0) return;
        }
      } catch (error) {
        lastError = error;
      }
      await sleep(100);
    }
    const missing = brokerIds.filter((id) => !unfenced.has(id));
    const last = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
    if (missing.length === 0)
      throw new Error(`brokers ${notServing.join(', ')} listed unfenced but not serving within ${timeoutMs} ms${last}`);
    throw new Error(`brokers ${missing.join(', ')} not registered and unfenced within ${timeoutMs} ms${last}`);
  }

  /** Whether the process answers grpc.health.v1 Check for the whole server ('') with SERVING. */
  private serving(processes: LocalRole, nodeId: number): Promise<boolean> {
    return unaryCall(
      this.healthClients.client(processes.address(nodeId)),
      'Check',
      { service: '' },
      { timeoutMs: 500 },
    ).then(
      (answer) => answer.status === 'SERVING',
      () => false,
    );
  }

  /**
   * Waits until every process of `role` answers grpc.health.v1 Check ('' = the whole server) with
   * SERVING. Throws at once, naming its log, when one has exited; after `timeoutMs`, naming the
   * ones not serving.
   */
  async waitForServing(
    role: Role,
    timeoutMs: number,
    nodeIds: readonly number[] = this.role(role).nodeIds,
  ): Promise<void> {
    const processes = this.role(role);
    const deadline = Date.now() + timeoutMs;
    let waiting = [...nodeIds];
    while (Date.now() < deadline) {
      const dead = waiting.find((id) => !processes.isRunning(id));
      if (dead !== undefined)
        throw new Error(`${role} ${dead} exited before it was serving (see ${processes.logFile(dead)})`);
      const answers = await Promise.all(waiting.map((id) => this.serving(processes, id)));
      waiting = waiting.filter((_, index) => !answers[index]);
      if (waiting.length === 0) return;
      await sleep(100);
    }
    throw new Error(`${role}s ${waiting.join(', ')} not serving within ${timeoutMs} ms`);
  }

  /**
   * Replaces a stopped process's data directory with an empty, freshly formatted one: what a
   * lost disk leaves once an operator has formatted its replacement (meta.properties gets a new
   * directory.id). Returns the new directory id.
   */
  emptyDataDir(role: Role, nodeId: number): string {
    const processes = this.role(role);
    if (processes.isRunning(nodeId)) throw new Error(`${role} ${nodeId} is running: stop it before emptying its data`);
    const dir = processes.dataDir(nodeId);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const [formatted] = formatLogDirs({ clusterId: this.clusterId, nodeId, logDirs: [dir] });
    if (formatted === undefined) throw new Error(`formatting ${dir} answered nothing`);
    return formatted.meta.directoryId;
  }

  /** Every running process of the cluster with its pid. */
  processes(): ProcessInfo[] {
    const found: ProcessInfo[] = [];
    for (const spec of ROLES) {
      const role = this.role(spec.role);
      for (const nodeId of role.running()) {
        const pid = role.pid(nodeId);
        if (pid !== undefined) found.push({ role: spec.role, nodeId, pid });
      }
    }
    return found;
  }

  /**
   * Until the returned function is called, a SIGINT or SIGTERM to this process stops every
   * process of the cluster (SIGTERM, SIGKILL after `timeoutMs`) and exits with 130. For tools and
   * benches that own their process: a signal that ends it would otherwise leave the children
   * running (the exit hook that kills them does not run on a signal).
   */
  stopOnSignals(timeoutMs = 2_000): () => void {
    const onSignal = (): void => {
      void this.stopProcesses(timeoutMs).finally(() => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    return () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
  }

  /** Every running process by pid, in reverse dependency order; `timeoutMs` per role, or its own. */
  private async stopProcesses(timeoutMs?: number): Promise<void> {
    for (const spec of [...ROLES].reverse()) await this.role(spec.role).stopAll(timeoutMs);
  }

  /**
   * Stops every process by pid in reverse dependency order (coordinators, then brokers with a
   * controlled shutdown while the controllers can still move their leaderships, then the
   * controllers), closes the clients, and removes `baseDir` when asked.
   */
  async stop(options: { readonly removeBaseDir?: boolean } = {}): Promise<void> {
    await this.stopProcesses();
    this.adminClient?.close();
    this.adminClient = undefined;
    this.probeChannel?.close();
    this.probeChannel = undefined;
    this.nodeClients.close();
    this.healthClients.close();
    await this.faultNetwork?.close();
    this.faultNetwork = undefined;
    if (options.removeBaseDir === true) rmSync(this.baseDir, { recursive: true, force: true });
  }
}
