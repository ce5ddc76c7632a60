/**
 * A whole sluice cluster as real processes on loopback, for e2e tests: controllers, brokers and
 * (optionally) one group coordinator per broker, started in the order they depend on each other
 * (coordinators need the brokers' addresses; brokers keep share group state through the
 * coordinators), with an Admin on the controllers (and the coordinators, when started). `stop()` stops every process by pid and
 * removes the data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBrokerCluster } from '../../services/broker/src/local/local-brokers';
import { LocalControllerCluster } from '../../services/controller/src/local/local-cluster';
import { LocalCoordinatorCluster } from '../../services/coordinator/src/local/local-coordinators';
import { Admin } from '../../packages/client/src';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 100 ms until it is true; throws naming `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(100);
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastError === undefined ? '' : ` (last error: ${String(lastError)})`}`,
  );
}

export interface LocalSluiceOptions {
  /** The data directory's prefix under the OS temp dir. */
  readonly name: string;
  readonly brokerConfig?: Readonly<Record<string, string | number>>;
  /** Coordinators are started only when this is given. */
  readonly coordinatorConfig?: Readonly<Record<string, string | number>>;
  /** E.g. a short `broker.session.timeout.ms` for tests that kill brokers (default: Kafka's 9000). */
  readonly controllerConfig?: Readonly<Record<string, string | number>>;
}

export class LocalSluice {
  private constructor(
    readonly baseDir: string,
    readonly controllers: LocalControllerCluster,
    readonly brokers: LocalBrokerCluster,
    private readonly coordinatorCluster: LocalCoordinatorCluster | null,
    readonly admin: Admin,
  ) {}

  /** 1 controller, 3 brokers (min.insync.replicas 2), and 3 coordinators when asked for. */
  static async start(options: LocalSluiceOptions): Promise<LocalSluice> {
    const baseDir = mkdtempSync(join(tmpdir(), `sluice-${options.name}-`));
    const controllers = await LocalControllerCluster.create({
      baseDir,
      nodeCount: 1,
      ...(options.controllerConfig === undefined ? {} : { config: options.controllerConfig }),
    });
    controllers.startAll();
    const voters = controllers.nodeIds.map((id) => `${id}@${controllers.address(id)}`).join(',');
    const brokers = await LocalBrokerCluster.create({
      baseDir,
      clusterId: controllers.clusterId,
      controllerVoters: voters,
      config: { 'broker.heartbeat.interval.ms': 200, 'min.insync.replicas': 2, ...options.brokerConfig },
    });
    const coordinators =
      options.coordinatorConfig === undefined
        ? null
        : await LocalCoordinatorCluster.create({
            baseDir,
            controllerVoters: voters,
            brokers: new Map(brokers.brokerIds.map((id) => [id, brokers.address(id)])),
            config: options.coordinatorConfig,
          });
    if (coordinators !== null) brokers.setShareCoordinators(coordinators.addresses());
    const admin = new Admin({
      bootstrap: controllers.addresses(),
      timeoutMs: 15_000,
      ...(coordinators === null ? {} : { coordinators: coordinators.addresses() }),
    });
    const sluice = new LocalSluice(baseDir, controllers, brokers, coordinators, admin);
    try {
      brokers.startAll();
      await sluice.waitForBrokers();
      coordinators?.startAll();
    } catch (error) {
      await sluice.stop();
      throw error;
    }
    return sluice;
  }

  /** Waits until every broker is registered and unfenced (after a start or restart). */
  async waitForBrokers(timeoutMs = 60_000): Promise<void> {
    const count = this.brokers.brokerIds.length;
    await waitFor(
      `${count} unfenced brokers`,
      async () => (await this.admin.describeCluster()).brokers.filter((b) => !b.fenced).length === count,
      timeoutMs,
    );
  }

  get coordinators(): LocalCoordinatorCluster {
    if (this.coordinatorCluster === null) throw new Error('this cluster was started without coordinators');
    return this.coordinatorCluster;
  }

  /** The brokers' addresses, `host:port,...`. */
  get bootstrap(): string {
    return this.brokers.addresses().join(',');
  }

  /** The leader broker of a partition, from the controller's metadata. */
  async leaderOf(topic: string, partition: number): Promise<number> {
    const described = await this.admin.describeTopic(topic);
    const found = described.partitions.find((p) => p.partition === partition);
    if (found === undefined) throw new Error(`${topic} has no partition ${partition}`);
    return found.leader;
  }

  async stop(): Promise<void> {
    this.admin.close();
    await this.coordinatorCluster?.stopAll();
    await this.brokers.stopAll();
    await this.controllers.stopAll();
    rmSync(this.baseDir, { recursive: true, force: true });
  }
}
