/**
 * Real broker processes on loopback, for `sluice cluster up`, the e2e suite and benchmarks:
 * writes each broker's .properties, formats its log directory for the cluster, spawns
 * `node services/broker/dist/main.js --config ...`, kills by pid. Every child is killed when this
 * process exits, and every wait is bounded. The controller quorum is started separately
 * (LocalControllerCluster); pass its voters string.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { freePort } from '@sluice/controller';
import { LocalProcesses, formatLogDirs } from '@sluice/runtime';

/** dist/main.js of @sluice/broker, from either src/ (jest) or dist/ (node). */
export function brokerMainPath(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src', 'main.ts')))
      return join(dir, 'dist', 'main.js');
    dir = dirname(dir);
  }
  return resolve(__dirname, '..', 'main.js');
}

export interface LocalBrokersOptions {
  readonly baseDir: string;
  readonly clusterId: string;
  /** `controller.quorum.voters` of the running quorum: `1@127.0.0.1:9093,...`. */
  readonly controllerVoters: string;
  readonly brokerIds?: readonly number[];
  readonly host?: string;
  /** Extra configuration for every broker (Kafka names). */
  readonly config?: Readonly<Record<string, string | number>>;
  /**
   * `share.coordinator.addresses` of every broker. Coordinators need the brokers' addresses first,
   * so this is usually set after LocalCoordinatorCluster.create with setShareCoordinators().
   */
  readonly shareCoordinatorAddresses?: readonly string[];
  /** Child stdout/stderr: appended to <baseDir>/broker-N.out (default) or inherited. */
  readonly output?: 'file' | 'inherit';
}

interface BrokerSlot {
  readonly brokerId: number;
  readonly port: number;
  readonly dir: string;
  readonly configFile: string;
  /** The config file's lines, rewritten by setShareCoordinators(). */
  lines: string[];
}

export class LocalBrokerCluster {
  private readonly processes = new LocalProcesses('broker');
  private constructor(
    readonly options: LocalBrokersOptions,
    readonly host: string,
    private readonly slots: BrokerSlot[],
  ) {}

  /** Chooses ports, writes configs and formats every broker's log directory; starts nothing. */
  static async create(options: LocalBrokersOptions): Promise<LocalBrokerCluster> {
    const host = options.host ?? '127.0.0.1';
    const ids = options.brokerIds ?? [1, 2, 3];
    const ports: number[] = [];
    while (ports.length < ids.length) {
      const port = await freePort(host);
      if (!ports.includes(port)) ports.push(port);
    }
    const slots = ids.map((brokerId, i): BrokerSlot => {
      const port = ports[i] as number;
      const dir = join(options.baseDir, `broker-${brokerId}`);
      const configFile = join(options.baseDir, `broker-${brokerId}.properties`);
      mkdirSync(dir, { recursive: true });
      const lines = [
        `node.id=${brokerId}`,
        'process.roles=broker',
        `controller.quorum.voters=${options.controllerVoters}`,
        `listeners=PLAINTEXT://${host}:${port}`,
        `log.dirs=${dir}`,
        `metrics.host=${host}`,
        'metrics.port=0',
        ...(options.shareCoordinatorAddresses === undefined
          ? []
          : [`share.coordinator.addresses=${options.shareCoordinatorAddresses.join(',')}`]),
        ...Object.entries(options.config ?? {}).map(([key, value]) => `${key}=${value}`),
      ];
      writeFileSync(configFile, `${lines.join('\n')}\n`);
      formatLogDirs({ clusterId: options.clusterId, nodeId: brokerId, logDirs: [dir], ignoreFormatted: true });
      return { brokerId, port, dir, configFile, lines };
    });
    return new LocalBrokerCluster(options, host, slots);
  }

  /**
   * Points every broker's share state persister at these coordinators (`share.coordinator.addresses`).
   * Takes effect when a broker (re)starts: call it before startAll().
   */
  setShareCoordinators(addresses: readonly string[]): void {
    for (const slot of this.slots) {
      slot.lines = [
        ...slot.lines.filter((line) => !line.startsWith('share.coordinator.addresses=')),
        `share.coordinator.addresses=${addresses.join(',')}`,
      ];
      writeFileSync(slot.configFile, `${slot.lines.join('\n')}\n`);
    }
  }

  get brokerIds(): number[] {
    return this.slots.map((slot) => slot.brokerId);
  }

  private slot(brokerId: number): BrokerSlot {
    const slot = this.slots.find((candidate) => candidate.brokerId === brokerId);
    if (slot === undefined) throw new RangeError(`no broker ${brokerId}`);
    return slot;
  }

  address(brokerId: number): string {
    return `${this.host}:${this.slot(brokerId).port}`;
  }

  addresses(): string[] {
    return this.slots.map((slot) => `${this.host}:${slot.port}`);
  }

  dataDir(brokerId: number): string {
    return this.slot(brokerId).dir;
  }

  pid(brokerId: number): number | undefined {
    return this.processes.pid(brokerId);
  }

  isRunning(brokerId: number): boolean {
    return this.processes.isRunning(brokerId);
  }

  running(): number[] {
    return this.brokerIds.filter((id) => this.isRunning(id));
  }

  /** Spawns the broker's process (no wait: it is ready once it registered and unfenced). */
  start(brokerId: number): ChildProcess {
    const toFile = (this.options.output ?? 'file') === 'file';
    return this.processes.start(
      brokerId,
      brokerMainPath(),
      ['--config', this.slot(brokerId).configFile],
      toFile ? join(this.options.baseDir, `broker-${brokerId}.out`) : null,
    );
  }

  startAll(): void {
    for (const id of this.brokerIds) if (!this.isRunning(id)) this.start(id);
  }

  /** kill -9 (or `signal`) by pid; resolves once the process is gone (SIGKILL after `timeoutMs`). */
  async kill(brokerId: number, signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 10_000): Promise<void> {
    await this.processes.kill(brokerId, signal, timeoutMs);
  }

  /** SIGTERM every broker (controlled shutdown), then SIGKILL whatever is left. */
  async stopAll(timeoutMs = 10_000): Promise<void> {
    await Promise.all(this.running().map((id) => this.kill(id, 'SIGTERM', timeoutMs)));
  }
}
