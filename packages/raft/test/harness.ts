import { MemoryRaftStorage, RaftNode } from '@sluice/raft';
import type { Entry, Message, NodeId, RaftConfig, Ready } from '@sluice/raft';

export interface HarnessOptions {
  readonly voters: readonly NodeId[];
  readonly observers?: readonly NodeId[];
  readonly config?: Partial<Omit<RaftConfig, 'id' | 'voters' | 'observers'>>;
}

/**
 * A hand-driven cluster for unit tests: messages wait in a queue until a test delivers them,
 * links can be cut, and every Ready is processed like a correct shell would (persist, send,
 * apply, advance). The rng is fixed at 0, so every election timeout is exactly
 * electionTimeoutTicks unless a test says otherwise.
 */
export class Harness {
  readonly storages = new Map<NodeId, MemoryRaftStorage>();
  readonly nodes = new Map<NodeId, RaftNode>();
  readonly applied = new Map<NodeId, Entry[]>();
  readonly readies = new Map<NodeId, Ready[]>();
  queue: Message[] = [];
  private readonly cut = new Set<string>();
  readonly ids: NodeId[];

  constructor(private readonly options: HarnessOptions) {
    this.ids = [...options.voters, ...(options.observers ?? [])];
    for (const id of this.ids) {
      this.storages.set(id, new MemoryRaftStorage({ voters: options.voters, observers: options.observers ?? [] }));
      this.applied.set(id, []);
      this.readies.set(id, []);
      this.restart(id);
    }
  }

  configFor(id: NodeId): RaftConfig {
    return {
      id,
      voters: this.options.voters,
      observers: this.options.observers ?? [],
      electionTimeoutTicks: 10,
      heartbeatIntervalTicks: 1,
      rng: () => 0,
      ...this.options.config,
    };
  }

  /** Crash (drop the in-memory node) and start again from storage. */
  restart(id: NodeId): RaftNode {
    const node = new RaftNode(this.configFor(id), this.storage(id));
    this.nodes.set(id, node);
    return node;
  }

  node(id: NodeId): RaftNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`no node ${id}`);
    return node;
  }

  storage(id: NodeId): MemoryRaftStorage {
    const storage = this.storages.get(id);
    if (storage === undefined) throw new Error(`no storage ${id}`);
    return storage;
  }

  /** Process every pending Ready of every node. */
  drain(): void {
    for (const id of this.ids) this.drainNode(id);
  }

  drainNode(id: NodeId): void {
    const node = this.node(id);
    while (node.hasReady()) {
      const ready = node.ready();
      this.readies.get(id)?.push(ready);
      this.storage(id).persistReady(ready);
      this.queue.push(...ready.messages);
      const applied = this.applied.get(id) as Entry[];
      if (ready.snapshot !== null) applied.length = 0; // state replaced by the snapshot
      applied.push(...ready.committedEntries);
      node.advance();
    }
  }

  isolate(id: NodeId): void {
    for (const other of this.ids) {
      if (other === id) continue;
      this.cut.add(`${id}->${other}`);
      this.cut.add(`${other}->${id}`);
    }
  }

  cutLink(from: NodeId, to: NodeId): void {
    this.cut.add(`${from}->${to}`);
  }

  healAll(): void {
    this.cut.clear();
  }

  /** Deliver queued messages (and whatever they cause) until the network is quiet. */
  deliverAll(maxRounds = 100): void {
    this.drain();
    for (let round = 0; this.queue.length > 0; round++) {
      if (round >= maxRounds) throw new Error('network did not go quiet');
      const batch = this.queue;
      this.queue = [];
      for (const message of batch) {
        if (this.cut.has(`${message.from}->${message.to}`)) continue;
        this.node(message.to).step(message);
        this.drainNode(message.to);
      }
    }
  }

  tick(id: NodeId, ticks = 1): void {
    for (let k = 0; k < ticks; k++) {
      this.node(id).tick();
      this.drainNode(id);
    }
  }

  /** Tick every node once, then let the network settle. */
  tickAll(ticks = 1): void {
    for (let k = 0; k < ticks; k++) {
      for (const id of this.ids) this.tick(id);
      this.deliverAll();
    }
  }

  /** Make `id` time out first and win the election. */
  elect(id: NodeId): void {
    this.tick(id, this.configFor(id).electionTimeoutTicks);
    this.deliverAll();
    const status = this.node(id).status();
    if (status.role !== 'leader') throw new Error(`node ${id} did not win: ${JSON.stringify(status)}`);
  }

  proposeOk(id: NodeId, ...payloads: string[]): void {
    const result = this.node(id).propose(payloads.map((p) => new TextEncoder().encode(p)));
    if (!result.ok) throw new Error(`proposal refused: ${JSON.stringify(result.error)}`);
    this.deliverAll();
  }

  appliedPayloads(id: NodeId): string[] {
    return (this.applied.get(id) ?? [])
      .filter((e) => e.data.byteLength > 0)
      .map((e) => new TextDecoder().decode(e.data));
  }
}
