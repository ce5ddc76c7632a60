import { formatBaseOffset } from '@sluice/log';
import type { RemoteSegmentMetadata } from './remote-log-metadata';

/** The files one remote segment is made of, each its own object. */
export const REMOTE_SEGMENT_FILES = [
  'log',
  'index',
  'timeindex',
  'leader-epoch-checkpoint',
  'producer-snapshot',
] as const;
export type RemoteSegmentFile = (typeof REMOTE_SEGMENT_FILES)[number];

const SUFFIX: Readonly<Record<RemoteSegmentFile, string>> = {
  log: '.log',
  index: '.index',
  timeindex: '.timeindex',
  'leader-epoch-checkpoint': '.leader-epoch-checkpoint',
  'producer-snapshot': '.snapshot',
};

/**
 * `<prefix><topic>-<topicId>/<partition>/<baseOffset 20 digits>-<leaderEpoch>-<uploadId>.<ext>`.
 * The topic id keeps a re-created topic of the same name apart; the upload id keeps a retried
 * copy of the same segment apart from the interrupted one (whose objects are then deleted by
 * name, never overwritten).
 */
export function remoteObjectKey(prefix: string, metadata: RemoteSegmentMetadata, file: RemoteSegmentFile): string {
  return `${partitionObjectPrefix(prefix, metadata.id.topic, metadata.id.topicId, metadata.id.partition)}${formatBaseOffset(
    metadata.startOffset,
  )}-${metadata.leaderEpoch}-${metadata.id.uploadId}${SUFFIX[file]}`;
}

/** Every object of one partition starts with this (listing it finds orphans; topic deletion empties it). */
export function partitionObjectPrefix(prefix: string, topic: string, topicId: string, partition: number): string {
  return `${prefix}${topic}-${topicId}/${partition}/`;
}

export function remoteObjectKeys(prefix: string, metadata: RemoteSegmentMetadata): string[] {
  return REMOTE_SEGMENT_FILES.map((file) => remoteObjectKey(prefix, metadata, file));
}
