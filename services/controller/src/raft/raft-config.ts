/**
 * From sluice's configuration (Kafka names, see @sluice/runtime's SLUICE_CONFIG_SCHEMA) to the
 * Raft shell's options, so the service wires the driver and transport without re-deciding units.
 */
import { join } from 'node:path';
import { metadataLogDir } from '@sluice/runtime';
import type { SluiceConfig } from '@sluice/runtime';
import { formatHostPort } from '@sluice/proto';

/** Kafka's directory name for the metadata partition. */
export const CLUSTER_METADATA_DIR = '__cluster_metadata-0';

export interface RaftSettings {
  readonly voters: ReadonlyMap<number, string>;
  readonly dataDir: string;
  readonly tickMs: number;
  readonly electionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly snapshotEveryEntries: number;
  /** For GrpcRaftTransport. */
  readonly requestTimeoutMs: number;
}

export function raftSettingsFromConfig(config: SluiceConfig): RaftSettings {
  return {
    voters: new Map(
      config['controller.quorum.voters'].map((voter) => [voter.id, formatHostPort(voter.host, voter.port)]),
    ),
    dataDir: join(metadataLogDir(config), CLUSTER_METADATA_DIR),
    tickMs: config['controller.quorum.tick.ms'],
    electionTimeoutMs: config['controller.quorum.election.timeout.ms'],
    heartbeatIntervalMs: config['controller.quorum.heartbeat.interval.ms'],
    snapshotEveryEntries: config['metadata.snapshot.interval.entries'],
    requestTimeoutMs: config['controller.quorum.request.timeout.ms'],
  };
}
