import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GrpcApp } from '@sluice/service-common';
import { startRaftPeerRpc } from '../../src/rpc/controller-rpc.module';
import { GrpcRaftTransport, type GrpcRaftTransportOptions } from '../../src/raft/grpc-transport';
import { RaftDriver } from '../../src/raft/raft-driver';
import type {
  CommittedEntry,
  RaftDriverOptions,
  ReplicatedStateMachine,
  StateMachineSnapshot,
} from '../../src/raft/raft-driver';
import { createRaftPeerHandler } from '../../src/raft/raft-peer-service';

/** A list of strings; asserts that it sees every index exactly once, in order. */
export class ListStateMachine implements ReplicatedStateMachine {
  lastIndex = 0;
  values: string[] = [];
  restoredFrom: number[] = [];

  apply(entries: ReadonlyArray<CommittedEntry>): void {
    for (const entry of entries) {
      if (entry.index !== this.lastIndex + 1) throw new Error(`applied ${entry.index} after ${this.lastIndex}`);
      this.lastIndex = entry.index;
      if (entry.data.byteLength > 0) this.values.push(Buffer.from(entry.data).toString());
    }
  }

  takeSnapshot(): { index: number; data: Uint8Array } {
    return { index: this.lastIndex, data: Buffer.from(JSON.stringify(this.values)) };
  }

  restoreSnapshot(snapshot: StateMachineSnapshot): Promise<void> {
    this.restoredFrom.push(snapshot.index);
    this.lastIndex = snapshot.index;
    this.values = JSON.parse(Buffer.from(snapshot.data).toString()) as string[];
    return Promise.resolve(); // async, like the controller's
  }
}

export interface ClusterNode {
  readonly id: number;
  readonly dir: string;
  port: number;
  server: GrpcApp | null;
  driver: RaftDriver | null;
  transport: GrpcRaftTransport | null;
  stateMachine: ListStateMachine;
}

export type DriverTuning = Partial<
  Pick<
    RaftDriverOptions,
    | 'tickMs'
    | 'electionTimeoutMs'
    | 'heartbeatIntervalMs'
    | 'snapshotEveryEntries'
    | 'proposalTimeoutMs'
    | 'commitFlushIntervalMs'
  >
> & {
  /** Snapshot streaming of every node's transport (chunk size, ...). */
  readonly snapshot?: GrpcRaftTransportOptions['snapshot'];
};

const ADDRESS = (port: number): string => `127.0.0.1:${port}`;

export class TestCluster {
  readonly nodes = new Map<number, ClusterNode>();
  private readonly root: string;
  private voters = new Map<number, string>();
  readonly fatalErrors: unknown[] = [];

  private constructor(private readonly tuning: DriverTuning) {
    this.root = mkdtempSync(join(tmpdir(), 'sluice-raft-cluster-'));
  }

  /** Binds every node's server on an OS-chosen port first, then starts the drivers with the real addresses. */
  static async start(size: number, tuning: DriverTuning = {}): Promise<TestCluster> {
    const cluster = new TestCluster(tuning);
    for (let id = 1; id <= size; id++) {
      const node: ClusterNode = {
        id,
        dir: join(cluster.root, `node-${id}`),
        port: 0,
        server: null,
        driver: null,
        transport: null,
        stateMachine: new ListStateMachine(),
      };
      cluster.nodes.set(id, node);
      await cluster.startServer(node);
    }
    cluster.voters = new Map([...cluster.nodes.values()].map((n) => [n.id, ADDRESS(n.port)]));
    for (const node of cluster.nodes.values()) await cluster.startDriver(node);
    return cluster;
  }

  node(id: number): ClusterNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  driver(id: number): RaftDriver {
    const driver = this.node(id).driver;
    if (driver === null) throw new Error(`node ${id} is stopped`);
    return driver;
  }

  running(): ClusterNode[] {
    return [...this.nodes.values()].filter((n) => n.driver !== null);
  }

  /** The one running node that believes it leads, when exactly one does. */
  leader(): ClusterNode | undefined {
    const leaders = this.running().filter((n) => n.driver?.isLeader());
    return leaders.length === 1 ? leaders[0] : undefined;
  }

  /** `timeoutMs` bounds a hang; elections take well under a second on an idle machine. */
  async waitForLeader(timeoutMs = 20_000): Promise<ClusterNode> {
    let found: ClusterNode | undefined;
    await waitFor(() => (found = this.leader()) !== undefined, timeoutMs, 'a leader');
    return found as ClusterNode;
  }

  async stopNode(id: number): Promise<void> {
    const node = this.node(id);
    await node.driver?.stop();
    node.driver = null;
    node.transport = null;
    await node.server?.close();
    node.server = null;
  }

  /** Restarts a stopped node on its old port with a fresh (empty) state machine: everything comes from disk and peers. */
  async restartNode(id: number): Promise<void> {
    const node = this.node(id);
    node.stateMachine = new ListStateMachine();
    await this.startServer(node);
    await this.startDriver(node);
  }

  async stop(): Promise<void> {
    for (const id of this.nodes.keys()) await this.stopNode(id);
    rmSync(this.root, { recursive: true, force: true });
  }

  private async startServer(node: ClusterNode): Promise<void> {
    const handler = createRaftPeerHandler({
      nodeId: node.id,
      clusterId: 'test-cluster',
      receive: (m) => node.driver?.receive(m),
    });
    node.server = await startRaftPeerRpc('127.0.0.1', node.port, handler);
    node.port = node.server.port;
  }

  private async startDriver(node: ClusterNode): Promise<void> {
    const { snapshot, ...tuning } = this.tuning;
    const transport = new GrpcRaftTransport({
      nodeId: node.id,
      peers: this.voters,
      clusterId: 'test-cluster',
      requestTimeoutMs: 500,
      ...(snapshot === undefined ? {} : { snapshot }),
    });
    const driver = new RaftDriver({
      nodeId: node.id,
      voters: this.voters,
      dataDir: node.dir,
      stateMachine: node.stateMachine,
      transport,
      onFatal: (error) => this.fatalErrors.push(error),
      ...tuning,
    });
    node.driver = driver;
    node.transport = transport;
    await driver.start();
  }
}

export async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
