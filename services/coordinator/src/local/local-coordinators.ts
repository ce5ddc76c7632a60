/**
 * Real coordinator processes on loopback, one paired with each broker, for `sluice cluster up`,
 * the e2e suite and benchmarks: writes each coordinator's .properties (its id is its broker's),
 * spawns `node services/coordinator/dist/main.js --config ...`, kills by pid. Every child is
 * killed when this process exits; every wait is bounded.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort } from '@sluice/controller';
import { LocalProcesses } from '@sluice/runtime';

/** dist/main.js of @sluice/coordinator, from either src/ (jest) or dist/ (node). */
export function coordinatorMainPath(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src', 'main.ts')))
      return join(dir, 'dist', 'main.js');
    dir = dirname(dir);
  }
  return join(__dirname, '..', 'main.js');
}

export interface LocalCoordinatorsOptions {
  readonly baseDir: string;
  /** `controller.quorum.voters` of the running quorum. */
  readonly controllerVoters: string;
  /** Broker id -> broker address: one coordinator per broker, with the broker's id. */
  readonly brokers: ReadonlyMap<number, string>;
  readonly host?: string;
  /** Extra configuration for every coordinator (Kafka names). */
  readonly config?: Readonly<Record<string, string | number>>;
  readonly output?: 'file' | 'inherit';
}

export class LocalCoordinatorCluster {
  private readonly processes = new LocalProcesses('coordinator');

  private constructor(
    readonly options: LocalCoordinatorsOptions,
    readonly host: string,
    private readonly ports: ReadonlyMap<number, number>,
  ) {}

  /** Chooses ports and writes configs; starts nothing. */
  static async create(options: LocalCoordinatorsOptions): Promise<LocalCoordinatorCluster> {
    const host = options.host ?? '127.0.0.1';
    const ports = new Map<number, number>();
    for (const id of options.brokers.keys()) {
      let port = await freePort(host);
      while ([...ports.values()].includes(port)) port = await freePort(host);
      ports.set(id, port);
    }
    const peers = [...ports].map(([id, port]) => `${id}@${host}:${port}`).join(',');
    // Local clusters are often smaller than 3 brokers: the share coordinator's topic follows the
    // offsets topic's replication factor unless it is set on its own.
    const config: Record<string, string | number> = { ...options.config };
    if (
      config['offsets.topic.replication.factor'] !== undefined &&
      config['share.coordinator.state.topic.replication.factor'] === undefined
    ) {
      config['share.coordinator.state.topic.replication.factor'] = config['offsets.topic.replication.factor'];
    }
    for (const [id, brokerAddress] of options.brokers) {
      const lines = [
        `node.id=${id}`,
        'process.roles=coordinator',
        `controller.quorum.voters=${options.controllerVoters}`,
        `listeners=PLAINTEXT://${host}:${ports.get(id)}`,
        `coordinator.broker=${brokerAddress}`,
        `coordinator.peers=${peers}`,
        `metrics.host=${host}`,
        'metrics.port=0',
        ...Object.entries(config).map(([key, value]) => `${key}=${value}`),
      ];
      writeFileSync(join(options.baseDir, `coordinator-${id}.properties`), `${lines.join('\n')}\n`);
    }
    return new LocalCoordinatorCluster(options, host, ports);
  }

  get ids(): number[] {
    return [...this.ports.keys()];
  }

  address(id: number): string {
    const port = this.ports.get(id);
    if (port === undefined) throw new RangeError(`no coordinator ${id}`);
    return `${this.host}:${port}`;
  }

  addresses(): string[] {
    return this.ids.map((id) => this.address(id));
  }

  pid(id: number): number | undefined {
    return this.processes.pid(id);
  }

  isRunning(id: number): boolean {
    return this.processes.isRunning(id);
  }

  start(id: number): ChildProcess {
    this.address(id);
    const toFile = (this.options.output ?? 'file') === 'file';
    return this.processes.start(
      id,
      coordinatorMainPath(),
      ['--config', join(this.options.baseDir, `coordinator-${id}.properties`)],
      toFile ? join(this.options.baseDir, `coordinator-${id}.out`) : null,
    );
  }

  startAll(): void {
    for (const id of this.ids) if (!this.isRunning(id)) this.start(id);
  }

  async kill(id: number, signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 10_000): Promise<void> {
    await this.processes.kill(id, signal, timeoutMs);
  }

  async stopAll(timeoutMs = 10_000): Promise<void> {
    await Promise.all(this.ids.filter((id) => this.isRunning(id)).map((id) => this.kill(id, 'SIGTERM', timeoutMs)));
  }
}
