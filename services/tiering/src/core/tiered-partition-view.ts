/**
 * One tiered partition as `DescribeTieredPartitions` answers it: the leader's offsets (ListOffsets
 * earliest, earliest-local, latest) joined with what the remote-log metadata says is in the
 * object store. Pure: the shell reads both and hands them in.
 */
import type { RemotePartitionState } from '@sluice/tiering';

export interface LeaderOffsets {
  readonly logStartOffset: number;
  readonly localLogStartOffset: number;
  readonly highWatermark: number;
}

/** The wire shape of sluice.v1.TieredPartition (int64 as numbers; the shell hands them to grpc-js). */
export interface TieredPartitionView {
  readonly partition: number;
  readonly leaderId: number;
  readonly logStartOffset: number;
  readonly localLogStartOffset: number;
  readonly highWatermark: number;
  readonly remoteStartOffset: number;
  readonly remoteEndOffset: number;
  readonly remoteSegments: number;
  readonly remoteSizeBytes: number;
  readonly unfinishedUploads: number;
  readonly errorName: string;
  readonly errorMessage: string;
}

const UNKNOWN_OFFSETS: LeaderOffsets = Object.freeze({
  logStartOffset: -1,
  localLogStartOffset: -1,
  highWatermark: -1,
});

export type Outcome<T> = { readonly ok: T } | { readonly errorName: string; readonly errorMessage: string };

export function tieredPartitionView(
  partition: number,
  leaderId: number,
  offsets: Outcome<LeaderOffsets>,
  remote: Outcome<RemotePartitionState>,
): TieredPartitionView {
  const leader = 'ok' in offsets ? offsets.ok : UNKNOWN_OFFSETS;
  const state = 'ok' in remote ? remote.ok : null;
  const copied = state?.copied() ?? [];
  // The first failure is the one reported: the caller sees which half is missing by the -1s.
  const failure = 'ok' in offsets ? ('ok' in remote ? null : remote) : offsets;
  return {
    partition,
    leaderId,
    ...leader,
    remoteStartOffset: state?.remoteLogStartOffset() ?? -1,
    remoteEndOffset: copied.length === 0 ? -1 : state!.highestCopiedOffset(),
    remoteSegments: copied.length,
    remoteSizeBytes: state === null ? -1 : state.remoteSizeBytes(),
    unfinishedUploads: state === null ? -1 : state.unfinished().length,
    errorName: failure?.errorName ?? '',
    errorMessage: failure?.errorMessage ?? '',
  };
}
