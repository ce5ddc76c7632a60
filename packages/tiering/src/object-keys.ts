import { formatBaseOffset } from '@sluice/log';
import type { RemoteSegmentMetadata } from './remote-log-metadata';
import { INDEX_PARTS, indexesBundleBytes } from './segment-indexes';

/**
 * The objects one remote segment is made of, in three layouts the metadata tells apart:
 * - `indexes` and `indexesInLog` (written now): ONE object, the `.log`, whose bytes are the
 *   segment's followed by the bundle of the small files (see segment-indexes.ts): one PUT;
 * - `indexes` alone: a `.log` and a `.indexes` object holding the bundle: two PUTs;
 * - neither (the oldest): a `.log` and four separate small objects.
 * Uploads of every layout stay readable and deletable as such.
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
    metadata.indexes === undefined
      ? REMOTE_SEGMENT_FILES
      : metadata.indexesInLog === true
        ? ['log']
        : ['log', 'indexes'];
  return files.map((file) => remoteObjectKey(prefix, metadata, file));
}

/**
 * Where an upload's indexes bundle is: its object and the byte there at which the bundle starts
 * (the bundle's own positions count from it). Null for the oldest layout, which has no bundle.
 */
export function remoteIndexesLocation(
  prefix: string,
  metadata: RemoteSegmentMetadata,
): { readonly key: string; readonly startByte: number } | null {
  if (metadata.indexes === undefined) return null;
  return metadata.indexesInLog === true
    ? { key: remoteObjectKey(prefix, metadata, 'log'), startByte: metadata.segmentSizeBytes }
    : { key: remoteObjectKey(prefix, metadata, 'indexes'), startByte: 0 };
}

/** The `.log` object's size: the segment's bytes, and the bundle after them when it is there. */
export function remoteLogObjectBytes(metadata: RemoteSegmentMetadata): number {
  return metadata.indexesInLog === true && metadata.indexes !== undefined
    ? metadata.segmentSizeBytes + indexesBundleBytes(metadata.indexes)
    : metadata.segmentSizeBytes;
}

/**
 * The object holding one small part, for errors and logs: the bundle's object, or the oldest
 * layout's own object of that part.
 */
export function remoteIndexPartKey(
  prefix: string,
  metadata: RemoteSegmentMetadata,
  part: (typeof INDEX_PARTS)[number],
): string {
  return remoteIndexesLocation(prefix, metadata)?.key ?? remoteObjectKey(prefix, metadata, part);
}
