/**
 * The processes of one role in a local cluster (the controllers, the brokers, ...): their
 * addresses, files and pids, and start / kill / restart / stop of one by node id. Every child is
 * spawned on this process's Node, stopped by pid with a bounded wait, and SIGKILLed when this
 * process exits (LocalProcesses).
 */
import type { ChildProcess } from 'node:child_process';
import { LocalProcesses } from '@sluice/runtime';
import type { Role, RoleSpec } from './roles';
import { assertServiceBuilt, serviceNodeFlags } from './service-main';

/** One process's fixed place: chosen once at create, the same across restarts. */
export interface NodeSlot {
  readonly nodeId: number;
  /** Where the process listens. */
  readonly port: number;
  /** Where everyone dials it: `port`, or the port of the fault proxy in front of it. */
  readonly advertisedPort: number;
  /** The /metrics port in its configuration (0: the OS chose one at start). */
  readonly metricsPort: number;
  readonly dataDir: string | undefined;
  readonly configFile: string;
  /** Its stdout and stderr, appended across restarts (unless output is inherited). */
  readonly logFile: string;
}

export interface RoleLaunch {
  /** 'file': each process's output goes to its log file; 'inherit': to this process's. */
  readonly output: 'file' | 'inherit';
  /** Extra environment for every process of the role (over this process's). */
  readonly env: Readonly<Record<string, string>>;
  /** The workspace whose built service runs (another checkout); undefined: this one. */
  readonly workspace?: string;
}

export class LocalRole {
  private readonly processes: LocalProcesses;

  constructor(
    readonly spec: RoleSpec,
    readonly host: string,
    private readonly slots: readonly NodeSlot[],
    private readonly launch: RoleLaunch,
  ) {
    this.processes = new LocalProcesses(spec.role);
  }

  get role(): Role {
    return this.spec.role;
  }

  get nodeIds(): number[] {
    return this.slots.map((slot) => slot.nodeId);
  }

  private slot(nodeId: number): NodeSlot {
    const slot = this.slots.find((candidate) => candidate.nodeId === nodeId);
    if (slot === undefined)
      throw new RangeError(
        `no ${this.role} ${nodeId} in this cluster (${this.role}s: ${this.nodeIds.join(', ') || 'none'})`,
      );
    return slot;
  }

  /** Where everyone dials the process (through its fault proxy when the cluster has them). */
  address(nodeId: number): string {
    return `${this.host}:${this.slot(nodeId).advertisedPort}`;
  }

  /** Where the process itself listens (behind its fault proxy, if any). */
  listenAddress(nodeId: number): string {
    return `${this.host}:${this.slot(nodeId).port}`;
  }

  addresses(): string[] {
    return this.nodeIds.map((nodeId) => this.address(nodeId));
  }

  /** `host:port` of the process's /metrics server, the same across restarts. */
  metricsAddress(nodeId: number): string {
    const port = this.slot(nodeId).metricsPort;
    if (port === 0) throw new RangeError(`${this.role} ${nodeId} was configured with metrics.port=0 (chosen at start)`);
    return `${this.host}:${port}`;
  }

  dataDir(nodeId: number): string {
    const dir = this.slot(nodeId).dataDir;
    if (dir === undefined) throw new RangeError(`a ${this.role} keeps no data directory`);
    return dir;
  }

  configFile(nodeId: number): string {
    return this.slot(nodeId).configFile;
  }

  logFile(nodeId: number): string {
    return this.slot(nodeId).logFile;
  }

  pid(nodeId: number): number | undefined {
    this.slot(nodeId);
    return this.processes.pid(nodeId);
  }

  isRunning(nodeId: number): boolean {
    return this.processes.isRunning(this.slot(nodeId).nodeId);
  }

  running(): number[] {
    return this.nodeIds.filter((nodeId) => this.isRunning(nodeId));
  }

  /** Spawns the process (no wait: LocalCluster knows what ready means for each role). */
  start(nodeId: number): ChildProcess {
    const slot = this.slot(nodeId);
    return this.processes.start(
      nodeId,
      assertServiceBuilt(this.spec.service, this.launch.workspace),
      ['--config', slot.configFile],
      this.launch.output === 'file' ? slot.logFile : null,
      this.launch.env,
      serviceNodeFlags(this.spec.service, this.launch.workspace),
    );
  }

  /** Spawns every process of the role that is not running. */
  startAll(): void {
    for (const nodeId of this.nodeIds) if (!this.isRunning(nodeId)) this.start(nodeId);
  }

  /** Sends `signal` (kill -9 by default) by pid; resolves once the process is gone, SIGKILLing it after `timeoutMs`. */
  async kill(nodeId: number, signal: NodeJS.Signals = 'SIGKILL', timeoutMs = this.spec.stopTimeoutMs): Promise<void> {
    await this.processes.kill(this.slot(nodeId).nodeId, signal, timeoutMs);
  }

  /** Stops the process (SIGTERM: a clean stop, unless `signal` says otherwise) and starts it again on its data. */
  async restart(
    nodeId: number,
    signal: NodeJS.Signals = 'SIGTERM',
    timeoutMs = this.spec.stopTimeoutMs,
  ): Promise<ChildProcess> {
    await this.kill(nodeId, signal, timeoutMs);
    return this.start(nodeId);
  }

  /** SIGTERM every running process of the role (a clean stop), SIGKILL whatever is left after `timeoutMs`. */
  async stopAll(timeoutMs = this.spec.stopTimeoutMs): Promise<void> {
    await Promise.all(this.running().map((nodeId) => this.kill(nodeId, 'SIGTERM', timeoutMs)));
  }

  /** The exit code of the process's last run once it exits; 'running' if it does not within `timeoutMs`. */
  async exitCode(nodeId: number, timeoutMs = 10_000): Promise<number | null | 'running'> {
    return this.processes.exitCode(this.slot(nodeId).nodeId, timeoutMs);
  }
}
