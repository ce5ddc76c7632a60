/**
 * What a replica starting below the leader's local log start needs from remote storage (KIP-405's
 * "remote log aux state", Kafka's ReplicaFetcherTierStateMachine.buildRemoteLogAuxState): the
 * leader epochs and the producer state as of the offset just below where it will start fetching,
 * read from the uploaded leader-epoch checkpoint and producer snapshot of the remote segment that
 * holds that offset. The replica then starts its log empty at the leader's local log start with
 * both restored, so its fetches are checked against the leader's epochs from the first one, and
 * as a leader it still recognises a producer's retry of a batch that is only in remote storage.
 */
import { parseCheckpoint, type EpochEntry } from '@sluice/log';
import type { ObjectStore } from './object-store';
import { remoteIndexPartKey } from './object-keys';
import { readIndexParts } from './remote-index-parts';
import { decodeProducerSnapshot, ProducerSnapshotError, type ProducerSnapshot } from './producer-snapshot';
import type { RemotePartitionState, RemoteSegmentMetadata } from './remote-log-metadata';

export interface RemoteLogAuxState {
  /** The remote segment both came from: it holds `startOffset - 1`. */
  readonly segment: RemoteSegmentMetadata;
  /** Epoch -> first offset, oldest first, each starting below `startOffset`. */
  readonly leaderEpochs: readonly EpochEntry[];
  /** Null when the upload predates cumulative snapshots (`producerSnapshotProblem` says why). */
  readonly producerSnapshot: ProducerSnapshot | null;
  readonly producerSnapshotProblem: string | null;
}

/**
 * Null when no copied segment holds `startOffset - 1` (nothing remote below the start: there is
 * nothing to rebuild). A store that does not answer, or a checkpoint that does not parse, throws:
 * the caller backs off and asks again, as Kafka's fetcher does.
 */
export async function readRemoteLogAuxState(
  state: RemotePartitionState,
  store: ObjectStore,
  keyPrefix: string,
  startOffset: number,
): Promise<RemoteLogAuxState | null> {
  if (!Number.isSafeInteger(startOffset) || startOffset <= 0) return null;
  const segment = state.segmentFor(startOffset - 1);
  if (segment === null) return null;
  const checkpointKey = remoteIndexPartKey(keyPrefix, segment, 'leader-epoch-checkpoint');
  const snapshotKey = remoteIndexPartKey(keyPrefix, segment, 'producer-snapshot');
  // Adjacent in a bundle: one ranged GET for both.
  const [checkpoint, snapshotBytes] = await readIndexParts(store, keyPrefix, segment, [
    'leader-epoch-checkpoint',
    'producer-snapshot',
  ]);
  let entries: number[][];
  try {
    entries = parseCheckpoint(checkpoint!.toString('utf8'), 2);
  } catch (error) {
    throw new Error(`${checkpointKey}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const leaderEpochs: EpochEntry[] = [];
  for (const [epoch, start] of entries) {
    if (start! >= startOffset) break;
    const previous = leaderEpochs.at(-1);
    if (previous !== undefined && !(epoch! > previous.epoch && start! > previous.startOffset))
      throw new Error(`${checkpointKey}: epochs are not increasing at epoch ${epoch}`);
    leaderEpochs.push({ epoch: epoch!, startOffset: start! });
  }
  try {
    const producerSnapshot = decodeProducerSnapshot(snapshotBytes!, snapshotKey);
    return { segment, leaderEpochs, producerSnapshot, producerSnapshotProblem: null };
  } catch (error) {
    if (!(error instanceof ProducerSnapshotError)) throw error;
    return { segment, leaderEpochs, producerSnapshot: null, producerSnapshotProblem: error.message };
  }
}
