import type { QuorumRuntime } from '../../src/node/quorum-runtime';
import type { MetadataStateMachine } from '../../src/state/metadata-state-machine';
import { FakeQuorum } from './fake-quorum';

/** A one-voter "quorum" for component tests of the service shell (no Raft peers). */
export class SingleNodeQuorum extends FakeQuorum implements QuorumRuntime {
  readonly raftPeer = null;
  constructor(nodeId: number, stateMachine: MetadataStateMachine, leader: number | null = nodeId) {
    super(nodeId, stateMachine, leader);
  }
  snapshotIndex(): number {
    return 0;
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}
