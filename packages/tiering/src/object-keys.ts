import { formatBaseOffset } from '@sluice/log';
import type { RemoteSegmentMetadata } from './remote-log-metadata';
import { INDEX_PARTS } from './segment-indexes';

/**
 * The objects one remote segment is made of. Two layouts: uploads whose metadata has `indexes`
 * are a `.log` and ONE `.indexes` bundle of the small files (see segment-indexes.ts); uploads
 * written before the bundle (no `indexes`) are a `.log` and four separate small objects, and stay
 * readable and deletable as such.
 */
export const REMOTE_SEGMENT_FILES = ['log', ...INDEX_PARTS] as const;
export type RemoteSegmentFile = (typeof REMOTE_SEGMENT_FILES)[number] | 'indexes';

const SUFFIX: Readonly<Record<RemoteSegmentFile, string>> = {
  log: '.log',
  index: '.index',
  timeindex: '.timeindex',
  'leader-epoch-checkpoint': '.leader-epoch-checkpoint',
  'producer-snapshot': '.snapshot',
  indexes: '.indexes',
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

/** Every object of one upload, in its layout: what a delete removes and a scrub counts as named. */
export function remoteObjectKeys(prefix: string, metadata: RemoteSegmentMetadata): string[] {
  const files: readonly RemoteSegmentFile[] =
    metadata.indexes === undefined ? REMOTE_SEGMENT_FILES : ['log', 'indexes'];
  return files.map((file) => remoteObjectKey(prefix, metadata, file));
}
