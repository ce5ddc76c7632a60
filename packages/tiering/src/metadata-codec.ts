import type { RemoteLogMetadataRecord, RemoteSegmentId, RemoteSegmentMetadata } from './remote-log-metadata';
import {
  checkIndexesLayout,
  INDEX_PARTS,
  IndexesLayoutError,
  type IndexesLayout,
  type IndexPart,
} from './segment-indexes';

/**
 * The metadata log's value format: versioned JSON. Small (one record per copy / delete step),
 * readable with `sluice consume __remote_log_metadata`, and strictly checked on decode so a bad
 * record is refused by name instead of corrupting the replayed state.
 */
const FORMAT_VERSION = 1;

export class RemoteLogMetadataFormatError extends Error {
  override readonly name = 'RemoteLogMetadataFormatError';
  readonly code = 'CORRUPT_MESSAGE';
}

export function encodeMetadataRecord(record: RemoteLogMetadataRecord): Buffer {
  return Buffer.from(JSON.stringify({ v: FORMAT_VERSION, ...record }), 'utf8');
}

/** The compaction key: the latest record per upload (or per partition delete) is what matters. */
export function metadataRecordKey(record: RemoteLogMetadataRecord): string {
  if (record.kind === 'partition-delete') return `${record.topicId}:${record.partition}:partition`;
  const { id } = record.metadata;
  return `${id.topicId}:${id.partition}:${id.uploadId}`;
}

export function decodeMetadataRecord(bytes: Buffer): RemoteLogMetadataRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new RemoteLogMetadataFormatError('remote-log metadata record is not JSON');
  }
  const o = object(raw, 'record');
  if (o.v !== FORMAT_VERSION) throw new RemoteLogMetadataFormatError(`unknown metadata format version ${String(o.v)}`);
  const eventTimestampMs = int(o.eventTimestampMs, 'eventTimestampMs');
  if (o.kind === 'partition-delete') {
    if (o.state !== 'DELETE_PARTITION_STARTED' && o.state !== 'DELETE_PARTITION_FINISHED') {
      throw new RemoteLogMetadataFormatError(`unknown partition delete state ${String(o.state)}`);
    }
    return {
      kind: 'partition-delete',
      state: o.state,
      topicId: str(o.topicId, 'topicId'),
      topic: str(o.topic, 'topic'),
      partition: int(o.partition, 'partition'),
      eventTimestampMs,
    };
  }
  if (o.kind !== 'segment') throw new RemoteLogMetadataFormatError(`unknown record kind ${String(o.kind)}`);
  if (
    o.state !== 'COPY_SEGMENT_STARTED' &&
    o.state !== 'COPY_SEGMENT_FINISHED' &&
    o.state !== 'DELETE_SEGMENT_STARTED' &&
    o.state !== 'DELETE_SEGMENT_FINISHED'
  ) {
    throw new RemoteLogMetadataFormatError(`unknown segment state ${String(o.state)}`);
  }
  return { kind: 'segment', state: o.state, metadata: segmentMetadata(o.metadata), eventTimestampMs };
}

function segmentMetadata(raw: unknown): RemoteSegmentMetadata {
  const o = object(raw, 'metadata');
  const epochs = o.segmentLeaderEpochs;
  if (!Array.isArray(epochs)) throw new RemoteLogMetadataFormatError('segmentLeaderEpochs is not a list');
  return {
    id: segmentId(o.id),
    startOffset: int(o.startOffset, 'startOffset'),
    endOffset: int(o.endOffset, 'endOffset'),
    maxTimestampMs: int(o.maxTimestampMs, 'maxTimestampMs'),
    leaderEpoch: int(o.leaderEpoch, 'leaderEpoch'),
    segmentSizeBytes: int(o.segmentSizeBytes, 'segmentSizeBytes'),
    segmentLeaderEpochs: epochs.map((pair: unknown) => {
      if (!Array.isArray(pair) || pair.length !== 2) throw new RemoteLogMetadataFormatError('bad leader epoch entry');
      return [int(pair[0], 'epoch'), int(pair[1], 'epoch start offset')] as const;
    }),
    brokerId: int(o.brokerId, 'brokerId'),
    ...(o.replacesUploadIds === undefined ? {} : { replacesUploadIds: uploadIds(o.replacesUploadIds) }),
    ...(o.indexes === undefined ? {} : { indexes: indexesLayout(o.indexes) }),
    ...(o.indexesInLog === undefined ? {} : { indexesInLog: indexesInLog(o.indexesInLog, o.indexes) }),
  };
}

/** Only `true` is written, and only beside a layout: the bundle in the `.log` object. */
function indexesInLog(raw: unknown, layout: unknown): true {
  if (raw !== true) throw new RemoteLogMetadataFormatError('indexesInLog is not true');
  if (layout === undefined) throw new RemoteLogMetadataFormatError('indexesInLog without an indexes layout');
  return true;
}

/** The `.indexes` bundle's layout: every part, back to back (records of older uploads have none). */
function indexesLayout(raw: unknown): IndexesLayout {
  const o = object(raw, 'indexes');
  const layout = {} as Record<IndexPart, IndexesLayout[IndexPart]>;
  for (const part of INDEX_PARTS) {
    const range = object(o[part], `indexes.${part}`);
    layout[part] = {
      position: int(range.position, `indexes.${part}.position`),
      sizeBytes: int(range.sizeBytes, `indexes.${part}.sizeBytes`),
      crc32c: int(range.crc32c, `indexes.${part}.crc32c`),
    };
  }
  try {
    checkIndexesLayout(layout);
  } catch (error) {
    if (error instanceof IndexesLayoutError) throw new RemoteLogMetadataFormatError(error.message);
    throw error;
  }
  return layout;
}

/** A remote compaction's replaced uploads: a non-empty list of upload ids. */
function uploadIds(raw: unknown): string[] {
  if (!Array.isArray(raw) || raw.length === 0)
    throw new RemoteLogMetadataFormatError('replacesUploadIds is not a non-empty list');
  return raw.map((id) => str(id, 'replaced upload id'));
}

function segmentId(raw: unknown): RemoteSegmentId {
  const o = object(raw, 'id');
  return {
    topicId: str(o.topicId, 'topicId'),
    topic: str(o.topic, 'topic'),
    partition: int(o.partition, 'partition'),
    uploadId: str(o.uploadId, 'uploadId'),
  };
}

function object(raw: unknown, what: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new RemoteLogMetadataFormatError(`${what} is not an object`);
  }
  return raw as Record<string, unknown>;
}

function int(raw: unknown, what: string): number {
  if (typeof raw !== 'number' || !Number.isSafeInteger(raw)) {
    throw new RemoteLogMetadataFormatError(`${what} is not an integer`);
  }
  return raw;
}

function str(raw: unknown, what: string): string {
  if (typeof raw !== 'string' || raw === '') throw new RemoteLogMetadataFormatError(`${what} is not a string`);
  return raw;
}
