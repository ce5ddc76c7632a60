/**
 * Real controller processes on loopback, for `sluice cluster up`, the e2e suite and the
 * failover benchmark: writes each node's .properties, formats its metadata directory, spawns
 * `node services/controller/dist/main.js --config ...`, kills by pid. Every child is killed
 * when this process exits, and every wait is bounded.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { LocalProcesses, formatLogDirs, randomKafkaUuid } from '@sluice/runtime';
import { ControllerClient } from '../client/controller-client';
import type { DescribeClusterResponse__Output } from '@sluice/proto';

/** One free TCP port on `host`, chosen by the OS (there is a small race until the child binds it). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** dist/main.js of @sluice/controller, from either src/ (jest) or dist/ (node). */
export function controllerMainPath(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src', 'main.ts')))
      return join(dir, 'dist', 'main.js');
    dir = dirname(dir);
  }
  return resolve(__dirname, '..', 'main.js');
}

export interface LocalClusterOptions {
  readonly baseDir: string;
  readonly nodeCount?: number;
  readonly clusterId?: string;
  readonly host?: string;
  /** Extra configuration for every node (Kafka names), e.g. snapshot interval, session timeout. */
  readonly config?: Readonly<Record<string, string | number>>;
  /** Child stdout/stderr: appended to <baseDir>/node-N.out (default) or inherited. */
  readonly output?: 'file' | 'inherit';
}

interface NodeSlot {
  readonly nodeId: number;
  readonly port: number;
  readonly dir: string;
  readonly configFile: string;
}

export class LocalControllerCluster {
  private readonly processes = new LocalProcesses('controller');
  readonly clusterId: string;
  readonly host: string;
  private readonly slots: NodeSlot[];

  private constructor(
    readonly options: LocalClusterOptions,
    clusterId: string,
    host: string,
    slots: NodeSlot[],
  ) {
    this.clusterId = clusterId;
    this.host = host;
    this.slots = slots;
  }

  /** Chooses ports, writes configs and formats every node's directory; starts nothing. */
  static async create(options: LocalClusterOptions): Promise<LocalControllerCluster> {
    const nodeCount = options.nodeCount ?? 3;
    const host = options.host ?? '127.0.0.1';
    const clusterId = options.clusterId ?? randomKafkaUuid();
    const ports: number[] = [];
    while (ports.length < nodeCount) {
      const port = await freePort(host);
      if (!ports.includes(port)) ports.push(port);
    }
    const voters = ports.map((port, i) => `${i + 1}@${host}:${port}`).join(',');
    const slots: NodeSlot[] = ports.map((port, i) => {
      const nodeId = i + 1;
      const dir = join(options.baseDir, `controller-${nodeId}`);
      const configFile = join(options.baseDir, `controller-${nodeId}.properties`);
      mkdirSync(dir, { recursive: true });
      const lines = [
        `node.id=${nodeId}`,
        'process.roles=controller',
        `controller.quorum.voters=${voters}`,
        `listeners=CONTROLLER://${host}:${port}`,
        `metadata.log.dir=${dir}`,
        `metrics.host=${host}`,
        'metrics.port=0',
        ...Object.entries(options.config ?? {}).map(([key, value]) => `${key}=${value}`),
      ];
      writeFileSync(configFile, `${lines.join('\n')}\n`);
      return { nodeId, port, dir, configFile };
    });
    for (const slot of slots)
      formatLogDirs({ clusterId, nodeId: slot.nodeId, logDirs: [slot.dir], ignoreFormatted: true });
    return new LocalControllerCluster(options, clusterId, host, slots);
  }

  get nodeIds(): number[] {
    return this.slots.map((slot) => slot.nodeId);
  }

  private slot(nodeId: number): NodeSlot {
    const slot = this.slots.find((candidate) => candidate.nodeId === nodeId);
    if (slot === undefined) throw new RangeError(`no controller ${nodeId}`);
    return slot;
  }

  address(nodeId: number): string {
    return `${this.host}:${this.slot(nodeId).port}`;
  }

  addresses(): string[] {
    return this.slots.map((slot) => `${this.host}:${slot.port}`);
  }

  configFile(nodeId: number): string {
    return this.slot(nodeId).configFile;
  }

  dataDir(nodeId: number): string {
    return this.slot(nodeId).dir;
  }

  pid(nodeId: number): number | undefined {
    return this.processes.pid(nodeId);
  }

  isRunning(nodeId: number): boolean {
    return this.processes.isRunning(nodeId);
  }

  running(): number[] {
    return this.nodeIds.filter((id) => this.isRunning(id));
  }

  /** Spawns the node's process (no wait; see waitForLeader / waitServing). */
  start(nodeId: number): ChildProcess {
    const toFile = (this.options.output ?? 'file') === 'file';
    return this.processes.start(
      nodeId,
      controllerMainPath(),
      ['--config', this.slot(nodeId).configFile],
      toFile ? join(this.options.baseDir, `controller-${nodeId}.out`) : null,
    );
  }

  startAll(): void {
    for (const id of this.nodeIds) if (!this.isRunning(id)) this.start(id);
  }

  /** kill -9 by pid; resolves once the process is gone. */
  async kill(nodeId: number, signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 5_000): Promise<void> {
    await this.processes.kill(nodeId, signal, timeoutMs);
  }

  /** SIGTERM every node (clean stop), then SIGKILL whatever is left. */
  async stopAll(timeoutMs = 5_000): Promise<void> {
    await Promise.all(this.running().map((id) => this.kill(id, 'SIGTERM', timeoutMs)));
  }

  /** The exit code of a node's last run once it exits (bounded). */
  async exitCode(nodeId: number, timeoutMs = 10_000): Promise<number | null | 'running'> {
    return this.processes.exitCode(nodeId, timeoutMs);
  }

  /** A client following NOT_CONTROLLER across every node of this cluster. */
  client(timeoutMs = 10_000): ControllerClient {
    return new ControllerClient(this.addresses(), {
      timeoutMs,
      attemptTimeoutMs: Math.min(1_000, timeoutMs),
      retryBackoffMs: 20,
    });
  }

  /** Asks one node who leads; undefined if it does not answer. */
  async describe(
    client: ControllerClient,
    nodeId: number,
    timeoutMs = 500,
  ): Promise<DescribeClusterResponse__Output | undefined> {
    try {
      return await client.callNode(this.address(nodeId), 'DescribeCluster', {}, timeoutMs);
    } catch {
      return undefined;
    }
  }

  /**
   * Polls running nodes until one reports itself as leader (controllerId === its own nodeId),
   * excluding `notNodeId`; bounded by `timeoutMs`.
   */
  async waitForLeader(client: ControllerClient, timeoutMs: number, notNodeId?: number, pollMs = 10): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const answers = await Promise.all(this.running().map((id) => this.describe(client, id, 200)));
      for (const answer of answers) {
        if (answer !== undefined && answer.controllerId === answer.nodeId && answer.nodeId !== notNodeId)
          return answer.nodeId;
      }
      await sleep(pollMs);
    }
    throw new Error(`no controller leader within ${timeoutMs} ms (running: ${this.running().join(', ') || 'none'})`);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}
