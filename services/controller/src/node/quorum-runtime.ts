import type { QuorumPort } from '../quorum/quorum-port';
import type { GrpcServiceRegistration } from '@sluice/proto';

/**
 * A running quorum member as the node sees it: the port the event queue uses, the gRPC
 * services peers call (RaftPeer), and its life cycle. RaftQuorumRuntime wraps RaftDriver; tests
 * may use a single-node fake.
 */
export interface QuorumRuntime extends QuorumPort {
  readonly services: readonly GrpcServiceRegistration[];
  /** Raft index covered by the newest local snapshot (0: none). */
  snapshotIndex(): number;
  start(): Promise<void>;
  stop(): Promise<void>;
}
