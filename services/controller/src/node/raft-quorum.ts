/**
 * The real quorum: RaftDriver (durable log + snapshots in `<metadata.log.dir>/__cluster_metadata-0`)
 * with the gRPC transport and RaftPeer handler, driving the MetadataStateMachine. Adapts the
 * driver to the QuorumRuntime the node and event queue use.
 */
import type { Logger } from 'pino';
import type { ControllerConfig } from '../config/controller-config';
import {
  CLUSTER_METADATA_DIR,
  createRaftPeerHandler,
  GrpcRaftTransport,
  RaftDriver,
  raftSettingsFromConfig,
} from '../raft';
import type { MetadataStateMachine } from '../state/metadata-state-machine';
import type { QuorumRuntime } from './quorum-runtime';

/** How often a commit-index-only change of the quorum state is written. */
const COMMIT_FLUSH_INTERVAL_MS = 200;

/** Kafka's directory name for the metadata log's single partition. */
export const RAFT_LOG_SUBDIR = CLUSTER_METADATA_DIR;

export async function createRaftQuorum(
  config: ControllerConfig,
  stateMachine: MetadataStateMachine,
  log: Logger,
): Promise<QuorumRuntime> {
  const settings = raftSettingsFromConfig(config.raw);
  const raftLog = log.child({ component: 'raft' });
  const transport = new GrpcRaftTransport({
    nodeId: config.nodeId,
    peers: config.voters,
    clusterId: config.clusterId,
    requestTimeoutMs: settings.requestTimeoutMs,
    logger: raftLog,
  });
  const driver = new RaftDriver({
    nodeId: config.nodeId,
    voters: config.voters,
    dataDir: settings.dataDir,
    stateMachine: {
      apply: (entries) => stateMachine.apply(entries),
      takeSnapshot: () => ({ index: stateMachine.appliedIndex, data: stateMachine.takeSnapshot() }),
      restoreSnapshot: (snapshot) => stateMachine.restoreSnapshot(snapshot.data),
    },
    transport,
    logger: raftLog,
    tickMs: settings.tickMs,
    electionTimeoutMs: settings.electionTimeoutMs,
    heartbeatIntervalMs: settings.heartbeatIntervalMs,
    snapshotEveryEntries: settings.snapshotEveryEntries,
    // The commit index is recoverable from the leader, so commit-only changes need not cost a
    // quorum-state fsync each; term and vote are still written before any message leaves.
    commitFlushIntervalMs: COMMIT_FLUSH_INTERVAL_MS,
    onFatal: (error) => {
      // Continuing could break persist-before-send; exit and let the supervisor restart us.
      log.fatal({ err: error }, 'raft driver failed; exiting');
      log.flush();
      process.exit(1);
    },
  });
  const handler = createRaftPeerHandler({
    nodeId: config.nodeId,
    clusterId: config.clusterId,
    voterIds: new Set(config.voters.keys()),
    receive: (message) => driver.receive(message),
    logger: raftLog,
  });
  return raftQuorumRuntime(driver, handler);
}

export function raftQuorumRuntime(driver: RaftDriver, raftPeer: QuorumRuntime['raftPeer']): QuorumRuntime {
  return {
    nodeId: driver.nodeId,
    raftPeer,
    leaderId: () => driver.leaderId,
    term: () => driver.term,
    propose: (entry) => driver.propose([entry]),
    onLeaderChange: (listener) => driver.onLeaderChange(listener),
    snapshotIndex: () => driver.latestSnapshot()?.index ?? 0,
    voterProgress: () => driver.voterProgress(),
    readinessState: () => driver.readinessState(),
    start: () => driver.start(),
    // A planned stop hands leadership over first (~0.1 s) instead of leaving the others to time out.
    stop: async () => {
      await driver.resign();
      await driver.stop();
    },
  };
}
