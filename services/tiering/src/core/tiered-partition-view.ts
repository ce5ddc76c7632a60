/**
 * One tiered partition as `DescribeTieredPartitions` answers it: the leader's offsets (ListOffsets
 * earliest, earliest-local, latest) and local log size (DescribeLogDirs) joined with what the
 * remote-log metadata says is in the object store. Pure: the shell reads them and hands them in.
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
  /** The leader's local log bytes; -1 unknown. */
  readonly localSizeBytes: number;
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
  localSizeBytes: Outcome<number>,
): TieredPartitionView {
  const leader = 'ok' in offsets ? offsets.ok : UNKNOWN_OFFSETS;
  const state = 'ok' in remote ? remote.ok : null;
  const copied = state?.copied() ?? [];
  // The first failure is the one reported: the caller sees which part is missing by the -1s.
  const failure = failureOf(offsets) ?? failureOf(remote) ?? failureOf(localSizeBytes);
  return {
    partition,
    leaderId,
    ...leader,
    remoteStartOffset: state?.remoteLogStartOffset() ?? -1,
    remoteEndOffset: copied.length === 0 ? -1 : state!.highestCopiedOffset(),
    remoteSegments: copied.length,
    remoteSizeBytes: state === null ? -1 : state.remoteSizeBytes(),
    unfinishedUploads: state === null ? -1 : state.unfinished().length,
    localSizeBytes: 'ok' in localSizeBytes ? localSizeBytes.ok : -1,
    errorName: failure?.errorName ?? '',
    errorMessage: failure?.errorMessage ?? '',
  };
}

function failureOf<T>(outcome: Outcome<T>): { readonly errorName: string; readonly errorMessage: string } | null {
  return 'ok' in outcome ? null : outcome;
}
